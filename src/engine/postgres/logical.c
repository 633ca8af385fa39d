/*
 * The PostgreSQL engine: pg_dumpall (or pg_dump --create for DATABASE) out,
 * psql with ON_ERROR_STOP in. Connection settings reach both through the
 * environment each is started with (pg_child_env), never through argv.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/exec.h"
#include "util/log.h"
#include "util/strlist.h"
#include "engine/engine.h"
#include "engine/postgres/clients.h"
#include "engine/postgres/pg.h"
#include "engine/postgres/filter.h"
#include "engine/postgres/rowcount.h"
#include "engine/postgres/select.h"

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
	rc = pg_query_column(conn,
			     "SELECT rolsuper::text FROM pg_roles WHERE rolname = current_user",
			     NULL, &super, &n);
	if (rc == 0 && (n != 1 || strcmp(super[0], "true") != 0)) {
		fail(EXIT_AUTH,
		     "PostgreSQL user %s is not a superuser: pg_dumpall needs one to read roles "
		     "and every database (or set DATABASE to dump one database)",
		     PQuser(conn));
		rc = -1;
	}
	strlist_free(super, n);
	return rc;
}

/* The superuser pg_dumpall needs, and a client of the server's major or newer. */
static int postgres_checks(struct engine *e, PGconn *conn)
{
	if (check_privileges(e, conn) < 0 ||
	    pg_engine_choose_client(e, dump_tool(e), PQserverVersion(conn) / 10000) < 0)
		return -1;
	log_info("PostgreSQL %s reachable; %zu database(s) to dump with %s", e->server_version,
		 e->ndatabases, dump_tool(e));
	return 0;
}

static int postgres_check(struct engine *e)
{
	return pg_engine_check(e, postgres_checks);
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
 * What the dump tool is run with: the databases BACKUP_EXCLUDE_DATABASES
 * left out (pg_dumpall) or the one database (db, pg_dump), then
 * BACKUP_DUMP_OPTIONS. Returns 0 or -1.
 */
static int dump_words(struct engine *e, const char *tool, const char *db, char ***w, size_t *n)
{
	char arg[2200];

	if (strlist_add(w, n, tool) < 0 || strlist_add(w, n, "--no-password") < 0)
		return -1;
	if (db != NULL) {
		snprintf(arg, sizeof(arg), "--dbname=%s", db);
		if (strlist_add(w, n, "--create") < 0 || strlist_add(w, n, arg) < 0)
			return -1;
	}
	for (size_t i = 0; db == NULL && i < e->nexcluded; i++) {
		/* A pattern in double quotes matches the one name, letter for letter. */
		size_t out = (size_t)snprintf(arg, sizeof(arg), "--exclude-database=\"");

		for (const char *p = e->excluded[i]; *p != '\0' && out < sizeof(arg) - 3; p++) {
			if (*p == '"')
				arg[out++] = '"';
			arg[out++] = *p;
		}
		arg[out++] = '"';
		arg[out] = '\0';
		if (strlist_add(w, n, arg) < 0)
			return -1;
	}
	return engine_dump_options(e, w, n);
}

/*
 * The whole cluster with pg_dumpall, or each listed database with
 * pg_dump --create, one after the other: one script that psql replays.
 */
static int postgres_dump(struct engine *e, struct sink *sink)
{
	struct pg_client tool;
	struct child_env env = {0};
	char **argv = NULL;
	size_t n = 0;
	int rc = -1;

	/* The client check() chose, by its full path: /usr/bin's wrapper would take the newest. */
	if (pg_engine_tool(e, dump_tool(e), pg_major_of(e->server_version), &tool) < 0 ||
	    pg_child_env(e->target, pg_passfile(e), &env) < 0)
		return -1;
	/* pg_dumpall, or pg_dump of each database check() kept. */
	for (size_t i = 0; i < (e->target->ndatabases ? e->ndatabases : 1); i++) {
		strlist_free(argv, n);
		argv = NULL;
		n = 0;
		if (dump_words(e, tool.path, e->target->ndatabases ? e->databases[i] : NULL, &argv,
			       &n) < 0 ||
		    child_dump((const char *const *)argv, &env, sink, NULL) < 0)
			goto out;
	}
	rc = 0;
out:
	strlist_free(argv, n);
	child_env_free(&env);
	return rc;
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

	if (pg_query_column(conn, "SELECT datname FROM pg_database", NULL, &existing, &n) < 0)
		return -1;
	return engine_clear_conflicts(e, databases, n_dbs, existing, n, builtin, drop_database,
				      conn);
}

/*
 * A dump loads into its own major or a newer one; an older server may lack
 * what it uses, so it is refused unless forced. Returns 0, or -1 after fail().
 */
static int check_target_major(struct engine *e, int target)
{
	int backup = pg_major_of(e->opts.backup_server_version);

	if (backup <= target)
		return 0;
	if (e->opts.force) {
		log_warn(
		    "restoring a backup of PostgreSQL %s into an older PostgreSQL %d (--force): "
		    "what %d alone has will fail",
		    e->opts.backup_server_version, target, backup);
		return 0;
	}
	fail(EXIT_RESTORE,
	     "the backup is of PostgreSQL %d and the target server is PostgreSQL %d, an older "
	     "major: restore into PostgreSQL %d or newer, or run recover with --force "
	     "(RECOVER_FORCE=1) to try anyway",
	     backup, target, backup);
	return -1;
}

static int postgres_restore(struct engine *e, char *const *databases, size_t n_dbs,
			    struct source *source)
{
	struct pg_client psql;
	const char *argv[] = {psql.path, "--no-psqlrc",	    "--quiet",	"--no-password",
			      "--set",	 "ON_ERROR_STOP=1", "--dbname", e->opts.pgdatabase,
			      NULL};
	struct source *filtered = NULL;
	struct child_env env = {0};
	char **roles = NULL, **settings = NULL;
	size_t nroles = 0, nsettings = 0;
	struct child c;
	PGconn *conn;
	int rc = -1, target;

	conn = pg_connect(e->target, pg_passfile(e), e->opts.pgdatabase);
	if (conn == NULL)
		goto out;
	target = PQserverVersion(conn) / 10000;
	if (check_target_major(e, target) < 0 || pg_engine_tool(e, "psql", target, &psql) < 0)
		goto out;
	log_info("restoring into PostgreSQL %s with %s", PQparameterStatus(conn, "server_version"),
		 psql.path);
	/* The parameters the target knows: a newer pg_dump may SET others. */
	if (clear_conflicts(e, conn, databases, n_dbs) < 0 ||
	    pg_query_column(conn, "SELECT rolname FROM pg_roles", NULL, &roles, &nroles) < 0 ||
	    pg_query_column(conn, "SELECT name FROM pg_settings", NULL, &settings, &nsettings) < 0)
		goto out;
	/* RECOVER_DATABASE: that database's part alone, before the filter adapts it. */
	if (e->opts.only != NULL) {
		source = pg_select_source(source, roles, nroles, e->opts.only, e->opts.rename);
		if (source == NULL)
			goto out;
	}
	filtered =
	    pg_filter_source(source, roles, nroles, PQuser(conn), settings, nsettings, target);
	source = NULL; /* the filter owns it now */
	if (filtered == NULL)
		goto out;
	PQfinish(conn);
	conn = NULL;
	if (pg_child_env(e->target, pg_passfile(e), &env) < 0 ||
	    child_start(&c, argv, &env, CHILD_STDIN) < 0)
		goto out;
	if (child_feed_from(&c, filtered) < 0) {
		child_kill(&c);
		goto out;
	}
	rc = child_finish(&c, EXIT_RESTORE);
out:
	child_env_free(&env);
	source_close(filtered);
	source_close(source);
	strlist_free(roles, nroles);
	strlist_free(settings, nsettings);
	PQfinish(conn);
	return rc;
}

/*
 * BACKUP_DUMP_OPTIONS pg_dump and pg_dumpall may not take (documented in
 * tierdump.conf(5)): the script goes to our pipe in plain SQL, from the
 * server and databases the target names, and a restore decides itself what
 * it replaces.
 */
static const struct engine_denied_option denied[] = {
    {"file", 'f', "the dump goes to tierdump's pipe"},
    {"format", 'F', "tierdump stores and restores plain SQL"},
    {"jobs", 'j', "parallel dumps write a directory, not a stream"},
    {"compress", 'Z', "tierdump compresses (BACKUP_COMPRESSION)"},
    {"dbname", 'd', "the target names the server and databases (DATABASE)"},
    {"database", 'l', "the target names the server and databases (DATABASE)"},
    {"host", 'h', "the target names the server (PGHOST)"},
    {"port", 'p', "the target names the server (PGPORT)"},
    {"username", 'U', "the target names the user (PGUSER)"},
    {"clean", 'c', "recover decides what it replaces (--force)"},
    {"globals-only", 'g', "the manifest records the databases dumped"},
    {"roles-only", 'r', "the manifest records the databases dumped"},
    {"tablespaces-only", 0, "the manifest records the databases dumped"}, /* pg_dump -t: --table */
    {NULL, 0, NULL},
};

const struct engine_ops engine_postgres_ops = {
    .name = "postgres",
    .dump_tool = "pg_dump/pg_dumpall",
    .dump_denied = denied,
    .setup = pg_engine_setup,
    .check = postgres_check,
    .file_name = postgres_file_name,
    .dump = postgres_dump,
    .restore = postgres_restore,
    .count_databases = pg_count_databases,
    .count_tables = pg_count_tables,
    .count_rows = pg_count_rows,
    .row_counter = pg_rowcount_sink,
    .maintenance = pg_maintenance_databases,
    .environment_target = pg_environment_target,
    .test = &pg_test_ops,
    .environment = pg_environment,
};
