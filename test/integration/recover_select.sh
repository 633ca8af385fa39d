# recover picks the backup it is asked for: an exact timestamp or a unique
# prefix restores that backup, not the newest; bandr's flat files list and
# restore; freshness and database-count checks fail with non-zero status.
source "$(dirname "$0")/../lib.sh"

export BACKUP_DIR=$TMP/backups
pg_start src 25441 pw || exit 1
pg_start dst 25442 pw || exit 1
use_pg 25441 pw
sql postgres "CREATE DATABASE app" >/dev/null
sql app "CREATE TABLE state (v text); INSERT INTO state VALUES ('first')" >/dev/null
check "backup of the first state" "$BACKUP"
first=$(newest hourly)
sleep 1
sql app "UPDATE state SET v = 'second'" >/dev/null
check "backup of the second state" "$BACKUP"
second=$(newest hourly)
check "two distinct timestamps" test "$first" != "$second"

restored_state() { use_pg 25442 pw; sql app "SELECT v FROM state"; }
reset_target() { use_pg 25442 pw; sql postgres "DROP DATABASE IF EXISTS app" >/dev/null; }

use_pg 25442 pw
check "recover by exact timestamp" env FROM_BACKUP="$first" "$RECOVER"
check "the exact timestamp restored the older backup" test "$(restored_state)" = first
reset_target
check "recover by unique prefix" env FROM_BACKUP="${first%Z}" "$RECOVER"
check "the prefix restored the older backup" test "$(restored_state)" = first
reset_target
check "recover with --from-backup latest" "$RECOVER" --from-backup latest
check "latest restored the newer backup" test "$(restored_state)" = second

# A prefix shared by both backups is ambiguous: refused, candidates listed.
common=$(printf '%s\n%s\n' "$first" "$second" | sed -e 'N;s/^\(.*\).*\n\1.*$/\1/')
expect_exit "an ambiguous prefix is refused" 64 "ambiguous" env FROM_BACKUP="$common" "$RECOVER"
check "the candidates are listed" sh -c "grep -q '$first' '$TMP/last.err' && grep -q '$second' '$TMP/last.err'"
expect_exit "a timestamp that matches nothing" 66 "no complete backup matches" env FROM_BACKUP=2001-01-01T00:00:00Z "$RECOVER"

# The newest backup unreadable to the user recover runs as: latest does not
# quietly restore an older one; a backup named by its timestamp still restores.
give_store postgres
chmod 000 "$BACKUP_DIR/hourly/$second/manifest"
reset_target
expect_exit "as postgres, latest with the newest backup unreadable is refused" 65 \
	"the newest backup, hourly/$second, cannot be read .* latest does not fall back to the older hourly/$first.*FROM_BACKUP=<timestamp>" \
	as_postgres env FROM_BACKUP=latest "$RECOVER"
check "nothing was restored" test -z "$(sql postgres "SELECT 1 FROM pg_database WHERE datname = 'app'")"
check "the older backup, named, restores" as_postgres env FROM_BACKUP="$first" "$RECOVER"
check "with its state" test "$(restored_state)" = first
chmod 640 "$BACKUP_DIR/hourly/$second/manifest"

# bandr's flat files: listed without checksums, restored as they are.
reset_target
use_pg 25441 pw
sql app "UPDATE state SET v = 'bandr'" >/dev/null
mkdir -p "$BACKUP_DIR/daily"
pg_dumpall --no-password | gzip >"$BACKUP_DIR/daily/backup-2026-01-02T03:04:05-dumpall.sql.gz"
check "bandr's file is listed" sh -c "'$RECOVER' | grep -E '^daily +2026-01-02T03:04:05Z .* none .*bandr'"
use_pg 25442 pw
sql postgres "ALTER ROLE dbadmin PASSWORD 'pw'" >/dev/null
check "bandr's file restores by its timestamp" env FROM_BACKUP=2026-01-02T03:04:05Z "$RECOVER"
check "bandr's file brought its state" test "$(restored_state)" = bandr
gzip -c /dev/null >"$BACKUP_DIR/daily/backup-2026-01-03T00:00:00-dumpall.sql.gz"
head -c 100 "$BACKUP_DIR/daily/backup-2026-01-02T03:04:05-dumpall.sql.gz" >"$BACKUP_DIR/daily/backup-2026-01-04T00:00:00-dumpall.sql.gz"
expect_exit "a truncated bandr file is refused before the server is touched" 65 "truncated" \
	env FROM_BACKUP=2026-01-04 "$RECOVER"

# LATEST_BACKUP_MAXIMUM_AGE_H and DATABASE_EXPECTED_COUNT, as in bandr but failing loudly.
check "a fresh newest backup passes the age check" env LATEST_BACKUP_MAXIMUM_AGE_H=1 "$RECOVER"
mkdir -p "$TMP/old/hourly"
cp -a "$BACKUP_DIR/hourly/$first" "$TMP/old/hourly/2020-01-01T00:00:00Z"
expect_exit "an old newest backup fails the age check" 81 "LATEST_BACKUP_MAXIMUM_AGE_H" \
	env BACKUP_DIR="$TMP/old" LATEST_BACKUP_MAXIMUM_AGE_H=2 "$RECOVER"
expect_exit "an empty store fails the age check" 81 "no complete backup at all" \
	env BACKUP_DIR="$TMP/empty" LATEST_BACKUP_MAXIMUM_AGE_H=2 "$RECOVER"
reset_target
check "DATABASE_EXPECTED_COUNT met" env FROM_BACKUP=latest DATABASE_EXPECTED_COUNT=1 "$RECOVER"
reset_target
expect_exit "DATABASE_EXPECTED_COUNT not met" 81 "DATABASE_EXPECTED_COUNT" \
	env FROM_BACKUP=latest DATABASE_EXPECTED_COUNT=5 "$RECOVER"
