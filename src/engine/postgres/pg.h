/* libpq plumbing shared by the PostgreSQL engine's dump and restore sides. */
#ifndef TIERDUMP_PG_H
#define TIERDUMP_PG_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"

struct engine_options;
struct engine_test_ops;

/*
 * Writes a target's password, if it has one, into a private 0600 pgpass file
 * (removed at exit; never argv, the environment or $HOME/.pgpass) and sets
 * *path to it, or to NULL. Returns 0 or -1 after fail().
 */
int pg_password_file(const struct target *t, const char **path);

/*
 * Hands a target's connection settings to libpq and to children through the
 * environment, with pgpass (or the configured PGPASSFILE) as password file.
 * The environment is the process's: call it before each use of a target.
 */
void pg_export_env(const struct target *t, const struct engine_options *o, const char *pgpass);

/* Connects to dbname, or fails naming the server and the likely fix for target t. */
PGconn *pg_connect(const struct target *t, const char *dbname);

/*
 * Runs sql, with param as $1 when sql has one (NULL is SQL NULL), and
 * collects the first column of every row. Returns 0 or -1 after fail().
 */
int pg_query_column(PGconn *conn, const char *sql, const char *param, char ***out, size_t *n);

/* Runs a command that returns no rows. Returns 0 or -1 after fail(). */
int pg_command(PGconn *conn, const char *sql);

/*
 * The major version a client tool reports (pg_dumpall --version), or -1
 * after fail() when the tool cannot run.
 */
int pg_tool_major(const char *tool);

struct engine;

/* Databases every cluster has, which may rightly be empty. */
extern const char *const pg_maintenance_databases[];

/* An engine's setup: the target's password into a private pgpass file (e->priv). */
int pg_engine_setup(struct engine *e);

/*
 * An engine's check: connects, records the server version, chooses the
 * databases, then runs the engine's own checks on the connection.
 * Returns 0, or -1 after fail().
 */
int pg_engine_check(struct engine *e, int (*checks)(struct engine *, PGconn *));

/*
 * For test-restores: the tables of db (-1 when db is missing), and the rows
 * of a table named as pg_dump writes it. Return 0, or -1 after fail().
 */
int pg_count_tables(struct engine *e, const char *db, long *count);
int pg_count_rows(struct engine *e, const char *db, const char *table, uint64_t *rows);

/* The number of user databases on e's server, for DATABASE_EXPECTED_COUNT. */
int pg_count_databases(struct engine *e, long *count);

/* The environment's target: PGHOST, PGPORT, PGUSER, PGADMINPASS or PGPASSWORD. */
int pg_environment_target(const struct engine_options *o, struct target *t);

/* Test-restores of logical dumps and of base backups (testrestore.c). */
extern const struct engine_test_ops pg_test_ops, pg_physical_test_ops;

#endif
