/* What one run of backup does, by tier. Each returns 0, or -1 after fail(). */
#ifndef TIERDUMP_JOBS_H
#define TIERDUMP_JOBS_H

#include "backup/catalog.h"
#include "conf.h"
#include "store/store.h"

struct report;

/*
 * Dumps into a new hourly backup, then prunes the hourly tier. Its
 * timestamp goes into stamp (TS_LEN + 1 bytes). The jobs record what the
 * run's report says in r.
 */
int job_hourly(const struct config *c, struct store *s, char *stamp, struct report *r);

/*
 * Promotes the prior tier's newest backup into c->tier, then prunes it.
 * The timestamp the tier holds goes into stamp, or "" when nothing was promoted.
 */
int job_promote(const struct config *c, struct store *s, char *stamp, struct report *r);

/*
 * Copies the backup tier/stamp from the primary store to every
 * BACKUP_MIRROR store, then prunes their tier the same way. The primary is
 * only read; nothing when no mirror is set or stamp is "" (nothing promoted).
 * Returns 0, or -1 after fail(EXIT_MIRROR, ...).
 */
int job_mirror(const struct config *c, struct store *primary, const char *stamp);

/*
 * A tier's run: job (job_hourly or job_promote), then the mirrors of what it
 * made or holds. Returns 0, or -1 after fail().
 */
int job_with_mirrors(const struct config *c, struct store *s, struct report *r,
		     int (*job)(const struct config *, struct store *, char *stamp,
				struct report *));

/*
 * Prunes c->tier in s as tier_prune_plan() says (BACKUP_COUNT,
 * BACKUP_MAX_AGE, BACKUP_MIN_COUNT, kept backups; with partials_only, a
 * failed run's, partial backups only), then the archived WAL no remaining
 * base backup needs. Reports how many remain to r: the primary store's
 * report, NULL for a mirror.
 */
int job_prune(const struct config *c, struct store *s, int partials_only, struct report *r);

/*
 * Deletes the chunks and blobs of the chunked format that no backup of s
 * references (cmd/gc.c); deletes nothing while a backup is being written.
 */
int job_collect(struct store *s);

/* Holds the tier's lock and removes what interrupted runs left in it. */
int job_lock_tier(const struct config *c, struct store *s, const char *tier, void **lock);

/* What job_pick_backup() holds until job_picked_free(): the tier's lock and its catalog. */
struct picked {
	void *lock;
	int locked; /* the lock is held: on a local store, handle 0 may be a descriptor */
	struct catalog cat;
};

/*
 * Locks c->tier and finds the one backup of it that value (a timestamp or
 * its start, given as --flag) names. Returns it (owned by p), or NULL after
 * fail(): a bad value, no match, several matches. Either way the caller
 * calls job_picked_free().
 */
const struct backup_ref *job_pick_backup(const struct config *c, struct store *s, const char *flag,
					 const char *value, struct picked *p);
void job_picked_free(struct store *s, struct picked *p);

#endif
