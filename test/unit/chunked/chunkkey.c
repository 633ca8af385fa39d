/*
 * The chunk key of encrypted chunks, against a local store in a temporary
 * directory: a passphrase makes one key and finds it again, another
 * passphrase makes a second without a failure; with recipients the key
 * file's key is stored for recover and its id follows the recipients, not
 * their order; readers open it with the right key only; encrypted chunks
 * read back whole under names that are not their SHA-256.
 */
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "chunked/chunkkey.h"
#include "chunked/reader.h"
#include "chunked/writer.h"
#include "test.h"
#include "util/log.h"

enum { LEN = 5 << 20 };

static void new_identity(struct age_keys *k)
{
	unsigned char secret[AGE_KEY_LEN];

	RAND_bytes(secret, sizeof(secret));
	age_keys_add_identity(k, secret);
	age_keys_add_recipient_key(k, k->identities[k->nidentities - 1].pub);
}

static int count_keys(const char *root)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "ls '%s/" CHUNKS_KEYS "' | wc -l", root);
	return shell_count(cmd);
}

static void passphrase_keys(struct store *s, const char *root)
{
	struct age_keys pass = {0}, other = {0}, none = {0};
	struct chunk_key *a, *b, *c, *r;
	char *const to[] = {"passphrase (scrypt)"};

	pass.scrypt_log_n = other.scrypt_log_n = 10; /* fast: the work factor is not tested here */
	age_keys_set_passphrase(&pass, "correct horse");
	age_keys_set_passphrase(&other, "battery staple");
	fail_clear();
	a = chunk_key_for_writer(s, &pass, NULL);
	b = chunk_key_for_writer(s, &pass, NULL);
	CHECK(a != NULL && b != NULL && strcmp(a->id, b->id) == 0 && count_keys(root) == 1,
	      "a passphrase makes one chunk key, and finds it again");
	CHECK(a != NULL && memcmp(a->name_key, b->name_key, DIGEST_LEN) == 0 && a->seal == &a->own,
	      "with the same name key, sealing to its own public key");
	c = chunk_key_for_writer(s, &other, NULL);
	CHECK(c != NULL && a != NULL && strcmp(c->id, a->id) != 0 && count_keys(root) == 2 &&
		  *fail_reason() == '\0',
	      "another passphrase makes a second key, and trying the first is no failure");
	r = a != NULL ? chunk_key_for_reader(s, &pass, a->id, to, 1) : NULL;
	CHECK(r != NULL && memcmp(r->name_key, a->name_key, DIGEST_LEN) == 0,
	      "a reader with the passphrase opens it, to the same name key");
	chunk_key_free(r);
	r = a != NULL ? chunk_key_for_reader(s, &other, a->id, to, 1) : NULL;
	CHECK(r == NULL && fail_code() == EXIT_AUTH, "the other passphrase cannot (exit %d)",
	      fail_code());
	fail_clear();
	r = a != NULL ? chunk_key_for_reader(s, &none, a->id, to, 1) : NULL;
	CHECK(r == NULL && fail_code() == EXIT_AUTH &&
		  strstr(fail_reason(), "RECOVER_IDENTITY_FILE"),
	      "no key at all names what to set: %s", fail_reason());
	fail_clear();
	chunk_key_free(a);
	chunk_key_free(b);
	chunk_key_free(c);
	age_keys_free(&pass);
	age_keys_free(&other);
}

static void recipient_keys(struct store *s, const char *root)
{
	struct age_keys one = {0}, two = {0}, both = {0}, swapped = {0}, chunk = {0};
	struct chunk_key *a, *b, *d, *r;
	char path[1100], identity[128];
	char *to[2];
	FILE *f;

	new_identity(&one);
	new_identity(&two);
	new_identity(&chunk);
	age_keys_add_recipient_key(&both, one.recipients[0].pub);
	age_keys_add_recipient_key(&both, two.recipients[0].pub);
	age_keys_add_recipient_key(&swapped, two.recipients[0].pub);
	age_keys_add_recipient_key(&swapped, one.recipients[0].pub);
	snprintf(path, sizeof(path), "%s/chunk-key.txt", root);
	age_identity_text(chunk.identities[0].secret, identity, sizeof(identity));
	f = fopen(path, "w");
	fprintf(f, "# a chunk key\n%s\n", identity);
	fclose(f);

	fail_clear();
	CHECK(chunk_key_for_writer(s, &one, NULL) == NULL && fail_code() == EXIT_CONFIG &&
		  strstr(fail_reason(), "BACKUP_CHUNK_KEY_FILE") != NULL,
	      "recipients without a chunk key file: %s", fail_reason());
	fail_clear();
	a = chunk_key_for_writer(s, &both, path);
	b = chunk_key_for_writer(s, &swapped, path);
	d = chunk_key_for_writer(s, &one, path);
	CHECK(a != NULL && b != NULL && strcmp(a->id, b->id) == 0 && a->seal == &both,
	      "the recipients in another order are the same key, sealing to the recipients");
	CHECK(a != NULL && d != NULL && strcmp(a->id, d->id) != 0 &&
		  memcmp(a->name_key, d->name_key, DIGEST_LEN) != 0,
	      "other recipients, another id and name key: new chunks for them");
	to[0] = two.recipients[0].text;
	to[1] = one.recipients[0].text;
	r = a != NULL ? chunk_key_for_reader(s, &two, a->id, to, 2) : NULL;
	CHECK(r != NULL && memcmp(r->name_key, a->name_key, DIGEST_LEN) == 0,
	      "a recipient's identity opens the stored key, to the writer's name key");
	chunk_key_free(r);
	r = a != NULL ? chunk_key_for_reader(s, &two, a->id, to, 1) : NULL;
	CHECK(r == NULL && fail_code() == EXIT_CORRUPT,
	      "the key read as another backup's (other recipients) is not the one its name says");
	fail_clear();
	chunk_key_free(a);
	chunk_key_free(b);
	chunk_key_free(d);
	age_keys_free(&one);
	age_keys_free(&two);
	age_keys_free(&both);
	age_keys_free(&swapped);
	age_keys_free(&chunk);
}

static void encrypted_chunks(struct store *s, const char *root)
{
	struct age_keys pass = {0};
	struct chunk_writer *w = chunk_writer_open(s, 1, 5);
	struct chunk_file out;
	struct buffer back = {0};
	struct chunklist l = {0};
	unsigned char *data = malloc(LEN), plain_id[CHUNK_ID_LEN];
	char *const to[] = {"passphrase (scrypt)"};
	struct chunk_key *r;
	struct sink *sink;
	char cmd[1200], key[CHUNK_KEY_MAX];

	pass.scrypt_log_n = 10;
	age_keys_set_passphrase(&pass, "correct horse");
	fill_random(data, LEN, 7);
	sink = w != NULL && chunk_writer_encrypt(w, &pass, NULL) == 0 ? chunk_sink(w, "test", &out)
								      : NULL;
	CHECK(sink != NULL && sink_write(sink, data, LEN) == 0 && sink_commit(sink) == 0,
	      "a 5 MiB file is stored in encrypted chunks");
	r = chunk_key_for_reader(s, &pass, w->key->id, to, 1);
	CHECK(read_all(chunk_source(s, r, out.stats.sha256, "test"), &back, 65536) == 0 &&
		  back.len == LEN && memcmp(back.data, data, LEN) == 0,
	      "they read back whole with the reader's key");
	CHECK(chunk_list_read(s, out.stats.sha256, &l, "test") == 0 && l.n >= 2, "its list reads");
	digest_sha256(data, l.refs[0].raw, plain_id);
	CHECK(l.n > 0 && memcmp(plain_id, l.refs[0].id, CHUNK_ID_LEN) != 0,
	      "a chunk's name is not the SHA-256 of its plain bytes");
	snprintf(cmd, sizeof(cmd), "head -c 21 '%s/%s' | grep -c '^age-encryption.org/v1'", root,
		 l.n > 0 ? chunk_key(key, l.refs[0].id) : "none");
	CHECK(shell_count(cmd) == 1, "a chunk is an age file");
	buffer_free(&back);
	CHECK(read_all(chunk_source(s, NULL, out.stats.sha256, "test"), &back, 65536) < 0 &&
		  back.len == 0,
	      "read as plain chunks they give out nothing");
	fail_clear();
	chunklist_free(&l);
	buffer_free(&back);
	chunk_writer_close(w);
	age_keys_free(&pass);
	free(data);
}

void test_chunked_chunkkey(void)
{
	char root[] = "/tmp/tierdump-unit-chunkkey-XXXXXX", cmd[1100];
	struct store_options opts = {0};
	struct store *s;

	if (mkdtemp(root) == NULL || (s = store_open(root, &opts)) == NULL) {
		CHECK(0, "a temporary local store");
		return;
	}
	passphrase_keys(s, root);
	recipient_keys(s, root);
	encrypted_chunks(s, root);
	store_close(s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	CHECK(system(cmd) == 0, "the temporary store is removed");
}
