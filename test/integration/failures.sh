# Failure modes: every failed run exits with its documented status, ends its
# stderr with "backup: error: <reason>" (or "recover: error: <reason>")
# naming the cause, leaves every earlier backup intact and leaves nothing
# half-written that recover would list or that a later run must tidy up.
source "$(dirname "$0")/../lib.sh"

export BACKUP_DIR=$TMP/backups
MAIN_DIR=$BACKUP_DIR
pg_start src 25411 src-pw || exit 1
pg_start dst 25412 dst-pw || exit 1
use_pg 25411 src-pw
psql -X -q -v ON_ERROR_STOP=1 -d postgres -f "$ROOT/test/fixtures.sql" >/dev/null || exit 1

# ------------------------------------------------------------------ helpers

# judge NAME CODE PATTERN RC ERRFILE: a run that exited RC with stderr in
# ERRFILE must have exited CODE, and its last stderr line must be
# "backup: error: <reason>" (or recover's) with PATTERN (an extended regex)
# in the reason.
judge() {
	local name=$1 code=$2 pattern=$3 rc=$4 err=$5 last
	last=$(tail -n 1 "$err")
	if [ "$rc" != "$code" ]; then
		fail "$name" "exit $rc, expected $code: $(tail -3 "$err")"
	elif ! [[ $last =~ ^(backup|recover):\ error:\ . ]]; then
		fail "$name" "the last stderr line is not 'program: error: reason': $last"
	elif ! grep -Eq -- "$pattern" <<<"$last"; then
		fail "$name" "the reason lacks /$pattern/: $last"
	else
		pass "$name"
	fi
}

# expect_fail NAME CODE PATTERN COMMAND...: runs COMMAND and judges it;
# stdout and stderr are kept in $TMP/last.out and $TMP/last.err.
expect_fail() {
	local name=$1 code=$2 pattern=$3
	shift 3
	"$@" >"$TMP/last.out" 2>"$TMP/last.err"
	judge "$name" "$code" "$pattern" $? "$TMP/last.err"
}

# What recover lists (tier and timestamp), to compare before and after.
listing() {
	"$RECOVER" 2>/dev/null | awk 'NR > 1 { print $1, $2 }'
}

# remember: notes what recover lists now; store_unharmed compares with it.
remember() {
	listing >"$TMP/listing.before"
}

# store_unharmed NAME: what a failed run must leave behind.
store_unharmed() {
	check "$1: every earlier backup still verifies" all_backups_intact
	check "$1: nothing half-written is left" no_leftovers
	listing >"$TMP/listing.after"
	if diff "$TMP/listing.before" "$TMP/listing.after" >"$TMP/listing.diff"; then
		pass "$1: recover lists the same backups as before"
	else
		fail "$1: recover lists the same backups as before" "$(head -5 "$TMP/listing.diff")"
	fi
}

# The databases and roles of the current server, to prove it was not touched.
server_objects() {
	sql postgres "SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database"
	sql postgres "SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles"
}

# flip_byte FILE OFFSET: inverts the bits of one byte in place.
flip_byte() {
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "$(printf '\\%03o' $((b ^ 255)))" | dd of="$1" bs=1 seek="$2" count=1 conv=notrunc status=none
}

# start_backup [VAR=value...]: an hourly run in the background; its PID in
# $bgpid, its stderr in $TMP/bg.err.
start_backup() {
	env "$@" "$BACKUP" >"$TMP/bg.out" 2>"$TMP/bg.err" &
	bgpid=$!
}

# wait_growing PID: waits (up to 30 s) until the hidden staging directory
# holds PID's temporary dumpall.sql.gz and it grows past 1 MiB, which only
# the big table gets it to: the dump is then in the middle of that table.
wait_growing() {
	local f size last=-1
	for _ in $(seq 300); do
		kill -0 "$1" 2>/dev/null || return 1
		for f in "$BACKUP_DIR"/hourly/.partial-*/.dumpall.sql.gz.tmp-"$1"; do
			size=$(stat -c %s "$f" 2>/dev/null) || continue
			[ "$last" -ge 0 ] && [ "$size" -gt "$last" ] && [ "$size" -gt 1048576 ] && return 0
			last=$size
		done
		sleep 0.1
	done
	return 1
}

# finish PID: waits (up to 60 s, then kills it) for a background run; $rc.
finish() {
	for _ in $(seq 600); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null && echo "warning: $1 still ran after 60 s: killed"
	wait "$1" 2>/dev/null
	rc=$?
}

# --------------------------------------------------- two good backups first

check "a first good hourly backup" "$BACKUP"
B1=$(newest hourly)
check "a second good hourly backup" "$BACKUP"
B2=$(newest hourly)
check "the two backups have distinct timestamps" test -n "$B1" -a -n "$B2" -a "$B1" != "$B2"
# Everything below compares with these two: without them it would only cascade.
[ -n "$B1" ] && [ -n "$B2" ] && [ "$B1" != "$B2" ] || exit 1
remember

# ------------------------------------------------------- wrong password (77)

expect_fail "a wrong password fails with 77 naming the refused user" 77 \
	"refused user dbadmin" env PGPASSWORD=wr0ng-Pa55word-xyzzy "$BACKUP"
check "the wrong password is not in stderr" \
	sh -c "! grep -q -e 'wr0ng-Pa55word-xyzzy' -e 'src-pw' '$TMP/last.err'"
store_unharmed "wrong password"

# ---------------------------------------------------------- bad settings (78, 64)

remember

expect_fail "BACKUP_COUNT=abc fails with 78" 78 "BACKUP_COUNT.*abc" env BACKUP_COUNT=abc "$BACKUP"
expect_fail "BACKUP_TYPE=yearly fails with 78" 78 "BACKUP_TYPE.*yearly" env BACKUP_TYPE=yearly "$BACKUP"
printf 'backup_count = 3;\nno_such_key = "x";\n' >"$TMP/bad.conf"
expect_fail "TIERDUMP_CONFIG with an unknown key fails with 78 naming file and line" 78 \
	"bad\.conf:2:.*no_such_key" env TIERDUMP_CONFIG="$TMP/bad.conf" "$BACKUP"
expect_fail "--config with an unknown key fails with 78 naming file and line" 78 \
	"bad\.conf:2:.*no_such_key" "$BACKUP" --config "$TMP/bad.conf"
expect_fail "--no-such-flag fails with 64" 64 "no-such-flag" "$BACKUP" --no-such-flag
store_unharmed "bad settings"

# ---------------------------------------------------------- the termination log

termlog_matches() {
	local reason
	reason=$(tail -n 1 "$TMP/last.err")
	reason=${reason#*: error: }
	[ -f "$TMP/termlog" ] || { echo "no termination log"; return 1; }
	[ "$(wc -l <"$TMP/termlog")" = 1 ] || { echo "not one line:"; cat "$TMP/termlog"; return 1; }
	[ "$(cat "$TMP/termlog")" = "$reason" ] || { echo "log: $(cat "$TMP/termlog") / stderr: $reason"; return 1; }
}
rm -f "$TMP/termlog"
expect_fail "a bad setting with TERMINATION_LOG set fails with 78" 78 "yearly" \
	env TERMINATION_LOG="$TMP/termlog" BACKUP_TYPE=yearly "$BACKUP"
check "the termination log holds the reason of a bad setting" termlog_matches
rm -f "$TMP/termlog"
expect_fail "a refused login with TERMINATION_LOG set fails with 77" 77 "refused" \
	env TERMINATION_LOG="$TMP/termlog" PGPASSWORD=wr0ng-Pa55word-xyzzy "$BACKUP"
check "the termination log holds the reason of a refused login" termlog_matches
check "the termination log does not hold the password" sh -c "! grep -q wr0ng-Pa55word-xyzzy '$TMP/termlog'"
rm -f "$TMP/termlog"
expect_fail "recover with a bad FROM_BACKUP and TERMINATION_LOG set fails with 64" 64 "FROM_BACKUP" \
	env TERMINATION_LOG="$TMP/termlog" FROM_BACKUP=yesterday "$RECOVER"
check "the termination log holds recover's reason" termlog_matches

# ------------------------------------------------------- bad FROM_BACKUP (64, 66)

for value in "../x" "/etc/passwd" "" "yesterday" "2026-13"; do
	expect_fail "FROM_BACKUP='$value' fails with 64" 64 "FROM_BACKUP" env FROM_BACKUP="$value" "$RECOVER"
done
expect_fail "FROM_BACKUP matching no backup fails with 66" 66 "FROM_BACKUP=2001-01-01T00:00:00Z" \
	env FROM_BACKUP=2001-01-01T00:00:00Z "$RECOVER"
# The longest common prefix of the two backups' timestamps matches both.
prefix=
for ((i = 0; i < ${#B1}; i++)); do
	[ "${B1:i:1}" = "${B2:i:1}" ] || break
	prefix+=${B1:i:1}
done
expect_fail "an ambiguous FROM_BACKUP prefix fails with 64" 64 "FROM_BACKUP=$prefix.*ambiguous" \
	env FROM_BACKUP="$prefix" "$RECOVER"
check "the ambiguous prefix lists the older candidate" grep -q -e "hourly/$B1" "$TMP/last.err"
check "the ambiguous prefix lists the newer candidate" grep -q -e "hourly/$B2" "$TMP/last.err"

# ------------------------------------------------------------ missing manifest

check "a third good hourly backup" "$BACKUP"
B3=$(newest hourly)
rm -f "$BACKUP_DIR/hourly/$B3/manifest"
check "a backup without a manifest is not listed" sh -c "! '$RECOVER' 2>/dev/null | grep -q '$B3'"
check "the backups with a manifest are still listed" sh -c "'$RECOVER' 2>/dev/null | grep -q '$B2'"
expect_fail "FROM_BACKUP naming a backup without manifest fails with 66" 66 "$B3" \
	env FROM_BACKUP="$B3" "$RECOVER"
rm -rf "${BACKUP_DIR:?}/hourly/$B3"
remember

# ------------------------------------------------- corrupt and truncated (65)

file=$BACKUP_DIR/hourly/$B2/dumpall.sql.gz
cp "$file" "$TMP/dumpall.orig"
size=$(stat -c %s "$file")
flip_byte "$file" $((size / 2))
check "the test flipped a byte in the middle of the newest dump" sh -c "! cmp -s '$file' '$TMP/dumpall.orig' && test \$(stat -c %s '$file') = $size"
use_pg 25412 dst-pw
server_objects >"$TMP/target.before"
expect_fail "restoring a corrupted backup fails with 65 naming the file and SHA-256" 65 \
	"$B2/dumpall\.sql\.gz.*SHA-256" env FROM_BACKUP=latest "$RECOVER"
server_objects >"$TMP/target.after"
check "the target server was not touched by the corrupted restore" diff "$TMP/target.before" "$TMP/target.after"

cp "$TMP/dumpall.orig" "$file"
truncate -s $((size / 2)) "$file"
expect_fail "restoring a truncated backup fails with 65 saying truncated" 65 \
	"$B2/dumpall\.sql\.gz.*truncated" env FROM_BACKUP=latest "$RECOVER"
server_objects >"$TMP/target.after"
check "the target server was not touched by the truncated restore" diff "$TMP/target.before" "$TMP/target.after"

check "an older intact backup still restores by its exact timestamp" env FROM_BACKUP="$B1" "$RECOVER"
use_pg 25412 src-pw # the restore brought the source's superuser password along
check "the older backup's data is there" test "$(sql shop "SELECT count(*) FROM sales.orders")" = 500
cp "$TMP/dumpall.orig" "$file"
check "the repaired backup verifies again" verify_backup "$BACKUP_DIR/hourly/$B2"
use_pg 25411 src-pw

# ---------------------------------------------------- read-only directory (73)

mkdir -p "$TMP/ro"
mount -t tmpfs -o size=16m tmpfs "$TMP/ro" && MOUNTS+=("$TMP/ro")
export BACKUP_DIR=$TMP/ro/backups
check "a good backup into the soon read-only directory" "$BACKUP"
RO=$(newest hourly)
mount -o remount,ro "$TMP/ro"
remember
expect_fail "a read-only backup directory fails with 73" 73 "[Rr]ead-only" "$BACKUP"
check "the backup made before is still there and verifies" verify_backup "$BACKUP_DIR/hourly/$RO"
store_unharmed "read-only directory"

# --------------------------------------------------------- full directory (73)

mkdir -p "$TMP/full"
mount -t tmpfs -o size=2m tmpfs "$TMP/full" && MOUNTS+=("$TMP/full")
export BACKUP_DIR=$TMP/full/backups
check "a good backup of the small database into a 2 MiB directory" "$BACKUP"
FULL=$(newest hourly)
sql postgres "CREATE TABLE filler AS SELECT md5(random()::text) AS t FROM generate_series(1, 300000)"
dump_size=$(pg_dump --no-password -t filler postgres | gzip -6 | wc -c)
free=$(df -B1 --output=avail "$TMP/full" | tail -1)
check "the compressed filler table ($dump_size bytes) exceeds the free space ($free bytes)" \
	test "$dump_size" -gt "$free"
remember
expect_fail "a full backup directory fails with 73 and No space left" 73 "No space left" "$BACKUP"
store_unharmed "full directory"
check "the earlier backup is still listed" sh -c "'$RECOVER' 2>/dev/null | grep -q '^hourly  *$FULL '"
check "a daily promotion still works in the full directory" env BACKUP_TYPE=daily "$BACKUP"
check "the daily tier holds the promoted backup" verify_backup "$BACKUP_DIR/daily/$FULL"
check "the promoted file is a hard link of the hourly one" test \
	"$(stat -c %i "$BACKUP_DIR/hourly/$FULL/dumpall.sql.gz")" = "$(stat -c %i "$BACKUP_DIR/daily/$FULL/dumpall.sql.gz" 2>/dev/null)"
sql postgres "DROP TABLE filler"

# ------------------------------------------------------- promotion edge cases

export BACKUP_DIR=$TMP/promo
check "daily with an empty hourly tier exits 0" env BACKUP_TYPE=daily "$BACKUP"
check "it says there is nothing to promote" grep -q "nothing to promote" "$TMP/check.out"
check "the daily tier holds nothing" test -z "$(ls "$BACKUP_DIR/daily" 2>/dev/null)"
check "promo: first hourly" "$BACKUP"
check "promo: first daily" env BACKUP_TYPE=daily "$BACKUP"
check "promo: second hourly" "$BACKUP"
check "promo: second daily" env BACKUP_TYPE=daily "$BACKUP"
check "promo: third hourly" "$BACKUP"
snapshot() { find "$BACKUP_DIR/daily" -path '*/.lock' -prune -o -printf '%p %i %s\n' | sort; }
snapshot >"$TMP/daily.before"
check "the daily tier holds two backups" test "$(count_backups daily)" = 2
check "BACKUP_PRIOR_COUNT larger than the hourly count exits 0" \
	env BACKUP_TYPE=daily BACKUP_PRIOR_COUNT=4 BACKUP_COUNT=1 "$BACKUP"
check "it says there is nothing to promote" grep -q "nothing to promote" "$TMP/check.out"
snapshot >"$TMP/daily.after"
check "nothing was promoted or pruned in the daily tier" diff "$TMP/daily.before" "$TMP/daily.after"
check "the newest hourly was not promoted" test ! -e "$BACKUP_DIR/daily/$(newest hourly)"

export BACKUP_DIR=$MAIN_DIR
remember

# --------------------------------------------------- a dump that takes a while

sql postgres "CREATE TABLE big AS SELECT g AS id, md5(random()::text) AS t FROM generate_series(1, 1500000) g"

# pg_dumpall killed with SIGKILL mid-stream (79).
start_backup
if wait_growing "$bgpid"; then
	pass "pg_dumpall kill: the dump is under way in a hidden staging directory"
else
	fail "pg_dumpall kill: the dump is under way in a hidden staging directory" "$(tail -3 "$TMP/bg.err")"
fi
dumper=$(pgrep -P "$bgpid" -x pg_dumpall)
check "pg_dumpall runs as a child of backup" test -n "$dumper"
[ -n "$dumper" ] && kill -KILL "$dumper"
finish "$bgpid"
judge "a killed pg_dumpall fails the backup with 79 naming it and the signal" 79 \
	"pg_dumpall.*KILL" "$rc" "$TMP/bg.err"
check "no .partial-* directory is left" sh -c "! ls -a '$BACKUP_DIR/hourly' | grep -q '^\.partial-'"
store_unharmed "pg_dumpall killed"

# backup itself stopped by SIGTERM mid-dump (82).
remember
start_backup
if wait_growing "$bgpid"; then
	pass "SIGTERM: the dump is under way"
else
	fail "SIGTERM: the dump is under way" "$(tail -3 "$TMP/bg.err")"
fi
kill -TERM "$bgpid"
finish "$bgpid"
judge "SIGTERM mid-dump fails with 82 saying interrupted" 82 "interrupted" "$rc" "$TMP/bg.err"
store_unharmed "SIGTERM"

# backup killed with SIGKILL mid-dump: the staging stays, the next run removes it.
remember
start_backup
if wait_growing "$bgpid"; then
	pass "SIGKILL: the dump is under way"
else
	fail "SIGKILL: the dump is under way" "$(tail -3 "$TMP/bg.err")"
fi
{ kill -KILL "$bgpid"; finish "$bgpid"; } 2>/dev/null # no "Killed" notice from bash
partial=$(ls -a "$BACKUP_DIR/hourly" | grep -E "^\.partial-.*-$bgpid\$")
check "SIGKILL leaves its .partial-* directory" test -n "$partial"
stamp=${partial#.partial-}
stamp=${stamp%-"$bgpid"}
check "recover does not list the partial backup" sh -c "! '$RECOVER' 2>/dev/null | grep -q -- '$stamp'"
listing >"$TMP/listing.after"
check "recover lists the same backups as before the SIGKILL" diff "$TMP/listing.before" "$TMP/listing.after"
sql postgres "DROP TABLE big" # a quick next run
check "the next hourly run succeeds" "$BACKUP"
check "it says it removed what the interrupted run left" \
	grep -Eq "removing .*/hourly/${partial:-.partial-none}, left by an interrupted run" "$TMP/check.out"
check "after the next run nothing is left over" no_leftovers
check "after the next run every backup verifies" all_backups_intact
remember

# --------------------------------------------------------- server down (69)

pg_stop src
expect_fail "a stopped server fails with 69 saying cannot connect" 69 "cannot connect" "$BACKUP"
store_unharmed "server down"
