/*
 * The age header: the version line, one stanza per recipient wrapping the
 * file key (age_recipients.c), and an HMAC-SHA-256 over all of it keyed from
 * the file key.
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/age_internal.h"
#include "util/log.h"

#define VERSION_LINE "age-encryption.org/v1\n"

enum { MAC_LEN = 32, MAX_STANZAS = 1024 };

/* ------------------------------------------------------------ writing */

int age_text_put(struct age_text *t, const char *s, size_t len)
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
int age_put_stanza(struct age_text *t, const char *args, const unsigned char *body, size_t len)
{
	char enc[128];
	size_t n = age_b64_encode(body, len, enc);
	int rc = age_text_put(t, "-> ", 3) | age_text_put(t, args, strlen(args)) |
		 age_text_put(t, "\n", 1);

	for (size_t i = 0; i <= n; i += AGE_COLUMNS) {
		size_t line = n - i < AGE_COLUMNS ? n - i : AGE_COLUMNS;

		rc |= age_text_put(t, enc + i, line) | age_text_put(t, "\n", 1);
	}
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
	struct age_text t = {NULL, 0, 0};
	unsigned char mac[MAC_LEN];
	char enc[64];
	int rc = age_text_put(&t, VERSION_LINE, sizeof(VERSION_LINE) - 1);

	if (k->nrecipients == 0 && k->passphrase != NULL)
		rc |=
		    age_scrypt_wrap(&t, k->passphrase,
				    k->scrypt_log_n ? k->scrypt_log_n : AGE_SCRYPT_LOG_N, file_key);
	for (size_t i = 0; i < k->nrecipients && rc == 0; i++)
		rc |= age_x25519_wrap(&t, &k->recipients[i], file_key);
	rc |= age_text_put(&t, "---", 3);
	if (rc == 0 && header_mac(file_key, t.buf, t.len, mac) == 0) {
		age_b64_encode(mac, sizeof(mac), enc);
		if (age_text_put(&t, " ", 1) == 0 && age_text_put(&t, enc, strlen(enc)) == 0 &&
		    age_text_put(&t, "\n", 1) == 0) {
			*len = t.len;
			return t.buf;
		}
	}
	free(t.buf);
	fail(EXIT_INTERNAL, "cannot write an age header (libcrypto failed)");
	return NULL;
}

/* ------------------------------------------------------------ reading */

/* Splits the header's lines into stanzas; returns where "---" starts, or NULL. */
static char *parse_stanzas(char *p, char *end, struct age_stanza *st, int *nst)
{
	*nst = 0;
	if ((size_t)(end - p) < sizeof(VERSION_LINE) - 1 ||
	    memcmp(p, VERSION_LINE, sizeof(VERSION_LINE) - 1) != 0)
		return NULL;
	p += sizeof(VERSION_LINE) - 1;
	while (p < end && strncmp(p, "-> ", 3) == 0) {
		struct age_stanza *s = &st[*nst];
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
			if (nl == NULL || (line = (size_t)(nl - p)) > AGE_COLUMNS)
				return NULL;
			n = age_b64_decode(p, line, b, sizeof(s->body) - (size_t)(b - s->body));
			if (n < 0)
				return NULL;
			b += n;
			s->bodylen += n;
			p = nl + 1;
			if (line < AGE_COLUMNS)
				break;
		}
		(*nst)++;
	}
	return end - p >= 4 && strncmp(p, "--- ", 4) == 0 ? p : NULL;
}

/* Tries k's keys on the stanzas: 1 with the file key, 0 when none opens one, -1 after fail(). */
static int unwrap(const struct age_stanza *st, int nst, const struct age_keys *k, const char *label,
		  unsigned char file_key[AGE_FILE_KEY_LEN])
{
	for (int i = 0; i < nst; i++) {
		const struct age_stanza *s = &st[i];

		if (strcmp(s->args[0], "scrypt") == 0) {
			/* age: a passphrase-encrypted file has that one stanza and no other. */
			if (nst != 1) {
				fail(EXIT_CORRUPT, "%s: an age scrypt stanza beside others", label);
				return -1;
			}
			if (k->passphrase == NULL)
				return 0;
			return age_scrypt_unwrap(s, k->passphrase, label, file_key);
		}
		if (strcmp(s->args[0], "X25519") != 0)
			continue; /* another kind of recipient, or grease */
		if (s->nargs != 2 || s->bodylen != AGE_FILE_KEY_LEN + AGE_TAG) {
			fail(EXIT_CORRUPT, "%s: an age X25519 stanza is malformed", label);
			return -1;
		}
		for (size_t j = 0; j < k->nidentities; j++)
			if (age_x25519_unwrap(s, &k->identities[j], file_key))
				return 1;
	}
	return 0;
}

int age_header_read(const char *text, size_t len, const struct age_keys *k, const char *label,
		    const char *recipients, unsigned char file_key[AGE_FILE_KEY_LEN],
		    int *not_opened)
{
	struct age_stanza *st = calloc(MAX_STANZAS, sizeof(*st));
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
	    age_b64_decode(mark + 4, 43, want, sizeof(want)) != MAC_LEN) {
		fail(EXIT_CORRUPT,
		     "%s is not an age v1 file (binary, not armored) or its header is damaged",
		     label);
		goto out;
	}
	opened = unwrap(st, nst, k, label, file_key);
	if (opened < 0)
		goto out;
	if (opened == 0 && not_opened != NULL) {
		*not_opened = 1;
		goto out;
	}
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
