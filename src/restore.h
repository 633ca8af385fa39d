/* recover's restore: pick a backup, prove it intact, feed it to its engine. */
#ifndef TIERDUMP_RESTORE_H
#define TIERDUMP_RESTORE_H

#include "catalog.h"
#include "conf.h"
#include "store/store.h"

/*
 * Checks every file of r against its manifest (or, for bandr's files
 * without one, that the gzip stream is whole) without touching a server.
 * Returns 0, or -1 after fail() naming the file.
 */
int restore_verify(struct store *s, const struct backup_ref *r);

/* Verifies r, restores it, then runs DATABASE_EXPECTED_COUNT. */
int restore_backup(const struct config *c, struct store *s, const struct backup_ref *r);

#endif
