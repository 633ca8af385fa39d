# BACKUP_FORMAT=chunked with BACKUP_ENCRYPTION=age: each chunk is an age file
# (of a zstd frame) that Debian's age decrypts, named by a keyed hash that
# gives nothing away about its content; the store's chunk key is an age file
# itself. With recipients the writer holds BACKUP_CHUNK_KEY_FILE and never
# decrypts; with a passphrase the key lives in the store. Deduplication,
# restores, wrong keys, new recipients, damage, swapped chunks and mirrors.
source "$(dirname "$0")/../lib.sh"

if ! command -v age >/dev/null || ! command -v age-keygen >/dev/null; then
	fail "age is installed (image/packages-test.txt)" "age or age-keygen is missing"
	exit 0
fi
export BACKUP_DIR=$TMP/backups BACKUP_FORMAT=chunked
pg_start src 25731 pw || exit 1
pg_start dst 25732 pw || exit 1
s3_start s3 25733 || exit 1
use_pg 25731 pw
sql postgres "CREATE DATABASE app" >/dev/null
sql app "CREATE TABLE cold AS SELECT g AS id, md5(g::text) || md5((g * 7)::text) AS v FROM generate_series(1, 150000) g" >/dev/null
sql app "CREATE TABLE events (id bigint, v text)" >/dev/null
add_events() { sql app "INSERT INTO events SELECT g, md5(g::text) FROM generate_series($1, $1 + 999) g" >/dev/null; }
on_dst() { env PGPORT=25732 "$@"; }
chunks() { ls "$1/chunks/data" | grep -c '^[0-9a-f]\{64\}$'; }
manifest() { echo "$BACKUP_DIR/hourly/$(newest hourly)/manifest"; }
list_of() { echo "$BACKUP_DIR/chunks/blobs/$(sed -n 's/^sha256 = //p' "$(manifest)")"; }

age-keygen -o "$TMP/key.txt" 2>/dev/null
age-keygen -o "$TMP/other.txt" 2>/dev/null
age-keygen -o "$TMP/chunk-key.txt" 2>/dev/null
age-keygen -o "$TMP/new.txt" 2>/dev/null
PUB=$(age-keygen -y "$TMP/key.txt")
NEW=$(age-keygen -y "$TMP/new.txt")
export BACKUP_ENCRYPTION=age BACKUP_RECIPIENTS=$PUB

# Recipients: the writer needs the key that names chunks, and says how to make one.
expect_exit "chunked to recipients without BACKUP_CHUNK_KEY_FILE is refused, saying how to make one" 78 \
	"needs BACKUP_CHUNK_KEY_FILE.*age-keygen" "$BACKUP"
check "the refused run left no backup" test -z "$(newest hourly)"
export BACKUP_CHUNK_KEY_FILE=$TMP/chunk-key.txt
check "a chunked backup encrypted to a recipient" "$BACKUP"
m1=$(manifest)
n1=$(chunks "$BACKUP_DIR")
check "its manifest names the chunk key and the recipient" \
	sh -c "grep -qE '^chunk_key = [0-9a-f]{32}$' '$m1' && grep -qx 'recipient = $PUB' '$m1'"
key_id=$(sed -n 's/^chunk_key = //p' "$m1")
first_chunk=$(sed -n '2p' "$(list_of)" | cut -d' ' -f1)
check "every chunk is an age file" \
	sh -c "for f in '$BACKUP_DIR'/chunks/data/*; do head -c 22 \"\$f\" | grep -q '^age-encryption.org/v1' || exit 1; done"
check "age -d -i decrypts a chunk into a zstd frame of the dump" \
	sh -c "age -d -i '$TMP/key.txt' '$BACKUP_DIR/chunks/data/$first_chunk' | zstd -dc >'$TMP/plain-chunk' && test -s '$TMP/plain-chunk'"
check "a chunk's name is not the SHA-256 of its plain bytes" \
	test "$(sha256sum <"$TMP/plain-chunk" | cut -d' ' -f1)" != "$first_chunk"
check "all chunks decrypted in list order are the dump" sh -c "
	sed 1d '$(list_of)' | cut -d' ' -f1 | while read -r id; do
		age -d -i '$TMP/key.txt' '$BACKUP_DIR/chunks/data/'\$id | zstd -dc || exit 1
	done | grep -q 'CREATE DATABASE app'"
check "the chunk key in the store is an age file the recipient opens" \
	sh -c "age -d -i '$TMP/key.txt' '$BACKUP_DIR/chunks/keys/$key_id' | grep -q '^AGE-SECRET-KEY-1'"
check "it is the chunk key file's key" \
	test "$(age -d -i "$TMP/key.txt" "$BACKUP_DIR/chunks/keys/$key_id" | grep '^AGE-SECRET')" = "$(grep '^AGE-SECRET' "$TMP/chunk-key.txt")"
check "the chunk key opens it too, so that each run checks it" \
	sh -c "age -d -i '$TMP/chunk-key.txt' '$BACKUP_DIR/chunks/keys/$key_id' | grep -q '^AGE-SECRET-KEY-1'"
rc_blob=$BACKUP_DIR/chunks/blobs/$(sed -n 's/^rowcounts_sha256 = //p' "$m1")
check "the row counts are an age file too" sh -c "age -d -i '$TMP/key.txt' '$rc_blob' | grep -q cold"
check "the chunk list holds names and sizes only" sh -c "! grep -q 'CREATE\\|cold' '$(list_of)'"

add_events 1
sleep 1
check "a second encrypted run after a small change" "$BACKUP"
check "it stores only a few new chunks: encrypted chunks deduplicate" test "$(($(chunks "$BACKUP_DIR") - n1))" -le 3
check "and no second chunk key" test "$(ls "$BACKUP_DIR/chunks/keys" | wc -l)" = 1

expect_exit "recover without an identity names the recipient and the setting" 77 \
	"RECOVER_IDENTITY_FILE.*$PUB|$PUB.*RECOVER_IDENTITY_FILE" on_dst env FROM_BACKUP=latest "$RECOVER"
expect_exit "recover with another identity is refused" 77 "no key given .* decrypts .*chunks/keys/$key_id" \
	on_dst env FROM_BACKUP=latest RECOVER_IDENTITY_FILE="$TMP/other.txt" "$RECOVER"
check "the refused restores left the target untouched" \
	test -z "$(PGPORT=25732 sql postgres "SELECT 1 FROM pg_database WHERE datname = 'app'")"
export RECOVER_IDENTITY_FILE=$TMP/key.txt
check "recover restores the encrypted chunked backup" on_dst env FROM_BACKUP=latest "$RECOVER"
check "the data is back" test "$(PGPORT=25732 sql app "SELECT count(*) FROM events")" = 1000
check "backup --verify test-restores it, row counts included" "$BACKUP" --verify latest
check "recover --check-store opens and checks every chunk" "$RECOVER" --check-store
check "daily promotes it by manifest" env BACKUP_TYPE=daily "$BACKUP"
check "the daily copy names the same chunk key" grep -qx "chunk_key = $key_id" "$BACKUP_DIR/daily/$(newest daily)/manifest"

# A swapped chunk: valid age to the right recipient under another chunk's name.
victim=$(sed -n '2p' "$(list_of)" | cut -d' ' -f1)
other=$(sed -n '3p' "$(list_of)" | cut -d' ' -f1)
cp "$BACKUP_DIR/chunks/data/$victim" "$TMP/saved"
cp "$BACKUP_DIR/chunks/data/$other" "$BACKUP_DIR/chunks/data/$victim"
expect_exit "a restore through a swapped chunk stops before the server is touched" 65 \
	"its chunk chunks/data/$victim \\(number 1\\) is [0-9]+ bytes, its list says" \
	on_dst env FROM_BACKUP=latest RECOVER_FORCE=1 "$RECOVER"
expect_exit "recover --check-store finds the swapped chunk" 65 "cannot be restored" "$RECOVER" --check-store
# A forged chunk: one byte of its plain text changed, sealed again to the recipient.
# Its age authenticates, its length is right: only the keyed name tells.
age -d -i "$TMP/key.txt" "$TMP/saved" | zstd -dc >"$TMP/forged"
printf 'X' | dd of="$TMP/forged" bs=1 seek=5000 conv=notrunc 2>/dev/null
zstd -3 -qc "$TMP/forged" | age -r "$PUB" -o "$BACKUP_DIR/chunks/data/$victim"
expect_exit "recover --check-store finds a forged chunk by its keyed name" 65 \
	"chunk chunks/data/$victim of hourly/.* is damaged: its bytes do not match its name" "$RECOVER" --check-store
cp "$TMP/saved" "$BACKUP_DIR/chunks/data/$victim"
printf 'x' | dd of="$BACKUP_DIR/chunks/data/$victim" bs=1 seek=300 conv=notrunc 2>/dev/null
expect_exit "a restore through an altered chunk fails its authentication" 65 "chunks/data/$victim.*fails authentication|chunks/data/$victim.*header" \
	on_dst env FROM_BACKUP=latest RECOVER_FORCE=1 "$RECOVER"
check "and names the backup that needs it" grep -q "hourly/.* needs the chunk chunks/data/$victim" "$TMP/last.err"
expect_exit "--check-store --repair --identity-file sets the altered chunk aside" 65 "1 damaged chunk\\(s\\) set aside" \
	env -u RECOVER_IDENTITY_FILE "$RECOVER" --check-store --repair --identity-file "$RECOVER_IDENTITY_FILE"
check "it left the chunk area for chunks/damaged/" \
	sh -c "test ! -e '$BACKUP_DIR/chunks/data/$victim' && ls '$BACKUP_DIR/chunks/damaged' | grep -q '^$victim-'"
rm -r "$BACKUP_DIR/chunks/damaged"
head -c 1000 "$TMP/saved" >"$BACKUP_DIR/chunks/data/$victim"
expect_exit "recover --check-store without an identity still finds a cut chunk by its size" 65 "chunk chunks/data/$victim is damaged: it is 1000 bytes" \
	env -u RECOVER_IDENTITY_FILE "$RECOVER" --check-store
check "and says it checked sizes only" grep -q "presence and size only" "$TMP/last.err"
cp "$TMP/saved" "$BACKUP_DIR/chunks/data/$victim"
check "with the chunk back, the store checks clean" "$RECOVER" --check-store

# The chunk key replaced by another one under the same name.
cp "$BACKUP_DIR/chunks/keys/$key_id" "$TMP/saved-key"
age -r "$PUB" -o "$BACKUP_DIR/chunks/keys/$key_id" "$TMP/other.txt"
expect_exit "a replaced chunk key is refused" 65 "chunks/keys/$key_id holds another key than its name says" \
	on_dst env FROM_BACKUP=latest RECOVER_FORCE=1 "$RECOVER"
sleep 1
check "the next run cannot check it and stores the key again" "$BACKUP"
check "saying so" grep -q "chunks/keys/$key_id cannot be checked, as it is not encrypted to the chunk key .*: storing it again" "$TMP/check.out"
check "recover opens the chunked backups again" on_dst env FROM_BACKUP=latest RECOVER_FORCE=1 "$RECOVER"
head -c 150 "$TMP/saved-key" >"$BACKUP_DIR/chunks/keys/$key_id"
sleep 1
check "a damaged key file is stored again too" "$BACKUP"
check "saying it was damaged" grep -q "chunks/keys/$key_id is not the chunk key .*(damaged or unreadable)" "$TMP/check.out"
check "every backup is whole" "$RECOVER" --check-store
age -r "$PUB" -o "$BACKUP_DIR/chunks/keys/$key_id" "$TMP/chunk-key.txt"
sleep 1
check "a key file of an older run, encrypted to the recipients only, is stored again" "$BACKUP"
check "saying why" grep -q "chunks/keys/$key_id cannot be checked, as it is not encrypted to the chunk key (an older run" "$TMP/check.out"
other_key=$(grep '^AGE-SECRET' "$TMP/other.txt")
printf '# another key\n%s\n' "$other_key" | age -r "$PUB" -r "$(age-keygen -y "$TMP/chunk-key.txt")" -o "$BACKUP_DIR/chunks/keys/$key_id"
sleep 1
check "a key file replaced by another key that the chunk key opens is stored again" "$BACKUP"
check "saying it holds another" grep -q "chunks/keys/$key_id is not the chunk key BACKUP_CHUNK_KEY_FILE holds (it holds another)" "$TMP/check.out"
check "and the chunk key opens it now" \
	sh -c "age -d -i '$TMP/chunk-key.txt' '$BACKUP_DIR/chunks/keys/$key_id' | grep -q '^AGE-SECRET-KEY-1'"
sleep 1
check "a run with the key file intact" "$BACKUP"
check "stores nothing again" sh -c "! grep -q 'chunks/keys/$key_id' '$TMP/check.out'"

# New recipients: new chunks, encrypted to them; the old backups keep theirs.
old_chunks=$(chunks "$BACKUP_DIR")
check "a run with a second recipient" env BACKUP_RECIPIENTS="$PUB $NEW" "$BACKUP"
check "stores every chunk anew (the old ones are not encrypted to the new key)" \
	test "$(chunks "$BACKUP_DIR")" -ge $((old_chunks + n1 - 1))
check "under a second chunk key" test "$(ls "$BACKUP_DIR/chunks/keys" | wc -l)" = 2
check "the new recipient alone restores it" \
	on_dst env FROM_BACKUP=latest RECOVER_FORCE=1 RECOVER_IDENTITY_FILE="$TMP/new.txt" "$RECOVER"
check "pruning to one backup collects the chunks only older backups used" env BACKUP_COUNT=1 "$BACKUP"
check "the collection ran without any key to decrypt with" grep -q "garbage collection of .*deleted" "$TMP/check.out"
check "the daily backup, on the old chunks, still restores" \
	on_dst env FROM_BACKUP="$(newest daily)" RECOVER_FORCE=1 "$RECOVER"
check "the store checks clean" "$RECOVER" --check-store

# A local mirror receives the chunk key with the chunks.
check "an encrypted chunked run with a local mirror" env BACKUP_MIRROR="$TMP/mirror" "$BACKUP"
check "the mirror holds the chunk key" test -f "$TMP/mirror/chunks/keys/$key_id"
check "the mirror's copy restores" on_dst env BACKUP_DIR="$TMP/mirror" FROM_BACKUP=latest RECOVER_FORCE=1 "$RECOVER"
unset BACKUP_RECIPIENTS BACKUP_CHUNK_KEY_FILE RECOVER_IDENTITY_FILE

# A passphrase: the chunk key is made once and kept in the store, encrypted to it.
export BACKUP_DIR=$TMP/pass BACKUP_PASSPHRASE="correct horse battery staple"
check "a chunked backup encrypted with a passphrase" "$BACKUP"
check "the store holds one chunk key" test "$(ls "$BACKUP_DIR/chunks/keys" | wc -l)" = 1
pkey=$(ls "$BACKUP_DIR/chunks/keys")
check "chunks are age files to an X25519 key, not a scrypt per chunk" \
	sh -c "f=\$(ls '$BACKUP_DIR'/chunks/data/* | head -1); head -c 200 \"\$f\" | grep -q '^-> X25519 ' && ! head -c 200 \"\$f\" | grep -q scrypt"
check "the chunk key file is encrypted to the passphrase" sh -c "head -c 200 '$BACKUP_DIR/chunks/keys/$pkey' | grep -q '^-> scrypt '"
if command -v script >/dev/null; then
	check "age -d opens the chunk key with the passphrase (on a pty), and it opens a chunk" sh -c "
		(sleep 1; printf 'correct horse battery staple\n') | script -qec \"age -d -o '$TMP/pk.txt' '$BACKUP_DIR/chunks/keys/$pkey'\" /dev/null >/dev/null &&
		f=\$(ls '$BACKUP_DIR'/chunks/data/* | head -1) && age -d -i '$TMP/pk.txt' \"\$f\" | zstd -dc | grep -qa ."
fi
pn=$(chunks "$BACKUP_DIR")
add_events 5000
sleep 1
check "a second passphrase run" "$BACKUP"
check "reuses the store's chunk key" test "$(ls "$BACKUP_DIR/chunks/keys")" = "$pkey"
check "and stores only a few new chunks" test "$(($(chunks "$BACKUP_DIR") - pn))" -le 3
check "recover restores it with the passphrase" on_dst env -u BACKUP_ENCRYPTION FROM_BACKUP=latest RECOVER_FORCE=1 "$RECOVER"
check "the passphrase data is back" test "$(PGPORT=25732 sql app "SELECT count(*) FROM events")" = 2000
expect_exit "a wrong passphrase cannot restore" 77 "no key given .* decrypts .*chunks/keys/$pkey" \
	on_dst env -u BACKUP_ENCRYPTION BACKUP_PASSPHRASE=wrong FROM_BACKUP=latest RECOVER_FORCE=1 "$RECOVER"
check "a run with a new passphrase makes a second chunk key and succeeds" env BACKUP_PASSPHRASE=another "$BACKUP"
check "its log has no error from trying the old key" sh -c "! grep -qi 'error' '$TMP/check.out'"
check "the store holds two chunk keys" test "$(ls "$BACKUP_DIR/chunks/keys" | wc -l)" = 2
check "the new passphrase restores the new backup" \
	on_dst env -u BACKUP_ENCRYPTION BACKUP_PASSPHRASE=another FROM_BACKUP=latest RECOVER_FORCE=1 "$RECOVER"
check "the old passphrase still restores the old one" \
	on_dst env -u BACKUP_ENCRYPTION FROM_BACKUP="$(ls "$BACKUP_DIR/hourly" | sort | sed -n 2p)" RECOVER_FORCE=1 "$RECOVER"

# S3: the chunk key is found by listing the bucket, and a local mirror receives it.
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_ENDPOINT_URL=http://127.0.0.1:25733 STORE_RETRIES=1
on_s3() { env BACKUP_STORE=s3://backups/enc "$@"; }
check "an encrypted chunked backup to S3 with a local mirror" on_s3 env BACKUP_MIRROR="$TMP/s3-mirror" "$BACKUP"
add_events 9000
sleep 1
check "a second run to S3 reuses the chunk key it lists there" on_s3 env BACKUP_MIRROR="$TMP/s3-mirror" "$BACKUP"
check "the bucket and the mirror hold one chunk key, the same" \
	test "$(ls "$TMP/s3-mirror/chunks/keys")" = "$(sed -n 's/^chunk_key = //p' "$TMP/s3-mirror/hourly/$(ls "$TMP/s3-mirror/hourly" | sort | tail -1)/manifest")"
check "S3's store checks clean with the passphrase" on_s3 "$RECOVER" --check-store
check "recover restores from S3" on_dst env -u BACKUP_ENCRYPTION BACKUP_STORE=s3://backups/enc FROM_BACKUP=latest RECOVER_FORCE=1 "$RECOVER"
check "the data from S3 is back" test "$(PGPORT=25732 sql app "SELECT count(*) FROM events")" = 3000
check "the mirror's copy restores" on_dst env -u BACKUP_ENCRYPTION BACKUP_DIR="$TMP/s3-mirror" FROM_BACKUP=latest RECOVER_FORCE=1 "$RECOVER"
