/*
 * The chunk area of a store, shared by every backup of the chunked format in
 * it, whatever its tier:
 *
 *   chunks/data/<id>     one chunk: its bytes compressed with zstd (one
 *                        frame), and, for encrypted backups, that frame as
 *                        an age file. <id> is the SHA-256 of the chunk's
 *                        plain bytes, or, encrypted, their HMAC-SHA-256
 *                        under the store's chunk key (chunkkey.h).
 *   chunks/blobs/<sha>   a chunk list (chunklist.h) or a backup's row counts
 *                        (an age file when encrypted), named by the SHA-256
 *                        of its stored bytes. Lists stay plain: they hold
 *                        chunk names and sizes, and the garbage collector
 *                        of a store encrypted to recipients has no key.
 *   chunks/keys/<id>     the chunk keys (chunkkey.h).
 *   chunks/damaged/<id>-<epoch>   chunks recover --check-store --repair found
 *                        damaged and set aside: kept for inspection, never
 *                        read, left for the operator to remove.
 *   chunks/writers/, chunks/gc/   the markers of runs at work (markers.h).
 *
 * Each chunk is stored once; backups reference chunks through their lists,
 * and the garbage collector (gc.h) removes what no backup references.
 */
#ifndef TIERDUMP_CHUNKED_CHUNKS_H
#define TIERDUMP_CHUNKED_CHUNKS_H

#include <stdint.h>

#include "chunked/chunkset.h"
#include "store/store.h"
#include "util/membuf.h"

#define CHUNKS_AREA "chunks"
#define CHUNKS_DATA CHUNKS_AREA "/data"
#define CHUNKS_BLOBS CHUNKS_AREA "/blobs"
#define CHUNKS_DAMAGED CHUNKS_AREA "/damaged"
#define CHUNK_KEY_MAX 160

struct chunk_key;

/*
 * Packing and unpacking chunks: zstd's level and contexts, the chunk key
 * when they are encrypted, and scratch, reused chunk to chunk.
 */
struct chunk_codec {
	int level;		     /* zstd's, for new chunks */
	const struct chunk_key *key; /* NULL: plain chunks named by their SHA-256 */
	void *cctx, *dctx;	     /* zstd's contexts, made on first use */
	unsigned char *buf, *plain;  /* scratch for one stored chunk, and its plain bytes */
	size_t cap;
	struct membuf sealed; /* an encrypted chunk's zstd frame, or its age file */
	int damaged; /* chunk_get() failed on bytes it read whole: they are wrong, not unread */
};

/* "chunks/data/<hex>" and "chunks/blobs/<sha256hex>" into buf (CHUNK_KEY_MAX bytes); return buf. */
char *chunk_key(char *buf, const unsigned char *id);
char *chunk_blob_key(char *buf, const char *sha256hex);

/* The id of len plain bytes at data: their SHA-256, or their HMAC under cc's key. */
void chunk_id(const struct chunk_codec *cc, const void *data, size_t len, unsigned char *id);

/*
 * Stores len plain bytes at data as the chunk id (chunk_id()), compressed
 * (and encrypted), visible only once whole; *stored: the bytes it takes.
 */
int chunk_put(struct store *s, struct chunk_codec *cc, const unsigned char *id, const void *data,
	      size_t len, uint64_t *stored);

/*
 * Reads the chunk id, of raw plain bytes, and checks that its bytes have
 * that id. Returns its plain bytes (cc's, valid until the next call), or
 * NULL after fail() naming the chunk and what (label: the backup file) needs it.
 */
const unsigned char *chunk_get(struct store *s, struct chunk_codec *cc, const unsigned char *id,
			       uint64_t raw, const char *label);

/*
 * Moves the chunk id out of the chunk area to chunks/damaged/, so that the
 * next backup whose data holds its bytes stores it again, under the same
 * name, which mends every backup that needs it. A kill between the copy
 * and the removal leaves both, and a second repair moves it again.
 */
int chunk_set_aside(struct store *s, const unsigned char *id);

/* Every chunk the store holds, with its stored size; their total into *bytes unless NULL. */
int chunk_list_store(struct store *s, struct chunkset *out, uint64_t *bytes);

void chunk_codec_free(struct chunk_codec *cc);

#endif
