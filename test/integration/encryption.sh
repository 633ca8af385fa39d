# Encryption at rest with age: an encrypted hourly backup that Debian's `age`
# decrypts and `gunzip | psql` restores without tierdump; tierdump restores
# it, and a file `age -r` made; passphrase mode; missing and wrong keys
# refused naming the recipients with the target untouched; tampered and
# truncated files refused; promotion keeps it encrypted; --verify; the WAL
# archive encrypted; no secret in the log, the manifest or ps.
source "$(dirname "$0")/../lib.sh"

if ! command -v age >/dev/null || ! command -v age-keygen >/dev/null; then
	fail "age is installed (image/packages-test.txt)" "age or age-keygen is missing"
	exit 1
fi

export BACKUP_DIR=$TMP/backups
pg_start src 25701 Src-Enc-Pw || exit 1
# The same superuser password as the source: a plain psql restore changes it midway.
pg_start dst 25702 Src-Enc-Pw || exit 1
use_pg 25701 Src-Enc-Pw
psql -X -q -v ON_ERROR_STOP=1 -d postgres -f "$ROOT/test/fixtures.sql" >/dev/null

# verify_stored DIR: every file of DIR/manifest has its size and SHA-256 (no key, no gunzip).
verify_stored() {
	local dir=$1 name="" size
	while IFS= read -r line; do
		case $line in
		"[file:"*) name=${line#\[file:}; name=${name%\]} ;;
		"size = "*) size=${line#size = } ;;
		"sha256 = "*)
			[ "$(stat -c %s "$dir/$name")" = "$size" ] || return 1
			echo "${line#sha256 = }  $dir/$name" | sha256sum -c --quiet - || return 1 ;;
		esac
	done <"$dir/manifest"
}

age-keygen -o "$TMP/key.txt" 2>/dev/null
age-keygen -o "$TMP/other.txt" 2>/dev/null
age-keygen -o "$TMP/second.txt" 2>/dev/null
PUB=$(age-keygen -y "$TMP/key.txt")
PUB2=$(age-keygen -y "$TMP/second.txt")
SECRET=$(grep AGE-SECRET-KEY "$TMP/key.txt")

# ---------------------------------------------------------------- settings
# A typo in the last character: q, or p when it already is q.
case $PUB in *q) TYPO=${PUB%?}p ;; *) TYPO=${PUB%?}q ;; esac
expect_exit "a malformed recipient is a configuration error before any dump" 78 "BACKUP_RECIPIENTS.*malformed" \
	env BACKUP_ENCRYPTION=age BACKUP_RECIPIENTS="$TYPO" "$BACKUP" --tier hourly
check "nothing was dumped" test ! -d "$BACKUP_DIR/hourly" -o -z "$(ls -A "$BACKUP_DIR/hourly" 2>/dev/null | grep -v '^\.lock$')"
expect_exit "recipients without BACKUP_ENCRYPTION=age are refused" 78 "BACKUP_ENCRYPTION" \
	env BACKUP_RECIPIENTS="$PUB" "$BACKUP" --tier hourly
expect_exit "BACKUP_ENCRYPTION=age without keys is refused" 78 "BACKUP_RECIPIENTS" \
	env BACKUP_ENCRYPTION=age "$BACKUP" --tier hourly
printf 'AGE-SECRET-KEY-1NOTAKEY\n' >"$TMP/bad-identity.txt"
expect_exit "a malformed identity is a configuration error" 78 "bad-identity.txt line 1" \
	env RECOVER_IDENTITY_FILE="$TMP/bad-identity.txt" "$RECOVER"
check "the malformed identity is not echoed" sh -c "! env RECOVER_IDENTITY_FILE='$TMP/bad-identity.txt' '$RECOVER' 2>&1 | grep -q NOTAKEY"

# ---------------------------------------------------------------- an encrypted hourly backup
printf '# the operators\n%s\n\n%s\n' "$PUB" "$PUB2" >"$TMP/recipients.txt"
export BACKUP_ENCRYPTION=age BACKUP_RECIPIENTS_FILE=$TMP/recipients.txt
check "an encrypted hourly backup succeeds, with a mirror" sh -c "BACKUP_MIRROR='$TMP/mirror' '$BACKUP' --tier hourly 2>'$TMP/hourly.log'"
stamp=$(newest hourly)
dir=$BACKUP_DIR/hourly/$stamp
check "the mirror holds the same encrypted bytes" sh -c "cmp '$dir/dumpall.sql.gz.age' '$TMP/mirror/hourly/$stamp/dumpall.sql.gz.age' && cmp '$dir/rowcounts.age' '$TMP/mirror/hourly/$stamp/rowcounts.age' && cmp '$dir/manifest' '$TMP/mirror/hourly/$stamp/manifest'"
check "the dump is stored as dumpall.sql.gz.age" test -f "$dir/dumpall.sql.gz.age" -a ! -e "$dir/dumpall.sql.gz"
check "the row counts are encrypted too" test -f "$dir/rowcounts.age" -a ! -e "$dir/rowcounts"
check "the manifest's rowcounts_sha256 is of rowcounts.age as stored" sh -c "grep -qx \"rowcounts_sha256 = \$(sha256sum '$dir/rowcounts.age' | cut -c1-64)\" '$dir/manifest'"
check "the stored file is an age file" sh -c "head -c 21 '$dir/dumpall.sql.gz.age' | grep -qx 'age-encryption.org/v1'"
check "no plain SQL is in the stored file" sh -c "! grep -qa 'CREATE DATABASE' '$dir/dumpall.sql.gz.age' && ! gzip -t '$dir/dumpall.sql.gz.age' 2>/dev/null"
check "the manifest says encryption = age" grep -qx 'encryption = age' "$dir/manifest"
check "the manifest names both recipients" sh -c "grep -qx 'recipient = $PUB' '$dir/manifest' && grep -qx 'recipient = $PUB2' '$dir/manifest'"
check "the manifest's SHA-256 covers the stored bytes (no key needed)" verify_stored "$dir"
check "no secret key in the manifest or the log" sh -c "! grep -q AGE-SECRET-KEY '$dir/manifest' '$TMP/hourly.log'"
check "recover lists the encrypted backup without a key, marked [age]" sh -c "env -u BACKUP_ENCRYPTION -u BACKUP_RECIPIENTS_FILE '$RECOVER' | grep -q '$stamp.*\[age\] '"
check "recover --json gives its encryption and recipients" sh -c "env -u BACKUP_ENCRYPTION -u BACKUP_RECIPIENTS_FILE '$RECOVER' --json | python3 -c 'import json,sys; b=json.load(sys.stdin)[0]; sys.exit(not (b[\"encryption\"] == \"age\" and b[\"recipients\"] == [\"$PUB\", \"$PUB2\"]))'"

# ---------------------------------------------------------------- age itself decrypts it
check "age -d -i decrypts the stored file" sh -c "age -d -i '$TMP/key.txt' '$dir/dumpall.sql.gz.age' | gunzip | grep -q 'CREATE DATABASE app'"
check "the second recipient decrypts it too" sh -c "age -d -i '$TMP/second.txt' '$dir/dumpall.sql.gz.age' | gunzip | grep -q 'CREATE DATABASE app'"
check "age decrypts the row counts" sh -c "age -d -i '$TMP/key.txt' '$dir/rowcounts.age' | grep -q notes"
use_pg 25702 Src-Enc-Pw
check "age -d | gunzip | psql restores without tierdump" sh -c \
	"age -d -i '$TMP/key.txt' '$dir/dumpall.sql.gz.age' | gunzip | psql -X -q -d postgres >/dev/null 2>'$TMP/psql.err' || { cat '$TMP/psql.err'; false; }"
use_pg 25702 Src-Enc-Pw
check "the data came back through age" test "$(sql shop "SELECT count(*) FROM sales.orders")" = 500
pg_stop dst
pg_start dst2 25703 Dst-Enc-Pw || exit 1

# ---------------------------------------------------------------- missing and wrong keys
use_pg 25703 Dst-Enc-Pw
expect_exit "restore without an identity is refused, naming the recipients" 77 "encrypted to $PUB, $PUB2.*RECOVER_IDENTITY_FILE" \
	env FROM_BACKUP=latest "$RECOVER"
check "the target was not touched (no app database)" test -z "$(sql postgres "SELECT 1 FROM pg_database WHERE datname = 'app'")"
expect_exit "restore with the wrong identity is refused, naming the recipients" 77 "decrypts .*dumpall.sql.gz.age.*encrypted to $PUB" \
	env FROM_BACKUP=latest RECOVER_IDENTITY_FILE="$TMP/other.txt" "$RECOVER"
check "the target is still untouched" test -z "$(sql postgres "SELECT 1 FROM pg_database WHERE datname = 'app'")"

# ---------------------------------------------------------------- tierdump restores it
check "recover restores with RECOVER_IDENTITY_FILE" sh -c \
	"env FROM_BACKUP=latest RECOVER_IDENTITY_FILE='$TMP/key.txt' '$RECOVER' 2>'$TMP/restore.log'"
use_pg 25703 Src-Enc-Pw
check "the restored server has the data" test "$(sql shop "SELECT count(*) FROM sales.orders")" = 500
check "the identity is not in the log" sh -c "! grep -q '$SECRET' '$TMP/restore.log'"

# ---------------------------------------------------------------- damage
cp -a "$dir" "$TMP/pristine"
printf 'X' | dd of="$dir/dumpall.sql.gz.age" bs=1 seek=300 conv=notrunc 2>/dev/null
expect_exit "a tampered file is refused before the restore, naming it" 65 "dumpall.sql.gz.age" \
	env FROM_BACKUP=latest RECOVER_IDENTITY_FILE="$TMP/key.txt" RECOVER_FORCE=1 "$RECOVER"
cp "$TMP/pristine/dumpall.sql.gz.age" "$dir/"
truncate -s -100 "$dir/dumpall.sql.gz.age"
expect_exit "a truncated file is refused, naming it" 65 "dumpall.sql.gz.age" \
	env FROM_BACKUP=latest RECOVER_IDENTITY_FILE="$TMP/key.txt" RECOVER_FORCE=1 "$RECOVER"
cp "$TMP/pristine/dumpall.sql.gz.age" "$dir/"
check "the file is whole again" verify_stored "$dir"

# ---------------------------------------------------------------- promotion
check "daily promotes the encrypted backup" env -u BACKUP_RECIPIENTS_FILE -u BACKUP_ENCRYPTION "$BACKUP" --tier daily
ddir=$BACKUP_DIR/daily/$(newest daily)
check "the daily copy is the same encrypted file" cmp "$dir/dumpall.sql.gz.age" "$ddir/dumpall.sql.gz.age"
check "the daily copy carries the row counts" test -f "$ddir/rowcounts.age"
check "the daily manifest still says encryption = age" grep -qx 'encryption = age' "$ddir/manifest"
check "the daily copy decrypts with age" sh -c "age -d -i '$TMP/key.txt' '$ddir/dumpall.sql.gz.age' | gunzip | grep -q 'CREATE DATABASE shop'"

# ---------------------------------------------------------------- --verify
check "backup --verify test-restores the encrypted backup with the identity" \
	env RECOVER_IDENTITY_FILE="$TMP/key.txt" "$BACKUP" --verify latest
expect_exit "backup --verify without the identity fails naming the recipients" 77 "encrypted to $PUB" \
	"$BACKUP" --verify latest

# ---------------------------------------------------------------- a file age made
use_pg 25701 Src-Enc-Pw
unset BACKUP_RECIPIENTS_FILE
check "an unencrypted backup (to re-encrypt with age)" env -u BACKUP_ENCRYPTION "$BACKUP" --tier hourly
pdir=$BACKUP_DIR/hourly/$(newest hourly)
gunzip -c "$pdir/dumpall.sql.gz" | gzip -1 | age -r "$PUB" -o "$pdir/dumpall.sql.gz.age"
rm "$pdir/dumpall.sql.gz"
size=$(stat -c %s "$pdir/dumpall.sql.gz.age")
sum=$(sha256sum "$pdir/dumpall.sql.gz.age" | cut -d' ' -f1)
sed -i -e "s/^\[file:dumpall.sql.gz\]/[file:dumpall.sql.gz.age]/" -e "/^\[file/,\$ s/^size = .*/size = $size/" \
	-e "/^\[file/,\$ s/^sha256 = .*/sha256 = $sum/" -e "s/^compression_level = .*/&\nencryption = age\nrecipient = $PUB/" "$pdir/manifest"
check "the hand-made manifest verifies" verify_stored "$pdir"
pg_stop dst2
pg_start dst3 25704 Dst-Enc-Pw || exit 1
use_pg 25704 Dst-Enc-Pw
check "recover restores a file age -r encrypted" env FROM_BACKUP=latest RECOVER_IDENTITY_FILE="$TMP/key.txt" "$RECOVER"
use_pg 25704 Src-Enc-Pw
check "its data is back" test "$(sql shop "SELECT count(*) FROM sales.orders")" = 500

# ---------------------------------------------------------------- passphrase
use_pg 25701 Src-Enc-Pw
printf 'correct horse battery staple\n' >"$TMP/passphrase"
export BACKUP_ENCRYPTION=age BACKUP_PASSPHRASE_FILE=$TMP/passphrase
check "a passphrase-encrypted hourly backup succeeds" sh -c "'$BACKUP' --tier hourly 2>'$TMP/pass.log' & sleep 1; ps -eo args >'$TMP/ps.txt'; wait \$!"
xdir=$BACKUP_DIR/hourly/$(newest hourly)
check "the manifest says passphrase, never the passphrase" sh -c "grep -qx 'recipient = passphrase (scrypt)' '$xdir/manifest' && ! grep -q 'horse' '$xdir/manifest' '$TMP/pass.log' '$TMP/ps.txt'"
check "one scrypt stanza" sh -c "head -c 200 '$xdir/dumpall.sql.gz.age' | grep -qa -- '-> scrypt '"
pg_stop dst3
pg_start dst4 25705 Dst-Enc-Pw || exit 1
use_pg 25705 Dst-Enc-Pw
check "recover restores it with BACKUP_PASSPHRASE_FILE" env -u BACKUP_ENCRYPTION FROM_BACKUP=latest "$RECOVER"
use_pg 25705 Src-Enc-Pw
check "the passphrase backup's data is back" test "$(sql shop "SELECT count(*) FROM sales.orders")" = 500
printf 'wrong\n' >"$TMP/wrong-passphrase"
expect_exit "a wrong passphrase is refused" 77 "decrypts .*passphrase \(scrypt\)" \
	env -u BACKUP_ENCRYPTION BACKUP_PASSPHRASE_FILE="$TMP/wrong-passphrase" FROM_BACKUP=latest RECOVER_FORCE=1 "$RECOVER"
if command -v script >/dev/null; then
	# age -d -p reads the passphrase from a terminal only: give it one.
	check "age -d decrypts the passphrase file (passphrase on a pty)" sh -c "(sleep 1; printf 'correct horse battery staple\n') | script -qec \"age -d -o '$TMP/p.sql.gz' '$xdir/dumpall.sql.gz.age'\" /dev/null >/dev/null && gunzip -c '$TMP/p.sql.gz' | grep -qa 'CREATE DATABASE app'"
fi
unset BACKUP_PASSPHRASE_FILE BACKUP_ENCRYPTION

# ---------------------------------------------------------------- MariaDB
my_start msrc 25706 || exit 1
my_root msrc -e "CREATE DATABASE shop; USE shop; CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20)); INSERT INTO items SELECT seq, CONCAT('item ', seq) FROM seq_1_to_300;"
export BACKUP_DIR=$TMP/mariadb-backups
check "an encrypted MariaDB backup" env BACKUP_ENGINE=mariadb BACKUP_ENCRYPTION=age BACKUP_RECIPIENTS="$PUB" \
	MYSQL_HOST=127.0.0.1 MYSQL_TCP_PORT=25706 MYSQL_USER=bk MYSQL_PWD=bk-pw "$BACKUP"
mdir=$BACKUP_DIR/hourly/$(newest hourly)
check "stored as mariadb.sql.gz.age, which age decrypts" sh -c "age -d -i '$TMP/key.txt' '$mdir/mariadb.sql.gz.age' | gunzip | grep -q 'CREATE TABLE .items.'"
my_root msrc -e "DROP DATABASE shop"
check "recover restores it into MariaDB with the identity" env BACKUP_ENGINE=mariadb FROM_BACKUP=latest RECOVER_IDENTITY_FILE="$TMP/key.txt" \
	MYSQL_HOST=127.0.0.1 MYSQL_TCP_PORT=25706 MYSQL_USER=bk MYSQL_PWD=bk-pw "$RECOVER"
check "its rows are back" test "$(my_root msrc -N -e 'SELECT COUNT(*) FROM shop.items')" = 300
