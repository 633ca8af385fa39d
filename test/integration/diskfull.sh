# A promotion that must copy (another file system) onto a full disk fails
# cleanly: exit 73, nothing half-written in the daily tier, the hourly
# backup intact, and the next promotion with room succeeds.
source "$(dirname "$0")/../lib.sh"

export BACKUP_DIR=$TMP/backups
pg_start src 25511 pw || exit 1
use_pg 25511 pw
sql postgres "CREATE TABLE filler AS SELECT g, md5(random()::text) AS m FROM generate_series(1, 100000) g" >/dev/null
check "an hourly backup bigger than the daily tier's disk" "$BACKUP"
mkdir -p "$TMP/small"
mount -t tmpfs -o size=1m tmpfs "$TMP/small" && MOUNTS+=("$TMP/small")
mkdir "$TMP/small/daily"
ln -s "$TMP/small/daily" "$BACKUP_DIR/daily"
expect_exit "a promotion by copy onto a full disk fails" 73 "No space left on device" env BACKUP_TYPE=daily "$BACKUP"
check "it had tried to copy (no hard link across file systems)" grep -q "copying it" "$TMP/last.err"
check "nothing half-written is left in the daily tier" test -z "$(ls -A "$TMP/small/daily" | grep -v '^.lock$')"
check "recover lists no daily backup" sh -c "! '$RECOVER' | grep -q '^daily'"
check "the hourly backup is intact" all_backups_intact
umount "$TMP/small"
mount -t tmpfs -o size=64m tmpfs "$TMP/small"
mkdir "$TMP/small/daily"
check "with room, the promotion succeeds" env BACKUP_TYPE=daily "$BACKUP"
check "and the copy verifies" verify_backup "$BACKUP_DIR/daily/$(newest daily)"
