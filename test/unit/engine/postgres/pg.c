#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"
#include "engine/postgres/pg.h"

static const char *value_in(char **envp, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; envp[i] != NULL; i++)
		if (strncmp(envp[i], name, len) == 0 && envp[i][len] == '=')
			return envp[i] + len + 1;
	return NULL;
}

/* Two targets, one after the other, each child given its own settings, ours untouched. */
void test_engine_postgres_pg(void)
{
	struct target app = {.name = "app", .host = "db1", .port = "5433", .user = "dbadmin"};
	struct target other = {.name = "other", .user = "backup"}; /* no host, no port */
	struct child_env env = {0};
	char **envp;

	setenv("PGHOST", "from-our-environment", 1);
	setenv("PGPASSWORD", "our-secret", 1);
	setenv("PGADMINPASS_FILE", "/run/secrets/x", 1);

	CHECK(pg_child_env(&app, "/tmp/tierdump-pgpass-app", &env) == 0, "app's environment");
	envp = child_env_build(&env);
	CHECK(envp != NULL, "built");
	if (envp != NULL) {
		CHECK(value_in(envp, "PGHOST") && strcmp(value_in(envp, "PGHOST"), "db1") == 0,
		      "app's host");
		CHECK(value_in(envp, "PGPORT") && strcmp(value_in(envp, "PGPORT"), "5433") == 0,
		      "app's port");
		CHECK(value_in(envp, "PGPASSFILE") &&
			  strcmp(value_in(envp, "PGPASSFILE"), "/tmp/tierdump-pgpass-app") == 0,
		      "app's password file");
		CHECK(value_in(envp, "PGPASSWORD") == NULL, "no password variable");
		CHECK(value_in(envp, "PGADMINPASS_FILE") == NULL, "nor one of ours");
		free(envp);
	}
	child_env_free(&env);

	CHECK(pg_child_env(&other, NULL, &env) == 0, "other's environment");
	envp = child_env_build(&env);
	CHECK(envp != NULL, "built");
	if (envp != NULL) {
		CHECK(value_in(envp, "PGHOST") == NULL,
		      "a target without a host gets none, not ours");
		CHECK(value_in(envp, "PGPORT") == NULL && value_in(envp, "PGPASSFILE") == NULL,
		      "nor app's port or password file");
		CHECK(value_in(envp, "PGUSER") && strcmp(value_in(envp, "PGUSER"), "backup") == 0,
		      "other's user");
		free(envp);
	}
	child_env_free(&env);

	CHECK(strcmp(getenv("PGHOST"), "from-our-environment") == 0 &&
		  strcmp(getenv("PGPASSWORD"), "our-secret") == 0 && getenv("PGPORT") == NULL,
	      "our environment is unchanged");
	unsetenv("PGHOST");
	unsetenv("PGPASSWORD");
	unsetenv("PGADMINPASS_FILE");
}
