#include "engine/postgres/tar_watch.h"

#include <string.h>

enum { KEEP_NONE, KEEP_LABEL, KEEP_MANIFEST };

/* A tar number: octal text, or GNU's base-256 for large sizes. */
static uint64_t tar_number(const unsigned char *field, size_t len)
{
	uint64_t n = 0;

	if (field[0] & 0x80) {
		for (size_t i = 1; i < len; i++)
			n = n << 8 | field[i];
		return n;
	}
	for (size_t i = 0; i < len && field[i] >= '0' && field[i] <= '7'; i++)
		n = n * 8 + (uint64_t)(field[i] - '0');
	return n;
}

static int all_zero(const unsigned char *block)
{
	for (size_t i = 0; i < TAR_BLOCK; i++)
		if (block[i] != 0)
			return 0;
	return 1;
}

static void on_header(struct tar_watch *w)
{
	const unsigned char *h = w->header;
	char name[101];

	if (all_zero(h)) {
		w->ended = 1; /* the end-of-archive marker */
		return;
	}
	memcpy(name, h, 100);
	name[100] = '\0';
	w->remaining = tar_number(h + 124, 12);
	w->padding = (TAR_BLOCK - w->remaining % TAR_BLOCK) % TAR_BLOCK;
	w->keep = KEEP_NONE;
	if (h[156] == '0' || h[156] == '\0') { /* a regular file */
		if (strcmp(name, "backup_label") == 0)
			w->keep = KEEP_LABEL;
		else if (strcmp(name, "backup_manifest") == 0)
			w->keep = KEEP_MANIFEST;
	}
}

static void keep_data(struct tar_watch *w, const char *data, size_t len)
{
	if (w->keep == KEEP_LABEL) {
		size_t room = TAR_LABEL_MAX - w->label_len;

		memcpy(w->label + w->label_len, data, len < room ? len : room);
		w->label_len += len < room ? len : room;
		w->label[w->label_len] = '\0';
	} else if (w->keep == KEEP_MANIFEST) {
		if (len >= TAR_TAIL_MAX) {
			memcpy(w->tail, data + len - TAR_TAIL_MAX, TAR_TAIL_MAX);
			w->tail_len = TAR_TAIL_MAX;
		} else {
			size_t keep =
			    w->tail_len + len > TAR_TAIL_MAX ? TAR_TAIL_MAX - len : w->tail_len;

			memmove(w->tail, w->tail + w->tail_len - keep, keep);
			memcpy(w->tail + keep, data, len);
			w->tail_len = keep + len;
		}
		w->tail[w->tail_len] = '\0';
	}
}

/* Follows the stream block by block: headers, data, padding. */
static void watch(struct tar_watch *w, const char *buf, size_t len)
{
	while (len > 0 && !w->ended) {
		size_t n;

		if (w->remaining > 0) {
			n = len < w->remaining ? len : (size_t)w->remaining;
			keep_data(w, buf, n);
			w->remaining -= n;
		} else if (w->padding > 0) {
			n = len < w->padding ? len : (size_t)w->padding;
			w->padding -= n;
		} else {
			n = TAR_BLOCK - w->header_fill;
			n = len < n ? len : n;
			memcpy(w->header + w->header_fill, buf, n);
			w->header_fill += n;
			if (w->header_fill == TAR_BLOCK) {
				w->header_fill = 0;
				on_header(w);
			}
		}
		buf += n;
		len -= n;
	}
}

static int watch_write(struct sink *s, const void *buf, size_t len)
{
	struct tar_watch *w = (struct tar_watch *)s;

	watch(w, buf, len);
	return sink_write(w->inner, buf, len);
}

static int watch_commit(struct sink *s)
{
	return sink_commit(((struct tar_watch *)s)->inner);
}

static void watch_abort(struct sink *s)
{
	sink_abort(((struct tar_watch *)s)->inner);
}

void tar_watch_init(struct tar_watch *w, struct sink *inner)
{
	memset(w, 0, sizeof(*w));
	w->base.write = watch_write;
	w->base.commit = watch_commit;
	w->base.abort = watch_abort;
	w->inner = inner;
}
