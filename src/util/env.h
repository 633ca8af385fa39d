/*
 * The environment of child processes. Ours is read-only once start-up is
 * over: threads (the pipe thread, libcurl's, the compression pool) read it
 * at any time, and setenv() or unsetenv() under them is undefined behaviour.
 * A child that needs other values (one target's PGHOST, no MYSQL_PWD) gets
 * them in the environment handed to execve(), built here from ours and a
 * list of changes.
 */
#ifndef TIERDUMP_ENV_H
#define TIERDUMP_ENV_H

#include <stddef.h>

enum { CHILD_ENV_MAX = 24 };

/* How a child's environment differs from ours. Zero-initialise it. */
struct child_env {
	char *item[CHILD_ENV_MAX + 1]; /* "NAME=value" sets NAME; "NAME" removes it */
	size_t n;
};

/*
 * Sets name to value in the child's environment, or, when value is NULL,
 * leaves name out of it. A later change of the same name wins. Returns 0,
 * or -1 after fail().
 */
int child_env_set(struct child_env *e, const char *name, const char *value);

/* Frees the changes, wiping their values (they may be secrets). */
void child_env_free(struct child_env *e);

/*
 * The environment for execve(): ours with e's changes applied (e may be
 * NULL), as a NULL-terminated array that points into our environment and
 * into e, so both must outlive it. Free the array alone with free().
 * Returns NULL after fail(). Never changes our environment.
 */
char **child_env_build(const struct child_env *e);

/*
 * Start-up only, before any thread runs: removes names from our own
 * environment. The one place tierdump changes it (test/run checks that).
 */
void env_remove_at_startup(const char *const names[]);

#endif
