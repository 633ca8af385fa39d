/*
 * The MongoDB restore: an archive of mongodump's format restored through
 * libmongoc, collections and views created with their options, indexes
 * once the data is in; a collection that already holds documents is
 * replaced only with --force. RECOVER_DATABASE and RECOVER_AS pick and
 * rename one database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/mongodb/archive.h"
#include "engine/mongodb/mongo.h"
#include "util/log.h"
#include "util/signals.h"
#include "util/strlist.h"

enum { INSERT_BATCH = 1000 };

static struct collection *find_collection(struct collection *list, size_t n, const bson_t *doc)
{
	const char *db = mongo_utf8_field(doc, "db"), *name = mongo_utf8_field(doc, "collection");

	for (size_t i = 0; db != NULL && name != NULL && i < n; i++)
		if (strcmp(list[i].db, db) == 0 && strcmp(list[i].name, name) == 0)
			return &list[i];
	return NULL;
}

/* Reads the collection-metadata documents up to the prelude's terminator. */
static int read_prelude(struct archive_reader *r, struct collection **list, size_t *n)
{
	for (;;) {
		enum archive_item item = archive_read_item(r);
		const char *db, *name, *json;
		struct collection *c;
		bson_t *meta, options, indexes;
		bson_error_t err;

		if (item == ARCHIVE_TERM)
			return 0;
		if (item != ARCHIVE_DOC) {
			if (item == ARCHIVE_END)
				fail(EXIT_CORRUPT, "%s ends in its list of collections: truncated",
				     r->label);
			return -1;
		}
		db = mongo_utf8_field(&r->doc, "db");
		name = mongo_utf8_field(&r->doc, "collection");
		json = mongo_utf8_field(&r->doc, "metadata");
		meta = json ? bson_new_from_json((const uint8_t *)json, -1, &err) : NULL;
		if (db == NULL || name == NULL || meta == NULL ||
		    (c = mongo_collection_add(list, n, db, name)) == NULL) {
			fail(EXIT_CORRUPT, "%s has a damaged collection entry", r->label);
			if (meta != NULL)
				bson_destroy(meta);
			return -1;
		}
		c->is_view = mongo_utf8_field(meta, "type") &&
			     strcmp(mongo_utf8_field(meta, "type"), "view") == 0;
		mongo_subdocument(meta, "options", &options);
		bson_destroy(c->options);
		c->options = bson_copy(&options);
		mongo_subdocument(meta, "indexes", &indexes);
		c->indexes = bson_copy(&indexes);
		bson_destroy(&options);
		bson_destroy(&indexes);
		bson_destroy(meta);
	}
}

/* Refuses, or with force drops, collections the target already holds documents in. */
static int clear_collections(struct engine *e, struct collection *list, size_t n)
{
	char conflicts[4096] = "";

	for (size_t i = 0; i < n; i++) {
		mongoc_collection_t *coll;
		int64_t count;

		if (list[i].into == NULL)
			continue;
		coll = mongoc_client_get_collection(mongo_client(e), list[i].into, list[i].name);
		bson_t empty = BSON_INITIALIZER;
		bson_error_t err;
		int dropped = 1;

		count = mongoc_collection_estimated_document_count(coll, NULL, NULL, NULL, &err);

		if (count > 0 && e->opts.force) {
			log_warn("dropping %s.%s on the target to replace it (--force)",
				 list[i].into, list[i].name);
			dropped = mongoc_collection_drop(coll, &err);
			if (!dropped)
				fail(mongo_classify(&err), "dropping %s.%s failed: %s",
				     list[i].into, list[i].name, err.message);
		} else if (count > 0) {
			snprintf(conflicts + strlen(conflicts),
				 sizeof(conflicts) - strlen(conflicts), "%s%s.%s",
				 conflicts[0] ? ", " : "", list[i].into, list[i].name);
		}
		bson_destroy(&empty);
		mongoc_collection_destroy(coll);
		if (!dropped)
			return -1;
	}
	if (conflicts[0] != '\0') {
		fail(EXIT_RESTORE,
		     "the target server already has documents in %s: drop them first, or run "
		     "recover with --force (RECOVER_FORCE=1) to replace them",
		     conflicts);
		return -1;
	}
	return 0;
}

/*
 * Creates a collection with its options, or a view, so that empty ones come
 * back too. One that exists already (empty: clear_collections saw to it)
 * is kept as it is.
 */
static int create_collection(struct engine *e, const struct collection *c)
{
	enum { NAMESPACE_EXISTS = 48 };
	bson_t cmd = BSON_INITIALIZER, reply;
	bson_error_t err;
	bson_iter_t it;
	int rc = 0;

	BSON_APPEND_UTF8(&cmd, "create", c->name);
	if (bson_iter_init(&it, c->options)) {
		while (bson_iter_next(&it))
			bson_append_iter(&cmd, bson_iter_key(&it), -1, &it);
	}
	if (!mongoc_client_command_simple(mongo_client(e), c->into, &cmd, NULL, &reply, &err) &&
	    err.code != NAMESPACE_EXISTS) {
		fail(mongo_classify(&err), "creating %s.%s failed: %s", c->into, c->name,
		     err.message);
		rc = -1;
	}
	bson_destroy(&reply);
	bson_destroy(&cmd);
	return rc;
}

/* Creates the indexes the metadata lists, _id's excepted. */
static int create_indexes(struct engine *e, const struct collection *c)
{
	bson_t cmd = BSON_INITIALIZER, list;
	bson_iter_t it;
	char key[16];
	int count = 0, rc = 0;

	BSON_APPEND_UTF8(&cmd, "createIndexes", c->name);
	BSON_APPEND_ARRAY_BEGIN(&cmd, "indexes", &list);
	if (c->indexes != NULL && bson_iter_init(&it, c->indexes)) {
		while (bson_iter_next(&it)) {
			const uint8_t *data;
			uint32_t len;
			bson_t spec;

			if (!BSON_ITER_HOLDS_DOCUMENT(&it))
				continue;
			bson_iter_document(&it, &len, &data);
			bson_init_static(&spec, data, len);
			if (mongo_utf8_field(&spec, "name") &&
			    strcmp(mongo_utf8_field(&spec, "name"), "_id_") == 0)
				continue;
			snprintf(key, sizeof(key), "%d", count++);
			BSON_APPEND_DOCUMENT(&list, key, &spec);
		}
	}
	bson_append_array_end(&cmd, &list);
	if (count > 0)
		rc = mongo_command(e, c->into, &cmd, NULL, "createIndexes");
	bson_destroy(&cmd);
	return rc;
}

/* Inserts one segment's documents in ordered batches. */
static int insert_segment(struct engine *e, struct archive_reader *r, struct collection *c)
{
	/* A collection left out is read for its CRC only. */
	mongoc_collection_t *coll =
	    c->into ? mongoc_client_get_collection(mongo_client(e), c->into, c->name) : NULL;
	mongoc_bulk_operation_t *bulk = NULL;
	enum archive_item item;
	bson_error_t err;
	int pending = 0, rc = -1;

	while ((item = archive_read_item(r)) == ARCHIVE_DOC) {
		c->crc = archive_crc64(c->crc, bson_get_data(&r->doc), r->doc.len);
		if (coll == NULL)
			continue;
		if (bulk == NULL)
			bulk = mongoc_collection_create_bulk_operation_with_opts(coll, NULL);
		if (!mongoc_bulk_operation_insert_with_opts(bulk, &r->doc, NULL, &err))
			goto failed;
		if (++pending == INSERT_BATCH) {
			if (!mongoc_bulk_operation_execute(bulk, NULL, &err))
				goto failed;
			mongoc_bulk_operation_destroy(bulk);
			bulk = NULL;
			pending = 0;
			if (signals_check("restoring MongoDB") < 0)
				goto out;
		}
	}
	if (item != ARCHIVE_TERM) {
		if (item == ARCHIVE_END)
			fail(EXIT_CORRUPT, "%s ends inside %s.%s: truncated", r->label, c->db,
			     c->name);
		goto out;
	}
	if (pending > 0 && !mongoc_bulk_operation_execute(bulk, NULL, &err))
		goto failed;
	rc = 0;
	goto out;
failed:
	fail(EXIT_RESTORE, "inserting into %s.%s failed: %s", c->into, c->name, err.message);
out:
	mongoc_bulk_operation_destroy(bulk);
	if (coll != NULL)
		mongoc_collection_destroy(coll);
	return rc;
}

/* Reads segments and EOF headers to the end of the archive. */
static int restore_segments(struct engine *e, struct archive_reader *r, struct collection *list,
			    size_t n)
{
	enum archive_item item;

	while ((item = archive_read_item(r)) == ARCHIVE_DOC) {
		struct collection *c = find_collection(list, n, &r->doc);
		bson_iter_t it;
		int eof = bson_iter_init_find(&it, &r->doc, "EOF") && bson_iter_as_bool(&it);
		uint64_t crc = bson_iter_init_find(&it, &r->doc, "CRC")
				   ? (uint64_t)bson_iter_as_int64(&it)
				   : 0;

		if (c == NULL) {
			fail(EXIT_CORRUPT, "%s has data for a collection it does not list",
			     r->label);
			return -1;
		}
		if (!eof) {
			if (insert_segment(e, r, c) < 0)
				return -1;
			continue;
		}
		if (archive_read_item(r) != ARCHIVE_TERM) {
			fail(EXIT_CORRUPT, "%s is damaged after %s.%s", r->label, c->db, c->name);
			return -1;
		}
		if (crc != c->crc) {
			fail(EXIT_CORRUPT, "%s: the documents of %s.%s do not match their CRC",
			     r->label, c->db, c->name);
			return -1;
		}
		c->done = 1;
		if (c->into == NULL)
			continue;
		if (create_indexes(e, c) < 0)
			return -1;
		log_info("restored %s.%s", c->into, c->name);
	}
	if (item != ARCHIVE_END)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!list[i].done) {
			fail(EXIT_CORRUPT, "%s ends before %s.%s is complete: truncated", r->label,
			     list[i].db, list[i].name);
			return -1;
		}
	}
	return 0;
}

static int drop_database(struct engine *e, const char *db, void *arg)
{
	mongoc_database_t *d = mongoc_client_get_database(mongo_client(e), db);
	bson_error_t err;
	int ok = mongoc_database_drop(d, &err);

	(void)arg;
	mongoc_database_destroy(d);
	if (!ok)
		fail(mongo_classify(&err), "dropping database %s failed: %s", db, err.message);
	return ok ? 0 : -1;
}

/*
 * RECOVER_DATABASE: the archive must hold it (else the databases it holds
 * are named), and a database of its new name on the target is refused, or
 * with --force dropped, as a whole. Returns 0 or -1 after fail().
 */
static int select_database(struct engine *e, struct collection *list, size_t n)
{
	char **held = NULL, **existing = NULL;
	size_t nheld = 0, nexisting = 0;
	const char *const keep[] = {NULL};
	char **found;
	int kept = 0;

	for (size_t i = 0; i < n; i++) {
		list[i].into = engine_restore_name(&e->opts, list[i].db);
		kept |= list[i].into != NULL;
		if (!strlist_has(held, nheld, list[i].db))
			strlist_add(&held, &nheld, list[i].db);
	}
	if (e->opts.only != NULL && !kept)
		engine_no_such_database("MongoDB", e->opts.only, held, nheld);
	strlist_free(held, nheld);
	if (e->opts.only == NULL)
		return 0;
	if (!kept)
		return -1;
	found = mongo_database_names(e);
	if (found == NULL)
		return -1;
	for (size_t i = 0; found[i] != NULL; i++)
		strlist_add(&existing, &nexisting, found[i]);
	bson_strfreev(found);
	return engine_clear_conflicts(e, (char *const *)&e->opts.only, 1, existing, nexisting, keep,
				      drop_database, NULL);
}

int mongo_restore(struct engine *e, char *const *databases, size_t n_dbs, struct source *source)
{
	struct archive_reader r = {source, "the MongoDB archive", NULL, 0, BSON_INITIALIZER};
	struct collection *list = NULL;
	size_t n = 0;
	int rc = -1;

	(void)databases;
	(void)n_dbs;
	if (archive_read_start(&r) < 0 || read_prelude(&r, &list, &n) < 0 ||
	    select_database(e, list, n) < 0 || clear_collections(e, list, n) < 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (list[i].into != NULL && create_collection(e, &list[i]) < 0)
			goto out;
	rc = restore_segments(e, &r, list, n);
out:
	mongo_collections_free(list, n);
	archive_reader_free(&r);
	source_close(source);
	return rc;
}
