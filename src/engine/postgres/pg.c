#include "engine/postgres/pg.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/exec.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/privfile.h"
#include "util/strlist.h"
#include "engine/engine.h"
#include "engine/postgres/clients.h"
#include "engine/postgres/rowcount.h"

/* "*:*:*:*:password" with ':' and '\\' escaped, as libpq reads it. */
static char *pgpass_line(const char *password)
{
	char *line = malloc(strlen(password) * 2 + 10), *p;

	if (line == NULL)
		return NULL;
	p = line + sprintf(line, "*:*:*:*:");
	for (; *password != '\0'; password++) {
		if (*password == ':' || *password == '\\')
			*p++ = '\\';
		*p++ = *password;
	}
	strcpy(p, "\n");
	return line;
}

int pg_password_file(const struct target *t, const char **path)
{
	char *line;

	*path = NULL;
	if (t->password == NULL)
		return 0;
	line = pgpass_line(t->password);
	*path = line ? privfile_create("pgpass", line) : NULL;
	if (line != NULL)
		explicit_bzero(line, strlen(line));
	free(line);
	return *path != NULL ? 0 : -1;
}

const char *pg_passfile(const struct engine *e)
{
	return e->priv != NULL ? (const char *)e->priv : e->opts.pgpassfile;
}

int pg_child_env(const struct target *t, const char *passfile, struct child_env *env)
{
	/* Absent settings are removed, so that the tool's default applies, never another's. */
	if (child_env_set(env, "PGHOST", t->host) < 0 ||
	    child_env_set(env, "PGPORT", t->port) < 0 ||
	    child_env_set(env, "PGUSER", t->user) < 0 ||
	    child_env_set(env, "PGPASSFILE", passfile) < 0)
		goto fail;
	/* The password goes in the file; the *_FILE variables are ours, not libpq's. */
	for (size_t i = 0; pg_secret_variables[i] != NULL; i++)
		if (child_env_set(env, pg_secret_variables[i], NULL) < 0)
			goto fail;
	return 0;
fail:
	child_env_free(env);
	return -1;
}

/* libpq's message without its trailing newline, first line only. */
static void first_line(const char *msg, char *buf, size_t len)
{
	snprintf(buf, len, "%s", msg);
	buf[strcspn(buf, "\n")] = '\0';
}

PGconn *pg_connect(const struct target *t, const char *passfile, const char *dbname)
{
	/*
	 * Everything as parameters: libpq's variables left our environment at
	 * start-up (pg_environment), so one the target lacks takes libpq's default.
	 */
	const char *optional[][2] = {
	    {"host", t->host}, {"port", t->port}, {"user", t->user}, {"passfile", passfile}};
	const char *keys[8] = {"dbname", "fallback_application_name", "connect_timeout"};
	const char *values[8] = {dbname, "tierdump", "15"};
	const char *host = t->host, *port = t->port, *user = t->user;
	char msg[512];
	PGconn *conn;
	int n = 3;

	/* Only the settings the target has, the list ending in NULL. */
	for (size_t i = 0; i < sizeof(optional) / sizeof(*optional); i++)
		if (optional[i][1] != NULL) {
			keys[n] = optional[i][0];
			values[n++] = optional[i][1];
		}
	conn = PQconnectdbParams(keys, values, 1);
	if (conn != NULL && PQstatus(conn) == CONNECTION_OK)
		return conn;
	first_line(conn ? PQerrorMessage(conn) : "out of memory", msg, sizeof(msg));
	if (strstr(msg, "password") != NULL || strstr(msg, "authentication") != NULL ||
	    strstr(msg, "role") != NULL)
		fail(EXIT_AUTH, "PostgreSQL at %s:%s refused user %s: %s (check %s%s)",
		     host ? host : "localhost", port ? port : "5432", user ? user : "(default)",
		     msg,
		     *t->name ? "the user and password of target "
			      : "PGUSER and PGPASSWORD, PGPASSWORD_FILE or PGADMINPASS",
		     t->name);
	else
		fail(EXIT_UNAVAILABLE,
		     "cannot connect to PostgreSQL at %s:%s: %s (check %s%s, and that the server "
		     "runs)",
		     host ? host : "localhost", port ? port : "5432", msg,
		     *t->name ? "the host and port of target " : "PGHOST and PGPORT", t->name);
	PQfinish(conn);
	return NULL;
}

int pg_query_column(PGconn *conn, const char *sql, const char *param, char ***out, size_t *n)
{
	/* A NULL param is SQL NULL, for queries that take $1 optionally. */
	PGresult *res =
	    PQexecParams(conn, sql, strstr(sql, "$1") ? 1 : 0, NULL, &param, NULL, NULL, 0);
	int rc = -1;

	*out = NULL;
	*n = 0;
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		char msg[512];

		first_line(PQerrorMessage(conn), msg, sizeof(msg));
		fail(EXIT_UNAVAILABLE, "query on PostgreSQL failed: %s", msg);
		goto out;
	}
	for (int i = 0; i < PQntuples(res); i++) {
		if (strlist_add(out, n, PQgetvalue(res, i, 0)) < 0)
			goto out;
	}
	rc = 0;
out:
	PQclear(res);
	if (rc < 0) {
		strlist_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

int pg_command(PGconn *conn, const char *sql)
{
	PGresult *res = PQexec(conn, sql);
	int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : -1;

	if (rc < 0) {
		char msg[512];

		first_line(PQerrorMessage(conn), msg, sizeof(msg));
		fail(EXIT_RESTORE, "PostgreSQL refused '%s': %s", sql, msg);
	}
	PQclear(res);
	return rc;
}

int pg_engine_tool(const struct engine *e, const char *tool, int server, struct pg_client *out)
{
	return pg_client_choose(PG_LIBDIR, e->opts.pg_bindir, tool, server, out);
}

int pg_engine_choose_client(struct engine *e, const char *tool, int server)
{
	struct pg_client client;
	char version[64], dir[PATH_MAX];

	if (pg_engine_tool(e, tool, server, &client) < 0 ||
	    pg_client_version(client.path, version, sizeof(version)) < 0)
		return -1;
	snprintf(dir, sizeof(dir), "%s", client.path);
	*strrchr(dir, '/') = '\0';
	snprintf(e->client, sizeof(e->client), "%s %s (%.100s)", tool, version, dir);
	log_info("PostgreSQL %d server: using the client %s", server, e->client);
	return 0;
}

/* ------------------------------------------- shared by both PostgreSQL engines */

const char *const pg_maintenance_databases[] = {"postgres", "template1", NULL};

const char *const pg_environment[] = {"PGHOST",	    "PGPORT",	   "PGUSER", "PGPASSWORD",
				      "PGPASSFILE", "PGADMINPASS", NULL};

const char *const pg_secret_variables[] = {"PGPASSWORD", "PGPASSWORD_FILE", "PGADMINPASS",
					   "PGADMINPASS_FILE", NULL};

/* Runs a one-column query on db of e's server and counts its rows. */
static int count_query(struct engine *e, const char *db, const char *sql, const char *param,
		       long *count)
{
	char **rows = NULL;
	size_t n = 0;
	PGconn *conn;
	int rc;

	conn = pg_connect(e->target, pg_passfile(e), db);
	if (conn == NULL)
		return -1;
	rc = pg_query_column(conn, sql, param, &rows, &n);
	*count = (long)n;
	strlist_free(rows, n);
	PQfinish(conn);
	return rc;
}

int pg_count_databases(struct engine *e, long *count)
{
	return count_query(
	    e, e->opts.pgdatabase,
	    "SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres'",
	    NULL, count);
}

int pg_engine_setup(struct engine *e)
{
	const char *path;

	if (pg_password_file(e->target, &path) < 0)
		return -1;
	e->priv = (void *)path; /* owned by privfile until exit */
	return 0;
}

int pg_engine_check(struct engine *e, int (*checks)(struct engine *, PGconn *))
{
	const char *list_sql = "SELECT datname FROM pg_database WHERE NOT datistemplate "
			       "ORDER BY datname";
	char **all = NULL;
	size_t n = 0;
	PGconn *conn;
	int rc = -1;

	conn = pg_connect(e->target, pg_passfile(e), e->opts.pgdatabase);
	if (conn == NULL)
		return -1;
	snprintf(e->server_version, sizeof(e->server_version), "%s",
		 PQparameterStatus(conn, "server_version"));
	if (pg_query_column(conn, list_sql, NULL, &all, &n) == 0 &&
	    engine_choose_databases(e, all, n, "PostgreSQL") == 0)
		rc = checks(e, conn);
	strlist_free(all, n);
	PQfinish(conn);
	return rc;
}

int pg_count_tables(struct engine *e, const char *db, long *count)
{
	const char *sql = "SELECT c.oid::text FROM pg_class c JOIN pg_namespace s ON "
			  "s.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND "
			  "s.nspname NOT IN ('pg_catalog', 'information_schema') AND "
			  "s.nspname NOT LIKE 'pg_toast%'";
	long exists = 0;

	/* Asked first: connecting to a missing database would be a failure of its own. */
	if (count_query(e, e->opts.pgdatabase, "SELECT datname FROM pg_database WHERE datname = $1",
			db, &exists) < 0)
		return -1;
	*count = -1;
	return exists == 0 ? 0 : count_query(e, db, sql, NULL, count);
}

int pg_count_rows(struct engine *e, const char *db, const char *table, uint64_t *rows)
{
	char sql[1200], **value = NULL;
	size_t n = 0;
	PGconn *conn;
	int rc;

	/* The name goes into the query as pg_dump quoted it; anything else is refused. */
	if (!pg_qualified_name_ok(table) || strlen(table) > 1000) {
		fail(EXIT_CORRUPT, "the row counts name a table %s that pg_dump would not write",
		     table);
		return -1;
	}
	conn = pg_connect(e->target, pg_passfile(e), db);
	if (conn == NULL)
		return -1;
	snprintf(sql, sizeof(sql), "SELECT count(*)::text FROM %s", table);
	rc = pg_query_column(conn, sql, NULL, &value, &n);
	if (rc == 0 && n == 1)
		*rows = strtoull(value[0], NULL, 10);
	else if (rc == 0)
		rc = -1;
	strlist_free(value, n);
	PQfinish(conn);
	return rc;
}

int pg_environment_target(const struct engine_options *o, struct target *t)
{
	/* bandr's admin password wins over libpq's own. */
	return target_set_if_unset(&t->host, o->pghost) < 0 ||
		       target_set_if_unset(&t->port, o->pgport) < 0 ||
		       target_set_if_unset(&t->user, o->pguser) < 0 ||
		       target_set_if_unset(&t->password,
					   o->pgadminpass ? o->pgadminpass : o->pgpassword) < 0
		   ? -1
		   : 0;
}
