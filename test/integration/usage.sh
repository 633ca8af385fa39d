# Each mode of a binary takes its own flags: a flag the chosen mode does not
# take is a usage error (exit 64) naming the flag and the mode, before any
# store or server is touched; the flags a mode does take still work.
source "$(dirname "$0")/../lib.sh"

export BACKUP_DIR=$TMP/backups
mkdir -p "$BACKUP_DIR"
# Nothing listens here: a command that got past its flags would fail otherwise (exit 69 or 78).
export PGHOST=127.0.0.1 PGPORT=1 PGUSER=nobody PGPASSWORD=x

expect_exit "--check with --verify is refused, not ignored" 64 "--verify and --check are different modes of backup" \
	"$BACKUP" --verify latest --check
expect_exit "--check with VERIFY_BACKUP set is refused too" 64 "--verify and --check are different modes" \
	env VERIFY_BACKUP=latest "$BACKUP" --check
expect_exit "--verify takes no --database" 64 "--database is not an option of backup --verify" \
	"$BACKUP" --verify latest --database app
expect_exit "--check takes no --compression" 64 "--compression is not an option of backup --check" \
	"$BACKUP" --check --compression zstd
expect_exit "a promotion takes no --database" 64 "--database is not an option of a promotion" \
	"$BACKUP" --tier daily --database app
expect_exit "a promotion takes no --engine" 64 "--engine is not an option of a promotion" \
	env BACKUP_TYPE=weekly "$BACKUP" --engine mariadb
expect_exit "an hourly backup takes no --prior-tier" 64 "--prior-tier is not an option of an hourly backup" \
	"$BACKUP" --tier hourly --prior-tier daily
expect_exit "wal-push takes no --tier" 64 "unknown or incomplete option '--tier'" \
	"$BACKUP" wal-push --tier hourly "$TMP/x"
expect_exit "a listing takes no --force" 64 "--force is not an option of a listing" \
	"$RECOVER" --force
expect_exit "a restore takes no --json" 64 "--json is not an option of a restore" \
	"$RECOVER" --from-backup latest --json
expect_exit "an unknown first word is an unexpected argument" 64 "unexpected argument 'wal-pull'" \
	"$BACKUP" wal-pull x
check "no usage error touched the store" test -z "$(ls -A "$BACKUP_DIR")"

# The flags each mode does take get past the parser (and then meet the empty store).
expect_exit "--verify with its own flags reaches the store" 66 "no complete backup matches VERIFY_BACKUP=latest" \
	"$BACKUP" --verify latest --backup-dir "$BACKUP_DIR" --tier hourly
check "a listing with --json and --from-backup none runs" "$RECOVER" --json --from-backup none
check "the empty listing is JSON" grep -q '^\[' "$TMP/check.out"
expect_exit "a promotion with its own flags runs (nothing to promote is no failure)" 0 "nothing to promote" \
	"$BACKUP" --tier daily --prior-tier hourly --prior-count 1 --count 3
