/*
 * Where backups live. A store maps keys ("hourly/2026-11-21T10:07:00Z/manifest")
 * to bytes. Each driver exports one const ops struct; store_open() picks it
 * from the location's scheme.
 */
#ifndef TIERDUMP_STORE_H
#define TIERDUMP_STORE_H

#include "util/stream.h"

struct store;

/* What the drivers need from the settings; built from them by store_options(). */
struct store_options {
	const char *s3_key_id, *s3_secret, *s3_region, *s3_endpoint;
	long s3_max_parts;	 /* the provider's limit on parts per upload */
	long long s3_copy_limit; /* the largest object one CopyObject copies */
	const char *ftp_user, *ftp_password, *ftp_ca_file;
	int ftp_insecure; /* FTP_INSECURE: accept any certificate (tests only) */
	long retries;	  /* attempts after a temporary failure */
};

/*
 * Called for each entry directly below a listed prefix, with its size in
 * bytes (-1 for a directory or when unknown); non-zero stops the listing.
 */
typedef int (*store_list_cb)(const char *name, int is_dir, long long size, void *arg);

enum store_features {
	/* A staged backup can be published by one atomic rename. Without it,
	 * a backup is written in place and becomes visible with its manifest,
	 * written last. */
	STORE_RENAME = 1,
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
	int (*promote)(struct store *, const char *from, const char *to);
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

struct config;

/* The store the settings name (BACKUP_STORE, S3_BUCKET or BACKUP_DIR) and its options. */
const char *store_location(const struct config *c);
void store_options_from(const struct config *c, struct store_options *o);

/*
 * Opens the store a location names: a path, file:///path or
 * s3://bucket/prefix. NULL after fail().
 */
struct store *store_open(const char *location, const struct store_options *opts);
void store_close(struct store *);

/* Opens the store the settings name (store_location) with their options. NULL after fail(). */
struct store *store_open_configured(const struct config *c);

/*
 * The key a new backup is written under before it is published: a hidden
 * staging name on stores that rename, the final name on the others.
 * Writes into buf of buflen bytes.
 */
void store_staging_key(const struct store *s, const char *tier, const char *stamp, char *buf,
		       size_t buflen);

/*
 * The tier's lock, and the removal of what interrupted runs left in it,
 * on stores that have locks; nothing on the others. Returns 0 or -1.
 */
int store_lock(struct store *s, const char *tier, long timeout, void **handle);
void store_unlock(struct store *s, void *handle);

/* Publishes a backup written under staging (store_staging_key) as final. */
int store_publish(struct store *s, const char *staging, const char *final);

/* Opens key for reading; a missing key fails, naming it. Returns 0 or -1. */
int store_get(struct store *s, const char *key, struct source **out);

/*
 * Reads a whole small object (a manifest) into a new string the caller
 * frees. Returns NULL after fail(), or, when missing is not NULL and the key
 * does not exist, NULL with *missing set and nothing logged.
 */
char *store_read_small(struct store *s, const char *key, int *missing);

/* Streams one object from a store into another (or the same) as it is. Returns 0 or -1. */
int store_copy(struct store *from, const char *from_key, struct store *to, const char *to_key);

/* Writes text to key atomically. Returns 0 or -1 after fail(). */
int store_write_small(struct store *s, const char *key, const char *text);

/* Names a staging entry starts with; listings skip every hidden name. */
#define STORE_STAGING_PREFIX ".partial-"
#define STORE_DELETING_PREFIX ".deleting-"

extern const struct store_ops store_local_ops, store_s3_ops, store_ftps_ops;

#endif
