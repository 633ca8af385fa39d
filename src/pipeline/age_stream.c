/*
 * age's payload: a 16-byte nonce, then STREAM: 64 KiB chunks sealed with
 * ChaCha20-Poly1305 under a key derived from the file key and that nonce,
 * each chunk's nonce its 11-byte big-endian number and a last-chunk flag.
 * The flag is what refuses a file cut at a chunk boundary; the numbers
 * refuse chunks swapped or dropped. Decryption hands out a chunk only once
 * it has been authenticated.
 */
#include "pipeline/age.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/membuf.h"

enum { NONCE_LEN = 16, SEALED = AGE_CHUNK + AGE_TAG, MAX_HEADER = 1024 * 1024 };

static void chunk_nonce(uint64_t counter, int last, unsigned char nonce[12])
{
	memset(nonce, 0, 12);
	for (int i = 10; i >= 3; i--, counter >>= 8)
		nonce[i] = counter & 0xff;
	nonce[11] = last ? 1 : 0;
}

static int payload_key(const unsigned char file_key[AGE_FILE_KEY_LEN],
		       const unsigned char nonce[NONCE_LEN], unsigned char key[32])
{
	return age_hkdf(file_key, AGE_FILE_KEY_LEN, nonce, NONCE_LEN, "payload", key, 32);
}

/* ------------------------------------------------------------ encryption */

struct age_sink {
	struct sink base;
	struct sink *inner;
	unsigned char key[32];
	uint64_t counter;
	size_t fill;
	unsigned char plain[AGE_CHUNK];
	unsigned char sealed[SEALED];
};

static int seal_chunk(struct age_sink *a, int last)
{
	unsigned char nonce[12];

	chunk_nonce(a->counter++, last, nonce);
	if (age_seal(a->key, nonce, a->plain, a->fill, a->sealed) < 0) {
		fail(EXIT_INTERNAL, "libcrypto cannot encrypt (ChaCha20-Poly1305)");
		return -1;
	}
	if (sink_write(a->inner, a->sealed, a->fill + AGE_TAG) < 0)
		return -1;
	a->fill = 0;
	return 0;
}

static int age_sink_write(struct sink *s, const void *buf, size_t len)
{
	struct age_sink *a = (struct age_sink *)s;
	const unsigned char *p = buf;

	while (len > 0) {
		size_t n;

		/* A full chunk is sealed only once more follows: the last may be full too. */
		if (a->fill == AGE_CHUNK && seal_chunk(a, 0) < 0)
			return -1;
		n = AGE_CHUNK - a->fill < len ? AGE_CHUNK - a->fill : len;
		memcpy(a->plain + a->fill, p, n);
		a->fill += n;
		p += n;
		len -= n;
	}
	return 0;
}

static void age_sink_free(struct age_sink *a)
{
	OPENSSL_cleanse(a->key, sizeof(a->key));
	OPENSSL_cleanse(a->plain, sizeof(a->plain));
	free(a);
}

static int age_sink_commit(struct sink *s)
{
	struct age_sink *a = (struct age_sink *)s;
	struct sink *inner = a->inner;

	if (seal_chunk(a, 1) < 0) {
		sink_abort(inner);
		age_sink_free(a);
		return -1;
	}
	age_sink_free(a);
	return sink_commit(inner);
}

static void age_sink_abort(struct sink *s)
{
	struct age_sink *a = (struct age_sink *)s;

	sink_abort(a->inner);
	age_sink_free(a);
}

struct sink *age_sink(struct sink *inner, const struct age_keys *k)
{
	struct age_sink *a = calloc(1, sizeof(*a));
	unsigned char file_key[AGE_FILE_KEY_LEN], nonce[NONCE_LEN];
	char *header = NULL;
	size_t hlen = 0;

	if (a == NULL) {
		fail(EXIT_INTERNAL, "out of memory");
		goto fail;
	}
	if (RAND_bytes(file_key, sizeof(file_key)) != 1 || RAND_bytes(nonce, sizeof(nonce)) != 1 ||
	    payload_key(file_key, nonce, a->key) < 0) {
		fail(EXIT_INTERNAL, "libcrypto cannot make a file key");
		goto fail;
	}
	header = age_header_write(k, file_key, &hlen);
	if (header == NULL || sink_write(inner, header, hlen) < 0 ||
	    sink_write(inner, nonce, sizeof(nonce)) < 0)
		goto fail;
	free(header);
	OPENSSL_cleanse(file_key, sizeof(file_key));
	a->base = (struct sink){age_sink_write, age_sink_commit, age_sink_abort};
	a->inner = inner;
	return &a->base;
fail:
	OPENSSL_cleanse(file_key, sizeof(file_key));
	free(header);
	if (a != NULL)
		age_sink_free(a);
	sink_abort(inner);
	return NULL;
}

/* ------------------------------------------------------------ decryption */

struct age_source {
	struct source base;
	struct source *inner;
	unsigned char key[32];
	uint64_t counter;
	int done;
	size_t cfill, pos, plen;
	char label[512];
	unsigned char sealed[SEALED + 1]; /* one byte more: whether another chunk follows */
	unsigned char plain[AGE_CHUNK];
};

/* Reads until buf holds want bytes or the end. Returns the bytes held, or -1. */
static ssize_t read_upto(struct source *in, unsigned char *buf, size_t have, size_t want)
{
	while (have < want) {
		ssize_t n = source_read(in, buf + have, want - have);

		if (n < 0)
			return -1;
		if (n == 0)
			break;
		have += (size_t)n;
	}
	return (ssize_t)have;
}

static int open_next(struct age_source *a)
{
	unsigned char nonce[12];
	ssize_t got = read_upto(a->inner, a->sealed, a->cfill, SEALED + 1);
	int last;
	size_t len;

	if (got < 0)
		return -1;
	last = (size_t)got <= SEALED;
	len = last ? (size_t)got : SEALED;
	if (len < AGE_TAG || (last && len == AGE_TAG && a->counter > 0)) {
		fail(EXIT_CORRUPT, "%s is truncated: its encrypted data ends before its last chunk",
		     a->label);
		return -1;
	}
	chunk_nonce(a->counter, last, nonce);
	if (age_open(a->key, nonce, a->sealed, len, a->plain) < 0) {
		fail(
		    EXIT_CORRUPT,
		    "%s: encrypted chunk %llu fails authentication: the file is truncated, altered "
		    "or re-ordered; nothing past it is used",
		    a->label, (unsigned long long)a->counter);
		return -1;
	}
	a->counter++;
	a->plen = len - AGE_TAG;
	a->pos = 0;
	a->done = last;
	a->cfill = last ? 0 : 1;
	if (!last)
		a->sealed[0] = a->sealed[SEALED];
	return 0;
}

static ssize_t age_source_read(struct source *s, void *buf, size_t len)
{
	struct age_source *a = (struct age_source *)s;
	size_t n;

	while (a->pos == a->plen) {
		if (a->done)
			return 0;
		if (open_next(a) < 0)
			return -1;
	}
	n = a->plen - a->pos < len ? a->plen - a->pos : len;
	memcpy(buf, a->plain + a->pos, n);
	a->pos += n;
	return (ssize_t)n;
}

static void age_source_close(struct source *s)
{
	struct age_source *a = (struct age_source *)s;

	source_close(a->inner);
	OPENSSL_cleanse(a->key, sizeof(a->key));
	OPENSSL_cleanse(a->plain, sizeof(a->plain));
	free(a);
}

/* The length of the header at buf (through the newline after the MAC), 0 if incomplete. */
static size_t header_end(const unsigned char *buf, size_t len)
{
	for (size_t i = 0; i + 5 <= len; i++) {
		if (buf[i] == '\n' && memcmp(buf + i + 1, "--- ", 4) == 0) {
			const unsigned char *nl = memchr(buf + i + 5, '\n', len - i - 5);

			return nl != NULL ? (size_t)(nl - buf) + 1 : 0;
		}
	}
	return 0;
}

static struct source *open_source(struct source *inner, const struct age_keys *k, const char *label,
				  const char *recipients, int *not_opened)
{
	static const char magic[] = "age-encryption.org/";
	struct age_source *a = calloc(1, sizeof(*a));
	unsigned char *hbuf = malloc(MAX_HEADER), file_key[AGE_FILE_KEY_LEN];
	size_t have = 0, end = 0;

	if (a == NULL || hbuf == NULL) {
		fail(EXIT_INTERNAL, "out of memory");
		goto fail;
	}
	snprintf(a->label, sizeof(a->label), "%s", label);
	while (end == 0 && have < MAX_HEADER) {
		ssize_t n = source_read(inner, hbuf + have, have < 4096 ? 4096 - have : 4096);

		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		have += (size_t)n;
		if (memcmp(hbuf, magic, have < sizeof(magic) - 1 ? have : sizeof(magic) - 1) != 0)
			break;
		end = header_end(hbuf, have);
	}
	if (end == 0 || memcmp(hbuf, magic, sizeof(magic) - 1) != 0) {
		fail(EXIT_CORRUPT, "%s is not an age file%s", label,
		     have < sizeof(magic) ? " (it is empty or truncated)"
					  : " (or its header is cut)");
		goto fail;
	}
	if (age_header_read((const char *)hbuf, end, k, label, recipients, file_key, not_opened) <
	    0)
		goto fail;
	/* The nonce, then whatever of the first chunk came with the header. */
	{
		ssize_t got = read_upto(inner, hbuf, have, end + NONCE_LEN);

		if (got < 0)
			goto fail;
		have = (size_t)got;
	}
	if (have < end + NONCE_LEN) {
		fail(EXIT_CORRUPT, "%s is truncated right after its age header", label);
		goto fail;
	}
	if (payload_key(file_key, hbuf + end, a->key) < 0) {
		fail(EXIT_INTERNAL, "libcrypto cannot derive the payload key");
		goto fail;
	}
	a->cfill = have - end - NONCE_LEN;
	memcpy(a->sealed, hbuf + end + NONCE_LEN, a->cfill);
	OPENSSL_cleanse(file_key, sizeof(file_key));
	free(hbuf);
	a->base.read = age_source_read;
	a->base.close = age_source_close;
	a->inner = inner;
	return &a->base;
fail:
	OPENSSL_cleanse(file_key, sizeof(file_key));
	free(hbuf);
	free(a);
	source_close(inner);
	return NULL;
}

struct source *age_source(struct source *inner, const struct age_keys *k, const char *label,
			  const char *recipients)
{
	return open_source(inner, k, label, recipients, NULL);
}

/* ------------------------------------------------------------ in memory */

int age_encrypt_buffer(const struct age_keys *k, const void *in, size_t len, struct membuf *out)
{
	struct sink *s = membuf_sink(out);

	if (s == NULL || (s = age_sink(s, k)) == NULL)
		return -1;
	if (sink_write(s, in, len) < 0) {
		sink_abort(s);
		return -1;
	}
	return sink_commit(s);
}

int age_decrypt_buffer(const struct age_keys *k, const void *in, size_t len, size_t limit,
		       const char *label, const char *recipients, struct membuf *out,
		       int *not_opened)
{
	struct source *src = membuf_source(in, len);

	if (src == NULL || (src = open_source(src, k, label, recipients, not_opened)) == NULL)
		return -1;
	return membuf_read(out, src, limit, label);
}
