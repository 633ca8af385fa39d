#include "target.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strlist.h"

/* A target's name becomes a file name: plain characters only. */
static int valid_name(const char *name)
{
	return *name != '\0' && *name != '.' && strlen(name) < 64 &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
		   strlen(name);
}

static struct target *add_target(struct config *c)
{
	struct target *grown = realloc(c->targets, (c->ntargets + 1) * sizeof(*grown));

	if (grown == NULL)
		return NULL;
	c->targets = grown;
	memset(&grown[c->ntargets], 0, sizeof(*grown));
	return &grown[c->ntargets++];
}

/* One key of one target. Returns 0, or -1 after fail(). */
static int load_key(struct target *t, config_setting_t *item, const char *where)
{
	static const struct {
		const char *key;
		size_t offset;
	} strings[] = {
	    {"name", offsetof(struct target, name)},
	    {"engine", offsetof(struct target, engine)},
	    {"host", offsetof(struct target, host)},
	    {"port", offsetof(struct target, port)},
	    {"user", offsetof(struct target, user)},
	    {"password", offsetof(struct target, password)},
	    {"uri", offsetof(struct target, uri)},
	};
	const char *key = config_setting_name(item);
	char number[32];
	const char *value = NULL;

	if (strcmp(key, "databases") == 0) {
		if (config_setting_type(item) != CONFIG_TYPE_ARRAY &&
		    config_setting_type(item) != CONFIG_TYPE_LIST) {
			fail(EXIT_CONFIG, "%s: databases must be a list of names, [\"a\", \"b\"]",
			     where);
			return -1;
		}
		for (int i = 0; i < config_setting_length(item); i++) {
			const char *db = config_setting_get_string_elem(item, i);

			if (db == NULL || *db == '\0') {
				fail(EXIT_CONFIG, "%s: databases must be a list of names", where);
				return -1;
			}
			if (strlist_add(&t->databases, &t->ndatabases, db) < 0)
				return -1;
		}
		return 0;
	}
	if (config_setting_type(item) == CONFIG_TYPE_STRING)
		value = config_setting_get_string(item);
	else if (strcmp(key, "port") == 0 && config_setting_type(item) == CONFIG_TYPE_INT)
		value =
		    (snprintf(number, sizeof(number), "%d", config_setting_get_int(item)), number);
	if (value == NULL) {
		fail(EXIT_CONFIG, "%s: %s must be a string in double quotes", where, key);
		return -1;
	}
	if (strcmp(key, "password_file") == 0 || strcmp(key, "uri_file") == 0) {
		char **field = key[0] == 'p' ? &t->password : &t->uri;

		free(*field);
		*field = fs_read_small_file(value);
		if (*field == NULL) {
			fail(EXIT_CONFIG, "%s: cannot read %s %s: %s", where, key, value,
			     strerror(errno));
			return -1;
		}
		return 0;
	}
	for (size_t i = 0; i < sizeof(strings) / sizeof(*strings); i++) {
		if (strcmp(key, strings[i].key) == 0) {
			char **field = (char **)((char *)t + strings[i].offset);

			free(*field);
			*field = strdup(value);
			return *field ? 0 : -1;
		}
	}
	fail(EXIT_CONFIG,
	     "%s: unknown key %s (a target has name, engine, host, port, user, password or "
	     "password_file, uri or uri_file, databases)",
	     where, key);
	return -1;
}

int target_load_list(struct config *c, config_setting_t *list, const char *path)
{
	char where[512];

	if (config_setting_type(list) != CONFIG_TYPE_LIST) {
		fail(EXIT_CONFIG,
		     "%s:%d: targets must be a list: targets = ( { name = ...; }, ... );", path,
		     config_setting_source_line(list));
		return -1;
	}
	for (int i = 0; i < config_setting_length(list); i++) {
		config_setting_t *group = config_setting_get_elem(list, i);
		struct target *t = add_target(c);

		snprintf(where, sizeof(where), "%s:%d: target %d", path,
			 config_setting_source_line(group), i + 1);
		if (t == NULL)
			return -1;
		if (config_setting_type(group) != CONFIG_TYPE_GROUP) {
			fail(EXIT_CONFIG, "%s: each target is a group { ... }", where);
			return -1;
		}
		for (int k = 0; k < config_setting_length(group); k++)
			if (load_key(t, config_setting_get_elem(group, k), where) < 0)
				return -1;
		if (t->name == NULL || !valid_name(t->name)) {
			fail(EXIT_CONFIG, "%s: needs a name of letters, digits, '_', '.' or '-'",
			     where);
			return -1;
		}
		if (t->engine != NULL && !target_engine_is_known(t->engine)) {
			fail(EXIT_CONFIG, "%s: engine %s is not postgres, mariadb or mongodb",
			     where, t->engine);
			return -1;
		}
		for (size_t j = 0; j + 1 < c->ntargets; j++) {
			if (strcmp(c->targets[j].name, t->name) == 0) {
				fail(EXIT_CONFIG, "%s: a second target called %s", where, t->name);
				return -1;
			}
		}
	}
	c->targets_listed = 1;
	return 0;
}

int target_set_if_unset(char **field, const char *value)
{
	if (*field != NULL || value == NULL)
		return 0;
	*field = strdup(value);
	return *field ? 0 : -1;
}

int target_engine_is_known(const char *name)
{
	return strcmp(name, "postgres") == 0 || strcmp(name, "mariadb") == 0 ||
	       strcmp(name, "mongodb") == 0;
}

/*
 * The environment's single target, from the settings bandr had: its
 * connection comes from its engine, which alone knows which settings it
 * reads (engine_new()).
 */
static int environment_target(struct config *c)
{
	struct target *t = add_target(c);

	if (t == NULL || target_set_if_unset(&t->name, "") < 0 ||
	    target_set_if_unset(&t->engine, c->engine) < 0)
		return -1;
	t->environment = 1;
	if (c->database != NULL && strlist_add(&t->databases, &t->ndatabases, c->database) < 0)
		return -1;
	return 0;
}

/* backup-container's credentials: <HOST>_USER and <HOST>_PASSWORD (and _FILE). */
int target_container_credentials(struct target *t)
{
	char prefix[128], name[160];
	const char *value;
	size_t i;

	if (t->host == NULL || (t->user != NULL && t->password != NULL))
		return 0;
	for (i = 0; t->host[i] != '\0' && i < sizeof(prefix) - 1; i++)
		prefix[i] = t->host[i] == '-' || t->host[i] == '.'
				? '_'
				: (char)toupper((unsigned char)t->host[i]);
	prefix[i] = '\0';
	snprintf(name, sizeof(name), "%s_USER", prefix);
	if (target_set_if_unset(&t->user, getenv(name)) < 0)
		return -1;
	snprintf(name, sizeof(name), "%s_PASSWORD", prefix);
	if (target_set_if_unset(&t->password, getenv(name)) < 0)
		return -1;
	snprintf(name, sizeof(name), "%s_PASSWORD_FILE", prefix);
	value = getenv(name);
	if (t->password == NULL && value != NULL) {
		t->password = fs_read_small_file(value);
		if (t->password == NULL) {
			fail(EXIT_CONFIG, "%s: cannot read %s: %s", name, value, strerror(errno));
			return -1;
		}
	}
	return 0;
}

int target_finish(struct config *c)
{
	if (!c->targets_listed && environment_target(c) < 0)
		return -1;
	for (size_t i = 0; i < c->ntargets; i++) {
		struct target *t = &c->targets[i];

		if (target_set_if_unset(&t->engine, "postgres") < 0 ||
		    target_container_credentials(t) < 0)
			return -1;
	}
	return 0;
}

const struct target *target_find(const struct config *c, const char *name)
{
	for (size_t i = 0; i < c->ntargets; i++)
		if (strcmp(c->targets[i].name, name) == 0)
			return &c->targets[i];
	return NULL;
}

void target_free(struct target *t)
{
	free(t->name);
	free(t->engine);
	free(t->host);
	free(t->port);
	free(t->user);
	if (t->password != NULL)
		explicit_bzero(t->password, strlen(t->password));
	free(t->password);
	if (t->uri != NULL)
		explicit_bzero(t->uri, strlen(t->uri));
	free(t->uri);
	strlist_free(t->databases, t->ndatabases);
	memset(t, 0, sizeof(*t));
}

void target_free_all(struct config *c)
{
	for (size_t i = 0; i < c->ntargets; i++)
		target_free(&c->targets[i]);
	free(c->targets);
	c->targets = NULL;
	c->ntargets = 0;
}
