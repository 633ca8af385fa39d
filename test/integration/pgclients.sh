# Which PostgreSQL client made a backup, and restores across versions: the
# log and the manifest name the client; a backup of a newer major than the
# target is refused unless --force; SETs of parameters the target does not
# know (as a newer pg_dump writes them) are left out, logged once.
source "$(dirname "$0")/../lib.sh"

export BACKUP_DIR=$TMP/backups
pg_start src 25491 pw || exit 1
pg_start dst 25492 pw || exit 1
use_pg 25491 pw
sql postgres "CREATE DATABASE app" >/dev/null
sql app "CREATE TABLE t (id int, note text); INSERT INTO t SELECT g, 'SET transaction_timeout = 0;' FROM generate_series(1, 100) g" >/dev/null
version=$("$PGBIN/pg_dumpall" --version | sed 's/.*) \([0-9.]*\).*/\1/')

"$BACKUP" >"$TMP/backup.out" 2>"$TMP/backup.err"
check "a backup of PostgreSQL 15 succeeds" test $? = 0
check "the log names the client, its version and folder" \
	grep -q "using the client pg_dumpall $version ($PGBIN)" "$TMP/backup.err"
b=$BACKUP_DIR/hourly/$(newest hourly)
check "the manifest names the client" grep -qx "client = pg_dumpall $version ($PGBIN)" "$b/manifest"
check "recover --json lists the client" sh -c "'$RECOVER' --json | grep -q '\"client\": \"pg_dumpall $version ($PGBIN)\"'"
check "recover --json lists the server version" sh -c "'$RECOVER' --json | grep -q '\"server_version\": \"15\\.'"

# A newer pg_dump's settings, as 17 writes them: transaction_timeout after each statement_timeout,
# and the version it names at the start of each database.
gunzip -c "$b/dumpall.sql.gz" | sed -e 's/^SET statement_timeout = 0;$/&\nSET transaction_timeout = 0;\nSELECT pg_catalog.set_config('"'"'future_parameter'"'"', '"'"'x'"'"', false);/' \
	-e 's/^-- Dumped by pg_dump version .*/-- Dumped by pg_dump version 17.12/' |
	gzip >"$TMP/newer.gz"
sets=$(gunzip -c "$TMP/newer.gz" | grep -c '^SET transaction_timeout = 0;$')
check "the edited dump sets transaction_timeout $sets times outside COPY data" test "$sets" -ge 3
cp "$TMP/newer.gz" "$b/dumpall.sql.gz"
reseal "$b" dumpall.sql.gz
use_pg 25492 pw
FROM_BACKUP=latest "$RECOVER" >"$TMP/restore.out" 2>"$TMP/restore.err"
check "a dump with settings PostgreSQL 15 does not know restores into 15" test $? = 0
check "the skipped settings are logged once, by name" \
	grep -q "left out $((sets * 2)) statement(s) setting parameters the target server does not know.*: transaction_timeout, future_parameter" "$TMP/restore.err"
check "only one line names them" test "$(grep -c 'left out' "$TMP/restore.err")" = 1
check "the rows came back, SET-like COPY data included" \
	test "$(sql app "SELECT count(*) FROM t WHERE note = 'SET transaction_timeout = 0;'")" = 100
check "the log names the psql that restored" grep -q "restoring into PostgreSQL 15.* with $PGBIN/psql" "$TMP/restore.err"

# A backup of a newer major: its manifest says 17.
sed -i 's/^server_version = .*/server_version = 17.12 (Debian 17.12-1)/' "$b/manifest"
sql postgres "DROP DATABASE app" >/dev/null
expect_exit "a restore into an older major is refused naming both versions" 80 \
	"the backup is of PostgreSQL 17 and the target server is PostgreSQL 15, an older major.*--force" \
	env FROM_BACKUP=latest "$RECOVER"
check "nothing was restored by the refused run" test -z "$(sql postgres "SELECT 1 FROM pg_database WHERE datname = 'app'")"
FROM_BACKUP=latest "$RECOVER" --force >"$TMP/force.out" 2>"$TMP/force.err"
check "--force restores it anyway, with a warning" sh -c "test $? = 0 && grep -q 'into an older PostgreSQL 15 (--force)' '$TMP/force.err'"
check "the forced restore brought the rows" test "$(sql app "SELECT count(*) FROM t")" = 100

# --verify: a throwaway server of the backup's major, or the nearest newer one, named.
sed -i 's/^server_version = .*/server_version = 14.9/' "$b/manifest"
use_pg 25491 pw
"$BACKUP" --verify latest >"$TMP/verify.out" 2>"$TMP/verify.err"
check "--verify of a PostgreSQL 14 backup uses the nearest newer server, 15, and says so" \
	sh -c "test $? = 0 && grep -q 'throwaway PostgreSQL 15 in .* for a backup of PostgreSQL 14 (its own major is not installed)' '$TMP/verify.err'"
sed -i 's/^server_version = .*/server_version = 18.1/' "$b/manifest"
expect_exit "--verify of a backup newer than every server names the package" 78 "install postgresql-18" \
	"$BACKUP" --verify latest
