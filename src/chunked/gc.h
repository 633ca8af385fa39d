/*
 * Garbage collection of a store's chunk area: chunks and blobs that no
 * backup references are deleted, safely against writers at work (the
 * marker protocol of markers.h) and against a kill at any instant (deleting
 * something unreferenced is all it ever does; what a kill leaves, the next
 * collection takes).
 */
#ifndef TIERDUMP_CHUNKED_GC_H
#define TIERDUMP_CHUNKED_GC_H

#include "chunked/chunks.h"
#include "chunked/markers.h"

/* What the backups of a store reference: chunk lists and other blobs (row counts). */
struct chunk_refs {
	struct chunkset lists, blobs; /* SHA-256s as ids */
};

/* Adds a blob sha256 (hex) a backup references; a list when is_list. Returns 0 or -1. */
int chunk_refs_add(struct chunk_refs *r, const char *sha256, int is_list);

void chunk_refs_free(struct chunk_refs *r);

struct chunk_gc_stats {
	size_t chunks, blobs, kept_chunks;
	uint64_t bytes, kept_bytes;
};

/*
 * Deletes every chunk no list in refs names, and every blob refs does not
 * hold, from s. refs must have been gathered from every manifest of s after
 * marker_gc_begin() found no writer. A list that cannot be read stops the
 * collection before anything is deleted. Stops deleting (successfully)
 * after GC_MAX_SECONDS from began.
 */
int chunk_gc_sweep(struct store *s, const struct chunk_refs *refs, time_t began,
		   struct chunk_gc_stats *stats);

#endif
