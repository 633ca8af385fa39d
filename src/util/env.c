#include "util/env.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"

/* The length of the name in "NAME=value" or "NAME". */
static size_t name_len(const char *item)
{
	return strcspn(item, "=");
}

static int same_name(const char *a, const char *b)
{
	size_t n = name_len(a);

	return n == name_len(b) && strncmp(a, b, n) == 0;
}

static void wipe(char *item)
{
	explicit_bzero(item, strlen(item));
	free(item);
}

int child_env_set(struct child_env *e, const char *name, const char *value)
{
	char *item;
	size_t i;

	if (value != NULL ? asprintf(&item, "%s=%s", name, value) < 0
			  : (item = strdup(name)) == NULL) {
		fail(EXIT_INTERNAL, "out of memory for a child's environment");
		return -1;
	}
	for (i = 0; i < e->n && !same_name(e->item[i], item); i++)
		;
	if (i == e->n && e->n == CHILD_ENV_MAX) {
		wipe(item);
		fail(EXIT_INTERNAL, "a child's environment has more than %d changes",
		     CHILD_ENV_MAX);
		return -1;
	}
	if (i < e->n)
		wipe(e->item[i]);
	else
		e->n++;
	e->item[i] = item;
	e->item[e->n] = NULL;
	return 0;
}

void child_env_free(struct child_env *e)
{
	for (size_t i = 0; i < e->n; i++)
		wipe(e->item[i]);
	memset(e, 0, sizeof(*e));
}

/* Whether e changes (sets or removes) the variable of environ's entry var. */
static int changed(const struct child_env *e, const char *var)
{
	for (size_t i = 0; e != NULL && i < e->n; i++)
		if (same_name(e->item[i], var))
			return 1;
	return 0;
}

char **child_env_build(const struct child_env *e)
{
	size_t ours = 0, n = 0;
	char **envp;

	while (environ[ours] != NULL)
		ours++;
	envp = calloc(ours + (e ? e->n : 0) + 1, sizeof(*envp));
	if (envp == NULL) {
		fail(EXIT_INTERNAL, "out of memory for a child's environment");
		return NULL;
	}
	for (size_t i = 0; i < ours; i++)
		if (!changed(e, environ[i]))
			envp[n++] = environ[i];
	for (size_t i = 0; e != NULL && i < e->n; i++)
		if (e->item[i][name_len(e->item[i])] == '=')
			envp[n++] = e->item[i];
	envp[n] = NULL;
	return envp;
}

void env_remove_at_startup(const char *const names[])
{
	for (size_t i = 0; names[i] != NULL; i++)
		unsetenv(names[i]);
}
