/* Growable arrays of strings, as (items, count) pairs kept by their owner. */
#ifndef TIERDUMP_STRLIST_H
#define TIERDUMP_STRLIST_H

#include <stddef.h>

/*
 * Appends a copy of s; a NULL follows the items, so that a list is an argv.
 * Returns 0, or -1 when out of memory.
 */
int strlist_add(char ***items, size_t *n, const char *s);

/* Whether s is one of the items. */
int strlist_has(char *const *items, size_t n, const char *s);

/*
 * Appends the words of text, split at any of the characters of seps (empty
 * words dropped). Returns 0, or -1 when out of memory.
 */
int strlist_split(const char *text, const char *seps, char ***items, size_t *n);

/* The items joined by ", " into buf (len bytes), cut short when it is full. */
void strlist_join(char *const *items, size_t n, char *buf, size_t len);

/* Frees the items and the array; accepts NULL. */
void strlist_free(char **items, size_t n);

#endif
