/*
 * The chunks of one backup file, in order: stored as a blob (chunks.h) whose
 * SHA-256 the manifest records, so a backup is its manifest plus these lists.
 *
 * The text: a first line "tierdump chunk list 1", then one line per chunk,
 * "<id hex> <plain bytes> <stored bytes>". It names chunks and their sizes,
 * never data, and stays readable without a key, so a store check needs none.
 */
#ifndef TIERDUMP_CHUNKED_CHUNKLIST_H
#define TIERDUMP_CHUNKED_CHUNKLIST_H

#include <stddef.h>
#include <stdint.h>

#include "chunked/chunkset.h"

struct chunk_ref {
	unsigned char id[CHUNK_ID_LEN];
	uint32_t raw, stored;
};

struct chunklist {
	struct chunk_ref *refs;
	size_t n, cap;
};

/* Appends a chunk. Returns 0 or -1 after fail() (memory). */
int chunklist_add(struct chunklist *l, const unsigned char *id, uint32_t raw, uint32_t stored);

/* The list as text, malloc'ed; NULL after fail(). */
char *chunklist_render(const struct chunklist *l);

/* Parses text into l (emptied first). Returns 0, or -1 after fail() naming label. */
int chunklist_parse(const char *text, struct chunklist *l, const char *label);

void chunklist_free(struct chunklist *l);

#endif
