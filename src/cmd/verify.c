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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backup/catalog.h"
#include "backup/keys.h"
#include "engine/engine.h"
#include "cmd/cmd.h"
#include "cmd/jobs.h"
#include "backup/manifest.h"
#include "pipeline/pipeline.h"
#include "report.h"
#include "cmd/restore.h"
#include "backup/rowcounts.h"
#include "util/log.h"
#include "util/version.h"
#include "util/strlist.h"

struct verdict {
	long databases, tables, counted; /* counted: tables whose rows were compared */
	char reason[512];
};

/* One file of a backup, opened anew for each reader. */
struct file_ref {
	const struct config *config; /* the identities that decrypt it */
	struct store *store;
	const struct backup_ref *backup;
	const struct manifest_file *file;
};

/* Opens the file arg (a struct file_ref) refers to, decompressed. */
static struct source *open_file(void *arg)
{
	const struct file_ref *f = arg;
	return restore_open(f->config, f->store, f->backup, f->backup->manifest, f->file);
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
static int load_counts(const struct config *c, struct store *s, const struct backup_ref *r,
		       struct rowcounts *counts)
{
	char key[KEY_MAX], sha[DIGEST_HEX_LEN + 1], err[256], *text;
	int rc = -1;

	if (r->manifest->rowcounts_sha256[0] == '\0')
		return 0; /* a backup from before row counts, or with no table counted */
	key_rowcounts(key, r->tier, r->name, r->manifest);
	/* Encrypted, the manifest has the SHA-256 of the stored bytes, like any file's. */
	text = r->manifest->encryption ? restore_read_small(c, s, r->manifest, key, sha)
				       : store_read_small(s, key, NULL);
	if (text == NULL)
		return -1;
	if (r->manifest->encryption == NULL)
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
static int check_expected_count(const struct config *c, struct engine_servers *sv,
				struct verdict *v)
{
	long total = 0;

	if (c->expected_count == CONF_UNSET)
		return 0;
	if (engine_servers_count_databases(sv, &total) < 0)
		return -1;
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

/* A file's engine and the version of the server it was dumped from. */
static const char *file_engine(const struct manifest *m, const struct manifest_file *f)
{
	return f->engine ? f->engine : m->engine;
}

static const char *file_version(const struct manifest *m, const struct manifest_file *f)
{
	return f->server_version ? f->server_version : m->server_version;
}

/*
 * The newest server version among the files of engine: the throwaway
 * server of that engine is of its major or newer, so every file loads.
 */
static const char *newest_version(const struct manifest *m, const char *engine)
{
	const char *newest = NULL;

	for (size_t i = 0; i < m->nfiles; i++) {
		const char *v = file_version(m, &m->files[i]);

		if (strcmp(file_engine(m, &m->files[i]), engine) == 0 && v != NULL &&
		    (newest == NULL || atoi(v) > atoi(newest)))
			newest = v;
	}
	return newest;
}

/* Restores one file into a server of its engine and checks what came back. */
static int restore_file(const struct config *c, struct store *s, const struct backup_ref *r,
			const struct manifest_file *f, struct engine_servers *sv,
			const struct rowcounts *counts, struct verdict *v)
{
	const struct manifest *m = r->manifest;
	struct file_ref ref = {c, s, r, f};
	struct engine *e;
	int rc;

	e = engine_servers_restore(sv, file_engine(m, f), newest_version(m, file_engine(m, f)),
				   f->name, f->databases ? f->databases : m->databases,
				   f->databases ? f->ndatabases : m->ndatabases, open_file, &ref);
	if (e == NULL)
		return -1;
	rc = check_databases(e, f, m, v);
	if (rc == 0)
		rc = check_rows(e, f, counts, v);
	engine_free(e);
	return rc;
}

static int test_restore(const struct config *c, struct store *s, const struct backup_ref *r,
			struct engine_servers *sv, struct verdict *v)
{
	struct rowcounts counts = {0};
	int rc = -1;

	if (load_counts(c, s, r, &counts) < 0)
		return -1;
	for (size_t i = 0; i < r->manifest->nfiles; i++)
		if (restore_file(c, s, r, &r->manifest->files[i], sv, &counts, v) < 0)
			goto out;
	rc = check_expected_count(c, sv, v);
out:
	rowcounts_free(&counts);
	return rc;
}

/* The verified record: written anew each time, beside the immutable manifest. */
static int record(struct store *s, const struct backup_ref *r, int ok, const struct verdict *v)
{
	char key[KEY_MAX], stamp[TS_LEN + 1], text[1024], reason[sizeof(v->reason)];

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
	key_backup_file(key, r->tier, r->name, KEY_VERIFIED);
	return store_write_small(s, key, text);
}

int cmd_verify(const struct config *c, struct store *s, struct report *report,
	       char *const *operands)
{
	struct from_backup from;
	struct catalog cat = {0};
	struct engine_options o;
	struct engine_servers *servers = NULL;
	struct verdict v = {0, 0, 0, ""};
	const struct backup_ref *r;
	int rc = -1;

	(void)operands;
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
	report_backup(report, r->stamp, r->size > 0 ? (uint64_t)r->size : 0);
	engine_options_from(c, &o);
	if (restore_verify(c, s, r) < 0)
		snprintf(v.reason, sizeof(v.reason), "a file does not match its manifest");
	else if ((servers = engine_servers_new(&o)) != NULL)
		rc = test_restore(c, s, r, servers, &v);
	engine_servers_free(servers);
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
