/* SHA-256 as lowercase hex: the one checksum of backups and WAL segments. */
#ifndef TIERDUMP_DIGEST_H
#define TIERDUMP_DIGEST_H

#include <stddef.h>

#define DIGEST_LEN 32
#define DIGEST_HEX_LEN (2 * DIGEST_LEN)

struct digest {
	void *md; /* OpenSSL's EVP_MD_CTX */
};

/* Starts a digest. Returns 0, or -1 after fail(). */
int digest_begin(struct digest *d);
void digest_add(struct digest *d, const void *buf, size_t len);
/* Writes the hex digest (DIGEST_HEX_LEN + 1 bytes) and frees the state. */
void digest_end(struct digest *d, char *hex);
/* Frees the state without a result; harmless after digest_end(). */
void digest_discard(struct digest *d);
/* The digest of len bytes at buf, into hex (DIGEST_HEX_LEN + 1 bytes), in one call. */
void digest_of(const void *buf, size_t len, char *hex);
/* The same as DIGEST_LEN bytes into out. */
void digest_sha256(const void *buf, size_t len, unsigned char *out);
/* HMAC-SHA-256 of len bytes at buf under a DIGEST_LEN-byte key, into out (DIGEST_LEN bytes). */
void digest_hmac_sha256(const unsigned char key[DIGEST_LEN], const void *buf, size_t len,
			unsigned char *out);
/* len bytes as lowercase hex into hex (2 * len + 1 bytes). */
void digest_hex(const unsigned char *bytes, size_t len, char *hex);

#endif
