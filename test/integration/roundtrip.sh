# Round trip: a cluster with two databases, roles, grants, jsonb, bytea,
# non-ASCII text and a large object is backed up, restored into a second fresh
# server, and both servers' pg_dumpall output compares equal.
source "$(dirname "$0")/../lib.sh"

export BACKUP_DIR=$TMP/backups
pg_start src 25401 src-pw || exit 1
pg_start dst 25402 dst-pw || exit 1

use_pg 25401 src-pw
psql -X -q -v ON_ERROR_STOP=1 -d postgres -f "$ROOT/test/fixtures.sql" >/dev/null

check "hourly backup succeeds" "$BACKUP" --tier hourly
stamp=$(newest hourly)
dir=$BACKUP_DIR/hourly/$stamp
check "the backup has a dump and a manifest" test -f "$dir/dumpall.sql.gz" -a -f "$dir/manifest"
check "the manifest's size and sha256 match the file" verify_backup "$dir"
check "the dump is plain gzip that gunzip reads" sh -c "gunzip -c '$dir/dumpall.sql.gz' | grep -q 'CREATE DATABASE app'"
check "the manifest names the databases" sh -c "grep -qx 'database = app' '$dir/manifest' && grep -qx 'database = shop' '$dir/manifest'"
check "the manifest records engine and server version" sh -c "grep -qx 'engine = postgres' '$dir/manifest' && grep -q '^server_version = $PGMAJOR' '$dir/manifest'"
check "no password in the manifest" sh -c "! grep -qi -e src-pw -e app-pw '$dir/manifest'"

# Restore into the second server, whose superuser has the same name but
# another password: the backup's password wins, as for every other role.
use_pg 25402 dst-pw
check "recover latest restores into a fresh server" env FROM_BACKUP=latest "$RECOVER"
use_pg 25402 src-pw
check "the superuser's password is the backup's after the restore" sql postgres "SELECT 1"

# What we ignore when comparing: the \restrict and \unrestrict lines, whose
# key pg_dumpall draws at random for every dump (PostgreSQL 15.14 and later),
# the two header comments naming the dump and server versions, and the
# pg_attver column option Debian 13's PostgreSQL 17.12 stamps on every column
# itself (a value of each server's own, not of the data).
dump_of() {
	use_pg "$1" src-pw
	pg_dumpall --no-password | grep -v -e '^\\restrict ' -e '^\\unrestrict ' -e '^-- Dumped from' -e '^-- Dumped by' \
		-e ' SET (pg_attver=[0-9]*);$'
}
dump_of 25401 >"$TMP/src.sql"
dump_of 25402 >"$TMP/dst.sql"
if diff -u "$TMP/src.sql" "$TMP/dst.sql" >"$TMP/diff.txt"; then
	pass "pg_dumpall of source and target are identical"
else
	fail "pg_dumpall of source and target are identical" "$(head -20 "$TMP/diff.txt")"
fi
check "the dump comparison saw the data" grep -q 'Ünïcödé — 日本語 ✓' "$TMP/dst.sql"

# Applications log in to the restored server unchanged.
check "an application role logs in with its old password" \
	env PGHOST=127.0.0.1 PGPORT=25402 PGUSER=appuser PGPASSWORD=app-pw \
	psql -X -qAt -d app -c "SELECT count(*) FROM notes"
use_pg 25402 src-pw
check "the large object is back" test "$(sql app "SELECT convert_from(lo_get(424242), 'UTF8')")" = "large object contents"
check "bytea is back" test "$(sql app "SELECT encode(blob, 'hex') FROM notes WHERE id = 2")" = deadbeef
check "grants are back" test "$(sql shop "SELECT has_table_privilege('reporter', 'sales.orders', 'SELECT')")" = t

# A second restore into the same server must refuse, naming the databases...
expect_exit "a target that has the databases is refused" 80 "already has database\(s\) app, shop.*--force" \
	env FROM_BACKUP=latest "$RECOVER"
check "the refused restore left the data alone" test "$(sql shop "SELECT count(*) FROM sales.orders")" = 500
# ...unless forced, which replaces them.
sql shop "DELETE FROM sales.orders WHERE id > 10"
check "recover --force replaces existing databases" env FROM_BACKUP=latest "$RECOVER" --force
check "the forced restore brought the rows back" test "$(sql shop "SELECT count(*) FROM sales.orders")" = 500

# The single-database mode: pg_dump --create.
use_pg 25401 src-pw
check "DATABASE=shop backs up one database" env DATABASE=shop "$BACKUP"
check "its file is named after the database" test -f "$BACKUP_DIR/hourly/$(newest hourly)/shop.sql.gz"
use_pg 25402 src-pw
sql postgres "DROP DATABASE shop" >/dev/null
check "a single-database backup restores" env FROM_BACKUP="$(newest hourly)" "$RECOVER"
check "the single database is back" test "$(sql shop "SELECT count(*) FROM sales.orders")" = 500
check "the listing shows both backups" sh -c "'$RECOVER' | grep -c sha256 | grep -qx 2"
check "--json lists the same backups" sh -c "'$RECOVER' --json | grep -c '\"tier\": \"hourly\"' | grep -qx 2"

# Not root: listing and a logical restore need the store to read and the
# server's credentials, nothing of root's.
give_store postgres
check "as postgres: recover lists both backups" sh -c "runuser -u postgres -- '$RECOVER' | grep -c sha256 | grep -qx 2"
check "as postgres: recover --json lists them too" sh -c "runuser -u postgres -- '$RECOVER' --json | grep -c '\"tier\": \"hourly\"' | grep -qx 2"
sql postgres "DROP DATABASE shop" >/dev/null
check "as postgres: a logical restore" as_postgres env FROM_BACKUP="$(newest hourly)" "$RECOVER"
check "as postgres: the database is back" test "$(sql shop "SELECT count(*) FROM sales.orders")" = 500
check "as postgres: recover --force replaces it" as_postgres env FROM_BACKUP="$(newest hourly)" "$RECOVER" --force
