#include "util/strlist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int strlist_add(char ***items, size_t *n, const char *s)
{
	/* One more: a NULL after the items makes the list an argv. */
	char **grown = realloc(*items, (*n + 2) * sizeof(*grown));

	if (grown == NULL)
		return -1;
	*items = grown;
	grown[*n] = strdup(s);
	if (grown[*n] == NULL)
		return -1;
	grown[++*n] = NULL;
	return 0;
}

int strlist_has(char *const *items, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(items[i], s) == 0)
			return 1;
	return 0;
}

int strlist_split(const char *text, const char *seps, char ***items, size_t *n)
{
	while (text != NULL && *text != '\0') {
		size_t len = strcspn(text, seps);
		char *word;

		if (len > 0) {
			word = strndup(text, len);
			if (word == NULL || strlist_add(items, n, word) < 0) {
				free(word);
				return -1;
			}
			free(word);
		}
		text += len;
		text += strspn(text, seps);
	}
	return 0;
}

void strlist_join(char *const *items, size_t n, char *buf, size_t len)
{
	if (len == 0)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t used = strlen(buf);

		snprintf(buf + used, len - used, "%s%s", i ? ", " : "", items[i]);
	}
}

void strlist_free(char **items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(items[i]);
	free(items);
}
