/*
 * The one way a backup is written, whether an hourly run dumps it, a higher
 * tier promotes it or a mirror receives it: staged under the store's staging
 * key, its files added, its manifest written last, then published; on any
 * failure the staged backup is removed, so nothing half-written is ever
 * listed. Functions return 0, or -1 after fail().
 *
 * Failure classes: what the store refuses keeps the store's class (73 when
 * it cannot be written, 66 when a file to link vanished); a manifest that
 * cannot be rendered is EXIT_STORE too, since the backup cannot be written
 * as it must be read back. A mirror's caller sums any of them up as
 * EXIT_MIRROR.
 */
#ifndef TIERDUMP_BACKUP_WRITER_H
#define TIERDUMP_BACKUP_WRITER_H

#include "backup/manifest.h"
#include "chunked/chunks.h"
#include "compress/codec.h"
#include "pipeline/pipeline.h"
#include "store/store.h"

struct backup_writer;

/*
 * Starts the backup tier/stamp in s. m is the caller's and must outlive the
 * writer: its tier is set to tier, files are added to it as they are
 * committed, and backup_commit() writes it. NULL after fail().
 */
struct backup_writer *backup_begin(struct store *s, const char *tier, const char *stamp,
				   struct manifest *m);

/* What one added file became; filled when its sink commits. */
struct backup_added {
	struct pipeline_stats stats; /* bytes in, bytes stored, SHA-256, when it began */
	struct manifest_file *file;  /* its entry in the manifest */
	uint64_t new_bytes; /* what it added to the store (the chunked format's new chunks) */
};

/*
 * Writes the backup in the chunked format (chunked/chunks.h): files added are
 * cut into chunks compressed with zstd at level, stored once in w's store; the
 * row counts become a blob. Marks a writer in the store until the backup is
 * committed or aborted, waiting up to timeout seconds for a garbage
 * collection to end. Sets the manifest's format.
 */
int backup_use_chunks(struct backup_writer *w, int level, long timeout);

/*
 * Encrypts the chunks of the backup to age (its recipients, or its
 * passphrase) under the store's chunk key (key_file: BACKUP_CHUNK_KEY_FILE),
 * whose id the manifest records. After backup_use_chunks().
 */
int backup_encrypt_chunks(struct backup_writer *w, const struct age_keys *age,
			  const char *key_file);

/*
 * For a chunked backup m held by from (w's store, or another one): makes
 * every chunk and blob it references present in w's store, copying what a
 * mirror lacks, checking what a promotion relies on. After backup_use_chunks().
 */
int backup_carry_chunks(struct backup_writer *w, struct store *from, const struct manifest *m);

/*
 * A sink for the new file name: compressed with codec at level on up to
 * threads threads, encrypted to age's recipients unless age is NULL, and hashed on its way into the
 * store. On sink_commit() the file's entry (size, raw size, SHA-256) is added to the manifest and
 * *added filled (it must outlive the sink); on sink_abort() nothing is
 * recorded. The caller commits or aborts it. NULL after fail().
 */
struct sink *backup_add(struct backup_writer *w, const char *name, const struct codec *codec,
			int level, int threads, const struct age_keys *age,
			struct backup_added *added);

/*
 * Puts file of the backup from_tier/from_name held by from into the staged
 * backup as it is: a hard link or server-side copy within one store
 * (store_link_or_copy), streamed across stores (store_copy). The manifest
 * is the caller's to describe it.
 */
int backup_link_or_copy(struct backup_writer *w, struct store *from, const char *from_tier,
			const char *from_name, const char *file);

/*
 * Puts everything the backup from_tier/from_name of from (m describes it)
 * holds besides its manifest into the staged backup: each file linked or
 * copied, or, for a chunked backup, its chunks made present (waiting up to
 * timeout seconds for a garbage collection, see backup_use_chunks()).
 */
int backup_copy_files(struct backup_writer *w, struct store *from, const char *from_tier,
		      const char *from_name, const struct manifest *m, long timeout);

/*
 * Writes a small file (the row counts) into the staged backup, encrypted to
 * age, and the SHA-256 of the stored bytes into sha256 (DIGEST_HEX_LEN + 1).
 */
int backup_write_small_age(struct backup_writer *w, const char *file, const char *text,
			   const struct age_keys *age, char *sha256);

/* Writes a small file (the row counts) into the staged backup. */
int backup_write_small(struct backup_writer *w, const char *file, const char *text);

/* The key of file in the staged backup, into buf (KEY_MAX bytes); returns buf. */
char *backup_staged_key(const struct backup_writer *w, const char *file, char *buf);

/* The key the backup is published under: "tier/stamp". Owned by w. */
const char *backup_final_key(const struct backup_writer *w);

/*
 * Renders the manifest, writes it last and publishes the backup. Frees w,
 * and on failure removes the staged backup first.
 */
int backup_commit(struct backup_writer *w);

/*
 * Like backup_commit(), with the manifest text given as it is: a mirror's
 * copy keeps the primary's manifest byte for byte (fields a newer version
 * wrote included).
 */
int backup_commit_text(struct backup_writer *w, const char *manifest);

/* Removes the staged backup, saying so, and frees w. Accepts NULL. */
void backup_abort(struct backup_writer *w);

#endif
