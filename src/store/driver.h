/*
 * What a store driver implements; private to src/store/. Commands and the
 * backup writer call the store_* functions of store.h, never these slots,
 * so a driver's contract can change without touching them.
 */
#ifndef TIERDUMP_STORE_DRIVER_H
#define TIERDUMP_STORE_DRIVER_H

#include "store/store.h"

enum store_features {
	/* A staged backup can be published by one atomic rename. Without it,
	 * a backup is written in place and becomes visible with its manifest,
	 * written last. */
	STORE_RENAME = 1,
	/* Many small objects, each put, listed and removed on its own, cheaply:
	 * the chunked format's chunk area (see store_holds_chunks()). */
	STORE_CHUNKS = 2,
};

struct store_ops {
	const char *name;
	unsigned features;

	/* Required. */
	int (*open)(struct store *, const char *location, const struct store_options *);
	void (*close)(struct store *);
	/* A sink for key: nothing is visible under key before sink_commit(). */
	int (*put)(struct store *, const char *key, struct sink **);
	/* Returns 0, 1 when key does not exist (nothing logged), or -1 after fail(). */
	int (*get)(struct store *, const char *key, struct source **);
	/* Entries directly below prefix; a missing prefix lists nothing. */
	int (*list)(struct store *, const char *prefix, store_list_cb, void *);
	/* Makes to hold what from holds: a hard link, a server-side copy, a copy. */
	int (*link_or_copy)(struct store *, const char *from, const char *to);
	/* Removes key and everything below it; it stops being listed first. */
	int (*remove)(struct store *, const char *key);

	/* Optional (NULL: a store without locks, like S3 and FTP, where one
	 * CronJob per tier with concurrencyPolicy Forbid keeps runs apart). */
	/* Holds the tier's exclusive lock, waiting up to timeout seconds. */
	int (*lock)(struct store *, const char *tier, long timeout, void **handle);
	void (*unlock)(struct store *, void *handle);
	/* Removes what interrupted runs left in the tier; says so in the log.
	 * Only where locks exist: without them another run may be writing. */
	int (*clean)(struct store *, const char *tier);

	/* Required with STORE_RENAME. */
	int (*publish)(struct store *, const char *staged, const char *final);
};

struct store {
	const struct store_ops *ops;
	char *location;
	void *priv; /* the driver's own state */
};

/* Names a staging entry starts with; listings skip every hidden name. */
#define STORE_STAGING_PREFIX ".partial-"
#define STORE_DELETING_PREFIX ".deleting-"

extern const struct store_ops store_local_ops, store_s3_ops, store_ftps_ops;

#endif
