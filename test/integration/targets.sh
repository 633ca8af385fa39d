# Several targets in one configuration: two PostgreSQL servers and a MariaDB
# backed up in one run into one backup; one target down gives a non-zero exit
# and a backup listed as partial, never promoted and never "latest";
# recover --target restores one target.
source "$(dirname "$0")/../lib.sh"

export BACKUP_DIR=$TMP/backups
pg_start pg1 25491 pw1 || exit 1
pg_start pg2 25492 pw2 || exit 1
my_start my1 25493 || exit 1
use_pg 25491 pw1
sql postgres "CREATE DATABASE app" >/dev/null
sql app "CREATE TABLE t (v text); INSERT INTO t VALUES ('from pg1')" >/dev/null
use_pg 25492 pw2
sql postgres "CREATE DATABASE billing" >/dev/null
sql postgres "CREATE DATABASE other" >/dev/null
sql billing "CREATE TABLE invoices (n int); INSERT INTO invoices SELECT generate_series(1, 100)" >/dev/null
my_root my1 -e "CREATE DATABASE shop; CREATE TABLE shop.items (id INT); INSERT INTO shop.items VALUES (1), (2), (3);"
unset PGHOST PGPORT PGUSER PGPASSWORD

printf 'pw1\n' >"$TMP/pw1"
# pg2's credentials come the backup-container way: <HOST>_USER and <HOST>_PASSWORD.
cat >"$TMP/tierdump.conf" <<CONF
backup_dir = "$BACKUP_DIR";
targets = (
  { name = "app"; engine = "postgres"; host = "127.0.0.1"; port = 25491; user = "dbadmin";
    password_file = "$TMP/pw1"; databases = [ "app" ]; },
  { name = "billing"; engine = "postgres"; host = "localhost"; port = "25492";
    databases = [ "billing" ]; },
  { name = "shop"; engine = "mariadb"; host = "127.0.0.1"; port = "25493"; user = "bk";
    password_file = "$TMP/my-pw"; }
);
CONF
printf 'bk-pw\n' >"$TMP/my-pw"
export TIERDUMP_CONFIG=$TMP/tierdump.conf LOCALHOST_USER=dbadmin LOCALHOST_PASSWORD=pw2

check "one hourly run backs up three targets" env METRICS_FILE="$TMP/metrics.prom" "$BACKUP"
complete=$(newest hourly)
dir=$BACKUP_DIR/hourly/$complete
check "one file per target" test -s "$dir/app.sql.gz" -a -s "$dir/billing.sql.gz" -a -s "$dir/shop.sql.gz"
check "one manifest names every target" sh -c "grep -cE '^target = (app|billing|shop)$' '$dir/manifest' | grep -qx 3"
check "the manifest says complete" grep -qx 'status = complete' "$dir/manifest"
check "only the listed databases of billing's server" sh -c "gunzip -c '$dir/billing.sql.gz' | grep -q 'CREATE DATABASE billing' && ! gunzip -c '$dir/billing.sql.gz' | grep -q 'CREATE DATABASE other'"
check "the backup verifies" verify_backup "$dir"
check "per-target metrics: every target succeeded" sh -c "test \$(grep -c '^tierdump_target_last_status{tier=\"hourly\",target=\"[a-z]*\"} 0$' '$TMP/metrics.prom') = 3"
check "per-target metrics: bytes of each target" grep -qE '^tierdump_target_last_backup_bytes\{tier="hourly",target="shop"\} [1-9]' "$TMP/metrics.prom"

# Each target's tools get its settings in the environment they are started
# with; our own is changed only at start-up, before any thread runs (the pipe
# thread and libcurl read it meanwhile). test/envguard.c logs both, and
# decoys in our environment must reach neither libpq nor a tool.
cc -shared -fPIC -o "$TMP/envguard.so" "$ROOT/test/envguard.c" -ldl
check "with decoy PG* and MYSQL_* variables in its environment, the run backs up every target" \
	env PGHOST=192.0.2.1 PGPORT=1 PGUSER=decoy PGPASSWORD=decoy-pw MYSQL_HOST=192.0.2.1 MYSQL_PWD=decoy-pw \
	ENVGUARD_LOG="$TMP/envguard.log" LD_PRELOAD="$TMP/envguard.so" \
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	"$BACKUP" --backup-dir "$TMP/guarded"
check "the guard watched the run" grep -q '^backup [0-9]* exec ' "$TMP/envguard.log"
check "the environment was changed only while one thread ran" sh -c "! grep ' change ' '$TMP/envguard.log' | grep -v ' threads=1\$'"
check "and never once a child had been started" sh -c "! sed -n '/ exec /,\$p' '$TMP/envguard.log' | grep ' change '"
check "app's pg_dump got app's host and port" grep -q '^backup [0-9]* exec [^ ]*/pg_dump PGHOST=127.0.0.1 PGPORT=25491 PGUSER=dbadmin PGPASSFILE=/' "$TMP/envguard.log"
check "billing's pg_dump got billing's" grep -q '^backup [0-9]* exec [^ ]*/pg_dump PGHOST=localhost PGPORT=25492 PGUSER=dbadmin PGPASSFILE=/' "$TMP/envguard.log"
check "each with its own password file" \
	test "$(grep ' exec [^ ]*/pg_dump ' "$TMP/envguard.log" | grep -o 'PGPASSFILE=/[^ ]*' | sort -u | wc -l)" = 2
check "no tool got a password variable or a decoy" \
	sh -c "! grep ' exec ' '$TMP/envguard.log' | grep -e 'PGPASSWORD=[^-]' -e 'PGADMINPASS=[^-]' -e 'MYSQL_PWD=[^-]' -e '192.0.2.1' -e decoy"
check "mariadb-dump ran, without MYSQL_HOST or MYSQL_PWD" grep -q ' exec mariadb-dump .*MYSQL_PWD=- MYSQL_HOST=-$' "$TMP/envguard.log"

# One target down: the run fails, the others' files are kept as a partial backup.
sleep 1
pg_stop pg2
expect_exit "a target down fails the run" 69 "cannot connect to PostgreSQL at localhost:25492" env METRICS_FILE="$TMP/metrics.prom" "$BACKUP"
check "per-target metrics: billing failed, the others did not" sh -c "grep -qx 'tierdump_target_last_status{tier=\"hourly\",target=\"billing\"} 1' '$TMP/metrics.prom' && grep -qx 'tierdump_target_last_status{tier=\"hourly\",target=\"app\"} 0' '$TMP/metrics.prom'"
check "it says the backup is partial" grep -q "partial: target(s) billing failed" "$TMP/last.err"
partial=$(newest hourly)
check "a partial backup was published" test "$partial" != "$complete"
check "its manifest says partial and names the failed target" sh -c "grep -qx 'status = partial' '$BACKUP_DIR/hourly/$partial/manifest' && grep -qx 'failed = billing' '$BACKUP_DIR/hourly/$partial/manifest'"
check "it holds the other targets" test -s "$BACKUP_DIR/hourly/$partial/app.sql.gz" -a -s "$BACKUP_DIR/hourly/$partial/shop.sql.gz"
check "recover lists it as partial" sh -c "'$RECOVER' | grep -E '^hourly +$partial .* PARTIAL '"
check "recover --json says partial" sh -c "'$RECOVER' --json | grep -q '\"status\": \"partial\".*\"failed_targets\": \\[\"billing\"\\]'"
check "the complete backup is listed as complete" sh -c "'$RECOVER' | grep -E '^hourly +$complete .* complete '"
check "daily promotes the complete backup, not the newer partial one" env BACKUP_TYPE=daily "$BACKUP"
check "the daily tier holds the complete one" test "$(newest daily)" = "$complete"
check "a partial backup does not push a complete one out (BACKUP_COUNT=1)" sh -c "env BACKUP_COUNT=1 '$BACKUP' >/dev/null 2>&1; test -d '$BACKUP_DIR/hourly/$complete'"
# That run was partial too: it pruned partial backups down to BACKUP_COUNT=1.
check "and the older partial one made room for it" test ! -e "$BACKUP_DIR/hourly/$partial"
partial=$(newest hourly)

# recover: latest is the newest complete backup; --target restores one target.
pg_start pg3 25494 pw1 || exit 1
cat >"$TMP/restore.conf" <<CONF
targets = (
  { name = "app"; engine = "postgres"; host = "127.0.0.1"; port = 25494; user = "dbadmin";
    password_file = "$TMP/pw1"; }
);
CONF
check "recover --target app restores one target into its server" \
	env TIERDUMP_CONFIG="$TMP/restore.conf" FROM_BACKUP=latest "$RECOVER" --backup-dir "$BACKUP_DIR" --target app
check "latest was the complete backup" grep -q "restoring hourly/$complete" "$TMP/check.out"
use_pg 25494 pw1
check "the app target's data is back" test "$(sql app "SELECT v FROM t")" = "from pg1"
expect_exit "a target the backup does not hold" 66 "holds no target nope" \
	env TIERDUMP_CONFIG="$TMP/restore.conf" FROM_BACKUP=latest "$RECOVER" --backup-dir "$BACKUP_DIR" --target nope
expect_exit "a target the configuration does not list" 78 "target billing, which the configuration does not list" \
	env TIERDUMP_CONFIG="$TMP/restore.conf" FROM_BACKUP=latest "$RECOVER" --backup-dir "$BACKUP_DIR" --target billing
sql postgres "DROP DATABASE app" >/dev/null
check "a partial backup restores what it holds when named" \
	env TIERDUMP_CONFIG="$TMP/restore.conf" FROM_BACKUP="$partial" "$RECOVER" --backup-dir "$BACKUP_DIR" --target app
check "it warned that the backup is partial" grep -q "is partial" "$TMP/check.out"

cat >"$TMP/bad.conf" <<CONF
targets = ( { name = "x"; engin = "postgres"; } );
CONF
expect_exit "a misspelled target key is refused with file and line" 78 "bad.conf:1: target 1: unknown key engin" \
	env TIERDUMP_CONFIG="$TMP/bad.conf" "$BACKUP"
cat >"$TMP/bad.conf" <<CONF
targets = ( { name = "a"; }, { name = "a"; } );
CONF
expect_exit "two targets with one name are refused" 78 "a second target called a" env TIERDUMP_CONFIG="$TMP/bad.conf" "$BACKUP"
check "every backup intact" all_backups_intact
check "nothing half-written" no_leftovers

# A partial backup is no proof of freshness, and an unknown engine is a config error.
mkdir -p "$TMP/fresh/hourly"
cp -a "$BACKUP_DIR/hourly/$partial" "$TMP/fresh/hourly/"
expect_exit "only a partial backup fails LATEST_BACKUP_MAXIMUM_AGE_H" 81 "no complete backup" \
	env LATEST_BACKUP_MAXIMUM_AGE_H=100 "$RECOVER" --backup-dir "$TMP/fresh"
cat >"$TMP/bad.conf" <<CONF
targets = ( { name = "x"; engine = "oracle"; } );
CONF
expect_exit "an unknown target engine is refused at load" 78 "bad.conf:1: target 1: engine oracle is not postgres, mariadb or mongodb" \
	env TIERDUMP_CONFIG="$TMP/bad.conf" "$BACKUP"
