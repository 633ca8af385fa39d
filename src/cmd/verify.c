/*
 * backup --verify: proves a backup restores. Its checksums are checked, each
 * of its files is restored by its own engine into a throwaway server of that
 * engine (started when first needed, one per engine), every database it
 * holds must come back with at least one table (the maintenance databases
 * excepted), each table must have the rows counted while it was dumped
 * (where the engine counts them), DATABASE_EXPECTED_COUNT applies, and the
 * servers are stopped and removed whatever happened. The result is written
 * beside the backup in a `verified` record; the manifest itself never changes.
 */
#include <errno.h>
#include <libpq-fe.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backup/catalog.h"
#include "engine/engine.h"
#include "engine/mariadb/scratch.h"
#include "engine/postgres/pg.h"
#include "engine/postgres/filter.h"
#include "engine/postgres/scratch.h"
#include "cmd/jobs.h"
#include "backup/manifest.h"
#include "engine/postgres/pitr.h"
#include "pipeline/pipeline.h"
#include "report.h"
#include "cmd/restore.h"
#include "backup/rowcounts.h"
#include "util/log.h"
#include "util/strlist.h"

#ifndef TIERDUMP_VERSION
#define TIERDUMP_VERSION "unknown"
#endif

#define VERIFIED_NAME "verified"

struct verdict {
	long databases, tables, counted; /* counted: tables whose rows were compared */
	char reason[512];
};

/* Opens one file of the backup, decompressed. */
static struct source *open_file(struct store *s, const struct backup_ref *r,
				const struct manifest_file *f)
{
	const struct codec *codec =
	    codec_find(r->manifest->compression ? r->manifest->compression : "gzip");
	struct source *src = NULL;
	char key[768];

	snprintf(key, sizeof(key), "%s/%s/%s", r->tier, r->name, f->name);
	if (codec == NULL || store_get(s, key, &src) < 0)
		return NULL;
	return codec->source(src, key);
}

/* Roles a dump's objects belong to, created first so a pg_dump restores. */
static int create_roles(struct store *s, const struct backup_ref *r, const struct manifest_file *f,
			const struct target *t)
{
	struct source *src = open_file(s, r, f);
	char **roles = NULL;
	size_t n = 0;
	PGconn *conn = NULL;
	int rc = -1;

	if (src == NULL || pg_collect_roles(src, &roles, &n) < 0)
		goto out;
	conn = pg_connect(t, NULL, "postgres"); /* trust on its private socket */
	if (conn == NULL)
		goto out;
	rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char *ident = PQescapeIdentifier(conn, roles[i], strlen(roles[i]));
		char sql[600];

		snprintf(
		    sql, sizeof(sql),
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

/* ------------------------------------------------------ throwaway servers */

/*
 * A base backup's test-restore is a recovery: into the scratch directory, to
 * the end of the backup, started there with no TCP, no archiving into the
 * real store, and trust only on its private socket; it logs in as the
 * cluster's PGUSER (default postgres), a role the backup holds.
 */
static int physical_settings(const struct config *c, struct scratch *scratch, struct config *pc)
{
	static char pgdata[PATH_MAX + 8], options[2 * PATH_MAX];
	char hba[PATH_MAX + 16];
	FILE *f;

	snprintf(pgdata, sizeof(pgdata), "%s/data", scratch->dir);
	snprintf(hba, sizeof(hba), "%s/hba.conf", scratch->dir);
	f = fopen(hba, "w");
	if (f == NULL || fputs("local all all trust\n", f) == EOF || fclose(f) != 0) {
		fail(EXIT_CHECK, "cannot write %s: %s", hba, strerror(errno));
		return -1;
	}
	snprintf(options, sizeof(options),
		 "-c listen_addresses= -c archive_mode=off -c hba_file=%s", hba);
	*pc = *c;
	pc->pgdata = pgdata;
	pc->recovery_target = (char *)"immediate";
	pc->recovery_target_time = NULL;
	pc->recover_start = 1;
	pc->server_options = options;
	free(scratch->target.user);
	scratch->target.user = strdup(c->pguser ? c->pguser : "postgres");
	return scratch->target.user != NULL ? 0 : -1;
}

/* The base backup's server, started by its recovery: stopped by PID like the others. */
static void physical_adopt(struct scratch *scratch)
{
	char pgdata[PATH_MAX + 8];

	snprintf(pgdata, sizeof(pgdata), "%s/data", scratch->dir);
	if (scratch->pid == 0)
		scratch->pid = pg_postmaster_pid(pgdata);
}

/* The engines a test-restore can start a server for. */
static const struct kind {
	const char *engine;
	const char *user; /* without VERIFY_USER: the user Debian's server package runs it as */
	int (*start)(struct scratch *, const char *parent, const char *user);
	/* Optional: readies the server for one file before its restore. */
	int (*prepare)(struct store *, const struct backup_ref *, const struct manifest_file *,
		       const struct target *);
	/* Optional: the settings the restore runs with, instead of the run's. */
	int (*settings)(const struct config *, struct scratch *, struct config *out);
	/* Optional: after the restore, takes charge of a server it started. */
	void (*adopt)(struct scratch *);
} kinds[] = {
    {"postgres", "postgres", pg_scratch_start, create_roles, NULL, NULL},
    {"mariadb", "mysql", my_scratch_start, NULL, NULL, NULL},
    /* A base backup brings its own cluster: only the directory is made first. */
    {PHYSICAL_ENGINE, "postgres", pg_scratch_prepare_physical, NULL, physical_settings,
     physical_adopt},
};

enum { NKINDS = sizeof(kinds) / sizeof(kinds[0]) };

struct servers {
	struct scratch scratch[NKINDS];
	int state[NKINDS]; /* 0 not yet started, 1 running, -1 failed to start */
};

/* Refuses an engine no throwaway server exists for, saying what is missing. */
static void refuse(const struct manifest_file *f, const char *engine, struct verdict *v)
{
	char mongod[4096];

	if (strcmp(engine, "mongodb") == 0 &&
	    scratch_find_program("mongod", mongod, sizeof(mongod)) < 0)
		snprintf(v->reason, sizeof(v->reason),
			 "%s holds a MongoDB dump: a test-restore needs a mongod server to restore "
			 "into and none is installed (Debian has no package for it)",
			 f->name);
	else
		snprintf(v->reason, sizeof(v->reason),
			 "%s holds a %s dump: test-restores handle PostgreSQL and MariaDB only",
			 f->name, engine);
	fail(EXIT_CONFIG, "%s", v->reason);
}

/* The running server for kind k, started on first use; NULL after fail(). */
static struct scratch *server(struct servers *sv, size_t k, const struct config *c)
{
	const char *user = c->verify_user ? c->verify_user : kinds[k].user;

	if (sv->state[k] == 0)
		sv->state[k] = kinds[k].start(&sv->scratch[k], c->verify_dir, user) == 0 ? 1 : -1;
	return sv->state[k] == 1 ? &sv->scratch[k] : NULL;
}

static void stop_all(struct servers *sv)
{
	for (size_t k = 0; k < NKINDS; k++)
		if (sv->state[k] != 0)
			scratch_stop(&sv->scratch[k]);
}

/* ------------------------------------------------------------------ checks */

/* Every database of the file must be back, each with at least one table. */
static int check_databases(struct engine *e, const struct manifest_file *f,
			   const struct manifest *m, struct verdict *v)
{
	char *const *dbs = f->databases ? f->databases : m->databases;
	size_t n = f->databases ? f->ndatabases : m->ndatabases;

	for (size_t i = 0; i < n; i++) {
		const char *const *skip = e->ops->maintenance;
		long tables = 0;
		int maintenance = 0;

		for (size_t k = 0; skip != NULL && skip[k] != NULL; k++)
			maintenance |= strcmp(dbs[i], skip[k]) == 0;
		if (maintenance)
			continue; /* maintenance databases may rightly be empty */
		if (e->ops->count_tables(e, dbs[i], &tables) < 0)
			return -1;
		if (tables <= 0) {
			snprintf(v->reason, sizeof(v->reason), "database %s %s after the restore",
				 dbs[i], tables < 0 ? "is missing" : "has no table");
			fail(EXIT_CHECK, "%s", v->reason);
			return -1;
		}
		v->databases++;
		v->tables += tables;
	}
	return 0;
}

/* Every table counted at dump time must have as many rows now. */
static int check_rows(struct engine *e, const struct manifest_file *f,
		      const struct rowcounts *counts, struct verdict *v)
{
	for (size_t i = 0; i < counts->n; i++) {
		const struct rowcount *want = &counts->items[i];
		uint64_t rows = 0;

		if (strcmp(want->file, f->name) != 0)
			continue;
		if (e->ops->count_rows == NULL) {
			log_warn("%s has row counts, but %s cannot compare them", f->name,
				 e->ops->name);
			return 0;
		}
		if (e->ops->count_rows(e, want->database, want->table, &rows) < 0)
			return -1;
		if (rows != want->rows) {
			snprintf(v->reason, sizeof(v->reason),
				 "table %s of database %s has %llu row(s) after the restore, %llu "
				 "when dumped",
				 want->table, want->database, (unsigned long long)rows,
				 (unsigned long long)want->rows);
			fail(EXIT_CHECK, "%s", v->reason);
			return -1;
		}
		v->counted++;
	}
	return 0;
}

/* The row counts recorded beside the manifest, checked against its checksum. */
static int load_counts(struct store *s, const struct backup_ref *r, struct rowcounts *counts)
{
	char key[600], sha[SHA256_HEX_LEN + 1], err[256], *text;
	int rc = -1;

	if (r->manifest->rowcounts_sha256[0] == '\0')
		return 0; /* a backup from before row counts, or with no table counted */
	snprintf(key, sizeof(key), "%s/%s/" ROWCOUNTS_NAME, r->tier, r->name);
	text = store_read_small(s, key, NULL);
	if (text == NULL)
		return -1;
	rowcounts_sha256(text, sha);
	if (strcmp(sha, r->manifest->rowcounts_sha256) != 0)
		fail(EXIT_CORRUPT,
		     "%s does not match its SHA-256 in the manifest: the backup is damaged", key);
	else if (rowcounts_parse(text, counts, err, sizeof(err)) < 0)
		fail(EXIT_CORRUPT, "%s is damaged: %s", key, err);
	else
		rc = 0;
	free(text);
	return rc;
}

/* DATABASE_EXPECTED_COUNT: over every server the backup was restored into. */
static int check_expected_count(const struct config *c, struct servers *sv, struct verdict *v)
{
	long total = 0;

	if (c->expected_count == CONF_UNSET)
		return 0;
	for (size_t k = 0; k < NKINDS; k++) {
		struct engine *e;
		long count = 0;
		int rc;

		if (sv->state[k] != 1)
			continue;
		e = engine_new(kinds[k].engine, &sv->scratch[k].target, c);
		rc = e != NULL ? e->ops->count_databases(e, &count) : -1;
		engine_free(e);
		if (rc < 0)
			return -1;
		total += count;
	}
	if (total < c->expected_count) {
		snprintf(v->reason, sizeof(v->reason),
			 "the test-restore has %ld database(s), DATABASE_EXPECTED_COUNT wants at "
			 "least %ld",
			 total, c->expected_count);
		fail(EXIT_CHECK, "%s", v->reason);
		return -1;
	}
	return 0;
}

/* Restores one file into a server of its engine and checks what came back. */
static int restore_file(const struct config *c, struct store *s, const struct backup_ref *r,
			const struct manifest_file *f, struct servers *sv,
			const struct rowcounts *counts, struct verdict *v)
{
	const struct manifest *m = r->manifest;
	const char *engine = f->engine ? f->engine : m->engine;
	struct config own;
	struct scratch *scratch;
	struct engine *e;
	struct source *src;
	size_t k;
	int rc;

	for (k = 0; k < NKINDS && strcmp(kinds[k].engine, engine) != 0; k++)
		;
	if (k == NKINDS) {
		refuse(f, engine, v);
		return -1;
	}
	scratch = server(sv, k, c);
	if (scratch == NULL)
		return -1;
	if (kinds[k].prepare != NULL && kinds[k].prepare(s, r, f, &scratch->target) < 0)
		return -1;
	log_info("restoring %s into the throwaway %s", f->name, scratch->what);
	if (kinds[k].settings != NULL && kinds[k].settings(c, scratch, &own) < 0)
		return -1;
	e = engine_new(engine, &scratch->target, kinds[k].settings != NULL ? &own : c);
	if (e == NULL)
		return -1;
	src = open_file(s, r, f);
	rc = src != NULL ? e->ops->restore(e, f->databases ? f->databases : m->databases,
					   f->databases ? f->ndatabases : m->ndatabases, src)
			 : -1;
	if (kinds[k].adopt != NULL)
		kinds[k].adopt(scratch);
	if (rc == 0)
		rc = check_databases(e, f, m, v);
	if (rc == 0)
		rc = check_rows(e, f, counts, v);
	engine_free(e);
	return rc;
}

static int test_restore(const struct config *c, struct store *s, const struct backup_ref *r,
			struct servers *sv, struct verdict *v)
{
	struct rowcounts counts = {0};
	/*
	 * The servers are fresh: nothing to replace, and MariaDB's mysql schema
	 * stays theirs (restoring it could lock us out of the server).
	 */
	struct config vc = *c;
	int rc = -1;

	vc.force = 0;
	vc.mysql_schema = 0;
	vc.pgdatabase = "postgres";
	if (load_counts(s, r, &counts) < 0)
		return -1;
	for (size_t i = 0; i < r->manifest->nfiles; i++)
		if (restore_file(&vc, s, r, &r->manifest->files[i], sv, &counts, v) < 0)
			goto out;
	rc = check_expected_count(&vc, sv, v);
out:
	rowcounts_free(&counts);
	return rc;
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
		 "databases = %ld\ntables = %ld\ntables_row_counted = %ld\n%s%s%s",
		 ok ? "ok" : "failed", stamp, TIERDUMP_VERSION, v->databases, v->tables, v->counted,
		 ok ? "" : "reason = ", ok ? "" : reason, ok ? "" : "\n");
	snprintf(key, sizeof(key), "%s/%s/" VERIFIED_NAME, r->tier, r->name);
	return store_write_small(s, key, text);
}

int job_verify(const struct config *c, struct store *s)
{
	struct from_backup from;
	struct catalog cat = {0};
	struct servers servers;
	struct verdict v = {0, 0, 0, ""};
	const struct backup_ref *r;
	int rc = -1;

	memset(&servers, 0, sizeof(servers));
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
	if (restore_verify(c, s, r) < 0)
		snprintf(v.reason, sizeof(v.reason), "a file does not match its manifest");
	else
		rc = test_restore(c, s, r, &servers, &v);
	stop_all(&servers);
	/* Where no check said why, the first failure logged does. */
	if (rc < 0 && v.reason[0] == '\0')
		snprintf(v.reason, sizeof(v.reason), "%s", fail_reason());
	if (record(s, r, rc == 0, &v) < 0)
		rc = -1;
	if (rc == 0)
		log_info("%s/%s restores: %ld database(s), %ld table(s) checked, %ld with their "
			 "row count",
			 r->tier, r->stamp, v.databases, v.tables, v.counted);
out:
	catalog_free(&cat);
	return rc;
}
