# Every compression mode round-trips: gzip (parallel blocks), zstd and none
# are written, read by the stock tools, verified and restored; bad settings
# and damaged files are refused.
source "$(dirname "$0")/../lib.sh"

export BACKUP_DIR=$TMP/backups
pg_start src 25461 pw || exit 1
pg_start dst 25462 pw || exit 1
use_pg 25461 pw
sql postgres "CREATE DATABASE app" >/dev/null
# Several MiB of SQL, so gzip is cut into many blocks compressed in parallel.
sql app "CREATE TABLE t AS SELECT g AS id, md5(g::text) AS m, g * 0.5 AS x FROM generate_series(1, 200000) g" >/dev/null
checksum() { sql app "SELECT md5(string_agg(id || m || x, ',' ORDER BY id)) FROM t"; }
expected=$(checksum)

for mode in gzip zstd none; do
	case $mode in gzip) file=dumpall.sql.gz reader="gunzip -c" ;; zstd) file=dumpall.sql.zst reader="zstd -dc" ;; none) file=dumpall.sql reader=cat ;; esac
	use_pg 25461 pw
	check "$mode: backup with BACKUP_COMPRESSION=$mode and 2 threads" env BACKUP_COMPRESSION=$mode BACKUP_THREADS=2 "$BACKUP"
	dir=$BACKUP_DIR/hourly/$(newest hourly)
	check "$mode: the dump is $file" test -s "$dir/$file"
	check "$mode: the manifest records the algorithm" grep -qx "compression = $mode" "$dir/manifest"
	check "$mode: the manifest records the level" grep -qE '^compression_level = [0-9]+$' "$dir/manifest"
	check "$mode: the stock tool reads it whole" sh -c "$reader '$dir/$file' | grep -q 'COPY public.t '"
	check "$mode: it holds every row" sh -c "test \$($reader '$dir/$file' | grep -cE '^[0-9]+	[0-9a-f]{32}	') = 200000"
	use_pg 25462 pw
	sql postgres "DROP DATABASE IF EXISTS app" >/dev/null
	check "$mode: recover restores it" env FROM_BACKUP="$(newest hourly)" "$RECOVER"
	use_pg 25462 pw
	check "$mode: the restored rows are the same" test "$(checksum)" = "$expected"
done

use_pg 25461 pw
gz=$BACKUP_DIR/hourly/$(ls "$BACKUP_DIR/hourly" | grep -E '^[0-9]' | sort | head -1)/dumpall.sql.gz
members=$(LC_ALL=C grep -obUaP '\x1f\x8b\x08\x00' "$gz" | wc -l)
check "gzip: parallel blocks make several gzip members ($members)" test "$members" -gt 2
check "gzip: zlib reads the members as one stream (gzip -t)" gzip -t "$gz"
check "gzip: one thread writes the same data" env BACKUP_THREADS=1 BACKUP_COMPRESSION_LEVEL=1 "$BACKUP"
check "gzip: level 1 is recorded" grep -qx 'compression_level = 1' "$BACKUP_DIR/hourly/$(newest hourly)/manifest"

expect_exit "an unknown compression is refused" 78 "unknown compression 'brotli'" env BACKUP_COMPRESSION=brotli "$BACKUP"
expect_exit "an out-of-range level is refused" 78 "out of range for gzip" env BACKUP_COMPRESSION_LEVEL=13 "$BACKUP"
expect_exit "a zstd level out of range is refused" 78 "out of range for zstd" env BACKUP_COMPRESSION=zstd BACKUP_COMPRESSION_LEVEL=30 "$BACKUP"
check "nothing was left by the refused runs" no_leftovers

# A zstd file cut short: the checksum catches it before any server is touched.
check "a zstd backup to damage" env BACKUP_COMPRESSION=zstd "$BACKUP"
zst_stamp=$(newest hourly)
zst=$BACKUP_DIR/hourly/$zst_stamp/dumpall.sql.zst
truncate -s $(( $(stat -c %s "$zst") / 2 )) "$zst"
use_pg 25462 pw
expect_exit "a truncated zstd backup is refused" 65 "dumpall.sql.zst is [0-9]+ bytes, the manifest says" env FROM_BACKUP="$zst_stamp" "$RECOVER"
