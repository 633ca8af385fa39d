# The client tools: a missing one, or one older than the server, is a clear
# configuration error before anything is written.
source "$(dirname "$0")/../lib.sh"

export BACKUP_DIR=$TMP/backups
pg_start src 25481 pw || exit 1
use_pg 25481 pw
mkdir -p "$TMP/old" "$TMP/empty"
# A pg_dumpall that reports an older major version than the server's ($PGMAJOR).
cat >"$TMP/old/pg_dumpall" <<'SH'
#!/bin/sh
echo "pg_dumpall (PostgreSQL) 14.11"
SH
cat >"$TMP/old/mariadb-dump" <<'SH'
#!/bin/sh
echo "mariadb-dump  Ver 10.19 Distrib 9.9.9-MariaDB, for debian-linux-gnu (x86_64)"
SH
ln -s "$(command -v mariadb)" "$TMP/old/mariadb"
chmod +x "$TMP/old/pg_dumpall" "$TMP/old/mariadb-dump"

# PostgreSQL's tools come from /usr/lib/postgresql/N/bin, the server's major or the lowest
# newer one; PG_BINDIR names one directory instead, which must hold them.
mkdir -p "$TMP/partial"
ln -s "$PGBIN/pg_dump" "$TMP/partial/pg_dump"
ln -s "$PGBIN/psql" "$TMP/partial/psql"
expect_exit "PG_BINDIR with a pg_dumpall older than the server is refused, naming the package" 78 \
	"old/pg_dumpall is PostgreSQL 14's and cannot serve a PostgreSQL $PGMAJOR server: install postgresql-client-$PGMAJOR" \
	env PG_BINDIR="$TMP/old" "$BACKUP"
expect_exit "an empty PG_BINDIR is named with the tool it lacks" 78 \
	"PG_BINDIR $TMP/empty has no pg_dumpall" env PG_BINDIR="$TMP/empty" "$BACKUP"
expect_exit "a PG_BINDIR without pg_dumpall is named with the tool it lacks" 78 \
	"PG_BINDIR $TMP/partial has no pg_dumpall" env PG_BINDIR="$TMP/partial" "$BACKUP"
check "nothing was written by the refused runs" sh -c "! ls '$BACKUP_DIR/hourly' 2>/dev/null | grep -q ."
# The /usr/bin wrapper is never what runs: PATH may lack every client.
check "a backup with an empty PATH takes the client by its full path" env PATH="$TMP/empty" "$BACKUP"
check "a PG_BINDIR holding pg_dump is enough for one database" \
	env PG_BINDIR="$TMP/partial" DATABASE=postgres "$BACKUP"

before=$(count_backups hourly)
my_start my 25482 || exit 1
expect_exit "mariadb-dump older than the server is refused" 78 "mariadb-dump 9.9 cannot be trusted with a MariaDB [0-9]+\\.[0-9]+" \
	env PATH="$TMP/old:$PATH" BACKUP_ENGINE=mariadb MYSQL_HOST=127.0.0.1 MYSQL_TCP_PORT=25482 MYSQL_USER=bk MYSQL_PWD=bk-pw "$BACKUP"
expect_exit "a missing mariadb client is named" 78 "mariadb" \
	env PATH="$TMP/empty" BACKUP_ENGINE=mariadb MYSQL_HOST=127.0.0.1 MYSQL_TCP_PORT=25482 MYSQL_USER=bk MYSQL_PWD=bk-pw "$BACKUP"
check "still nothing written" test "$(count_backups hourly)" = "$before"
