/* libpq plumbing shared by the PostgreSQL engine's dump and restore sides. */
#ifndef TIERDUMP_PG_H
#define TIERDUMP_PG_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "util/env.h"

struct engine;

struct engine_options;
struct engine_test_ops;

/*
 * Writes a target's password, if it has one, into a private 0600 pgpass file
 * (without a name: privfile.h; never argv, the environment or $HOME/.pgpass) and sets
 * *path to it, or to NULL. Returns 0 or -1 after fail().
 */
int pg_password_file(const struct target *t, const char **path);

/* The password file of e's target: its private pgpass file, or the configured PGPASSFILE. */
const char *pg_passfile(const struct engine *e);

/*
 * The environment a client tool (pg_dump, psql, pg_basebackup) needs for
 * target t, as changes to ours: its host, port and user, passfile as
 * PGPASSFILE, each removed when absent, and no password variable. Our own
 * environment is never changed. Returns 0, or -1 after fail() with env freed.
 */
int pg_child_env(const struct target *t, const char *passfile, struct child_env *env);

/*
 * Connects to dbname of target t, every setting passed as a parameter, or
 * fails naming the server and the likely fix.
 */
PGconn *pg_connect(const struct target *t, const char *passfile, const char *dbname);

/*
 * Runs sql, with param as $1 when sql has one (NULL is SQL NULL), and
 * collects the first column of every row. Returns 0 or -1 after fail().
 */
int pg_query_column(PGconn *conn, const char *sql, const char *param, char ***out, size_t *n);

/* Runs a command that returns no rows. Returns 0 or -1 after fail(). */
int pg_command(PGconn *conn, const char *sql);

struct pg_client;

/*
 * The client tool (pg_dumpall, psql, ...) of e's settings (PG_BINDIR) for a
 * server of major server, chosen as clients.h says, into out. Returns 0, or
 * -1 after fail().
 */
int pg_engine_tool(const struct engine *e, const char *tool, int server, struct pg_client *out);

/*
 * Before a dump: chooses tool for the server of major server, and records
 * which it is, its version and folder, in e->client and the log. Returns 0,
 * or -1 after fail().
 */
int pg_engine_choose_client(struct engine *e, const char *tool, int server);

/* Databases every cluster has, which may rightly be empty. */
extern const char *const pg_maintenance_databases[];

/*
 * The variables libpq reads as defaults for every connection in this
 * process, and the passwords. They are settings (PGHOST is the environment
 * target's host), so they leave our environment at start-up: a connection
 * gets its target's values as parameters, a tool in its environment, and a
 * listed target without a host gets libpq's default, never another's.
 */
extern const char *const pg_environment[];

/* Variables holding a password or naming its file: never a client tool's. */
extern const char *const pg_secret_variables[];

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
