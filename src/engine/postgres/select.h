/*
 * RECOVER_DATABASE for PostgreSQL: keeps one database's part of a script,
 * under another name when RECOVER_AS gives one, as the script streams.
 *
 * A database's part starts at pg_dumpall's `-- Database "name" dump`
 * comment, or, in the pg_dump --create scripts of a backup of listed
 * databases, at its CREATE DATABASE line; the parts of the other databases
 * are left out. Renamed, its CREATE DATABASE, \connect, and the ALTER
 * DATABASE, COMMENT ON DATABASE, SECURITY LABEL and GRANT/REVOKE ... ON
 * DATABASE lines naming it name the new database; a part without CREATE
 * DATABASE (pg_dumpall's postgres) gets one before its \connect.
 *
 * Of pg_dumpall's head (roles, tablespaces) only the roles the target lacks
 * are created, with their ALTER ROLE lines, so the database's owners and
 * grants resolve: roles the target has are left as they are (passwords
 * included), and memberships and tablespaces are not restored. Session
 * settings and comments pass.
 *
 * A script that lacks the database fails at its end, naming those it holds.
 */
#ifndef TIERDUMP_PG_SELECT_H
#define TIERDUMP_PG_SELECT_H

#include <stddef.h>

#include "util/stream.h"

/*
 * Wraps inner (which it owns) given the target's roles, the database kept
 * and its new name (NULL: its own). Returns NULL after fail(), having
 * closed inner.
 */
struct source *pg_select_source(struct source *inner, char *const *roles, size_t nroles,
				const char *only, const char *rename);

#endif
