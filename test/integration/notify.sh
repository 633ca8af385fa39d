# Webhook, metrics file and Pushgateway: a receiver started by the test records
# what each run sends; a success and a failure are checked field by field, and
# a webhook that cannot be reached never turns a good backup into a failure.
source "$(dirname "$0")/../lib.sh"

export BACKUP_DIR=$TMP/backups
pg_start src 25531 pw || exit 1
use_pg 25531 pw
mkdir -p "$TMP/hooks"
/usr/bin/python3 "$ROOT/test/http_receiver.py" "$TMP/hooks" 25532 >"$TMP/receiver.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 50); do grep -q READY "$TMP/receiver.log" && break; sleep 0.1; done
export WEBHOOK_URL=http://127.0.0.1:25532/hook ENVIRONMENT_NAME=prod ENVIRONMENT_FRIENDLY_NAME="Production EU" \
	METRICS_FILE=$TMP/tierdump.prom PUSHGATEWAY_URL=http://127.0.0.1:25532

check "a successful hourly run" "$BACKUP"
stamp=$(newest hourly)
hook=$(grep -l '^POST /hook' "$TMP"/hooks/*.head | head -1)
body=${hook%.head}.body
check "it posted a webhook" test -s "$body"
check "the webhook is JSON" /usr/bin/python3 -c "import json,sys; json.load(open('$body'))"
field() { /usr/bin/python3 -c "import json; print(json.load(open('$1'))['$2'])"; }
check "status success" test "$(field "$body" status)" = success
check "tier hourly" test "$(field "$body" tier)" = hourly
check "the backup's timestamp" test "$(field "$body" timestamp)" = "$stamp"
check "its size" test "$(field "$body" size)" -gt 0
check "the environment" test "$(field "$body" environment)" = prod -a "$(field "$body" environment_friendly_name)" = "Production EU"
check "a readable text for chat" sh -c "grep -q '\[Production EU\] tierdump hourly succeeded: $stamp' '$body'"
check "a metrics file in textfile format" grep -qE '^tierdump_last_success_timestamp_seconds\{tier="hourly"\} [0-9]+$' "$METRICS_FILE"
check "with the backups kept" grep -qx 'tierdump_backups_kept{tier="hourly"} 1' "$METRICS_FILE"
check "pushed to the Pushgateway" sh -c "grep -l '^PUT /metrics/job/tierdump/tier/hourly' '$TMP'/hooks/*.head | grep -q ."

rm -f "$TMP"/hooks/*
check "a daily run keeps the hourly metrics" env BACKUP_TYPE=daily "$BACKUP"
check "both tiers are in the file" sh -c "grep -q 'tier=\"hourly\"' '$METRICS_FILE' && grep -q 'tier=\"daily\"' '$METRICS_FILE'"

rm -f "$TMP"/hooks/*
expect_exit "a failing run still fails" 77 "refused user" env PGPASSWORD=wrong "$BACKUP"
body=$(ls "$TMP"/hooks/*.body | head -1)
check "it posted a failure" test "$(field "$body" status)" = failure
check "with the reason" sh -c "grep -q 'refused user dbadmin' '$body'"
check "and no password" sh -c "! grep -q wrong '$body' && ! grep -q wrong '$METRICS_FILE'"
check "the last success stays in the metrics" grep -q 'tierdump_last_success_timestamp_seconds{tier="hourly"}' "$METRICS_FILE"
check "the status says it failed" grep -qx 'tierdump_last_status{tier="hourly"} 77' "$METRICS_FILE"

rm -f "$TMP"/hooks/*
check "WEBHOOK_ON=failure sends nothing on success" env WEBHOOK_ON=failure "$BACKUP"
check "nothing was posted" sh -c "! grep -l '^POST /hook' '$TMP'/hooks/*.head 2>/dev/null | grep -q ."
check "a webhook that cannot be reached leaves the run a success" env WEBHOOK_URL=http://127.0.0.1:1/hook "$BACKUP"
check "it said so" grep -q "cannot reach http://127.0.0.1:1/hook" "$TMP/check.out"
