/* Backup timestamps: UTC, ISO 8601, to the second: 2026-11-21T10:07:00Z. */
#ifndef TIERDUMP_TIMESTAMP_H
#define TIERDUMP_TIMESTAMP_H

#include <stddef.h>
#include <time.h>

#define TS_LEN 20 /* strlen("2026-11-21T10:07:00Z") */

/* Formats t into buf, which holds at least TS_LEN + 1 bytes. */
void ts_format(time_t t, char *buf);

/* Parses exactly our canonical form; returns 0 and sets *t, or -1. */
int ts_parse(const char *s, time_t *t);

/*
 * Parses the forms bandr used in its flat file names as well as ours:
 * 2026-11-21T10:07:00Z, 2026-11-21T10:07:00, 2026-11-21T10-07-00,
 * 20261121T100700Z, 20261121-100700. Returns 0 and sets *t, or -1.
 */
int ts_parse_lenient(const char *s, size_t len, time_t *t);

/* Whether s could begin a canonical timestamp (digits where digits go). */
int ts_is_prefix(const char *s);

#endif
