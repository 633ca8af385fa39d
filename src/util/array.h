/* Arrays that grow by doubling as items are appended. */
#ifndef TIERDUMP_ARRAY_H
#define TIERDUMP_ARRAY_H

#include <stddef.h>

/*
 * Room for one more item after the n items of size bytes at items, whose
 * capacity is *cap items: returns items itself while there is room, else a
 * larger block holding them (*cap doubled, 64 at first), or NULL when out of
 * memory, items left as they were.
 */
void *array_grow(void *items, size_t *cap, size_t n, size_t size);

#endif
