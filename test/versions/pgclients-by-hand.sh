#!/bin/bash
# The cross-version cases of issue 13 items 1 and 2, by hand, against real servers:
# PostgreSQL 15 on the host (Debian 12), 17 in a Debian 13 root, 18 in a sid root,
# tierdump built on the host (clients: 15) and in the Debian 13 root (clients: 17, 18).
# Run as root inside a network namespace of its own (fixed loopback ports 26xxx):
#   ip netns add pgc; ip netns exec pgc ip link set lo up
#   ip netns exec pgc test/versions/pgclients-by-hand.sh
# Needs: build/backup (host build) and build/d13/backup (built in the root:
#   mount --bind "$PWD" $D13/src-pgc; chroot $D13 make -C /src-pgc BUILD=build/d13 all).
set -u
D13=${D13:-/work/roots/debian13} SID=${SID:-/work/roots/sid}
W=$(cd "$(dirname "$0")/../.." && pwd)
SRC=/src-pgc # where $W is bind-mounted inside $D13
STORE=/srv/pgc-store # inside $D13; the host sees it as $D13$STORE
PIDS=()
DIRS=()
results=()
say() { echo "== $*"; }
ok() { results+=("ok   $1"); echo "ok   $1"; }
no() { results+=("FAIL $1"); echo "FAIL $1${2:+ -- $2}"; }
try() { local name=$1; shift; if "$@"; then ok "$name"; else no "$name"; fi; }

# start ROOT MAJOR PORT: a fresh server of MAJOR in ROOT ("" = the host) on 127.0.0.1:PORT.
start() {
	local root=$1 major=$2 port=$3 dir=/srv/pgc-$3 run
	run() { if [ -n "$root" ]; then chroot "$root" runuser -u postgres -- "$@"; else runuser -u postgres -- "$@"; fi; }
	rm -rf "${root}$dir"; mkdir -p "${root}$dir"
	if [ -n "$root" ]; then chroot "$root" chown postgres: "$dir"; else chown postgres: "$dir"; fi
	run /usr/lib/postgresql/$major/bin/initdb -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null || return 1
	run /usr/lib/postgresql/$major/bin/pg_ctl -D "$dir/data" -l "$dir/log" -w \
		-o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >/dev/null || return 1
	PIDS+=("$(head -1 "${root}$dir/data/postmaster.pid")")
	DIRS+=("${root}$dir")
}
stop_all() {
	for p in "${PIDS[@]}"; do kill -INT "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do while kill -0 "$p" 2>/dev/null; do sleep 0.1; done; done
	for d in "${DIRS[@]}"; do rm -rf "$d"; done
}
trap stop_all EXIT
q() { /usr/lib/postgresql/15/bin/psql -X -qAt -h 127.0.0.1 -U postgres -p "$1" -d "$2" -c "$3"; }
# A fingerprint of database app: its rows and their content.
fingerprint() { q "$1" app "SELECT count(*) || ':' || md5(string_agg(t::text, ',' ORDER BY id)) FROM t"; }
# host / d13 VAR=VALUE... backup|recover ARGS: tierdump on the host or in the Debian 13 root.
host() { env TIERDUMP_CONFIG=/dev/null TIERDUMP_TIERS_DIR=$W/tiers BACKUP_DIR=$D13$STORE PGHOST=127.0.0.1 PGUSER=postgres "$@"; }
d13() { chroot "$D13" env TIERDUMP_CONFIG=/dev/null TIERDUMP_TIERS_DIR=$SRC/tiers BACKUP_DIR=$STORE PGHOST=127.0.0.1 PGUSER=postgres "$@"; }
seed() { # PORT
	q "$1" postgres "CREATE DATABASE app" >/dev/null
	q "$1" app "CREATE TABLE t (id int PRIMARY KEY, note text, doc jsonb); INSERT INTO t SELECT g, md5(g::text), jsonb_build_object('g', g) FROM generate_series(1, 5000) g" >/dev/null
}

rm -rf "$D13$STORE"; mkdir -p "$D13$STORE"; DIRS+=("$D13$STORE")
say "servers: 15 on the host :26015 (source) and :26115 (target); 17 in $D13 :26017 (source) and :26117 (target); 18 in $SID :26018 (target)"
start "" 15 26015 && start "" 15 26115 && start "$D13" 17 26017 && start "$D13" 17 26117 && start "$SID" 18 26018 || exit 1
seed 26015; seed 26017
f15=$(fingerprint 26015) f17=$(fingerprint 26017)

say "1. a 17 client dumping a 15 server (Debian 13 root: 15's client is not installed), restored into 15"
d13 PGPORT=26015 BACKUP_TYPE=hourly $SRC/build/d13/backup 2>"$W/build/pgc-1.log"
try "1a. the backup exits 0" test $? = 0
try "1b. the log names pg_dumpall 17" grep -q "PostgreSQL 15 server: using the client pg_dumpall 17\..* (/usr/lib/postgresql/17/bin)" "$W/build/pgc-1.log"
b=$(ls "$D13$STORE/hourly" | tail -1)
try "1c. the manifest names it" grep -q "^client = pg_dumpall 17\." "$D13$STORE/hourly/$b/manifest"
try "1d. the dump sets transaction_timeout (new in 17)" sh -c "gunzip -c '$D13$STORE/hourly/$b/dumpall.sql.gz' | grep -q '^SET transaction_timeout'"
d13 PGPORT=26115 FROM_BACKUP=$b $SRC/build/d13/recover 2>"$W/build/pgc-1r.log"
try "1e. restored into 15 with 17's psql" test $? = 0
try "1f. the skipped settings were logged once" test "$(grep -c 'left out .*transaction_timeout' "$W/build/pgc-1r.log")" = 1
try "1g. the data is the same" test "$(fingerprint 26115)" = "$f15"
q 26115 postgres "DROP DATABASE app" >/dev/null

say "2. an 18 client dumping a 17 server (PG_BINDIR), restored into 17; and 17's own client"
d13 PGPORT=26017 PG_BINDIR=/usr/lib/postgresql/18/bin BACKUP_TYPE=hourly $SRC/build/d13/backup 2>"$W/build/pgc-2.log"
try "2a. the backup exits 0" test $? = 0
try "2b. the log names pg_dumpall 18" grep -q "using the client pg_dumpall 18\." "$W/build/pgc-2.log"
b2=$(ls "$D13$STORE/hourly" | tail -1)
d13 PGPORT=26117 FROM_BACKUP=$b2 $SRC/build/d13/recover 2>"$W/build/pgc-2r.log"
try "2c. restored into 17" test $? = 0
try "2d. the data is the same" test "$(fingerprint 26117)" = "$f17"
q 26117 postgres "DROP DATABASE app" >/dev/null
sleep 1 # a new timestamp
d13 PGPORT=26017 BACKUP_TYPE=hourly $SRC/build/d13/backup 2>"$W/build/pgc-2b.log"
try "2e. without PG_BINDIR a 17 server gets 17's client" grep -q "using the client pg_dumpall 17\." "$W/build/pgc-2b.log"
b17=$(ls "$D13$STORE/hourly" | tail -1)

say "3. the upgrade: a 15 backup (host build, 15's client) restored into 18 (Debian 13 build, 18's psql)"
sleep 1
host PGPORT=26015 BACKUP_TYPE=hourly "$W/build/backup" 2>"$W/build/pgc-3.log"
try "3a. the host backs up 15 with 15's client" grep -q "using the client pg_dumpall 15\." "$W/build/pgc-3.log"
b3=$(ls "$D13$STORE/hourly" | tail -1)
d13 PGPORT=26018 FROM_BACKUP=$b3 $SRC/build/d13/recover 2>"$W/build/pgc-3r.log"
try "3b. restored into 18" test $? = 0
try "3c. with 18's psql" grep -q "restoring into PostgreSQL 18.* with /usr/lib/postgresql/18/bin/psql" "$W/build/pgc-3r.log"
try "3d. the data is the same" test "$(fingerprint 26018)" = "$f15"

say "4. refusals"
host PGPORT=26017 BACKUP_TYPE=hourly "$W/build/backup" 2>"$W/build/pgc-4.log"
rc=$?
try "4a. the host (15's client only) refuses a 17 server with 78, naming postgresql-client-17" \
	sh -c "test $rc = 78 && grep -q 'install postgresql-client-17' '$W/build/pgc-4.log'"
try "4b. nothing was written" test "$(ls "$D13$STORE/hourly" | tail -1)" = "$b3"
host PGPORT=26115 FROM_BACKUP=$b17 "$W/build/recover" 2>"$W/build/pgc-4r.log"
rc=$?
try "4c. a 17 backup into 15 is refused with 80, naming both" \
	sh -c "test $rc = 80 && grep -q 'backup is of PostgreSQL 17 and the target server is PostgreSQL 15' '$W/build/pgc-4r.log'"

say "5. --verify in the Debian 13 root: a 15 backup gets the nearest newer server installed there, 17"
d13 BACKUP_TYPE=hourly $SRC/build/d13/backup --verify "$b3" 2>"$W/build/pgc-5.log"
try "5a. the test-restore passes" test $? = 0
try "5b. it says which server" grep -q "throwaway PostgreSQL 17 in .* for a backup of PostgreSQL 15 (its own major is not installed)" "$W/build/pgc-5.log"

say "6. a physical base backup of 17 with pg_basebackup 18, recovered and started with 17's server (its PG_VERSION)"
d13 PGPORT=26017 BACKUP_DIR=/srv/pgc-pstore BACKUP_TYPE=hourly BACKUP_METHOD=physical \
	PG_BINDIR=/usr/lib/postgresql/18/bin $SRC/build/d13/backup 2>"$W/build/pgc-6.log"
try "6a. the base backup exits 0 and names pg_basebackup 18" grep -q "using the client pg_basebackup 18\." "$W/build/pgc-6.log"
rm -rf "$D13/srv/pgc-restored"; mkdir -m 700 "$D13/srv/pgc-restored"; DIRS+=("$D13/srv/pgc-restored" "$D13/srv/pgc-pstore")
chroot "$D13" chown -R postgres: /srv/pgc-restored /srv/pgc-pstore
d13 PGPORT=26217 PGHOST=/srv/pgc-restored BACKUP_DIR=/srv/pgc-pstore PGDATA=/srv/pgc-restored RECOVERY_TARGET=immediate \
	runuser -u postgres -- $SRC/build/d13/recover --start 2>"$W/build/pgc-6r.log"
try "6b. recover --start promotes it" test $? = 0
PIDS+=("$(head -1 "$D13/srv/pgc-restored/postmaster.pid" 2>/dev/null)")
try "6c. under 17's server, with the data" test "$(/usr/lib/postgresql/15/bin/psql -X -qAt -h "$D13/srv/pgc-restored" -p 26217 -U postgres -d app \
	-c "SELECT current_setting('server_version_num')::int / 10000 || ':' || count(*) FROM t")" = "17:5000"

echo; printf '%s\n' "${results[@]}"
echo "$(printf '%s\n' "${results[@]}" | grep -c '^ok') passed, $(printf '%s\n' "${results[@]}" | grep -c '^FAIL') failed"
