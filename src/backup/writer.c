/*
 * The backup writer: staging, files, manifest, publication and cleanup for
 * every way a backup comes to be (see writer.h).
 */
#include "backup/writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backup/keys.h"
#include "chunked/chunkkey.h"
#include "chunked/writer.h"
#include "util/log.h"
#include "util/signals.h"

struct backup_writer {
	struct store *s;
	struct manifest *m;
	char tier[256];
	char staged[256];      /* its name in the tier until published: hidden where it can be */
	char staging[KEY_MAX]; /* "tier/staged" */
	char final[KEY_MAX];   /* "tier/stamp" */
	struct chunk_writer *chunks; /* the chunked format's, or NULL */
};

struct backup_writer *backup_begin(struct store *s, const char *tier, const char *stamp,
				   struct manifest *m)
{
	struct backup_writer *w;
	char *own_tier;

	/* Tiers are short names the settings checked; this only guards the buffers. */
	if (strlen(tier) >= sizeof(w->tier) || strlen(stamp) >= sizeof(w->staged) - 32) {
		fail(EXIT_INTERNAL, "backup name %s/%s is too long", tier, stamp);
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	own_tier = strdup(tier);
	if (w == NULL || own_tier == NULL) {
		fail(EXIT_INTERNAL, "out of memory");
		free(own_tier);
		free(w);
		return NULL;
	}
	/* A promoted or mirrored manifest names the tier it is in now. */
	free(m->tier);
	m->tier = own_tier;
	w->s = s;
	w->m = m;
	strcpy(w->tier, tier);
	store_staging_name(s, stamp, w->staged, sizeof(w->staged));
	key_backup(w->staging, tier, w->staged);
	key_backup(w->final, tier, stamp);
	return w;
}

char *backup_staged_key(const struct backup_writer *w, const char *file, char *buf)
{
	return key_backup_file(buf, w->tier, w->staged, file);
}

const char *backup_final_key(const struct backup_writer *w)
{
	return w->final;
}

int backup_use_chunks(struct backup_writer *w, int level, long timeout)
{
	w->chunks = chunk_writer_open(w->s, level, timeout);
	if (w->chunks == NULL)
		return -1;
	w->m->format = MANIFEST_CHUNKED;
	return 0;
}

int backup_encrypt_chunks(struct backup_writer *w, const struct age_keys *age, const char *key_file)
{
	if (chunk_writer_encrypt(w->chunks, age, key_file) < 0)
		return -1;
	free(w->m->chunk_key);
	w->m->chunk_key = strdup(w->chunks->key->id);
	if (w->m->chunk_key == NULL)
		return fail(EXIT_INTERNAL, "out of memory"), -1;
	return 0;
}

_Static_assert(CHUNK_KEY_ID_LEN == MANIFEST_CHUNK_KEY_LEN, "a chunk key's id fits the manifest");

int backup_carry_chunks(struct backup_writer *w, struct store *from, const struct manifest *m)
{
	char label[KEY_MAX + 256];

	/* Before the chunks: a copy never holds a chunk it has no key to read. */
	if (m->chunk_key != NULL && from != w->s && chunk_key_carry(from, w->s, m->chunk_key) < 0)
		return -1;
	for (size_t i = 0; i < m->nfiles; i++) {
		snprintf(label, sizeof(label), "%s/%s", w->final, m->files[i].name);
		if (signals_check("copying chunks") < 0 ||
		    chunk_writer_carry(w->chunks, from, m->files[i].sha256, 1, label) < 0)
			return -1;
	}
	snprintf(label, sizeof(label), "%s/%s", w->final, KEY_ROWCOUNTS);
	if (m->rowcounts_sha256[0] != '\0' &&
	    chunk_writer_carry(w->chunks, from, m->rowcounts_sha256, 0, label) < 0)
		return -1;
	return 0;
}

/* ------------------------------------------------------------ added files */

/* Records a file in the manifest once everything in it is stored. */
struct added_sink {
	struct sink base;
	struct sink *inner; /* the pipeline: codec, checksum, store */
	struct manifest *m;
	struct backup_added *added;
	struct chunk_file chunked; /* what the chunked format's sink fills */
	int is_chunked;
	char *name;
};

static int added_write(struct sink *base, const void *buf, size_t len)
{
	struct added_sink *a = (struct added_sink *)base;

	return sink_write(a->inner, buf, len);
}

static int added_commit(struct sink *base)
{
	struct added_sink *a = (struct added_sink *)base;
	struct manifest_file *f;
	int rc = sink_commit(a->inner); /* fills a->added->stats, or a->chunked */

	if (rc == 0 && a->is_chunked) {
		a->added->stats = a->chunked.stats;
		a->added->new_bytes = a->chunked.new_bytes;
	}
	if (rc == 0) {
		f = manifest_add_file(a->m, a->name);
		if (f == NULL) {
			fail(EXIT_INTERNAL, "out of memory");
			rc = -1;
		} else {
			f->size = a->added->stats.stored_bytes;
			f->raw_size = a->added->stats.raw_bytes;
			f->new_size = a->added->new_bytes;
			strcpy(f->sha256, a->added->stats.sha256);
			a->added->file = f;
		}
	}
	free(a->name);
	free(a);
	return rc;
}

static void added_abort(struct sink *base)
{
	struct added_sink *a = (struct added_sink *)base;

	sink_abort(a->inner);
	free(a->name);
	free(a);
}

struct sink *backup_add(struct backup_writer *w, const char *name, const struct codec *codec,
			int level, int threads, const struct age_keys *age,
			struct backup_added *added)
{
	struct added_sink *a = calloc(1, sizeof(*a));
	struct sink *store_sink = NULL;
	char key[KEY_MAX];

	memset(added, 0, sizeof(*added));
	if (a == NULL || (a->name = strdup(name)) == NULL) {
		fail(EXIT_INTERNAL, "out of memory");
		goto fail;
	}
	a->is_chunked = w->chunks != NULL;
	if (a->is_chunked) {
		a->inner = chunk_sink(w->chunks, name, &a->chunked);
	} else {
		if (store_put(w->s, backup_staged_key(w, name, key), &store_sink) < 0)
			goto fail;
		a->inner =
		    pipeline_sink(store_sink, codec, level, threads, age, name, &added->stats);
	}
	if (a->inner == NULL)
		goto fail;
	a->base = (struct sink){added_write, added_commit, added_abort};
	a->m = w->m;
	a->added = added;
	return &a->base;
fail:
	if (a != NULL)
		free(a->name);
	free(a);
	return NULL;
}

/* ------------------------------------------------------------ other files */

int backup_link_or_copy(struct backup_writer *w, struct store *from, const char *from_tier,
			const char *from_name, const char *file)
{
	char src[KEY_MAX], dst[KEY_MAX];

	key_backup_file(src, from_tier, from_name, file);
	backup_staged_key(w, file, dst);
	if (from == w->s)
		return store_link_or_copy(w->s, src, dst);
	return store_copy(from, src, w->s, dst);
}

int backup_copy_files(struct backup_writer *w, struct store *from, const char *from_tier,
		      const char *from_name, const struct manifest *m, long timeout)
{
	/* Level 0: no chunk is made here, only carried. */
	if (m->format == MANIFEST_CHUNKED)
		return backup_use_chunks(w, 0, timeout) < 0 || backup_carry_chunks(w, from, m) < 0
			   ? -1
			   : 0;
	for (size_t i = 0; manifest_carried_file(m, i) != NULL; i++)
		if (signals_check("copying a backup") < 0 ||
		    backup_link_or_copy(w, from, from_tier, from_name,
					manifest_carried_file(m, i)) < 0)
			return -1;
	return 0;
}

int backup_write_small(struct backup_writer *w, const char *file, const char *text)
{
	char key[KEY_MAX], sha256[DIGEST_HEX_LEN + 1];

	/* Chunked, it goes where a promotion need not copy it; its SHA-256 names it. */
	if (w->chunks != NULL)
		return chunk_writer_put_blob(w->chunks, text, strlen(text), sha256);

	return store_write_small(w->s, backup_staged_key(w, file, key), text);
}

int backup_write_small_age(struct backup_writer *w, const char *file, const char *text,
			   const struct age_keys *age, char *sha256)
{
	struct pipeline_stats stats;
	struct sink *s = NULL;
	char key[KEY_MAX];

	/* Chunked: a blob named by the SHA-256 of its encrypted bytes, which need making first. */
	if (w->chunks != NULL) {
		struct membuf sealed = {0};
		int rc = age_encrypt_buffer(age, text, strlen(text), &sealed) < 0
			     ? -1
			     : chunk_writer_put_blob(w->chunks, sealed.data, sealed.len, sha256);

		membuf_free(&sealed);
		return rc;
	}
	if (store_put(w->s, backup_staged_key(w, file, key), &s) < 0 ||
	    (s = pipeline_sink(s, &codec_none, 0, 1, age, file, &stats)) == NULL)
		return -1;
	if (sink_write(s, text, strlen(text)) < 0) {
		sink_abort(s);
		return -1;
	}
	if (sink_commit(s) < 0)
		return -1;
	strcpy(sha256, stats.sha256);
	return 0;
}

/* ------------------------------------------------------------ the end */

int backup_commit_text(struct backup_writer *w, const char *manifest)
{
	char key[KEY_MAX];

	/* Last: on a store without rename it is what makes the backup complete. */
	if (store_write_small(w->s, backup_staged_key(w, KEY_MANIFEST, key), manifest) < 0 ||
	    store_publish(w->s, w->staging, w->final) < 0) {
		backup_abort(w);
		return -1;
	}
	chunk_writer_close(w->chunks);
	free(w);
	return 0;
}

int backup_commit(struct backup_writer *w)
{
	char err[256], *text = manifest_render(w->m, err, sizeof(err));
	int rc;

	if (text == NULL) {
		fail(EXIT_STORE, "cannot write the manifest of %s: %s", w->final, err);
		backup_abort(w);
		return -1;
	}
	rc = backup_commit_text(w, text);
	free(text);
	return rc;
}

void backup_abort(struct backup_writer *w)
{
	if (w == NULL)
		return;
	log_info("removing the incomplete backup %s", w->staging);
	store_remove(w->s, w->staging);
	chunk_writer_close(w->chunks);
	free(w);
}
