/*
 * Database engines. Each exports one const ops struct, found by name in a
 * NULL-terminated registry. An engine writes a plain (uncompressed) dump to a
 * sink and restores from a plain source; compression and checksums are the
 * pipeline's business.
 */
#ifndef TIERDUMP_ENGINE_H
#define TIERDUMP_ENGINE_H

#include <stddef.h>

#include "../conf.h"
#include "../manifest.h"
#include "../stream.h"

struct engine {
	const struct engine_ops *ops;
	const struct config *conf;
	char server_version[64]; /* set by check() */
	char **databases;        /* what check() found to dump */
	size_t ndatabases;
	void *priv;
};

struct engine_ops {
	const char *name;

	/* Optional: prepares credentials for the client tools; undone by cleanup. */
	int (*setup)(struct engine *);
	void (*cleanup)(struct engine *);

	/* Reachable, server version, privileges, client tool: before anything is written. */
	int (*check)(struct engine *);
	/* The name of the dump file inside a backup, without compression suffix. */
	void (*file_name)(struct engine *, char *buf, size_t len);
	/* Writes the dump into sink. */
	int (*dump)(struct engine *, struct sink *);
	/*
	 * Restores the backup m describes from source; refuses a target that
	 * already has its databases unless conf->force. m may be a manifest
	 * synthesized for a backup that had none.
	 */
	int (*restore)(struct engine *, const struct manifest *m, struct source *);
	/* The number of user databases on the server, for DATABASE_EXPECTED_COUNT. */
	int (*count_databases)(struct engine *, long *count);
	/* Optional: checks a restored backup (NULL until test-restores exist). */
	int (*verify)(struct engine *, const struct manifest *);
};

/*
 * The engine called name, set up for conf, or NULL after fail().
 * Free with engine_free().
 */
struct engine *engine_new(const char *name, const struct config *conf);
void engine_free(struct engine *e);

extern const struct engine_ops engine_postgres_ops, engine_mariadb_ops;

#endif
