/*
 * recover --check-store: every chunk the chunked backups of the store
 * reference is there, at its size, and holds the bytes its name says. Lists
 * each missing or damaged chunk with the backups it breaks; exits non-zero
 * when there is any. Chunks no backup references are counted, not errors:
 * the next garbage collection takes them. Encrypted chunks are opened with
 * the chunk key their backups name; without a key to open it (no identity or
 * passphrase given) only their presence and size are checked, and it says so.
 *
 * --repair sets each damaged chunk aside (chunk_set_aside()), so that the
 * next backup stores it again if the database still holds its bytes,
 * mending the older backups that need it. Only a chunk whose bytes were read
 * and found wrong is moved: one the store failed to give (a network error)
 * may well be intact, and is left where it is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backup/catalog.h"
#include "backup/manifest.h"
#include "chunked/chunkkey.h"
#include "chunked/reader.h"
#include "cmd/cmd.h"
#include "util/log.h"

enum chunk_state { CHUNK_MISSING = 1, CHUNK_DAMAGED, CHUNK_UNREADABLE };

/* Every chunk referenced, with the first backup that references it (its index in the catalog). */
struct inventory {
	struct chunkset wanted; /* value: catalog index + 1 */
	struct chunkset bad;	/* value: enum chunk_state */
	struct chunkset raw;	/* the plain size of each wanted chunk */
	struct chunkset stored; /* and the size its list says it takes */
	size_t damaged;		/* how many bad ones are CHUNK_DAMAGED */
};

static int take_stock(struct store *s, const struct catalog *cat, struct inventory *inv,
		      size_t *broken_lists)
{
	for (size_t i = 0; i < cat->n; i++) {
		const struct manifest *m = cat->refs[i].manifest;

		if (m == NULL || m->format != MANIFEST_CHUNKED)
			continue;
		for (size_t f = 0; f < m->nfiles; f++) {
			struct chunklist l = {0};
			char label[512];

			snprintf(label, sizeof(label), "%s/%s/%s", cat->refs[i].tier,
				 cat->refs[i].name, m->files[f].name);
			if (chunk_list_read(s, m->files[f].sha256, &l, label) < 0) {
				(*broken_lists)++;
				continue;
			}
			for (size_t k = 0; k < l.n; k++) {
				if (chunkset_get(&inv->wanted, l.refs[k].id, NULL))
					continue;
				if (chunkset_put(&inv->wanted, l.refs[k].id, i + 1) < 0 ||
				    chunkset_put(&inv->raw, l.refs[k].id, l.refs[k].raw) < 0 ||
				    chunkset_put(&inv->stored, l.refs[k].id, l.refs[k].stored) <
					0) {
					chunklist_free(&l);
					return -1;
				}
			}
			chunklist_free(&l);
		}
	}
	return 0;
}

struct checking {
	struct store *s;
	const struct config *c;
	struct chunk_codec cc;
	const struct chunkset *have;
	struct inventory *inv;
	const struct catalog *cat;
	size_t done;
	int keyless;		 /* encrypted chunks, no identity or passphrase: sizes only */
	struct chunk_key **keys; /* the chunk keys opened so far */
	size_t nkeys;
};

/* The chunk key m names, opened once; NULL after fail(). */
static struct chunk_key *key_of(struct checking *k, const struct manifest *m)
{
	struct chunk_key *key, **grown;

	for (size_t i = 0; i < k->nkeys; i++)
		if (strcmp(k->keys[i]->id, m->chunk_key) == 0)
			return k->keys[i];
	key = chunk_key_for_reader(k->s, k->c->age, m->chunk_key, m->recipients, m->nrecipients);
	if (key == NULL)
		return NULL;
	grown = realloc(k->keys, (k->nkeys + 1) * sizeof(*grown));
	if (grown == NULL) {
		fail(EXIT_INTERNAL, "out of memory");
		chunk_key_free(key);
		return NULL;
	}
	k->keys = grown;
	k->keys[k->nkeys++] = key;
	return key;
}

/* Whether the chunk id, encrypted, takes the bytes its list says: all a check without a key sees.
 */
static int stored_as_listed(struct checking *k, const unsigned char *id, const char *label)
{
	uint64_t size = 0, listed = 0;
	char key[CHUNK_KEY_MAX];

	chunkset_get(k->have, id, &size);
	chunkset_get(&k->inv->stored, id, &listed);
	if (size == 0 || size == listed)
		return 1;
	log_error("chunk %s is damaged: it is %llu bytes, its list says %llu (%s needs it)",
		  chunk_key(key, id), (unsigned long long)size, (unsigned long long)listed, label);
	return 0;
}

/* Records the chunk id as bad, in state. */
static int bad_chunk(struct inventory *inv, const unsigned char *id, enum chunk_state state)
{
	if (state == CHUNK_DAMAGED)
		inv->damaged++;
	return chunkset_put(&inv->bad, id, state);
}

static int check_one(const unsigned char *id, uint64_t first, void *arg)
{
	struct checking *k = arg;
	const struct backup_ref *r = &k->cat->refs[first - 1];
	const struct manifest *m = r->manifest;
	char label[512];
	uint64_t raw = 0;

	snprintf(label, sizeof(label), "%s/%s", r->tier, r->name);
	chunkset_get(&k->inv->raw, id, &raw);
	if (!chunkset_get(k->have, id, NULL)) {
		char key[CHUNK_KEY_MAX];

		log_error("chunk %s is missing (%s needs it)", chunk_key(key, id), label);
		return bad_chunk(k->inv, id, CHUNK_MISSING);
	}
	if (m->chunk_key != NULL && k->keyless) {
		if (!stored_as_listed(k, id, label))
			return bad_chunk(k->inv, id, CHUNK_DAMAGED);
	} else {
		k->cc.key = NULL;
		if (m->chunk_key != NULL && (k->cc.key = key_of(k, m)) == NULL)
			return -1;
		if (chunk_get(k->s, &k->cc, id, raw, label) == NULL)
			return bad_chunk(k->inv, id,
					 k->cc.damaged ? CHUNK_DAMAGED : CHUNK_UNREADABLE);
	}
	if (++k->done % 1000 == 0)
		log_info("%zu of %zu chunks checked", k->done, k->inv->wanted.n);
	return 0;
}

/* Each backup one bad chunk breaks, with the chunk. */
static size_t report_broken(struct store *s, const struct catalog *cat, const struct inventory *inv)
{
	size_t broken = 0;

	for (size_t i = 0; i < cat->n; i++) {
		const struct manifest *m = cat->refs[i].manifest;
		int bad = 0;

		if (m == NULL || m->format != MANIFEST_CHUNKED)
			continue;
		for (size_t f = 0; f < m->nfiles; f++) {
			struct chunklist l = {0};

			if (chunk_list_read(s, m->files[f].sha256, &l, m->files[f].name) < 0) {
				bad = 1;
				continue;
			}
			for (size_t k = 0; k < l.n; k++)
				bad |= chunkset_get(&inv->bad, l.refs[k].id, NULL);
			chunklist_free(&l);
		}
		if (bad) {
			log_error("backup %s/%s cannot be restored: a chunk or list of it is "
				  "missing or damaged",
				  cat->refs[i].tier, cat->refs[i].stamp);
			broken++;
		}
	}
	return broken;
}

struct repair {
	struct store *s;
	size_t moved;
};

static int set_aside_damaged(const unsigned char *id, uint64_t state, void *arg)
{
	struct repair *rp = arg;

	if (state != CHUNK_DAMAGED)
		return 0;
	if (chunk_set_aside(rp->s, id) < 0)
		return -1;
	rp->moved++;
	return 0;
}

/* --repair: the damaged chunks set aside; says what the next backup mends. */
static int repair(struct store *s, const struct inventory *inv)
{
	struct repair rp = {.s = s};

	if (chunkset_each(&inv->bad, set_aside_damaged, &rp) != 0)
		return -1;
	if (rp.moved > 0)
		log_warn("%zu damaged chunk(s) set aside in %s/: the next backup stores again each "
			 "one whose bytes the database still holds, which mends every backup that "
			 "needs it; run recover --check-store after it",
			 rp.moved, CHUNKS_DAMAGED);
	if (rp.moved < inv->bad.n)
		log_warn("%zu chunk(s) missing or unreadable were left as they are: the next "
			 "backup stores again a missing one whose bytes the database still holds",
			 inv->bad.n - rp.moved);
	return 0;
}

static int any_encrypted(const struct catalog *cat)
{
	for (size_t i = 0; i < cat->n; i++)
		if (cat->refs[i].manifest != NULL && cat->refs[i].manifest->chunk_key != NULL)
			return 1;
	return 0;
}

int cmd_check_store(const struct config *c, struct store *s, struct report *r,
		    char *const *operands)
{
	struct inventory inv = {0};
	struct chunkset have = {0};
	struct catalog cat = {0};
	struct checking k = {.s = s, .c = c, .have = &have, .inv = &inv, .cat = &cat};
	size_t broken_lists = 0, broken = 0;
	uint64_t bytes = 0;
	int rc = -1;

	(void)r;
	(void)operands;
	if (catalog_scan_all(s, &cat) < 0 || take_stock(s, &cat, &inv, &broken_lists) < 0 ||
	    chunk_list_store(s, &have, &bytes) < 0)
		goto out;
	log_info("%s: %zu chunk(s), %.1f MiB; the backups reference %zu of them", store_name(s),
		 have.n, bytes / 1048576.0, inv.wanted.n);
	k.keyless = c->age == NULL || (c->age->nidentities == 0 && c->age->passphrase == NULL);
	if (k.keyless && any_encrypted(&cat))
		log_warn("the chunks of encrypted backups are checked for presence and size only: "
			 "set RECOVER_IDENTITY_FILE (or BACKUP_PASSPHRASE) to check their content");
	if (chunkset_each(&inv.wanted, check_one, &k) != 0) {
		if (*fail_reason() == '\0')
			fail(EXIT_INTERNAL, "out of memory");
		goto out;
	}
	if (inv.bad.n > 0 || broken_lists > 0) {
		/* Only now the lists again: which backups the bad chunks break. */
		broken = report_broken(s, &cat, &inv);
		if (c->repair && repair(s, &inv) < 0)
			goto out;
		if (!c->repair && inv.damaged > 0)
			log_warn(
			    "recover --check-store --repair sets the %zu damaged chunk(s) aside, "
			    "so that the next backup stores them again",
			    inv.damaged);
		fail_summary(
		    EXIT_CORRUPT,
		    "%s: %zu chunk(s) and %zu chunk list(s) missing or damaged; %zu backup(s) "
		    "cannot be restored",
		    store_name(s), inv.bad.n, broken_lists, broken);
		goto out;
	}
	/* Every wanted chunk is in have here: the rest no backup references. */
	log_info("every chunk the backups of %s reference is there and intact; %zu chunk(s) no "
		 "backup references wait for the garbage collection",
		 store_name(s), have.n - inv.wanted.n);
	rc = 0;
out:
	chunk_codec_free(&k.cc);
	for (size_t i = 0; i < k.nkeys; i++)
		chunk_key_free(k.keys[i]);
	free(k.keys);
	chunkset_free(&inv.stored);
	chunkset_free(&inv.wanted);
	chunkset_free(&inv.bad);
	chunkset_free(&inv.raw);
	chunkset_free(&have);
	catalog_free(&cat);
	return rc;
}
