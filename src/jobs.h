/* What one run of backup does, by tier. Each returns 0, or -1 after fail(). */
#ifndef TIERDUMP_JOBS_H
#define TIERDUMP_JOBS_H

#include "conf.h"
#include "store/store.h"

/* Dumps into a new hourly backup, then prunes the hourly tier. */
int job_hourly(const struct config *c, struct store *s);

/* Promotes the prior tier's newest backup into c->tier, then prunes it. */
int job_promote(const struct config *c, struct store *s);

/*
 * Test-restores the backup c->verify names into a throwaway server, checks
 * what came back and records the result beside the backup.
 */
int job_verify(const struct config *c, struct store *s);

/* Removes the oldest complete backups of tier until keep remain. */
int job_prune(struct store *s, const char *tier, long keep);

/* Holds the tier's lock and removes what interrupted runs left in it. */
int job_lock_tier(const struct config *c, struct store *s, const char *tier, void **lock);

#endif
