# Retention by age (BACKUP_MAX_AGE, BACKUP_MIN_COUNT), partial backups bounded
# while a target keeps failing, and backup --keep / --unkeep / --delete on a
# local store, on S3 and over FTPS. Old backups are made by copying a real
# one under an older timestamp: a backup is its directory (its objects on
# S3), named by its timestamp.
source "$(dirname "$0")/../lib.sh"

export BACKUP_DIR=$TMP/backups
pg_start pg 25641 pw || exit 1
pg_start pg2 25643 pw || exit 1
s3_start s3 25642 || exit 1
ftps_start ftps 25644 || exit 1
use_pg 25641 pw
sql postgres "CREATE DATABASE app" >/dev/null
sql app "CREATE TABLE t (v text); INSERT INTO t VALUES ('one')" >/dev/null

# ago DAYS: the timestamp of a backup DAYS days old.
ago() {
	date -u -d "@$(($(date +%s) - $1 * 86400))" +%Y-%m-%dT%H:%M:%SZ
}

# backdate DIR STAMP...: copies the newest hourly backup of the store at DIR
# under older timestamps.
backdate() {
	local dir=$1 src
	shift
	src=$(ls "$dir/hourly" | grep -E '^[0-9]{4}-' | sort | tail -1)
	for t in "$@"; do cp -a "$dir/hourly/$src" "$dir/hourly/$t"; done
}

# listed: the hourly backups recover lists.
listed() {
	"$RECOVER" | grep -c '^hourly '
}

check "a first hourly backup" "$BACKUP"
first=$(newest hourly)
d2=$(ago 2) d3=$(ago 3) d10=$(ago 10) d20=$(ago 20) d30=$(ago 30)
backdate "$BACKUP_DIR" "$d30" "$d20" "$d10" "$d3" "$d2"
old30=${d30%T*} # the start of its timestamp: the day
check "recover lists the backdated copies" test "$(listed)" = 6

# --keep: pins one backup, with a reason, shown by recover.
check "backup --keep pins a backup by the start of its timestamp" \
	"$BACKUP" --keep "$old30" --reason "before the 2.0 migration"
check "it says so" grep -q "is kept: before the 2.0 migration" "$TMP/check.out"
check "the pin is an object beside the manifest" test -f "$BACKUP_DIR/hourly/$d30/kept"
check "the manifest is untouched" cmp "$BACKUP_DIR/hourly/$first/manifest" "$BACKUP_DIR/hourly/$d30/manifest"
check "recover lists it as kept, with the reason" sh -c "'$RECOVER' | grep -E '^hourly +$old30.*\\[kept: before the 2.0 migration\\]$'"
check "only that one" test "$("$RECOVER" | grep -c '\[kept')" = 1
check "recover --json says kept and why" sh -c "'$RECOVER' --json | grep '\"timestamp\": \"$old30' | grep -q '\"kept\": true, \"kept_reason\": \"before the 2.0 migration\"'"
check "recover --json says the others are not kept" sh -c "'$RECOVER' --json | grep '\"timestamp\": \"$first\"' | grep -q '\"kept\": false, \"kept_reason\": null'"

# Bad input: nothing changes.
expect_exit "--keep of a timestamp that matches nothing" 66 "no backup of the hourly tier matches --keep 2019" \
	"$BACKUP" --keep 2019
expect_exit "--keep of a prefix that matches several" 64 "--keep=20.* is ambiguous" "$BACKUP" --keep 20
check "the ambiguous prefix lists what it matches" grep -q "hourly/$first" "$TMP/last.err"
expect_exit "--keep of something not a timestamp" 64 "--keep 'yesterday': give a backup's timestamp" \
	"$BACKUP" --keep yesterday
expect_exit "--keep latest is refused too: name the backup" 64 "--keep 'latest'" "$BACKUP" --keep latest
expect_exit "--reason without --keep" 64 "--reason is not an option of an hourly backup" \
	"$BACKUP" --reason why
expect_exit "--reason on two lines" 64 "one line" "$BACKUP" --keep "$first" --reason "$(printf 'a\nb')"
expect_exit "--keep and --delete at once" 64 "different modes of backup" "$BACKUP" --keep "$first" --delete "$first"
expect_exit "--force belongs to --delete, not --keep" 64 "--force is not an option of backup --keep" \
	"$BACKUP" --keep "$first" --force
expect_exit "a backup of another tier is not found in this one" 66 "no backup of the daily tier" \
	"$BACKUP" --tier daily --keep "$first"
check "none of that pinned anything" test "$("$RECOVER" | grep -c '\[kept')" = 1

# Age: BACKUP_MAX_AGE removes what is older, but never the kept one.
expect_exit "BACKUP_MAX_AGE without a unit" 78 "BACKUP_MAX_AGE: '5' needs a unit" env BACKUP_MAX_AGE=5 "$BACKUP"
expect_exit "BACKUP_MAX_AGE with an unknown unit" 78 "BACKUP_MAX_AGE: '5y': 'y' is not a unit" env BACKUP_MAX_AGE=5y "$BACKUP"
expect_exit "BACKUP_MAX_AGE of zero" 78 "BACKUP_MAX_AGE: '0d' is zero" env BACKUP_MAX_AGE=0d "$BACKUP"
expect_exit "BACKUP_MIN_COUNT of 0" 78 "BACKUP_MIN_COUNT must be from 1 to BACKUP_COUNT" env BACKUP_MIN_COUNT=0 "$BACKUP"
expect_exit "BACKUP_MIN_COUNT above BACKUP_COUNT" 78 "BACKUP_MIN_COUNT must be from 1 to BACKUP_COUNT \\(3\\)" \
	env BACKUP_COUNT=3 BACKUP_MIN_COUNT=4 "$BACKUP"
check "bad settings removed nothing" test "$(listed)" = 6
check "an hourly run with BACKUP_MAX_AGE=5d" env BACKUP_COUNT=24 BACKUP_MAX_AGE=5d "$BACKUP"
check "the pruning was logged" grep -q "pruned hourly/.*none older than 5d" "$TMP/check.out"
check "the 10 and 20 days old backups are gone" test ! -e "$BACKUP_DIR/hourly/$d10" -a ! -e "$BACKUP_DIR/hourly/$d20"
check "the kept 30 days old one stays" test -d "$BACKUP_DIR/hourly/$d30"
check "the 2 and 3 days old ones stay" test -d "$BACKUP_DIR/hourly/$d2" -a -d "$BACKUP_DIR/hourly/$d3"
check "so do the new ones" test "$(listed)" = 5

# --delete: one backup; a kept one only with --force.
expect_exit "--delete of a kept backup is refused" 64 "is kept for before the 2.0 migration: give --force" \
	"$BACKUP" --delete "$old30"
check "and it is still there" test -d "$BACKUP_DIR/hourly/$d30"
check "--delete removes an unkept backup" "$BACKUP" --delete "$d3"
check "it is gone" test ! -e "$BACKUP_DIR/hourly/$d3"
expect_exit "--delete of it again finds nothing" 66 "no backup of the hourly tier matches --delete" \
	"$BACKUP" --delete "$d3"
check "--unkeep releases the kept one" "$BACKUP" --unkeep "$old30"
check "the pin says released" grep -qx "kept = no" "$BACKUP_DIR/hourly/$d30/kept"
check "recover no longer lists it as kept" sh -c "! '$RECOVER' | grep -q '\\[kept'"
check "--unkeep of a backup not kept succeeds and says so" "$BACKUP" --unkeep "$old30"
check "it says nothing was kept" grep -q "is not kept" "$TMP/check.out"
check "the next prune removes it by age" env BACKUP_COUNT=24 BACKUP_MAX_AGE=5d "$BACKUP"
check "gone" test ! -e "$BACKUP_DIR/hourly/$d30"
check "--keep again, then --delete --force" sh -c "'$BACKUP' --keep '$d2' && '$BACKUP' --delete '$d2' --force"
check "the forced delete said it was kept" grep -q "it was kept: --force" "$TMP/check.out"
check "it is gone" test ! -e "$BACKUP_DIR/hourly/$d2"
check "every remaining backup intact" all_backups_intact
check "nothing half-written" no_leftovers

# BACKUP_MIN_COUNT: when every backup is too old (no run succeeded for
# weeks), pruning by age still leaves that many.
export BACKUP_DIR=$TMP/stale
check "a backup in a second store" "$BACKUP"
d40=$(ago 40) d41=$(ago 41) d42=$(ago 42) d43=$(ago 43)
backdate "$BACKUP_DIR" "$d40" "$d41" "$d42" "$d43"
rm -rf "$BACKUP_DIR/hourly/$(newest hourly)"
check "the store holds only old backups" test "$(listed)" = 4
check "a run with BACKUP_MAX_AGE=36h BACKUP_MIN_COUNT=3" env BACKUP_COUNT=24 BACKUP_MAX_AGE=36h BACKUP_MIN_COUNT=3 "$BACKUP"
check "the new one and the two newest old ones stay" \
	test "$(listed)" = 3 -a -d "$BACKUP_DIR/hourly/$d40" -a -d "$BACKUP_DIR/hourly/$d41"
check "the older ones went" test ! -e "$BACKUP_DIR/hourly/$d42" -a ! -e "$BACKUP_DIR/hourly/$d43"
check "BACKUP_MIN_COUNT from a tier policy" sh -c "mkdir -p '$TMP/tiers' && cp '$ROOT'/tiers/*.conf '$TMP/tiers/' &&
	printf 'backup_max_age = \"36h\";\nbackup_min_count = 2;\n' >>'$TMP/tiers/hourly.conf' &&
	TIERDUMP_TIERS_DIR='$TMP/tiers' BACKUP_COUNT=24 '$BACKUP'"
check "the policy's age and minimum applied" test "$(listed)" = 2 -a -d "$BACKUP_DIR/hourly/$(newest hourly)" -a ! -e "$BACKUP_DIR/hourly/$d40"

# Partial backups are bounded: a target that keeps failing adds a partial
# backup each run, but the tier holds at most BACKUP_COUNT of them and no
# failed run removes a complete backup.
export BACKUP_DIR=$TMP/failing
printf 'pw\n' >"$TMP/pw"
cat >"$TMP/two.conf" <<CONF
backup_dir = "$BACKUP_DIR";
targets = (
  { name = "app"; engine = "postgres"; host = "127.0.0.1"; port = 25641; user = "dbadmin";
    password_file = "$TMP/pw"; databases = [ "app" ]; },
  { name = "other"; engine = "postgres"; host = "127.0.0.1"; port = 25643; user = "dbadmin";
    password_file = "$TMP/pw"; }
);
CONF
unset PGHOST PGPORT PGUSER PGPASSWORD
for i in 1 2 3; do
	env TIERDUMP_CONFIG="$TMP/two.conf" BACKUP_COUNT=3 "$BACKUP" >"$TMP/run.log" 2>&1 ||
		fail "complete run $i" "$(tail -2 "$TMP/run.log")"
done
check "three complete backups" test "$(count_backups hourly)" = 3
pg_stop pg2
for i in 1 2 3 4 5; do
	expect_exit "failing run $i publishes a partial backup and fails" 69 "cannot connect to PostgreSQL at 127.0.0.1:25643" \
		env TIERDUMP_CONFIG="$TMP/two.conf" BACKUP_COUNT=3 "$BACKUP"
done
check "the run's reason is the failed target, not the pruning" grep -q "partial: target(s) other failed" "$TMP/last.err"
check "the failed runs pruned partial backups" grep -q "pruned hourly/.*, partial" "$TMP/last.err"
check "the tier holds BACKUP_COUNT=3 partial backups, not 5" test "$(ls "$BACKUP_DIR/hourly" | wc -l)" = 6
check "recover lists 3 partial ones" test "$("$RECOVER" --backup-dir "$BACKUP_DIR" | grep -c ' PARTIAL ')" = 3
check "and all 3 complete ones" test "$("$RECOVER" --backup-dir "$BACKUP_DIR" | grep -c ' complete ')" = 3
sleep 2
expect_exit "a failing run with BACKUP_MAX_AGE removes no complete backup either" 69 "partial" \
	env TIERDUMP_CONFIG="$TMP/two.conf" BACKUP_COUNT=1 BACKUP_MAX_AGE=1s "$BACKUP"
check "still 3 complete ones" test "$("$RECOVER" --backup-dir "$BACKUP_DIR" | grep -c ' complete ')" = 3
check "the old partial ones went by age and count: only the new one is left" \
	test "$("$RECOVER" --backup-dir "$BACKUP_DIR" | grep -c ' PARTIAL ')" = 1
use_pg 25641 pw

# The same on S3: age pruning, --keep, --unkeep, --delete.
export BACKUP_STORE=s3://backups/tierdump AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER \
	AWS_ENDPOINT_URL=http://127.0.0.1:25642 STORE_RETRIES=2
unset BACKUP_DIR
check "an hourly backup into S3" "$BACKUP"
s3first=$(grep -oE 'backup hourly/[^ ]+ complete' "$TMP/check.out" | cut -d/ -f2 | cut -d' ' -f1)
# s3rver keeps each object as a file plus its metadata files: copying them
# under another key is what a server-side copy would have made.
objects=$TMP/s3/data/backups/tierdump/hourly
check "the S3 server keeps the backup's objects on disk" test -d "$objects/$s3first"
for t in "$d20" "$d10" "$d3"; do cp -a "$objects/$s3first" "$objects/$t"; done
check "recover lists the backdated copies in S3" test "$(listed)" = 4
check "--keep on S3" "$BACKUP" --keep "$d20" --reason "audit"
check "recover lists it as kept from S3" sh -c "'$RECOVER' | grep -E '^hourly +$d20.*\\[kept: audit\\]$'"
check "an hourly run into S3 with BACKUP_MAX_AGE=5d" env BACKUP_COUNT=24 BACKUP_MAX_AGE=5d "$BACKUP"
check "the 10 days old one is gone from S3, the kept one stays" \
	sh -c "'$RECOVER' >'$TMP/s3.list' && ! grep -q '$d10' '$TMP/s3.list' && grep -q '$d20' '$TMP/s3.list'"
check "four remain" test "$(listed)" = 4
expect_exit "--delete of a kept backup on S3 is refused" 64 "is kept for audit" "$BACKUP" --delete "$d20"
check "--unkeep on S3" "$BACKUP" --unkeep "$d20"
check "--delete on S3" "$BACKUP" --delete "$d20"
check "--delete of an unkept one on S3" "$BACKUP" --delete "$d3"
check "only the two new ones remain in S3" sh -c "test \$('$RECOVER' | grep -c '^hourly ') = 2 && ! '$RECOVER' | grep -q '\\[kept'"

# And over FTPS.
export BACKUP_STORE=ftps://127.0.0.1:25644/backups FTP_USER=$FTP_TEST_USER FTP_PASSWORD=ftp-pw \
	FTP_CA_FILE=$TMP/ftps/cert.pem
check "an hourly backup over FTPS" "$BACKUP"
ftpfirst=$(ls "$TMP/ftp-home/backups/hourly" | grep '^[0-9]' | tail -1)
for t in "$d20" "$d10"; do cp -a "$TMP/ftp-home/backups/hourly/$ftpfirst" "$TMP/ftp-home/backups/hourly/$t"; done
check "--keep over FTPS" "$BACKUP" --keep "$d20" --reason "legal hold"
check "recover lists it as kept over FTPS" sh -c "'$RECOVER' | grep -E '^hourly +$d20.*\\[kept: legal hold\\]$'"
check "an hourly run over FTPS with BACKUP_MAX_AGE=5d" env BACKUP_COUNT=24 BACKUP_MAX_AGE=5d "$BACKUP"
check "the 10 days old one is gone, the kept one stays" \
	test ! -e "$TMP/ftp-home/backups/hourly/$d10" -a -d "$TMP/ftp-home/backups/hourly/$d20"
expect_exit "--delete of a kept backup over FTPS is refused" 64 "is kept for legal hold" "$BACKUP" --delete "$d20"
check "--unkeep, then --delete over FTPS" sh -c "'$BACKUP' --unkeep '$d20' && '$BACKUP' --delete '$d20'"
check "it is gone, and nothing half-deleted is left" sh -c "test ! -e '$TMP/ftp-home/backups/hourly/$d20' && ! ls -a '$TMP/ftp-home/backups/hourly' | grep -q deleting"
check "two backups remain over FTPS" test "$(listed)" = 2
