# backup --verify: a backup is test-restored into a throwaway PostgreSQL
# (initdb as a non-root user, a socket in a private directory), checked,
# and the server is stopped by PID and removed whatever happened.
source "$(dirname "$0")/../lib.sh"

export BACKUP_DIR=$TMP/backups VERIFY_DIR=$TMP/verify
mkdir -p "$VERIFY_DIR"
chmod 755 "$TMP"
pg_start src 25501 pw || exit 1
use_pg 25501 pw
psql -X -q -v ON_ERROR_STOP=1 -d postgres -f "$ROOT/test/fixtures.sql" >/dev/null
# Names pg_dump must quote, values with newlines and a lone "\.", partitions
# and an empty table: the row counts read the dump stream, so it must not be fooled.
sql postgres 'CREATE DATABASE "Odd ""db"" name"' >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d 'Odd "db" name' >/dev/null <<'SQL'
CREATE SCHEMA "My Schema";
CREATE TABLE "My Schema"."T ""x""" (id int, v text);
INSERT INTO "My Schema"."T ""x""" SELECT g, E'line one\nline two\n\\.' FROM generate_series(1, 7) g;
INSERT INTO "My Schema"."T ""x""" VALUES (8, E'\\.');
CREATE TABLE parted (k int, v text) PARTITION BY RANGE (k);
CREATE TABLE parted_a PARTITION OF parted FOR VALUES FROM (0) TO (10);
CREATE TABLE parted_b PARTITION OF parted FOR VALUES FROM (10) TO (100);
INSERT INTO parted SELECT g, 'x' FROM generate_series(1, 50) g;
CREATE TABLE empty_one (x int);
SQL

check "an hourly backup to verify" "$BACKUP"
good=$(newest hourly)
check "backup --verify latest passes" "$BACKUP" --verify latest
check "it checked the databases and their tables" grep -qE "restores: [0-9]+ database\(s\), [0-9]+ table\(s\) checked" "$TMP/check.out"
check "the throwaway server's files are gone" test -z "$(ls -A "$VERIFY_DIR")"
check "no throwaway server is left running" sh -c "! pgrep -f '$TMP/verify[^ ]*/tierdump-verif[y]-' >/dev/null"
check "a verified record sits beside the manifest" grep -qx 'result = ok' "$BACKUP_DIR/hourly/$good/verified"
check "the manifest is untouched" verify_backup "$BACKUP_DIR/hourly/$good"
check "recover lists the backup as verified" sh -c "'$RECOVER' | grep -E '^hourly +$good .* complete +ok '"
check "--json says verified ok" sh -c "'$RECOVER' --json | grep -q '\"verified\": \"ok\"'"
# Not root: the throwaway server runs as backup's own user, VERIFY_USER aside.
give_store postgres
mkdir -p "$TMP/verify-pg"
chown postgres:postgres "$TMP/verify-pg"
check "as postgres: backup --verify latest passes" \
	as_postgres env VERIFY_DIR="$TMP/verify-pg" VERIFY_USER=postgres "$BACKUP" --verify latest
check "as postgres: it checked the databases and their tables" grep -qE "restores: [0-9]+ database\(s\), [0-9]+ table\(s\) checked" "$TMP/check.out"
check "as postgres: the throwaway server ran as postgres, no switch needed" sh -c "! grep -q 'runs as postgres (uid' '$TMP/check.out'"
check "as postgres: its files are gone" test -z "$(ls -A "$TMP/verify-pg")"
check "as postgres: recover lists the backup as verified" sh -c "runuser -u postgres -- '$RECOVER' | grep -E '^hourly +$good .* complete +ok '"

# Row counts: recorded from the dump stream beside the manifest, compared after the restore.
d=$BACKUP_DIR/hourly/$good
rows_of() { awk -F'\t' -v db="$1" -v t="$2" '$2 == db && $3 == t { print $4 }' "$d/rowcounts"; }
check "the manifest records the row counts' checksum" \
	grep -qx "rowcounts_sha256 = $(sha256sum "$d/rowcounts" | cut -d' ' -f1)" "$d/manifest"
check "app's notes: 2003 rows" test "$(rows_of app public.notes)" = 2003
check "shop's sales.orders: 500 rows" test "$(rows_of shop sales.orders)" = 500
check "quoted names, newlines and a lone \\. in values: 8 rows" \
	test "$(rows_of 'Odd "db" name' '"My Schema"."T ""x"""')" = 8
check "each partition counted on its own" \
	test "$(rows_of 'Odd "db" name' public.parted_a)/$(rows_of 'Odd "db" name' public.parted_b)" = 9/41
check "an empty table counted as 0 rows" test "$(rows_of 'Odd "db" name' public.empty_one)" = 0
check "the counts equal count(*) on the source" \
	test "$(sql shop 'SELECT count(*) FROM sales.orders')" = "$(rows_of shop sales.orders)"
"$BACKUP" --verify "$good" >"$TMP/v.out" 2>&1
check "the test-restore compared every counted table" \
	grep -qE "table\(s\) checked, $(grep -vc '^#' "$d/rowcounts") with their row count" "$TMP/v.out"
check "the verified record says how many" \
	grep -qx "tables_row_counted = $(grep -vc '^#' "$d/rowcounts")" "$d/verified"
check "a daily promotion carries the row counts" \
	sh -c "env -u PGHOST BACKUP_TYPE=daily '$BACKUP' && cmp '$d/rowcounts' '$BACKUP_DIR/daily/$good/rowcounts'"
check "a mirror receives them with the backup" \
	sh -c "env BACKUP_MIRROR='$TMP/mirror' '$BACKUP' && m=\$(ls '$TMP/mirror/hourly' | grep -E '^[0-9]' | sort | tail -1) &&
		cmp '$BACKUP_DIR/hourly/'\$m/rowcounts '$TMP/mirror/hourly/'\$m/rowcounts"
check "and its manifest their checksum" \
	grep -qx "rowcounts_sha256 = $(sha256sum "$d/rowcounts" | cut -d' ' -f1)" "$BACKUP_DIR/daily/$good/manifest"

# A single-database dump whose objects belong to other roles still restores.
check "a single-database backup" env DATABASE=app "$BACKUP"
check "its test-restore passes (the owner roles are created first)" "$BACKUP" --verify "$(newest hourly)"

# Failures: each exits non-zero, says why, records it, and cleans up.
sql postgres "CREATE DATABASE hollow" >/dev/null
check "a backup with an empty database" "$BACKUP"
hollow=$(newest hourly)
expect_exit "an empty database fails the test-restore" 81 "database hollow has no table" "$BACKUP" --verify "$hollow"
check "the failure is recorded" sh -c "grep -qx 'result = failed' '$BACKUP_DIR/hourly/$hollow/verified' && grep -q 'reason = database hollow has no table' '$BACKUP_DIR/hourly/$hollow/verified'"
check "recover lists it as FAILED" sh -c "'$RECOVER' | grep -E '^hourly +$hollow .* FAILED '"
sql postgres "DROP DATABASE hollow" >/dev/null
expect_exit "DATABASE_EXPECTED_COUNT applies to the test-restore" 81 "DATABASE_EXPECTED_COUNT wants at least 9" \
	env DATABASE_EXPECTED_COUNT=9 "$BACKUP" --verify "$good"
printf 'X' | dd of="$BACKUP_DIR/hourly/$good/dumpall.sql.gz" bs=1 seek=100 conv=notrunc 2>/dev/null
expect_exit "a corrupted backup fails before any server starts" 65 "does not match its SHA-256" "$BACKUP" --verify "$good"
check "it is recorded as failed" grep -qx 'result = failed' "$BACKUP_DIR/hourly/$good/verified"
# A dump that silently lost a row (its manifest matching it, as a faulty
# dump tool would leave it): the checksums pass, the row count does not.
check "a backup to lose a row from" "$BACKUP"
lossy=$(newest hourly)
d=$BACKUP_DIR/hourly/$lossy
gunzip -c "$d/dumpall.sql.gz" | awk '/^COPY sales.orders / { copy = 1; print; next }
	copy && /^1\t/ { copy = 0; next } { print }' | gzip -c >"$TMP/lossy.gz"
mv "$TMP/lossy.gz" "$d/dumpall.sql.gz"
reseal "$d" dumpall.sql.gz
check "the damaged dump passes its checksums" verify_backup "$d"
expect_exit "a lost row fails the test-restore, naming the table and both counts" 81 \
	"table sales.orders of database shop has 499 row\(s\) after the restore, 500 when dumped" \
	"$BACKUP" --verify "$lossy"
check "the reason is recorded" grep -q "reason = table sales.orders of database shop has 499" "$d/verified"
# Row counts that do not match their checksum are damage, found before any server starts.
sed -i 's/\t500$/\t501/' "$d/rowcounts"
expect_exit "tampered row counts are refused" 65 "rowcounts does not match its SHA-256" "$BACKUP" --verify "$lossy"
rm "$d/rowcounts"
expect_exit "missing row counts are refused, naming the file" 66 "hourly/$lossy/rowcounts is missing" "$BACKUP" --verify "$lossy"
expect_exit "a timestamp that matches nothing" 66 "no complete backup matches VERIFY_BACKUP" "$BACKUP" --verify 2001-01-01
expect_exit "a malformed value is refused" 64 "VERIFY_BACKUP='../x' is not" "$BACKUP" --verify ../x
check "after every failure the throwaway files are gone" test -z "$(ls -A "$VERIFY_DIR")"
check "and no throwaway server runs" sh -c "! pgrep -f '$TMP/verify[^ ]*/tierdump-verif[y]-' >/dev/null"

# A backup whose manifest is gone is no backup: --verify cannot pick it.
check "a backup to lose the manifest of" "$BACKUP"
bare=$(newest hourly)
rm "$BACKUP_DIR/hourly/$bare/manifest"
expect_exit "a missing manifest at --verify" 66 "no complete backup matches VERIFY_BACKUP=$bare" "$BACKUP" --verify "$bare"
check "it says the backup has no manifest" grep -q "$bare has no manifest: not a complete backup" "$TMP/last.err"
