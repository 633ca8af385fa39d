# BACKUP_MIRROR: a local primary with an S3 mirror. Each new or promoted
# backup reaches the mirror and the mirror is pruned the same way; the mirror
# down leaves the primary complete and exits with its own code (83).
source "$(dirname "$0")/../lib.sh"

export BACKUP_DIR=$TMP/backups
pg_start src 25541 pw || exit 1
s3_start s3 25542 || exit 1
use_pg 25541 pw
sql postgres "CREATE DATABASE app" >/dev/null
export BACKUP_MIRROR=s3://backups/mirror AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER \
	AWS_ENDPOINT_URL=http://127.0.0.1:25542 STORE_RETRIES=1
on_mirror() { env BACKUP_STORE=s3://backups/mirror "$RECOVER" 2>/dev/null; }

check "an hourly run with a mirror" "$BACKUP"
stamp=$(newest hourly)
check "it says it mirrored" grep -q "mirrored hourly/$stamp to s3://backups/mirror" "$TMP/check.out"
check "the mirror lists the backup" sh -c "'$RECOVER' --backup-dir /nonexistent >/dev/null 2>&1; env BACKUP_STORE=s3://backups/mirror '$RECOVER' | grep -qE '^hourly +$stamp .* complete'"
check "a daily promotion reaches the mirror too" env BACKUP_TYPE=daily "$BACKUP"
check "the mirror holds the daily copy" sh -c "env BACKUP_STORE=s3://backups/mirror '$RECOVER' | grep -qE '^daily +$stamp '"
for i in 1 2; do sleep 1; env BACKUP_COUNT=2 "$BACKUP" >/dev/null 2>&1; done
check "the mirror is pruned like the primary" sh -c "test \$(env BACKUP_STORE=s3://backups/mirror '$RECOVER' | grep -c '^hourly ') = 2"
check "the mirror's copy restores, checksums and all" sh -c "env BACKUP_STORE=s3://backups/mirror FROM_BACKUP=latest PGPORT=25541 '$RECOVER' --force >/dev/null 2>&1"

# The metrics report the primary's kept count even when a mirror prunes last
# and holds a different number (here a new mirror holding only this backup).
check "a run with a new mirror and metrics" env BACKUP_COUNT=2 BACKUP_MIRROR=s3://backups/mirror-new METRICS_FILE="$TMP/mirror.prom" "$BACKUP"
check "the new mirror holds 1 backup" sh -c "test \$(env BACKUP_STORE=s3://backups/mirror-new '$RECOVER' | grep -c '^hourly ') = 1"
check "the metrics keep the primary's count (2), not the mirror's" grep -qx 'tierdump_backups_kept{tier="hourly"} 2' "$TMP/mirror.prom"

s3_stop s3
sleep 1
expect_exit "the mirror down: its own exit code" 83 "mirror s3://backups/mirror did not receive .*the primary backup is complete" "$BACKUP"
newest_local=$(newest hourly)
check "the primary backup is complete and listed" sh -c "'$RECOVER' | grep -qE '^hourly +$newest_local .* complete'"
check "every primary backup intact" all_backups_intact
check "nothing half-written on the primary" no_leftovers
