#include "util/array.h"

#include <stdint.h>
#include <stdlib.h>

void *array_grow(void *items, size_t *cap, size_t n, size_t size)
{
	size_t want = *cap ? *cap * 2 : 64;
	void *grown;

	if (n < *cap)
		return items;
	if (want < *cap || want > SIZE_MAX / size)
		return NULL;
	grown = realloc(items, want * size);
	if (grown != NULL)
		*cap = want;
	return grown;
}
