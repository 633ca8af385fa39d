/*
 * Adapts a pg_dumpall script to the server it is restored into.
 *
 * The target's superuser exists already, so the script's CREATE ROLE for it
 * would abort the restore under ON_ERROR_STOP: CREATE ROLE lines for roles
 * the target has are left out (the ALTER ROLE after each still sets their
 * attributes and password). The connecting user's own ALTER ROLE ... WITH
 * line is moved to the end of the script, so the restore keeps logging in
 * with the password it started with until its last \connect.
 *
 * Only the script's head, before its first \connect, is looked at for
 * roles.
 *
 * A newer pg_dump sets parameters an older server does not know (SET
 * transaction_timeout, new in 17), which ON_ERROR_STOP would turn into a
 * failed restore: every statement that sets a parameter the target lacks,
 * "SET name = ...;" or "SELECT pg_catalog.set_config('name', ...);" on a
 * line of its own outside COPY data, is left out, and the names are logged
 * once at the end. Custom parameters (with a dot) are accepted by every
 * server and always kept. A dump made by a pg_dump no newer than the
 * target ("-- Dumped by pg_dump version N" at the start of each database)
 * sets only what the target knows: from that line on it passes untouched.
 */
#ifndef TIERDUMP_PG_FILTER_H
#define TIERDUMP_PG_FILTER_H

#include <stddef.h>

#include "util/stream.h"

/*
 * Wraps inner (which the filter owns) given the target's roles, the user
 * the restore connects as, the parameters the target knows (pg_settings;
 * none: every parameter is kept) and its major version. Returns NULL after
 * fail(), having closed inner.
 */
struct source *pg_filter_source(struct source *inner, char *const *roles, size_t nroles,
				const char *current_user, char *const *settings, size_t nsettings,
				int target_major);

/*
 * Whether ident, as pg_dumpall writes an identifier (bare, or in double
 * quotes with quotes doubled), of len bytes, names role.
 */
int pg_ident_is(const char *ident, size_t len, const char *role);

/* The end of the identifier at p (bare, or quoted with quotes doubled) before end, or NULL. */
const char *pg_ident_end(const char *p, const char *end);

/*
 * Matches "<prefix><identifier><suffix>" at the start of line (len bytes);
 * when suffix_ends the suffix must end it. Returns the identifier and its
 * length, or NULL.
 */
const char *pg_match_ident(const char *line, size_t len, const char *prefix, const char *suffix,
			   int suffix_ends, size_t *ident_len);

/*
 * Whether line is COPY data (rows, never statements), as the lines before
 * it set *in_copy (0 at the start of a script).
 */
int pg_copy_data(int *in_copy, const char *line, size_t len);

/*
 * Reads a whole dump (closing inner) and collects the roles its OWNER TO and
 * GRANT ... TO statements name, so a scratch server can have them before a
 * single-database dump is restored into it. Returns 0 or -1 after fail().
 */
int pg_collect_roles(struct source *inner, char ***roles, size_t *n);

#endif
