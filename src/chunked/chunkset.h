/*
 * A set of chunk ids (32 bytes each) with a number per id: the chunks a
 * store holds and their stored sizes, or the chunks the manifests reference.
 */
#ifndef TIERDUMP_CHUNKED_CHUNKSET_H
#define TIERDUMP_CHUNKED_CHUNKSET_H

#include <stddef.h>
#include <stdint.h>

#define CHUNK_ID_LEN 32

struct chunkset {
	unsigned char (*ids)[CHUNK_ID_LEN];
	uint64_t *values;
	size_t n, cap; /* cap: a power of two, or 0 */
};

/* Adds id with value, or sets the value of an id already there. Returns 0 or -1 (memory). */
int chunkset_put(struct chunkset *s, const unsigned char *id, uint64_t value);

/* Whether id is in s; its value into *value when value is not NULL. */
int chunkset_get(const struct chunkset *s, const unsigned char *id, uint64_t *value);

/* Calls cb for each id in s, in no order; non-zero from cb stops and is returned. */
int chunkset_each(const struct chunkset *s,
		  int (*cb)(const unsigned char *id, uint64_t value, void *arg), void *arg);

void chunkset_free(struct chunkset *s);

/* id as 64 lowercase hex digits into hex (65 bytes). */
void chunk_id_hex(const unsigned char *id, char *hex);

/* Parses 64 hex digits into id. Returns 0, or -1 when text is not one. */
int chunk_id_parse(const char *text, unsigned char *id);

#endif
