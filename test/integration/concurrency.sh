# Concurrency: runs of the same tier serialize on the tier's lock (or give up
# with 75), and a promotion racing hourly runs that prune never leaves a
# corrupt or partial backup behind.
source "$(dirname "$0")/../lib.sh"

export BACKUP_DIR=$TMP/backups
pg_start src 25421 src-pw || exit 1
use_pg 25421 src-pw
sql postgres "CREATE TABLE small AS SELECT g AS id FROM generate_series(1, 1000) g" >/dev/null

# run_pair [VAR=value...]: two hourly runs started at once; their exit
# statuses in rc1 and rc2, their stderr in $TMP/1.err and $TMP/2.err.
run_pair() {
	local p1 p2
	timeout -s KILL 120 env "$@" "$BACKUP" >/dev/null 2>"$TMP/1.err" &
	p1=$!
	timeout -s KILL 120 env "$@" "$BACKUP" >/dev/null 2>"$TMP/2.err" &
	p2=$!
	wait "$p1"
	rc1=$?
	wait "$p2"
	rc2=$?
}

# ------------------------------------ two hourly runs at once, default timeout

check "a first hourly backup" "$BACKUP"
[ "$(count_backups hourly)" = 1 ] || exit 1 # nothing below could mean anything
before=$(count_backups hourly)
run_pair
if [ "$rc1" = 0 ] && [ "$rc2" = 0 ]; then
	pass "two simultaneous hourly runs both exit 0 (serialized by the lock)"
else
	fail "two simultaneous hourly runs both exit 0 (serialized by the lock)" \
		"exits $rc1 and $rc2: $(tail -1 "$TMP/1.err") / $(tail -1 "$TMP/2.err")"
fi
check "they made two more complete backups" test "$(count_backups hourly)" = $((before + 2))
check "the two runs published distinct backups" sh -c \
	"grep -ho 'backup hourly/[^ ]* complete' '$TMP/1.err' '$TMP/2.err' | sort -u | wc -l | grep -qx 2"
check "simultaneous runs: every backup verifies" all_backups_intact
check "simultaneous runs: nothing half-written is left" no_leftovers

# ---------------------------- two hourly runs at once, BACKUP_LOCK_TIMEOUT=0

# Big enough that one dump takes well over a second.
sql postgres "CREATE TABLE big AS SELECT g AS id, md5(random()::text) AS t FROM generate_series(1, 500000) g" >/dev/null
before=$(count_backups hourly)
run_pair BACKUP_LOCK_TIMEOUT=0
if [ "$rc1:$rc2" = "0:75" ]; then
	winner=1 loser=2
else
	winner=2 loser=1
fi
if [ "$rc1:$rc2" = "0:75" ] || [ "$rc1:$rc2" = "75:0" ]; then
	pass "with BACKUP_LOCK_TIMEOUT=0 exactly one of two simultaneous runs exits 75"
else
	fail "with BACKUP_LOCK_TIMEOUT=0 exactly one of two simultaneous runs exits 75" \
		"exits $rc1 and $rc2: $(tail -1 "$TMP/1.err") / $(tail -1 "$TMP/2.err")"
fi
check "the loser's last line says another hourly run holds the lock" \
	grep -Eq '^backup: error: another hourly run holds the lock' <(tail -n 1 "$TMP/$loser.err")
check "the winner made one complete backup" test "$(count_backups hourly)" = $((before + 1))
check "the winner's backup is the newest" grep -q "backup hourly/$(newest hourly) complete" "$TMP/$winner.err"
check "lock timeout 0: every backup verifies" all_backups_intact
check "lock timeout 0: nothing half-written is left" no_leftovers
sql postgres "DROP TABLE big" >/dev/null

# --------------------------- daily promotions racing pruning hourly runs

rm -f "$TMP/hourly.rcs" "$TMP/daily.rcs"
(
	for i in 1 2 3 4 5 6; do
		BACKUP_COUNT=2 timeout -s KILL 60 "$BACKUP" >/dev/null 2>"$TMP/hourly-$i.err"
		echo "$? $i" >>"$TMP/hourly.rcs"
	done
) &
hourly_loop=$!
n=0
while kill -0 "$hourly_loop" 2>/dev/null; do
	n=$((n + 1))
	BACKUP_TYPE=daily timeout -s KILL 60 "$BACKUP" >/dev/null 2>"$TMP/daily-$n.err"
	echo "$? $n" >>"$TMP/daily.rcs"
	sleep 0.05
done
wait "$hourly_loop"
check "every hourly run of the race exits 0" sh -c "! grep -v '^0 ' '$TMP/hourly.rcs'"
check "the hourly tier holds BACKUP_COUNT=2 backups" test "$(count_backups hourly)" = 2

# A promotion may lose the race with a prune (the backup it links is removed
# meanwhile): that must be a clean failure with a message, never a bad backup.
promoted=$(grep -c '^0 ' "$TMP/daily.rcs")
bad=
while read -r code i; do
	[ "$code" = 0 ] && continue
	last=$(tail -n 1 "$TMP/daily-$i.err")
	echo "note: daily promotion $i exited $code: $last"
	case $code in 66 | 75) ;; *) bad+="run $i exited $code; " ;; esac
	[[ $last =~ ^backup:\ error:\ . ]] || bad+="run $i ended without 'backup: error:' ($last); "
done <"$TMP/daily.rcs"
echo "note: $(wc -l <"$TMP/daily.rcs") daily promotions raced the hourly runs, $promoted exited 0"
check "every racing promotion exits 0 or fails cleanly with a message" test -z "$bad"
check "the race ran more than one promotion" test "$(wc -l <"$TMP/daily.rcs")" -gt 1
check "a promotion after the race exits 0" env BACKUP_TYPE=daily "$BACKUP"
check "the daily tier holds the newest hourly backup" verify_backup "$BACKUP_DIR/daily/$(newest hourly)"
check "the race: every backup verifies" all_backups_intact
check "the race: nothing half-written is left" no_leftovers

# Where a backup is in both tiers, the daily files are the hourly ones.
shared() {
	local d name n=0
	for d in "$BACKUP_DIR"/daily/*/; do
		name=$(basename "$d")
		[ -d "$BACKUP_DIR/hourly/$name" ] || continue
		for f in "$d"*.gz; do
			[ "$(stat -c %i "$f")" = "$(stat -c %i "$BACKUP_DIR/hourly/$name/$(basename "$f")")" ] ||
				{ echo "$f is not a hard link of the hourly file"; return 1; }
			n=$((n + 1))
		done
	done
	[ "$n" -gt 0 ] || { echo "no backup is in both tiers"; return 1; }
}
check "daily backups share their files' inodes with the hourly ones" shared

# Two promotions at once: one promotes, the other waits and finds it done.
check "one more hourly backup" "$BACKUP"
new=$(newest hourly)
timeout -s KILL 120 env BACKUP_TYPE=daily "$BACKUP" >/dev/null 2>"$TMP/1.err" &
p1=$!
timeout -s KILL 120 env BACKUP_TYPE=daily "$BACKUP" >/dev/null 2>"$TMP/2.err" &
p2=$!
wait "$p1"
rc1=$?
wait "$p2"
rc2=$?
check "two simultaneous daily promotions both exit 0" test "$rc1:$rc2" = 0:0
check "exactly one of them promoted the new hourly backup" \
	test "$(cat "$TMP/1.err" "$TMP/2.err" | grep -c "promoted hourly/$new to daily/$new")" = 1
check "the other found it promoted already" \
	test "$(cat "$TMP/1.err" "$TMP/2.err" | grep -c "already holds $new")" = 1
check "the daily tier holds the new backup" verify_backup "$BACKUP_DIR/daily/$new"
check "two promotions: every backup verifies" all_backups_intact
check "two promotions: nothing half-written is left" no_leftovers
