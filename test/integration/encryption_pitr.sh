# Encryption of the WAL archive and of physical base backups: archive_command
# `backup wal-push` stores age files, `age -d` reads them, a point-in-time
# recovery decrypts the base backup and every segment (restore_command carries
# RECOVER_IDENTITY_FILE), and wal-fetch without the identity is refused.
source "$(dirname "$0")/../lib.sh"

archive_setup
mkdir -p "$TMP/keys"
age-keygen -o "$TMP/keys/key.txt" 2>/dev/null
PUB=$(age-keygen -y "$TMP/keys/key.txt")
chown -R postgres:postgres "$TMP/keys"
chmod 700 "$TMP/keys"

PG_CONF="wal_level = replica
archive_mode = on
archive_command = 'TIERDUMP_CONFIG=/dev/null BACKUP_DIR=$BACKUP_DIR BACKUP_ENCRYPTION=age BACKUP_RECIPIENTS=$PUB $BACKUP wal-push %p'" \
	pg_start src 25711 Enc-Pitr-Pw || exit 1
use_pg 25711 Enc-Pitr-Pw
export BACKUP_ENCRYPTION=age BACKUP_RECIPIENTS=$PUB

sql postgres "CREATE TABLE ticks (n int PRIMARY KEY)" >/dev/null
sql postgres "INSERT INTO ticks SELECT generate_series(1, 5)" >/dev/null
check "a physical base backup, encrypted" "$BACKUP"
base=$BACKUP_DIR/hourly/$(newest hourly)
check "it is stored as base.tar.gz.age" test -f "$base/base.tar.gz.age"
check "age decrypts it into pg_basebackup's tar" sh -c "age -d -i '$TMP/keys/key.txt' '$base/base.tar.gz.age' | gunzip | tar -t | grep -qx backup_label"
sql postgres "INSERT INTO ticks SELECT generate_series(6, 10)" >/dev/null
seg=$(switch_and_wait)
check "a segment is archived" test -n "$seg"
check "it is stored encrypted, recorded in its .meta" sh -c "test -f '$WAL/$seg.gz.age' && grep -qx 'encryption = age' '$WAL/$seg.meta'"
check "age -d | gunzip gives the 16 MiB segment" sh -c "test \$(age -d -i '$TMP/keys/key.txt' '$WAL/$seg.gz.age' | gunzip | wc -c) = 16777216"
expect_exit "wal-fetch without the identity is refused" 77 "RECOVER_IDENTITY_FILE" \
	env -u BACKUP_RECIPIENTS -u BACKUP_ENCRYPTION "$RECOVER" wal-fetch "$seg" "$TMP/fetched"
check "and wrote nothing" test ! -e "$TMP/fetched"
check "wal-fetch with the identity restores the segment" \
	env -u BACKUP_RECIPIENTS -u BACKUP_ENCRYPTION RECOVER_IDENTITY_FILE="$TMP/keys/key.txt" "$RECOVER" wal-fetch "$seg" "$TMP/fetched"
check "byte for byte" sh -c "age -d -i '$TMP/keys/key.txt' '$WAL/$seg.gz.age' | gunzip | cmp - '$TMP/fetched'"

mkdir "$TMP/pitr"
chown postgres:postgres "$TMP/pitr"
expect_exit "point-in-time recovery without the identity touches nothing" 77 "encrypted to $PUB" \
	env -u BACKUP_RECIPIENTS -u BACKUP_ENCRYPTION PGDATA="$TMP/pitr" RECOVERY_TARGET=latest "$RECOVER"
check "PGDATA is still empty" test -z "$(ls -A "$TMP/pitr")"
check "recovery to the latest WAL with the identity" \
	env -u BACKUP_RECIPIENTS -u BACKUP_ENCRYPTION RECOVER_IDENTITY_FILE="$TMP/keys/key.txt" PGDATA="$TMP/pitr" RECOVERY_TARGET=latest "$RECOVER"
check "restore_command carries the identity file, not the key" sh -c \
	"grep -q 'RECOVER_IDENTITY_FILE=' '$TMP/pitr/postgresql.auto.conf' && ! grep -q AGE-SECRET-KEY '$TMP/pitr/postgresql.auto.conf'"
check "the recovered server starts and is promoted" start_recovered "$TMP/pitr" 25712
check "the 10 rows are back through encrypted WAL" \
	test "$(psql -X -qAt -h "$TMP/pitr" -p 25712 -d postgres -c 'SELECT count(*) FROM ticks')" = 10
check "it fetched encrypted segments" grep -q "restored [0-9A-F]* from the archive" "$TMP/pitr-log/log"
kill -INT "$(head -1 "$TMP/pitr/postmaster.pid")" 2>/dev/null
