/*
 * The primitives age is built of, all from libcrypto (HKDF-SHA-256,
 * ChaCha20-Poly1305), and age's base64: the standard alphabet, no padding.
 */
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <string.h>

#include "pipeline/age_internal.h"

const unsigned char age_zero_nonce[12];

int age_hkdf(const unsigned char *ikm, size_t ikmlen, const unsigned char *salt, size_t saltlen,
	     const char *info, unsigned char *out, size_t outlen)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
	int ok =
	    ctx != NULL && EVP_PKEY_derive_init(ctx) == 1 &&
	    EVP_PKEY_CTX_set_hkdf_md(ctx, EVP_sha256()) == 1 &&
	    EVP_PKEY_CTX_set1_hkdf_key(ctx, ikm, (int)ikmlen) == 1 &&
	    /* No salt is HKDF's zero salt (RFC 5869), which age's empty salt means. */
	    (saltlen == 0 || EVP_PKEY_CTX_set1_hkdf_salt(ctx, salt, (int)saltlen) == 1) &&
	    EVP_PKEY_CTX_add1_hkdf_info(ctx, (const unsigned char *)info, (int)strlen(info)) == 1 &&
	    EVP_PKEY_derive(ctx, out, &outlen) == 1;

	EVP_PKEY_CTX_free(ctx);
	return ok ? 0 : -1;
}

static int aead(int enc, const unsigned char key[32], const unsigned char nonce[12],
		const unsigned char *in, size_t len, unsigned char *out)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	size_t body = enc ? len : len - AGE_TAG;
	unsigned char tag[AGE_TAG];
	int n = 0, ok;

	if (!enc && len < AGE_TAG)
		return EVP_CIPHER_CTX_free(ctx), -1;
	ok = ctx != NULL && EVP_CipherInit_ex(ctx, EVP_chacha20_poly1305(), NULL, key, nonce, enc);
	if (ok && !enc) {
		memcpy(tag, in + body, AGE_TAG);
		ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, AGE_TAG, tag) == 1;
	}
	ok = ok && (body == 0 || EVP_CipherUpdate(ctx, out, &n, in, (int)body) == 1) &&
	     EVP_CipherFinal_ex(ctx, out + n, &n) == 1;
	if (ok && enc)
		ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, AGE_TAG, out + body) == 1;
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

int age_seal(const unsigned char key[32], const unsigned char nonce[12], const unsigned char *in,
	     size_t len, unsigned char *out)
{
	return aead(1, key, nonce, in, len, out);
}

int age_open(const unsigned char key[32], const unsigned char nonce[12], const unsigned char *in,
	     size_t len, unsigned char *out)
{
	return aead(0, key, nonce, in, len, out);
}

/* ------------------------------------------------------------ base64 */

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Unpadded; out needs len * 4 / 3 + 2 bytes. Returns the characters written. */
size_t age_b64_encode(const unsigned char *in, size_t len, char *out)
{
	unsigned long acc = 0;
	size_t n = 0;
	int bits = 0;

	for (size_t i = 0; i < len; i++) {
		acc = (acc << 8) | in[i];
		for (bits += 8; bits >= 6; bits -= 6)
			out[n++] = alphabet[(acc >> (bits - 6)) & 63];
	}
	if (bits > 0)
		out[n++] = alphabet[(acc << (6 - bits)) & 63];
	out[n] = '\0';
	return n;
}

/* Strict and canonical, as age wants it: no padding, unused bits zero. -1 or the length. */
long age_b64_decode(const char *in, size_t len, unsigned char *out, size_t size)
{
	unsigned long acc = 0;
	size_t n = 0;
	int bits = 0;

	for (size_t i = 0; i < len; i++) {
		const char *c = in[i] ? strchr(alphabet, in[i]) : NULL;

		if (c == NULL)
			return -1;
		acc = (acc << 6) | (unsigned long)(c - alphabet);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == size)
				return -1;
			out[n++] = (unsigned char)(acc >> bits);
		}
		acc &= (1UL << bits) - 1;
	}
	return bits >= 6 || acc != 0 ? -1 : (long)n;
}
