#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"
#include "util/env.h"

/* The entry for name in envp ("NAME=value"), or NULL. */
static const char *entry(char **envp, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; envp[i] != NULL; i++)
		if (strncmp(envp[i], name, len) == 0 && envp[i][len] == '=')
			return envp[i];
	return NULL;
}

static size_t count(char **envp)
{
	size_t n = 0;

	while (envp[n] != NULL)
		n++;
	return n;
}

void test_util_env(void)
{
	struct child_env e = {0};
	char **before, **envp;
	size_t ours;
	int same = 1;

	/* The test's own set-up may change its environment; tierdump's code may not. */
	setenv("TIERDUMP_T_KEEP", "kept", 1);
	setenv("TIERDUMP_T_DROP", "secret", 1);
	setenv("TIERDUMP_T_SET", "old", 1);
	ours = count(environ);
	before = calloc(ours + 1, sizeof(*before));
	memcpy(before, environ, ours * sizeof(*before));

	CHECK(child_env_set(&e, "TIERDUMP_T_SET", "first") == 0, "set");
	CHECK(child_env_set(&e, "TIERDUMP_T_DROP", NULL) == 0, "remove");
	CHECK(child_env_set(&e, "TIERDUMP_T_NEW", "a=b") == 0, "add");
	CHECK(child_env_set(&e, "TIERDUMP_T_SET", "second") == 0, "set again");
	CHECK(child_env_set(&e, "TIERDUMP_T_GONE", NULL) == 0, "remove what is not there");
	CHECK(e.n == 4, "a name changed twice is one change, got %zu", e.n);
	envp = child_env_build(&e);
	CHECK(envp != NULL, "built");
	if (envp != NULL) {
		CHECK(entry(envp, "TIERDUMP_T_KEEP") != NULL &&
			  strcmp(entry(envp, "TIERDUMP_T_KEEP"), "TIERDUMP_T_KEEP=kept") == 0,
		      "ours is kept");
		CHECK(entry(envp, "TIERDUMP_T_DROP") == NULL, "a removed name is left out");
		CHECK(entry(envp, "TIERDUMP_T_SET") != NULL &&
			  strcmp(entry(envp, "TIERDUMP_T_SET"), "TIERDUMP_T_SET=second") == 0,
		      "the last change wins over ours");
		CHECK(entry(envp, "TIERDUMP_T_NEW") != NULL &&
			  strcmp(entry(envp, "TIERDUMP_T_NEW"), "TIERDUMP_T_NEW=a=b") == 0,
		      "a new name is added, '=' in its value kept");
		CHECK(entry(envp, "TIERDUMP_T_GONE") == NULL, "a removal adds nothing");
		CHECK(count(envp) == ours - 1 + 1, "ours less one plus one: %zu of %zu",
		      count(envp), ours);
		free(envp);
	}
	/* Prefixes are other names: TIERDUMP_T_SET is not TIERDUMP_T_SETX. */
	setenv("TIERDUMP_T_SETX", "other", 1);
	envp = child_env_build(&e);
	CHECK(envp != NULL && entry(envp, "TIERDUMP_T_SETX") != NULL, "a longer name is kept");
	free(envp);
	unsetenv("TIERDUMP_T_SETX");

	/* Our own environment is exactly what it was. */
	for (size_t i = 0; i <= ours && same; i++)
		same = environ[i] == before[i];
	CHECK(same, "building a child's environment changes no entry of ours");
	CHECK(strcmp(getenv("TIERDUMP_T_SET"), "old") == 0 &&
		  strcmp(getenv("TIERDUMP_T_DROP"), "secret") == 0 &&
		  getenv("TIERDUMP_T_NEW") == NULL,
	      "nor any value");
	envp = child_env_build(NULL);
	CHECK(envp != NULL && count(envp) == ours, "no changes: ours as it is");
	free(envp);

	child_env_free(&e);
	CHECK(e.n == 0 && e.item[0] == NULL, "freed");
	for (int i = 0; i < CHILD_ENV_MAX; i++)
		child_env_set(&e, i % 2 ? "TIERDUMP_T_A" : "TIERDUMP_T_B", "x");
	CHECK(e.n == 2, "repeated names do not fill the list");
	child_env_free(&e);
	free(before);
	unsetenv("TIERDUMP_T_KEEP");
	unsetenv("TIERDUMP_T_DROP");
	unsetenv("TIERDUMP_T_SET");
}
