/* recover's restore: pick a backup, prove it intact, feed it to its engine. */
#ifndef TIERDUMP_RESTORE_H
#define TIERDUMP_RESTORE_H

#include "backup/catalog.h"
#include "conf.h"
#include "store/store.h"

struct report;

/*
 * Checks every file of r that is to be restored (all, or --target's) against
 * its manifest (or, for bandr's files without one, that the gzip stream is
 * whole) without touching a server.
 * Returns 0, or -1 after fail() naming the file.
 */
int restore_verify(const struct config *c, struct store *s, const struct backup_ref *r);

/*
 * Verifies r, restores each of its targets (or --target's) into the server
 * its settings name, then runs DATABASE_EXPECTED_COUNT.
 */
int restore_backup(const struct config *c, struct store *s, const struct backup_ref *r,
		   struct report *report);

#endif
