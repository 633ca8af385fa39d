# Secrets: never in argv, logs or manifests; PGADMINPASS reaches libpq through
# a private 0600 pgpass file without a name, never $HOME/.pgpass, so that
# nothing is left behind, not even by kill -9;
# NAME_FILE works for every secret.
source "$(dirname "$0")/../lib.sh"

export BACKUP_DIR=$TMP/backups
secret='Adm1n:pa\ss%word'
pg_start src 25451 "$secret" || exit 1
export PGHOST=127.0.0.1 PGPORT=25451 PGUSER=dbadmin
export PGPASSWORD=$secret
# Enough data that the dump runs for a moment while we look at ps.
sql postgres "CREATE TABLE filler AS SELECT g, md5(g::text) AS m FROM generate_series(1, 300000) g" >/dev/null
unset PGPASSWORD

# A private TMPDIR: the pgpass file is looked for there, not among other runs'.
export TMPDIR=$TMP/tmpdir
mkdir -p "$TMPDIR"
export HOME=$TMP/home
mkdir -p "$HOME"
echo "sentinel" >"$HOME/.pgpass"
chmod 600 "$HOME/.pgpass"

# A child between fork and exec is still the parent's image (its
# /proc/PID/environ is the parent's original block): only what a child runs
# after exec is its own.
execed() { [ "$(readlink "/proc/$1/exe" 2>/dev/null)" != "$(readlink "/proc/$2/exe" 2>/dev/null)" ]; }

PGADMINPASS=$secret "$BACKUP" >"$TMP/run.log" 2>&1 &
pid=$!
: >"$TMP/ps.txt"
: >"$TMP/environ.txt"
while kill -0 "$pid" 2>/dev/null; do
	ps -eo args >>"$TMP/ps.txt"
	for child in $(pgrep -P "$pid"); do
		execed "$child" "$pid" || continue
		cat "/proc/$child/environ" 2>/dev/null | tr '\0' '\n' >"$TMP/child.env"
		cat "$TMP/child.env" >>"$TMP/environ.txt"
		# What the child's PGPASSFILE reaches: its own descriptor N.
		fd=$(sed -n 's|^PGPASSFILE=/proc/self/fd/||p' "$TMP/child.env")
		[ -n "$fd" ] && stat -L -c '%a %s' "/proc/$child/fd/$fd" >>"$TMP/pgpass-files.txt" 2>/dev/null
	done
	ls -A "$TMPDIR" >>"$TMP/tmpdir.txt"
	sleep 0.05
done
wait "$pid"
check "PGADMINPASS backs up" test $? = 0
check "pg_dumpall ran while we watched" grep -q 'pg_dumpall' "$TMP/ps.txt"
check "the password never appears in argv" sh -c "! grep -F -- '$secret' '$TMP/ps.txt'"
check "the child got a pgpass file, not the password" sh -c "grep -q '^PGPASSFILE=/proc/self/fd/[0-9]*$' '$TMP/environ.txt' && ! grep -F -- '$secret' '$TMP/environ.txt'"
check "the pgpass file was private (0600) and held the password line" \
	grep -qx "600 $(printf '*:*:*:*:%s\n' 'Adm1n\:pa\\ss%word' | wc -c)" "$TMP/pgpass-files.txt"
check "it never had a name in TMPDIR" test ! -s "$TMP/tmpdir.txt"
check "... and no private file is left" sh -c "test -z \"\$(ls -A '$TMPDIR')\""
check "\$HOME/.pgpass is untouched" test "$(cat "$HOME/.pgpass")" = sentinel
check "the password is not in the log" sh -c "! grep -F -- '$secret' '$TMP/run.log'"
check "the password is not in the manifest" sh -c "! grep -rF -- '$secret' '$BACKUP_DIR'/hourly/*/manifest"

printf '%s\n' "$secret" >"$TMP/pw-file"
check "PGPASSWORD_FILE backs up" env PGPASSWORD_FILE="$TMP/pw-file" "$BACKUP"
check "PGADMINPASS_FILE backs up" env PGADMINPASS_FILE="$TMP/pw-file" "$BACKUP"
cat >"$TMP/tierdump.conf" <<CONF
pghost = "127.0.0.1";
pgport = "25451";
pgadminpass_file = "$TMP/pw-file";
backup_count = 2;
CONF
check "a config file's pgadminpass_file backs up" env -u PGHOST -u PGPORT TIERDUMP_CONFIG="$TMP/tierdump.conf" "$BACKUP"
check "the config file's backup_count pruned to 2" test "$(count_backups hourly)" = 2
expect_exit "a wrong password fails without echoing it" 77 "refused user dbadmin" env PGPASSWORD='wrong-Secret-123' "$BACKUP"
check "the wrong password is not echoed" sh -c "! grep -F 'wrong-Secret-123' '$TMP/last.err'"

# The restore side: psql gets a pgpass file too. Sample every descendant.
pg_start dst 25452 "$secret" || exit 1
export PGPORT=25452
FROM_BACKUP=latest PGADMINPASS=$secret "$RECOVER" >"$TMP/restore.log" 2>&1 &
pid=$!
: >"$TMP/restore-proc.txt"
descendants() { local p; for p in $(pgrep -P "$1"); do echo "$p"; descendants "$p"; done; }
while kill -0 "$pid" 2>/dev/null; do
	for child in $(descendants "$pid"); do
		execed "$child" "$pid" || continue
		{ tr '\0' ' ' <"/proc/$child/cmdline"; echo; tr '\0' '\n' <"/proc/$child/environ"; } \
			>>"$TMP/restore-proc.txt" 2>/dev/null
	done
	sleep 0.02
done
wait "$pid"
check "PGADMINPASS restores" test $? = 0
check "psql ran while we watched" grep -q 'psql' "$TMP/restore-proc.txt"
check "no child of recover had the password in argv or environment" sh -c "! grep -F -- '$secret' '$TMP/restore-proc.txt'"
check "the password is not in recover's log" sh -c "! grep -F -- '$secret' '$TMP/restore.log'"

# Only the children that are given the file hold it: a hook is not.
export PGPORT=25451
printf '#!/bin/sh\nls -l /proc/self/fd/ >"%s"\n' "$TMP/hook.log" >"$TMP/list-fds"
chmod +x "$TMP/list-fds"
check "a backup with a hook" env PGADMINPASS="$secret" BACKUP_HOOK_AFTER="$TMP/list-fds" "$BACKUP"
check "the hook listed its descriptors" grep -q ' -> /dev/null' "$TMP/hook.log"
check "and held no private file" sh -c "! grep -q 'deleted' '$TMP/hook.log'"

# kill -9 in the middle of a dump leaves no secret behind.
PGADMINPASS=$secret "$BACKUP" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do pgrep -P "$pid" pg_dumpall >/dev/null && break; sleep 0.05; done
check "pg_dumpall was running when backup was killed" pgrep -P "$pid" pg_dumpall
kill -9 "$pid"
wait "$pid" 2>/dev/null
sleep 0.5
check "kill -9 left nothing in TMPDIR" sh -c "test -z \"\$(ls -A '$TMPDIR')\""
