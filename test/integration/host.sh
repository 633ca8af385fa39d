# Plain hosts: the systemd units install, pass systemd-analyze verify, and
# each timer fires on the schedule of its tier policy (tiers/*.conf).
source "$(dirname "$0")/../lib.sh"

dest=$TMP/root
check "make install installs the units" make -s -C "$ROOT" install DESTDIR="$dest" SANITIZE="${SANITIZE:-}"
units=$dest/usr/local/lib/systemd/system
check "the service names the installed binary" grep -qx 'ExecStart=/usr/local/bin/backup --tier %i' "$units/tierdump-backup@.service"

# systemd-analyze checks that ExecStart exists: point it at the built binary.
mkdir -p "$TMP/verify"
sed "s|@BINDIR@|$BUILD|" "$ROOT/etc/systemd/tierdump-backup@.service" >"$TMP/verify/tierdump-backup@.service"
cp "$ROOT"/etc/systemd/*.timer "$TMP/verify/"
for tier in hourly daily weekly monthly; do
	sed -i "s|^Unit=.*|Unit=tierdump-backup@$tier.service|" "$TMP/verify/tierdump-$tier.timer"
	# It exits 0 even on unknown keys: any message at all is a finding.
	check "systemd-analyze verify says nothing about the $tier timer and its service" \
		sh -c "cd '$TMP/verify' && test -z \"\$(systemd-analyze verify --man=no tierdump-$tier.timer 2>&1)\""
done
sed "s|@BINDIR@|$BUILD|" "$ROOT/etc/systemd/tierdump-verify.service" >"$TMP/verify/tierdump-verify.service"
check "systemd-analyze verify says nothing about the test-restore timer and its service" \
	sh -c "cd '$TMP/verify' && test -z \"\$(systemd-analyze verify --man=no tierdump-verify.timer 2>&1)\""
check "the test-restore service runs backup --verify latest" \
	grep -qx 'ExecStart=/usr/local/bin/backup --verify latest' "$units/tierdump-verify.service"
echo "OnCalendr=typo" >>"$TMP/verify/tierdump-daily.timer"
check "the verification catches a misspelled key" \
	sh -c "cd '$TMP/verify' && test -n \"\$(systemd-analyze verify --man=no tierdump-daily.timer 2>&1)\""

# cron "M H DOM MON DOW" -> OnCalendar, for the plain forms the policies use.
to_calendar() {
	echo "$1" | awk '{
		dow = ($5 == "*") ? "" : (split("Sun Mon Tue Wed Thu Fri Sat", d, " ") ? d[$5 + 1] " " : "")
		dom = ($3 == "*") ? "*" : sprintf("%02d", $3)
		hour = ($2 == "*") ? "*" : sprintf("%02d", $2)
		printf "%s*-*-%s %s:%02d:00\n", dow, dom, hour, $1 }'
}
for tier in hourly daily weekly monthly; do
	cron=$(sed -n 's/^schedule = "\(.*\)";/\1/p' "$ROOT/tiers/$tier.conf")
	want=$(to_calendar "$cron")
	got=$(sed -n 's/^OnCalendar=//p' "$ROOT/etc/systemd/tierdump-$tier.timer")
	[ "$want" = "$got" ] && pass "the $tier timer fires on tiers/$tier.conf's schedule ($cron)" ||
		fail "the $tier timer fires on tiers/$tier.conf's schedule ($cron)" "timer says '$got', policy means '$want'"
done
