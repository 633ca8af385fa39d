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
	int environment; /* the environment's: its engine fills in the connection */
};

/*
 * Reads the `targets` list of a config file into c. Returns 0, or -1 after
 * fail() naming the file, line and key.
 */
int target_load_list(struct config *c, config_setting_t *list, const char *path);

/*
 * After the settings are resolved: without a list, adds the single target
 * of the environment (its connection is its engine's business); fills credentials from
 * backup-container's <HOST>_USER and <HOST>_PASSWORD where a target names none. Returns 0 or -1
 * after fail().
 */
int target_finish(struct config *c);

/*
 * backup-container's credentials: <HOST>_USER and <HOST>_PASSWORD (and
 * _FILE) where t names a host but no user or password. Returns 0 or -1
 * after fail().
 */
int target_container_credentials(struct target *t);

/* Sets *field to a copy of value unless it is set or value is NULL. Returns 0 or -1. */
int target_set_if_unset(char **field, const char *value);

/* Whether name is an engine a target may use. */
int target_engine_is_known(const char *name);

void target_free(struct target *t);

/* The target called name, or NULL. */
const struct target *target_find(const struct config *c, const char *name);

void target_free_all(struct config *c);

#endif
