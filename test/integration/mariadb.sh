# MariaDB: a round trip with tables, a view, a trigger, a procedure, an event
# and utf8mb4 text; the restored data and SHOW CREATE output compare equal;
# the mysql system schema stays as it was; failures are clear.
source "$(dirname "$0")/../lib.sh"

export BACKUP_DIR=$TMP/backups BACKUP_ENGINE=mariadb
my_start src 25471 || exit 1
my_start dst 25472 || exit 1
my_root src <<'SQL'
CREATE DATABASE shop CHARACTER SET utf8mb4;
USE shop;
CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(100), price DECIMAL(10,2), note TEXT) CHARACTER SET utf8mb4;
INSERT INTO items SELECT seq, CONCAT('item ', seq), seq * 1.25, MD5(seq) FROM seq_1_to_5000;
INSERT INTO items VALUES (0, 'Ünïcödé — 日本語 ✓ 🐘', 0, 'emoji and CJK');
CREATE TABLE audit (id INT AUTO_INCREMENT PRIMARY KEY, item INT, at DATETIME);
CREATE TRIGGER items_audit AFTER UPDATE ON items FOR EACH ROW INSERT INTO audit (item, at) VALUES (NEW.id, '2026-01-01');
CREATE VIEW cheap AS SELECT id, name FROM items WHERE price < 10;
CREATE PROCEDURE bump(IN p INT) UPDATE items SET price = price + 1 WHERE id = p;
CREATE EVENT nightly ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' DO DELETE FROM audit WHERE at < '2000-01-01';
CALL bump(1);
CREATE DATABASE logs;
CREATE TABLE logs.lines (n INT, t VARCHAR(20));
INSERT INTO logs.lines VALUES (1, 'a'), (2, 'b');
CREATE USER 'app'@'%' IDENTIFIED BY 'app-pw';
SQL

export MYSQL_HOST=127.0.0.1 MYSQL_TCP_PORT=25471 MYSQL_USER=bk MYSQL_PWD=bk-pw
check "hourly backup of MariaDB" "$BACKUP"
dir=$BACKUP_DIR/hourly/$(newest hourly)
check "the dump is mariadb.sql.gz" test -s "$dir/mariadb.sql.gz"
check "the manifest says mariadb" grep -qx 'engine = mariadb' "$dir/manifest"
check "the manifest names the databases" sh -c "grep -qx 'database = shop' '$dir/manifest' && grep -qx 'database = logs' '$dir/manifest' && ! grep -q 'database = information_schema' '$dir/manifest'"
check "the dump has the routine, the event and the trigger" sh -c "gunzip -c '$dir/mariadb.sql.gz' | grep -q 'PROCEDURE .bump.' && gunzip -c '$dir/mariadb.sql.gz' | grep -q 'EVENT .nightly.' && gunzip -c '$dir/mariadb.sql.gz' | grep -qE 'TRIGGER .?items_audit'"
check "no password in the manifest" sh -c "! grep -q bk-pw '$dir/manifest'"

# The target has a user of its own in its mysql schema: it must survive.
my_root dst -e "CREATE USER 'local_only'@'%' IDENTIFIED BY 'x'"
export MYSQL_TCP_PORT=25472
check "recover latest restores into another server" env FROM_BACKUP=latest "$RECOVER"
check "the target's own user survives (mysql schema left alone)" test "$(my_root dst -N -e "SELECT COUNT(*) FROM mysql.user WHERE user='local_only'")" = 1

compare() {
	local what=$1 sql=$2
	my_root src -N -e "$sql" >"$TMP/src.out" 2>&1
	my_root dst -N -e "$sql" >"$TMP/dst.out" 2>&1
	if [ -s "$TMP/src.out" ] && diff "$TMP/src.out" "$TMP/dst.out" >"$TMP/diff" 2>&1; then
		pass "$what compare equal"
	else
		fail "$what compare equal" "$(head -5 "$TMP/diff")"
	fi
}
compare "rows of shop.items" "SELECT * FROM shop.items ORDER BY id"
compare "rows of shop.audit" "SELECT * FROM shop.audit ORDER BY id"
compare "rows of logs.lines" "SELECT * FROM logs.lines ORDER BY n"
compare "SHOW CREATE TABLE" "SHOW CREATE TABLE shop.items; SHOW CREATE TABLE shop.audit"
compare "SHOW CREATE VIEW" "SHOW CREATE VIEW shop.cheap"
compare "SHOW CREATE TRIGGER" "SELECT ACTION_STATEMENT, EVENT_MANIPULATION, ACTION_TIMING FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA='shop'"
compare "SHOW CREATE PROCEDURE" "SELECT ROUTINE_DEFINITION FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA='shop'"
compare "SHOW CREATE EVENT" "SELECT EVENT_DEFINITION, INTERVAL_VALUE, INTERVAL_FIELD, STARTS FROM information_schema.EVENTS WHERE EVENT_SCHEMA='shop'"
check "utf8mb4 text survives" test "$(my_root dst -N -e "SELECT name FROM shop.items WHERE id = 0")" = 'Ünïcödé — 日本語 ✓ 🐘'

expect_exit "a target that has the databases is refused" 80 "already has database\(s\) (shop, logs|logs, shop)" env FROM_BACKUP=latest "$RECOVER"
my_root dst -e "DELETE FROM shop.items WHERE id > 10"
check "--force replaces them" env FROM_BACKUP=latest "$RECOVER" --force
compare "rows after --force" "SELECT COUNT(*) FROM shop.items"
check "DATABASE_EXPECTED_COUNT counts MariaDB databases" env FROM_BACKUP=latest DATABASE_EXPECTED_COUNT=2 "$RECOVER" --force

export MYSQL_TCP_PORT=25471
check "DATABASE=logs backs up one database" env DATABASE=logs "$BACKUP"
check "the one-database dump holds only logs" sh -c "gunzip -c '$BACKUP_DIR/hourly/$(newest hourly)/mariadb.sql.gz' | grep -q 'Current Database: .logs.' && ! gunzip -c '$BACKUP_DIR/hourly/$(newest hourly)/mariadb.sql.gz' | grep -q 'Current Database: .shop.'"

expect_exit "a wrong MariaDB password is refused" 77 "Access denied" env MYSQL_PWD=wrong-pw "$BACKUP"
check "the wrong password is not echoed" sh -c "! grep -q wrong-pw '$TMP/last.err'"
printf 'bk-pw\n' >"$TMP/my-pw"
check "MYSQL_PWD_FILE works" env -u MYSQL_PWD MYSQL_PWD_FILE="$TMP/my-pw" "$BACKUP"
secret_seen=0 children_seen=0
"$BACKUP" >/dev/null 2>&1 &
pid=$!
while kill -0 "$pid" 2>/dev/null; do
	ps -eo args >"$TMP/ps.txt"
	grep -q '^mariadb' "$TMP/ps.txt" && children_seen=1
	grep -qF 'bk-pw' "$TMP/ps.txt" && secret_seen=1
	sleep 0.02
done
[ "$children_seen" = 1 ] && [ "$secret_seen" = 0 ] && pass "the password never appears in argv" ||
	fail "the password never appears in argv" "clients seen: $children_seen, password seen: $secret_seen"
my_stop src
expect_exit "a MariaDB server that is down" 69 "Can't connect" "$BACKUP"
check "failed runs left nothing behind" no_leftovers
check "every backup intact" all_backups_intact
