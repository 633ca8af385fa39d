/*
 * Writing backups of the chunked format into one store: the chunks a run
 * stores and the ones it finds there, its chunk lists and blobs, and its
 * writer marker (markers.h) from open to close. Functions return 0, or -1
 * after fail(), unless they say otherwise.
 */
#ifndef TIERDUMP_CHUNKED_WRITER_H
#define TIERDUMP_CHUNKED_WRITER_H

#include "chunked/chunklist.h"
#include "chunked/chunks.h"
#include "chunked/markers.h"
#include "pipeline/pipeline.h"

struct chunk_writer {
	struct store *s;
	struct chunk_codec cc;
	struct chunk_key *key; /* encrypting: the store's chunk key (cc.key); NULL: plain */
	struct chunkset have;  /* the chunks in the store, with their stored sizes */
	struct chunk_marker marker;
	uint64_t new_bytes; /* stored by this run: chunks and blobs */
};

/*
 * Marks a writer in s (waiting out a garbage collection up to timeout
 * seconds) and lists its chunks; new chunks are compressed at zstd's
 * level. NULL after fail().
 */
struct chunk_writer *chunk_writer_open(struct store *s, int level, long timeout);

/*
 * Encrypts the chunks w stores from now on to age (its recipients, or its
 * passphrase), naming them with the store's chunk key (chunkkey.h; key_file:
 * BACKUP_CHUNK_KEY_FILE, which recipients need). Its id into w->key->id.
 */
int chunk_writer_encrypt(struct chunk_writer *w, const struct age_keys *age, const char *key_file);

/* Removes the marker and frees w; accepts NULL. After the manifest is published. */
void chunk_writer_close(struct chunk_writer *w);

/* What a chunked file became. */
struct chunk_file {
	struct pipeline_stats stats; /* raw bytes, stored bytes (all its chunks), list SHA-256 */
	uint64_t new_bytes;	     /* the bytes of chunks it stored, not found in the store */
	uint64_t chunks, new_chunks;
};

/*
 * A sink that cuts what it is written into chunks, stores the ones the store
 * lacks, and on commit stores the file's chunk list and fills *out (which
 * must outlive the sink). label names the file in messages and progress.
 */
struct sink *chunk_sink(struct chunk_writer *w, const char *label, struct chunk_file *out);

/* Stores len bytes at data as a blob; their SHA-256 into sha256 (DIGEST_HEX_LEN + 1). */
int chunk_writer_put_blob(struct chunk_writer *w, const void *data, size_t len, char *sha256);

/*
 * Makes the blob sha256 of from (a chunk list when is_list) and every chunk
 * it lists present in w's store: copied from from when it is another store,
 * checked when it is the same (a promotion must never reference a chunk a
 * collector took). label names the backup file in messages.
 */
int chunk_writer_carry(struct chunk_writer *w, struct store *from, const char *sha256, int is_list,
		       const char *label);

/*
 * Appends the blob sha256 of s to out, checking its SHA-256. 0, or -1 after
 * fail() naming label, what needs it.
 */
int chunk_blob_read(struct store *s, const char *sha256, const char *label, struct membuf *out);

#endif
