# Physical base backups in the chunked format: pg_basebackup's tar cut into
# chunks, so that a second base backup of a cluster that changed little
# stores little; point-in-time recovery restores from it through the WAL
# archive (which stays a file per segment), run as the PGDATA owner.
source "$(dirname "$0")/../lib.sh"

archive_setup
export BACKUP_FORMAT=chunked
PG_CONF="wal_level = replica
archive_mode = on
archive_command = 'TIERDUMP_CONFIG=/dev/null BACKUP_DIR=$BACKUP_DIR $BACKUP wal-push %p'" \
	pg_start src 25741 Chunk-Pitr-Pw || exit 1
use_pg 25741 Chunk-Pitr-Pw

stored() { du -sb "$BACKUP_DIR/chunks/data" | cut -f1; }

# A cold table big enough that the base backups' sharing shows.
sql postgres "CREATE TABLE cold AS SELECT g AS id, md5(g::text) || md5((g * 3)::text) AS v FROM generate_series(1, 300000) g" >/dev/null
sql postgres "CREATE TABLE ticks (n int PRIMARY KEY)" >/dev/null
sql postgres "INSERT INTO ticks SELECT generate_series(1, 5)" >/dev/null
sql postgres "CHECKPOINT" >/dev/null
check "a chunked physical base backup" "$BACKUP"
first=$(newest hourly)
check "its manifest is the chunked format, holding base.tar" \
	sh -c "grep -qx 'format = 2' '$BACKUP_DIR/hourly/$first/manifest' && grep -qx '\\[file:base.tar\\]' '$BACKUP_DIR/hourly/$first/manifest'"
check "and the WAL position recovery starts from" grep -q '^wal_start_lsn = ' "$BACKUP_DIR/hourly/$first/manifest"
s1=$(stored)
sql postgres "INSERT INTO ticks SELECT generate_series(6, 10)" >/dev/null
seg=$(switch_and_wait)
check "a segment is archived, as a file of its own" test -f "$WAL/$seg.meta"
sleep 1
check "a second base backup" "$BACKUP"
second=$(newest hourly)
added=$(($(stored) - s1))
check "it stored under a third of the first one ($added of $s1 bytes)" test "$added" -lt "$((s1 / 3))"
check "its own new bytes are in its manifest" grep -q '^new_size = ' "$BACKUP_DIR/hourly/$second/manifest"
check "every chunk the base backups reference is there and intact" "$RECOVER" --check-store
check "backup --verify reads every chunk of the base backup" "$BACKUP" --verify latest
sql postgres "INSERT INTO ticks SELECT generate_series(11, 15)" >/dev/null
check "a segment with the last rows is archived" test -n "$(switch_and_wait)"

# Recovery from the first base backup, replaying the WAL past the second: as postgres, PGDATA's owner.
mkdir "$TMP/pitr"
chown postgres:postgres "$TMP/pitr"
chmod -R o+rX "$BACKUP_DIR"
check "point-in-time recovery from the first chunked base backup, as postgres" \
	as_postgres env PGDATA="$TMP/pitr" FROM_BACKUP="$first" RECOVERY_TARGET=latest "$RECOVER"
check "PGDATA belongs to postgres" test "$(stat -c %U "$TMP/pitr/PG_VERSION")" = postgres
check "the recovered server starts and is promoted" start_recovered "$TMP/pitr" 25742
check "all 15 rows are back through the archived WAL" \
	test "$(psql -X -qAt -h "$TMP/pitr" -p 25742 -d postgres -c 'SELECT count(*) FROM ticks')" = 15
whole="SELECT count(*), sum(id), sum(length(v)), max(v) FROM cold"
check "and the cold table whole" test "$(psql -X -qAt -h "$TMP/pitr" -p 25742 -d postgres -c "$whole")" = "$(sql postgres "$whole")"
kill -INT "$(head -1 "$TMP/pitr/postmaster.pid")" 2>/dev/null

# A damaged chunk of a base backup: the restore stops at it and PGDATA keeps nothing half-restored.
victim=$(grep -o '^[0-9a-f]\{64\}' "$BACKUP_DIR/chunks/blobs/$(sed -n 's/^sha256 = //p' "$BACKUP_DIR/hourly/$second/manifest")" | sed -n 3p)
cp "$BACKUP_DIR/chunks/data/$victim" "$TMP/saved-chunk"
printf 'x' | dd of="$BACKUP_DIR/chunks/data/$victim" bs=1 seek=100 conv=notrunc 2>/dev/null
mkdir "$TMP/pitr2"
chown postgres:postgres "$TMP/pitr2"
expect_exit "a damaged chunk stops the restore of the base backup before PGDATA is touched" 65 "chunk chunks/data/$victim .*is damaged" \
	as_postgres env PGDATA="$TMP/pitr2" FROM_BACKUP="$second" RECOVERY_TARGET=latest "$RECOVER"
check "PGDATA is empty again" test -z "$(ls -A "$TMP/pitr2")"
cp "$TMP/saved-chunk" "$BACKUP_DIR/chunks/data/$victim"

# The garbage collection keeps what the base backups reference.
export BACKUP_COUNT=1
sleep 1
check "a third base backup, pruning to one" "$BACKUP"
check "the collection kept every chunk the kept base backup needs" "$RECOVER" --check-store
