/*
 * What a run dumps and what a restore picks: the databases
 * BACKUP_EXCLUDE_DATABASES leaves out, the BACKUP_DUMP_OPTIONS each engine's
 * dump tool may take, and the one database RECOVER_DATABASE restores,
 * under RECOVER_AS.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "engine/engine.h"
#include "util/log.h"
#include "util/strlist.h"

/* BACKUP_EXCLUDE_DATABASES is a list like BACKUP_MIRROR: spaces or commas between words. */
static const char exclude_separators[] = " \t\n,";

/* BACKUP_DUMP_OPTIONS: whitespace between words, no shell quoting. */
static const char option_separators[] = " \t\n";

/* Whether BACKUP_EXCLUDE_DATABASES (patterns) leaves db out. */
static int excluded(const char *patterns, const char *db)
{
	char **words = NULL;
	size_t n = 0;
	int hit = 0;

	if (strlist_split(patterns, exclude_separators, &words, &n) < 0)
		return -1;
	for (size_t i = 0; i < n && !hit; i++)
		hit = fnmatch(words[i], db, 0) == 0;
	strlist_free(words, n);
	return hit;
}

int engine_choose_databases(struct engine *e, char *const *all, size_t n, const char *server)
{
	const struct target *t = e->target;
	size_t count = t->ndatabases ? t->ndatabases : n;
	char names[1024];

	for (size_t i = 0; i < t->ndatabases; i++) {
		if (!strlist_has(all, n, t->databases[i])) {
			fail(EXIT_CONFIG,
			     "database %s does not exist on the %s server (check DATABASE or the "
			     "target's databases)",
			     t->databases[i], server);
			return -1;
		}
	}
	for (size_t i = 0; i < count; i++) {
		const char *db = t->ndatabases ? t->databases[i] : all[i];
		int out = e->opts.exclude != NULL ? excluded(e->opts.exclude, db) : 0;

		if (out < 0 || strlist_add(out ? &e->excluded : &e->databases,
					   out ? &e->nexcluded : &e->ndatabases, db) < 0)
			return -1;
	}
	if (e->nexcluded == 0)
		return 0;
	strlist_join(e->excluded, e->nexcluded, names, sizeof(names));
	log_info("leaving out database(s) %s of the %s server (BACKUP_EXCLUDE_DATABASES)", names,
		 server);
	if (e->ndatabases == 0) {
		fail(EXIT_CONFIG,
		     "BACKUP_EXCLUDE_DATABASES leaves out every database of the %s server (%s): "
		     "nothing to dump",
		     server, names);
		return -1;
	}
	return 0;
}

/* Why word, one of BACKUP_DUMP_OPTIONS, is refused by tool's list, or NULL. */
static const char *denied(const struct engine_denied_option *list, const char *word,
			  const char **option)
{
	if (word[0] != '-' || strcmp(word, "-") == 0 || strcmp(word, "--") == 0) {
		*option = word;
		return "it is not an option: give each option as one word, its value attached "
		       "(--table=name)";
	}
	for (size_t i = 0; list[i].name != NULL; i++) {
		*option = list[i].name;
		if (word[1] == '-') {
			size_t len = strcspn(word + 2, "=");

			/* getopt_long takes any unambiguous abbreviation: --form is --format. */
			if (len > 0 && strncmp(list[i].name, word + 2, len) == 0)
				return list[i].why;
		} else if (list[i].letter != 0 && strchr(word + 1, list[i].letter) != NULL) {
			/* A cluster (-vF) or a value attached (-tfoo) may hide it: write it long.
			 */
			return list[i].why;
		}
	}
	return NULL;
}

int engine_check_settings(const char *name, const struct engine_options *o)
{
	const struct engine_ops *ops = engine_find(name);
	const char *why, *option;
	char **words = NULL;
	size_t n = 0;
	int rc = 0;

	if (ops == NULL)
		return 0; /* engine_new() names the engines there are */
	if (o->exclude != NULL && (ops->flags & ENGINE_RESTORE_OFFLINE)) {
		fail(EXIT_CONFIG,
		     "BACKUP_EXCLUDE_DATABASES is set, but a %s base backup copies the whole "
		     "cluster: unset it, or use BACKUP_METHOD=logical",
		     name);
		return -1;
	}
	if (o->dump_options == NULL ||
	    strlist_split(o->dump_options, option_separators, &words, &n) < 0 || n == 0)
		goto out;
	if (ops->dump_denied == NULL) {
		fail(EXIT_CONFIG,
		     "BACKUP_DUMP_OPTIONS is set, but engine %s runs no dump tool to give them to: "
		     "unset it for this engine",
		     name);
		rc = -1;
		goto out;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		why = denied(ops->dump_denied, words[i], &option);
		if (why == NULL)
			continue;
		if (option == words[i])
			fail(EXIT_CONFIG, "BACKUP_DUMP_OPTIONS: '%s' for %s: %s", words[i],
			     ops->dump_tool, why);
		else
			fail(EXIT_CONFIG,
			     "BACKUP_DUMP_OPTIONS: %s may set --%s of %s, which tierdump does not "
			     "allow: %s",
			     words[i], option, ops->dump_tool, why);
		rc = -1;
	}
out:
	strlist_free(words, n);
	return rc;
}

int engine_dump_options(const struct engine *e, char ***argv, size_t *n)
{
	return strlist_split(e->opts.dump_options, option_separators, argv, n);
}

const char *engine_restore_name(const struct engine_options *o, const char *db)
{
	if (o->only == NULL)
		return db;
	if (strcmp(db, o->only) != 0)
		return NULL;
	return o->rename != NULL ? o->rename : db;
}

int engine_no_such_database(const char *engine, const char *only, char *const *held, size_t nheld)
{
	char names[1024];

	strlist_join(held, nheld, names, sizeof(names));
	fail(EXIT_NOT_FOUND, "the %s dump holds no database %s; it holds: %s", engine, only,
	     nheld ? names : "none");
	return -1;
}
