/*
 * backup --verify: proves a backup restores. Its checksums are checked, it
 * is restored into a throwaway PostgreSQL server, every database it holds
 * must come back with at least one table (the maintenance databases
 * excepted), DATABASE_EXPECTED_COUNT applies, and the server is stopped
 * and removed whatever happened. The result is written beside the backup
 * in a `verified` record; the manifest itself never changes.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog.h"
#include "engine/engine.h"
#include "engine/pg.h"
#include "engine/pg_filter.h"
#include "engine/pg_scratch.h"
#include "jobs.h"
#include "manifest.h"
#include "pipeline.h"
#include "report.h"
#include "restore.h"
#include "util/log.h"
#include "util/strlist.h"

#ifndef TIERDUMP_VERSION
#define TIERDUMP_VERSION "unknown"
#endif

#define VERIFIED_NAME "verified"

struct verdict {
	long databases, tables;
	char reason[512];
};

/* Opens one file of the backup, decompressed. */
static struct source *open_file(struct store *s, const struct backup_ref *r,
				const struct manifest_file *f)
{
	const struct codec *codec = codec_find(r->manifest->compression ? r->manifest->compression
									: "gzip");
	struct source *src = NULL;
	char key[768];

	snprintf(key, sizeof(key), "%s/%s/%s", r->tier, r->name, f->name);
	if (codec == NULL || store_get(s, key, &src) < 0)
		return NULL;
	return codec->source(src, key);
}

/* Roles a dump's objects belong to, created first so a pg_dump restores. */
static int create_roles(struct store *s, const struct backup_ref *r,
			const struct manifest_file *f, const struct target *t)
{
	struct source *src = open_file(s, r, f);
	char **roles = NULL;
	size_t n = 0;
	PGconn *conn = NULL;
	int rc = -1;

	if (src == NULL || pg_collect_roles(src, &roles, &n) < 0)
		goto out;
	conn = pg_connect(t, "postgres");
	if (conn == NULL)
		goto out;
	rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char *ident = PQescapeIdentifier(conn, roles[i], strlen(roles[i]));
		char sql[600];

		snprintf(sql, sizeof(sql),
			 "DO $$BEGIN CREATE ROLE %s; EXCEPTION WHEN duplicate_object THEN NULL; END$$",
			 ident);
		PQfreemem(ident);
		rc = pg_command(conn, sql);
	}
out:
	PQfinish(conn);
	strlist_free(roles, n);
	return rc;
}

/* Every database of the file must be back, each with at least one table. */
static int check_databases(const struct target *t, const struct manifest_file *f,
			   const struct manifest *m, struct verdict *v)
{
	char *const *dbs = f->databases ? f->databases : m->databases;
	size_t n = f->databases ? f->ndatabases : m->ndatabases;

	for (size_t i = 0; i < n; i++) {
		const char *sql = "SELECT c.oid::text FROM pg_class c JOIN pg_namespace s ON "
				  "s.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND "
				  "s.nspname NOT IN ('pg_catalog', 'information_schema') AND "
				  "s.nspname NOT LIKE 'pg_toast%'";
		char **tables = NULL;
		size_t ntables = 0;
		PGconn *conn;
		int rc;

		if (strcmp(dbs[i], "postgres") == 0 || strcmp(dbs[i], "template1") == 0)
			continue; /* maintenance databases may rightly be empty */
		conn = pg_connect(t, dbs[i]);
		if (conn == NULL) {
			snprintf(v->reason, sizeof(v->reason), "database %s is missing after the restore",
				 dbs[i]);
			return -1;
		}
		rc = pg_query_column(conn, sql, NULL, &tables, &ntables);
		PQfinish(conn);
		strlist_free(tables, ntables);
		if (rc < 0 || ntables == 0) {
			snprintf(v->reason, sizeof(v->reason), "database %s has no table after the restore",
				 dbs[i]);
			if (rc == 0)
				fail(EXIT_CHECK, "%s", v->reason);
			return -1;
		}
		v->databases++;
		v->tables += (long)ntables;
	}
	return 0;
}

/* Restores every file into the scratch server and checks what came back. */
static int test_restore(const struct config *c, struct store *s, const struct backup_ref *r,
			const struct pg_scratch *scratch, struct verdict *v)
{
	const struct manifest *m = r->manifest;

	for (size_t i = 0; i < m->nfiles; i++) {
		const struct manifest_file *f = &m->files[i];
		const char *engine = f->engine ? f->engine : m->engine;
		struct engine *e;
		struct source *src;
		int rc;

		if (strcmp(engine, "postgres") != 0) {
			snprintf(v->reason, sizeof(v->reason),
				 "%s holds a %s dump: test-restores handle PostgreSQL only", f->name,
				 engine);
			fail(EXIT_CONFIG, "%s", v->reason);
			return -1;
		}
		if (create_roles(s, r, f, &scratch->target) < 0)
			return -1;
		e = engine_new("postgres", &scratch->target, c);
		src = e != NULL ? open_file(s, r, f) : NULL;
		rc = src != NULL ? e->ops->restore(e, f->databases ? f->databases : m->databases,
						   f->databases ? f->ndatabases : m->ndatabases, src)
				 : -1;
		if (rc == 0 && c->expected_count != CONF_UNSET) {
			long count = 0;

			rc = e->ops->count_databases(e, &count);
			if (rc == 0 && count < c->expected_count) {
				fail(EXIT_CHECK,
				     "the test-restore has %ld database(s), DATABASE_EXPECTED_COUNT wants at least %ld",
				     count, c->expected_count);
				rc = -1;
			}
		}
		engine_free(e);
		if (rc < 0 || check_databases(&scratch->target, f, m, v) < 0)
			return -1;
	}
	return 0;
}

/* The verified record: written anew each time, beside the immutable manifest. */
static int record(struct store *s, const struct backup_ref *r, int ok, const struct verdict *v)
{
	char key[600], stamp[TS_LEN + 1], text[1024], reason[sizeof(v->reason)];

	/* The reason is free text: nothing in it may start an INI comment or a line. */
	snprintf(reason, sizeof(reason), "%s", v->reason);
	for (char *p = reason; *p != '\0'; p++)
		if (*p == ';' || *p == '#' || *p == '\n')
			*p = ',';
	ts_format(time(NULL), stamp);
	snprintf(text, sizeof(text),
		 "# tierdump test-restore of this backup; the manifest stays as it was\n"
		 "[verified]\nresult = %s\nat = %s\ntool_version = tierdump %s\n"
		 "databases = %ld\ntables = %ld\n%s%s%s",
		 ok ? "ok" : "failed", stamp, TIERDUMP_VERSION, v->databases, v->tables,
		 ok ? "" : "reason = ", ok ? "" : reason, ok ? "" : "\n");
	snprintf(key, sizeof(key), "%s/%s/" VERIFIED_NAME, r->tier, r->name);
	return store_write_small(s, key, text);
}

int job_verify(const struct config *c, struct store *s)
{
	struct from_backup from;
	struct catalog cat = {0};
	struct pg_scratch scratch = {0};
	struct verdict v = {0, 0, ""};
	const struct backup_ref *r;
	int rc = -1;

	if (catalog_parse_choice("VERIFY_BACKUP", c->verify, &from) < 0 || from.kind == FROM_NONE) {
		if (from.kind == FROM_NONE)
			fail(EXIT_USAGE, "--verify needs latest or a timestamp");
		return -1;
	}
	if (catalog_scan_all(s, &cat) < 0)
		return -1;
	r = catalog_select(&cat, &from, "VERIFY_BACKUP", c->verify);
	if (r == NULL)
		goto out;
	if (r->legacy) {
		fail(EXIT_CONFIG, "%s/%s is a bandr file with no manifest: restore it with recover",
		     r->tier, r->name);
		goto out;
	}
	log_info("test-restoring %s/%s", r->tier, r->stamp);
	report_backup(r->stamp, r->size > 0 ? (uint64_t)r->size : 0);
	if (restore_verify(c, s, r) < 0) {
		snprintf(v.reason, sizeof(v.reason), "a file does not match its manifest");
	} else if (pg_scratch_start(&scratch, c->verify_dir, c->verify_user) == 0) {
		rc = test_restore(c, s, r, &scratch, &v);
		if (rc < 0 && v.reason[0] == '\0')
			snprintf(v.reason, sizeof(v.reason), "the restore into a fresh server failed");
	} else {
		snprintf(v.reason, sizeof(v.reason), "the throwaway server did not start");
	}
	pg_scratch_stop(&scratch);
	if (record(s, r, rc == 0, &v) < 0)
		rc = -1;
	if (rc == 0)
		log_info("%s/%s restores: %ld database(s), %ld table(s) checked", r->tier, r->stamp,
			 v.databases, v.tables);
out:
	catalog_free(&cat);
	return rc;
}
