# BACKUP_FORMAT=chunked: content-defined chunks stored once per store, on a
# local store, on S3 and over FTPS. Hourly runs store only the chunks that
# changed; promotion writes a manifest only; pruning and the garbage collector
# delete what no backup references, never what one does, even with a writer
# at work or after a kill -9 (of a backup, a collection, a prune, a
# promotion); recover --check-store and the restore name a
# missing or damaged chunk and the backups it breaks.
source "$(dirname "$0")/../lib.sh"

export BACKUP_DIR=$TMP/backups BACKUP_FORMAT=chunked
pg_start src 25721 pw || exit 1
pg_start dst 25722 pw || exit 1
s3_start s3 25723 || exit 1
ftps_start ftps 25724 || exit 1
use_pg 25721 pw
sql postgres "CREATE DATABASE app" >/dev/null
# Several chunks' worth of rows that compress like data, not like filler.
sql app "CREATE TABLE cold AS SELECT g AS id, md5(g::text) || md5((g * 7)::text) AS v FROM generate_series(1, 150000) g" >/dev/null
sql app "CREATE TABLE events (id bigint, v text)" >/dev/null

# chunks DIR: how many chunks the store at DIR holds.
chunks() { ls "$1/chunks/data" | grep -c '^[0-9a-f]\{64\}$'; }
# new_size TIER: what the newest backup of TIER added, from its manifest.
new_size() { sed -n 's/^new_size = //p' "$BACKUP_DIR/$1/$(newest "$1")/manifest"; }
# on_dst COMMAND...: runs COMMAND with the restore going to the second server.
on_dst() { env PGPORT=25722 "$@"; }
add_events() { sql app "INSERT INTO events SELECT g, md5(g::text) FROM generate_series($1, $1 + 999) g" >/dev/null; }

check "a first chunked hourly backup" "$BACKUP"
first=$(newest hourly)
check "its manifest is format 2 and its file is a chunk list" \
	sh -c "grep -qx 'format = 2' '$BACKUP_DIR/hourly/$first/manifest' && grep -qx '\\[file:dumpall.sql\\]' '$BACKUP_DIR/hourly/$first/manifest'"
check "chunks are zstd at level 3 by default" \
	sh -c "grep -qx 'compression = zstd' '$BACKUP_DIR/hourly/$first/manifest' && grep -qx 'compression_level = 3' '$BACKUP_DIR/hourly/$first/manifest'"
check "the backup's directory holds its manifest only" test "$(ls "$BACKUP_DIR/hourly/$first")" = manifest
check "the dump is cut into several chunks" test "$(chunks "$BACKUP_DIR")" -ge 3
n1=$(chunks "$BACKUP_DIR")
size1=$(du -sb "$BACKUP_DIR/chunks/data" | cut -f1)
check "no writer marker is left" test -z "$(ls "$BACKUP_DIR/chunks/writers")"

add_events 1
sleep 1
check "a second hourly run after a small change" "$BACKUP"
second=$(newest hourly)
check "it stores only a few new chunks" test "$(($(chunks "$BACKUP_DIR") - n1))" -le 3
check "its manifest says how little it added" test "$(new_size hourly)" -lt "$((size1 / 2))"
check "recover lists it as chunked with its new bytes" sh -c "'$RECOVER' | grep -E '^hourly +$second .*\\[chunked, .* new\\]'"
check "and the chunk area's size" sh -c "'$RECOVER' | grep -E '^chunks: [0-9]+, .* in the store'"
check "recover --json says chunked" sh -c "'$RECOVER' --json | grep '\"timestamp\": \"$second\"' | grep -q '\"format\": \"chunked\", \"new_size\": '"

check "recover restores the chunked backup into another server" on_dst env FROM_BACKUP=latest "$RECOVER"
check "the data is back" test "$(PGPORT=25722 sql app "SELECT count(*) FROM events")" = 1000
check "backup --verify test-restores it" "$BACKUP" --verify latest

# Promotion: a manifest, no copy of any chunk.
before=$(chunks "$BACKUP_DIR")
check "daily promotes the newest hourly" env BACKUP_TYPE=daily "$BACKUP"
check "the listing says the promoted copy added nothing" sh -c "'$RECOVER' | grep -E '^daily +$second .*\\[chunked, 0 B new\\]'"
check "the daily backup is its manifest only" test "$(ls "$BACKUP_DIR/daily/$second")" = manifest
check "no chunk was added" test "$(chunks "$BACKUP_DIR")" = "$before"
check "the daily manifest names the same chunk list" \
	test "$(grep '^sha256' "$BACKUP_DIR/daily/$second/manifest")" = "$(grep '^sha256' "$BACKUP_DIR/hourly/$second/manifest")"

# Pruning and the garbage collector: chunks only pruned backups used go; shared ones stay.
for i in 2 3; do
	add_events $((i * 100000))
	sleep 1
	env BACKUP_COUNT=2 "$BACKUP" >"$TMP/prune.log" 2>&1 || fail "hourly run $i with BACKUP_COUNT=2"
done
check "the prune ran the garbage collection" grep -q "garbage collection of .*deleted" "$TMP/prune.log"
check "every listed backup still has all its chunks" "$RECOVER" --check-store
check "the daily copy of a pruned hourly backup still restores" \
	on_dst env FROM_BACKUP="$second" RECOVER_FORCE=1 "$RECOVER"

# A writer at work: the collector deletes nothing.
orphan=$TMP/orphan
echo "not referenced" >"$orphan"
cp "$BACKUP_DIR/chunks/data/$(ls "$BACKUP_DIR/chunks/data" | head -1)" "$TMP/any-chunk"
fake=$(printf 'f%.0s' $(seq 64))
cp "$TMP/any-chunk" "$BACKUP_DIR/chunks/data/$fake"
echo "tierdump backup writer" >"$BACKUP_DIR/chunks/writers/$(date +%s)-elsewhere-1"
check "backup --gc with a live writer marker from another host" "$BACKUP" --gc
check "it says why it deleted nothing" grep -q "deleting no chunk this time" "$TMP/check.out"
check "the unreferenced chunk is still there" test -f "$BACKUP_DIR/chunks/data/$fake"
rm "$BACKUP_DIR/chunks/writers/"*
echo "tierdump backup writer" >"$BACKUP_DIR/chunks/writers/$(($(date +%s) - 2 * 86400))-elsewhere-1"
check "backup --gc with a writer marker two days old" "$BACKUP" --gc
check "the stale marker is reported" grep -q "taken to have died" "$TMP/check.out"
check "the unreferenced chunk is gone" test ! -e "$BACKUP_DIR/chunks/data/$fake"
check "and the stale marker with it" test -z "$(ls "$BACKUP_DIR/chunks/writers")"

# A garbage collection at work: a writer waits for it, and gives up after the lock timeout.
echo "tierdump garbage collection" >"$BACKUP_DIR/chunks/gc/$(date +%s)-elsewhere-1"
expect_exit "a backup while a collection runs elsewhere, past the lock timeout" 73 \
	"a garbage collection .* has been running .*remove .*chunks/gc/" "$BACKUP" --lock-timeout 2
check "the failed run left no backup and no marker of its own" \
	sh -c "test \$(ls '$BACKUP_DIR/chunks/writers' | wc -l) = 0"
rm "$BACKUP_DIR/chunks/gc/"*
echo "tierdump garbage collection" >"$BACKUP_DIR/chunks/gc/$(($(date +%s) - 7200))-elsewhere-1"
check "a collector's marker two hours old is taken for dead" "$BACKUP"
rm -f "$BACKUP_DIR/chunks/gc/"*

# kill -9 in the middle of a run: the next run removes its marker and succeeds.
sql app "INSERT INTO cold SELECT g, md5(g::text) FROM generate_series(200000, 400000) g" >/dev/null
"$BACKUP" >/dev/null 2>&1 &
victim=$!
for _ in $(seq 100); do
	ls "$BACKUP_DIR/chunks/writers" 2>/dev/null | grep -q . && break
	sleep 0.05
done
kill -9 "$victim"
wait "$victim" 2>/dev/null
check "the killed run left its writer marker" test -n "$(ls "$BACKUP_DIR/chunks/writers")"
sleep 1
check "the next run succeeds" "$BACKUP"
check "the next collection removes the dead run's marker" "$BACKUP" --gc
check "it says whose it was" grep -q "its run on this host is gone" "$TMP/check.out"
check "no marker is left" test -z "$(ls "$BACKUP_DIR/chunks/writers")"
check "every listed backup restores: all chunks there and intact" "$RECOVER" --check-store

# Two at once: an hourly and a daily run on the same store.
"$BACKUP" >"$TMP/h.log" 2>&1 &
h=$!
env BACKUP_TYPE=daily "$BACKUP" >"$TMP/d.log" 2>&1 &
d=$!
wait $h
hr=$?
wait $d
check "an hourly and a daily run at once both succeed" test "$hr$?" = 00
check "and every backup is whole" "$RECOVER" --check-store

# Damage: a chunk altered, a chunk missing.
victim_chunk=$(sed -n '2p' "$BACKUP_DIR/chunks/blobs/$(sed -n 's/^sha256 = //p' "$BACKUP_DIR/hourly/$(newest hourly)/manifest")" | cut -d' ' -f1)
cp "$BACKUP_DIR/chunks/data/$victim_chunk" "$TMP/saved-chunk"
printf 'x' | dd of="$BACKUP_DIR/chunks/data/$victim_chunk" bs=1 seek=100 conv=notrunc 2>/dev/null
expect_exit "recover --check-store finds the altered chunk" 65 "backup\\(s\\) cannot be restored" "$RECOVER" --check-store
check "it names the chunk" grep -q "chunk chunks/data/$victim_chunk .*is damaged" "$TMP/last.err"
check "and the backups it breaks" grep -q "backup hourly/$(newest hourly) cannot be restored" "$TMP/last.err"
use_pg 25722 pw
sql postgres "DROP DATABASE IF EXISTS app" >/dev/null
expect_exit "a restore through the altered chunk stops at it" 65 "chunk chunks/data/$victim_chunk of hourly/.* is damaged" \
	env FROM_BACKUP=latest "$RECOVER"
rm "$BACKUP_DIR/chunks/data/$victim_chunk"
expect_exit "a restore with a chunk missing stops before the server is touched" 65 \
	"its chunk chunks/data/$victim_chunk \\(number 1\\) is missing" env FROM_BACKUP=latest "$RECOVER"
check "the target was not touched" test -z "$(sql postgres "SELECT 1 FROM pg_database WHERE datname = 'app'")"
expect_exit "recover --check-store reports the missing chunk" 65 "chunk chunks/data/$victim_chunk is missing" "$RECOVER" --check-store
cp "$TMP/saved-chunk" "$BACKUP_DIR/chunks/data/$victim_chunk"
check "with the chunk back, the store checks clean" "$RECOVER" --check-store
use_pg 25721 pw

# A damaged chunk that later backups reuse (they trust what the store holds):
# --repair sets it aside, the next run stores it again, and that mends every
# backup that needs it, the older ones too.
# chunk_ids STAMP: the chunks the hourly backup STAMP references, sorted.
chunk_ids() { grep -o '^[0-9a-f]\{64\}' "$BACKUP_DIR/chunks/blobs/$(sed -n 's/^sha256 = //p' "$BACKUP_DIR/hourly/$1/manifest")" | sort; }
damaged_at=$(newest hourly)
sleep 1
check "an hourly run to learn which chunks hourly runs share" "$BACKUP"
victim_chunk=$(comm -12 <(chunk_ids "$damaged_at") <(chunk_ids "$(newest hourly)") | head -1)
cp "$BACKUP_DIR/chunks/data/$victim_chunk" "$TMP/saved-chunk"
printf 'x' | dd of="$BACKUP_DIR/chunks/data/$victim_chunk" bs=1 seek=100 conv=notrunc 2>/dev/null
cp "$BACKUP_DIR/chunks/data/$victim_chunk" "$TMP/damaged-chunk"
sleep 1
check "an hourly run after the damage succeeds" "$BACKUP"
reused_by=$(newest hourly)
expect_exit "the new backup reuses the damaged chunk" 65 "backup hourly/$reused_by cannot be restored" "$RECOVER" --check-store
check "so is the older one broken" grep -q "backup hourly/$damaged_at cannot be restored" "$TMP/last.err"
check "the check points at --repair" grep -q "recover --check-store --repair sets the 1 damaged chunk(s) aside" "$TMP/last.err"
expect_exit "--repair still fails: the backups stay broken until the next run" 65 "cannot be restored" \
	"$RECOVER" --check-store --repair
check "it says what the next backup mends" grep -q "1 damaged chunk(s) set aside in chunks/damaged/: the next backup stores again" "$TMP/last.err"
check "the chunk left the chunk area" test ! -e "$BACKUP_DIR/chunks/data/$victim_chunk"
check "and was kept, as it was, in chunks/damaged/" cmp "$TMP/damaged-chunk" "$BACKUP_DIR"/chunks/damaged/"$victim_chunk"-*
sleep 1
check "the next hourly run succeeds" "$BACKUP"
check "it stored the chunk again" test -f "$BACKUP_DIR/chunks/data/$victim_chunk"
check "every backup is whole again, the older ones too" "$RECOVER" --check-store
use_pg 25722 pw
sql postgres "DROP DATABASE IF EXISTS app" >/dev/null
check "the backup taken before the damage restores" env FROM_BACKUP="$damaged_at" "$RECOVER"
check "with its rows, as the source has them" \
	test "$(sql app "SELECT count(*), sum(length(v)) FROM cold")" = "$(PGPORT=25721 sql app "SELECT count(*), sum(length(v)) FROM cold")"
use_pg 25721 pw
check "the garbage collection leaves chunks/damaged/ alone" sh -c "'$BACKUP' --gc && ls '$BACKUP_DIR/chunks/damaged/' | grep -q '^$victim_chunk-'"
rm -r "$BACKUP_DIR/chunks/damaged"

# A chunk the store fails to give may be intact: --repair leaves it where it is.
mv "$BACKUP_DIR/chunks/data/$victim_chunk" "$TMP/saved-chunk"
ln -s "$victim_chunk" "$BACKUP_DIR/chunks/data/$victim_chunk"
expect_exit "a chunk that cannot be read fails the check" 65 "cannot be restored" "$RECOVER" --check-store --repair
check "--repair left it as it was" test -L "$BACKUP_DIR/chunks/data/$victim_chunk"
check "and said so" grep -q "1 chunk(s) missing or unreadable were left as they are" "$TMP/last.err"
check "nothing was set aside" test ! -e "$BACKUP_DIR/chunks/damaged"
rm "$BACKUP_DIR/chunks/data/$victim_chunk"
mv "$TMP/saved-chunk" "$BACKUP_DIR/chunks/data/$victim_chunk"
check "the store checks clean again" "$RECOVER" --check-store
expect_exit "--repair needs --check-store" 64 "repair" "$RECOVER" --repair

# kill -9 during a collection, a prune and a promotion: whatever was done when
# the kill came, every listed backup is whole and the next run succeeds.
# 50,000 chunks no backup references make a collection last long enough.
orphans() {
	seq "$1" | awk '{ printf "%064x\n", 2^52 + $1 }' | (cd "$BACKUP_DIR/chunks/data" && xargs touch)
}
# kill_when CONDITION COMMAND...: starts COMMAND, and kills it with SIGKILL as
# soon as the shell CONDITION holds; its output goes to $TMP/killed.log.
kill_when() {
	local cond=$1 pid
	shift
	"$@" >"$TMP/killed.log" 2>&1 &
	pid=$!
	for _ in $(seq 3000); do
		sh -c "$cond" && break
		sleep 0.01
	done
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
}
whole() { "$RECOVER" --check-store >"$TMP/whole.log" 2>&1 || { tail -3 "$TMP/whole.log"; false; }; }
log_says() { grep -q "$1" "$TMP/killed.log" || { tail -3 "$TMP/killed.log"; false; }; }
orphans 50000
all=$(chunks "$BACKUP_DIR")
kill_when "test \$(ls '$BACKUP_DIR/chunks/data' | wc -l) -lt $((all - 100))" "$BACKUP" --gc
check "a collection killed mid-way had deleted some chunks no backup references, not all" \
	test "$(chunks "$BACKUP_DIR")" -gt 1000
check "and left its marker" test -n "$(ls "$BACKUP_DIR/chunks/gc")"
check "every listed backup is whole after the killed collection" whole
check "the next collection removes the dead marker and the rest" "$BACKUP" --gc
check "every chunk left is one a backup references" sh -c "'$RECOVER' --check-store 2>&1 | grep -q '; 0 chunk(s) no backup references'"
orphans 50000
all=$(chunks "$BACKUP_DIR")
sql app "INSERT INTO cold SELECT g, md5(g::text) FROM generate_series(500000, 520000) g" >/dev/null
sleep 1
kill_when "test \$(ls '$BACKUP_DIR/chunks/data' | wc -l) -lt $((all - 100))" env BACKUP_COUNT=1 "$BACKUP"
check "an hourly run killed in the collection after its prune" log_says "pruned hourly/"
check "it had removed the killed collection's marker first" log_says "chunks/gc/.*its run on this host is gone"
check "every listed backup is whole after the killed prune" whole
check "the newest hourly backup restores" on_dst env FROM_BACKUP=latest RECOVER_FORCE=1 "$RECOVER"
sleep 1
check "the next hourly run succeeds" env BACKUP_COUNT=1 "$BACKUP"
# A collection elsewhere holds the promotion after its marker, where it is killed.
echo "tierdump garbage collection" >"$BACKUP_DIR/chunks/gc/$(date +%s)-elsewhere-1"
kill_when "grep -q 'waiting for the garbage collection' '$TMP/killed.log'" env BACKUP_TYPE=daily "$BACKUP"
rm "$BACKUP_DIR/chunks/gc/"*
check "a daily run killed in its promotion left its writer marker" test -n "$(ls "$BACKUP_DIR/chunks/writers")"
check "every listed backup is whole after the killed promotion" whole
check "no half-written daily backup is listed" no_leftovers
check "the next daily run succeeds" env BACKUP_TYPE=daily "$BACKUP"
check "the next collection removes the killed promotion's marker" "$BACKUP" --gc
check "saying whose it was" grep -q "chunks/writers/.*its run on this host is gone" "$TMP/check.out"
check "and the store checks clean" whole
orphans 20000
"$BACKUP" --gc >"$TMP/gc1.log" 2>&1 &
g1=$!
"$BACKUP" --gc >"$TMP/gc2.log" 2>&1
g2=$?
wait $g1
check "two collections at once both succeed" test "$?$g2" = 00
check "between them every orphan is gone and every backup whole" sh -c "'$RECOVER' --check-store 2>&1 | grep -q '; 0 chunk(s) no backup references'"

# Bad settings.
expect_exit "an unknown BACKUP_FORMAT" 78 "BACKUP_FORMAT is tar: it takes file or chunked" env BACKUP_FORMAT=tar "$BACKUP"
expect_exit "chunked to a recipient needs the key that names chunks, and says how to make one" 78 \
	"needs BACKUP_CHUNK_KEY_FILE.*age-keygen" \
	env BACKUP_ENCRYPTION=age BACKUP_RECIPIENTS=age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p "$BACKUP"


# S3, with a local mirror that receives only the chunks it lacks.
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_ENDPOINT_URL=http://127.0.0.1:25723 STORE_RETRIES=1
on_s3() { env BACKUP_STORE=s3://backups/chunked "$@"; }
S3=BACKUP_STORE=s3://backups/chunked
check "a chunked hourly backup to S3 with a local mirror" on_s3 env BACKUP_MIRROR="$TMP/mirror" "$BACKUP"
m1=$(chunks "$TMP/mirror")
check "the mirror holds the chunks" test "$m1" -ge 3
add_events 900000
sleep 1
check "a second run to S3 and the mirror" on_s3 env BACKUP_MIRROR="$TMP/mirror" "$BACKUP"
check "the mirror received only the new chunks" test "$(($(chunks "$TMP/mirror") - m1))" -le 3
check "S3 promotes by manifest" on_s3 env BACKUP_TYPE=daily "$BACKUP"
check "S3's store checks clean" on_s3 "$RECOVER" --check-store
check "recover restores from S3" on_dst env "$S3" FROM_BACKUP=latest RECOVER_FORCE=1 "$RECOVER"
check "the data from S3 is back" test "$(PGPORT=25722 sql app "SELECT count(*) FROM events")" = 4000
check "the mirror's copy restores too" on_dst env BACKUP_DIR="$TMP/mirror" FROM_BACKUP=latest RECOVER_FORCE=1 "$RECOVER"

# FTPS is refused, before anything is dumped, saying what works there.
expect_exit "a chunked backup over FTPS is refused" 78 "cannot hold BACKUP_FORMAT=chunked .*use BACKUP_FORMAT=file over FTPS" \
	env BACKUP_STORE=ftps://127.0.0.1:25724/backups FTP_USER=$FTP_TEST_USER FTP_PASSWORD=ftp-pw FTP_CA_FILE=$TMP/ftps/cert.pem "$BACKUP"
check "nothing is left on the FTPS server" test -z "$(ls "$TMP/ftp-home/backups/hourly" 2>/dev/null)"
before=$(count_backups hourly)
expect_exit "so is an FTPS mirror, before anything is dumped" 78 "BACKUP_MIRROR ftps://.* cannot hold BACKUP_FORMAT=chunked.*mirror to a directory or S3" \
	env BACKUP_MIRROR=ftps://127.0.0.1:25724/mirror FTP_USER=$FTP_TEST_USER FTP_PASSWORD=ftp-pw FTP_CA_FILE=$TMP/ftps/cert.pem "$BACKUP"
check "no backup was made" test "$(count_backups hourly)" = "$before"
expect_exit "a daily promotion refuses it too" 78 "BACKUP_MIRROR ftps://.* cannot hold" \
	env BACKUP_TYPE=daily BACKUP_MIRROR=ftps://127.0.0.1:25724/mirror FTP_USER=$FTP_TEST_USER FTP_PASSWORD=ftp-pw FTP_CA_FILE=$TMP/ftps/cert.pem "$BACKUP"
