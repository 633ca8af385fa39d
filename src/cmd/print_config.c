/*
 * backup --print-config, recover --print-config: every setting as the run
 * would see it, where its value came from, secrets masked. Contacts
 * nothing: no store is opened, no server asked, no hook run.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"

/* "path:12: key" (how conf_set() names a config-file line) without ": key". */
static void without_key(const char *origin, char *out, size_t len)
{
	const char *key = strstr(origin, ": ");

	snprintf(out, len, "%.*s", key ? (int)(key - origin) : (int)strlen(origin), origin);
}

static void describe_origin(const struct config *c, const struct setting *s, char *out, size_t len)
{
	const char *origin = conf_origin(c, s);
	char place[4200];

	if (origin == NULL) {
		snprintf(out, len, "%s", conf_is_set(c, s) ? "default" : "-");
	} else if (strncmp(origin, "--", 2) == 0) {
		snprintf(out, len, "flag %s", origin);
	} else if (strncmp(origin, "tier policy ", 12) == 0) {
		without_key(origin, place, sizeof(place));
		snprintf(out, len, "%s", place);
	} else if (strchr(origin, ':') != NULL) {
		without_key(origin, place, sizeof(place));
		snprintf(out, len, "config file %s", place);
	} else {
		snprintf(out, len, "environment %s", origin);
	}
}

static void describe_value(const struct config *c, const struct setting *s, char *out, size_t len)
{
	const void *field = (const char *)c + s->offset;

	if (!conf_is_set(c, s))
		snprintf(out, len, "(unset)");
	else if (s->secret)
		snprintf(out, len, "********");
	else if (s->kind == SETTING_STRING)
		snprintf(out, len, "%s", *(char *const *)field);
	else if (s->kind == SETTING_BOOL)
		snprintf(out, len, "%s", *(const long *)field ? "true" : "false");
	else
		snprintf(out, len, "%ld", *(const long *)field);
}

void print_config(const struct config *c, FILE *out)
{
	fprintf(out, "%-30s %-40s %s\n", "SETTING", "VALUE", "ORIGIN");
	for (const struct setting *s = conf_settings; s->help != NULL; s++) {
		char value[4096], origin[4300], name[64];

		if (s->env == NULL && s->flag == NULL)
			continue; /* a config-file key we accept but do not keep */
		snprintf(name, sizeof(name), "%s%s", s->env ? "" : "--", s->env ? s->env : s->flag);
		describe_value(c, s, value, sizeof(value));
		describe_origin(c, s, origin, sizeof(origin));
		fprintf(out, "%-30s %-40s %s\n", name, value, origin);
	}
	for (size_t i = 0; i < c->ntargets; i++)
		fprintf(out, "target %-23s %-40s %s\n",
			*c->targets[i].name ? c->targets[i].name : "(unnamed)",
			c->targets[i].engine,
			c->targets_listed ? "config file targets" : "environment");
}

int cmd_print_config(const struct config *c, struct store *s, struct report *r,
		     char *const *operands)
{
	(void)s;
	(void)r;
	(void)operands;
	print_config(c, stdout);
	return fflush(stdout) == 0 ? 0 : -1;
}
