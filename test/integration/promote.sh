# Promotion: a daily run hard-links the newest hourly backup, a second run
# changes nothing, and pruning keeps exact counts across many runs.
source "$(dirname "$0")/../lib.sh"

export BACKUP_DIR=$TMP/backups
pg_start src 25431 pw || exit 1
use_pg 25431 pw
sql postgres "CREATE TABLE t (v int); INSERT INTO t VALUES (1)" >/dev/null

check "first hourly" "$BACKUP"
check "second hourly" "$BACKUP"
newest_hourly=$(newest hourly)
check "daily promotion succeeds without database settings" \
	env -u PGHOST -u PGPORT -u PGUSER -u PGPASSWORD BACKUP_TYPE=daily "$BACKUP"
check "daily took the newest hourly backup" test "$(newest daily)" = "$newest_hourly"
h=$BACKUP_DIR/hourly/$newest_hourly/dumpall.sql.gz
d=$BACKUP_DIR/daily/$newest_hourly/dumpall.sql.gz
check "the daily file shares the hourly file's inode" test "$(stat -c %i "$h")" = "$(stat -c %i "$d")"
check "the daily manifest says where it came from" grep -qx 'promoted_from = hourly' "$BACKUP_DIR/daily/$newest_hourly/manifest"
check "the daily manifest names its own tier" grep -qx 'tier = daily' "$BACKUP_DIR/daily/$newest_hourly/manifest"
check "the promoted backup verifies" verify_backup "$BACKUP_DIR/daily/$newest_hourly"

snapshot() { find "$BACKUP_DIR" -path '*/.lock' -prune -o -printf '%p %i %s %T@\n' | sort; }
snapshot >"$TMP/before"
check "a second daily run succeeds" env BACKUP_TYPE=daily "$BACKUP"
check "it says it had nothing to do" grep -q "already holds" "$TMP/check.out"
snapshot >"$TMP/after"
check "a second daily run changes nothing" diff "$TMP/before" "$TMP/after"

# Counts after pruning are exact across several runs, and the newest stay.
for i in 1 2 3 4 5; do
	env BACKUP_COUNT=3 "$BACKUP" >"$TMP/run.log" 2>&1 || fail "hourly run $i with BACKUP_COUNT=3" "$(tail -2 "$TMP/run.log")"
	env BACKUP_TYPE=daily BACKUP_COUNT=2 "$BACKUP" >"$TMP/run.log" 2>&1 || fail "daily run $i with BACKUP_COUNT=2" "$(tail -2 "$TMP/run.log")"
	expected_hourly=$((i + 2 > 3 ? 3 : i + 2))
	[ "$(count_backups hourly)" = "$expected_hourly" ] &&
		pass "after run $i the hourly tier holds $expected_hourly" ||
		fail "after run $i the hourly tier holds $expected_hourly" "it holds $(count_backups hourly)"
	[ "$(count_backups daily)" = 2 ] && pass "after run $i the daily tier holds 2" ||
		fail "after run $i the daily tier holds 2" "it holds $(count_backups daily)"
done
check "the newest hourly is the newest daily" test "$(newest hourly)" = "$(newest daily)"
check "pruned backups are gone without a trace" no_leftovers
check "what remains verifies" all_backups_intact
oldest_daily=$(ls "$BACKUP_DIR/daily" | grep -E '^[0-9]' | sort | head -1)
check "the daily copy outlives its pruned hourly origin" verify_backup "$BACKUP_DIR/daily/$oldest_daily"

# Weekly from daily, monthly from weekly: the stack through every tier.
check "weekly promotes from daily" env BACKUP_TYPE=weekly "$BACKUP"
check "monthly promotes from weekly" env BACKUP_TYPE=monthly "$BACKUP"
check "the monthly manifest says weekly" grep -qx 'promoted_from = weekly' "$BACKUP_DIR/monthly/$(newest monthly)/manifest"

# Pruning removes only what parses as our timestamps.
mkdir -p "$BACKUP_DIR/hourly/not-a-backup" "$BACKUP_DIR/hourly/2026-99-99T00:00:00Z"
touch "$BACKUP_DIR/hourly/notes.txt"
check "an hourly run with BACKUP_COUNT=1" env BACKUP_COUNT=1 "$BACKUP"
check "foreign entries survive pruning" test -d "$BACKUP_DIR/hourly/not-a-backup" -a -d "$BACKUP_DIR/hourly/2026-99-99T00:00:00Z" -a -f "$BACKUP_DIR/hourly/notes.txt"
check "BACKUP_COUNT=1 keeps exactly the newest" test "$(count_backups hourly)" = 1

# A copy where links are impossible: the daily tier on another file system.
mkdir -p "$TMP/other"
mount -t tmpfs -o size=20m tmpfs "$TMP/other" && MOUNTS+=("$TMP/other")
rm -rf "$BACKUP_DIR/daily"
mkdir "$TMP/other/daily"
ln -s "$TMP/other/daily" "$BACKUP_DIR/daily"
check "promotion across file systems falls back to a copy" env BACKUP_TYPE=daily "$BACKUP"
check "it says it copied" grep -q "copying" "$TMP/check.out"
check "the copy verifies" verify_backup "$BACKUP_DIR/daily/$(newest daily)"
