/*
 * What the MongoDB engine's parts share (mongodb.c: the connection and the
 * checks; collections.c: the collections and their metadata; dump.c: the
 * archive written; restore.c: the archive restored).
 */
#ifndef TIERDUMP_ENGINE_MONGODB_MONGO_H
#define TIERDUMP_ENGINE_MONGODB_MONGO_H

#include <mongoc/mongoc.h>

#include "engine/engine.h"

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

/* The exit class of a libmongoc error: EXIT_AUTH, EXIT_UNAVAILABLE, else EXIT_DUMP. */
enum exit_code mongo_classify(const bson_error_t *err);

mongoc_client_t *mongo_client(struct engine *e);

/* Runs a command; on failure logs it and fails with its class. */
int mongo_command(struct engine *e, const char *db, const bson_t *cmd, bson_t *reply,
		  const char *what);

/* The names of the server's databases (free with bson_strfreev()); NULL after fail(). */
char **mongo_database_names(struct engine *e);

void mongo_collections_free(struct collection *c, size_t n);
struct collection *mongo_collection_add(struct collection **list, size_t *n, const char *db,
					const char *name);

/* doc[key] when it is a string, else NULL. */
const char *mongo_utf8_field(const bson_t *doc, const char *key);

/* Copies the sub-document doc[key] into out (initialised empty when absent). */
void mongo_subdocument(const bson_t *doc, const char *key, bson_t *out);

/* Every database and collection to dump, in mongodump's archive format. */
int mongo_dump(struct engine *e, struct sink *sink);

/* An archive restored through libmongoc; closes source. */
int mongo_restore(struct engine *e, char *const *databases, size_t n_dbs, struct source *source);

#endif
