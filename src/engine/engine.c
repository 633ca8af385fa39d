#include "engine/engine.h"

#include <stdlib.h>
#include <string.h>

#include "util/env.h"
#include "util/log.h"
#include "util/strlist.h"

static const struct engine_ops *const engines[] = {
    &engine_postgres_ops, &engine_mariadb_ops, &engine_mongodb_ops, &engine_pg_physical_ops, NULL,
};

void engine_startup(void)
{
	for (size_t i = 0; engines[i] != NULL; i++)
		if (engines[i]->environment != NULL)
			env_remove_at_startup(engines[i]->environment);
}

struct engine *engine_new(const char *name, const struct target *target, const struct config *conf)
{
	struct engine *e;

	for (size_t i = 0; engines[i] != NULL; i++) {
		if (strcmp(engines[i]->name, name) != 0)
			continue;
		e = calloc(1, sizeof(*e));
		if (e == NULL)
			return NULL;
		e->ops = engines[i];
		e->conf = conf;
		e->target = target;
		if (e->ops->setup != NULL && e->ops->setup(e) < 0) {
			free(e);
			return NULL;
		}
		return e;
	}
	fail(EXIT_CONFIG, "unknown engine '%s' (use postgres, mariadb or mongodb)", name);
	return NULL;
}

void engine_free(struct engine *e)
{
	if (e == NULL)
		return;
	if (e->ops->cleanup != NULL)
		e->ops->cleanup(e);
	strlist_free(e->databases, e->ndatabases);
	free(e);
}

const char *engine_single_database(const struct engine *e)
{
	return e->target->ndatabases == 1 ? e->target->databases[0] : NULL;
}

int engine_choose_databases(struct engine *e, char *const *all, size_t n, const char *server)
{
	const struct target *t = e->target;

	for (size_t i = 0; i < t->ndatabases; i++) {
		if (!strlist_has(all, n, t->databases[i])) {
			fail(EXIT_CONFIG,
			     "database %s does not exist on the %s server (check DATABASE or the "
			     "target's databases)",
			     t->databases[i], server);
			return -1;
		}
	}
	for (size_t i = 0; i < (t->ndatabases ? t->ndatabases : n); i++)
		if (strlist_add(&e->databases, &e->ndatabases,
				t->ndatabases ? t->databases[i] : all[i]) < 0)
			return -1;
	return 0;
}

int engine_clear_conflicts(struct engine *e, char *const *databases, size_t n,
			   char *const *existing, size_t nexisting, const char *const keep[],
			   int (*drop)(struct engine *, const char *db, void *arg), void *arg)
{
	char conflicts[4096] = "";

	for (size_t i = 0; i < n; i++) {
		const char *db = databases[i];
		int kept = 0;

		for (size_t k = 0; keep[k] != NULL; k++)
			kept |= strcmp(db, keep[k]) == 0;
		if (kept || !strlist_has(existing, nexisting, db))
			continue;
		snprintf(conflicts + strlen(conflicts), sizeof(conflicts) - strlen(conflicts),
			 "%s%s", conflicts[0] ? ", " : "", db);
		if (e->conf->force) {
			log_warn("dropping database %s on the target to replace it (--force)", db);
			if (drop(e, db, arg) < 0)
				return -1;
		}
	}
	if (conflicts[0] != '\0' && !e->conf->force) {
		fail(EXIT_RESTORE,
		     "the target server already has database(s) %s: drop them first, or run "
		     "recover with --force (RECOVER_FORCE=1) to replace them",
		     conflicts);
		return -1;
	}
	return 0;
}
