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

/* Databases every server has; a restore goes into them as they are. */
static int is_builtin_database(const char *name)
{
	return strcmp(name, "postgres") == 0 || strcmp(name, "template1") == 0;
}

static const char *dump_tool(const struct engine *e)
{
	return e->conf->database ? "pg_dump" : "pg_dumpall";
}

static int check_privileges(struct engine *e, PGconn *conn)
{
	char **super = NULL;
	size_t n = 0;
	int rc;

	if (e->conf->database != NULL)
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

static int postgres_check(struct engine *e)
{
	const char *list_sql = "SELECT datname FROM pg_database WHERE NOT datistemplate "
			       "AND ($1::text IS NULL OR datname = $1) ORDER BY datname";
	PGconn *conn = pg_connect(e->conf, e->conf->pgdatabase);
	int rc = -1;

	if (conn == NULL)
		return -1;
	snprintf(e->server_version, sizeof(e->server_version), "%s",
		 PQparameterStatus(conn, "server_version"));
	if (check_privileges(e, conn) < 0 || check_client_version(e, conn) < 0)
		goto out;
	if (pg_query_column(conn, list_sql, e->conf->database, &e->databases, &e->ndatabases) < 0)
		goto out;
	if (e->conf->database != NULL && e->ndatabases == 0) {
		fail(EXIT_CONFIG, "database %s does not exist on the server (check DATABASE)",
		     e->conf->database);
		goto out;
	}
	log_info("PostgreSQL %s reachable; %zu database(s) to dump with %s", e->server_version,
		 e->ndatabases, dump_tool(e));
	rc = 0;
out:
	PQfinish(conn);
	return rc;
}

static void postgres_file_name(struct engine *e, char *buf, size_t len)
{
	const char *db = e->conf->database;

	/* A database name is a safe file name only when it is plain. */
	if (db == NULL)
		snprintf(buf, len, "dumpall.sql");
	else if (db[0] != '.' && strspn(db, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					    "0123456789_.-") == strlen(db))
		snprintf(buf, len, "%s.sql", db);
	else
		snprintf(buf, len, "database.sql");
}

static int postgres_dump(struct engine *e, struct sink *sink)
{
	char dbname[1024];
	const char *dumpall[] = {"pg_dumpall", "--no-password", NULL};
	const char *dump[] = {"pg_dump", "--no-password", "--create", dbname, NULL};
	struct child c;
	uint64_t bytes = 0;

	snprintf(dbname, sizeof(dbname), "--dbname=%s", e->conf->database ? e->conf->database : "");
	if (child_start(&c, e->conf->database ? dump : dumpall, CHILD_STDOUT) < 0)
		return -1;
	if (child_drain_to(&c, sink, &bytes) < 0) {
		child_kill(&c);
		return -1;
	}
	if (child_finish(&c, EXIT_DUMP) < 0)
		return -1;
	if (bytes == 0) {
		fail(EXIT_DUMP, "%s exited with 0 but wrote nothing", c.name);
		return -1;
	}
	return 0;
}

/* Refuses, or with force drops, the backup's databases the target already has. */
static int clear_conflicts(struct engine *e, PGconn *conn, const struct manifest *m)
{
	char **existing = NULL, *conflicts = NULL;
	size_t n = 0, len = 0;
	FILE *list = open_memstream(&conflicts, &len);
	int rc = -1, found = 0;

	if (list == NULL || pg_query_column(conn, "SELECT datname FROM pg_database", NULL,
					    &existing, &n) < 0)
		goto out;
	for (size_t i = 0; i < m->ndatabases; i++) {
		const char *db = m->databases[i];

		if (is_builtin_database(db) || !strlist_has(existing, n, db))
			continue;
		fprintf(list, "%s%s", found++ ? ", " : "", db);
		if (e->conf->force) {
			char *ident = PQescapeIdentifier(conn, db, strlen(db));
			char sql[1100];

			log_warn("dropping database %s on the target to replace it (--force)", db);
			snprintf(sql, sizeof(sql), "DROP DATABASE %s WITH (FORCE)", ident);
			PQfreemem(ident);
			if (pg_command(conn, sql) < 0)
				goto out;
		}
	}
	fclose(list);
	list = NULL;
	if (found && !e->conf->force) {
		fail(EXIT_RESTORE,
		     "the target server already has database(s) %s: drop them first, or run recover with --force (RECOVER_FORCE=1) to replace them",
		     conflicts);
		goto out;
	}
	rc = 0;
out:
	if (list != NULL)
		fclose(list);
	free(conflicts);
	strlist_free(existing, n);
	return rc;
}

static int postgres_restore(struct engine *e, const struct manifest *m, struct source *source)
{
	const char *argv[] = {"psql", "--no-psqlrc", "--quiet", "--no-password", "--set",
			      "ON_ERROR_STOP=1", "--dbname", e->conf->pgdatabase, NULL};
	PGconn *conn = pg_connect(e->conf, e->conf->pgdatabase);
	struct source *filtered = NULL;
	char **roles = NULL;
	size_t nroles = 0;
	struct child c;
	int rc = -1;

	if (conn == NULL)
		goto out;
	if (clear_conflicts(e, conn, m) < 0 ||
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
	PGconn *conn = pg_connect(e->conf, e->conf->pgdatabase);
	char **names = NULL;
	size_t n = 0;
	int rc;

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

static int postgres_setup(struct engine *e)
{
	return pg_export_env(e->conf);
}

const struct engine_ops engine_postgres_ops = {
	.name = "postgres",
	.setup = postgres_setup,
	.check = postgres_check,
	.file_name = postgres_file_name,
	.dump = postgres_dump,
	.restore = postgres_restore,
	.count_databases = postgres_count_databases,
	.verify = NULL,
};
