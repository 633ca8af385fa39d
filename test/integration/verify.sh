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

check "an hourly backup to verify" "$BACKUP"
good=$(newest hourly)
check "backup --verify latest passes" "$BACKUP" --verify latest
check "it checked the databases and their tables" grep -qE "restores: [0-9]+ database\(s\), [0-9]+ table\(s\) checked" "$TMP/check.out"
check "the throwaway server's files are gone" test -z "$(ls -A "$VERIFY_DIR")"
check "no throwaway server is left running" sh -c "! pgrep -f 'tierdump-verif[y]-' >/dev/null"
check "a verified record sits beside the manifest" grep -qx 'result = ok' "$BACKUP_DIR/hourly/$good/verified"
check "the manifest is untouched" verify_backup "$BACKUP_DIR/hourly/$good"
check "recover lists the backup as verified" sh -c "'$RECOVER' | grep -E '^hourly +$good .* complete +ok '"
check "--json says verified ok" sh -c "'$RECOVER' --json | grep -q '\"verified\": \"ok\"'"

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
expect_exit "a timestamp that matches nothing" 66 "no complete backup matches VERIFY_BACKUP" "$BACKUP" --verify 2001-01-01
expect_exit "a malformed value is refused" 64 "VERIFY_BACKUP='../x' is not" "$BACKUP" --verify ../x
check "after every failure the throwaway files are gone" test -z "$(ls -A "$VERIFY_DIR")"
check "and no throwaway server runs" sh -c "! pgrep -f 'tierdump-verif[y]-' >/dev/null"

# A backup whose manifest is gone is no backup: --verify cannot pick it.
check "a backup to lose the manifest of" "$BACKUP"
bare=$(newest hourly)
rm "$BACKUP_DIR/hourly/$bare/manifest"
expect_exit "a missing manifest at --verify" 66 "no complete backup matches VERIFY_BACKUP=$bare" "$BACKUP" --verify "$bare"
check "it says the backup has no manifest" grep -q "$bare has no manifest: not a complete backup" "$TMP/last.err"
