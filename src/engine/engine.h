/*
 * Database engines. Each exports one const ops struct, found by name in a
 * NULL-terminated registry (engine.c). An engine writes a plain
 * (uncompressed) dump to a sink and restores from a plain source;
 * compression and checksums are the pipeline's business. Commands reach
 * engines only through this header: what one engine alone knows (its
 * throwaway server, its log archive, its connection settings) is a slot of
 * its ops struct, NULL where an engine lacks it.
 */
#ifndef TIERDUMP_ENGINE_H
#define TIERDUMP_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "backup/catalog.h"
#include "backup/manifest.h"
#include "backup/rowcounts.h"
#include "conf.h"
#include "store/store.h"
#include "target.h"
#include "util/stream.h"

/*
 * What engines read of the settings, built from struct config in one place
 * (engine_options_from()). The strings belong to the config, which outlives
 * every engine.
 */
struct engine_options {
	/* Restores. */
	int force;		/* RECOVER_FORCE: replace what the target already has */
	int mysql_schema;	/* RECOVER_MYSQL_SCHEMA: restore MariaDB's mysql schema too */
	const char *pgdatabase; /* the maintenance database PostgreSQL clients connect to */
	/* RECOVER_DATABASE: only this database of the backup; NULL: all. */
	const char *only;
	const char *rename; /* RECOVER_AS: the name it is restored under; NULL: its own */
	/* The server version of the backup being restored (its manifest's); NULL: unknown. */
	const char *backup_server_version;
	/* Dumps and restores. */
	const char *pg_bindir; /* PG_BINDIR: PostgreSQL's client tools from this one directory */
	/* Dumps. */
	int mongo_system; /* MONGODB_SYSTEM_DATABASES: dump admin, local and config too */
	/* BACKUP_EXCLUDE_DATABASES: names or fnmatch patterns; BACKUP_DUMP_OPTIONS: words. */
	const char *exclude, *dump_options;
	/* The log archive (wal-push): how the archived files are compressed. */
	const char *compression;
	long compression_level; /* CONF_UNSET: the codec's default */
	long threads;
	const struct age_keys *age; /* encrypt (BACKUP_ENCRYPTION=age) and decrypt with */
	int encrypt;		    /* new files are encrypted to age's recipients */
	/* Recovery to a point in time. */
	const char *from_backup;	  /* FROM_BACKUP: the base backup asked for */
	const char *recovery_target_time; /* RECOVERY_TARGET_TIME */
	const char *recovery_target;	  /* RECOVERY_TARGET: immediate or latest */
	const char *pgdata;		  /* PGDATA: where a base backup is restored */
	int start;		    /* recover --start: start the server, wait for promotion */
	long start_timeout;	    /* RECOVER_START_TIMEOUT: seconds --start waits */
	const char *server_options; /* a test-restore's extra server options for --start */
	/* Test-restores. */
	const char *verify_dir; /* VERIFY_DIR: where throwaway servers live */
	const char
	    *verify_user; /* VERIFY_USER: who runs them when we are root; NULL: the engine's */
	/* The single target of the environment (environment_target()). */
	const char *pghost, *pgport, *pguser, *pgpassword, *pgpassfile, *pgadminpass;
	const char *mysql_host, *mysql_port, *mysql_user, *mysql_password;
	const char *mongo_uri;
	const char *database; /* DATABASE: one database instead of the whole server */
};

struct engine {
	const struct engine_ops *ops;
	struct engine_options opts;  /* a copy: the caller's may go */
	const struct target *target; /* the server, its databases and secret */
	char server_version[64];     /* set by check() */
	char client[160];	     /* set by check(): the client tool, its version and path */
	char **databases;	     /* what check() found to dump */
	size_t ndatabases;
	char **excluded; /* what BACKUP_EXCLUDE_DATABASES left out of the server's */
	size_t nexcluded;
	void *priv;
	struct target own; /* the environment's target, filled in for this engine */
};

struct scratch;

/* Test-restores (backup --verify): a throwaway server of the engine's own. */
struct engine_test_ops {
	const char *title; /* "PostgreSQL", for messages */

	/* Optional: NULL when the engine cannot be test-restored (why_not() says why). */

	/* The user Debian's server package runs the server as, without VERIFY_USER. */
	const char *user;
	/*
	 * Creates and starts a server under parent, as user (when we are root),
	 * for a backup of a server of version (NULL: unknown); s->target reaches
	 * it. Returns 0, or -1 after fail(); either way the caller stops it
	 * (scratch_stop()).
	 */
	int (*start)(struct scratch *s, const char *parent, const char *user, const char *version);
	/* Before a dump's restore: readies the server t reaches (dump: read, then closed). */
	int (*prepare)(const struct target *t, struct source *dump);
	/* Changes the options the restore runs with (o holds the run's). Returns 0 or -1. */
	int (*settings)(struct scratch *s, struct engine_options *o);
	/* After the restore: takes charge of a server the restore itself started. */
	void (*adopt)(struct scratch *s);
	/*
	 * Where start is NULL: why no test-restore is possible for file, into
	 * why (len bytes), or "" when there is no more to say than that.
	 */
	void (*why_not)(const char *file, char *why, size_t len);
};

/* Point-in-time recovery: the server's log archived into the store, replayed over a base backup. */
struct engine_archive_ops {
	/* archive_command: stores the log file at path; 0 only once it is durable. */
	int (*push)(const struct engine_options *o, struct store *s, const char *path);
	/* restore_command: the archived file name into path, checked; 0 or -1 after fail(). */
	int (*fetch)(const struct engine_options *o, struct store *s, const char *name,
		     const char *path);
	/* After pruning: removes what no kept base backup needs. */
	int (*retain)(struct store *s);
	/*
	 * The newest archived file into name (len bytes) and when it was pushed.
	 * Returns 0, 1 when nothing is archived, or -1 after fail().
	 */
	int (*newest)(struct store *s, char *name, size_t len, time_t *pushed);
	/* Whether a manifest is a base backup the archive can be replayed over. */
	int (*is_base)(const struct manifest *m);
	/* Whether the options ask for a recovery to a target. */
	int (*wanted)(const struct engine_options *o);
	/* Validates the recovery target settings. Returns 0 or -1 after fail(). */
	int (*check_settings)(const struct engine_options *o);
	/* The base backup a recovery starts from, or NULL after fail(). */
	const struct backup_ref *(*choose)(const struct catalog *cat,
					   const struct from_backup *from,
					   const struct engine_options *o);
};

/* What sets an engine apart, as bits. */
enum engine_flags {
	/* It writes files for a server to start on (a base backup): nothing runs until --start. */
	ENGINE_RESTORE_OFFLINE = 1 << 0,
	/* Chosen by BACKUP_METHOD, never by name in BACKUP_ENGINE or a target. */
	ENGINE_BY_METHOD = 1 << 1,
};

/*
 * An option of a dump tool that BACKUP_DUMP_OPTIONS may not give: it would
 * change the output's format or where it goes, or what the engine itself
 * decides (the server, the databases).
 */
struct engine_denied_option {
	const char *name; /* the long option, without "--" */
	char letter;	  /* its short form, or 0 */
	const char *why;
};

struct engine_ops {
	const char *name;
	unsigned flags; /* enum engine_flags */
	/*
	 * BACKUP_DUMP_OPTIONS: the tool they go to (for messages) and what it
	 * may not be given (ending with a NULL name). NULL: the engine runs no
	 * dump tool, and the setting is refused.
	 */
	const char *dump_tool;
	const struct engine_denied_option *dump_denied;

	/* Required. */

	/* Reachable, server version, privileges, client tool: before anything is written. */
	int (*check)(struct engine *);
	/* The name of the dump file inside a backup, without compression suffix. */
	void (*file_name)(struct engine *, char *buf, size_t len);
	/* Writes the dump into sink. */
	int (*dump)(struct engine *, struct sink *);
	/*
	 * Restores a dump holding databases from source, which it owns;
	 * refuses a server that already has any of them unless opts.force.
	 */
	int (*restore)(struct engine *, char *const *databases, size_t ndatabases, struct source *);
	/* The number of user databases on the server, for DATABASE_EXPECTED_COUNT. */
	int (*count_databases)(struct engine *, long *count);
	/*
	 * The connection of the environment's single target (PGHOST and
	 * friends, MYSQL_HOST and friends, MONGODB_URI) into t, whose name,
	 * engine and databases are set. Returns 0, or -1 out of memory.
	 */
	int (*environment_target)(const struct engine_options *, struct target *t);

	/* Optional: NULL where an engine lacks them. */

	/* Prepares credentials for the client tools; undone by cleanup. */
	int (*setup)(struct engine *);
	void (*cleanup)(struct engine *);
	/* Records in the manifest what the dump found (a base backup's WAL). */
	int (*describe)(struct engine *, struct manifest *);
	/*
	 * Test-restores: the tables of database db on the server, into *count;
	 * -1 there when the server has no such database.
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
	/* A throwaway server for test-restores. */
	const struct engine_test_ops *test;
	/* The log archive and point-in-time recovery. */
	const struct engine_archive_ops *archive;
	/*
	 * Optional: variables that are this engine's settings and that its
	 * library (libpq's PGHOST) or client tools (MYSQL_PWD) would read as
	 * defaults. Read at start-up, they then leave our environment
	 * (engine_startup()): each target passes its own values, as connection
	 * parameters or in the environment its children are started with.
	 */
	const char *const *environment;
};

/* ------------------------------------------------------------ one target */

/*
 * The first engine of the registry: what a backup that names no engine
 * holds (bandr's files are pg_dumpall dumps).
 */
const char *engine_default(void);

/* The ops of the engine called name, or NULL. */
const struct engine_ops *engine_find(const char *name);

/* The options engines read, from the settings c (which must outlive them). */
void engine_options_from(const struct config *c, struct engine_options *o);

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
struct engine *engine_new(const char *name, const struct target *target,
			  const struct engine_options *o);

/*
 * The environment's single target for engine name into out: no name, the
 * DATABASE, the engine's connection settings. Free it with target_free().
 * Returns 0 or -1.
 */
int engine_environment_target(const char *name, const struct engine_options *o, struct target *out);

/* Whether engine name restores files for a server that runs only once started. */
int engine_restores_offline(const char *name);

/*
 * Sets e->databases from what the server has (all): the target's list, each
 * of which must exist, or everything; less what BACKUP_EXCLUDE_DATABASES
 * matches (into e->excluded). Returns 0, or -1 after fail().
 */
int engine_choose_databases(struct engine *e, char *const *all, size_t n, const char *server);

/*
 * Before a restore: the backup's databases (those in keep excepted, which
 * every server has; under the names engine_restore_name() gives them, those
 * it leaves out skipped) that the server already has (existing) make it refuse,
 * naming them, unless opts.force, when drop(e, name, arg) drops each.
 * Frees existing (a strlist). Returns 0, or -1 after fail().
 */
int engine_clear_conflicts(struct engine *e, char *const *databases, size_t n, char **existing,
			   size_t nexisting, const char *const keep[],
			   int (*drop)(struct engine *, const char *db, void *arg), void *arg);

/*
 * Before any target is contacted: BACKUP_DUMP_OPTIONS and
 * BACKUP_EXCLUDE_DATABASES are ones engine name can honour. Returns 0, or
 * -1 after fail(EXIT_CONFIG, ...).
 */
int engine_check_settings(const char *name, const struct engine_options *o);

/* BACKUP_DUMP_OPTIONS as words, appended to *argv (a strlist). Returns 0 or -1. */
int engine_dump_options(const struct engine *e, char ***argv, size_t *n);

/*
 * RECOVER_DATABASE and RECOVER_AS: the name database db of the backup is
 * restored under, or NULL when the restore leaves it out.
 */
const char *engine_restore_name(const struct engine_options *o, const char *db);

/*
 * RECOVER_DATABASE names a database the dump of engine (its name for
 * messages) does not hold: fails (66) naming the ones it holds. Returns -1.
 */
int engine_no_such_database(const char *engine, const char *only, char *const *held, size_t nheld);

/* Whether the target names exactly one database, and which. */
const char *engine_single_database(const struct engine *e);
void engine_free(struct engine *e);

/* ---------------------------------------------------------- test-restores */

/* Throwaway servers, one per engine, started when first needed. */
struct engine_servers;

/*
 * No server yet; they restore with o's settings, made safe for a fresh
 * server. NULL out of memory. Free with engine_servers_free().
 */
struct engine_servers *engine_servers_new(const struct engine_options *o);

/*
 * Restores one file of a backup, holding databases, into the throwaway
 * server of engine name (started on first use, for a backup of a server
 * of version: the newest of the backup's files of that engine; NULL when
 * unknown). open(arg) opens the file anew, decompressed, each time it is
 * called. Returns an engine on that server for the checks (free with
 * engine_free()), or NULL after fail(), which for an engine with no
 * throwaway server says why.
 */
struct engine *engine_servers_restore(struct engine_servers *sv, const char *name,
				      const char *version, const char *file, char *const *databases,
				      size_t n, struct source *(*open)(void *arg), void *arg);

/* The user databases over every server started. Returns 0, or -1 after fail(). */
int engine_servers_count_databases(struct engine_servers *sv, long *total);

/* Stops and removes every server started. NULL is fine. */
void engine_servers_free(struct engine_servers *sv);

/* ------------------------------------------------------- the log archive */

/* Large enough for any engine's archived file name. */
#define ENGINE_ARCHIVE_NAME_MAX 64

/* archive_command: see engine_archive_ops.push. Fails where no engine archives. */
int engine_archive_push(const struct engine_options *o, struct store *s, const char *path);
/* restore_command: see engine_archive_ops.fetch. */
int engine_archive_fetch(const struct engine_options *o, struct store *s, const char *name,
			 const char *path);
/* After pruning: every archive keeps only what a kept base backup needs. */
int engine_archive_retain(struct store *s);
/* The newest archived file (ENGINE_ARCHIVE_NAME_MAX bytes): 0, 1 when none, or -1. */
int engine_archive_newest(struct store *s, char *name, time_t *pushed);
/* Whether m is a base backup a log archive replays over. */
int engine_is_base_backup(const struct manifest *m);
/* Whether the options ask for a point-in-time recovery. */
int engine_recovery_wanted(const struct engine_options *o);
/* Validates the recovery settings. Returns 0 or -1 after fail(). */
int engine_recovery_check(const struct engine_options *o);
/* The base backup the recovery starts from, or NULL after fail(). */
const struct backup_ref *engine_recovery_choose(const struct catalog *cat,
						const struct from_backup *from,
						const struct engine_options *o);

#endif
