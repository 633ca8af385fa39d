# Secrets: never in argv, logs or manifests; PGADMINPASS reaches libpq through
# a private 0600 pgpass file that is removed afterwards, never $HOME/.pgpass;
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
		tr '\0' '\n' <"/proc/$child/environ" >>"$TMP/environ.txt" 2>/dev/null
		ls -l "$TMPDIR"/tierdump-pgpass-* >>"$TMP/pgpass-files.txt" 2>/dev/null
	done
	sleep 0.05
done
wait "$pid"
check "PGADMINPASS backs up" test $? = 0
check "pg_dumpall ran while we watched" grep -q 'pg_dumpall' "$TMP/ps.txt"
check "the password never appears in argv" sh -c "! grep -F -- '$secret' '$TMP/ps.txt'"
check "the child got a pgpass file, not the password" sh -c "grep -q '^PGPASSFILE=$TMPDIR/tierdump-pgpass-' '$TMP/environ.txt' && ! grep -F -- '$secret' '$TMP/environ.txt'"
check "the pgpass file was private (0600)" sh -c "grep -q '^-rw------- ' '$TMP/pgpass-files.txt'"
check "the pgpass file is removed afterwards" sh -c "! ls '$TMPDIR' | grep -q ."
check "... and no other private file is left" sh -c "test -z \"\$(ls -A '$TMPDIR')\""
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
