/*
 * The MariaDB engine: mariadb-dump out, the mariadb client in (it stops at
 * the first error). Connection settings and the password reach both through
 * a private 0600 defaults file, never argv. The MYSQL_* variables the
 * client would read where that file is silent (the password, the server)
 * leave our environment at start-up (engine_startup()), so a child never
 * gets them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/exec.h"
#include "util/log.h"
#include "util/privfile.h"
#include "util/strlist.h"
#include "engine/engine.h"
#include "engine/mariadb/rowcount.h"
#include "engine/mariadb/filter.h"
#include "engine/mariadb/scratch.h"

/* Schemas the server makes itself; never dumped as user data. */
static int is_system_schema(const char *db)
{
	return strcmp(db, "information_schema") == 0 || strcmp(db, "performance_schema") == 0 ||
	       strcmp(db, "sys") == 0;
}

/*
 * Settings the client reads where the defaults file is silent: a target
 * without a host gets the local socket, never the environment's server, and
 * the password is in the file alone.
 */
static const char *const client_variables[] = {"MYSQL_PWD", "MYSQL_PWD_FILE", "MYSQL_HOST",
					       "MYSQL_TCP_PORT", NULL};

static void append_option(char *buf, size_t len, const char *key, const char *value)
{
	size_t used = strlen(buf);

	if (value == NULL)
		return;
	/* Option files take a double-quoted value with \\ and \" escaped. */
	used += (size_t)snprintf(buf + used, len - used, "%s=\"", key);
	for (; *value != '\0' && used + 3 < len; value++) {
		if (*value == '\\' || *value == '"')
			buf[used++] = '\\';
		buf[used++] = *value;
	}
	snprintf(buf + used, len - used, "\"\n");
}

static int mariadb_setup(struct engine *e)
{
	const struct target *t = e->target;
	/* utf8mb4: database names and data may be any Unicode. */
	char text[4096] = "[client]\ndefault-character-set=utf8mb4\n";
	const char *path;
	char *arg;

	/*
	 * A host that is a path is a Unix socket, as with libpq (the test-restore's
	 * server); said in full, or MYSQL_HOST and MYSQL_TCP_PORT would win.
	 */
	if (t->host != NULL && t->host[0] == '/') {
		append_option(text, sizeof(text), "socket", t->host);
		append_option(text, sizeof(text), "host", "localhost");
		append_option(text, sizeof(text), "protocol", "socket");
	} else {
		append_option(text, sizeof(text), "host", t->host);
	}
	append_option(text, sizeof(text), "port", t->port);
	append_option(text, sizeof(text), "user", t->user);
	append_option(text, sizeof(text), "password", t->password);
	path = privfile_create("mariadb", text);
	explicit_bzero(text, sizeof(text));
	if (path == NULL)
		return -1;
	/* --defaults-file first: it replaces every other option file. */
	if (asprintf(&arg, "--defaults-file=%s", path) < 0)
		return -1;
	e->priv = arg;
	return 0;
}

static void mariadb_cleanup(struct engine *e)
{
	free(e->priv);
}

static enum exit_code classify(const char *line)
{
	if (strstr(line, "Access denied") != NULL)
		return EXIT_AUTH;
	if (strstr(line, "Can't connect") != NULL || strstr(line, "Unknown server host") != NULL ||
	    strstr(line, "Lost connection") != NULL)
		return EXIT_UNAVAILABLE;
	return EXIT_RESTORE;
}

/* Runs SQL through the client; the rows come back tab-separated in out. */
static int run_sql(struct engine *e, const char *sql, char *out, size_t len)
{
	const char *argv[] = {"mariadb",   e->priv, "--batch", "--skip-column-names",
			      "--execute", sql,	    NULL};

	return child_capture(argv, NULL, out, len, EXIT_RESTORE, classify);
}

/* The databases a server has, system schemas left out. */
static int list_databases(struct engine *e, char ***names, size_t *n, char *version,
			  size_t version_len)
{
	char out[64 * 1024], *line, *save = NULL;
	int first = 1;

	if (run_sql(e, "SELECT VERSION(); SHOW DATABASES", out, sizeof(out)) < 0)
		return -1;
	for (line = strtok_r(out, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (first) {
			if (version != NULL)
				snprintf(version, version_len, "%s", line);
			first = 0;
		} else if (!is_system_schema(line) && strlist_add(names, n, line) < 0) {
			return -1;
		}
	}
	return 0;
}

/*
 * major*100+minor of a server's VERSION() ("11.8.9-MariaDB-0+deb13u1 from
 * Debian": the number it starts with; the " from Debian" Debian 13 adds must
 * not be read as the client's "from") or of mariadb-dump --version
 * ("mariadb-dump from 11.4.2-MariaDB" or "Ver 10.19 Distrib 10.11.6-MariaDB").
 */
static int version_number(const char *text)
{
	const char *p = strstr(text, "Distrib ");
	int major = 0, minor = 0;

	if (p == NULL && sscanf(text, "%d.%d", &major, &minor) == 2)
		return major * 100 + minor;
	p = p ? p + 8 : strstr(text, "from ") ? strstr(text, "from ") + 5 : text;
	if (sscanf(p, "%d.%d", &major, &minor) != 2)
		return -1;
	return major * 100 + minor;
}

static int check_client_version(struct engine *e)
{
	const char *argv[] = {"mariadb-dump", "--version", NULL};
	int client, server = version_number(e->server_version);
	char out[256];

	if (child_capture(argv, NULL, out, sizeof(out), EXIT_CONFIG, NULL) < 0) {
		log_error("mariadb-dump is needed: install the MariaDB client (mariadb-client)");
		return -1;
	}
	client = version_number(out);
	if (client >= 0 && server >= 0 && client / 100 < server / 100) {
		fail(EXIT_CONFIG,
		     "mariadb-dump %d.%d cannot be trusted with a MariaDB %s server: install a "
		     "client of version %d or newer",
		     client / 100, client % 100, e->server_version, server / 100);
		return -1;
	}
	if (client >= 0 && server >= 0 && client < server)
		log_warn(
		    "mariadb-dump %d.%d is older than the server %s: newer features may be missed",
		    client / 100, client % 100, e->server_version);
	return 0;
}

static int mariadb_check(struct engine *e)
{
	char **all = NULL;
	size_t n = 0;
	int rc = -1;

	if (list_databases(e, &all, &n, e->server_version, sizeof(e->server_version)) < 0)
		goto out;
	if (check_client_version(e) < 0)
		goto out;
	if (engine_choose_databases(e, all, n, "MariaDB") < 0)
		goto out;
	log_info("MariaDB %s reachable; %zu database(s) to dump", e->server_version, e->ndatabases);
	rc = 0;
out:
	strlist_free(all, n);
	return rc;
}

static void mariadb_file_name(struct engine *e, char *buf, size_t len)
{
	(void)e;
	snprintf(buf, len, "mariadb.sql");
}

static int mariadb_dump(struct engine *e, struct sink *sink)
{
	static const char *const fixed[] = {"mariadb-dump", "--single-transaction", "--routines",
					    "--events", "--triggers"};
	char **argv = NULL;
	size_t n = 0;
	int rc = -1;

	/* --defaults-file must come first. */
	if (strlist_add(&argv, &n, fixed[0]) < 0 || strlist_add(&argv, &n, e->priv) < 0)
		goto out;
	for (size_t i = 1; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (strlist_add(&argv, &n, fixed[i]) < 0)
			goto out;
	if (engine_dump_options(e, &argv, &n) < 0)
		goto out;
	/* What check() kept, by name, once the target lists some or some are left out. */
	if (e->target->ndatabases > 0 || e->nexcluded > 0) {
		if (strlist_add(&argv, &n, "--databases") < 0)
			goto out;
		for (size_t i = 0; i < e->ndatabases; i++)
			if (strlist_add(&argv, &n, e->databases[i]) < 0)
				goto out;
	} else if (strlist_add(&argv, &n, "--all-databases") < 0) {
		goto out;
	}
	rc = child_dump((const char *const *)argv, NULL, sink, classify);
out:
	strlist_free(argv, n);
	return rc;
}

static int drop_database(struct engine *e, const char *db, void *arg)
{
	char quoted[MY_QUOTED_MAX], sql[MY_QUOTED_MAX + 32], out[64];

	(void)arg;
	if (my_quote_name(db, quoted, sizeof(quoted)) < 0) {
		fail(EXIT_RESTORE, "cannot drop a database named %.64s...: the name is too long",
		     db);
		return -1;
	}
	snprintf(sql, sizeof(sql), "DROP DATABASE %s", quoted);
	return run_sql(e, sql, out, sizeof(out));
}

/* Refuses, or with force drops, the backup's databases the target already has. */
static int clear_conflicts(struct engine *e, char *const *databases, size_t n_dbs)
{
	/* The mysql schema is skipped on restore unless asked: never a conflict. */
	static const char *const builtin[] = {"mysql", NULL};
	char **existing = NULL;
	size_t n = 0;

	if (list_databases(e, &existing, &n, NULL, 0) < 0)
		return -1;
	return engine_clear_conflicts(e, databases, n_dbs, existing, n, builtin, drop_database,
				      NULL);
}

static int mariadb_restore(struct engine *e, char *const *databases, size_t n_dbs,
			   struct source *source)
{
	const char *argv[] = {"mariadb", e->priv, "--batch", NULL};
	struct child c;

	if (clear_conflicts(e, databases, n_dbs) < 0)
		goto fail;
	source = my_filter_source(source, e->opts.mysql_schema, e->opts.only, e->opts.rename);
	if (source == NULL)
		return -1;
	if (child_start(&c, argv, NULL, CHILD_STDIN) < 0)
		goto fail;
	c.classify = classify;
	if (child_feed_from(&c, source) < 0) {
		child_kill(&c);
		goto fail;
	}
	source_close(source);
	return child_finish(&c, EXIT_RESTORE);
fail:
	source_close(source);
	return -1;
}

static int mariadb_count_databases(struct engine *e, long *count)
{
	char **names = NULL;
	size_t n = 0;
	int rc = list_databases(e, &names, &n, NULL, 0);

	/* Like PostgreSQL's count: user databases, the mysql schema left out. */
	*count = (long)n - (strlist_has(names, n, "mysql") ? 1 : 0);
	strlist_free(names, n);
	return rc;
}

/* value as a quoted SQL string into buf: the server's default sql_mode takes \\ escapes. */
static int quote_string(const char *value, char *buf, size_t len)
{
	size_t used = 0;

	buf[used++] = '\'';
	for (; *value != '\0'; value++) {
		if (used + 4 >= len)
			return -1;
		if (*value == '\\' || *value == '\'')
			buf[used++] = '\\';
		buf[used++] = *value;
	}
	buf[used++] = '\'';
	buf[used] = '\0';
	return 0;
}

static int mariadb_count_tables(struct engine *e, const char *db, long *count)
{
	char name[300], sql[1024], out[128];
	long exists = 0;

	if (quote_string(db, name, sizeof(name)) < 0) {
		fail(EXIT_CHECK, "database name %.64s... is too long", db);
		return -1;
	}
	snprintf(sql, sizeof(sql),
		 "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = %s; "
		 "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = %s "
		 "AND table_type IN ('BASE TABLE', 'SYSTEM VERSIONED')",
		 name, name);
	if (run_sql(e, sql, out, sizeof(out)) < 0)
		return -1;
	if (sscanf(out, "%ld %ld", &exists, count) != 2) {
		fail(EXIT_CHECK, "unexpected answer counting the tables of %s: %s", db, out);
		return -1;
	}
	if (exists == 0)
		*count = -1;
	return 0;
}

static int mariadb_count_rows(struct engine *e, const char *db, const char *table, uint64_t *rows)
{
	char qdb[MY_QUOTED_MAX], qtable[MY_QUOTED_MAX], sql[2 * MY_QUOTED_MAX + 64], out[64];

	if (my_quote_name(db, qdb, sizeof(qdb)) < 0 ||
	    my_quote_name(table, qtable, sizeof(qtable)) < 0) {
		fail(EXIT_CORRUPT, "the row counts name a table %.64s that MariaDB would not have",
		     table);
		return -1;
	}
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s.%s", qdb, qtable);
	if (run_sql(e, sql, out, sizeof(out)) < 0)
		return -1;
	*rows = strtoull(out, NULL, 10);
	return 0;
}

/* The environment's target: MYSQL_HOST, MYSQL_PORT, MYSQL_USER, MYSQL_PASSWORD. */
static int mariadb_environment_target(const struct engine_options *o, struct target *t)
{
	return target_set_if_unset(&t->host, o->mysql_host) < 0 ||
		       target_set_if_unset(&t->port, o->mysql_port) < 0 ||
		       target_set_if_unset(&t->user, o->mysql_user) < 0 ||
		       target_set_if_unset(&t->password, o->mysql_password) < 0
		   ? -1
		   : 0;
}

/*
 * BACKUP_DUMP_OPTIONS mariadb-dump may not take (documented in
 * tierdump.conf(5)): the script goes to our pipe as SQL, from the server
 * and databases the target names, and a restore decides itself what it
 * replaces.
 */
static const struct engine_denied_option denied[] = {
    {"result-file", 'r', "the dump goes to tierdump's pipe"},
    {"tab", 'T', "tierdump stores and restores one SQL script"},
    {"xml", 'X', "tierdump stores and restores SQL"},
    {"databases", 'B', "the target names the databases (DATABASE)"},
    {"all-databases", 'A', "the target names the databases (DATABASE)"},
    {"host", 'h', "the target names the server (MYSQL_HOST)"},
    {"port", 'P', "the target names the server (MYSQL_TCP_PORT)"},
    {"socket", 'S', "the target names the server (MYSQL_HOST)"},
    {"user", 'u', "the target names the user (MYSQL_USER)"},
    {"password", 'p', "a password in argv is visible to every user (MYSQL_PWD)"},
    {"defaults-file", 0, "tierdump writes the client's option file"},
    {"defaults-extra-file", 0, "tierdump writes the client's option file"},
    {"add-drop-database", 0, "recover decides what it replaces (--force)"},
    {NULL, 0, NULL},
};

const struct engine_ops engine_mariadb_ops = {
    .name = "mariadb",
    .dump_tool = "mariadb-dump",
    .dump_denied = denied,
    .setup = mariadb_setup,
    .cleanup = mariadb_cleanup,
    .check = mariadb_check,
    .file_name = mariadb_file_name,
    .dump = mariadb_dump,
    .restore = mariadb_restore,
    .count_databases = mariadb_count_databases,
    .count_tables = mariadb_count_tables,
    .count_rows = mariadb_count_rows,
    .row_counter = my_rowcount_sink,
    .maintenance =
	(const char *const[]){"mysql", "sys", "performance_schema", "information_schema", NULL},
    .environment_target = mariadb_environment_target,
    .test = &my_test_ops,
    .environment = client_variables,
};
