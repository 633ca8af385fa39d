#include "engine/engine.h"

#include <stdlib.h>
#include <string.h>

#include "engine/scratch.h"
#include "util/env.h"
#include "util/log.h"
#include "util/strlist.h"

/* The registry: one line per engine. */
#define ENGINES(X)                                                                                 \
	X(engine_postgres_ops)                                                                     \
	X(engine_mariadb_ops)                                                                      \
	X(engine_mongodb_ops)                                                                      \
	X(engine_pg_physical_ops)

#define DECLARE(ops) extern const struct engine_ops ops;
#define ENTRY(ops) &ops,
ENGINES(DECLARE)
static const struct engine_ops *const engines[] = {ENGINES(ENTRY) NULL};

enum { NENGINES = sizeof(engines) / sizeof(engines[0]) - 1 };

const struct engine_ops *engine_find(const char *name)
{
	for (size_t i = 0; engines[i] != NULL; i++)
		if (strcmp(engines[i]->name, name) == 0)
			return engines[i];
	return NULL;
}

void engine_startup(void)
{
	for (size_t i = 0; engines[i] != NULL; i++)
		if (engines[i]->environment != NULL)
			env_remove_at_startup(engines[i]->environment);
}

const char *engine_default(void)
{
	return engines[0]->name;
}

void engine_options_from(const struct config *c, struct engine_options *o)
{
	*o = (struct engine_options){
	    .force = c->force != 0,
	    .mysql_schema = c->mysql_schema != 0,
	    .pgdatabase = c->pgdatabase,
	    .pg_bindir = c->pg_bindir,
	    .mongo_system = c->mongo_system != 0,
	    .compression = c->compression,
	    .compression_level = c->compression_level,
	    .threads = c->threads,
	    .age = c->age,
	    .encrypt = conf_encrypts(c),
	    .from_backup = c->from_backup,
	    .recovery_target_time = c->recovery_target_time,
	    .recovery_target = c->recovery_target,
	    .pgdata = c->pgdata,
	    .start = c->recover_start != 0,
	    .start_timeout = c->start_timeout,
	    .server_options = c->server_options,
	    .verify_dir = c->verify_dir,
	    .verify_user = c->verify_user,
	    .pghost = c->pghost,
	    .pgport = c->pgport,
	    .pguser = c->pguser,
	    .pgpassword = c->pgpassword,
	    .pgpassfile = c->pgpassfile,
	    .pgadminpass = c->pgadminpass,
	    .mysql_host = c->mysql_host,
	    .mysql_port = c->mysql_port,
	    .mysql_user = c->mysql_user,
	    .mysql_password = c->mysql_password,
	    .mongo_uri = c->mongo_uri,
	    .database = c->database,
	    .exclude = c->exclude_databases,
	    .dump_options = c->dump_options,
	    .only = c->recover_database,
	    .rename = c->recover_as,
	};
}

int engine_environment_target(const char *name, const struct engine_options *o, struct target *t)
{
	const struct engine_ops *ops = engine_find(name);

	memset(t, 0, sizeof(*t));
	t->name = strdup("");
	t->engine = strdup(name);
	if (t->name == NULL || t->engine == NULL)
		return -1;
	if (o->database != NULL && strlist_add(&t->databases, &t->ndatabases, o->database) < 0)
		return -1;
	return ops != NULL ? ops->environment_target(o, t) : 0;
}

struct engine *engine_new(const char *name, const struct target *target,
			  const struct engine_options *o)
{
	const struct engine_ops *ops = engine_find(name);
	struct engine *e;

	if (ops == NULL) {
		char names[256] = "";
		size_t n = 0, i = 0;

		/* "postgres, mariadb or mongodb": the engines a setting may name. */
		for (size_t k = 0; k < NENGINES; k++)
			n += !(engines[k]->flags & ENGINE_BY_METHOD);
		for (size_t k = 0; k < NENGINES; k++) {
			if (engines[k]->flags & ENGINE_BY_METHOD)
				continue;
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 i == 0	     ? ""
				 : i + 1 < n ? ", "
					     : " or ",
				 engines[k]->name);
			i++;
		}
		fail(EXIT_CONFIG, "unknown engine '%s' (use %s)", name, names);
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return NULL;
	e->ops = ops;
	e->opts = *o;
	e->target = target;
	/* The environment's target gets its connection from the engine it turned out to be. */
	if (target->environment) {
		if (engine_environment_target(name, o, &e->own) < 0 ||
		    target_container_credentials(&e->own) < 0)
			goto fail;
		e->target = &e->own;
	}
	if (e->ops->setup != NULL && e->ops->setup(e) < 0)
		goto fail;
	return e;
fail:
	target_free(&e->own);
	free(e);
	return NULL;
}

void engine_free(struct engine *e)
{
	if (e == NULL)
		return;
	if (e->ops->cleanup != NULL)
		e->ops->cleanup(e);
	strlist_free(e->databases, e->ndatabases);
	strlist_free(e->excluded, e->nexcluded);
	target_free(&e->own);
	free(e);
}

int engine_restores_offline(const char *name)
{
	const struct engine_ops *ops = engine_find(name);

	return ops != NULL && (ops->flags & ENGINE_RESTORE_OFFLINE) != 0;
}

const char *engine_single_database(const struct engine *e)
{
	return e->target->ndatabases == 1 ? e->target->databases[0] : NULL;
}

int engine_clear_conflicts(struct engine *e, char *const *databases, size_t n, char **existing,
			   size_t nexisting, const char *const keep[],
			   int (*drop)(struct engine *, const char *db, void *arg), void *arg)
{
	char conflicts[4096] = "";
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		const char *db = engine_restore_name(&e->opts, databases[i]);
		int kept = 0;

		if (db == NULL)
			continue;

		for (size_t k = 0; keep[k] != NULL; k++)
			kept |= strcmp(db, keep[k]) == 0;
		if (kept || !strlist_has(existing, nexisting, db))
			continue;
		snprintf(conflicts + strlen(conflicts), sizeof(conflicts) - strlen(conflicts),
			 "%s%s", conflicts[0] ? ", " : "", db);
		if (e->opts.force) {
			log_warn("dropping database %s on the target to replace it (--force)", db);
			rc = drop(e, db, arg);
		}
	}
	strlist_free(existing, nexisting);
	if (rc == 0 && conflicts[0] != '\0' && !e->opts.force) {
		fail(EXIT_RESTORE,
		     "the target server already has database(s) %s: drop them first, or run "
		     "recover with --force (RECOVER_FORCE=1) to replace them",
		     conflicts);
		return -1;
	}
	return rc;
}

/* ------------------------------------------------------- the log archive */

/* The engine that archives its log; one store holds one archive. */
static const struct engine_archive_ops *archive(void)
{
	for (size_t i = 0; engines[i] != NULL; i++)
		if (engines[i]->archive != NULL)
			return engines[i]->archive;
	return NULL;
}

int engine_archive_push(const struct engine_options *o, struct store *s, const char *path)
{
	if (archive() == NULL) {
		fail(EXIT_CONFIG, "no engine archives its log");
		return -1;
	}
	return archive()->push(o, s, path);
}

int engine_archive_fetch(const struct engine_options *o, struct store *s, const char *name,
			 const char *path)
{
	if (archive() == NULL) {
		fail(EXIT_CONFIG, "no engine archives its log");
		return -1;
	}
	return archive()->fetch(o, s, name, path);
}

int engine_archive_retain(struct store *s)
{
	return archive() != NULL ? archive()->retain(s) : 0;
}

int engine_archive_newest(struct store *s, char *name, time_t *pushed)
{
	return archive() != NULL ? archive()->newest(s, name, ENGINE_ARCHIVE_NAME_MAX, pushed) : 1;
}

int engine_is_base_backup(const struct manifest *m)
{
	return archive() != NULL && archive()->is_base(m);
}

int engine_recovery_wanted(const struct engine_options *o)
{
	return archive() != NULL && archive()->wanted(o);
}

int engine_recovery_check(const struct engine_options *o)
{
	return archive() != NULL ? archive()->check_settings(o) : 0;
}

const struct backup_ref *engine_recovery_choose(const struct catalog *cat,
						const struct from_backup *from,
						const struct engine_options *o)
{
	if (archive() == NULL) {
		fail(EXIT_CONFIG, "no engine recovers to a point in time");
		return NULL;
	}
	return archive()->choose(cat, from, o);
}

/* ---------------------------------------------------------- test-restores */

struct engine_servers {
	struct engine_options opts; /* what the restores run with */
	struct scratch scratch[NENGINES];
	int state[NENGINES]; /* 0 not yet started, 1 running, -1 failed to start */
};

struct engine_servers *engine_servers_new(const struct engine_options *o)
{
	struct engine_servers *sv = calloc(1, sizeof(*sv));

	if (sv == NULL)
		return NULL;
	/*
	 * The servers are fresh: nothing to replace, and MariaDB's mysql schema
	 * stays theirs (restoring it could lock us out of the server).
	 */
	sv->opts = *o;
	sv->opts.force = 0;
	sv->opts.mysql_schema = 0;
	sv->opts.pgdatabase = "postgres";
	/* A test-restore checks the whole backup, whatever a restore would pick. */
	sv->opts.only = NULL;
	sv->opts.rename = NULL;
	return sv;
}

void engine_servers_free(struct engine_servers *sv)
{
	if (sv == NULL)
		return;
	for (size_t k = 0; k < NENGINES; k++)
		if (sv->state[k] != 0)
			scratch_stop(&sv->scratch[k]);
	free(sv);
}

/* Refuses an engine no throwaway server exists for, saying what is missing. */
static void refuse(const char *file, const char *name, const struct engine_test_ops *t)
{
	const char *title[NENGINES];
	char why[512] = "", titles[256] = "";
	size_t n = 0;

	if (t != NULL && t->why_not != NULL)
		t->why_not(file, why, sizeof(why));
	if (why[0] != '\0') {
		fail(EXIT_CONFIG, "%s", why);
		return;
	}
	/* "PostgreSQL and MariaDB": each title of an engine that has a server, once. */
	for (size_t k = 0; k < NENGINES; k++) {
		const struct engine_test_ops *o = engines[k]->test;
		int seen = 0;

		if (o == NULL || o->start == NULL)
			continue;
		for (size_t j = 0; j < n; j++)
			seen |= strcmp(title[j], o->title) == 0;
		if (!seen)
			title[n++] = o->title;
	}
	for (size_t j = 0; j < n; j++)
		snprintf(titles + strlen(titles), sizeof(titles) - strlen(titles), "%s%s",
			 j == 0	     ? ""
			 : j + 1 < n ? ", "
				     : " and ",
			 title[j]);
	fail(EXIT_CONFIG, "%s holds a %s dump: test-restores handle %s only", file, name, titles);
}

struct engine *engine_servers_restore(struct engine_servers *sv, const char *name,
				      const char *version, const char *file, char *const *databases,
				      size_t n, struct source *(*open)(void *arg), void *arg)
{
	const struct engine_test_ops *t;
	struct engine_options own = sv->opts;
	struct scratch *scratch;
	struct engine *e;
	struct source *src;
	size_t k;
	int rc;

	for (k = 0; k < NENGINES && strcmp(engines[k]->name, name) != 0; k++)
		;
	t = k < NENGINES ? engines[k]->test : NULL;
	if (t == NULL || t->start == NULL) {
		refuse(file, name, t);
		return NULL;
	}
	if (sv->state[k] == 0)
		sv->state[k] =
		    t->start(&sv->scratch[k], sv->opts.verify_dir,
			     sv->opts.verify_user ? sv->opts.verify_user : t->user, version) == 0
			? 1
			: -1;
	if (sv->state[k] != 1)
		return NULL;
	scratch = &sv->scratch[k];
	if (t->prepare != NULL &&
	    ((src = open(arg)) == NULL || t->prepare(&scratch->target, src) < 0))
		return NULL;
	log_info("restoring %s into the throwaway %s", file, scratch->what);
	if (t->settings != NULL && t->settings(scratch, &own) < 0)
		return NULL;
	own.backup_server_version = version;
	e = engine_new(name, &scratch->target, &own);
	if (e == NULL)
		return NULL;
	src = open(arg);
	rc = src != NULL ? e->ops->restore(e, databases, n, src) : -1;
	if (t->adopt != NULL)
		t->adopt(scratch);
	if (rc < 0) {
		engine_free(e);
		return NULL;
	}
	return e;
}

int engine_servers_count_databases(struct engine_servers *sv, long *total)
{
	*total = 0;
	for (size_t k = 0; k < NENGINES; k++) {
		struct engine *e;
		long count = 0;
		int rc;

		if (sv->state[k] != 1)
			continue;
		e = engine_new(engines[k]->name, &sv->scratch[k].target, &sv->opts);
		rc = e != NULL ? e->ops->count_databases(e, &count) : -1;
		engine_free(e);
		if (rc < 0)
			return -1;
		*total += count;
	}
	return 0;
}
