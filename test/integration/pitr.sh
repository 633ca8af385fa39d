# Point-in-time recovery: a PostgreSQL (the installed major) with archive_mode=on whose
# archive_command is `backup wal-push %p`, physical base backups in the
# hourly tier, recovery to a time T (exactly the rows before T come back), to
# the latest WAL with --start, WAL retention across tiers, --check, an
# archive that goes away and comes back, and wal-push/wal-fetch on S3 and FTPS.
source "$(dirname "$0")/../lib.sh"

# The server runs archive_command and restore_command as postgres: it gets
# its own copies of the binaries, and the store is its to write.
archive_setup

PG_CONF="wal_level = replica
archive_mode = on
archive_command = 'TIERDUMP_CONFIG=/dev/null BACKUP_DIR=$BACKUP_DIR $BACKUP wal-push %p'" \
	pg_start src 25601 Pitr-Secret-7q || exit 1
use_pg 25601 Pitr-Secret-7q

insert() { # insert FROM TO: one transaction per row, each stamped with its time
	for i in $(seq "$1" "$2"); do sql postgres "INSERT INTO ticks (n) VALUES ($i)" >/dev/null; done
}
field() { # field KEY BACKUP-DIR: a value of a backup's manifest
	sed -n "s/^$1 = //p" "$2/manifest"
}

sql postgres "CREATE TABLE ticks (n int PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp())" >/dev/null
insert 1 5
check "the first segments are archived through backup wal-push" switch_and_wait
check "archive_command ran backup wal-push as postgres, not root" \
	sh -c "ls '$WAL'/*.meta >/dev/null && test -z \"\$(find '$WAL' ! -user postgres)\""

# --- a base backup ---------------------------------------------------------
check "a physical base backup in the hourly tier" "$BACKUP"
base1=$(newest hourly)
check "WAL older than it, which no base backup needs, is removed at once" \
	grep -q "removed 1 archived WAL file(s) older than $(field wal_start_segment "$BACKUP_DIR/hourly/$base1")" "$TMP/check.out"
check "segment 1 is gone from the archive" test ! -e "$WAL/000000010000000000000001.meta"
check "it is one tar, streamed through the pipeline" test -f "$BACKUP_DIR/hourly/$base1/base.tar.gz"
check "the tar holds pg_basebackup's backup_manifest and backup_label" \
	sh -c "gzip -dc '$BACKUP_DIR/hourly/$base1/base.tar.gz' | tar -t | grep -qx backup_manifest && gzip -dc '$BACKUP_DIR/hourly/$base1/base.tar.gz' | tar -t | grep -qx backup_label"
check "the manifest records the engine, timeline, start and stop LSN and times" sh -c "
	grep -qx 'engine = postgres-physical' '$BACKUP_DIR/hourly/$base1/manifest' &&
	grep -qx 'wal_timeline = 1' '$BACKUP_DIR/hourly/$base1/manifest' &&
	grep -Eqx 'wal_start_lsn = [0-9A-F]+/[0-9A-F]+' '$BACKUP_DIR/hourly/$base1/manifest' &&
	grep -Eqx 'wal_stop_lsn = [0-9A-F]+/[0-9A-F]+' '$BACKUP_DIR/hourly/$base1/manifest' &&
	grep -Eqx 'wal_start_segment = [0-9A-F]{24}' '$BACKUP_DIR/hourly/$base1/manifest' &&
	grep -Eq '^base_stopped = 20' '$BACKUP_DIR/hourly/$base1/manifest'"
start1=$(field wal_start_segment "$BACKUP_DIR/hourly/$base1")
check "its checksums hold" verify_backup "$BACKUP_DIR/hourly/$base1"
check "recover lists it as a postgres-physical backup" sh -c "'$RECOVER' --json | grep -q '\"engine\": \"postgres-physical\"'"
check "and marks it as a base backup in its table" sh -c "'$RECOVER' | grep -E '^hourly +$base1 .* \[base backup\] postgres'"
check "the daily tier promotes it like any backup" env BACKUP_TYPE=daily BACKUP_PRIOR_COUNT=1 "$BACKUP"
check "the promoted manifest keeps the WAL fields" grep -qx "wal_start_segment = $start1" "$BACKUP_DIR/daily/$base1/manifest"

# --- rows, a time T, more rows ---------------------------------------------
sleep 1.2 # T must come after the base backup became consistent
insert 6 10
check "more segments are archived" switch_and_wait
T=$(sql postgres "SELECT clock_timestamp()")
insert 11 15
check "and the segments holding the rows after T" switch_and_wait
check "the server counts 10 rows before T" test "$(sql postgres "SELECT count(*) FROM ticks WHERE at < '$T'")" = 10

# --- recovery to T -----------------------------------------------------------
mkdir "$TMP/pitr"
chown postgres:postgres "$TMP/pitr"
check "recover to RECOVERY_TARGET_TIME=T, the base backup chosen for it" \
	env PGDATA="$TMP/pitr" RECOVERY_TARGET_TIME="$T" DATABASE_EXPECTED_COUNT=1 "$RECOVER"
cp "$TMP/check.out" "$TMP/recover-t.out"
check "it chose the base backup consistent before T" grep -q "is the newest to start from" "$TMP/recover-t.out"
check "DATABASE_EXPECTED_COUNT waits for a started server" grep -q "DATABASE_EXPECTED_COUNT is not checked" "$TMP/recover-t.out"
check "it wrote recovery.signal" test -f "$TMP/pitr/recovery.signal"
check "and the recovery settings with recover wal-fetch as restore_command" sh -c "
	grep -q \"^restore_command = '.*/recover'' wal-fetch\" '$TMP/pitr/postgresql.auto.conf' &&
	grep -q \"^recovery_target_time = '\" '$TMP/pitr/postgresql.auto.conf' &&
	grep -q \"^recovery_target_action = 'promote'\" '$TMP/pitr/postgresql.auto.conf'"
check "no secret in the recovery settings" sh -c "! grep -q Pitr-Secret-7q '$TMP/pitr/postgresql.auto.conf'"
# The recovered server must not archive into the store the original still uses.
mkdir "$TMP/pitr-log"
chown postgres:postgres "$TMP/pitr-log"
check "the recovered server starts" runuser -u postgres -- "$PGBIN/pg_ctl" -D "$TMP/pitr" -l "$TMP/pitr-log/log" \
	-w -t 120 -o "-p 25602 -k $TMP/pitr -c archive_mode=off" start
PIDS+=("$(head -1 "$TMP/pitr/postmaster.pid" 2>/dev/null)")
check "it replays the archive and is promoted" wait_promoted 25602 "$TMP/pitr"
check "exactly the 10 rows inserted before T are back" \
	test "$(psql -X -qAt -h "$TMP/pitr" -p 25602 -d postgres -c 'SELECT count(*) || '"' '"' || max(n) FROM ticks')" = "10 10"
check "it fetched segments through recover wal-fetch" grep -q "restored [0-9A-F]* from the archive" "$TMP/pitr-log/log"
kill -INT "$(head -1 "$TMP/pitr/postmaster.pid")"

# --- the same, as postgres: recover runs as the owner of PGDATA, not root -------
# (runuser -u postgres -- recover, or a Kubernetes Job's non-root uid): the
# files are its own, so no child switches user. The store is postgres's.
give_store postgres
mkdir "$TMP/pitr-pg"
chown postgres:postgres "$TMP/pitr-pg"
check "as postgres: recover lists the base backup" \
	sh -c "runuser -u postgres -- '$RECOVER' | grep -E '^hourly +$base1 .* \[base backup\] postgres'"
check "as postgres: recover to RECOVERY_TARGET_TIME=T into a PGDATA postgres owns" \
	as_postgres env PGDATA="$TMP/pitr-pg" RECOVERY_TARGET_TIME="$T" "$RECOVER"
check "as postgres: every restored file is postgres's" test -z "$(find "$TMP/pitr-pg" ! -user postgres)"
check "as postgres: the recovered server starts" as_postgres "$PGBIN/pg_ctl" -D "$TMP/pitr-pg" \
	-l "$TMP/pitr-log/pg.log" -w -t 120 -o "-p 25606 -k $TMP/pitr-pg -c archive_mode=off" start
PIDS+=("$(head -1 "$TMP/pitr-pg/postmaster.pid" 2>/dev/null)")
check "as postgres: it replays the archive through recover wal-fetch and is promoted" wait_promoted 25606 "$TMP/pitr-pg"
check "as postgres: exactly the 10 rows inserted before T are back" \
	test "$(psql -X -qAt -h "$TMP/pitr-pg" -p 25606 -d postgres -c 'SELECT count(*) || '"' '"' || max(n) FROM ticks')" = "10 10"
check "as postgres: recover wal-fetch restores a segment" as_postgres "$RECOVER" wal-fetch "$start1" "$TMP/pitr-log/$start1"
kill -INT "$(head -1 "$TMP/pitr-pg/postmaster.pid")"
mkdir "$TMP/not-postgres"
chown nobody "$TMP/not-postgres"
chmod 777 "$TMP/not-postgres"
expect_exit "as postgres: a PGDATA another user owns is refused, naming the user to run as" 80 \
	"PGDATA .*not-postgres belongs to nobody, and recover runs as postgres.*runuser -u nobody" \
	as_postgres env PGDATA="$TMP/not-postgres" RECOVERY_TARGET=immediate "$RECOVER"
check "and nothing was written into it" test -z "$(ls -A "$TMP/not-postgres")"

# --- refusals ---------------------------------------------------------------
expect_exit "a non-empty PGDATA is refused" 80 "is not empty.*nothing was changed" \
	env PGDATA="$TMP/pitr" RECOVERY_TARGET=latest "$RECOVER"
expect_exit "a physical backup without PGDATA" 78 "set PGDATA to an empty directory" \
	env FROM_BACKUP="$base1" "$RECOVER"
expect_exit "a malformed RECOVERY_TARGET_TIME" 64 "RECOVERY_TARGET_TIME='yesterday' is not a time" \
	env PGDATA="$TMP/none" RECOVERY_TARGET_TIME=yesterday "$RECOVER"
expect_exit "a RECOVERY_TARGET that is neither immediate nor latest" 64 "RECOVERY_TARGET='soon' is not" \
	env PGDATA="$TMP/none" RECOVERY_TARGET=soon "$RECOVER"
expect_exit "a target time before every base backup" 66 "no physical base backup was consistent before RECOVERY_TARGET_TIME" \
	env PGDATA="$TMP/none" RECOVERY_TARGET_TIME="2001-01-01 00:00:00" "$RECOVER"
check "a logical dump of the same server" env BACKUP_METHOD=logical "$BACKUP"
expect_exit "a recovery target with a logical dump is refused" 64 "is a logical dump: RECOVERY_TARGET_TIME and RECOVERY_TARGET need a physical" \
	env PGDATA="$TMP/none" FROM_BACKUP="$(newest hourly)" RECOVERY_TARGET=latest "$RECOVER"
check "nothing was left in PGDATA by the refusals" test ! -e "$TMP/none"
mkdir "$TMP/small"
mount -t tmpfs -o size=2m tmpfs "$TMP/small" && MOUNTS+=("$TMP/small")
chown postgres:postgres "$TMP/small"
expect_exit "a PGDATA too small for the base backup fails" 80 "tar|No space" \
	env PGDATA="$TMP/small" RECOVERY_TARGET=immediate "$RECOVER"
check "and leaves PGDATA empty, not half a cluster" test -z "$(ls -A "$TMP/small")"
check "saying so" grep -q "removed what the failed restore had put into PGDATA" "$TMP/last.err"
expect_exit "the same as postgres, PGDATA's owner, who may not write where it is mounted" 80 "tar|No space" \
	as_postgres env PGDATA="$TMP/small" RECOVERY_TARGET=immediate "$RECOVER"
check "PGDATA is empty again, and still postgres's" \
	sh -c "test -z \"\$(ls -A '$TMP/small')\" && test \"\$(stat -c %U '$TMP/small')\" = postgres"

# --- the archive's answers ----------------------------------------------------
expect_exit "wal-fetch of a segment not archived exits non-zero" 66 "0000000100000000000000FF is not in the WAL archive" \
	"$RECOVER" wal-fetch 0000000100000000000000FF "$TMP/seg"
check "and writes nothing" test ! -e "$TMP/seg"
expect_exit "wal-fetch without both its arguments is a usage error" 64 "wal-fetch needs 2 argument\(s\)" \
	"$RECOVER" wal-fetch 000000010000000000000002
expect_exit "wal-push with one too many" 64 "unexpected argument 'extra'" "$BACKUP" wal-push "$TMP/seg" extra
expect_exit "wal-fetch refuses a name that is no WAL file" 64 "not a WAL file name" \
	"$RECOVER" wal-fetch ../../etc/passwd "$TMP/seg"
check "wal-fetch restores an archived segment" "$RECOVER" wal-fetch "$start1" "$TMP/$start1"
check "pushing the same segment again succeeds" "$BACKUP" wal-push "$TMP/$start1"
check "saying it was archived already" grep -q "archived already, with the same content" "$TMP/check.out"
printf 'X' | dd of="$TMP/$start1" bs=1 seek=4096 conv=notrunc 2>/dev/null
expect_exit "pushing different content under an archived name fails loudly" 78 "archived already with different content" \
	"$BACKUP" wal-push "$TMP/$start1"
cp "$WAL/$start1.gz" "$TMP/saved.gz"
printf 'X' | dd of="$WAL/$start1.gz" bs=1 seek=200 conv=notrunc 2>/dev/null
expect_exit "a damaged archived segment is refused at wal-fetch" 65 "damaged|corrupt|truncated" \
	"$RECOVER" wal-fetch "$start1" "$TMP/damaged"
check "leaving no file behind" sh -c "! ls '$TMP' | grep -q damaged"
cp "$TMP/saved.gz" "$WAL/$start1.gz"

# --- the archive goes away and comes back --------------------------------------
failed_before=$(sql postgres "SELECT failed_count FROM pg_stat_archiver")
chmod 000 "$WAL"
sql postgres "INSERT INTO ticks (n) VALUES (16)" >/dev/null
lost=$(sql postgres "SELECT pg_walfile_name(pg_switch_wal())")
for _ in $(seq 100); do
	[ "$(sql postgres "SELECT failed_count FROM pg_stat_archiver")" != "$failed_before" ] && break
	sleep 0.1
done
check "an unwritable archive makes archive_command fail" \
	test "$(sql postgres "SELECT failed_count FROM pg_stat_archiver")" != "$failed_before"
check "and the segment is not archived" test ! -e "$WAL/$lost.meta"
sleep 2
expect_exit "backup --check says archiving has stalled" 81 "archiving has stalled" \
	env CHECK_WAL_MAX_AGE=1 "$BACKUP" --check
chmod 750 "$WAL"
insert 17 17
check "once the archive is back the server retries" switch_and_wait
check "and the segment that failed is archived" test -f "$WAL/$lost.meta"
check "no segment is missing between the first and the last" bash -c '
	ls "$0" | sed -n "s/^00000001\([0-9A-F]\{16\}\)\.meta$/\1/p" | sort | {
		read -r first; prev=$((16#${first:8})); ok=1
		while read -r seg; do cur=$((16#${seg:8})); [ $cur = $((prev + 1)) ] || ok=0; prev=$cur; done
		[ $ok = 1 ]
	}' "$WAL"
check "backup --check passes once archiving works" env METRICS_FILE="$TMP/metrics.prom" "$BACKUP" --check
check "it reports both ages" grep -q "newest archived WAL segment" "$TMP/check.out"
check "and puts them in the metrics" grep -Eq '^tierdump_wal_archive_age_seconds\{tier="check"\} [0-9]+$' "$TMP/metrics.prom"
check "both of them" grep -Eq '^tierdump_base_backup_age_seconds\{tier="check"\} [0-9]+$' "$TMP/metrics.prom"
give_store postgres
check "as postgres: backup --check passes" as_postgres "$BACKUP" --check
check "as postgres: it reports both ages" grep -q "newest archived WAL segment" "$TMP/check.out"
expect_exit "--check fails when the newest base backup is too old" 81 "more than CHECK_BASE_BACKUP_MAX_AGE=0" \
	env CHECK_BASE_BACKUP_MAX_AGE=0 "$BACKUP" --check

# --- WAL retention ----------------------------------------------------------
oldest_in_archive() { ls "$WAL" | grep -E '^[0-9A-F]{24}\.meta$' | sort -k1.9 | head -1 | cut -c1-24; }
sql postgres "CREATE DATABASE app" >/dev/null
sql app "CREATE TABLE items (id int); INSERT INTO items SELECT generate_series(1, 100)" >/dev/null
check "a second base backup, the hourly tier keeping one" env BACKUP_COUNT=1 "$BACKUP"
base2=$(newest hourly)
start2=$(field wal_start_segment "$BACKUP_DIR/hourly/$base2")
check "the hourly tier pruned the first" test ! -e "$BACKUP_DIR/hourly/$base1"
check "the oldest segment kept is still the one the first needs" test "$(oldest_in_archive)" = "$start1"
check "what the daily copy of the first needs is kept" test -f "$WAL/$start1.meta"
# The archiver may still be pushing segments older than the second's start.
check "the archive has caught up with the server" switch_and_wait
check "promoting the second into daily, which keeps one" env BACKUP_TYPE=daily BACKUP_COUNT=1 BACKUP_PRIOR_COUNT=1 "$BACKUP"
check "now the oldest segment kept is the one the second needs" test "$(oldest_in_archive)" = "$start2"

# --- a test-restore of a base backup -------------------------------------------
mkdir -p "$TMP/verify"
check "backup --verify test-restores a base backup" env VERIFY_DIR="$TMP/verify" "$BACKUP" --verify "$base2"
check "it recovered the cluster and found its tables and rows" \
	grep -qE "restores: 1 database\(s\), 1 table\(s\)" "$TMP/check.out"
check "its verified record says ok" grep -qx 'result = ok' "$BACKUP_DIR/hourly/$base2/verified"
check "the throwaway cluster is gone" test -z "$(ls -A "$TMP/verify")"
# Not root: the throwaway cluster runs as postgres itself, VERIFY_USER aside.
give_store postgres
mkdir -p "$TMP/verify-pg"
chown postgres:postgres "$TMP/verify-pg"
check "as postgres: backup --verify test-restores a base backup" \
	as_postgres env VERIFY_DIR="$TMP/verify-pg" VERIFY_USER=postgres "$BACKUP" --verify "$base2"
check "as postgres: it recovered the cluster and found its tables and rows" \
	grep -qE "restores: 1 database\(s\), 1 table\(s\)" "$TMP/check.out"
check "as postgres: its verified record says ok" grep -qx 'result = ok' "$BACKUP_DIR/hourly/$base2/verified"
check "as postgres: the throwaway cluster is gone" test -z "$(ls -A "$TMP/verify-pg")"
check "it archived nothing into the store (no new timeline)" sh -c "! ls '$WAL' | grep -q history"

# --- recovery to the latest WAL, with --start ---------------------------------
insert 18 20
check "the last rows' segment is archived" switch_and_wait
pg_stop src
mkdir -p "$TMP/latest" "$TMP/sock"
chown postgres:postgres "$TMP/latest" "$TMP/sock"
check "recover RECOVERY_TARGET=latest --start" env PGDATA="$TMP/latest" PGHOST="$TMP/sock" PGPORT=25603 \
	RECOVERY_TARGET=latest DATABASE_EXPECTED_COUNT=1 "$RECOVER" --start
cp "$TMP/check.out" "$TMP/start.out"
PIDS+=("$(head -1 "$TMP/latest/postmaster.pid" 2>/dev/null)")
check "it waited until the server was promoted" grep -q "recovery ended: the server (pid [0-9]*) is promoted" "$TMP/start.out"
check "every row is back" test "$(psql -X -qAt -h "$TMP/sock" -p 25603 -d postgres -c 'SELECT count(*) FROM ticks')" = 20
check "the base backup it started from is the newest" grep -q "base backup hourly/$base2 is the newest" "$TMP/start.out"
check "DATABASE_EXPECTED_COUNT is checked on the started server" grep -q "the restored server has 1 database(s)" "$TMP/start.out"
# As postgres: pg_ctl runs as recover's own user.
give_store postgres
mkdir -p "$TMP/latest-pg"
chown postgres:postgres "$TMP/latest-pg"
check "as postgres: recover RECOVERY_TARGET=latest --start" as_postgres env PGDATA="$TMP/latest-pg" \
	PGHOST="$TMP/latest-pg" PGPORT=25607 RECOVERY_TARGET=latest "$RECOVER" --start
PIDS+=("$(head -1 "$TMP/latest-pg/postmaster.pid" 2>/dev/null)")
check "as postgres: it waited until the server was promoted" grep -q "recovery ended: the server (pid [0-9]*) is promoted" "$TMP/check.out"
check "as postgres: every row is back" \
	test "$(psql -X -qAt -h "$TMP/latest-pg" -p 25607 -d postgres -c 'SELECT count(*) FROM ticks')" = 20

# --- the archive on S3 and FTPS ------------------------------------------------
check "a segment to push elsewhere" "$RECOVER" wal-fetch "$start2" "$TMP/$start2"
s3_start s3 25604 || exit 1
ftps_start ftps 25605 || exit 1
S3="BACKUP_STORE=s3://backups/pitr AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_ENDPOINT_URL=http://127.0.0.1:25604 STORE_RETRIES=1"
FTPS="BACKUP_STORE=ftps://127.0.0.1:25605/pitr FTP_USER=$FTP_TEST_USER FTP_PASSWORD=ftp-pw FTP_INSECURE=1"
for store in S3 FTPS; do
	settings=${!store}
	check "$store: wal-push stores the segment" env $settings "$BACKUP" wal-push "$TMP/$start2"
	check "$store: pushing it again succeeds" env $settings "$BACKUP" wal-push "$TMP/$start2"
	check "$store: wal-fetch brings back the same bytes" sh -c "env $settings '$RECOVER' wal-fetch $start2 '$TMP/$store.seg' && cmp '$TMP/$start2' '$TMP/$store.seg'"
	expect_exit "$store: a segment not archived is not found" 66 "is not in the WAL archive" \
		env $settings "$RECOVER" wal-fetch 0000000100000000000000FF "$TMP/$store.none"
done
s3_stop s3
next=$(printf '%s%016X' "${start2:0:8}" $((16#${start2:8} + 1)))
cp "$TMP/$start2" "$TMP/$next"
expect_exit "S3 down: wal-push fails, so PostgreSQL keeps the segment and retries" 73 "S3|store" \
	env $S3 "$BACKUP" wal-push "$TMP/$next"
s3_start s3 25604 || exit 1
check "S3 back: the retried push succeeds" env $S3 "$BACKUP" wal-push "$TMP/$next"
check "and the segment is there" sh -c "env $S3 '$RECOVER' wal-fetch $next '$TMP/back.seg' && cmp '$TMP/$next' '$TMP/back.seg'"
