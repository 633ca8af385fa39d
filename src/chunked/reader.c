/* The chunked format's reading side (see reader.h). */
#include "chunked/reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chunked/chunkkey.h"
#include "chunked/writer.h"
#include "util/log.h"

int chunk_list_read(struct store *s, const char *list_sha256, struct chunklist *l,
		    const char *label)
{
	struct membuf text = {0};
	int rc = -1;

	if (chunk_blob_read(s, list_sha256, label, &text) == 0 && membuf_put(&text, "", 1) == 0)
		rc = chunklist_parse((const char *)text.data, l, label);
	membuf_free(&text);
	return rc;
}

struct chunk_reader {
	struct source base;
	struct store *s;
	struct chunk_codec cc;
	struct chunk_key *key;
	struct chunklist list;
	size_t next; /* the chunk to read when this one is used up */
	const unsigned char *data;
	size_t pos, len;
	char label[512];
};

static ssize_t chunk_read(struct source *base, void *buf, size_t len)
{
	struct chunk_reader *r = (struct chunk_reader *)base;
	size_t n;

	while (r->pos == r->len) {
		const struct chunk_ref *c;

		if (r->next == r->list.n)
			return 0;
		c = &r->list.refs[r->next++];
		r->data = chunk_get(r->s, &r->cc, c->id, c->raw, r->label);
		if (r->data == NULL)
			return -1;
		r->pos = 0;
		r->len = c->raw;
	}
	n = r->len - r->pos < len ? r->len - r->pos : len;
	memcpy(buf, r->data + r->pos, n);
	r->pos += n;
	return (ssize_t)n;
}

static void chunk_close(struct source *base)
{
	struct chunk_reader *r = (struct chunk_reader *)base;

	chunklist_free(&r->list);
	chunk_codec_free(&r->cc);
	chunk_key_free(r->key);
	free(r);
}

struct source *chunk_source(struct store *s, struct chunk_key *key, const char *list_sha256,
			    const char *label)
{
	struct chunk_reader *r = calloc(1, sizeof(*r));

	if (r == NULL) {
		fail(EXIT_INTERNAL, "out of memory");
		chunk_key_free(key);
		return NULL;
	}
	r->base = (struct source){chunk_read, chunk_close};
	r->s = s;
	r->key = key;
	r->cc.key = key;
	snprintf(r->label, sizeof(r->label), "%s", label);
	if (chunk_list_read(s, list_sha256, &r->list, label) < 0) {
		chunk_close(&r->base);
		return NULL;
	}
	return &r->base;
}

int chunk_list_check(struct store *s, const char *list_sha256, const struct chunkset *have,
		     const char *label)
{
	struct chunklist l = {0};
	int rc = 0;

	if (chunk_list_read(s, list_sha256, &l, label) < 0)
		return -1;
	for (size_t i = 0; rc == 0 && i < l.n; i++) {
		char key[CHUNK_KEY_MAX];
		uint64_t size;

		if (!chunkset_get(have, l.refs[i].id, &size)) {
			fail(EXIT_CORRUPT, "%s: its chunk %s (number %zu) is missing from %s",
			     label, chunk_key(key, l.refs[i].id), i + 1, store_name(s));
			rc = -1;
		} else if (size != 0 && size != l.refs[i].stored) {
			fail(EXIT_CORRUPT,
			     "%s: its chunk %s (number %zu) is %llu bytes, its list says %lu: it "
			     "is damaged",
			     label, chunk_key(key, l.refs[i].id), i + 1, (unsigned long long)size,
			     (unsigned long)l.refs[i].stored);
			rc = -1;
		}
	}
	chunklist_free(&l);
	return rc;
}
