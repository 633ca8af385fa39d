/*
 * age's keys: recipients (age1...) from a setting or a recipients file,
 * identities (AGE-SECRET-KEY-1...) from an identity file, the passphrase.
 * A malformed one is a configuration error, found before any dump starts.
 */
#include "pipeline/age.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/strlist.h"

int age_x25519_public(const unsigned char secret[AGE_KEY_LEN], unsigned char pub[AGE_KEY_LEN])
{
	EVP_PKEY *pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, secret, AGE_KEY_LEN);
	size_t len = AGE_KEY_LEN;
	int rc = -1;

	if (pk != NULL && EVP_PKEY_get_raw_public_key(pk, pub, &len) == 1 && len == AGE_KEY_LEN)
		rc = 0;
	else
		fail(EXIT_INTERNAL, "libcrypto cannot derive an X25519 public key");
	EVP_PKEY_free(pk);
	return rc;
}

int age_keys_add_recipient_key(struct age_keys *k, const unsigned char pub[AGE_KEY_LEN])
{
	struct age_recipient r, *grown;

	memcpy(r.pub, pub, AGE_KEY_LEN);
	/* Kept as we write it, lowercase, so the manifest names keys one way. */
	if (age_bech32_encode("age", r.pub, sizeof(r.pub), r.text, sizeof(r.text)) < 0)
		return fail(EXIT_INTERNAL, "cannot encode an age recipient"), -1;
	grown = realloc(k->recipients, (k->nrecipients + 1) * sizeof(*grown));
	if (grown == NULL)
		return fail(EXIT_INTERNAL, "out of memory"), -1;
	k->recipients = grown;
	k->recipients[k->nrecipients++] = r;
	return 0;
}

static int add_recipient(struct age_keys *k, const char *word, const char *origin)
{
	unsigned char pub[AGE_KEY_LEN];
	const char *why = NULL;

	if (strncmp(word, "age1", 4) != 0 || strchr(word + 4, '1') != NULL) {
		/* Plugin recipients (age1name1...) and SSH keys need more than X25519. */
		fail(EXIT_CONFIG,
		     "%s: '%.20s...' is not an age X25519 recipient (age1...): only those and a "
		     "passphrase are supported; make one with age-keygen",
		     origin, word);
		return -1;
	}
	if (age_bech32_decode(word, "age", pub, sizeof(pub), &why) < 0) {
		fail(EXIT_CONFIG, "%s: the recipient %s is malformed: %s", origin, word, why);
		return -1;
	}
	return age_keys_add_recipient_key(k, pub);
}

int age_keys_add_recipients(struct age_keys *k, const char *list, const char *origin)
{
	char *copy = strdup(list), *save = NULL;
	int rc = 0;

	if (copy == NULL)
		return fail(EXIT_INTERNAL, "out of memory"), -1;
	for (char *w = strtok_r(copy, " \t\r\n,", &save); w != NULL && rc == 0;
	     w = strtok_r(NULL, " \t\r\n,", &save))
		rc = add_recipient(k, w, origin);
	free(copy);
	return rc;
}

/* Calls each() on every line of f (named path) that is neither blank nor a # comment; closes f. */
static int each_line_of(struct age_keys *k, FILE *f, const char *path,
			int (*each)(struct age_keys *, const char *, const char *))
{
	char line[1024], origin[1200];
	int rc = 0, n = 0;

	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		size_t len = strcspn(line, "\r\n");
		char *p = line;

		n++;
		line[len] = '\0';
		while (isspace((unsigned char)*p))
			p++;
		for (char *e = p + strlen(p); e > p && isspace((unsigned char)e[-1]);)
			*--e = '\0';
		if (*p == '\0' || *p == '#')
			continue;
		snprintf(origin, sizeof(origin), "%s line %d", path, n);
		rc = each(k, p, origin);
	}
	OPENSSL_cleanse(line, sizeof(line));
	fclose(f);
	return rc;
}

/* each_line_of() on the file at path. */
static int each_line(struct age_keys *k, const char *path, const char *what,
		     int (*each)(struct age_keys *, const char *, const char *))
{
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		fail(EXIT_CONFIG, "cannot read the %s %s: %s", what, path, strerror(errno));
		return -1;
	}
	return each_line_of(k, f, path, each);
}

static int recipient_line(struct age_keys *k, const char *line, const char *origin)
{
	return add_recipient(k, line, origin);
}

int age_keys_load_recipients_file(struct age_keys *k, const char *path)
{
	size_t before = k->nrecipients;

	if (each_line(k, path, "recipients file", recipient_line) < 0)
		return -1;
	if (k->nrecipients == before) {
		fail(EXIT_CONFIG, "the recipients file %s holds no recipient", path);
		return -1;
	}
	return 0;
}

int age_keys_add_identity(struct age_keys *k, const unsigned char secret[AGE_KEY_LEN])
{
	struct age_identity id, *grown;
	int rc = -1;

	memcpy(id.secret, secret, AGE_KEY_LEN);
	if (age_x25519_public(id.secret, id.pub) < 0)
		goto out;
	grown = realloc(k->identities, (k->nidentities + 1) * sizeof(*grown));
	if (grown == NULL) {
		fail(EXIT_INTERNAL, "out of memory");
		goto out;
	}
	k->identities = grown;
	k->identities[k->nidentities++] = id;
	rc = 0;
out:
	OPENSSL_cleanse(&id, sizeof(id));
	return rc;
}

int age_identity_text(const unsigned char secret[AGE_KEY_LEN], char *out, size_t size)
{
	if (age_bech32_encode("age-secret-key-", secret, AGE_KEY_LEN, out, size) < 0)
		return fail(EXIT_INTERNAL, "cannot encode an age identity"), -1;
	for (char *p = out; *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
	return 0;
}

static int identity_line(struct age_keys *k, const char *line, const char *origin)
{
	struct age_identity id;
	const char *why = NULL;
	int rc = -1;

	/* Never the line itself in a message: it is a secret key. */
	if (strncasecmp(line, "AGE-SECRET-KEY-1", 16) != 0) {
		fail(EXIT_CONFIG,
		     "%s is not an age X25519 identity (AGE-SECRET-KEY-1...): only those are "
		     "supported (not plugins, SSH keys or passphrase-protected identity files)",
		     origin);
		goto out;
	}
	if (age_bech32_decode(line, "age-secret-key-", id.secret, sizeof(id.secret), &why) < 0) {
		fail(EXIT_CONFIG, "%s: the identity is malformed: %s", origin, why);
		goto out;
	}
	rc = age_keys_add_identity(k, id.secret);
out:
	OPENSSL_cleanse(&id, sizeof(id));
	return rc;
}

int age_keys_load_identity_file(struct age_keys *k, const char *path)
{
	size_t before = k->nidentities;

	if (each_line(k, path, "identity file", identity_line) < 0)
		return -1;
	if (k->nidentities == before) {
		fail(EXIT_CONFIG, "the identity file %s holds no identity (AGE-SECRET-KEY-1...)",
		     path);
		return -1;
	}
	return 0;
}

int age_keys_load_identity_text(struct age_keys *k, const char *text, const char *origin)
{
	size_t before = k->nidentities;
	FILE *f = fmemopen((void *)text, strlen(text), "r");

	if (f == NULL)
		return fail(EXIT_INTERNAL, "out of memory"), -1;
	if (each_line_of(k, f, origin, identity_line) < 0)
		return -1;
	if (k->nidentities == before) {
		fail(EXIT_CONFIG, "%s holds no identity (AGE-SECRET-KEY-1...)", origin);
		return -1;
	}
	return 0;
}

int age_keys_set_passphrase(struct age_keys *k, const char *passphrase)
{
	if (k->passphrase != NULL) {
		OPENSSL_cleanse(k->passphrase, strlen(k->passphrase));
		free(k->passphrase);
	}
	k->passphrase = strdup(passphrase);
	if (k->passphrase == NULL)
		return fail(EXIT_INTERNAL, "out of memory"), -1;
	return 0;
}

int age_keys_recipient_list(const struct age_keys *k, char ***items, size_t *n)
{
	for (size_t i = 0; i < k->nrecipients; i++)
		if (strlist_add(items, n, k->recipients[i].text) < 0)
			return fail(EXIT_INTERNAL, "out of memory"), -1;
	if (k->nrecipients == 0 && k->passphrase != NULL &&
	    strlist_add(items, n, AGE_PASSPHRASE_RECIPIENT) < 0)
		return fail(EXIT_INTERNAL, "out of memory"), -1;
	return 0;
}

char *age_keys_describe(const struct age_keys *k)
{
	size_t size = k->nrecipients * (AGE_RECIPIENT_TEXT + 2) + 32, n = 0;
	char *out = malloc(size), **list = NULL;

	if (out != NULL && age_keys_recipient_list(k, &list, &n) == 0)
		strlist_join(list, n, out, size);
	else if (out != NULL)
		*out = '\0';
	strlist_free(list, n);
	return out;
}

void age_keys_free(struct age_keys *k)
{
	if (k == NULL)
		return;
	if (k->identities != NULL)
		OPENSSL_cleanse(k->identities, k->nidentities * sizeof(*k->identities));
	free(k->identities);
	if (k->passphrase != NULL)
		OPENSSL_cleanse(k->passphrase, strlen(k->passphrase));
	free(k->passphrase);
	free(k->recipients);
	memset(k, 0, sizeof(*k));
}
