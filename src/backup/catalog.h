/*
 * The backups a store holds: every tier listed, each complete backup's
 * manifest loaded. Only backups with a readable manifest count as complete;
 * anything else in a tier is reported and left alone.
 */
#ifndef TIERDUMP_CATALOG_H
#define TIERDUMP_CATALOG_H

#include <stddef.h>

#include "store/store.h"
#include "tier.h"

struct catalog {
	struct backup_ref *refs; /* sorted newest first */
	size_t n, cap;
	/* The newest backup left out because its manifest could not be read; ts 0: none. */
	struct backup_ref unreadable;
};

/* Scans one tier; with_legacy adds bandr's flat files. Returns 0 or -1. */
int catalog_scan_tier(struct store *s, const char *tier, int with_legacy, struct catalog *out);

/*
 * The time of the newest backup name in tier, complete or not (0 when none),
 * from its listing alone: no manifest is read. Returns 0 or -1.
 */
int catalog_newest_time(struct store *s, const char *tier, time_t *newest);

/* Scans every tier, bandr's files included. Returns 0 or -1. */
int catalog_scan_all(struct store *s, struct catalog *out);

/* Like catalog_scan_all(), with each backup's last test-restore (ref->verified), for listings. */
int catalog_scan_listing(struct store *s, struct catalog *out);

/*
 * Parses a choice of backup (none, latest, a timestamp or its start) given
 * in setting. Returns 0, or -1 after fail() naming setting.
 */
int catalog_parse_choice(const char *setting, const char *value, struct from_backup *out);

/*
 * The one backup a choice names, or NULL after fail(): none matching, or
 * several (which it lists).
 */
const struct backup_ref *catalog_select(const struct catalog *cat, const struct from_backup *from,
					const char *setting, const char *value);

/* Frees the list and the manifests it owns. Accepts an empty catalog. */
void catalog_free(struct catalog *c);

/* The file name bandr gave a dump, for a ref with legacy set. */
#define LEGACY_PREFIX "backup-"
#define LEGACY_SUFFIX "-dumpall.sql.gz"

#endif
