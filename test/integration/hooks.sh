# Hooks, health pings, --print-config and BACKUP_MAX_RATE, against a real
# PostgreSQL, the HTTP receiver standing in for healthchecks.io, and the S3
# test server. Hooks record their arguments and TIERDUMP_* environment into
# files the checks read.
source "$(dirname "$0")/../lib.sh"

export BACKUP_DIR=$TMP/backups
pg_start src 25571 pw || exit 1
use_pg 25571 pw
sql postgres "CREATE DATABASE app" >/dev/null
sql app "CREATE TABLE t (v text); INSERT INTO t VALUES ('x')" >/dev/null
mkdir -p "$TMP/pings"
/usr/bin/python3 "$ROOT/test/http_receiver.py" "$TMP/pings" 25572 >"$TMP/receiver.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 50); do grep -q READY "$TMP/receiver.log" && break; sleep 0.1; done

# record FILE ARGS...: writes its arguments, one a line, then the TIERDUMP_ variables.
cat >"$TMP/record" <<'SCRIPT'
#!/bin/sh
out=$1
shift
{ printf 'arg=%s\n' "$@"; env | grep '^TIERDUMP_' | sort; } >"$out"
SCRIPT
chmod +x "$TMP/record"
# the requests the receiver got, in order: "METHOD PATH"
requests() { for h in "$TMP"/pings/*.head; do [ -f "$h" ] && head -1 "$h"; done; }
has() { grep -qxF -- "$2" "$1"; }
pinged() { requests | grep -qxF -- "$1"; }

# ---------------------------------------------------------------- hooks and pings
export PING_URL=http://127.0.0.1:25572/ping/uuid
check "an hourly run with hooks and pings" env BACKUP_HOOK_BEFORE="$TMP/record $TMP/before" \
	BACKUP_HOOK_AFTER="$TMP/record $TMP/after" BACKUP_HOOK_FAILURE="$TMP/record $TMP/failure" "$BACKUP"
stamp=$(newest hourly)
check "the before-hook ran, told the tier" sh -c "grep -qx TIERDUMP_HOOK=before '$TMP/before' && grep -qx TIERDUMP_TIER=hourly '$TMP/before'"
check "the after-hook was told success" has "$TMP/after" TIERDUMP_RESULT=success
check "its exit status" has "$TMP/after" TIERDUMP_EXIT_STATUS=0
check "the backup's timestamp" has "$TMP/after" "TIERDUMP_TIMESTAMP=$stamp"
size=$(sed -n 's/^TIERDUMP_SIZE=//p' "$TMP/after")
check "its size" test "${size:-0}" -gt 0
check "an empty reason" has "$TMP/after" TIERDUMP_REASON=
check "no failure hook after a success" test ! -e "$TMP/failure"
check "pinged /start, then success" test "$(requests | tr '\n' '|')" = "POST /ping/uuid/start|POST /ping/uuid|"

rm -f "$TMP"/pings/* "$TMP/after"
before=$(count_backups hourly)
expect_exit "a failing before-hook fails the run" 84 "BACKUP_HOOK_BEFORE .*exited with status 1" \
	env BACKUP_HOOK_BEFORE=/bin/false BACKUP_HOOK_FAILURE="$TMP/record $TMP/failure" \
	BACKUP_HOOK_AFTER="$TMP/record $TMP/after" "$BACKUP"
check "before any dump: nothing written" test "$(count_backups hourly)" = "$before"
check "and nothing half-written" no_leftovers
check "the failure hook was told" sh -c "grep -qx TIERDUMP_RESULT=failure '$TMP/failure' && grep -qx TIERDUMP_EXIT_STATUS=84 '$TMP/failure' && grep -q '^TIERDUMP_REASON=BACKUP_HOOK_BEFORE' '$TMP/failure'"
check "the after-hook runs on failure too" has "$TMP/after" TIERDUMP_RESULT=failure
check "pinged /start, then /fail" test "$(requests | tr '\n' '|')" = "POST /ping/uuid/start|POST /ping/uuid/fail|"
fail_body=$(ls "$TMP"/pings/*.body | tail -1)
check "with the reason as the body" grep -q "BACKUP_HOOK_BEFORE" "$fail_body"

rm -f "$TMP"/pings/* "$TMP/failure"
check "a failing after-hook leaves the run a success" env BACKUP_HOOK_AFTER=/bin/false \
	WEBHOOK_URL=http://127.0.0.1:25572/hook METRICS_FILE="$TMP/hooks.prom" "$BACKUP"
check "its failure is logged" grep -q "BACKUP_HOOK_AFTER failed: the run's result stands" "$TMP/check.out"
check "and named in the webhook" grep -q '"hook_failed": "BACKUP_HOOK_AFTER"' "$(grep -l '^POST /hook' "$TMP"/pings/*.head | sed 's/head$/body/')"
check "and in the metrics" grep -qx 'tierdump_hook_failed{tier="hourly"} 1' "$TMP/hooks.prom"
check "and the ping says success" pinged "POST /ping/uuid"

rm -f "$TMP"/pings/* "$TMP/failure"
expect_exit "a failing run stays failed, hooks or not" 77 "refused user" \
	env PGPASSWORD=wrong BACKUP_HOOK_FAILURE="$TMP/record $TMP/failure" "$BACKUP"
check "the failure hook got the reason" sh -c "grep -q '^TIERDUMP_REASON=.*refused user' '$TMP/failure' && grep -qx TIERDUMP_EXIT_STATUS=77 '$TMP/failure'"
check "/fail was pinged" pinged "POST /ping/uuid/fail"
check "with the reason" grep -q "refused user" "$(ls "$TMP"/pings/*.body | tail -1)"
check "no password in the ping" sh -c "! grep -q wrong '$TMP'/pings/*.body"

start=$(date +%s)
expect_exit "a hook over BACKUP_HOOK_TIMEOUT is killed, failing the run" 84 "did not finish within 1 s and was killed" \
	env BACKUP_HOOK_TIMEOUT=1 BACKUP_HOOK_BEFORE="/bin/sleep 60" "$BACKUP"
check "promptly" test $(($(date +%s) - start)) -lt 15
check "no sleep left running" sh -c "! pgrep -x -f '/bin/sleep 60'"
start=$(date +%s)
check "a hook that leaves a process behind holding its stderr still finishes" \
	env BACKUP_HOOK_BEFORE="sh -c 'echo said-by-hook >&2; sleep 30 & exit 0'" BACKUP_HOOK_TIMEOUT=20 "$BACKUP"
took=$(($(date +%s) - start))
check "its stderr was logged" grep -q "BACKUP_HOOK_BEFORE sh: said-by-hook" "$TMP/check.out"
check "when it exits, not at the timeout" test "$took" -lt 15
expect_exit "BACKUP_HOOK_TIMEOUT=0 is refused" 78 "BACKUP_HOOK_TIMEOUT must be at least 1 second" \
	env BACKUP_HOOK_TIMEOUT=0 "$BACKUP"

rm -f "$TMP/pwned" "$TMP/args"
check "no shell: \$(...) and ; are arguments" env BACKUP_HOOK_AFTER="$TMP/record $TMP/args '\$(touch $TMP/pwned)' ; \"two words\" \$HOME" "$BACKUP"
check "nothing was run by a shell" test ! -e "$TMP/pwned"
check "the words as given" sh -c "grep '^arg=' '$TMP/args' | tr '\n' '|' | grep -qxF 'arg=\$(touch $TMP/pwned)|arg=;|arg=two words|arg=\$HOME|'"
expect_exit "an unclosed quote is a configuration error" 78 "BACKUP_HOOK_BEFORE: the single quote is not closed" \
	env BACKUP_HOOK_BEFORE="/bin/true 'open" "$BACKUP"
expect_exit "a hook that is not installed" 78 "cannot run" env BACKUP_HOOK_BEFORE=/nonexistent/hook "$BACKUP"

rm -f "$TMP"/pings/* "$TMP/after"
check "a promotion runs the hooks too" env BACKUP_TYPE=daily BACKUP_HOOK_AFTER="$TMP/record $TMP/after" "$BACKUP"
check "told its tier" sh -c "grep -qx TIERDUMP_TIER=daily '$TMP/after' && grep -qx TIERDUMP_RESULT=success '$TMP/after'"
check "and pinged" pinged "POST /ping/uuid"
rm -f "$TMP"/pings/* "$TMP/after"
check "recover runs no hooks and pings nothing" env BACKUP_HOOK_BEFORE=/bin/false "$RECOVER"
check "nothing pinged" test -z "$(requests)"

check "an unreachable PING_URL does not fail the run" env PING_URL=http://127.0.0.1:1/x "$BACKUP"
check "it says so" grep -q "PING_URL/start was not accepted" "$TMP/check.out"
check "without the URL, a secret" sh -c "! grep -q '127.0.0.1:1/x' '$TMP/check.out'"
unset PING_URL

# ---------------------------------------------------------------- --print-config
echo "s3-secret-value" >"$TMP/secret"
cat >"$TMP/t.conf" <<CONF
compression = "zstd";
ftp_password = "file-secret-value";
backup_count = 5;
CONF
pc() { env TIERDUMP_CONFIG="$TMP/t.conf" BACKUP_STORE=s3://backups/x AWS_ENDPOINT_URL=http://127.0.0.1:1 \
	AWS_ACCESS_KEY_ID=AKID AWS_SECRET_ACCESS_KEY_FILE="$TMP/secret" PING_URL=http://127.0.0.1:1/ping-secret \
	BACKUP_MAX_RATE=2M "$@"; }
check "backup --print-config contacts nothing and exits 0" pc "$BACKUP" --print-config --lock-timeout 9
cp "$TMP/check.out" "$TMP/pc.out"
check "a flag, named" sh -c "grep -E '^BACKUP_LOCK_TIMEOUT +9 +flag --lock-timeout$' '$TMP/pc.out'"
check "the config file, with path and line" sh -c "grep -E '^BACKUP_COMPRESSION +zstd +config file $TMP/t.conf:1$' '$TMP/pc.out'"
check "the environment" sh -c "grep -E '^BACKUP_STORE +s3://backups/x +environment BACKUP_STORE$' '$TMP/pc.out'"
check "a secret from its file, masked" sh -c "grep -E '^AWS_SECRET_ACCESS_KEY +\*+ +environment AWS_SECRET_ACCESS_KEY_FILE$' '$TMP/pc.out'"
check "a secret of the config file, masked" sh -c "grep -E '^FTP_PASSWORD +\*+ +config file ' '$TMP/pc.out'"
check "no secret printed" sh -c "! grep -qE 's3-secret-value|file-secret-value|ping-secret|AKID' '$TMP/pc.out'"
check "a default" sh -c "grep -E '^BACKUP_ENGINE +postgres +default$' '$TMP/pc.out'"
check "the rate as bytes per second" sh -c "grep -E '^BACKUP_MAX_RATE +2097152 +environment BACKUP_MAX_RATE$' '$TMP/pc.out'"
check "nothing was logged as contacted" sh -c "! grep -q 'cannot reach' '$TMP/pc.out'"
check "the tier policy" sh -c "'$BACKUP' --print-config --tier weekly | grep -E '^BACKUP_PRIOR_TYPE +daily +tier policy .*/tiers/weekly.conf:[0-9]+$'"
check "recover --print-config" pc "$RECOVER" --print-config --from-backup latest
check "with recover's settings" grep -qE '^FROM_BACKUP +latest +flag --from-backup$' "$TMP/check.out"
expect_exit "a bad setting still prints what is known, then exits 78" 78 "BACKUP_TYPE: 'bogus' is not a tier" \
	env BACKUP_TYPE=bogus "$BACKUP" --print-config
check "what is known was printed" grep -qE '^BACKUP_TYPE +bogus +environment BACKUP_TYPE$' "$TMP/last.out"
expect_exit "a flag recover does not have" 64 "unknown or incomplete option '--tier'" "$RECOVER" --print-config --tier daily
expect_exit "a bad rate" 78 "BACKUP_MAX_RATE: '1.5M' is not a byte count" env BACKUP_MAX_RATE=1.5M "$BACKUP"

# ---------------------------------------------------------------- BACKUP_MAX_RATE
if s3_start s3 25573; then
	# About 3 MiB that compression cannot shrink.
	sql app "CREATE TABLE big AS SELECT string_agg(md5(random()::text), '') AS v FROM generate_series(1, 100000)" >/dev/null
	s3() { env BACKUP_STORE=s3://backups/rate AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER \
		AWS_ENDPOINT_URL=http://127.0.0.1:25573 BACKUP_COMPRESSION=none METRICS_FILE="$TMP/rate.prom" "$@"; }
	t0=$(date +%s.%N)
	check "an uncapped upload to S3" s3 "$BACKUP"
	fast=$(echo "$(date +%s.%N) - $t0" | bc)
	bytes=$(sed -n 's/^tierdump_last_backup_bytes{tier="hourly"} //p' "$TMP/rate.prom")
	t0=$(date +%s.%N)
	check "an upload capped at 1M/s" s3 env BACKUP_MAX_RATE=1M "$BACKUP"
	slow=$(echo "$(date +%s.%N) - $t0" | bc)
	echo "uncapped ${fast}s, capped ${slow}s, ${bytes:-?} bytes"
	check "the backup is big enough to measure" test "${bytes:-0}" -gt 2500000
	check "the capped one took at least size/rate" test "$(echo "$slow >= ${bytes:-0} / 1048576" | bc)" = 1
	check "the uncapped one was faster than the cap allows" test "$(echo "$fast < ${bytes:-0} / 1048576" | bc)" = 1
	s3_stop s3
else
	fail "the S3 test server starts"
fi
if ftps_start ftps 25574; then
	ftps() { env BACKUP_STORE=ftps://127.0.0.1:25574/rate FTP_USER=$FTP_TEST_USER FTP_PASSWORD=ftp-pw \
		FTP_CA_FILE=$TMP/ftps/cert.pem BACKUP_COMPRESSION=none METRICS_FILE="$TMP/rate.prom" "$@"; }
	t0=$(date +%s.%N)
	check "an upload to FTPS capped at 1M/s" ftps env BACKUP_MAX_RATE=1M "$BACKUP"
	slow=$(echo "$(date +%s.%N) - $t0" | bc)
	bytes=$(sed -n 's/^tierdump_last_backup_bytes{tier="hourly"} //p' "$TMP/rate.prom")
	echo "FTPS capped ${slow}s, ${bytes:-?} bytes"
	check "it took at least size/rate" test "$(echo "$slow >= ${bytes:-0} / 1048576" | bc)" = 1
else
	fail "the FTPS test server starts"
fi
