# One database out of a backup of several, under its own name or another
# (next to the live one, to compare), for PostgreSQL, MariaDB and MongoDB;
# databases left out of a backup by name or pattern; extra options for the
# dump tool, and those refused because they change the output or where it
# goes.
source "$(dirname "$0")/../lib.sh"

export BACKUP_DIR=$TMP/backups

# ------------------------------------------------------------------ PostgreSQL
pg_start src 25601 pw || exit 1
pg_start dst 25602 pw || exit 1
use_pg 25601 pw
sql postgres "CREATE ROLE appowner LOGIN PASSWORD 'owner-pw'" >/dev/null
sql postgres "CREATE DATABASE app OWNER appowner" >/dev/null
sql postgres "CREATE DATABASE shop" >/dev/null
sql postgres "CREATE DATABASE \"Odd Name\"" >/dev/null
sql postgres "COMMENT ON DATABASE app IS 'the app'" >/dev/null
sql app "SET ROLE appowner; CREATE TABLE items (id int PRIMARY KEY, v text);
	INSERT INTO items SELECT g, md5(g::text) FROM generate_series(1, 500) g;
	COMMENT ON TABLE items IS 'commented'" >/dev/null
sql shop "CREATE TABLE orders (id int); INSERT INTO orders VALUES (1), (2)" >/dev/null
sql "Odd Name" "CREATE TABLE t (v text); INSERT INTO t VALUES ('odd')" >/dev/null
items() { sql "$1" "SELECT count(*) || ':' || md5(string_agg(v, ',' ORDER BY id)) FROM items"; }
want_items=$(items app)

check "backup of a PostgreSQL cluster of several databases" "$BACKUP"
stamp=$(newest hourly)

use_pg 25602 pw
check "recover --database app restores that database alone" "$RECOVER" --from-backup latest --database app
check "its data is the source's" test "$(items app)" = "$want_items"
check "the others are not restored" test "$(sql postgres "SELECT count(*) FROM pg_database WHERE datname IN ('shop', 'Odd Name')")" = 0
check "its owner role was created (missing on the target)" test "$(sql app "SELECT tableowner FROM pg_tables WHERE tablename = 'items'")" = appowner
expect_exit "an existing database is refused without --force" 80 "already has database\(s\) app" \
	"$RECOVER" --from-backup latest --database app
check "--force replaces it" "$RECOVER" --from-backup latest --database app --force
check "after --force the data is the source's" test "$(items app)" = "$want_items"

use_pg 25601 pw
sql postgres "ALTER ROLE appowner PASSWORD 'changed-pw'" >/dev/null
check "recover --database app --as app_copy next to the live one" \
	"$RECOVER" --from-backup latest --database app --as app_copy
check "the copy's data equals the live database's" test "$(items app_copy)" = "$want_items"
check "the copy keeps the owner" test "$(sql postgres "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'app_copy'")" = appowner
check "the copy keeps the database comment" test "$(sql postgres "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = 'app_copy'")" = "the app"
check "an existing role keeps its password" env PGUSER=appowner PGPASSWORD=changed-pw psql -X -qAt -d app -c "SELECT 1"
check "the live database is untouched" test "$(items app)" = "$want_items"
expect_exit "an existing new name is refused without --force" 80 "already has database\(s\) app_copy" \
	"$RECOVER" --from-backup latest --database app --as app_copy
check "the refused restore left the copy as it was" test "$(items app_copy)" = "$want_items"
check "--force replaces the copy" "$RECOVER" --from-backup latest --database app --as app_copy --force
check "a name that needs quoting restores under a plain one" \
	"$RECOVER" --from-backup latest --database "Odd Name" --as odd_copy
check "its data came along" test "$(sql odd_copy "SELECT v FROM t")" = odd
check "a plain name restores under one that needs quoting" \
	"$RECOVER" --from-backup latest --database shop --as "Shop Copy"
check "its data came along" test "$(sql "Shop Copy" "SELECT count(*) FROM orders")" = 2
expect_exit "a name the backup does not hold is refused" 66 "holds no database nope; it holds: .*app.*shop" \
	"$RECOVER" --from-backup latest --database nope
check "the error lists every database held" grep -q "Odd Name" "$TMP/last.err"
expect_exit "--as alone is refused" 64 "give --database too" "$RECOVER" --from-backup latest --as x
expect_exit "a name with a newline is refused" 64 "no control characters" \
	"$RECOVER" --from-backup latest --database app --as "$(printf 'x\n\\! touch %s/pwned' "$TMP")"
check "nothing ran" test ! -e "$TMP/pwned"
expect_exit "backup takes no --as" 64 "unknown or incomplete option '--as'" "$BACKUP" --as x
check "RECOVER_DATABASE in the environment selects too" \
	env RECOVER_DATABASE=shop RECOVER_AS=shop_env FROM_BACKUP=latest "$RECOVER"
check "into its new name" test "$(sql shop_env "SELECT count(*) FROM orders")" = 2
check "DATABASE does not make a restore partial" env DATABASE=shop RECOVER_FORCE=1 FROM_BACKUP=latest \
	"$RECOVER" --database app --as app_copy

# A backup of one database (pg_dump --create): backup --database still means DATABASE.
check "backup --database dumps one database" "$BACKUP" --database shop
one=$(newest hourly)
check "its manifest names that database alone" sh -c "grep '^database = ' '$BACKUP_DIR/hourly/$one/manifest' | sort -u | grep -cx 'database = shop' | grep -qx 1 && test \$(grep '^database = ' '$BACKUP_DIR/hourly/$one/manifest' | sort -u | wc -l) = 1"
check "a database of a pg_dump backup restores under another name" \
	"$RECOVER" --from-backup "$one" --database shop --as shop_one
check "its data came along" test "$(sql shop_one "SELECT count(*) FROM orders")" = 2
expect_exit "a name that backup does not hold" 66 "it holds: shop" "$RECOVER" --from-backup "$one" --database app

# BACKUP_EXCLUDE_DATABASES: names and shell patterns.
check "a backup leaving out shop* and odd names" env BACKUP_EXCLUDE_DATABASES="sho? Odd* *_copy,shop_*,Shop?Copy" \
	sh -c "'$BACKUP' 2>&1 | tee '$TMP/excl.log'"
excl=$BACKUP_DIR/hourly/$(newest hourly)
check "the log names what was left out" grep -q "leaving out database(s) Odd Name, .*shop.* (BACKUP_EXCLUDE_DATABASES)" "$TMP/excl.log"
check "the manifest lacks the excluded databases" sh -c "! grep -qE '^database = (shop|app_copy|shop_env|shop_one|Shop Copy|Odd Name)$' '$excl/manifest' && grep -qx 'database = app' '$excl/manifest'"
check "the dump lacks them" sh -c "! gunzip -c '$excl/dumpall.sql.gz' | grep -qE '^CREATE DATABASE (shop|app_copy) '"
check "the dump has the rest" sh -c "gunzip -c '$excl/dumpall.sql.gz' | grep -q '^CREATE DATABASE app '"
before=$(count_backups hourly)
expect_exit "excluding every database is refused" 78 "leaves out every database" \
	env BACKUP_EXCLUDE_DATABASES='*' "$BACKUP"

# BACKUP_DUMP_OPTIONS.
check "pg_dumpall takes --no-comments" env BACKUP_DUMP_OPTIONS="--no-comments  --quote-all-identifiers" "$BACKUP"
opts=$BACKUP_DIR/hourly/$(newest hourly)
check "the dump has no comments" sh -c "! gunzip -c '$opts/dumpall.sql.gz' | grep -q 'COMMENT ON TABLE'"
check "and quotes every identifier" sh -c "gunzip -c '$opts/dumpall.sql.gz' | grep -q 'CREATE TABLE \"public\".\"items\"'"
check "pg_dump takes them too" env BACKUP_DUMP_OPTIONS=--no-comments "$BACKUP" --database app
before=$(count_backups hourly)
for bad in --format=c -Fc --form=d --file=/tmp/x -j4 --jobs=2 -Z9 --host=elsewhere --clean plainword; do
	expect_exit "BACKUP_DUMP_OPTIONS=$bad is refused" 78 "BACKUP_DUMP_OPTIONS" \
		env BACKUP_DUMP_OPTIONS="--no-comments $bad" "$BACKUP"
done
check "the refused runs wrote nothing" test "$(count_backups hourly)" = "$before"
check "the message says why" grep -q "pg_dump" "$TMP/last.err"
expect_exit "a base backup takes no exclusions" 78 "whole cluster" \
	env BACKUP_METHOD=physical BACKUP_EXCLUDE_DATABASES=shop "$BACKUP"

# Listed targets: pg_dump --create of several databases in one file, and a
# database that two targets hold.
printf 'pw\n' >"$TMP/pw"
cat >"$TMP/targets.conf" <<CONF
targets = (
  { name = "a"; engine = "postgres"; host = "127.0.0.1"; port = 25601; user = "dbadmin";
    password_file = "$TMP/pw"; databases = [ "app", "shop" ]; },
  { name = "b"; engine = "postgres"; host = "127.0.0.1"; port = 25601; user = "dbadmin";
    password_file = "$TMP/pw"; databases = [ "app" ]; }
);
CONF
check "a backup of two listed targets" env TIERDUMP_CONFIG="$TMP/targets.conf" "$BACKUP"
check "target a's file holds both databases (pg_dump --create)" test -s "$BACKUP_DIR/hourly/$(newest hourly)/a.sql.gz"
expect_exit "a database two targets hold needs --target" 64 "in 2 targets .*choose one with --target" \
	env TIERDUMP_CONFIG="$TMP/targets.conf" "$RECOVER" --from-backup latest --database app --as app_t
check "with --target it restores" env TIERDUMP_CONFIG="$TMP/targets.conf" \
	"$RECOVER" --from-backup latest --database app --as app_t --target b
check "its data is the source's" test "$(items app_t)" = "$want_items"
check "a database of a several-database pg_dump file restores under another name" \
	env TIERDUMP_CONFIG="$TMP/targets.conf" "$RECOVER" --from-backup latest --database shop --as shop_t
check "its data came along" test "$(sql shop_t "SELECT count(*) FROM orders")" = 2
expect_exit "a name no target holds lists what they hold" 66 "it holds: app, shop" \
	env TIERDUMP_CONFIG="$TMP/targets.conf" "$RECOVER" --from-backup latest --database nope

# -------------------------------------------------------------------- MariaDB
my_start my 25603 || exit 1
export BACKUP_ENGINE=mariadb MYSQL_HOST=127.0.0.1 MYSQL_TCP_PORT=25603 MYSQL_USER=bk MYSQL_PWD=bk-pw
my_root my -e "CREATE DATABASE app; CREATE DATABASE shop; CREATE DATABASE \`odd-name\`; USE app;
	CREATE TABLE app.items (id int PRIMARY KEY, v varchar(64));
	INSERT INTO app.items SELECT seq, md5(seq) FROM seq_1_to_300;
	CREATE VIEW app.few AS SELECT id FROM app.items WHERE id < 10;
	CREATE TABLE shop.orders (id int); INSERT INTO shop.orders VALUES (1), (2);
	CREATE TABLE \`odd-name\`.t (v text); INSERT INTO \`odd-name\`.t VALUES ('odd')"
my_items() { my_root my -N -e "SELECT CONCAT(COUNT(*), ':', MD5(GROUP_CONCAT(v ORDER BY id))) FROM \`$1\`.items"; }
want_my=$(my_items app)
check "backup of a MariaDB server of several databases" "$BACKUP"
check "recover --database app --as app_copy next to the live one" \
	"$RECOVER" --from-backup latest --database app --as app_copy
check "the copy's data equals the live database's" test "$(my_items app_copy)" = "$want_my"
check "the copy's view reads the copy" test "$(my_root my -N -e 'SELECT COUNT(*) FROM app_copy.few')" = 9
check "the live database is untouched" test "$(my_items app)" = "$want_my"
check "no other database was created" test "$(my_root my -N -e "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name LIKE '%copy%'")" = 1
expect_exit "an existing name is refused without --force" 80 "already has database\(s\) app_copy" \
	"$RECOVER" --from-backup latest --database app --as app_copy
check "--force replaces it" "$RECOVER" --from-backup latest --database app --as app_copy --force
check "a name with a dash restores under another" \
	"$RECOVER" --from-backup latest --database odd-name --as "odd copy"
check "its data came along" test "$(my_root my -N -e 'SELECT v FROM `odd copy`.t')" = odd
expect_exit "a name the backup does not hold is refused" 66 "holds no database nope; it holds: .*app.*shop" \
	"$RECOVER" --from-backup latest --database nope
check "BACKUP_EXCLUDE_DATABASES leaves MariaDB databases out" env BACKUP_EXCLUDE_DATABASES="shop *copy*" "$BACKUP"
mexcl=$BACKUP_DIR/hourly/$(newest hourly)
check "the manifest lacks them" sh -c "! grep -qE '^database = (shop|app_copy|odd copy)$' '$mexcl/manifest' && grep -qx 'database = app' '$mexcl/manifest'"
check "the dump lacks them" sh -c "! gunzip -c '$mexcl/mariadb.sql.gz' | grep -qE '^-- Current Database: .(shop|app_copy)'"
check "mariadb-dump takes --skip-comments" env BACKUP_DUMP_OPTIONS=--skip-comments "$BACKUP"
check "the dump has no comments" sh -c "! gunzip -c '$BACKUP_DIR/hourly/$(newest hourly)/mariadb.sql.gz' | grep -q '^-- Dump completed'"
before=$(count_backups hourly)
for bad in --xml --result-file=/tmp/x -T/tmp --tab=/tmp --password=x --add-drop-database; do
	expect_exit "BACKUP_DUMP_OPTIONS=$bad is refused for MariaDB" 78 "mariadb-dump" \
		env BACKUP_DUMP_OPTIONS="$bad" "$BACKUP"
done
check "the refused runs wrote nothing" test "$(count_backups hourly)" = "$before"

# -------------------------------------------------------------------- MongoDB
mongo_start mongo 25604 || exit 1
export BACKUP_ENGINE=mongodb MONGODB_URI="mongodb://127.0.0.1:25604/?directConnection=true"
node "$ROOT/test/mongo/seed.mjs" "$MONGODB_URI" || exit 1
snap_of() { node "$ROOT/test/mongo/snapshot.mjs" "$MONGODB_URI" | awk -v db="$1" '/^== /{keep = index($2, db ".") == 1; sub("^" db "\\.", "", $2)} keep'; }
check "backup of a MongoDB server of several databases" "$BACKUP"
check "recover --database shop --as shop_copy next to the live one" \
	"$RECOVER" --from-backup latest --database shop --as shop_copy
snap_of shop >"$TMP/shop.snap"
snap_of shop_copy >"$TMP/shop_copy.snap"
check "the copy's documents and indexes equal the live database's" \
	sh -c "test -s '$TMP/shop.snap' && diff '$TMP/shop.snap' '$TMP/shop_copy.snap'"
check "logs was not copied" sh -c "! node '$ROOT/test/mongo/snapshot.mjs' '$MONGODB_URI' | grep -q '^== logs_'"
expect_exit "an existing name is refused without --force" 80 "already has database\(s\) shop_copy" \
	"$RECOVER" --from-backup latest --database shop --as shop_copy
check "--force replaces it" "$RECOVER" --from-backup latest --database shop --as shop_copy --force
snap_of shop_copy >"$TMP/shop_copy2.snap"
check "after --force it still equals the live one" diff "$TMP/shop.snap" "$TMP/shop_copy2.snap"
expect_exit "a name the archive does not hold is refused" 66 "holds no database nope; it holds: (shop, logs|logs, shop)" \
	"$RECOVER" --from-backup latest --database nope
check "BACKUP_EXCLUDE_DATABASES leaves MongoDB databases out" env BACKUP_EXCLUDE_DATABASES="logs *_copy" "$BACKUP"
check "the manifest lacks them" sh -c "! grep -qE '^database = (logs|shop_copy)$' '$BACKUP_DIR/hourly/$(newest hourly)/manifest'"
before=$(count_backups hourly)
expect_exit "BACKUP_DUMP_OPTIONS is refused for MongoDB" 78 "runs no dump tool" \
	env BACKUP_DUMP_OPTIONS=--gzip "$BACKUP"
check "the refused run wrote nothing" test "$(count_backups hourly)" = "$before"

check "every backup intact" all_backups_intact
check "no leftovers" no_leftovers
