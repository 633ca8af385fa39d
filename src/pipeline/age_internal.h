/*
 * What the files of the age module share and nothing else includes: age's
 * base64, the header text being written, stanzas as parsed, and the two
 * kinds of recipient (age_recipients.c).
 */
#ifndef TIERDUMP_AGE_INTERNAL_H
#define TIERDUMP_AGE_INTERNAL_H

#include "pipeline/age.h"

enum { AGE_SALT_LEN = 16, AGE_COLUMNS = 64 };

/* The all-zero nonce stanzas wrap the file key with (each key is used once). */
extern const unsigned char age_zero_nonce[12];

/* Unpadded standard base64 into out (len * 4 / 3 + 2 bytes); returns its length. */
size_t age_b64_encode(const unsigned char *in, size_t len, char *out);
/* Strict and canonical, as age wants it: no padding, unused bits zero. Length or -1. */
long age_b64_decode(const char *in, size_t len, unsigned char *out, size_t size);

/* A header being written: malloc'ed text, grown as needed. */
struct age_text {
	char *buf;
	size_t len, size;
};
int age_text_put(struct age_text *t, const char *s, size_t len);
/* "-> args\n" then body in 64-column lines, the last one shorter (maybe empty). */
int age_put_stanza(struct age_text *t, const char *args, const unsigned char *body, size_t len);

/* One parsed stanza: its arguments point into the parsed copy of the header. */
struct age_stanza {
	char *args[4];
	int nargs;
	unsigned char body[128];
	long bodylen;
};

/* Appends a stanza wrapping file_key to r, or to pass at work factor log_n. 0 or -1. */
int age_x25519_wrap(struct age_text *t, const struct age_recipient *r,
		    const unsigned char file_key[AGE_FILE_KEY_LEN]);
int age_scrypt_wrap(struct age_text *t, const char *pass, int log_n,
		    const unsigned char file_key[AGE_FILE_KEY_LEN]);

/* The file key from an X25519 stanza, if identity id opens it: 1 yes, 0 no. */
int age_x25519_unwrap(const struct age_stanza *s, const struct age_identity *id,
		      unsigned char file_key[AGE_FILE_KEY_LEN]);
/* The file key from the scrypt stanza: 1 opened, 0 not, -1 refused after fail(). */
int age_scrypt_unwrap(const struct age_stanza *s, const char *pass, const char *label,
		      unsigned char file_key[AGE_FILE_KEY_LEN]);

#endif
