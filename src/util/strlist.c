#include "util/strlist.h"

#include <stdlib.h>
#include <string.h>

int strlist_add(char ***items, size_t *n, const char *s)
{
	char **grown = realloc(*items, (*n + 1) * sizeof(*grown));

	if (grown == NULL)
		return -1;
	*items = grown;
	grown[*n] = strdup(s);
	if (grown[*n] == NULL)
		return -1;
	(*n)++;
	return 0;
}

int strlist_has(char *const *items, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(items[i], s) == 0)
			return 1;
	return 0;
}

void strlist_free(char **items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(items[i]);
	free(items);
}
