#include "cmd/restore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backup/keys.h"
#include "cmd/cmd.h"
#include "engine/engine.h"
#include "backup/manifest.h"
#include "chunked/chunkkey.h"
#include "chunked/reader.h"
#include "pipeline/age.h"
#include "pipeline/pipeline.h"
#include "report.h"
#include "util/log.h"
#include "util/strlist.h"

/* buf: KEY_MAX bytes. A bandr file is the whole backup. */
static void file_key(const struct backup_ref *r, const char *file, char *buf)
{
	if (r->legacy)
		key_backup(buf, r->tier, r->name);
	else
		key_backup_file(buf, r->tier, r->name, file);
}

/* The target a file holds: "" for the environment's single target. */
static const char *file_target(const struct manifest_file *f)
{
	return f->target != NULL ? f->target : "";
}

/* Whether a file is one recover was asked for (all, or --target's). */
static int wanted(const struct config *c, const struct manifest_file *f)
{
	return c->restore_target == NULL || strcmp(file_target(f), c->restore_target) == 0;
}

/* RECOVER_DATABASE: whether f holds it; a file that does not say (bandr's) may. */
static int holds(const struct config *c, const struct manifest *m, const struct manifest_file *f)
{
	char *const *dbs = f->databases ? f->databases : m->databases;
	size_t n = f->databases ? f->ndatabases : m->ndatabases;

	return c->recover_database == NULL || n == 0 || strlist_has(dbs, n, c->recover_database);
}

/* What RECOVER_DATABASE and RECOVER_AS ask for makes sense, before the store is contacted. */
static int check_selection(const struct config *c, const struct engine_options *o)
{
	if (c->recover_as != NULL && c->recover_database == NULL) {
		fail(EXIT_USAGE, "--as (RECOVER_AS) renames the database --database "
				 "(RECOVER_DATABASE) restores: give --database too");
		return -1;
	}
	if ((c->recover_database != NULL && *c->recover_database == '\0') ||
	    (c->recover_as != NULL && *c->recover_as == '\0')) {
		fail(EXIT_USAGE, "--database and --as (RECOVER_DATABASE, RECOVER_AS) need a name");
		return -1;
	}
	/* psql's \connect is one line: a name may not break it. */
	for (const char *name = c->recover_database; name != NULL;
	     name = name == c->recover_database ? c->recover_as : NULL) {
		for (const char *p = name; *p != '\0'; p++) {
			if ((unsigned char)*p < 0x20 || *p == 0x7f) {
				fail(EXIT_USAGE,
				     "--database and --as (RECOVER_DATABASE, RECOVER_AS) "
				     "take no control characters");
				return -1;
			}
		}
	}
	if (c->recover_database != NULL && engine_recovery_wanted(o)) {
		fail(EXIT_USAGE, "a recovery to a point in time restores the whole cluster: drop "
				 "--database (RECOVER_DATABASE), or the recovery target");
		return -1;
	}
	return 0;
}

/* src decrypted with c's keys when m's backup is encrypted. NULL after fail(). */
static struct source *decrypting(const struct config *c, const struct manifest *m,
				 struct source *src, const char *key)
{
	static const struct age_keys none;
	char to[2048]; /* the recipients the manifest records, for messages */

	if (src == NULL || m->encryption == NULL)
		return src;
	if (strcmp(m->encryption, "age") != 0) {
		fail(EXIT_CONFIG, "%s is encrypted with %s, which this version cannot decrypt", key,
		     m->encryption);
		source_close(src);
		return NULL;
	}
	strlist_join(m->recipients, m->nrecipients, to, sizeof(to));
	return age_source(src, c->age != NULL ? c->age : &none, key, to);
}

struct source *restore_open(const struct config *c, struct store *s, const struct backup_ref *r,
			    const struct manifest *m, const struct manifest_file *f)
{
	const struct codec *codec = codec_find(m->compression ? m->compression : "gzip");
	struct source *src = NULL;
	char key[KEY_MAX];

	file_key(r, f->name, key);
	if (m->format == MANIFEST_CHUNKED) {
		struct chunk_key *ck = NULL;

		if (m->chunk_key != NULL &&
		    (ck = chunk_key_for_reader(s, c->age, m->chunk_key, m->recipients,
					       m->nrecipients)) == NULL)
			return NULL;
		return chunk_source(s, ck, f->sha256, key);
	}
	if (codec == NULL || store_get(s, key, &src) < 0 ||
	    (src = decrypting(c, m, src, key)) == NULL)
		return NULL;
	return codec->source(src, key);
}

char *restore_read_small(const struct config *c, struct store *s, const struct manifest *m,
			 const char *key, char *stored_sha256)
{
	struct pipeline_stats stored = {0};
	struct source *src = NULL;
	char *text;

	if (store_get(s, key, &src) < 0 || (src = pipeline_hash_source(src, &stored)) == NULL ||
	    (src = decrypting(c, m, src, key)) == NULL)
		return NULL;
	/* Reading to the end and closing settles stored: the SHA-256 of the bytes as stored. */
	text = source_read_text(src, key);
	if (text != NULL)
		strcpy(stored_sha256, stored.sha256);
	return text;
}

int restore_check_key(const struct config *c, struct store *s, const struct manifest *m,
		      const char *key)
{
	struct source *src = NULL;

	if (m->encryption == NULL)
		return 0;
	if (store_get(s, key, &src) < 0 || (src = decrypting(c, m, src, key)) == NULL)
		return -1;
	source_close(src);
	return 0;
}

/*
 * A chunked backup: its lists intact and every chunk they name in the store
 * at its size. The chunks' contents are checked as they are restored, each
 * before any of its bytes reaches the server.
 */
static int verify_chunked(const struct config *c, struct store *s, const struct backup_ref *r)
{
	struct chunkset have = {0};
	char key[KEY_MAX];
	const struct manifest *m = r->manifest;
	int rc = chunk_list_store(s, &have, NULL);

	/* Whether our key opens the chunks, still before the target. */
	if (rc == 0 && m->chunk_key != NULL) {
		struct chunk_key *k =
		    chunk_key_for_reader(s, c->age, m->chunk_key, m->recipients, m->nrecipients);

		rc = k != NULL ? 0 : -1;
		chunk_key_free(k);
	}
	for (size_t i = 0; rc == 0 && i < r->manifest->nfiles; i++) {
		if (!wanted(c, &r->manifest->files[i]))
			continue;
		file_key(r, r->manifest->files[i].name, key);
		rc = chunk_list_check(s, r->manifest->files[i].sha256, &have, key);
	}
	chunkset_free(&have);
	if (rc == 0)
		log_info("%s/%s: every chunk of the files to restore is in the store", r->tier,
			 r->stamp);
	return rc;
}

int restore_verify(const struct config *c, struct store *s, const struct backup_ref *r)
{
	struct source *src = NULL;
	char key[KEY_MAX];

	if (r->legacy) {
		/* No checksum to compare: at least the whole gzip stream must inflate. */
		file_key(r, NULL, key);
		if (store_get(s, key, &src) < 0)
			return -1;
		src = codec_gzip.source(src, key);
		return src != NULL && pipeline_drain(src) == 0 ? 0 : -1;
	}
	if (r->manifest->format == MANIFEST_CHUNKED)
		return verify_chunked(c, s, r);
	for (size_t i = 0; i < r->manifest->nfiles; i++) {
		const struct manifest_file *f = &r->manifest->files[i];

		if (!wanted(c, f))
			continue;
		file_key(r, f->name, key);
		if (store_get(s, key, &src) < 0 ||
		    pipeline_verify(src, f->size, f->sha256, key) < 0)
			return -1;
	}
	/* Every file intact; now whether our key opens them, still before the target. */
	for (size_t i = 0; i < r->manifest->nfiles; i++) {
		const struct manifest_file *f = &r->manifest->files[i];

		file_key(r, f->name, key);
		if (wanted(c, f) && restore_check_key(c, s, r->manifest, key) < 0)
			return -1;
	}
	log_info("%s/%s: the files to restore match their SHA-256", r->tier, r->stamp);
	return 0;
}

/* bandr's files have no manifest: describe one as a dump of the default engine
 * (pg_dumpall). */
static int legacy_manifest(const struct backup_ref *r, struct manifest *m)
{
	memset(m, 0, sizeof(*m));
	m->format = 1;
	m->engine = strdup(engine_default());
	return m->engine != NULL && manifest_add_file(m, r->name) != NULL ? 0 : -1;
}

static int check_expected_count(const struct config *c, struct engine *e)
{
	long count = 0;

	if (c->expected_count == CONF_UNSET)
		return 0;
	if (e->ops->count_databases(e, &count) < 0)
		return -1;
	if (count < c->expected_count) {
		fail(EXIT_CHECK,
		     "the restored server has %ld database(s), DATABASE_EXPECTED_COUNT "
		     "wants at "
		     "least %ld",
		     count, c->expected_count);
		return -1;
	}
	log_info("the restored server has %ld database(s) (DATABASE_EXPECTED_COUNT=%ld)", count,
		 c->expected_count);
	return 0;
}

/* One file to restore, with the server it goes to. */
struct restore_step {
	const struct manifest_file *file;
	const char *engine;
	const struct target *target;
	struct target own; /* the environment's, when no list names targets */
};

/*
 * Finds the server for a file before anything is restored: the listed
 * target of the same name, or, without a list, the environment's settings
 * for the file's engine. Returns 0, or -1 after fail().
 */
static int plan_step(const struct config *c, const struct manifest *m,
		     const struct manifest_file *f, struct restore_step *step)
{
	const char *name = file_target(f);

	step->file = f;
	step->engine = f->engine ? f->engine : m->engine;
	if (!c->targets_listed) {
		struct engine_options o;

		engine_options_from(c, &o);
		step->target = &step->own;
		return engine_environment_target(step->engine, &o, &step->own);
	}
	step->target = target_find(c, name);
	if (step->target == NULL && *name == '\0' && c->ntargets == 1)
		step->target = &c->targets[0]; /* a backup made before the list: its one target */
	if (step->target == NULL) {
		fail(EXIT_CONFIG,
		     "the backup holds %s%s, which the configuration does not list: add "
		     "it, or "
		     "restore another with --target",
		     *name ? "target " : "the dump of a single server made without a targets list",
		     name);
		return -1;
	}
	return 0;
}

/* Restores one file of the backup into its target's server. */
static int restore_file(const struct config *c, struct store *s, const struct backup_ref *r,
			const struct manifest *m, const struct restore_step *step)
{
	const struct manifest_file *f = step->file;
	struct engine_options o;
	struct engine *e = NULL;
	struct source *src = NULL;
	char key[KEY_MAX];
	int rc = -1;

	engine_options_from(c, &o);
	/* A restore into an older major than the file's server is refused. */
	o.backup_server_version = f->server_version ? f->server_version : m->server_version;
	if ((e = engine_new(step->engine, step->target, &o)) == NULL)
		return -1;
	file_key(r, f->name, key);
	log_info("restoring %s%s%s", key, *file_target(f) ? " into target " : "", file_target(f));
	if ((src = restore_open(c, s, r, m, f)) != NULL)
		rc = e->ops->restore(e, f->databases ? f->databases : m->databases,
				     f->databases ? f->ndatabases : m->ndatabases, src);
	engine_free(e);
	return rc;
}

/*
 * RECOVER_DATABASE that no file of the backup holds (n == 0), or that more
 * than one target holds: fails naming what it holds. Returns 0 or -1.
 */
static int check_held(const struct config *c, const struct backup_ref *r, const struct manifest *m,
		      const struct restore_step *steps, size_t n)
{
	char **names = NULL, list[1024];
	size_t count = 0;

	if (n == 1)
		return 0;
	for (size_t i = 0; i < m->nfiles; i++) {
		const struct manifest_file *f = &m->files[i];
		char *const *dbs = f->databases ? f->databases : m->databases;
		size_t ndbs = f->databases ? f->ndatabases : m->ndatabases;

		for (size_t d = 0; n == 0 && wanted(c, f) && d < ndbs; d++)
			if (!strlist_has(names, count, dbs[d]))
				strlist_add(&names, &count, dbs[d]);
	}
	for (size_t i = 0; i < n; i++)
		strlist_add(&names, &count,
			    *file_target(steps[i].file) ? file_target(steps[i].file) : "(unnamed)");
	strlist_join(names, count, list, sizeof(list));
	strlist_free(names, count);
	if (n == 0)
		fail(EXIT_NOT_FOUND, "backup %s/%s holds no database %s%s%s; it holds: %s", r->tier,
		     r->stamp, c->recover_database, c->restore_target ? " in target " : "",
		     c->restore_target ? c->restore_target : "", count ? list : "none");
	else
		fail(EXIT_USAGE,
		     "database %s is in %zu targets of backup %s/%s (%s): choose one with "
		     "--target",
		     c->recover_database, n, r->tier, r->stamp, list);
	return -1;
}

/* DATABASE_EXPECTED_COUNT, on the server of each target restored. */
static int check_counts(const struct config *c, const struct restore_step *steps, size_t n)
{
	struct engine_options o;

	engine_options_from(c, &o);
	for (size_t i = 0; i < n && c->expected_count != CONF_UNSET; i++) {
		struct engine *e;
		int rc;

		/* A base backup put into PGDATA is no server yet: nothing to count until
		 * --start.
		 */
		if (engine_restores_offline(steps[i].engine) && !c->recover_start) {
			log_warn("DATABASE_EXPECTED_COUNT is not checked: the recovered cluster "
				 "runs only once started (use --start)");
			continue;
		}
		e = engine_new(steps[i].engine, steps[i].target, &o);
		rc = e != NULL ? check_expected_count(c, e) : -1;

		engine_free(e);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int restore_backup(const struct config *c, struct store *s, const struct backup_ref *r,
		   struct report *report)
{
	struct manifest synthesized = {0};
	const struct manifest *m = r->manifest;
	struct restore_step *steps = NULL;
	size_t n = 0;
	int rc = -1;

	if (m == NULL) {
		if (legacy_manifest(r, &synthesized) < 0)
			goto out;
		m = &synthesized;
	}
	steps = calloc(m->nfiles, sizeof(*steps));
	if (steps == NULL)
		goto out;
	for (size_t i = 0; i < m->nfiles; i++)
		if (wanted(c, &m->files[i]) && holds(c, m, &m->files[i]) &&
		    plan_step(c, m, &m->files[i], &steps[n++]) < 0)
			goto out;
	if (c->recover_database != NULL && check_held(c, r, m, steps, n) < 0)
		goto out;
	if (c->recover_database != NULL && engine_restores_offline(steps[0].engine)) {
		fail(EXIT_USAGE,
		     "backup %s/%s is a base backup of the whole cluster: it cannot "
		     "restore one "
		     "database (drop --database, RECOVER_DATABASE)",
		     r->tier, r->stamp);
		goto out;
	}
	if (n == 0) {
		fail(EXIT_NOT_FOUND, "backup %s/%s holds no target %s", r->tier, r->stamp,
		     c->restore_target);
		goto out;
	}
	if (m->partial)
		log_warn("backup %s/%s is partial: %zu target(s) failed when it was made; "
			 "restoring what it holds",
			 r->tier, r->stamp, m->nfailed);
	if (restore_verify(c, s, r) < 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (restore_file(c, s, r, m, &steps[i]) < 0)
			goto out;
	if (c->recover_database != NULL)
		log_info("restored database %s of %s/%s%s%s", c->recover_database, r->tier,
			 r->stamp, c->recover_as ? " as " : "", c->recover_as ? c->recover_as : "");
	else
		log_info("restored %s/%s", r->tier, r->stamp);
	report_backup(report, r->stamp, r->size > 0 ? (uint64_t)r->size : 0);
	rc = check_counts(c, steps, n);
out:
	for (size_t i = 0; steps != NULL && i < n; i++)
		target_free(&steps[i].own);
	free(steps);
	manifest_free(&synthesized);
	return rc;
}

/*
 * recover with FROM_BACKUP=latest or a timestamp, or a recovery target:
 * picks the backup, checks freshness, restores it.
 */
int cmd_restore(const struct config *c, struct store *unused, struct report *report,
		char *const *operands)
{
	struct engine_options o;
	struct from_backup from;
	const struct backup_ref *r;
	struct catalog cat = {0};
	struct store *s;
	int rc = -1;

	(void)unused;
	(void)operands;
	engine_options_from(c, &o);
	/* Bad settings are refused before the store is contacted. */
	if (catalog_parse_choice("FROM_BACKUP", c->from_backup, &from) < 0 ||
	    engine_recovery_check(&o) < 0 || check_selection(c, &o) < 0)
		return -1;
	s = store_open_configured(c);
	if (s == NULL)
		return -1;
	if (catalog_scan_all(s, &cat) < 0 || list_check_freshness(c, &cat) < 0)
		goto out;
	r = engine_recovery_wanted(&o) ? engine_recovery_choose(&cat, &from, &o)
				       : catalog_select(&cat, &from, "FROM_BACKUP", c->from_backup);
	if (r == NULL)
		goto out;
	log_info("restoring %s/%s", r->tier, r->stamp);
	rc = restore_backup(c, s, r, report);
out:
	catalog_free(&cat);
	store_close(s);
	return rc;
}
