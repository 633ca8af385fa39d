/*
 * What an hourly run backs up: one or more targets, each a database server
 * with its engine, connection, databases and own secret. The configuration
 * file may list them; without a list, one target comes from the environment
 * (PGHOST and friends, or MYSQL_HOST and friends), as bandr had it.
 */
#ifndef TIERDUMP_TARGET_H
#define TIERDUMP_TARGET_H

#include <libconfig.h>
#include <stddef.h>

struct config;

struct target {
	char *name;   /* "" for the environment's single target */
	char *engine; /* postgres, mariadb */
	char *host, *port, *user, *password;
	char *uri;	  /* MongoDB: the connection string (a secret) */
	char **databases; /* none: every database of the server */
	size_t ndatabases;
};

/*
 * Reads the `targets` list of a config file into c. Returns 0, or -1 after
 * fail() naming the file, line and key.
 */
int target_load_list(struct config *c, config_setting_t *list, const char *path);

/*
 * After the settings are resolved: without a list, builds the single target
 * of the environment; fills credentials from backup-container's
 * <HOST>_USER and <HOST>_PASSWORD where a target names none.
 * Returns 0 or -1 after fail().
 */
int target_finish(struct config *c);

/*
 * The environment's single target for an engine (PG*, MYSQL_* or
 * MONGODB_URI), into out; free it with target_free(). Returns 0 or -1.
 */
int target_from_environment(const struct config *c, const char *engine, struct target *out);

/* Whether name is an engine a target may use. */
int target_engine_is_known(const char *name);

void target_free(struct target *t);

/* The target called name, or NULL. */
const struct target *target_find(const struct config *c, const char *name);

void target_free_all(struct config *c);

#endif
