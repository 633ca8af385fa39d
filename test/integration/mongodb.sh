# MongoDB: several databases and collections with nested documents, binary,
# dates, ObjectIds, decimals and indexes are dumped in mongodump's archive
# format and restored into a second server; every document compares equal.
# The peer is CongoDB (npm), which speaks the wire protocol without being
# MongoDB: it has no authentication and turns integer _ids into ObjectIds.
source "$(dirname "$0")/../lib.sh"

export BACKUP_DIR=$TMP/backups BACKUP_ENGINE=mongodb
mongo_start src 25495 || exit 1
mongo_start dst 25496 || exit 1
src=mongodb://127.0.0.1:25495/?directConnection=true
dst=mongodb://127.0.0.1:25496/?directConnection=true
node "$ROOT/test/mongo/seed.mjs" "$src" || exit 1
snapshot() { node "$ROOT/test/mongo/snapshot.mjs" "$1"; }

export MONGODB_URI=$src
check "hourly backup of MongoDB" "$BACKUP"
dir=$BACKUP_DIR/hourly/$(newest hourly)
check "the dump is mongodb.archive.gz" test -s "$dir/mongodb.archive.gz"
check "the archive starts with mongodump's magic number" \
	sh -c "gunzip -c '$dir/mongodb.archive.gz' | head -c 4 | od -An -tx1 | tr -d ' ' | grep -qx 6de29981"
check "the manifest says mongodb and names both databases" \
	sh -c "grep -qx 'engine = mongodb' '$dir/manifest' && grep -qx 'database = shop' '$dir/manifest' && grep -qx 'database = logs' '$dir/manifest'"
check "system databases are left out" sh -c "! grep -qE 'database = (admin|local|config)$' '$dir/manifest'"

snapshot "$src" >"$TMP/src.snap"
check "the source snapshot holds the seeded data" grep -q 'n_unique' "$TMP/src.snap"
export MONGODB_URI=$dst
check "recover restores into another server" env FROM_BACKUP=latest "$RECOVER"
snapshot "$dst" >"$TMP/dst.snap"
if diff "$TMP/src.snap" "$TMP/dst.snap" >"$TMP/diff"; then
	pass "every document, collection and index compares equal ($(grep -c '^{' "$TMP/src.snap") documents)"
else
	fail "every document, collection and index compares equal" "$(head -5 "$TMP/diff")"
fi
check "the empty collection is back" grep -qx '== shop.empty' "$TMP/dst.snap"
expect_exit "collections with documents are not replaced without --force" 80 "already has documents in shop.orders" \
	env FROM_BACKUP=latest "$RECOVER"
check "--force drops and replaces them" env FROM_BACKUP=latest "$RECOVER" --force
check "after --force the data is still equal" sh -c "node '$ROOT/test/mongo/snapshot.mjs' '$dst' | diff -q - '$TMP/src.snap'"

# A damaged archive whose checksum was forged still fails on its CRC or its BSON.
export MONGODB_URI=$src
check "an uncompressed MongoDB backup" env BACKUP_COMPRESSION=none "$BACKUP"
raw_stamp=$(newest hourly)
raw=$BACKUP_DIR/hourly/$raw_stamp/mongodb.archive
offset=$(( $(stat -c %s "$raw") * 2 / 3 ))
printf 'Z' | dd of="$raw" bs=1 seek="$offset" conv=notrunc 2>/dev/null
reseal "$BACKUP_DIR/hourly/$raw_stamp" mongodb.archive
mongo_stop dst
mongo_start dst2 25497 || exit 1
export MONGODB_URI=mongodb://127.0.0.1:25497/?directConnection=true
expect_exit "a damaged archive is refused" 65 "(CRC|not a valid MongoDB archive)" env FROM_BACKUP="$raw_stamp" "$RECOVER"

mongo_stop src
export MONGODB_URI=$src
expect_exit "a MongoDB server that is down" 69 "MongoDB connection" "$BACKUP"
expect_exit "a bad MongoDB URI is refused without echoing it" 78 "not a valid MongoDB URI" \
	env MONGODB_URI='mongo://user:s3cr3t@host' "$BACKUP"
check "the bad URI's password is not echoed" sh -c "! grep -q s3cr3t '$TMP/last.err'"
rm -rf "$BACKUP_DIR/hourly/$raw_stamp"
check "every other backup intact" all_backups_intact
check "no leftovers" no_leftovers
