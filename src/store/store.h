/*
 * Where backups live. A store maps keys ("hourly/2026-11-21T10:07:00Z/manifest")
 * to bytes. This is the whole of what the rest of tierdump may call; each
 * driver (local, s3, ftps) is a const ops struct behind it, private to
 * src/store/ (driver.h), picked by store_open() from the location's scheme.
 * Functions return 0, or -1 after fail(), unless they say otherwise.
 */
#ifndef TIERDUMP_STORE_H
#define TIERDUMP_STORE_H

#include "util/stream.h"

struct store;
struct config;

/* What the drivers need from the settings; built from them by store_options_from(). */
struct store_options {
	const char *s3_key_id, *s3_secret, *s3_region, *s3_endpoint;
	long s3_max_parts;	 /* the provider's limit on parts per upload */
	long long s3_copy_limit; /* the largest object one CopyObject copies */
	/* Keys without static ones (store/s3/credentials.h); token files are read at each use. */
	const char *s3_session_token, *s3_role_arn, *s3_web_identity_token_file,
	    *s3_role_session_name, *s3_sts_endpoint;
	const char *s3_container_uri, *s3_container_relative_uri, *s3_container_token,
	    *s3_container_token_file;
	const char *s3_imds_endpoint;
	int s3_imds_disabled;
	/* What objects are created with: S3_STORAGE_CLASS, S3_SSE, S3_SSE_KMS_KEY_ID. */
	const char *s3_storage_class, *s3_sse, *s3_sse_kms_key_id;
	const char *ftp_user, *ftp_password, *ftp_ca_file;
	int ftp_insecure; /* FTP_INSECURE: accept any certificate (tests only) */
	long retries;	  /* attempts after a temporary failure */
	long max_rate;	  /* BACKUP_MAX_RATE: upload bytes per second, 0: no cap */
};

/*
 * The object that makes a backup complete: written last where a backup
 * cannot be published by a rename, removed first. backup/keys.h names it
 * KEY_MANIFEST.
 */
#define STORE_MARKER "manifest"

/*
 * Called for each entry directly below a listed prefix, with its size in
 * bytes (-1 for a directory or when unknown); non-zero stops the listing.
 */
typedef int (*store_list_cb)(const char *name, int is_dir, long long size, void *arg);

/* ------------------------------------------------------------ opening */

/* The store the settings name (BACKUP_STORE, S3_BUCKET or BACKUP_DIR) and its options. */
const char *store_location(const struct config *c);
void store_options_from(const struct config *c, struct store_options *o);

/*
 * Opens the store a location names: a path, file:///path,
 * s3://bucket/prefix or ftps://host/path. NULL after fail(); the caller
 * closes it with store_close(), which accepts NULL.
 */
struct store *store_open(const char *location, const struct store_options *opts);
void store_close(struct store *);

/* Opens the store the settings name (store_location) with their options. NULL after fail(). */
struct store *store_open_configured(const struct config *c);

/* Where the store is (its location as opened), for messages; owned by the store. */
const char *store_name(const struct store *s);

/* ------------------------------------------------------------ objects */

/* A sink for key: nothing is visible under key before sink_commit(). */
int store_put(struct store *s, const char *key, struct sink **out);

/* Opens key for reading; a missing key fails, naming it. */
int store_get(struct store *s, const char *key, struct source **out);

/*
 * The same, but when missing is not NULL a missing key returns -1 with
 * *missing set and nothing logged or recorded.
 */
int store_get_if_there(struct store *s, const char *key, struct source **out, int *missing);

/* Calls cb for each entry directly below prefix; a missing prefix lists nothing. */
int store_list(struct store *s, const char *prefix, store_list_cb cb, void *arg);

/* Makes to hold what from holds: a hard link, a server-side copy, or a copy. */
int store_link_or_copy(struct store *s, const char *from, const char *to);

/*
 * Whether s takes the chunked format's chunk area: local disks and S3 do;
 * over FTPS every object costs a TLS data connection of its own and its
 * removal works on backups' directories, so the chunked format is refused.
 */
int store_holds_chunks(const struct store *s);

/* The same for a store not yet opened, by its location; 0 for one no driver takes. */
int store_location_holds_chunks(const char *location);

/* Removes key and everything below it; it stops being listed first. */
int store_remove(struct store *s, const char *key);

/*
 * Reads a whole small object (a manifest) into a new string the caller
 * frees. Returns NULL after fail(), or, when missing is not NULL and the key
 * does not exist, NULL with *missing set and nothing logged.
 */
char *store_read_small(struct store *s, const char *key, int *missing);

/* Writes text to key atomically. */
int store_write_small(struct store *s, const char *key, const char *text);

/* Writes len bytes at data to key atomically (a chunk, an age file). */
int store_write_bytes(struct store *s, const char *key, const void *data, size_t len);

/* Streams one object from a store into another (or the same) as it is. */
int store_copy(struct store *from, const char *from_key, struct store *to, const char *to_key);

/* ------------------------------------------------------------ backups */

/*
 * The name, within its tier, a new backup stamp is written under before it
 * is published: a hidden staging name on stores that rename, stamp itself
 * on the others. Writes into buf of buflen bytes.
 */
void store_staging_name(const struct store *s, const char *stamp, char *buf, size_t buflen);

/* Publishes a backup written under the key staging (store_staging_name) as final. */
int store_publish(struct store *s, const char *staging, const char *final);

/*
 * The tier's lock, and the removal of what interrupted runs left in it,
 * on stores that have locks; nothing on the others (*handle NULL).
 */
int store_lock(struct store *s, const char *tier, long timeout, void **handle);
void store_unlock(struct store *s, void *handle);

#endif
