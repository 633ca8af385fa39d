/* The key of a store's encrypted chunks (see chunkkey.h). */
#include "chunked/chunkkey.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"
#include "util/membuf.h"
#include "util/strlist.h"

enum { KEY_FILE_MAX = 64 * 1024, IDENTITY_TEXT = 128 };

static int cmp_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The name key and id of secret for backups encrypted to recipients: the
 * salt is their sorted list, whatever order the settings give them in.
 */
static int derive(struct chunk_key *k, const unsigned char secret[AGE_KEY_LEN],
		  char *const *recipients, size_t n)
{
	char **sorted = calloc(n + 1, sizeof(*sorted));
	struct membuf salt = {0};
	unsigned char fingerprint[DIGEST_LEN];
	int rc = -1;

	if (sorted == NULL) {
		fail(EXIT_INTERNAL, "out of memory");
		return -1;
	}
	memcpy(sorted, recipients, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_text);
	for (size_t i = 0; i < n; i++)
		if (membuf_put(&salt, sorted[i], strlen(sorted[i])) < 0 ||
		    membuf_put(&salt, "\n", 1) < 0)
			goto out;
	if (age_hkdf(secret, AGE_KEY_LEN, salt.data, salt.len, "tierdump chunk names", k->name_key,
		     sizeof(k->name_key)) < 0) {
		fail(EXIT_INTERNAL, "libcrypto cannot derive the chunk name key");
		goto out;
	}
	digest_hmac_sha256(k->name_key, "tierdump chunk key id", 21, fingerprint);
	digest_hex(fingerprint, CHUNK_KEY_ID_LEN / 2, k->id);
	rc = 0;
out:
	membuf_free(&salt);
	free(sorted);
	return rc;
}

/* A key holding secret, for backups to recipients; others: more identities that open chunks. */
static struct chunk_key *key_new(const unsigned char secret[AGE_KEY_LEN], char *const *recipients,
				 size_t n, const struct age_keys *others)
{
	struct chunk_key *k = calloc(1, sizeof(*k));

	if (k == NULL) {
		fail(EXIT_INTERNAL, "out of memory");
		return NULL;
	}
	k->seal = &k->own;
	if (age_keys_add_identity(&k->own, secret) < 0 ||
	    age_keys_add_recipient_key(&k->own, k->own.identities[0].pub) < 0 ||
	    derive(k, secret, recipients, n) < 0)
		goto fail;
	for (size_t i = 0; others != NULL && i < others->nidentities; i++)
		if (age_keys_add_identity(&k->own, others->identities[i].secret) < 0)
			goto fail;
	return k;
fail:
	chunk_key_free(k);
	return NULL;
}

void chunk_key_free(struct chunk_key *k)
{
	if (k == NULL)
		return;
	age_keys_free(&k->own);
	OPENSSL_cleanse(k, sizeof(*k));
	free(k);
}

static char *key_file_key(char *buf, size_t size, const char *id)
{
	snprintf(buf, size, CHUNKS_KEYS "/%s", id);
	return buf;
}

/* ------------------------------------------------------------ the key file */

/* Stores k's secret under its id, encrypted to age (recipients or passphrase). */
static int store_key(struct store *s, const struct chunk_key *k, const struct age_keys *age)
{
	char text[IDENTITY_TEXT * 2], identity[IDENTITY_TEXT], key[CHUNK_KEY_MAX];
	struct membuf sealed = {0};
	int rc = -1;

	if (age_identity_text(k->own.identities[0].secret, identity, sizeof(identity)) < 0)
		goto out;
	snprintf(text, sizeof(text), "# the chunk key of a tierdump store: %s\n%s\n",
		 k->seal == &k->own ? "age -d -i with this file opens its chunks"
				    : "it names the chunks; the recipients' keys open them",
		 identity);
	if (age_encrypt_buffer(age, text, strlen(text), &sealed) < 0)
		goto out;
	rc = store_write_bytes(s, key_file_key(key, sizeof(key), k->id), sealed.data, sealed.len);
	if (rc == 0)
		log_info("stored the chunk key %s in %s", key, store_name(s));
out:
	OPENSSL_cleanse(text, sizeof(text));
	OPENSSL_cleanse(identity, sizeof(identity));
	membuf_free(&sealed);
	return rc;
}

/*
 * Opens the key file id of s with age into *secret. 0; 1 when quiet and age
 * does not open it; -1 after fail(), or, when missing is not NULL and s
 * lacks it, -1 quietly with *missing set.
 */
static int open_key(struct store *s, const char *id, const struct age_keys *age,
		    const char *recipients, int quiet, int *missing,
		    unsigned char secret[AGE_KEY_LEN])
{
	struct membuf sealed = {0}, plain = {0};
	struct age_keys found = {0};
	struct source *src = NULL;
	char key[CHUNK_KEY_MAX];
	int not_opened = 0, rc = -1;

	key_file_key(key, sizeof(key), id);
	if (store_get_if_there(s, key, &src, missing) < 0 ||
	    membuf_read(&sealed, src, KEY_FILE_MAX, key) < 0)
		goto out;
	if (age_decrypt_buffer(age, sealed.data, sealed.len, KEY_FILE_MAX, key, recipients, &plain,
			       quiet ? &not_opened : NULL) < 0) {
		rc = not_opened ? 1 : -1;
		goto out;
	}
	if (membuf_put(&plain, "", 1) < 0 ||
	    age_keys_load_identity_text(&found, (const char *)plain.data, key) < 0) {
		fail_summary(EXIT_CORRUPT, "%s does not hold an age identity: it is damaged", key);
		goto out;
	}
	memcpy(secret, found.identities[0].secret, AGE_KEY_LEN);
	rc = 0;
out:
	age_keys_free(&found);
	membuf_free(&sealed);
	membuf_free(&plain);
	return rc;
}

/* Whether s holds the key file id: 1 or 0, or -1 after fail(). */
static int key_stored(struct store *s, const char *id)
{
	char key[CHUNK_KEY_MAX], *there;
	int missing = 0;

	there = store_read_small(s, key_file_key(key, sizeof(key), id), &missing);
	free(there);
	return there != NULL ? 1 : missing ? 0 : -1;
}

/* An opened key is the one its name says, or it was replaced. */
static int check_id(const struct chunk_key *k, const char *id)
{
	if (strcmp(k->id, id) == 0)
		return 0;
	fail(EXIT_CORRUPT,
	     CHUNKS_KEYS "/%s holds another key than its name says: it was replaced or damaged",
	     id);
	return -1;
}

/* ------------------------------------------------------------ writers */

/*
 * With recipients, the key file is encrypted to the recipients and to the
 * chunk key itself, which the writer holds: so each run can open the stored
 * file and see that it still holds that key. A replaced or damaged key file
 * would leave every chunked backup of the store unrestorable while runs went
 * on succeeding; the writer stores it again instead. Returns 0 or -1.
 */
static int keep_key_file(struct store *s, const struct chunk_key *k, const struct age_keys *age)
{
	unsigned char secret[AGE_KEY_LEN];
	struct age_keys to = {0};
	int mark = fail_mark(), missing = 0, opened, rc = -1;

	/* One read: opened 0 (the key), 1 (not encrypted to it), -1 (damaged); absent: missing. */
	opened = open_key(s, k->id, &k->own, NULL, 1, &missing, secret);
	if (opened == 0 && memcmp(secret, k->own.identities[0].secret, AGE_KEY_LEN) == 0) {
		OPENSSL_cleanse(secret, sizeof(secret));
		return 0;
	}
	OPENSSL_cleanse(secret, sizeof(secret));
	fail_forget_since(mark); /* what failed to open it is mended below, or fails anew */
	/* A missing one is a new key, stored below for the first time. */
	if (!missing && opened == 1)
		log_warn(CHUNKS_KEYS
			 "/%s cannot be checked, as it is not encrypted to the chunk key "
			 "(an older run stored it, or it was replaced): storing it again, "
			 "encrypted to the recipients and to the chunk key",
			 k->id);
	else if (!missing)
		log_warn(CHUNKS_KEYS "/%s is not the chunk key BACKUP_CHUNK_KEY_FILE holds (%s): "
				     "storing it again, so that recover opens the chunked backups",
			 k->id, opened == 0 ? "it holds another" : "damaged or unreadable");
	for (size_t i = 0; i < age->nrecipients; i++)
		if (age_keys_add_recipient_key(&to, age->recipients[i].pub) < 0)
			goto out;
	if (age_keys_add_recipient_key(&to, k->own.identities[0].pub) < 0)
		goto out;
	rc = store_key(s, k, &to);
out:
	age_keys_free(&to);
	return rc;
}

/* With recipients: the secret the operator keeps, stored for recover and checked each run. */
static struct chunk_key *from_key_file(struct store *s, const struct age_keys *age,
				       const char *key_file)
{
	struct age_keys file = {0};
	struct chunk_key *k = NULL;
	char **to = NULL;
	size_t n = 0;

	if (key_file == NULL) {
		fail(EXIT_CONFIG,
		     "BACKUP_FORMAT=chunked with BACKUP_RECIPIENTS needs BACKUP_CHUNK_KEY_FILE: "
		     "the key that names chunks without giving away their content; make it once "
		     "with age-keygen -o chunk-key.txt and keep it with the job's secrets");
		return NULL;
	}
	if (access(key_file, R_OK) != 0) {
		fail(EXIT_CONFIG, "BACKUP_CHUNK_KEY_FILE %s cannot be read: %s", key_file,
		     strerror(errno));
		return NULL;
	}
	if (age_keys_load_identity_file(&file, key_file) < 0 ||
	    age_keys_recipient_list(age, &to, &n) < 0 ||
	    (k = key_new(file.identities[0].secret, to, n, NULL)) == NULL)
		goto out;
	k->seal = age;
	if (keep_key_file(s, k, age) < 0) {
		chunk_key_free(k);
		k = NULL;
	}
out:
	strlist_free(to, n);
	age_keys_free(&file);
	return k;
}

struct key_names {
	char **names;
	size_t n;
	int failed;
};

static int on_key(const char *name, int is_dir, long long size, void *arg)
{
	struct key_names *l = arg;

	(void)size;
	if (is_dir || strlen(name) != CHUNK_KEY_ID_LEN ||
	    strspn(name, "0123456789abcdef") != CHUNK_KEY_ID_LEN)
		return 0; /* a driver's temporary file */
	if (strlist_add(&l->names, &l->n, name) < 0) {
		l->failed = 1;
		return 1;
	}
	return 0;
}

/* With a passphrase: the first key of s it opens, or a new one. */
static struct chunk_key *from_store(struct store *s, const struct age_keys *age)
{
	struct key_names l = {0};
	struct chunk_key *k = NULL;
	unsigned char secret[AGE_KEY_LEN];
	char **to = NULL;
	size_t n = 0;
	int opened = 1, ok = 0;

	if (age_keys_recipient_list(age, &to, &n) < 0 || store_list(s, CHUNKS_KEYS, on_key, &l) < 0)
		goto out;
	if (l.failed) {
		fail(EXIT_INTERNAL, "out of memory");
		goto out;
	}
	if (l.n > 1) /* qsort() takes no NULL array, even empty */
		qsort(l.names, l.n, sizeof(*l.names), cmp_text);
	for (size_t i = 0; opened == 1 && i < l.n; i++) {
		opened = open_key(s, l.names[i], age, NULL, 1, NULL, secret);
		if (opened < 0)
			goto out;
		if (opened == 0 &&
		    ((k = key_new(secret, to, n, NULL)) == NULL || check_id(k, l.names[i]) < 0))
			goto out;
	}
	if (opened == 1) {
		/* A new store, or a new passphrase: the chunks to come get a key of their own. */
		if (RAND_bytes(secret, sizeof(secret)) != 1) {
			fail(EXIT_INTERNAL, "libcrypto cannot make a chunk key");
			goto out;
		}
		if ((k = key_new(secret, to, n, NULL)) == NULL || store_key(s, k, age) < 0)
			goto out;
	}
	ok = 1;
out:
	if (!ok) {
		chunk_key_free(k);
		k = NULL;
	}
	OPENSSL_cleanse(secret, sizeof(secret));
	strlist_free(l.names, l.n);
	strlist_free(to, n);
	return k;
}

struct chunk_key *chunk_key_for_writer(struct store *s, const struct age_keys *age,
				       const char *key_file)
{
	return age->nrecipients > 0 ? from_key_file(s, age, key_file) : from_store(s, age);
}

/* ------------------------------------------------------------ readers */

struct chunk_key *chunk_key_for_reader(struct store *s, const struct age_keys *age, const char *id,
				       char *const *recipients, size_t nrecipients)
{
	static const struct age_keys none;
	struct chunk_key *k = NULL;
	unsigned char secret[AGE_KEY_LEN];
	char to[2048];

	strlist_join(recipients, nrecipients, to, sizeof(to));
	if (age == NULL)
		age = &none;
	if (open_key(s, id, age, to, 0, NULL, secret) == 0 &&
	    (k = key_new(secret, recipients, nrecipients, age)) != NULL && check_id(k, id) < 0) {
		chunk_key_free(k);
		k = NULL;
	}
	OPENSSL_cleanse(secret, sizeof(secret));
	return k;
}

int chunk_key_carry(struct store *from, struct store *to, const char *id)
{
	char key[CHUNK_KEY_MAX];
	int stored = key_stored(to, id);

	key_file_key(key, sizeof(key), id);
	return stored != 0 ? (stored > 0 ? 0 : -1) : store_copy(from, key, to, key);
}
