/*
 * Pure rotation logic, no I/O: which backup a promotion takes, which ones a
 * prune removes, which one FROM_BACKUP names. Lists come in, decisions out.
 */
#ifndef TIERDUMP_TIER_H
#define TIERDUMP_TIER_H

#include <stddef.h>
#include <time.h>

#include "util/timestamp.h"

struct manifest;

/* The longest --reason a kept backup has, with its NUL. */
#define KEPT_REASON_MAX 128

struct backup_ref {
	char tier[16];
	char stamp[TS_LEN + 1]; /* canonical timestamp */
	time_t ts;
	char name[64];	  /* entry in the tier: a directory, or bandr's flat file */
	int legacy;	  /* bandr's backup-<timestamp>-dumpall.sql.gz */
	int partial;	  /* some targets failed: listed, never promoted, never latest */
	int unreadable;	  /* its manifest is there but could not be read: left out */
	long long size;	  /* bytes stored, -1 when unknown */
	char verified[8]; /* the last test-restore: "ok", "failed", or "" for none */
	int kept;	  /* pinned by backup --keep: no pruning removes it */
	char kept_reason[KEPT_REASON_MAX]; /* its --reason, "" for none */
	struct manifest *manifest;	   /* owned by whoever filled the list; NULL for legacy */
};

/* Tier names in stacking order. */
extern const char *const tier_names[];
#define TIER_COUNT 4

/* Position of a tier in tier_names, or -1. */
int tier_index(const char *tier);

/* Sorts newest first; the same timestamp in two tiers sorts by tier order. */
void tier_sort_newest_first(struct backup_ref *refs, size_t n);

/* What a prune of one tier keeps. */
struct prune_policy {
	long keep;	   /* BACKUP_COUNT: complete backups kept (below 1 counts as 1) */
	long max_age;	   /* BACKUP_MAX_AGE in seconds: older ones go; 0 for no limit */
	long min_count;	   /* BACKUP_MIN_COUNT: complete ones age never goes below (>= 1) */
	time_t now;	   /* what the ages are measured from */
	int partials_only; /* a run that failed: only partial backups may go */
};

/*
 * Which of a tier's backups (sorted newest first) a prune removes. Kept
 * (pinned) backups never go and count towards nothing. Of the others:
 * a complete backup goes when keep newer complete ones stay, or when it is
 * older than max_age and min_count newer complete ones stay; a partial one
 * goes when keep newer partial ones stay, when it is older than max_age, or
 * when keep complete ones newer than it stay. A partial backup never pushes
 * a complete one out, and the newest backup never goes. With partials_only
 * the complete ones all stay. Sets doomed[i] and returns how many.
 */
size_t tier_prune_plan(const struct backup_ref *refs, size_t n, const struct prune_policy *p,
		       unsigned char *doomed);

/*
 * The backup a promotion takes from the prior tier (sorted newest first):
 * the index of the newest complete one, or -1 when the tier holds no
 * complete backup or fewer than prior_min.
 */
long tier_pick_promotion(const struct backup_ref *refs, size_t n, long prior_min);

/* How many of refs are complete. */
size_t tier_count_complete(const struct backup_ref *refs, size_t n);

/* Whether refs hold a backup with timestamp ts. */
int tier_has(const struct backup_ref *refs, size_t n, time_t ts);

enum from_kind { FROM_NONE, FROM_LATEST, FROM_TIMESTAMP };

struct from_backup {
	enum from_kind kind;
	char prefix[TS_LEN + 1]; /* FROM_TIMESTAMP: the whole timestamp or its start */
};

/* Parses FROM_BACKUP (NULL means none). Returns 0, or -1 for anything else. */
int from_backup_parse(const char *value, struct from_backup *out);

/*
 * Finds the backups FROM_BACKUP names in refs (sorted newest first): latest
 * is the newest complete one; a timestamp may name a partial one.
 * Returns the number of distinct timestamps that match and sets *first to
 * the newest match; FROM_NONE matches nothing.
 */
size_t tier_match(const struct backup_ref *refs, size_t n, const struct from_backup *from,
		  size_t *first);

#endif
