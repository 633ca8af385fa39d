# The FTPS store against vsftpd (explicit TLS on control and data, a
# self-signed certificate trusted through FTP_CA_FILE): tiers, promotion by
# copy, pruning, recover, a wrong password, an untrusted certificate and a
# plain-FTP server, which is refused.
source "$(dirname "$0")/../lib.sh"

pg_start src 25561 pw || exit 1
pg_start dst 25562 pw || exit 1
ftps_start ftps 25563 || exit 1
ftps_start plain 25564 NO || exit 1
use_pg 25561 pw
sql postgres "CREATE DATABASE app" >/dev/null
sql app "CREATE TABLE t (v text); INSERT INTO t VALUES ('over ftps')" >/dev/null
export BACKUP_STORE=ftps://127.0.0.1:25563/backups FTP_USER=$FTP_TEST_USER FTP_PASSWORD=ftp-pw \
	FTP_CA_FILE=$TMP/ftps/cert.pem
unset BACKUP_DIR

check "hourly backup over FTPS" "$BACKUP"
check "the files are on the server under their final name" sh -c "ls '$TMP'/ftp-home/backups/hourly/*/manifest"
check "nothing staged is left" sh -c "! ls -a '$TMP/ftp-home/backups/hourly' | grep -E '^\\.(partial|deleting)-'"
check "recover lists it over FTPS" sh -c "'$RECOVER' | grep -qE '^hourly .* complete'"
check "daily promotes it (a copy: FTP cannot link)" env BACKUP_TYPE=daily "$BACKUP"
check "the daily copy verifies (size and sha256)" verify_backup "$(ls -d "$TMP"/ftp-home/backups/daily/2*/ | head -1)"
for i in 1 2; do sleep 1; env BACKUP_COUNT=1 "$BACKUP" >/dev/null 2>&1 || fail "hourly run $i over FTPS"; done
check "pruning keeps exactly BACKUP_COUNT=1" test "$(ls "$TMP/ftp-home/backups/hourly" | grep -c '^[0-9]')" = 1
check "pruning left nothing half-deleted" sh -c "! ls -a '$TMP/ftp-home/backups/hourly' | grep -q deleting"
use_pg 25562 pw
check "recover restores from FTPS" env FROM_BACKUP=latest "$RECOVER"
check "the data is back" test "$(sql app "SELECT v FROM t")" = "over ftps"

expect_exit "a wrong FTP password" 77 "Login denied.*FTP_USER and FTP_PASSWORD" env FTP_PASSWORD=wrong "$RECOVER"
check "the password is not echoed" sh -c "! grep -q wrong '$TMP/last.err'"
expect_exit "an untrusted certificate is refused" 78 "set FTP_CA_FILE" env -u FTP_CA_FILE "$RECOVER"
check "FTP_INSECURE accepts it (for tests only)" env -u FTP_CA_FILE FTP_INSECURE=1 "$RECOVER"
expect_exit "a plain-FTP server is refused: no password in clear" 78 "offers no TLS" \
	env BACKUP_STORE=ftps://127.0.0.1:25564/backups "$RECOVER"
