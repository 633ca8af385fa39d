/*
 * The age header: the version line, one stanza per recipient wrapping the
 * file key (X25519, or one scrypt stanza for a passphrase), and an
 * HMAC-SHA-256 over all of it keyed from the file key. Base64 here is age's:
 * the standard alphabet, no padding, body lines of 64 columns.
 */
#include "pipeline/age.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

#define VERSION_LINE "age-encryption.org/v1\n"
#define X25519_LABEL "age-encryption.org/v1/X25519"
#define SCRYPT_LABEL "age-encryption.org/v1/scrypt"

enum { MAC_LEN = 32, SALT_LEN = 16, MAX_STANZAS = 1024, COLUMNS = 64 };

static const unsigned char zero_nonce[12];

/* ------------------------------------------------------------ primitives */

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

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Unpadded; out needs len * 4 / 3 + 2 bytes. Returns the characters written. */
static size_t b64_encode(const unsigned char *in, size_t len, char *out)
{
	unsigned long acc = 0;
	size_t n = 0;
	int bits = 0;

	for (size_t i = 0; i < len; i++) {
		acc = (acc << 8) | in[i];
		for (bits += 8; bits >= 6; bits -= 6)
			out[n++] = b64[(acc >> (bits - 6)) & 63];
	}
	if (bits > 0)
		out[n++] = b64[(acc << (6 - bits)) & 63];
	out[n] = '\0';
	return n;
}

/* Strict and canonical, as age wants it: no padding, unused bits zero. -1 or the length. */
static long b64_decode(const char *in, size_t len, unsigned char *out, size_t size)
{
	unsigned long acc = 0;
	size_t n = 0;
	int bits = 0;

	for (size_t i = 0; i < len; i++) {
		const char *c = in[i] ? strchr(b64, in[i]) : NULL;

		if (c == NULL)
			return -1;
		acc = (acc << 6) | (unsigned long)(c - b64);
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

/* ------------------------------------------------------------ writing */

struct text {
	char *buf;
	size_t len, size;
};

static int put(struct text *t, const char *s, size_t len)
{
	if (t->len + len + 1 > t->size) {
		size_t size = (t->len + len + 1) * 2;
		char *grown = realloc(t->buf, size);

		if (grown == NULL)
			return -1;
		t->buf = grown;
		t->size = size;
	}
	memcpy(t->buf + t->len, s, len);
	t->len += len;
	t->buf[t->len] = '\0';
	return 0;
}

/* "-> args\n" then the body in 64-column lines, the last one shorter (maybe empty). */
static int put_stanza(struct text *t, const char *args, const unsigned char *body, size_t len)
{
	char enc[128];
	size_t n = b64_encode(body, len, enc);
	int rc = put(t, "-> ", 3) | put(t, args, strlen(args)) | put(t, "\n", 1);

	for (size_t i = 0; i <= n; i += COLUMNS) {
		size_t line = n - i < COLUMNS ? n - i : COLUMNS;

		rc |= put(t, enc + i, line) | put(t, "\n", 1);
	}
	return rc;
}

static int wrap_x25519(struct text *t, const struct age_recipient *r,
		       const unsigned char file_key[AGE_FILE_KEY_LEN])
{
	unsigned char share[AGE_KEY_LEN], shared[AGE_KEY_LEN], salt[2 * AGE_KEY_LEN], key[32];
	unsigned char body[AGE_FILE_KEY_LEN + AGE_TAG];
	EVP_PKEY *eph = NULL, *peer = NULL;
	EVP_PKEY_CTX *gen = NULL, *dctx = NULL;
	size_t sharelen = sizeof(share), sharedlen = sizeof(shared);
	char args[80], enc[64];
	int rc = -1;

	gen = EVP_PKEY_CTX_new_id(EVP_PKEY_X25519, NULL);
	peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, r->pub, AGE_KEY_LEN);
	if (gen == NULL || peer == NULL || EVP_PKEY_keygen_init(gen) != 1 ||
	    EVP_PKEY_keygen(gen, &eph) != 1 ||
	    EVP_PKEY_get_raw_public_key(eph, share, &sharelen) != 1 ||
	    (dctx = EVP_PKEY_CTX_new(eph, NULL)) == NULL || EVP_PKEY_derive_init(dctx) != 1 ||
	    EVP_PKEY_derive_set_peer(dctx, peer) != 1 ||
	    EVP_PKEY_derive(dctx, shared, &sharedlen) != 1)
		goto out;
	memcpy(salt, share, AGE_KEY_LEN);
	memcpy(salt + AGE_KEY_LEN, r->pub, AGE_KEY_LEN);
	if (age_hkdf(shared, sizeof(shared), salt, sizeof(salt), X25519_LABEL, key, sizeof(key)) <
		0 ||
	    age_seal(key, zero_nonce, file_key, AGE_FILE_KEY_LEN, body) < 0)
		goto out;
	b64_encode(share, sizeof(share), enc);
	snprintf(args, sizeof(args), "X25519 %s", enc);
	rc = put_stanza(t, args, body, sizeof(body));
out:
	OPENSSL_cleanse(shared, sizeof(shared));
	OPENSSL_cleanse(key, sizeof(key));
	EVP_PKEY_CTX_free(dctx);
	EVP_PKEY_CTX_free(gen);
	EVP_PKEY_free(eph);
	EVP_PKEY_free(peer);
	return rc;
}

static int scrypt_key(const char *pass, const unsigned char salt[SALT_LEN], int log_n,
		      unsigned char key[32])
{
	unsigned char full[sizeof(SCRYPT_LABEL) - 1 + SALT_LEN];
	uint64_t n = (uint64_t)1 << log_n;

	memcpy(full, SCRYPT_LABEL, sizeof(SCRYPT_LABEL) - 1);
	memcpy(full + sizeof(SCRYPT_LABEL) - 1, salt, SALT_LEN);
	/* scrypt needs 128 * r * N bytes: 256 MiB at age's work factor 18. */
	return EVP_PBE_scrypt(pass, strlen(pass), full, sizeof(full), n, 8, 1,
			      128 * 8 * (n + 2) + 1024 * 1024, key, 32) == 1
		   ? 0
		   : -1;
}

static int wrap_scrypt(struct text *t, const char *pass, int log_n,
		       const unsigned char file_key[AGE_FILE_KEY_LEN])
{
	unsigned char salt[SALT_LEN], key[32], body[AGE_FILE_KEY_LEN + AGE_TAG];
	char args[80], enc[32];
	int rc = -1;

	if (RAND_bytes(salt, sizeof(salt)) == 1 && scrypt_key(pass, salt, log_n, key) == 0 &&
	    age_seal(key, zero_nonce, file_key, AGE_FILE_KEY_LEN, body) == 0) {
		b64_encode(salt, sizeof(salt), enc);
		snprintf(args, sizeof(args), "scrypt %s %d", enc, log_n);
		rc = put_stanza(t, args, body, sizeof(body));
	}
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

/* HMAC-SHA-256 of the header up to and including "---", keyed from the file key. */
static int header_mac(const unsigned char file_key[AGE_FILE_KEY_LEN], const char *text, size_t len,
		      unsigned char mac[MAC_LEN])
{
	unsigned char key[32];
	unsigned int maclen = MAC_LEN;
	int rc = -1;

	if (age_hkdf(file_key, AGE_FILE_KEY_LEN, NULL, 0, "header", key, sizeof(key)) == 0 &&
	    HMAC(EVP_sha256(), key, sizeof(key), (const unsigned char *)text, len, mac, &maclen) !=
		NULL)
		rc = 0;
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

char *age_header_write(const struct age_keys *k, const unsigned char file_key[AGE_FILE_KEY_LEN],
		       size_t *len)
{
	struct text t = {NULL, 0, 0};
	unsigned char mac[MAC_LEN];
	char enc[64];
	int rc = put(&t, VERSION_LINE, sizeof(VERSION_LINE) - 1);

	if (k->nrecipients == 0 && k->passphrase != NULL)
		rc |= wrap_scrypt(&t, k->passphrase,
				  k->scrypt_log_n ? k->scrypt_log_n : AGE_SCRYPT_LOG_N, file_key);
	for (size_t i = 0; i < k->nrecipients && rc == 0; i++)
		rc |= wrap_x25519(&t, &k->recipients[i], file_key);
	rc |= put(&t, "---", 3);
	if (rc == 0 && header_mac(file_key, t.buf, t.len, mac) == 0) {
		b64_encode(mac, sizeof(mac), enc);
		if (put(&t, " ", 1) == 0 && put(&t, enc, strlen(enc)) == 0 &&
		    put(&t, "\n", 1) == 0) {
			*len = t.len;
			return t.buf;
		}
	}
	free(t.buf);
	fail(EXIT_INTERNAL, "cannot write an age header (libcrypto failed)");
	return NULL;
}

/* ------------------------------------------------------------ reading */

struct stanza {
	char *args[4];
	int nargs;
	unsigned char body[128];
	long bodylen;
};

/* Splits the header's lines into stanzas; returns where "---" starts, or NULL. */
static char *parse_stanzas(char *p, char *end, struct stanza *st, int *nst)
{
	*nst = 0;
	if ((size_t)(end - p) < sizeof(VERSION_LINE) - 1 ||
	    memcmp(p, VERSION_LINE, sizeof(VERSION_LINE) - 1) != 0)
		return NULL;
	p += sizeof(VERSION_LINE) - 1;
	while (p < end && strncmp(p, "-> ", 3) == 0) {
		struct stanza *s = &st[*nst];
		char *nl = memchr(p, '\n', (size_t)(end - p)), *save = NULL;
		unsigned char *b = s->body;

		if (nl == NULL || *nst == MAX_STANZAS)
			return NULL;
		*nl = '\0';
		s->nargs = 0;
		for (char *a = strtok_r(p + 3, " ", &save); a != NULL;
		     a = strtok_r(NULL, " ", &save))
			if (s->nargs < 4)
				s->args[s->nargs++] = a;
		p = nl + 1;
		s->bodylen = 0;
		for (;;) { /* body lines: full ones of 64 columns, then a shorter one */
			size_t line;
			long n;

			nl = memchr(p, '\n', (size_t)(end - p));
			if (nl == NULL || (line = (size_t)(nl - p)) > COLUMNS)
				return NULL;
			n = b64_decode(p, line, b, sizeof(s->body) - (size_t)(b - s->body));
			if (n < 0)
				return NULL;
			b += n;
			s->bodylen += n;
			p = nl + 1;
			if (line < COLUMNS)
				break;
		}
		(*nst)++;
	}
	return end - p >= 4 && strncmp(p, "--- ", 4) == 0 ? p : NULL;
}

/* The file key from an X25519 stanza, if identity id opens it. 1 yes, 0 no. */
static int unwrap_x25519(const struct stanza *s, const struct age_identity *id,
			 unsigned char file_key[AGE_FILE_KEY_LEN])
{
	static const unsigned char zero[AGE_KEY_LEN];
	unsigned char share[AGE_KEY_LEN], shared[AGE_KEY_LEN], salt[2 * AGE_KEY_LEN], key[32];
	EVP_PKEY *me = NULL, *peer = NULL;
	EVP_PKEY_CTX *dctx = NULL;
	size_t sharedlen = sizeof(shared);
	int ok = 0;

	if (b64_decode(s->args[1], strlen(s->args[1]), share, sizeof(share)) != AGE_KEY_LEN)
		return 0;
	me = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, id->secret, AGE_KEY_LEN);
	peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, share, AGE_KEY_LEN);
	if (me != NULL && peer != NULL && (dctx = EVP_PKEY_CTX_new(me, NULL)) != NULL &&
	    EVP_PKEY_derive_init(dctx) == 1 && EVP_PKEY_derive_set_peer(dctx, peer) == 1 &&
	    EVP_PKEY_derive(dctx, shared, &sharedlen) == 1 &&
	    CRYPTO_memcmp(shared, zero, sizeof(zero)) != 0) {
		memcpy(salt, share, AGE_KEY_LEN);
		memcpy(salt + AGE_KEY_LEN, id->pub, AGE_KEY_LEN);
		ok = age_hkdf(shared, sizeof(shared), salt, sizeof(salt), X25519_LABEL, key,
			      sizeof(key)) == 0 &&
		     age_open(key, zero_nonce, s->body, (size_t)s->bodylen, file_key) == 0;
	}
	OPENSSL_cleanse(shared, sizeof(shared));
	OPENSSL_cleanse(key, sizeof(key));
	EVP_PKEY_CTX_free(dctx);
	EVP_PKEY_free(me);
	EVP_PKEY_free(peer);
	return ok;
}

/* The file key from the scrypt stanza and the passphrase: 1 opened, 0 not, -1 refused. */
static int unwrap_scrypt(const struct stanza *s, const char *pass, const char *label,
			 unsigned char file_key[AGE_FILE_KEY_LEN])
{
	unsigned char salt[SALT_LEN], key[32];
	char *endp = NULL;
	long log_n;
	int ok;

	log_n = s->nargs == 3 ? strtol(s->args[2], &endp, 10) : -1;
	if (s->nargs != 3 ||
	    b64_decode(s->args[1], strlen(s->args[1]), salt, SALT_LEN) != SALT_LEN ||
	    endp == NULL || *endp != '\0' || s->args[2][0] == '0' || log_n < 1) {
		fail(EXIT_CORRUPT, "%s: its age scrypt stanza is malformed", label);
		return -1;
	}
	if (log_n > AGE_SCRYPT_MAX_LOG_N) {
		fail(EXIT_AUTH, "%s: its scrypt work factor %ld is above the %d we accept", label,
		     log_n, AGE_SCRYPT_MAX_LOG_N);
		return -1;
	}
	ok = scrypt_key(pass, salt, (int)log_n, key) == 0 &&
	     age_open(key, zero_nonce, s->body, (size_t)s->bodylen, file_key) == 0;
	OPENSSL_cleanse(key, sizeof(key));
	return ok;
}

/* Tries k's keys on the stanzas: 1 with the file key, 0 when none opens one, -1 after fail(). */
static int unwrap(const struct stanza *st, int nst, const struct age_keys *k, const char *label,
		  unsigned char file_key[AGE_FILE_KEY_LEN])
{
	for (int i = 0; i < nst; i++) {
		const struct stanza *s = &st[i];

		if (strcmp(s->args[0], "scrypt") == 0) {
			/* age: a passphrase-encrypted file has that one stanza and no other. */
			if (nst != 1) {
				fail(EXIT_CORRUPT, "%s: an age scrypt stanza beside others", label);
				return -1;
			}
			if (k->passphrase == NULL)
				return 0;
			return unwrap_scrypt(s, k->passphrase, label, file_key);
		}
		if (strcmp(s->args[0], "X25519") != 0)
			continue; /* another kind of recipient, or grease */
		if (s->nargs != 2 || s->bodylen != AGE_FILE_KEY_LEN + AGE_TAG) {
			fail(EXIT_CORRUPT, "%s: an age X25519 stanza is malformed", label);
			return -1;
		}
		for (size_t j = 0; j < k->nidentities; j++)
			if (unwrap_x25519(s, &k->identities[j], file_key))
				return 1;
	}
	return 0;
}

int age_header_read(const char *text, size_t len, const struct age_keys *k, const char *label,
		    const char *recipients, unsigned char file_key[AGE_FILE_KEY_LEN])
{
	struct stanza *st = calloc(MAX_STANZAS, sizeof(*st));
	char *copy = malloc(len + 1), *mark;
	unsigned char mac[MAC_LEN], want[MAC_LEN];
	int nst = 0, rc = -1, opened;

	if (st == NULL || copy == NULL) {
		fail(EXIT_INTERNAL, "out of memory");
		goto out;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	mark = parse_stanzas(copy, copy + len, st, &nst);
	if (mark == NULL || len - (size_t)(mark - copy) != 4 + 43 + 1 ||
	    b64_decode(mark + 4, 43, want, sizeof(want)) != MAC_LEN) {
		fail(EXIT_CORRUPT,
		     "%s is not an age v1 file (binary, not armored) or its header is damaged",
		     label);
		goto out;
	}
	opened = unwrap(st, nst, k, label, file_key);
	if (opened < 0)
		goto out;
	if (opened == 0) {
		const char *to = recipients != NULL && *recipients
				     ? recipients
				     : "keys not recorded beside it (the manifests name them)";

		if (k->nidentities == 0 && k->passphrase == NULL)
			fail(EXIT_AUTH,
			     "%s is encrypted to %s: set RECOVER_IDENTITY_FILE to the age identity "
			     "file of one of them (or BACKUP_PASSPHRASE for a passphrase)",
			     label, to);
		else
			fail(EXIT_AUTH,
			     "no key given (RECOVER_IDENTITY_FILE, BACKUP_PASSPHRASE) decrypts %s: "
			     "it "
			     "is encrypted to %s",
			     label, to);
		goto out;
	}
	/* The MAC covers the header up to "---", with the text exactly as it came. */
	if (header_mac(file_key, text, (size_t)(mark - copy) + 3, mac) < 0 ||
	    CRYPTO_memcmp(mac, want, MAC_LEN) != 0) {
		fail(EXIT_CORRUPT, "%s: its age header fails authentication: the file was altered",
		     label);
		OPENSSL_cleanse(file_key, AGE_FILE_KEY_LEN);
		goto out;
	}
	rc = 0;
out:
	free(st);
	free(copy);
	return rc;
}
