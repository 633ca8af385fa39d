# Shared by test/versions/run and bench/run-versions, sourced after test/lib.sh
# (which gives $TMP, PIDS, MOUNTS and its cleanup) with ROOTS set and the
# roots made (test/versions/roots): the Debian 13 and sid roots, this
# checkout bind-mounted into both at /mnt/tierdump and $TMP at /mnt/tdv,
# servers in them by PID, and tierdump built in the Debian 13 root.
D13=$ROOTS/debian13 SID=$ROOTS/sid
V=/mnt/tdv           # $TMP as the roots see it
SRC=/mnt/tierdump    # the checkout as the roots see it
VBUILD=build/debian13
TB=$V/bin/backup TR=$V/bin/recover
PW=Versions-Pw-15-17-18

# Servers first (lib.sh's cleanup stops them by PID), then the mounts,
# deepest first, lazily if busy, then lib.sh removes $TMP and $RESULTS.
versions_cleanup() {
	local status=$? pid m i
	set +e
	for pid in "${PIDS[@]}"; do kill -INT "$pid" 2>/dev/null; kill -TERM "$pid" 2>/dev/null; done
	for pid in "${PIDS[@]}"; do
		for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
	done
	for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
		m=${MOUNTS[i]}
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
	done
	MOUNTS=()
	[ -z "${RESULTS:-}" ] || [ "$RESULTS" = /dev/null ] || rm -f "$RESULTS"
	(exit "$status")
	cleanup
}
trap versions_cleanup EXIT

# ------------------------------------------------------------------ mounts
mount_bind() { # mount_bind FROM TO
	mkdir -p "$2"
	mount --bind "$1" "$2" && MOUNTS+=("$2")
}
for r in "$D13" "$SID"; do
	for m in proc dev; do
		mountpoint -q "$r/$m" || { mount --bind "/$m" "$r/$m" && MOUNTS+=("$r/$m"); }
	done
	mount_bind "$ROOT" "$r$SRC" || exit 1
	mount_bind "$TMP" "$r$V" || exit 1
done

# in_root ROOT COMMAND...: runs a command in a root ("" is this machine).
in_root() {
	local r=$1
	shift
	if [ -z "$r" ]; then "$@"; else chroot "$r" "$@"; fi
}
# td NAME=VALUE... PROGRAM ARGS...: tierdump (or any command) in the Debian 13
# root with a clean environment pointed at the servers on loopback.
td() {
	chroot "$D13" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 TZ=UTC TIERDUMP_CONFIG=/dev/null TIERDUMP_TIERS_DIR=$SRC/tiers \
		PGHOST=127.0.0.1 PGUSER=dbadmin PGPASSWORD=$PW "$@"
}
# q PORT DB SQL: one query through the Debian 13 root's psql, unaligned.
q() {
	td psql -X -qAt -v ON_ERROR_STOP=1 -p "$1" -d "$2" -c "$3"
}

# ------------------------------------------------------------------ servers
# pg_up ROOT MAJOR NAME PORT [CONF]: a fresh PostgreSQL MAJOR in ROOT ("" is
# this machine), data in $TMP/NAME, superuser dbadmin with $PW, on 127.0.0.1:PORT.
pg_up() {
	local r=$1 m=$2 name=$3 port=$4 conf=${5:-} base=$V ldp=
	[ -z "$r" ] && base=$TMP
	[ "$r" = "$SID" ] && ldp=LD_LIBRARY_PATH=$V/d13libs
	mkdir -p "$TMP/$name"
	printf '%s\n' "$PW" >"$TMP/$name/pw"
	in_root "$r" chown -R postgres:postgres "$base/$name"
	in_root "$r" runuser -u postgres -- "/usr/lib/postgresql/$m/bin/initdb" -D "$base/$name/data" \
		-U dbadmin --pwfile="$base/$name/pw" -A scram-sha-256 -E UTF8 --locale=C.UTF-8 \
		>"$TMP/$name/initdb.log" 2>&1 || { cat "$TMP/$name/initdb.log"; return 1; }
	[ -n "$conf" ] && printf '%s\n' "$conf" >>"$TMP/$name/data/postgresql.conf"
	in_root "$r" runuser -u postgres -- env $ldp "/usr/lib/postgresql/$m/bin/pg_ctl" -D "$base/$name/data" \
		-l "$base/$name/log" -w -t 60 -o "-p $port -k $base/$name -c listen_addresses=127.0.0.1" \
		start >/dev/null || { cat "$TMP/$name/log"; return 1; }
	PIDS+=("$(head -1 "$TMP/$name/data/postmaster.pid")")
}
pg_down() { # pg_down NAME [DATADIR]: stops a server by its PID
	local pid
	pid=$(head -1 "${2:-$TMP/$1/data}/postmaster.pid" 2>/dev/null) || return 0
	kill -INT "$pid"
	while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}
root_of() { # root_of MAJOR: where that server runs
	case $1 in 15) echo "" ;; 17) echo "$D13" ;; 18) echo "$SID" ;; esac
}

# build_d13: builds tierdump in the Debian 13 root into $VBUILD and copies
# the binaries to $TMP/bin ($TB, $TR as the roots see them).
build_d13() {
	chroot "$D13" make -C "$SRC" -j2 BUILD="$VBUILD" all || return 1
	mkdir -p "$TMP/bin"
	install -m 755 "$ROOT/$VBUILD/backup" "$ROOT/$VBUILD/recover" "$TMP/bin/"
}
