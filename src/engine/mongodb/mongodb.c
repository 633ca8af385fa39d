/*
 * The MongoDB engine, through libmongoc (Debian has no mongodump): every
 * database and collection (admin, local and config only when asked) with
 * its options and indexes, documents streamed with a cursor, written in
 * mongodump's archive format; restored through libmongoc, replacing a
 * collection that already holds documents only with --force.
 */
#include <mongoc/mongoc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/version.h"
#include "util/signals.h"
#include "util/strlist.h"
#include "engine/engine.h"
#include "engine/mongodb/archive.h"
#include "engine/scratch.h"

enum { INSERT_BATCH = 1000 };

struct mongo {
	mongoc_client_t *client;
};

static int is_system_database(const char *db)
{
	return strcmp(db, "admin") == 0 || strcmp(db, "local") == 0 || strcmp(db, "config") == 0;
}

static enum exit_code classify(const bson_error_t *err)
{
	if (err->domain == MONGOC_ERROR_CLIENT && err->code == MONGOC_ERROR_CLIENT_AUTHENTICATE)
		return EXIT_AUTH;
	if (err->domain == MONGOC_ERROR_SERVER_SELECTION || err->domain == MONGOC_ERROR_STREAM)
		return EXIT_UNAVAILABLE;
	return EXIT_DUMP;
}

static int mongodb_setup(struct engine *e)
{
	struct mongo *m = calloc(1, sizeof(*m));
	mongoc_uri_t *uri;
	bson_error_t err;

	if (m == NULL)
		return -1;
	mongoc_init();
	if (e->target->uri == NULL) {
		fail(EXIT_CONFIG, "no MongoDB server: set MONGODB_URI (or MONGODB_URI_FILE)");
		goto fail;
	}
	uri = mongoc_uri_new_with_error(e->target->uri, &err);
	if (uri == NULL) {
		/* Never echo the URI: it may hold a password. */
		fail(EXIT_CONFIG, "MONGODB_URI is not a valid MongoDB URI: %s", err.message);
		goto fail;
	}
	mongoc_uri_set_option_as_int32(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, 15000);
	m->client = mongoc_client_new_from_uri(uri);
	mongoc_uri_destroy(uri);
	if (m->client == NULL)
		goto fail;
	mongoc_client_set_error_api(m->client, MONGOC_ERROR_API_VERSION_2);
	mongoc_client_set_appname(m->client, "tierdump");
	e->priv = m;
	return 0;
fail:
	free(m);
	return -1;
}

static void mongodb_cleanup(struct engine *e)
{
	struct mongo *m = e->priv;

	if (m != NULL) {
		mongoc_client_destroy(m->client);
		free(m);
	}
	mongoc_cleanup();
}

static mongoc_client_t *client_of(struct engine *e)
{
	return ((struct mongo *)e->priv)->client;
}

/* Runs a command; on failure logs it and fails with its class. */
static int command(struct engine *e, const char *db, const bson_t *cmd, bson_t *reply,
		   const char *what)
{
	bson_error_t err;
	bson_t ignored;
	int ok = mongoc_client_command_simple(client_of(e), db, cmd, NULL, reply ? reply : &ignored,
					      &err);

	if (reply == NULL)
		bson_destroy(&ignored);
	if (!ok)
		fail(classify(&err), "MongoDB %s failed: %s", what, err.message);
	return ok ? 0 : -1;
}

static int mongodb_check(struct engine *e)
{
	bson_t *cmd = BCON_NEW("buildInfo", BCON_INT32(1));
	bson_error_t err;
	bson_iter_t it;
	bson_t reply;
	char **names, **all = NULL;
	size_t n = 0;
	int rc;

	rc = command(e, "admin", cmd, &reply, "connection (buildInfo)");
	bson_destroy(cmd);
	if (rc < 0)
		return -1;
	snprintf(e->server_version, sizeof(e->server_version), "%s",
		 bson_iter_init_find(&it, &reply, "version") && BSON_ITER_HOLDS_UTF8(&it)
		     ? bson_iter_utf8(&it, NULL)
		     : "unknown");
	bson_destroy(&reply);
	names = mongoc_client_get_database_names_with_opts(client_of(e), NULL, &err);
	if (names == NULL) {
		fail(classify(&err), "listing MongoDB databases failed: %s", err.message);
		return -1;
	}
	for (size_t i = 0; names[i] != NULL; i++)
		if ((!is_system_database(names[i]) || e->opts.mongo_system) &&
		    strlist_add(&all, &n, names[i]) < 0)
			break;
	bson_strfreev(names);
	rc = engine_choose_databases(e, all, n, "MongoDB");
	strlist_free(all, n);
	if (rc < 0)
		return -1;
	log_info("MongoDB %s reachable; %zu database(s) to dump", e->server_version, e->ndatabases);
	return 0;
}

static void mongodb_file_name(struct engine *e, char *buf, size_t len)
{
	(void)e;
	snprintf(buf, len, "mongodb.archive");
}

struct collection {
	char *db, *name;
	int is_view;
	/* Pointers, not bson_t: bson_t wants 128-byte alignment, which realloc() does not give. */
	bson_t *options;
	bson_t *indexes; /* restore: the specs to create once the data is in */
	uint64_t crc;	 /* restore: of the documents read so far */
	int done;	 /* restore: its EOF header was seen */
	/* restore: the database it goes to (RECOVER_AS); NULL: left out (RECOVER_DATABASE) */
	const char *into;
};

static void collections_free(struct collection *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].db);
		free(c[i].name);
		if (c[i].options != NULL)
			bson_destroy(c[i].options);
		if (c[i].indexes != NULL)
			bson_destroy(c[i].indexes);
	}
	free(c);
}

static struct collection *collection_add(struct collection **list, size_t *n, const char *db,
					 const char *name)
{
	struct collection *grown = realloc(*list, (*n + 1) * sizeof(*grown));

	if (grown == NULL)
		return NULL;
	*list = grown;
	memset(&grown[*n], 0, sizeof(grown[*n]));
	grown[*n].options = bson_new();
	grown[*n].db = strdup(db);
	grown[*n].name = strdup(name);
	return &grown[(*n)++];
}

static const char *utf8_field(const bson_t *doc, const char *key)
{
	bson_iter_t it;

	return bson_iter_init_find(&it, doc, key) && BSON_ITER_HOLDS_UTF8(&it)
		   ? bson_iter_utf8(&it, NULL)
		   : NULL;
}

/* Copies the sub-document doc[key] into out (initialised empty when absent). */
static void subdocument(const bson_t *doc, const char *key, bson_t *out)
{
	const uint8_t *data;
	uint32_t len;
	bson_iter_t it;

	if (bson_iter_init_find(&it, doc, key) &&
	    (BSON_ITER_HOLDS_DOCUMENT(&it) || BSON_ITER_HOLDS_ARRAY(&it))) {
		if (BSON_ITER_HOLDS_ARRAY(&it))
			bson_iter_array(&it, &len, &data);
		else
			bson_iter_document(&it, &len, &data);
		bson_init_static(out, data, len);
		return;
	}
	bson_init(out);
}

/* The collections (and views) of the databases to dump, with their options. */
static int list_collections(struct engine *e, struct collection **out, size_t *n)
{
	for (size_t d = 0; d < e->ndatabases; d++) {
		mongoc_database_t *db = mongoc_client_get_database(client_of(e), e->databases[d]);
		mongoc_cursor_t *cur = mongoc_database_find_collections_with_opts(db, NULL);
		const bson_t *info;
		bson_error_t err;
		int failed;

		while (mongoc_cursor_next(cur, &info)) {
			const char *name = utf8_field(info, "name"),
				   *type = utf8_field(info, "type");
			struct collection *c;
			bson_t options;

			if (name == NULL || strncmp(name, "system.", 7) == 0)
				continue;
			c = collection_add(out, n, e->databases[d], name);
			if (c == NULL)
				break;
			c->is_view = type != NULL && strcmp(type, "view") == 0;
			subdocument(info, "options", &options);
			bson_destroy(c->options);
			c->options = bson_copy(&options);
			bson_destroy(&options);
		}
		failed = mongoc_cursor_error(cur, &err);
		mongoc_cursor_destroy(cur);
		mongoc_database_destroy(db);
		if (failed) {
			fail(classify(&err), "listing the collections of %s failed: %s",
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
	mongoc_collection_t *coll = mongoc_client_get_collection(client_of(e), c->db, c->name);
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
		fail(classify(&err), "listing the indexes of %s.%s failed: %s", c->db, c->name,
		     err.message);
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
	mongoc_collection_t *coll = mongoc_client_get_collection(client_of(e), c->db, c->name);
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
		fail(classify(&err), "reading %s.%s failed: %s", c->db, c->name, err.message);
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

static int mongodb_dump(struct engine *e, struct sink *sink)
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
	collections_free(colls, n);
	return rc;
}

/* ------------------------------------------------------------------ restore */

static struct collection *find_collection(struct collection *list, size_t n, const bson_t *doc)
{
	const char *db = utf8_field(doc, "db"), *name = utf8_field(doc, "collection");

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
		db = utf8_field(&r->doc, "db");
		name = utf8_field(&r->doc, "collection");
		json = utf8_field(&r->doc, "metadata");
		meta = json ? bson_new_from_json((const uint8_t *)json, -1, &err) : NULL;
		if (db == NULL || name == NULL || meta == NULL ||
		    (c = collection_add(list, n, db, name)) == NULL) {
			fail(EXIT_CORRUPT, "%s has a damaged collection entry", r->label);
			if (meta != NULL)
				bson_destroy(meta);
			return -1;
		}
		c->is_view =
		    utf8_field(meta, "type") && strcmp(utf8_field(meta, "type"), "view") == 0;
		subdocument(meta, "options", &options);
		bson_destroy(c->options);
		c->options = bson_copy(&options);
		subdocument(meta, "indexes", &indexes);
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
		coll = mongoc_client_get_collection(client_of(e), list[i].into, list[i].name);
		bson_t empty = BSON_INITIALIZER;
		bson_error_t err;
		int dropped = 1;

		count = mongoc_collection_estimated_document_count(coll, NULL, NULL, NULL, &err);

		if (count > 0 && e->opts.force) {
			log_warn("dropping %s.%s on the target to replace it (--force)",
				 list[i].into, list[i].name);
			dropped = mongoc_collection_drop(coll, &err);
			if (!dropped)
				fail(classify(&err), "dropping %s.%s failed: %s", list[i].into,
				     list[i].name, err.message);
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
	if (!mongoc_client_command_simple(client_of(e), c->into, &cmd, NULL, &reply, &err) &&
	    err.code != NAMESPACE_EXISTS) {
		fail(classify(&err), "creating %s.%s failed: %s", c->into, c->name, err.message);
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
			if (utf8_field(&spec, "name") &&
			    strcmp(utf8_field(&spec, "name"), "_id_") == 0)
				continue;
			snprintf(key, sizeof(key), "%d", count++);
			BSON_APPEND_DOCUMENT(&list, key, &spec);
		}
	}
	bson_append_array_end(&cmd, &list);
	if (count > 0)
		rc = command(e, c->into, &cmd, NULL, "createIndexes");
	bson_destroy(&cmd);
	return rc;
}

/* Inserts one segment's documents in ordered batches. */
static int insert_segment(struct engine *e, struct archive_reader *r, struct collection *c)
{
	/* A collection left out is read for its CRC only. */
	mongoc_collection_t *coll =
	    c->into ? mongoc_client_get_collection(client_of(e), c->into, c->name) : NULL;
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
	mongoc_database_t *d = mongoc_client_get_database(client_of(e), db);
	bson_error_t err;
	int ok = mongoc_database_drop(d, &err);

	(void)arg;
	mongoc_database_destroy(d);
	if (!ok)
		fail(classify(&err), "dropping database %s failed: %s", db, err.message);
	return ok ? 0 : -1;
}

/*
 * RECOVER_DATABASE: the archive must hold it (else the databases it holds
 * are named), and a database of its new name on the target is refused, or
 * with --force dropped, as a whole. Returns 0 or -1 after fail().
 */
static int select_database(struct engine *e, struct collection *list, size_t n)
{
	char **held = NULL, **existing = NULL, names[1024];
	size_t nheld = 0, nexisting = 0;
	const char *const keep[] = {NULL};
	bson_error_t err;
	char **found;
	int kept = 0;

	for (size_t i = 0; i < n; i++) {
		list[i].into = engine_restore_name(&e->opts, list[i].db);
		kept |= list[i].into != NULL;
		if (!strlist_has(held, nheld, list[i].db))
			strlist_add(&held, &nheld, list[i].db);
	}
	strlist_join(held, nheld, names, sizeof(names));
	strlist_free(held, nheld);
	if (e->opts.only == NULL)
		return 0;
	if (!kept) {
		fail(EXIT_NOT_FOUND, "the MongoDB archive holds no database %s; it holds: %s",
		     e->opts.only, nheld ? names : "none");
		return -1;
	}
	found = mongoc_client_get_database_names_with_opts(client_of(e), NULL, &err);
	if (found == NULL) {
		fail(classify(&err), "listing MongoDB databases failed: %s", err.message);
		return -1;
	}
	for (size_t i = 0; found[i] != NULL; i++)
		strlist_add(&existing, &nexisting, found[i]);
	bson_strfreev(found);
	return engine_clear_conflicts(e, (char *const *)&e->opts.only, 1, existing, nexisting, keep,
				      drop_database, NULL);
}

static int mongodb_restore(struct engine *e, char *const *databases, size_t n_dbs,
			   struct source *source)
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
	collections_free(list, n);
	archive_reader_free(&r);
	source_close(source);
	return rc;
}

static int mongodb_count_databases(struct engine *e, long *count)
{
	bson_error_t err;
	char **names = mongoc_client_get_database_names_with_opts(client_of(e), NULL, &err);

	if (names == NULL) {
		fail(classify(&err), "listing MongoDB databases failed: %s", err.message);
		return -1;
	}
	*count = 0;
	for (size_t i = 0; names[i] != NULL; i++)
		*count += !is_system_database(names[i]);
	bson_strfreev(names);
	return 0;
}

/* The environment's target: MONGODB_URI. */
static int mongodb_environment_target(const struct engine_options *o, struct target *t)
{
	return target_set_if_unset(&t->uri, o->mongo_uri);
}

/* No throwaway server: Debian has no mongod to start one with. */
static void mongodb_why_not(const char *file, char *why, size_t len)
{
	char mongod[4096];

	if (scratch_find_program("mongod", mongod, sizeof(mongod)) < 0)
		snprintf(why, len,
			 "%s holds a MongoDB dump: a test-restore needs a mongod server to restore "
			 "into and none is installed (Debian has no package for it)",
			 file);
}

static const struct engine_test_ops test = {
    .title = "MongoDB",
    .why_not = mongodb_why_not,
};

const struct engine_ops engine_mongodb_ops = {
    .name = "mongodb",
    .setup = mongodb_setup,
    .cleanup = mongodb_cleanup,
    .check = mongodb_check,
    .file_name = mongodb_file_name,
    .dump = mongodb_dump,
    .restore = mongodb_restore,
    .count_databases = mongodb_count_databases,
    .environment_target = mongodb_environment_target,
    .test = &test,
};
