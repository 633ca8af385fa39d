# make install puts the binaries, man pages, tier policies and the example
# configuration under DESTDIR/PREFIX, and what it installed runs.
source "$(dirname "$0")/../lib.sh"

dest=$TMP/root
check "make install succeeds" make -s -C "$ROOT" install DESTDIR="$dest" SANITIZE="${SANITIZE:-}"
for f in bin/backup bin/recover share/man/man8/backup.8 share/man/man8/recover.8 \
	share/man/man5/tierdump.conf.5 share/man/man7/tierdump.7 \
	share/tierdump/tiers/hourly.conf share/tierdump/tiers/monthly.conf \
	share/doc/tierdump/tierdump.conf.example; do
	check "installed $f" test -s "$dest/usr/local/$f"
done
check "the installed backup runs" sh -c "'$dest/usr/local/bin/backup' --version | grep -q '^tierdump '"
check "the installed man page renders" sh -c "mandoc -Tascii '$dest/usr/local/share/man/man8/recover.8' | grep -q FROM_BACKUP"
echo secret >"$TMP/pgadminpass"
sed "s|/run/secrets/pgadminpass|$TMP/pgadminpass|" "$ROOT/etc/tierdump.conf" >"$TMP/example.conf"
check "the example configuration parses" env TIERDUMP_CONFIG="$TMP/example.conf" "$RECOVER" --backup-dir "$TMP/none"
