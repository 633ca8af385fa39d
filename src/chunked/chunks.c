/* Chunks as stored objects: naming, packing, unpacking, listing (see chunks.h). */
#include "chunked/chunks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zstd.h>

#include "chunked/cdc.h"
#include "chunked/chunkkey.h"
#include "util/digest.h"
#include "util/log.h"

char *chunk_key(char *buf, const unsigned char *id)
{
	char hex[2 * CHUNK_ID_LEN + 1];

	chunk_id_hex(id, hex);
	snprintf(buf, CHUNK_KEY_MAX, CHUNKS_DATA "/%s", hex);
	return buf;
}

char *chunk_blob_key(char *buf, const char *sha256hex)
{
	snprintf(buf, CHUNK_KEY_MAX, CHUNKS_BLOBS "/%s", sha256hex);
	return buf;
}

/*
 * age's overhead on one chunk, with room to spare: a header (a stanza of
 * about 100 bytes per recipient) and a nonce, then a tag every 64 KiB.
 */
enum { SEAL_SPARE = 256 * 1024 };

/* Scratch for one stored chunk: the most zstd (and age) makes of the largest chunk. */
static int scratch(struct chunk_codec *cc)
{
	if (cc->buf != NULL)
		return 0;
	cc->cap = ZSTD_compressBound(CDC_MAX) + SEAL_SPARE + 1;
	cc->buf = malloc(cc->cap);
	cc->plain = malloc(CDC_MAX);
	if (cc->buf == NULL || cc->plain == NULL) {
		fail(EXIT_INTERNAL, "out of memory");
		return -1;
	}
	return 0;
}

void chunk_id(const struct chunk_codec *cc, const void *data, size_t len, unsigned char *id)
{
	if (cc->key != NULL)
		digest_hmac_sha256(cc->key->name_key, data, len, id);
	else
		digest_sha256(data, len, id);
}

int chunk_put(struct store *s, struct chunk_codec *cc, const unsigned char *id, const void *data,
	      size_t len, uint64_t *stored)
{
	char key[CHUNK_KEY_MAX];
	const unsigned char *bytes;
	size_t n;

	*stored = 0;
	if (scratch(cc) < 0)
		return -1;
	if (cc->cctx == NULL && (cc->cctx = ZSTD_createCCtx()) == NULL) {
		fail(EXIT_INTERNAL, "cannot set up zstd");
		return -1;
	}
	n = ZSTD_compressCCtx(cc->cctx, cc->buf, cc->cap, data, len, cc->level);
	if (ZSTD_isError(n)) {
		fail(EXIT_INTERNAL, "zstd cannot compress a chunk: %s", ZSTD_getErrorName(n));
		return -1;
	}
	bytes = cc->buf;
	if (cc->key != NULL) {
		cc->sealed.len = 0;
		if (age_encrypt_buffer(cc->key->seal, cc->buf, n, &cc->sealed) < 0)
			return -1;
		bytes = cc->sealed.data;
		n = cc->sealed.len;
	}
	if (store_write_bytes(s, chunk_key(key, id), bytes, n) < 0)
		return -1;
	*stored = n;
	return 0;
}

/* Reads all of src into cc->buf. Returns the length, or -1. Closes src. */
static long read_stored(struct chunk_codec *cc, struct source *src, const char *key)
{
	size_t have = 0;
	ssize_t n;

	while ((n = source_read(src, cc->buf + have, cc->cap - have)) > 0) {
		have += (size_t)n;
		if (have == cc->cap) {
			cc->damaged = 1;
			fail(EXIT_CORRUPT, "%s is larger than any chunk can be: it is damaged",
			     key);
			n = -1;
			break;
		}
	}
	source_close(src);
	return n < 0 ? -1 : (long)have;
}

const unsigned char *chunk_get(struct store *s, struct chunk_codec *cc, const unsigned char *id,
			       uint64_t raw, const char *label)
{
	struct source *src = NULL;
	unsigned char check[CHUNK_ID_LEN];
	char key[CHUNK_KEY_MAX];
	const unsigned char *frame;
	long stored;
	size_t n;

	chunk_key(key, id);
	cc->damaged = 0;
	if (scratch(cc) < 0 || raw > CDC_MAX)
		return NULL;
	if (cc->dctx == NULL && (cc->dctx = ZSTD_createDCtx()) == NULL) {
		fail(EXIT_INTERNAL, "cannot set up zstd");
		return NULL;
	}
	if (store_get(s, key, &src) < 0) {
		log_error("%s needs the chunk %s", label, key);
		return NULL;
	}
	if ((stored = read_stored(cc, src, key)) < 0)
		return NULL;
	cc->damaged = 1; /* read whole: any failure from here on is in its bytes */
	frame = cc->buf;
	if (cc->key != NULL) {
		/* Authenticated before a byte of it is used: a damaged one fails here. */
		cc->sealed.len = 0;
		if (age_decrypt_buffer(&cc->key->own, cc->buf, (size_t)stored, cc->cap, key, NULL,
				       &cc->sealed, NULL) < 0) {
			log_error("%s needs the chunk %s", label, key);
			return NULL;
		}
		frame = cc->sealed.data;
		stored = (long)cc->sealed.len;
	}
	n = ZSTD_decompressDCtx(cc->dctx, cc->plain, CDC_MAX, frame, (size_t)stored);
	if (ZSTD_isError(n) || n != raw) {
		fail(EXIT_CORRUPT, "chunk %s of %s is damaged: %s", key, label,
		     ZSTD_isError(n) ? ZSTD_getErrorName(n) : "it holds a different length");
		return NULL;
	}
	chunk_id(cc, cc->plain, n, check);
	if (memcmp(check, id, CHUNK_ID_LEN) != 0) {
		fail(EXIT_CORRUPT, "chunk %s of %s is damaged: its bytes do not match its name",
		     key, label);
		return NULL;
	}
	cc->damaged = 0;
	return cc->plain;
}

int chunk_set_aside(struct store *s, const unsigned char *id)
{
	char key[CHUNK_KEY_MAX], aside[CHUNK_KEY_MAX + 32], hex[2 * CHUNK_ID_LEN + 1];

	chunk_id_hex(id, hex);
	snprintf(aside, sizeof(aside), CHUNKS_DAMAGED "/%s-%lld", hex, (long long)time(NULL));
	if (store_link_or_copy(s, chunk_key(key, id), aside) < 0 || store_remove(s, key) < 0)
		return -1;
	log_warn("chunk %s set aside as %s", key, aside);
	return 0;
}

struct listing {
	struct chunkset *out;
	uint64_t bytes;
	int failed;
};

static int on_chunk(const char *name, int is_dir, long long size, void *arg)
{
	struct listing *l = arg;
	unsigned char id[CHUNK_ID_LEN];

	/* Anything else there (a driver's temporary file) is not a chunk yet. */
	if (is_dir || strlen(name) != 2 * CHUNK_ID_LEN || chunk_id_parse(name, id) < 0)
		return 0;
	if (chunkset_put(l->out, id, size > 0 ? (uint64_t)size : 0) < 0) {
		l->failed = 1;
		return 1;
	}
	l->bytes += size > 0 ? (uint64_t)size : 0;
	return 0;
}

int chunk_list_store(struct store *s, struct chunkset *out, uint64_t *bytes)
{
	struct listing l = {out, 0, 0};

	if (store_list(s, CHUNKS_DATA, on_chunk, &l) < 0)
		return -1;
	if (l.failed) {
		fail(EXIT_INTERNAL, "out of memory listing the chunks of %s", store_name(s));
		return -1;
	}
	if (bytes != NULL)
		*bytes = l.bytes;
	return 0;
}

void chunk_codec_free(struct chunk_codec *cc)
{
	ZSTD_freeCCtx(cc->cctx);
	ZSTD_freeDCtx(cc->dctx);
	free(cc->buf);
	free(cc->plain);
	membuf_free(&cc->sealed);
	memset(cc, 0, sizeof(*cc));
}
