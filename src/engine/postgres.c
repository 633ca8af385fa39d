/*
 * The PostgreSQL engine: pg_dumpall (or pg_dump --create for DATABASE) out,
 * psql with ON_ERROR_STOP in. Connection settings reach both through the
 * environment (pg_export_env), never through argv.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/exec.h"
#include "../util/log.h"
#include "../util/strlist.h"
#include "engine.h"
#include "pg.h"
#include "pg_filter.h"
#include "pg_rowcount.h"

static const char *dump_tool(const struct engine *e)
{
	return e->target->ndatabases > 0 ? "pg_dump" : "pg_dumpall";
}

static int check_privileges(struct engine *e, PGconn *conn)
{
	char **super = NULL;
	size_t n = 0;
	int rc;

	if (e->target->ndatabases > 0)
		return 0; /* pg_dump needs only read access, which the dump proves */
	rc = pg_query_column(conn, "SELECT rolsuper::text FROM pg_roles WHERE rolname = current_user",
			     NULL, &super, &n);
	if (rc == 0 && (n != 1 || strcmp(super[0], "true") != 0)) {
		fail(EXIT_AUTH,
		     "PostgreSQL user %s is not a superuser: pg_dumpall needs one to read roles and every database (or set DATABASE to dump one database)",
		     PQuser(conn));
		rc = -1;
	}
	strlist_free(super, n);
	return rc;
}

static int check_client_version(struct engine *e, PGconn *conn)
{
	int server = PQserverVersion(conn) / 10000;
	int client = pg_tool_major(dump_tool(e));

	if (client < 0)
		return -1;
	if (client < server) {
		fail(EXIT_CONFIG,
		     "%s %d cannot dump a PostgreSQL %d server: install postgresql-client-%d or newer",
		     dump_tool(e), client, server, server);
		return -1;
	}
	return 0;
}

/* Points libpq and the client tools at this engine's target. */
static void activate(struct engine *e)
{
	pg_export_env(e->target, e->conf, e->priv);
}

static int postgres_check(struct engine *e)
{
	const char *list_sql = "SELECT datname FROM pg_database WHERE NOT datistemplate "
			       "ORDER BY datname";
	PGconn *conn;
	char **all = NULL;
	size_t n = 0;
	int rc = -1;

	activate(e);
	conn = pg_connect(e->target, e->conf->pgdatabase);
	if (conn == NULL)
		return -1;
	snprintf(e->server_version, sizeof(e->server_version), "%s",
		 PQparameterStatus(conn, "server_version"));
	if (check_privileges(e, conn) < 0 || check_client_version(e, conn) < 0)
		goto out;
	if (pg_query_column(conn, list_sql, NULL, &all, &n) < 0)
		goto out;
	if (engine_choose_databases(e, all, n, "PostgreSQL") < 0)
		goto out;
	log_info("PostgreSQL %s reachable; %zu database(s) to dump with %s", e->server_version,
		 e->ndatabases, dump_tool(e));
	rc = 0;
out:
	strlist_free(all, n);
	PQfinish(conn);
	return rc;
}

static void postgres_file_name(struct engine *e, char *buf, size_t len)
{
	const char *db = engine_single_database(e);

	/* A database name is a safe file name only when it is plain. */
	if (e->target->ndatabases > 1)
		snprintf(buf, len, "databases.sql");
	else if (db == NULL)
		snprintf(buf, len, "dumpall.sql");
	else if (db[0] != '.' && strspn(db, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					    "0123456789_.-") == strlen(db))
		snprintf(buf, len, "%s.sql", db);
	else
		snprintf(buf, len, "database.sql");
}

/*
 * The whole cluster with pg_dumpall, or each listed database with
 * pg_dump --create, one after the other: one script that psql replays.
 */
static int postgres_dump(struct engine *e, struct sink *sink)
{
	const char *dumpall[] = {"pg_dumpall", "--no-password", NULL};
	char dbname[1024];
	const char *dump[] = {"pg_dump", "--no-password", "--create", dbname, NULL};

	activate(e);
	if (e->target->ndatabases == 0)
		return child_dump(dumpall, sink, NULL);
	for (size_t i = 0; i < e->target->ndatabases; i++) {
		snprintf(dbname, sizeof(dbname), "--dbname=%s", e->target->databases[i]);
		if (child_dump(dump, sink, NULL) < 0)
			return -1;
	}
	return 0;
}

static int drop_database(struct engine *e, const char *db, void *arg)
{
	PGconn *conn = arg;
	char *ident = PQescapeIdentifier(conn, db, strlen(db));
	char sql[1100];

	(void)e;
	snprintf(sql, sizeof(sql), "DROP DATABASE %s WITH (FORCE)", ident);
	PQfreemem(ident);
	return pg_command(conn, sql);
}

/* Refuses, or with force drops, the backup's databases the target already has. */
static int clear_conflicts(struct engine *e, PGconn *conn, char *const *databases, size_t n_dbs)
{
	/* Every server has these; a restore goes into them as they are. */
	static const char *const builtin[] = {"postgres", "template1", NULL};
	char **existing = NULL;
	size_t n = 0;
	int rc;

	if (pg_query_column(conn, "SELECT datname FROM pg_database", NULL, &existing, &n) < 0)
		return -1;
	rc = engine_clear_conflicts(e, databases, n_dbs, existing, n, builtin, drop_database, conn);
	strlist_free(existing, n);
	return rc;
}

static int postgres_restore(struct engine *e, char *const *databases, size_t n_dbs,
			    struct source *source)
{
	const char *argv[] = {"psql", "--no-psqlrc", "--quiet", "--no-password", "--set",
			      "ON_ERROR_STOP=1", "--dbname", e->conf->pgdatabase, NULL};
	struct source *filtered = NULL;
	char **roles = NULL;
	size_t nroles = 0;
	struct child c;
	PGconn *conn;
	int rc = -1;

	activate(e);
	conn = pg_connect(e->target, e->conf->pgdatabase);
	if (conn == NULL)
		goto out;
	if (clear_conflicts(e, conn, databases, n_dbs) < 0 ||
	    pg_query_column(conn, "SELECT rolname FROM pg_roles", NULL, &roles, &nroles) < 0)
		goto out;
	filtered = pg_filter_source(source, roles, nroles, PQuser(conn));
	source = NULL; /* the filter owns it now */
	if (filtered == NULL)
		goto out;
	PQfinish(conn);
	conn = NULL;
	if (child_start(&c, argv, CHILD_STDIN) < 0)
		goto out;
	if (child_feed_from(&c, filtered) < 0) {
		child_kill(&c);
		goto out;
	}
	rc = child_finish(&c, EXIT_RESTORE);
out:
	source_close(filtered);
	source_close(source);
	strlist_free(roles, nroles);
	PQfinish(conn);
	return rc;
}

static int postgres_count_databases(struct engine *e, long *count)
{
	char **names = NULL;
	size_t n = 0;
	PGconn *conn;
	int rc;

	activate(e);
	conn = pg_connect(e->target, e->conf->pgdatabase);
	if (conn == NULL)
		return -1;
	rc = pg_query_column(conn,
			     "SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres'",
			     NULL, &names, &n);
	*count = (long)n;
	strlist_free(names, n);
	PQfinish(conn);
	return rc;
}

static int postgres_count_tables(struct engine *e, const char *db, long *count)
{
	const char *sql = "SELECT c.oid::text FROM pg_class c JOIN pg_namespace s ON "
			  "s.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND "
			  "s.nspname NOT IN ('pg_catalog', 'information_schema') AND "
			  "s.nspname NOT LIKE 'pg_toast%'";
	char **names = NULL;
	size_t n = 0;
	PGconn *conn;
	int rc;

	activate(e);
	/* Asked first: connecting to a missing database would be a failure of its own. */
	conn = pg_connect(e->target, e->conf->pgdatabase);
	if (conn == NULL)
		return -1;
	rc = pg_query_column(conn, "SELECT datname FROM pg_database WHERE datname = $1", db, &names,
			     &n);
	PQfinish(conn);
	strlist_free(names, n);
	*count = -1;
	if (rc < 0 || n == 0)
		return rc;
	conn = pg_connect(e->target, db);
	if (conn == NULL)
		return -1;
	names = NULL;
	n = 0;
	rc = pg_query_column(conn, sql, NULL, &names, &n);
	*count = (long)n;
	strlist_free(names, n);
	PQfinish(conn);
	return rc;
}

static int postgres_count_rows(struct engine *e, const char *db, const char *table,
			       uint64_t *rows)
{
	char sql[1200], **value = NULL;
	size_t n = 0;
	PGconn *conn;
	int rc;

	/* The name goes into the query as pg_dump quoted it; anything else is refused. */
	if (!pg_qualified_name_ok(table) || strlen(table) > 1000) {
		fail(EXIT_CORRUPT, "the row counts name a table %s that pg_dump would not write", table);
		return -1;
	}
	activate(e);
	conn = pg_connect(e->target, db);
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

static int postgres_setup(struct engine *e)
{
	const char *path;

	if (pg_password_file(e->target, &path) < 0)
		return -1;
	e->priv = (void *)path; /* owned by privfile until exit */
	return 0;
}

const struct engine_ops engine_postgres_ops = {
	.name = "postgres",
	.setup = postgres_setup,
	.check = postgres_check,
	.file_name = postgres_file_name,
	.dump = postgres_dump,
	.restore = postgres_restore,
	.count_databases = postgres_count_databases,
	.count_tables = postgres_count_tables,
	.count_rows = postgres_count_rows,
	.row_counter = pg_rowcount_sink,
	/* They may rightly be empty. */
	.maintenance = (const char *const[]){"postgres", "template1", NULL},
};
