/* Sinks, sources and temporary directories the unit tests share. */
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "backup/rowcounts.h"
#include "compress/codec.h"

#include "test.h"

struct buffer_sink {
	struct sink base;
	struct buffer *b;
};

static int buffer_write(struct sink *s, const void *buf, size_t len)
{
	struct buffer *b = ((struct buffer_sink *)s)->b;

	if (b->len + len > b->cap) {
		size_t cap = (b->len + len) * 2;
		unsigned char *grown = realloc(b->data, cap);

		if (grown == NULL)
			return -1;
		b->data = grown;
		b->cap = cap;
	}
	memcpy(b->data + b->len, buf, len);
	b->len += len;
	return 0;
}

static int buffer_commit(struct sink *s)
{
	((struct buffer_sink *)s)->b->committed = 1;
	free(s);
	return 0;
}

static void buffer_abort(struct sink *s)
{
	((struct buffer_sink *)s)->b->aborted = 1;
	free(s);
}

struct sink *buffer_sink(struct buffer *b)
{
	struct buffer_sink *s = calloc(1, sizeof(*s));

	s->base.write = buffer_write;
	s->base.commit = buffer_commit;
	s->base.abort = buffer_abort;
	s->b = b;
	return &s->base;
}

void buffer_free(struct buffer *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

static int null_write(struct sink *s, const void *buf, size_t len)
{
	(void)s, (void)buf, (void)len;
	return 0;
}

static int null_commit(struct sink *s)
{
	free(s);
	return 0;
}

static void null_abort(struct sink *s)
{
	free(s);
}

struct sink *null_sink(void)
{
	struct sink *s = calloc(1, sizeof(*s));

	s->write = null_write;
	s->commit = null_commit;
	s->abort = null_abort;
	return s;
}

struct bytes_source {
	struct source base;
	const unsigned char *data;
	size_t len, off, step;
};

static ssize_t bytes_read(struct source *s, void *buf, size_t len)
{
	struct bytes_source *bs = (struct bytes_source *)s;
	size_t n = bs->len - bs->off;

	if (n > len)
		n = len;
	if (n > bs->step)
		n = bs->step;
	memcpy(buf, bs->data + bs->off, n);
	bs->off += n;
	return (ssize_t)n;
}

static void bytes_close(struct source *s)
{
	free(s);
}

struct source *bytes_source(const void *data, size_t len, size_t step)
{
	struct bytes_source *bs = calloc(1, sizeof(*bs));

	bs->base.read = bytes_read;
	bs->base.close = bytes_close;
	bs->data = data;
	bs->len = len;
	bs->step = step;
	return &bs->base;
}

int read_all(struct source *src, struct buffer *out, size_t chunk)
{
	struct sink *into = buffer_sink(out);
	unsigned char *buf = malloc(chunk);
	ssize_t n;

	while ((n = source_read(src, buf, chunk)) > 0)
		sink_write(into, buf, (size_t)n);
	sink_commit(into);
	source_close(src);
	free(buf);
	return n < 0 ? -1 : 0;
}

const char *read_text(struct source *src)
{
	static char text[16384];
	struct buffer b = {0};
	int rc = src != NULL ? read_all(src, &b, 4096) : -1;

	snprintf(text, sizeof(text), "%.*s", (int)b.len, b.data ? (const char *)b.data : "");
	buffer_free(&b);
	return rc == 0 ? text : NULL;
}

int text_has(const char *text, const char *needle)
{
	return text != NULL && strstr(text, needle) != NULL;
}

const char *text_shown(const char *text)
{
	return text != NULL ? text : "(the read failed)";
}

const char *temp_dir(void)
{
	static char path[64];

	strcpy(path, "/tmp/tierdump-unit-XXXXXX");
	return mkdtemp(path);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

void remove_tree(const char *path)
{
	nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

void write_file(const char *path, const char *text)
{
	char dir[4096];
	FILE *f;

	for (const char *slash = strchr(path + 1, '/'); slash != NULL;
	     slash = strchr(slash + 1, '/')) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
		mkdir(dir, 0755);
	}
	f = fopen(path, "w");
	if (f == NULL) {
		perror(path);
		return;
	}
	fputs(text, f);
	fclose(f);
}

void count_rows(struct sink *(*counter)(struct sink *, struct rowcounts *, const char *),
		const char *text, size_t step, struct rowcounts *out)
{
	struct sink *s = counter(null_sink(), out, "f.sql.gz");

	for (size_t off = 0, len = strlen(text); off < len; off += step)
		sink_write(s, text + off, len - off < step ? len - off : step);
	sink_commit(s);
}

long rows_of(const struct rowcounts *rc, const char *db, const char *table)
{
	for (size_t i = 0; i < rc->n; i++)
		if (strcmp(rc->items[i].database, db) == 0 &&
		    strcmp(rc->items[i].table, table) == 0)
			return (long)rc->items[i].rows;
	return -1;
}

int compress_into(const struct codec *codec, int level, int threads, const void *data, size_t len,
		  size_t write, struct buffer *out)
{
	struct sink *s = codec->sink(buffer_sink(out), level, threads, "unit");

	if (s == NULL)
		return -1;
	for (size_t off = 0; off < len; off += write)
		if (sink_write(s, (const char *)data + off, len - off < write ? len - off : write) <
		    0) {
			sink_abort(s);
			return -1;
		}
	return sink_commit(s);
}

int decompress_into(const struct codec *codec, const void *data, size_t len, size_t step,
		    struct buffer *out)
{
	struct source *src = codec->source(bytes_source(data, len, step), "unit");

	return src != NULL ? read_all(src, out, 64 * 1024) : -1;
}

char *dump_text(size_t len)
{
	char *text = malloc(len + 1);
	unsigned seed = 12345;
	size_t off = 0;

	while (off < len) {
		char line[96];
		int n;

		seed = seed * 1103515245u + 12345u;
		n = snprintf(line, sizeof(line), "%u\tcustomer %u\t%s\n", seed >> 8,
			     (seed >> 4) % 977, (seed & 0x100) ? "paid" : "open");
		memcpy(text + off, line, len - off < (size_t)n ? len - off : (size_t)n);
		off += len - off < (size_t)n ? len - off : (size_t)n;
	}
	text[len] = '\0';
	return text;
}

void fill_random(unsigned char *buf, size_t len, uint64_t seed)
{
	for (size_t i = 0; i < len; i++) {
		seed ^= seed >> 12;
		seed ^= seed << 25;
		seed ^= seed >> 27;
		buf[i] = (unsigned char)((seed * UINT64_C(2685821657736338717)) >> 56);
	}
}

int shell_count(const char *command)
{
	int n = -1;
	FILE *p = popen(command, "r");

	if (p != NULL && fscanf(p, "%d", &n) != 1)
		n = -1;
	if (p != NULL)
		pclose(p);
	return n;
}
