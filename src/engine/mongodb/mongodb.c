/*
 * The MongoDB engine, through libmongoc (Debian has no mongodump): every
 * database and collection (admin, local and config only when asked) with
 * its options and indexes, documents streamed with a cursor, written in
 * mongodump's archive format; restored through libmongoc, replacing a
 * collection that already holds documents only with --force.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/mongodb/mongo.h"
#include "engine/scratch.h"
#include "util/log.h"
#include "util/strlist.h"

struct mongo {
	mongoc_client_t *client;
};

/* admin, local and config: dumped only when asked, never counted. */
static int is_system_database(const char *db)
{
	return strcmp(db, "admin") == 0 || strcmp(db, "local") == 0 || strcmp(db, "config") == 0;
}

enum exit_code mongo_classify(const bson_error_t *err)
{
	if (err->domain == MONGOC_ERROR_CLIENT && err->code == MONGOC_ERROR_CLIENT_AUTHENTICATE)
		return EXIT_AUTH;
	if (err->domain == MONGOC_ERROR_SERVER_SELECTION || err->domain == MONGOC_ERROR_STREAM)
		return EXIT_UNAVAILABLE;
	return EXIT_DUMP;
}

mongoc_client_t *mongo_client(struct engine *e)
{
	return ((struct mongo *)e->priv)->client;
}

int mongo_command(struct engine *e, const char *db, const bson_t *cmd, bson_t *reply,
		  const char *what)
{
	bson_error_t err;
	bson_t ignored;
	int ok = mongoc_client_command_simple(mongo_client(e), db, cmd, NULL,
					      reply ? reply : &ignored, &err);

	if (reply == NULL)
		bson_destroy(&ignored);
	if (!ok)
		fail(mongo_classify(&err), "MongoDB %s failed: %s", what, err.message);
	return ok ? 0 : -1;
}

char **mongo_database_names(struct engine *e)
{
	bson_error_t err;
	char **names = mongoc_client_get_database_names_with_opts(mongo_client(e), NULL, &err);

	if (names == NULL)
		fail(mongo_classify(&err), "listing MongoDB databases failed: %s", err.message);
	return names;
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

static int mongodb_check(struct engine *e)
{
	bson_t *cmd = BCON_NEW("buildInfo", BCON_INT32(1));
	bson_iter_t it;
	bson_t reply;
	char **names, **all = NULL;
	size_t n = 0;
	int rc;

	rc = mongo_command(e, "admin", cmd, &reply, "connection (buildInfo)");
	bson_destroy(cmd);
	if (rc < 0)
		return -1;
	snprintf(e->server_version, sizeof(e->server_version), "%s",
		 bson_iter_init_find(&it, &reply, "version") && BSON_ITER_HOLDS_UTF8(&it)
		     ? bson_iter_utf8(&it, NULL)
		     : "unknown");
	bson_destroy(&reply);
	names = mongo_database_names(e);
	if (names == NULL)
		return -1;
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

static int mongodb_count_databases(struct engine *e, long *count)
{
	char **names = mongo_database_names(e);

	if (names == NULL)
		return -1;
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
    .dump = mongo_dump,
    .restore = mongo_restore,
    .count_databases = mongodb_count_databases,
    .environment_target = mongodb_environment_target,
    .test = &test,
};
