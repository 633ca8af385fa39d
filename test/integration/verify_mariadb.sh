# backup --verify of MariaDB backups: restored into a throwaway mariadbd
# (mariadb-install-db in a private directory under VERIFY_DIR, no TCP, run
# as VERIFY_USER), every database back with a table, every table with the
# rows counted while it was dumped; the server is stopped by PID and its
# files removed whatever happened. A backup of PostgreSQL and MariaDB
# targets gets one throwaway server of each engine.
source "$(dirname "$0")/../lib.sh"

export BACKUP_DIR=$TMP/backups VERIFY_DIR=$TMP/verify BACKUP_ENGINE=mariadb
mkdir -p "$VERIFY_DIR"
my_start src 25681 || exit 1
# Names and values the row counter must not be fooled by: parentheses,
# quotes, backslashes and newlines in strings and names, binary bytes.
my_root src <<'SQL'
CREATE DATABASE shop CHARACTER SET utf8mb4;
USE shop;
CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(100), note TEXT) CHARACTER SET utf8mb4;
INSERT INTO items SELECT seq, CONCAT('item (', seq, ');'), MD5(seq) FROM seq_1_to_5000;
CREATE TABLE `we(ir'd``name` (a INT, b TEXT, c BLOB);
INSERT INTO `we(ir'd``name` VALUES (1, 'a(b\'c\\', x'28292722600a3b'), (2, NULL, NULL),
	(3, 'x\ny),(z', ''), (4, '"(";', x'00');
CREATE TABLE empty_one (x INT);
CREATE VIEW cheap AS SELECT id FROM items WHERE id < 10;
CREATE PROCEDURE touch() INSERT INTO empty_one VALUES (1);
CREATE DATABASE logs;
CREATE TABLE logs.lines (n INT, t VARCHAR(20));
INSERT INTO logs.lines VALUES (1, 'a'), (2, 'b');
SQL
export MYSQL_HOST=127.0.0.1 MYSQL_TCP_PORT=25681 MYSQL_USER=bk MYSQL_PWD=bk-pw

no_scratch_left() {
	test -z "$(ls -A "$VERIFY_DIR")" && ! pgrep -f "$TMP/verify[^ ]*/tierdump-verif[y]-" >/dev/null
}

check "a MariaDB backup to verify" "$BACKUP"
good=$(newest hourly)
d=$BACKUP_DIR/hourly/$good
rows_of() { awk -F'\t' -v db="$1" -v t="$2" '$2 == db && $3 == t { print $4 }' "$d/rowcounts"; }
check "row counts recorded for shop.items" test "$(rows_of shop items)" = 5000
check "for a table whose name and values hold ( ) ' \` \\ and newlines" test "$(rows_of shop "we(ir'd\`name")" = 4
check "for an empty table" test "$(rows_of shop empty_one)" = 0
check "for logs.lines" test "$(rows_of logs lines)" = 2
check "none for the mysql system schema" sh -c "! awk -F'\t' '\$2 == \"mysql\"' '$d/rowcounts' | grep -q ."
check "the manifest records their checksum" \
	grep -qx "rowcounts_sha256 = $(sha256sum "$d/rowcounts" | cut -d' ' -f1)" "$d/manifest"

# Watch the throwaway server while the test-restore runs: who runs it, what it listens on.
"$BACKUP" --verify latest >"$TMP/verify.log" 2>&1 &
pid=$!
: >"$TMP/seen"
while kill -0 "$pid" 2>/dev/null; do
	for p in $(pgrep -f "mariadbd.*$TMP/verify[^ ]*/tierdump-verif[y]-"); do
		echo "user $(ps -o user= -p "$p")" >>"$TMP/seen"
		ss -Hltnp 2>/dev/null | grep -q "pid=$p," && echo "tcp $p" >>"$TMP/seen"
	done
	sleep 0.1
done
wait "$pid"
rc=$?
check "backup --verify latest passes" test "$rc" = 0
check "it checked 2 databases, 4 tables, each with its row count" \
	grep -qE "restores: 2 database\(s\), 4 table\(s\) checked, 4 with their row count" "$TMP/verify.log"
check "only a MariaDB server was started" sh -c "grep -q 'starting a throwaway MariaDB' '$TMP/verify.log' && ! grep -q 'throwaway PostgreSQL' '$TMP/verify.log'"
check "the throwaway mariadbd ran as mysql (no VERIFY_USER), not root" sh -c "grep -qx 'user mysql' '$TMP/seen' && ! grep -q 'user root' '$TMP/seen'"
check "it listened on no TCP port" sh -c "! grep -q '^tcp' '$TMP/seen'"
check "it was stopped and its files removed" no_scratch_left
check "a verified record says ok" grep -qx 'result = ok' "$d/verified"
check "recover lists the backup as verified" sh -c "'$RECOVER' | grep -E '^hourly +$good .* complete +ok '"
# Not root: the throwaway mariadbd runs as backup's own user, mysql here.
give_store mysql
mkdir -p "$TMP/verify-my"
chown mysql:mysql "$TMP/verify-my"
check "as mysql: backup --verify latest passes" \
	runuser -u mysql -- env VERIFY_DIR="$TMP/verify-my" VERIFY_USER=mysql "$BACKUP" --verify latest
check "as mysql: it checked 2 databases, 4 tables, each with its row count" \
	grep -qE "restores: 2 database\(s\), 4 table\(s\) checked, 4 with their row count" "$TMP/check.out"
check "as mysql: its files are gone" test -z "$(ls -A "$TMP/verify-my")"

# Failures: each exits non-zero, says why, records it, and cleans up.
my_root src -e "CREATE DATABASE hollow"
check "a backup with an empty database" "$BACKUP"
hollow=$(newest hourly)
expect_exit "an empty database fails the test-restore" 81 "database hollow has no table after the restore" \
	"$BACKUP" --verify "$hollow"
check "the failure is recorded" grep -q 'reason = database hollow has no table' "$BACKUP_DIR/hourly/$hollow/verified"
check "no server left, VERIFY_DIR empty" no_scratch_left
my_root src -e "DROP DATABASE hollow"

expect_exit "DATABASE_EXPECTED_COUNT counts the restored MariaDB databases" 81 \
	"the test-restore has 2 database\(s\), DATABASE_EXPECTED_COUNT wants at least 3" \
	env DATABASE_EXPECTED_COUNT=3 VERIFY_USER=postgres "$BACKUP" --verify "$good"
check "VERIFY_USER names the user the server runs as" grep -q "the throwaway MariaDB runs as postgres" "$TMP/last.err"
check "no server left, VERIFY_DIR empty" no_scratch_left

# A dump that silently lost a row, its manifest matching it as a faulty
# dump tool would leave it: the checksums pass, the row count does not.
check "a backup to lose a row from" "$BACKUP"
lossy=$(newest hourly)
ld=$BACKUP_DIR/hourly/$lossy
gunzip -c "$ld/mariadb.sql.gz" | grep -v "^(4321,'item (4321);'," | gzip -c >"$TMP/lossy.gz"
mv "$TMP/lossy.gz" "$ld/mariadb.sql.gz"
reseal "$ld" mariadb.sql.gz
check "the damaged dump passes its checksums" verify_backup "$ld"
expect_exit "a lost row fails the test-restore, naming the table and both counts" 81 \
	"table items of database shop has 4999 row\(s\) after the restore, 5000 when dumped" \
	"$BACKUP" --verify "$lossy"
check "no server left, VERIFY_DIR empty" no_scratch_left

# A dump the server rejects: the restore fails, the server still goes away.
gunzip -c "$d/mariadb.sql.gz" | sed 's/^CREATE TABLE `empty_one`/CREATE TABLE `empty_one` BROKEN/' | gzip -c >"$TMP/broken.gz"
mv "$TMP/broken.gz" "$d/mariadb.sql.gz"
reseal "$d" mariadb.sql.gz
expect_exit "a dump the server rejects fails the restore" 80 "syntax" "$BACKUP" --verify "$good"
check "no server left, VERIFY_DIR empty" no_scratch_left

expect_exit "a VERIFY_USER that does not exist" 78 "VERIFY_USER no-such-user does not exist: MariaDB will not run as root" \
	env VERIFY_USER=no-such-user "$BACKUP" --verify "$lossy"
check "no server left, VERIFY_DIR empty" no_scratch_left

# MongoDB: Debian has no mongod; the refusal names what is missing.
mongo=$BACKUP_DIR/hourly/2001-01-01T00:00:00Z
mkdir -p "$mongo"
printf 'not really an archive\n' | gzip -c >"$mongo/mongodb.archive.gz"
cat >"$mongo/manifest" <<MANIFEST
[backup]
format = 1
tool_version = tierdump 0.1.0
engine = mongodb
tier = hourly
compression = gzip
compression_level = 6
started = 2001-01-01T00:00:00Z
finished = 2001-01-01T00:00:01Z
status = complete
database = app

[file:mongodb.archive.gz]
engine = mongodb
size = $(stat -c %s "$mongo/mongodb.archive.gz")
raw_size = 22
sha256 = $(sha256sum "$mongo/mongodb.archive.gz" | cut -d' ' -f1)
MANIFEST
expect_exit "a MongoDB backup is refused, naming the missing mongod" 78 \
	"a test-restore needs a mongod server to restore into and none is installed" \
	"$BACKUP" --verify 2001-01-01T00:00:00Z
check "no server left, VERIFY_DIR empty" no_scratch_left

# PostgreSQL and MariaDB targets in one backup: one throwaway server of each.
pg_start pg 25682 pw || exit 1
use_pg 25682 pw
sql postgres "CREATE DATABASE app" >/dev/null
sql app "CREATE TABLE t (v text); INSERT INTO t SELECT 'row ' || g FROM generate_series(1, 42) g" >/dev/null
unset PGHOST PGPORT PGUSER PGPASSWORD
printf 'pw\n' >"$TMP/pg-pw"
printf 'bk-pw\n' >"$TMP/my-pw"
cat >"$TMP/tierdump.conf" <<CONF
backup_dir = "$TMP/mixed";
targets = (
  { name = "app"; engine = "postgres"; host = "127.0.0.1"; port = 25682; user = "dbadmin";
    password_file = "$TMP/pg-pw"; databases = [ "app" ]; },
  { name = "shop"; engine = "mariadb"; host = "127.0.0.1"; port = "25681"; user = "bk";
    password_file = "$TMP/my-pw"; databases = [ "shop" ]; }
);
CONF
check "a backup of a PostgreSQL and a MariaDB target" env -u BACKUP_ENGINE TIERDUMP_CONFIG="$TMP/tierdump.conf" BACKUP_DIR="$TMP/mixed" "$BACKUP"
check "its test-restore passes" sh -c "env -u BACKUP_ENGINE TIERDUMP_CONFIG='$TMP/tierdump.conf' BACKUP_DIR='$TMP/mixed' '$BACKUP' --verify latest >'$TMP/mixed.log' 2>&1"
check "each run as its engine's user" sh -c "grep -q 'the throwaway PostgreSQL runs as postgres' '$TMP/mixed.log' && grep -q 'the throwaway MariaDB runs as mysql' '$TMP/mixed.log'"
check "with one throwaway server of each engine" sh -c "grep -c 'starting a throwaway \(PostgreSQL\|MariaDB\)' '$TMP/mixed.log' | grep -qx 2 && grep -q 'stopped the throwaway PostgreSQL' '$TMP/mixed.log' && grep -q 'stopped the throwaway MariaDB' '$TMP/mixed.log'"
check "both files' tables compared with their row counts" \
	grep -qE "restores: 2 database\(s\), 4 table\(s\) checked, 4 with their row count" "$TMP/mixed.log"
check "no server left, VERIFY_DIR empty" no_scratch_left
