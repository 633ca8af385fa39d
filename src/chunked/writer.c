/* The chunked format's writing side (see writer.h). */
#include "chunked/writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chunked/cdc.h"
#include "chunked/chunkkey.h"
#include "util/digest.h"
#include "util/log.h"

struct chunk_writer *chunk_writer_open(struct store *s, int level, long timeout)
{
	struct chunk_writer *w = calloc(1, sizeof(*w));
	uint64_t bytes = 0;

	if (w == NULL) {
		fail(EXIT_INTERNAL, "out of memory");
		return NULL;
	}
	if (!store_holds_chunks(s)) {
		fail(EXIT_CONFIG,
		     "%s cannot hold BACKUP_FORMAT=chunked (chunks need a local or S3 store): use "
		     "BACKUP_FORMAT=file over FTPS",
		     store_name(s));
		free(w);
		return NULL;
	}
	w->s = s;
	w->cc.level = level;
	/* The listing comes after the marker: what it holds, no collector takes (markers.h). */
	if (marker_writer_begin(s, timeout, &w->marker) < 0) {
		chunk_writer_close(w);
		return NULL;
	}
	if (chunk_list_store(s, &w->have, &bytes) < 0) {
		chunk_writer_close(w);
		return NULL;
	}
	log_info("%s holds %zu chunk(s), %.1f MiB", store_name(s), w->have.n, bytes / 1048576.0);
	return w;
}

int chunk_writer_encrypt(struct chunk_writer *w, const struct age_keys *age, const char *key_file)
{
	w->key = chunk_key_for_writer(w->s, age, key_file);
	if (w->key == NULL)
		return -1;
	w->cc.key = w->key;
	return 0;
}

void chunk_writer_close(struct chunk_writer *w)
{
	if (w == NULL)
		return;
	marker_end(w->s, &w->marker);
	chunkset_free(&w->have);
	chunk_codec_free(&w->cc);
	chunk_key_free(w->key);
	free(w);
}

/* Stores one chunk unless the store has it, and lists it. */
static int add_chunk(struct chunk_writer *w, struct chunklist *list, struct chunk_file *out,
		     const unsigned char *data, size_t len)
{
	unsigned char id[CHUNK_ID_LEN];
	uint64_t stored;

	chunk_id(&w->cc, data, len, id);
	if (!chunkset_get(&w->have, id, &stored)) {
		if (chunk_put(w->s, &w->cc, id, data, len, &stored) < 0 ||
		    chunkset_put(&w->have, id, stored) < 0)
			return -1;
		out->new_bytes += stored;
		out->new_chunks++;
		w->new_bytes += stored;
	}
	out->chunks++;
	out->stats.stored_bytes += stored;
	return chunklist_add(list, id, (uint32_t)len, (uint32_t)stored);
}

/* ------------------------------------------------------------ the sink */

/* Twice the largest chunk: each cut leaves at most one chunk's worth to move down. */
enum { CUT_BUFFER = 2 * CDC_MAX };

struct cut_sink {
	struct sink base;
	struct chunk_writer *w;
	struct chunk_file *out;
	struct chunklist list;
	unsigned char *buf;
	size_t len;
	char label[256];
};

/* Cuts and stores chunks while a whole largest one is buffered (all of it at the end). */
static int cut(struct cut_sink *c, int at_end)
{
	size_t off = 0;
	int rc = 0;

	while (rc == 0 && (at_end ? off < c->len : c->len - off >= CDC_MAX)) {
		size_t n = cdc_cut(c->buf + off, c->len - off);

		rc = add_chunk(c->w, &c->list, c->out, c->buf + off, n);
		off += n;
	}
	memmove(c->buf, c->buf + off, c->len - off);
	c->len -= off;
	return rc;
}

static int cut_write(struct sink *base, const void *buf, size_t len)
{
	struct cut_sink *c = (struct cut_sink *)base;
	const unsigned char *p = buf;

	while (len > 0) {
		size_t n = CUT_BUFFER - c->len < len ? CUT_BUFFER - c->len : len;

		memcpy(c->buf + c->len, p, n);
		c->len += n;
		p += n;
		len -= n;
		if (c->len == CUT_BUFFER && cut(c, 0) < 0)
			return -1;
	}
	return 0;
}

static void cut_free(struct cut_sink *c)
{
	chunklist_free(&c->list);
	free(c->buf);
	free(c);
}

static int cut_commit(struct sink *base)
{
	struct cut_sink *c = (struct cut_sink *)base;
	char *text = NULL;
	int rc = -1;

	if (cut(c, 1) < 0 || (text = chunklist_render(&c->list)) == NULL ||
	    chunk_writer_put_blob(c->w, text, strlen(text), c->out->stats.sha256) < 0)
		goto out;
	rc = 0;
out:
	free(text);
	cut_free(c);
	return rc;
}

static void cut_abort(struct sink *base)
{
	/* The chunks stored stay, unreferenced: the next garbage collection takes them. */
	cut_free((struct cut_sink *)base);
}

struct sink *chunk_sink(struct chunk_writer *w, const char *label, struct chunk_file *out)
{
	struct cut_sink *c = calloc(1, sizeof(*c));

	memset(out, 0, sizeof(*out));
	pipeline_stats_start(&out->stats);
	if (c == NULL || (c->buf = malloc(CUT_BUFFER)) == NULL) {
		free(c);
		fail(EXIT_INTERNAL, "out of memory");
		return NULL;
	}
	c->base = (struct sink){cut_write, cut_commit, cut_abort};
	c->w = w;
	c->out = out;
	snprintf(c->label, sizeof(c->label), "%s", label);
	return pipeline_meter(&c->base, label, &out->stats);
}

/* ------------------------------------------------------------ blobs */

int chunk_writer_put_blob(struct chunk_writer *w, const void *data, size_t len, char *sha256)
{
	char key[CHUNK_KEY_MAX];

	digest_of(data, len, sha256);
	if (store_write_bytes(w->s, chunk_blob_key(key, sha256), data, len) < 0)
		return -1;
	w->new_bytes += len;
	return 0;
}

/* Chunk lists are the largest blobs: 16 MiB holds one of a dump of about 190 GB. */
enum { BLOB_MAX = 16 * 1024 * 1024 };

int chunk_blob_read(struct store *s, const char *sha256, const char *label, struct membuf *out)
{
	char key[CHUNK_KEY_MAX], check[DIGEST_HEX_LEN + 1];
	struct source *src = NULL;
	size_t began = out->len;

	if (store_get(s, chunk_blob_key(key, sha256), &src) < 0) {
		log_error("%s needs %s", label, key);
		return -1;
	}
	if (membuf_read(out, src, BLOB_MAX, key) < 0)
		return -1;
	digest_of(out->data + began, out->len - began, check);
	if (strcmp(check, sha256) != 0) {
		fail(EXIT_CORRUPT, "%s, which %s needs, does not match its SHA-256: it is damaged",
		     key, label);
		return -1;
	}
	return 0;
}

/* Makes one stored object of from present in w's store. */
static int carry_object(struct chunk_writer *w, struct store *from, const char *key,
			const char *label)
{
	if (from == w->s) {
		fail(EXIT_NOT_FOUND, "%s, which %s needs, is missing from %s", key, label,
		     store_name(w->s));
		return -1;
	}
	return store_copy(from, key, w->s, key);
}

int chunk_writer_carry(struct chunk_writer *w, struct store *from, const char *sha256, int is_list,
		       const char *label)
{
	struct chunklist list = {0};
	struct membuf blob = {0};
	char key[CHUNK_KEY_MAX];
	int rc = -1;

	if (chunk_blob_read(from, sha256, label, &blob) < 0 || membuf_put(&blob, "", 1) < 0 ||
	    (is_list && chunklist_parse((const char *)blob.data, &list, label) < 0))
		goto out;
	for (size_t i = 0; i < list.n; i++) {
		const struct chunk_ref *r = &list.refs[i];

		if (chunkset_get(&w->have, r->id, NULL))
			continue;
		if (carry_object(w, from, chunk_key(key, r->id), label) < 0 ||
		    chunkset_put(&w->have, r->id, r->stored) < 0)
			goto out;
		w->new_bytes += r->stored;
	}
	/* The list last: a copy never names a chunk before the chunk is there. */
	blob.len--; /* its bytes, without the NUL that ended them for the parser */
	rc = from == w->s
		 ? 0
		 : store_write_bytes(w->s, chunk_blob_key(key, sha256), blob.data, blob.len);
	if (rc == 0 && from != w->s)
		w->new_bytes += blob.len;
out:
	chunklist_free(&list);
	membuf_free(&blob);
	return rc;
}
