/*
 * The two kinds of recipient: X25519 (an ephemeral key agreed with the
 * recipient's, through HKDF, wraps the file key) and scrypt (a passphrase,
 * stretched, wraps it). Each wraps the 16-byte file key with
 * ChaCha20-Poly1305 under a key used once.
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/age_internal.h"
#include "util/digest.h"
#include "util/log.h"

#define X25519_LABEL "age-encryption.org/v1/X25519"
#define SCRYPT_LABEL "age-encryption.org/v1/scrypt"

int age_x25519_wrap(struct age_text *t, const struct age_recipient *r,
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
	    age_seal(key, age_zero_nonce, file_key, AGE_FILE_KEY_LEN, body) < 0)
		goto out;
	age_b64_encode(share, sizeof(share), enc);
	snprintf(args, sizeof(args), "X25519 %s", enc);
	rc = age_put_stanza(t, args, body, sizeof(body));
out:
	OPENSSL_cleanse(shared, sizeof(shared));
	OPENSSL_cleanse(key, sizeof(key));
	EVP_PKEY_CTX_free(dctx);
	EVP_PKEY_CTX_free(gen);
	EVP_PKEY_free(eph);
	EVP_PKEY_free(peer);
	return rc;
}

static int scrypt_key(const char *pass, const unsigned char salt[AGE_SALT_LEN], int log_n,
		      unsigned char key[32])
{
	unsigned char full[sizeof(SCRYPT_LABEL) - 1 + AGE_SALT_LEN];
	uint64_t n = (uint64_t)1 << log_n;

	memcpy(full, SCRYPT_LABEL, sizeof(SCRYPT_LABEL) - 1);
	memcpy(full + sizeof(SCRYPT_LABEL) - 1, salt, AGE_SALT_LEN);
	/* scrypt needs 128 * r * N bytes: 256 MiB at age's work factor 18. */
	return EVP_PBE_scrypt(pass, strlen(pass), full, sizeof(full), n, 8, 1,
			      128 * 8 * (n + 2) + 1024 * 1024, key, 32) == 1
		   ? 0
		   : -1;
}

int age_scrypt_wrap(struct age_text *t, const char *pass, int log_n,
		    const unsigned char file_key[AGE_FILE_KEY_LEN])
{
	unsigned char salt[AGE_SALT_LEN], key[32], body[AGE_FILE_KEY_LEN + AGE_TAG];
	char args[80], enc[32];
	int rc = -1;

	if (RAND_bytes(salt, sizeof(salt)) == 1 && scrypt_key(pass, salt, log_n, key) == 0 &&
	    age_seal(key, age_zero_nonce, file_key, AGE_FILE_KEY_LEN, body) == 0) {
		age_b64_encode(salt, sizeof(salt), enc);
		snprintf(args, sizeof(args), "scrypt %s %d", enc, log_n);
		rc = age_put_stanza(t, args, body, sizeof(body));
	}
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

/* The file key from an X25519 stanza, if identity id opens it. 1 yes, 0 no. */
int age_x25519_unwrap(const struct age_stanza *s, const struct age_identity *id,
		      unsigned char file_key[AGE_FILE_KEY_LEN])
{
	static const unsigned char zero[AGE_KEY_LEN];
	unsigned char share[AGE_KEY_LEN], shared[AGE_KEY_LEN], salt[2 * AGE_KEY_LEN], key[32];
	EVP_PKEY *me = NULL, *peer = NULL;
	EVP_PKEY_CTX *dctx = NULL;
	size_t sharedlen = sizeof(shared);
	int ok = 0;

	if (age_b64_decode(s->args[1], strlen(s->args[1]), share, sizeof(share)) != AGE_KEY_LEN)
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
		     age_open(key, age_zero_nonce, s->body, (size_t)s->bodylen, file_key) == 0;
	}
	OPENSSL_cleanse(shared, sizeof(shared));
	OPENSSL_cleanse(key, sizeof(key));
	EVP_PKEY_CTX_free(dctx);
	EVP_PKEY_free(me);
	EVP_PKEY_free(peer);
	return ok;
}

/*
 * The scrypt keys derived to open files, the latest few: recover opens each
 * file's header twice, once to check the key before it touches the server
 * and once to restore (and the chunk key of a chunked backup for each of its
 * files), and each opening would cost a second and 256 MiB again. Keyed by
 * the passphrase's SHA-256, the salt and the work factor; wiped at exit.
 */
enum { REMEMBERED = 8 };
static struct derived {
	unsigned char pass[DIGEST_LEN], salt[AGE_SALT_LEN], key[32];
	long log_n;
	int used;
} remembered[REMEMBERED];
static unsigned next_slot;

static void forget_all(void)
{
	OPENSSL_cleanse(remembered, sizeof(remembered));
}

static int scrypt_key_remembered(const char *pass, const unsigned char salt[AGE_SALT_LEN],
				 long log_n, unsigned char key[32])
{
	unsigned char ph[DIGEST_LEN];
	struct derived *d;

	digest_sha256(pass, strlen(pass), ph);
	for (int i = 0; i < REMEMBERED; i++) {
		d = &remembered[i];
		if (d->used && d->log_n == log_n && memcmp(d->salt, salt, AGE_SALT_LEN) == 0 &&
		    CRYPTO_memcmp(d->pass, ph, sizeof(ph)) == 0) {
			memcpy(key, d->key, 32);
			return 0;
		}
	}
	if (scrypt_key(pass, salt, (int)log_n, key) < 0)
		return -1;
	if (next_slot == 0)
		atexit(forget_all);
	d = &remembered[next_slot++ % REMEMBERED];
	memcpy(d->pass, ph, sizeof(ph));
	memcpy(d->salt, salt, AGE_SALT_LEN);
	memcpy(d->key, key, 32);
	d->log_n = log_n;
	d->used = 1;
	return 0;
}

/* The file key from the scrypt stanza and the passphrase: 1 opened, 0 not, -1 refused. */
int age_scrypt_unwrap(const struct age_stanza *s, const char *pass, const char *label,
		      unsigned char file_key[AGE_FILE_KEY_LEN])
{
	unsigned char salt[AGE_SALT_LEN], key[32];
	char *endp = NULL;
	long log_n;
	int ok;

	log_n = s->nargs == 3 ? strtol(s->args[2], &endp, 10) : -1;
	if (s->nargs != 3 ||
	    age_b64_decode(s->args[1], strlen(s->args[1]), salt, AGE_SALT_LEN) != AGE_SALT_LEN ||
	    endp == NULL || *endp != '\0' || s->args[2][0] == '0' || log_n < 1) {
		fail(EXIT_CORRUPT, "%s: its age scrypt stanza is malformed", label);
		return -1;
	}
	if (log_n > AGE_SCRYPT_MAX_LOG_N) {
		fail(EXIT_AUTH, "%s: its scrypt work factor %ld is above the %d we accept", label,
		     log_n, AGE_SCRYPT_MAX_LOG_N);
		return -1;
	}
	ok = scrypt_key_remembered(pass, salt, log_n, key) == 0 &&
	     age_open(key, age_zero_nonce, s->body, (size_t)s->bodylen, file_key) == 0;
	OPENSSL_cleanse(key, sizeof(key));
	return ok;
}
