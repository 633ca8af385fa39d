/*
 * Encryption at rest in the age v1 format (age-encryption.org/v1), so that
 * `age -d -i key.txt` decrypts every stored file without tierdump. Only the
 * framing is ours: X25519, HKDF-SHA-256, HMAC-SHA-256, ChaCha20-Poly1305 and
 * scrypt all come from OpenSSL's libcrypto.
 *
 * Files: age_bech32.c (age1... and AGE-SECRET-KEY-1... text), age_keys.c
 * (recipients, identities, their files), age_crypto.c (the libcrypto
 * primitives, base64), age_recipients.c (X25519 and scrypt stanzas),
 * age_header.c (the header and its MAC), age_stream.c (the STREAM payload as
 * a sink and a source); age_internal.h is what they share.
 */
#ifndef TIERDUMP_AGE_H
#define TIERDUMP_AGE_H

#include <stddef.h>

#include "util/stream.h"

enum {
	AGE_KEY_LEN = 32,      /* an X25519 key, public or secret */
	AGE_FILE_KEY_LEN = 16, /* the per-file key the stanzas wrap */
	AGE_CHUNK = 64 * 1024, /* plaintext bytes per STREAM chunk */
	AGE_TAG = 16,	       /* Poly1305 tag after each chunk */
	AGE_RECIPIENT_TEXT = 96,
	AGE_SCRYPT_LOG_N = 18, /* the work factor we encrypt with: age's own default */
	AGE_SCRYPT_MAX_LOG_N = 22,
};

/* Whom a passphrase-encrypted file is for, as manifests and messages name it. */
#define AGE_PASSPHRASE_RECIPIENT "passphrase (scrypt)"

struct age_recipient {
	unsigned char pub[AGE_KEY_LEN];
	char text[AGE_RECIPIENT_TEXT]; /* age1... */
};

struct age_identity {
	unsigned char secret[AGE_KEY_LEN];
	unsigned char pub[AGE_KEY_LEN];
};

/* What one run encrypts to and decrypts with. Free with age_keys_free(). */
struct age_keys {
	struct age_recipient *recipients;
	size_t nrecipients;
	struct age_identity *identities;
	size_t nidentities;
	char *passphrase; /* scrypt recipient and identity; wiped when freed */
	int scrypt_log_n; /* work factor to encrypt with; 0: AGE_SCRYPT_LOG_N */
};

/* ------------------------------------------------------------ age_bech32.c */

/*
 * Decodes Bech32 text (either case, not both) whose human-readable part is
 * hrp (lowercase) into exactly len bytes. Returns 0, or -1 with *why set.
 */
int age_bech32_decode(const char *text, const char *hrp, unsigned char *out, size_t len,
		      const char **why);

/* Encodes len bytes under hrp, lowercase, into out (size bytes). 0 or -1. */
int age_bech32_encode(const char *hrp, const unsigned char *data, size_t len, char *out,
		      size_t size);

/* ------------------------------------------------------------ age_keys.c */

/*
 * Adds the recipients in list (age1... keys separated by white space or
 * commas). origin names the setting in messages. 0, or -1 after fail(78).
 */
int age_keys_add_recipients(struct age_keys *k, const char *list, const char *origin);

/* Adds the recipients of an age recipients file (one a line, # comments). */
int age_keys_load_recipients_file(struct age_keys *k, const char *path);

/* Adds the identities of an age identity file (AGE-SECRET-KEY-1..., # comments). */
int age_keys_load_identity_file(struct age_keys *k, const char *path);

/* Sets the passphrase (copied). 0, or -1 after fail(). */
int age_keys_set_passphrase(struct age_keys *k, const char *passphrase);

/*
 * Appends whom k encrypts to, as manifests record it: each recipient's
 * age1... text, or AGE_PASSPHRASE_RECIPIENT for a passphrase, to the string
 * list *items (util/strlist.h). 0, or -1 after fail().
 */
int age_keys_recipient_list(const struct age_keys *k, char ***items, size_t *n);

/*
 * The same as one line for messages ("age1..., age1..." or "passphrase
 * (scrypt)"), malloc'ed: the caller frees it. NULL on no memory.
 */
char *age_keys_describe(const struct age_keys *k);

/* Wipes and frees what k holds; k itself is the caller's. Accepts NULL. */
void age_keys_free(struct age_keys *k);

/* Adds the identity of secret (and its public key). 0, or -1 after fail(). */
int age_keys_add_identity(struct age_keys *k, const unsigned char secret[AGE_KEY_LEN]);

/* Adds the recipient whose public key is pub. 0, or -1 after fail(). */
int age_keys_add_recipient_key(struct age_keys *k, const unsigned char pub[AGE_KEY_LEN]);

/*
 * Adds the identities of an age identity file's text (origin names it in
 * messages, never a line of it). 0, or -1 after fail(78).
 */
int age_keys_load_identity_text(struct age_keys *k, const char *text, const char *origin);

/* The identity of secret as age writes it (AGE-SECRET-KEY-1..., uppercase) into out. 0 or -1. */
int age_identity_text(const unsigned char secret[AGE_KEY_LEN], char *out, size_t size);

/* The public key of a secret one. 0, or -1 after fail(). */
int age_x25519_public(const unsigned char secret[AGE_KEY_LEN], unsigned char pub[AGE_KEY_LEN]);

/* ------------------------------------------------------------ age_header.c */

/*
 * Writes a header wrapping file_key to k's recipients (or its passphrase)
 * into out, malloc'ed, its length in *len. NULL after fail().
 */
char *age_header_write(const struct age_keys *k, const unsigned char file_key[AGE_FILE_KEY_LEN],
		       size_t *len);

/*
 * Parses the header at text (len bytes, up to and including the newline after
 * the MAC), unwraps the file key with k's identities or passphrase and checks
 * the MAC. label names the file and recipients (may be NULL) whom it was
 * encrypted to, for messages. 0, or -1 after fail(): EXIT_AUTH when no key
 * of k opens it, EXIT_CORRUPT when it is malformed or its MAC is wrong.
 * With not_opened, a header no key of k opens is no failure: -1 with
 * *not_opened set, nothing logged (for trying files that may be another's).
 */
int age_header_read(const char *text, size_t len, const struct age_keys *k, const char *label,
		    const char *recipients, unsigned char file_key[AGE_FILE_KEY_LEN],
		    int *not_opened);

/* ------------------------------------------------------------ age_crypto.c */

/* HKDF-SHA-256 of ikm with salt and info into out (outlen bytes). 0 or -1. */
int age_hkdf(const unsigned char *ikm, size_t ikmlen, const unsigned char *salt, size_t saltlen,
	     const char *info, unsigned char *out, size_t outlen);

/*
 * ChaCha20-Poly1305 with a 12-byte nonce: seals in (len bytes) into out
 * (len + AGE_TAG bytes) or opens in (len bytes, tag included) into out
 * (len - AGE_TAG bytes). Returns 0, or -1 when opening fails to authenticate.
 */
int age_seal(const unsigned char key[32], const unsigned char nonce[12], const unsigned char *in,
	     size_t len, unsigned char *out);
int age_open(const unsigned char key[32], const unsigned char nonce[12], const unsigned char *in,
	     size_t len, unsigned char *out);

/* ------------------------------------------------------------ age_stream.c */

/*
 * A sink that encrypts what it is written to k's recipients into inner,
 * which it owns. NULL after fail(), having aborted inner.
 */
struct sink *age_sink(struct sink *inner, const struct age_keys *k);

/*
 * A source that decrypts inner (which it owns) with k's identities or
 * passphrase, giving out only authenticated chunks; label names the file and
 * recipients whom it was encrypted to (may be NULL) for messages. The header
 * is read and the file key unwrapped before it returns, so a wrong key fails
 * here. NULL after fail(), having closed inner.
 */
struct source *age_source(struct source *inner, const struct age_keys *k, const char *label,
			  const char *recipients);

struct membuf;

/* Appends the age file of len bytes at in, encrypted to k's recipients, to out. 0 or -1. */
int age_encrypt_buffer(const struct age_keys *k, const void *in, size_t len, struct membuf *out);

/*
 * Appends the plain bytes of the age file of len bytes at in to out, at most
 * limit of them. Fails like age_source() (label, recipients), and, with
 * not_opened, returns -1 quietly with *not_opened set when no key of k opens
 * it (see age_header_read()).
 */
int age_decrypt_buffer(const struct age_keys *k, const void *in, size_t len, size_t limit,
		       const char *label, const char *recipients, struct membuf *out,
		       int *not_opened);

#endif
