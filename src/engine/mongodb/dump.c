/*
 * The MongoDB dump: every database and collection (admin, local and config
 * only when asked) with its options and indexes, documents streamed with a
 * cursor, written in mongodump's archive format.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/mongodb/archive.h"
#include "engine/mongodb/mongo.h"
#include "util/log.h"
#include "util/signals.h"
#include "util/version.h"

/* The collections (and views) of the databases to dump, with their options. */
static int list_collections(struct engine *e, struct collection **out, size_t *n)
{
	for (size_t d = 0; d < e->ndatabases; d++) {
		mongoc_database_t *db =
		    mongoc_client_get_database(mongo_client(e), e->databases[d]);
		mongoc_cursor_t *cur = mongoc_database_find_collections_with_opts(db, NULL);
		const bson_t *info;
		bson_error_t err;
		int failed;

		while (mongoc_cursor_next(cur, &info)) {
			const char *name = mongo_utf8_field(info, "name"),
				   *type = mongo_utf8_field(info, "type");
			struct collection *c;
			bson_t options;

			if (name == NULL || strncmp(name, "system.", 7) == 0)
				continue;
			c = mongo_collection_add(out, n, e->databases[d], name);
			if (c == NULL)
				break;
			c->is_view = type != NULL && strcmp(type, "view") == 0;
			mongo_subdocument(info, "options", &options);
			bson_destroy(c->options);
			c->options = bson_copy(&options);
			bson_destroy(&options);
		}
		failed = mongoc_cursor_error(cur, &err);
		mongoc_cursor_destroy(cur);
		mongoc_database_destroy(db);
		if (failed) {
			fail(mongo_classify(&err), "listing the collections of %s failed: %s",
			     e->databases[d], err.message);
			return -1;
		}
	}
	return 0;
}

/*
 * The collection-metadata document of the archive: metadata is canonical
 * Extended JSON of {options, indexes, collectionName, type}, as mongodump
 * writes its metadata.json.
 */
static int write_metadata(struct engine *e, struct sink *sink, const struct collection *c)
{
	bson_t meta = BSON_INITIALIZER, indexes, doc = BSON_INITIALIZER;
	mongoc_collection_t *coll = mongoc_client_get_collection(mongo_client(e), c->db, c->name);
	mongoc_cursor_t *cur =
	    c->is_view ? NULL : mongoc_collection_find_indexes_with_opts(coll, NULL);
	const bson_t *ix;
	bson_error_t err;
	char key[16], *json = NULL;
	int i = 0, rc = -1;

	BSON_APPEND_DOCUMENT(&meta, "options", c->options);
	BSON_APPEND_ARRAY_BEGIN(&meta, "indexes", &indexes);
	while (cur != NULL && mongoc_cursor_next(cur, &ix)) {
		snprintf(key, sizeof(key), "%d", i++);
		BSON_APPEND_DOCUMENT(&indexes, key, ix);
	}
	bson_append_array_end(&meta, &indexes);
	if (cur != NULL && mongoc_cursor_error(cur, &err)) {
		fail(mongo_classify(&err), "listing the indexes of %s.%s failed: %s", c->db,
		     c->name, err.message);
		goto out;
	}
	BSON_APPEND_UTF8(&meta, "collectionName", c->name);
	BSON_APPEND_UTF8(&meta, "type", c->is_view ? "view" : "collection");
	json = bson_as_canonical_extended_json(&meta, NULL);
	BSON_APPEND_UTF8(&doc, "db", c->db);
	BSON_APPEND_UTF8(&doc, "collection", c->name);
	BSON_APPEND_UTF8(&doc, "metadata", json ? json : "{}");
	BSON_APPEND_INT32(&doc, "size", 0); /* only mongorestore's progress uses it */
	rc = json != NULL ? archive_write_doc(sink, &doc) : -1;
out:
	bson_free(json);
	bson_destroy(&doc);
	bson_destroy(&meta);
	mongoc_cursor_destroy(cur);
	mongoc_collection_destroy(coll);
	return rc;
}

/* One collection's documents as one segment, then its EOF header with the CRC. */
static int write_documents(struct engine *e, struct sink *sink, const struct collection *c)
{
	mongoc_collection_t *coll = mongoc_client_get_collection(mongo_client(e), c->db, c->name);
	bson_t filter = BSON_INITIALIZER;
	mongoc_cursor_t *cur =
	    c->is_view ? NULL : mongoc_collection_find_with_opts(coll, &filter, NULL, NULL);
	const bson_t *doc;
	bson_error_t err;
	uint64_t crc = 0, count = 0;
	int rc = -1;

	while (cur != NULL && mongoc_cursor_next(cur, &doc)) {
		if (count == 0 && archive_write_namespace(sink, c->db, c->name, 0, 0) < 0)
			goto out;
		crc = archive_crc64(crc, bson_get_data(doc), doc->len);
		if (archive_write_doc(sink, doc) < 0)
			goto out;
		if (++count % 4096 == 0 && signals_check("dumping MongoDB") < 0)
			goto out;
	}
	if (cur != NULL && mongoc_cursor_error(cur, &err)) {
		fail(mongo_classify(&err), "reading %s.%s failed: %s", c->db, c->name, err.message);
		goto out;
	}
	if (count > 0 && archive_write_terminator(sink) < 0)
		goto out;
	if (archive_write_namespace(sink, c->db, c->name, 1, crc) < 0 ||
	    archive_write_terminator(sink) < 0)
		goto out;
	log_info("%s.%s: %llu document(s)", c->db, c->name, (unsigned long long)count);
	rc = 0;
out:
	mongoc_cursor_destroy(cur);
	bson_destroy(&filter);
	mongoc_collection_destroy(coll);
	return rc;
}

int mongo_dump(struct engine *e, struct sink *sink)
{
	struct collection *colls = NULL;
	size_t n = 0;
	int rc = -1;

	if (list_collections(e, &colls, &n) < 0 ||
	    archive_write_start(sink, e->server_version, "tierdump " TIERDUMP_VERSION) < 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (write_metadata(e, sink, &colls[i]) < 0)
			goto out;
	if (archive_write_terminator(sink) < 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (write_documents(e, sink, &colls[i]) < 0)
			goto out;
	rc = 0;
out:
	mongo_collections_free(colls, n);
	return rc;
}
