/*
 * Database engines. Each exports one const ops struct, found by name in a
 * NULL-terminated registry. An engine writes a plain (uncompressed) dump to a
 * sink and restores from a plain source; compression and checksums are the
 * pipeline's business.
 */
#ifndef TIERDUMP_ENGINE_H
#define TIERDUMP_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "backup/manifest.h"
#include "backup/rowcounts.h"
#include "util/stream.h"

struct engine {
	const struct engine_ops *ops;
	const struct config *conf;
	const struct target *target; /* the server, its databases and secret */
	char server_version[64];     /* set by check() */
	char **databases;	     /* what check() found to dump */
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
	/* Optional: records in the manifest what the dump found (a base backup's WAL). */
	int (*describe)(struct engine *, struct manifest *);
	/*
	 * Restores a dump holding databases from source, which it owns;
	 * refuses a server that already has any of them unless conf->force.
	 */
	int (*restore)(struct engine *, char *const *databases, size_t ndatabases, struct source *);
	/* The number of user databases on the server, for DATABASE_EXPECTED_COUNT. */
	int (*count_databases)(struct engine *, long *count);

	/* For test-restores (backup --verify); optional, NULL where an engine lacks them. */

	/*
	 * The tables of database db on the server, into *count; -1 there when
	 * the server has no such database.
	 */
	int (*count_tables)(struct engine *, const char *db, long *count);
	/* The exact number of rows of table (as the row counter named it) in db. */
	int (*count_rows)(struct engine *, const char *db, const char *table, uint64_t *rows);
	/*
	 * Wraps the sink a dump is written into with one that counts each
	 * table's rows as they stream past, adding them to counts under file's
	 * name at commit. Returns NULL after fail(), inner aborted.
	 */
	struct sink *(*row_counter)(struct sink *inner, struct rowcounts *counts, const char *file);
	/* Databases the server makes itself: a test-restore need not find tables in them. */
	const char *const *maintenance;
	/*
	 * Optional: variables that are this engine's settings and that its
	 * library (libpq's PGHOST) or client tools (MYSQL_PWD) would read as
	 * defaults. Read at start-up, they then leave our environment
	 * (engine_startup()): each target passes its own values, as connection
	 * parameters or in the environment its children are started with.
	 */
	const char *const *environment;
};

/*
 * Start-up only, once the settings are read and before any thread runs:
 * removes every engine's environment variables from ours, which nothing
 * changes afterwards.
 */
void engine_startup(void);

/*
 * The engine called name, set up to reach target, or NULL after fail().
 * Free with engine_free().
 */
struct engine *engine_new(const char *name, const struct target *target, const struct config *conf);

/*
 * Sets e->databases from what the server has (all): the target's list, each
 * of which must exist, or everything. Returns 0, or -1 after fail().
 */
int engine_choose_databases(struct engine *e, char *const *all, size_t n, const char *server);

/*
 * Before a restore: the backup's databases (those in keep excepted, which
 * every server has) that the server already has (existing) make it refuse,
 * naming them, unless conf->force, when drop(e, name, arg) drops each.
 * Returns 0, or -1 after fail().
 */
int engine_clear_conflicts(struct engine *e, char *const *databases, size_t n,
			   char *const *existing, size_t nexisting, const char *const keep[],
			   int (*drop)(struct engine *, const char *db, void *arg), void *arg);

/* Whether the target names exactly one database, and which. */
const char *engine_single_database(const struct engine *e);
void engine_free(struct engine *e);

extern const struct engine_ops engine_postgres_ops, engine_mariadb_ops, engine_mongodb_ops,
    engine_pg_physical_ops;

#endif
