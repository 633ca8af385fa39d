/*
 * A command line split into argv without a shell: words are separated by
 * blanks (space, tab, newline); 'single quotes' keep everything up to the
 * next single quote; "double quotes" keep everything up to the next double
 * quote, where a backslash escapes only " and \; outside quotes a backslash
 * keeps the next character. Nothing is expanded: $VAR, $(...), ~, globs,
 * ; | & and > are ordinary characters.
 */
#ifndef TIERDUMP_WORDS_H
#define TIERDUMP_WORDS_H

#include <stddef.h>

/*
 * Splits text into *words (*n of them, NULL-terminated, freed with
 * strlist_free(*words, *n)). Returns 0, or -1 after fail(EXIT_CONFIG)
 * naming what (the setting) for an unterminated quote or backslash.
 */
int words_split(const char *text, const char *what, char ***words, size_t *n);

#endif
