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

struct manifest;
struct manifest_file;

/*
 * The plain bytes of the file f of the backup r, which m describes (a
 * bandr file has none of its own): read from s (its chunks, in
 * the chunked format), decrypted with c's identities or passphrase when m says the backup
 * is encrypted, decompressed. NULL after fail(): a wrong or missing key
 * names the recipients the manifest records.
 */
struct source *restore_open(const struct config *c, struct store *s, const struct backup_ref *r,
			    const struct manifest *m, const struct manifest_file *f);

/*
 * The text of a small encrypted file of a backup (the row counts),
 * decrypted, NUL-terminated and malloc'ed, with the SHA-256 of its stored
 * bytes into stored_sha256 (DIGEST_HEX_LEN + 1 bytes). NULL after fail().
 */
char *restore_read_small(const struct config *c, struct store *s, const struct manifest *m,
			 const char *key, char *stored_sha256);

/*
 * Opens the age header of the stored file key with c's keys (and closes it):
 * whether the backup can be decrypted, before anything is touched.
 */
int restore_check_key(const struct config *c, struct store *s, const struct manifest *m,
		      const char *key);

/*
 * Verifies r, restores each of its targets (or --target's) into the server
 * its settings name, then runs DATABASE_EXPECTED_COUNT.
 */
int restore_backup(const struct config *c, struct store *s, const struct backup_ref *r,
		   struct report *report);

#endif
