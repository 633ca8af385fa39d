# The S3 store against a server that checks SigV4 signatures: every tier,
# promotion by server-side copy, pruning, recover from S3, a multipart upload
# of several parts, a wrong secret, and the server going away mid-upload.
source "$(dirname "$0")/../lib.sh"

pg_start src 25521 pw || exit 1
pg_start dst 25522 pw || exit 1
s3_start s3 25523 || exit 1
use_pg 25521 pw
sql postgres "CREATE DATABASE app" >/dev/null
sql app "CREATE TABLE t (v text); INSERT INTO t VALUES ('first')" >/dev/null
export BACKUP_STORE=s3://backups/tierdump AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER \
	AWS_ENDPOINT_URL=http://127.0.0.1:25523 STORE_RETRIES=2
unset BACKUP_DIR

check "hourly backup into S3" "$BACKUP"
first=$(grep -oE 'backup hourly/[^ ]+ complete' "$TMP/check.out" | cut -d/ -f2 | cut -d' ' -f1)
check "recover lists it from S3" sh -c "'$RECOVER' | grep -E '^hourly +$first .* complete'"
check "daily promotes it by server-side copy" env BACKUP_TYPE=daily "$BACKUP"
check "weekly promotes the daily one" env BACKUP_TYPE=weekly "$BACKUP"
check "a second daily run changes nothing" env BACKUP_TYPE=daily "$BACKUP"
check "it says so" grep -q "already holds" "$TMP/check.out"
check "all three tiers are listed" sh -c "test \$('$RECOVER' | grep -cE '^(hourly|daily|weekly) +$first ') = 3"

sleep 1
sql app "UPDATE t SET v = 'second'" >/dev/null
for i in 1 2 3; do
	env BACKUP_COUNT=2 "$BACKUP" >"$TMP/run.log" 2>&1 || fail "hourly run $i into S3" "$(tail -2 "$TMP/run.log")"
done
check "pruning keeps exactly BACKUP_COUNT=2 in S3" sh -c "test \$('$RECOVER' | grep -c '^hourly ') = 2"
check "the daily copy outlives its pruned origin" sh -c "'$RECOVER' | grep -qE '^daily +$first '"

use_pg 25522 pw
check "recover restores the newest backup from S3" env FROM_BACKUP=latest "$RECOVER"
check "it is the newest data" test "$(sql app "SELECT v FROM t")" = second
sql postgres "DROP DATABASE app" >/dev/null
check "recover restores the daily copy by timestamp" env FROM_BACKUP="$first" "$RECOVER"
check "it is the older data" test "$(sql app "SELECT v FROM t")" = first

# Above the CopyObject limit, promotion copies in parts (UploadPartCopy).
check "a promotion above the copy limit" env S3_COPY_LIMIT=256 BACKUP_TYPE=monthly BACKUP_PRIOR_TYPE=daily "$BACKUP"
check "it copied in parts" grep -q "in [0-9]* parts (UploadPartCopy)" "$TMP/check.out"
copied=$(ls "$TMP/s3/data/backups/tierdump/monthly/")
check "the parts make the same object" cmp "$TMP/s3/data/backups/tierdump/monthly/$copied/dumpall.sql.gz._S3rver_object" \
	"$TMP/s3/data/backups/tierdump/daily/$copied/dumpall.sql.gz._S3rver_object"

# A dump of several 8 MiB parts, uncompressed so its size is known.
use_pg 25521 pw
sql app "CREATE TABLE big AS SELECT g, md5(g::text) AS m FROM generate_series(1, 600000) g" >/dev/null
check "a multipart upload of several parts" env BACKUP_COMPRESSION=none "$BACKUP"
big=$(grep -oE 'backup hourly/[^ ]+ complete' "$TMP/check.out" | cut -d/ -f2 | cut -d' ' -f1)
check "it is larger than three parts" sh -c "'$RECOVER' --json | grep '\"timestamp\": \"$big\"' | grep -qE '\"size\": [0-9]{8,}'"
use_pg 25522 pw
sql postgres "DROP DATABASE app" >/dev/null
check "the multipart backup restores with its checksum intact" env FROM_BACKUP="$big" "$RECOVER"
check "every row came back" test "$(sql app "SELECT count(*) FROM big")" = 600000

use_pg 25521 pw
expect_exit "a wrong secret is refused clearly" 77 "SignatureDoesNotMatch.*AWS_SECRET_ACCESS_KEY" \
	env AWS_SECRET_ACCESS_KEY=wrong "$RECOVER"
check "the secret is not echoed" sh -c "! grep -q S3RVER '$TMP/last.err'"
expect_exit "a missing key is a configuration error" 78 "needs AWS_ACCESS_KEY_ID" \
	env -u AWS_ACCESS_KEY_ID "$BACKUP"

# The server dies in the middle of an upload: the run fails, nothing partial is listed.
use_pg 25521 pw
sql app "CREATE TABLE bigger AS SELECT g, md5(g::text) AS m FROM generate_series(1, 2000000) g" >/dev/null
"$RECOVER" >"$TMP/before.txt" 2>/dev/null
env BACKUP_COMPRESSION=none STORE_RETRIES=0 "$BACKUP" >"$TMP/killed.log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "dumping into" "$TMP/killed.log" && break; sleep 0.05; done
sleep 0.5 # some parts are on their way
s3_stop s3 KILL
wait "$pid"
rc=$?
[ "$rc" != 0 ] && pass "an upload whose server dies fails (exit $rc)" || fail "an upload whose server dies fails"
check "it names the cause" grep -qE "S3 .* failed" "$TMP/killed.log"
s3_start s3 25523 || exit 1
"$RECOVER" >"$TMP/after.txt" 2>/dev/null
check "recover lists exactly the backups it listed before" diff "$TMP/before.txt" "$TMP/after.txt"
use_pg 25522 pw
sql postgres "DROP DATABASE app" >/dev/null
check "the earlier backups still restore" env FROM_BACKUP=latest "$RECOVER"

# The server goes away and comes back within the retry budget: the run succeeds.
use_pg 25521 pw
s3_stop s3
env STORE_RETRIES=5 DATABASE=app "$BACKUP" >"$TMP/comeback.log" 2>&1 &
pid=$!
sleep 1.5
s3_start s3 25523 || exit 1
wait "$pid"
rc=$?
[ "$rc" = 0 ] && pass "a store that comes back within the retries is used" ||
	fail "a store that comes back within the retries is used" "$(tail -2 "$TMP/comeback.log")"
check "it said it retried" grep -q "retrying in" "$TMP/comeback.log"
s3_stop s3
expect_exit "beyond the retries, a clean failure" 73 "S3 .* failed.*AWS_ENDPOINT_URL" env STORE_RETRIES=1 DATABASE=app "$BACKUP"
