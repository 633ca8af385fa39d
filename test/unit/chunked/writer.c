/*
 * The chunked format's writer and reader against a local store in a
 * temporary directory: a file reads back whole; the same file again stores
 * no chunk; a damaged chunk stops the reader before any of its bytes; the
 * writer's marker lives exactly as long as the writer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chunked/reader.h"
#include "chunked/writer.h"
#include "test.h"

enum { LEN = 9 << 20 };

static int store_file(struct store *s, const unsigned char *data, struct chunk_file *out)
{
	struct chunk_writer *w = chunk_writer_open(s, 1, 5);
	struct sink *sink;
	int rc = -1;

	if (w == NULL)
		return -1;
	sink = chunk_sink(w, "test", out);
	/* In odd pieces, so cuts fall inside writes. */
	for (size_t off = 0; sink != NULL && off < LEN; off += 123457)
		if (sink_write(sink, data + off, LEN - off < 123457 ? LEN - off : 123457) < 0)
			goto out;
	rc = sink != NULL && sink_commit(sink) == 0 ? 0 : -1;
	sink = NULL;
out:
	sink_abort(sink);
	chunk_writer_close(w);
	return rc;
}

static int markers_left(const char *root)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "ls -A '%s/chunks/writers' | wc -l", root);
	return shell_count(cmd);
}

void test_chunked_writer(void)
{
	char root[] = "/tmp/tierdump-unit-chunked-XXXXXX", path[1024], cmd[1100];
	struct store_options opts = {0};
	struct chunk_file first, again;
	struct buffer back = {0};
	unsigned char *data = malloc(LEN);
	struct store *s;
	struct chunklist l = {0};
	FILE *f;

	fill_random(data, LEN, 1);
	if (mkdtemp(root) == NULL || (s = store_open(root, &opts)) == NULL) {
		CHECK(0, "a temporary local store");
		free(data);
		return;
	}
	CHECK(store_file(s, data, &first) == 0, "a 9 MiB file is stored in chunks");
	CHECK(first.chunks >= 3 && first.new_chunks == first.chunks && first.stats.raw_bytes == LEN,
	      "each of its %llu chunks is new, and it counts %llu bytes",
	      (unsigned long long)first.chunks, (unsigned long long)first.stats.raw_bytes);
	CHECK(markers_left(root) == 0, "the writer's marker is gone with the writer");
	CHECK(read_all(chunk_source(s, NULL, first.stats.sha256, "test"), &back, 65536) == 0 &&
		  back.len == LEN && memcmp(back.data, data, LEN) == 0,
	      "it reads back whole from its list");
	CHECK(store_file(s, data, &again) == 0 && again.new_chunks == 0 && again.new_bytes == 0 &&
		  strcmp(again.stats.sha256, first.stats.sha256) == 0,
	      "the same file again stores no chunk and the same list (%llu new)",
	      (unsigned long long)again.new_chunks);

	/* Damage the second chunk: the reader gives out the first, then fails. */
	CHECK(chunk_list_read(s, first.stats.sha256, &l, "test") == 0 && l.n >= 2,
	      "its list reads back");
	chunk_key(path, l.refs[1].id);
	snprintf(cmd, sizeof(cmd), "%s/%s", root, path);
	f = fopen(cmd, "r+");
	if (f != NULL) {
		fseek(f, 40, SEEK_SET);
		fputc('!', f);
		fclose(f);
	}
	buffer_free(&back);
	CHECK(read_all(chunk_source(s, NULL, first.stats.sha256, "test"), &back, 65536) < 0 &&
		  back.len == l.refs[0].raw,
	      "a damaged chunk stops the reader after the chunk before it (%zu bytes out)",
	      back.len);
	chunklist_free(&l);
	buffer_free(&back);
	store_close(s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	CHECK(system(cmd) == 0, "the temporary store is removed");
	free(data);
}
