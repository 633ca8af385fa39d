# Shared by the integration tests: real PostgreSQL servers in a temporary
# directory, stopped by PID whatever happens, and pass/fail bookkeeping.
# Sourced by test/integration/*.sh; test/run adds up $RESULTS.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
BACKUP=$BUILD/backup
RECOVER=$BUILD/recover
# The PostgreSQL server installed here (the newest major with an initdb:
# 15 on Debian 12, 17 on Debian 13); PGBIN overrides it.
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1)}
PGBIN=${PGBIN%/initdb}
PGMAJOR=$(basename "$(dirname "$PGBIN")")
RESULTS=${RESULTS:-/dev/null}
TEST_NAME=$(basename "$0" .sh)
export TIERDUMP_TIERS_DIR=$ROOT/tiers
# Never let a host-wide config or an operator's environment steer a test.
export TIERDUMP_CONFIG=/dev/null
unset BACKUP_DIR BACKUP_TYPE BACKUP_COUNT BACKUP_PRIOR_TYPE BACKUP_PRIOR_COUNT DATABASE \
	FROM_BACKUP PGADMINPASS PGPASSFILE PGDATABASE RECOVER_FORCE TERMINATION_LOG \
	LATEST_BACKUP_MAXIMUM_AGE_H DATABASE_EXPECTED_COUNT

TMP=$(mktemp -d /tmp/tierdump-test.XXXXXX)
# FTPS tests log in as a system user named after this run's directory.
FTP_TEST_USER=tdftp-$(basename "$TMP" | cut -d. -f2 | tr 'A-Z' 'a-z')
chmod 755 "$TMP" # the postgres user must reach its data directories
PIDS=()
MOUNTS=()
CLEANUP=() # commands run at the end, whatever happened

cleanup() {
	local status=$?
	set +e
	# INT is PostgreSQL's fast shutdown; TERM is MariaDB's (and harmless after INT).
	for pid in "${PIDS[@]}"; do
		kill -INT "$pid" 2>/dev/null
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${PIDS[@]}"; do
		for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
	done
	for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null; done
	for cmd in "${CLEANUP[@]}"; do eval "$cmd" >/dev/null 2>&1; done
	rm -rf "$TMP"
	exit "$status"
}
trap cleanup EXIT

pass() {
	echo "pass $TEST_NAME: $1" >>"$RESULTS"
	echo "ok   $TEST_NAME: $1"
}

fail() {
	echo "fail $TEST_NAME: $1" >>"$RESULTS"
	echo "FAIL $TEST_NAME: $1${2:+ -- $2}"
}

# check NAME COMMAND...: passes when the command succeeds. Its output is
# kept in $TMP/check.out until the next check, which may read it.
check() {
	local name=$1 rc
	shift
	"$@" >"$TMP/check.new" 2>&1
	rc=$?
	mv "$TMP/check.new" "$TMP/check.out"
	if [ "$rc" = 0 ]; then
		pass "$name"
	else
		fail "$name" "$(tail -5 "$TMP/check.out")"
	fi
}

# expect_exit NAME CODE PATTERN COMMAND...: the command must exit with CODE
# and say PATTERN (an extended regex) on stderr; its output is kept in $TMP/last.err.
expect_exit() {
	local name=$1 code=$2 pattern=$3 rc
	shift 3
	"$@" >"$TMP/last.out" 2>"$TMP/last.err"
	rc=$?
	if [ "$rc" != "$code" ]; then
		fail "$name" "exit $rc, expected $code: $(tail -3 "$TMP/last.err")"
	elif ! grep -Eq -e "$pattern" "$TMP/last.err"; then
		fail "$name" "stderr lacks /$pattern/: $(tail -3 "$TMP/last.err")"
	else
		pass "$name"
	fi
}

# reseal BACKUP-DIR FILE: after a test rewrote FILE of a one-file backup, its
# manifest's size and sha256 match it again, so only a deeper check can tell.
reseal() {
	sed -i -e "s/^size = .*/size = $(stat -c %s "$1/$2")/" \
		-e "s/^sha256 = .*/sha256 = $(sha256sum "$1/$2" | cut -d' ' -f1)/" "$1/manifest"
}

# archive_setup: for a server whose archive_command and restore_command run
# tierdump as postgres: its own copies of the binaries in $BACKUP and
# $RECOVER, physical backups into a store postgres owns ($BACKUP_DIR, WAL under $WAL).
archive_setup() {
	mkdir -p "$TMP/bin"
	install -m 755 "$BACKUP" "$RECOVER" "$TMP/bin/"
	BACKUP=$TMP/bin/backup RECOVER=$TMP/bin/recover
	export BACKUP_DIR=$TMP/backups BACKUP_METHOD=physical
	mkdir -p "$BACKUP_DIR"
	chown postgres:postgres "$BACKUP_DIR"
	WAL=$BACKUP_DIR/wal
}

# switch_and_wait: closes the current WAL segment, waits until backup wal-push
# archived it ($WAL/SEG.meta) and prints its name. A WAL record first: with
# nothing written since the last switch, pg_switch_wal() does not switch, and
# PostgreSQL 17 then returns a position in the open segment.
switch_and_wait() {
	local seg
	seg=$(sql postgres "SELECT pg_walfile_name(pg_switch_wal()) FROM (SELECT pg_logical_emit_message(false, 'tierdump-test', 'switch')) m")
	for _ in $(seq 300); do [ -f "$WAL/$seg.meta" ] && { echo "$seg"; return 0; }; sleep 0.1; done
	echo "segment $seg was not archived" >&2
	return 1
}

# wait_promoted PORT SOCKETDIR: until the server accepts writes.
wait_promoted() {
	for _ in $(seq 600); do
		[ "$(psql -X -qAt -h "$2" -p "$1" -d postgres -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ] && return 0
		sleep 0.1
	done
	return 1
}

# start_recovered PGDATA PORT: starts, as postgres, the cluster recover
# restored into PGDATA (socket in it, log in PGDATA-log/log, archiving off),
# stopped at exit, and waits until it has replayed the archive and is promoted.
start_recovered() {
	mkdir -p "$1-log" && chown postgres:postgres "$1-log" &&
		runuser -u postgres -- "$PGBIN/pg_ctl" -D "$1" -l "$1-log/log" -w -t 120 \
			-o "-p $2 -k $1 -c archive_mode=off" start || return 1
	PIDS+=("$(head -1 "$1/postmaster.pid" 2>/dev/null)")
	wait_promoted "$2" "$1"
}

# pg_start NAME PORT PASSWORD [SUPERUSER]: a fresh PostgreSQL ($PGBIN) on 127.0.0.1:PORT.
# Lines in $PG_CONF, if set, are added to its postgresql.conf.
pg_start() {
	local name=$1 port=$2 password=$3 super=${4:-dbadmin} dir=$TMP/$1
	mkdir -p "$dir"
	printf '%s\n' "$password" >"$dir/pw"
	chown -R postgres:postgres "$dir"
	runuser -u postgres -- "$PGBIN/initdb" -D "$dir/data" -U "$super" --pwfile="$dir/pw" \
		-A scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
		cat "$dir/initdb.log"
		return 1
	}
	[ -n "${PG_CONF:-}" ] && printf '%s\n' "$PG_CONF" >>"$dir/data/postgresql.conf"
	runuser -u postgres -- "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
		-o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >/dev/null || {
		cat "$dir/log"
		return 1
	}
	PIDS+=("$(head -1 "$dir/data/postmaster.pid")")
}

# pg_stop NAME: stops the server by its PID and waits for it to exit.
pg_stop() {
	local pid
	pid=$(head -1 "$TMP/$1/data/postmaster.pid" 2>/dev/null) || return 0
	kill -INT "$pid"
	while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}

# use_pg PORT PASSWORD [USER]: points libpq (and so tierdump) at a server.
use_pg() {
	export PGHOST=127.0.0.1 PGPORT=$1 PGPASSWORD=$2 PGUSER=${3:-dbadmin}
}

# as_postgres COMMAND...: runs a command as the postgres user, not root, with
# the environment kept: as the server runs archive_command and
# restore_command, and as an operator or a Kubernetes Job with a non-root uid
# runs recover and backup. The store must be that user's to read (and to
# write for what writes into it): give_store postgres.
as_postgres() {
	runuser -u postgres -- "$@"
}

# give_store USER: hands $BACKUP_DIR and everything in it to USER.
give_store() {
	chown -R "$1:$1" "$BACKUP_DIR"
}

# sql DB QUERY: one value, unaligned, from the current server.
sql() {
	psql -X -qAt -v ON_ERROR_STOP=1 -d "$1" -c "$2"
}

# newest TIER: the newest backup directory name in a tier of $BACKUP_DIR.
newest() {
	ls "$BACKUP_DIR/$1" 2>/dev/null | grep -E '^[0-9]{4}-' | sort | tail -1
}

# count_backups TIER: complete backups (directories with a manifest) in a tier.
count_backups() {
	local n=0 d
	for d in "$BACKUP_DIR/$1"/*/; do
		[ -f "$d/manifest" ] && n=$((n + 1))
	done
	echo "$n"
}

# verify_backup DIR: every file listed in DIR/manifest has its size and sha256.
verify_backup() {
	local dir=$1 name="" size sum
	[ -f "$dir/manifest" ] || return 1
	while IFS= read -r line; do
		case $line in
		"[file:"*) name=${line#\[file:}; name=${name%\]} ;;
		"size = "*) size=${line#size = } ;;
		"sha256 = "*)
			sum=${line#sha256 = }
			[ "$(stat -c %s "$dir/$name")" = "$size" ] || return 1
			echo "$sum  $dir/$name" | sha256sum -c --quiet - || return 1
			gzip -t "$dir/$name" || return 1
			;;
		esac
	done <"$dir/manifest"
}

# all_backups_intact: every complete backup under $BACKUP_DIR verifies.
all_backups_intact() {
	local d
	for d in "$BACKUP_DIR"/*/*/; do
		[ -f "$d/manifest" ] || continue
		verify_backup "$d" || { echo "damaged: $d"; return 1; }
	done
}

# no_leftovers: nothing hidden and half-written stays in any tier.
no_leftovers() {
	! ls -a "$BACKUP_DIR"/*/ 2>/dev/null | grep -E '^\.(partial|deleting)-|\.tmp-'
}

# my_start NAME PORT: a fresh MariaDB on 127.0.0.1:PORT, root by socket only,
# plus a user bk/bk-pw with every privilege over TCP.
my_start() {
	local name=$1 port=$2 dir=$TMP/$1
	# Its own temporary directory: /tmp is shared with other runs (and their clean-ups).
	mkdir -p "$dir/tmp"
	mariadb-install-db --no-defaults --datadir="$dir/data" --user=root --tmpdir="$dir/tmp" \
		--auth-root-authentication-method=socket --skip-test-db >"$dir/install.log" 2>&1 || {
		cat "$dir/install.log"
		return 1
	}
	mariadbd --no-defaults --datadir="$dir/data" --user=root --port="$port" --tmpdir="$dir/tmp" \
		--bind-address=127.0.0.1 --socket="$dir/sock" --pid-file="$dir/pid" \
		--log-error="$dir/err.log" --event-scheduler=ON </dev/null >/dev/null 2>&1 &
	PIDS+=("$!")
	for _ in $(seq 100); do
		mariadb-admin --no-defaults --socket="$dir/sock" -uroot ping >/dev/null 2>&1 && break
		sleep 0.1
	done
	my_root "$name" -e "CREATE USER 'bk'@'%' IDENTIFIED BY 'bk-pw'; GRANT ALL ON *.* TO 'bk'@'%' WITH GRANT OPTION;"
}

# my_root NAME ARGS...: the mariadb client as root over the server's socket.
my_root() {
	local name=$1
	shift
	# The client reads MYSQL_PWD and friends: keep the tests' settings out of it.
	env -u MYSQL_PWD -u MYSQL_HOST -u MYSQL_TCP_PORT -u MYSQL_USER \
		mariadb --no-defaults --default-character-set=utf8mb4 --socket="$TMP/$name/sock" -uroot "$@"
}

# my_stop NAME: stops a MariaDB server by its PID.
my_stop() {
	local pid
	pid=$(cat "$TMP/$1/pid" 2>/dev/null) || return 0
	kill -TERM "$pid"
	while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}

# npm_server NAME DIR PACKAGE SCRIPT ARGS...: a test server from test/DIR,
# its packages installed with npm ci from the committed lockfile when
# missing, started in the background until it prints READY.
npm_server() {
	local name=$1 dir=$ROOT/test/$2 package=$3 script=$4
	shift 4
	if [ ! -d "$dir/node_modules/$package" ]; then
		command -v npm >/dev/null || { echo "npm is missing: apt-get install npm" >&2; return 1; }
		(cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund >/dev/null 2>&1) || {
			echo "npm ci in $dir failed" >&2
			return 1
		}
	fi
	mkdir -p "$TMP/$name"
	node "$dir/$script" "$@" >"$TMP/$name/log" 2>&1 &
	PIDS+=("$!")
	echo "$!" >"$TMP/$name/pid"
	for _ in $(seq 100); do
		grep -q READY "$TMP/$name/log" && return 0
		sleep 0.1
	done
	cat "$TMP/$name/log"
	return 1
}

# mongo_start NAME PORT: the MongoDB-wire test server (CongoDB, from npm,
# pinned by test/mongo/package-lock.json) on 127.0.0.1:PORT.
mongo_start() {
	npm_server "$1" mongo @push.rocks/smartmongo server.mjs "$2"
}

# mongo_stop NAME: stops the test server by its PID.
mongo_stop() {
	local pid
	pid=$(cat "$TMP/$1/pid") || return 0
	kill -TERM "$pid"
	while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}

# s3_start NAME PORT: an S3 server that checks SigV4 signatures (@20minutes/s3rver
# from npm, pinned by test/s3/package-lock.json), bucket "backups", keys S3RVER/S3RVER,
# keeping its objects in $TMP/NAME/data across restarts.
s3_start() {
	npm_server "$1" s3 @20minutes/s3rver server.cjs "$TMP/$1/data" "$2"
}

# s3_stop NAME [SIGNAL]: stops the S3 server by its PID (SIGKILL to simulate a crash).
s3_stop() {
	local pid
	pid=$(cat "$TMP/$1/pid") || return 0
	kill "-${2:-TERM}" "$pid" 2>/dev/null
	while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}

# ftps_start NAME PORT [TLS]: vsftpd on 127.0.0.1:PORT with a self-signed
# certificate ($TMP/NAME/cert.pem) for the system user $FTP_TEST_USER (password
# ftp-pw, home $TMP/NAME/home), removed again at the end. TLS=NO serves plain FTP.
ftps_start() {
	local name=$1 port=$2 tls=${3:-YES} dir=$TMP/$1
	mkdir -p "$dir" /var/run/vsftpd/empty
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$dir/key.pem" -out "$dir/cert.pem" -days 2 \
		-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1
	sed -e "s|@DIR@|$dir|" -e "s/^listen_port=.*/listen_port=$port/" -e "s/^ssl_enable=.*/ssl_enable=$tls/" \
		-e "s/^pasv_min_port=.*/pasv_min_port=$((port + 100))/" -e "s/^pasv_max_port=.*/pasv_max_port=$((port + 199))/" \
		"$ROOT/test/vsftpd.conf" >"$dir/vsftpd.conf"
	[ "$tls" = NO ] && sed -i -e '/^force_local/d' -e '/^require_ssl_reuse/d' "$dir/vsftpd.conf"
	# A user of this run's own (users are machine-wide: two runs at once must not share one).
	if ! id "$FTP_TEST_USER" >/dev/null 2>&1; then
		useradd -M -d "$TMP/ftp-home" "$FTP_TEST_USER" || return 1
		CLEANUP+=("userdel $FTP_TEST_USER")
	fi
	mkdir -p "$TMP/ftp-home" && chown "$FTP_TEST_USER" "$TMP/ftp-home"
	echo "$FTP_TEST_USER:ftp-pw" | chpasswd
	vsftpd "$dir/vsftpd.conf" >"$dir/out.log" 2>&1 &
	PIDS+=("$!")
	for _ in $(seq 50); do
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
		sleep 0.1
	done
	cat "$dir/out.log"
	return 1
}
