/* Reading backup files of the chunked format. */
#ifndef TIERDUMP_CHUNKED_READER_H
#define TIERDUMP_CHUNKED_READER_H

#include "chunked/chunklist.h"
#include "chunked/chunks.h"

/*
 * The plain bytes of the file whose chunk list is the blob list_sha256 of s:
 * each chunk read in turn and checked against its id before any of its
 * bytes is given out, so a reader never gets bytes past a damaged chunk.
 * label (the backup's file) names it in messages. key: the chunk key of an
 * encrypted backup, which the source owns from here on; NULL for plain ones.
 * NULL after fail().
 */
struct source *chunk_source(struct store *s, struct chunk_key *key, const char *list_sha256,
			    const char *label);

/*
 * Reads and parses the chunk list list_sha256 of s into l. Returns 0, or -1
 * after fail() naming label.
 */
int chunk_list_read(struct store *s, const char *list_sha256, struct chunklist *l,
		    const char *label);

/*
 * Whether every chunk of the list list_sha256 is in have (a listing of the
 * store, with stored sizes) at its size: fails naming the first missing or
 * wrong one and label. Returns 0 or -1.
 */
int chunk_list_check(struct store *s, const char *list_sha256, const struct chunkset *have,
		     const char *label);

#endif
