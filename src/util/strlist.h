/* Growable arrays of strings, as (items, count) pairs kept by their owner. */
#ifndef TIERDUMP_STRLIST_H
#define TIERDUMP_STRLIST_H

#include <stddef.h>

/* Appends a copy of s. Returns 0, or -1 when out of memory. */
int strlist_add(char ***items, size_t *n, const char *s);

/* Whether s is one of the items. */
int strlist_has(char *const *items, size_t n, const char *s);

/* Frees the items and the array; accepts NULL. */
void strlist_free(char **items, size_t n);

#endif
