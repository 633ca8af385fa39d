/*
 * A minimal test harness: CHECK records a pass or a failure and goes on.
 * The tests mirror src/: the test of src/backup/manifest.c is
 * test/unit/backup/manifest.c, its entry point test_backup_manifest().
 */
#ifndef TIERDUMP_TEST_H
#define TIERDUMP_TEST_H

#include <stdint.h>

#include <stddef.h>
#include <stdio.h>

#include "util/stream.h"

extern int test_passed, test_failed;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (cond) {                                                                        \
			test_passed++;                                                             \
		} else {                                                                           \
			test_failed++;                                                             \
			printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                     \
			printf(__VA_ARGS__);                                                       \
			printf("\n");                                                              \
		}                                                                                  \
	} while (0)

/* One entry point per tested module, named after its path under src/. */
void test_tier(void);
void test_util_membuf(void);
void test_util_privfile(void);
void test_chunked_cdc(void);
void test_chunked_chunkkey(void);
void test_chunked_chunkset(void);
void test_chunked_writer(void);
void test_conf(void);
void test_util_env(void);
void test_engine_postgres_pg(void);
void test_engine_postgres_clients(void);
void test_backup_writer(void);
void test_engine_engine(void);
void test_util_array(void);
void test_util_timestamp(void);
void test_util_duration(void);
void test_store_s3_credentials(void);
void test_util_bytes(void);
void test_util_words(void);
void test_backup_manifest(void);
void test_backup_rowcounts(void);
void test_backup_keys(void);
void test_backup_catalog(void);
void test_compress_codec(void);
void test_compress_gzip(void);
void test_compress_zstd(void);
void test_compress_none(void);
void test_pipeline_age(void);
void test_engine_postgres_filter(void);
void test_engine_postgres_wal_name(void);
void test_engine_postgres_pitr(void);
void test_engine_postgres_rowcount(void);
void test_engine_mariadb_rowcount(void);
void test_engine_mariadb_filter(void);
void test_engine_postgres_select(void);
void test_engine_select(void);

/* Helpers (helpers.c). */

/* What a buffer_sink() received, and how it ended. */
struct buffer {
	unsigned char *data;
	size_t len, cap;
	int committed, aborted;
};

/* A sink appending to b (which the caller owns and frees with buffer_free()). */
struct sink *buffer_sink(struct buffer *b);
void buffer_free(struct buffer *b);

/* The number a shell command prints (wc -l, grep -c), or -1. */
int shell_count(const char *command);

/* len deterministic bytes that never repeat, from seed (xorshift64*). */
void fill_random(unsigned char *buf, size_t len, uint64_t seed);

/* A sink that keeps nothing. */
struct sink *null_sink(void);

/* A source over len bytes at data (not copied), handing out at most step bytes a read. */
struct source *bytes_source(const void *data, size_t len, size_t step);

/* Reads src to its end into out, chunk bytes a read, and closes it. Returns 0 or -1. */
int read_all(struct source *src, struct buffer *out, size_t chunk);

/*
 * What src yields, read to its end (and closed), as text that lasts until
 * the next call; NULL when src is NULL or the read failed.
 */
const char *read_text(struct source *src);

/* Whether text (NULL: none) holds needle; text, or a note for NULL, for messages. */
int text_has(const char *text, const char *needle);
const char *text_shown(const char *text);

struct codec;

/*
 * Compresses len bytes at data with codec through its sink (written in
 * pieces of write bytes) into out. Returns what the sink's commit returned.
 */
int compress_into(const struct codec *codec, int level, int threads, const void *data, size_t len,
		  size_t write, struct buffer *out);

/* Decompresses len bytes at data with codec's source into out. Returns 0 or -1. */
int decompress_into(const struct codec *codec, const void *data, size_t len, size_t step,
		    struct buffer *out);

/* len bytes of a dump-like text (newline-ended lines, numbers from a fixed seed). */
char *dump_text(size_t len);

struct rowcounts;

/* Streams text through a row counter step bytes at a time, as the pipeline would. */
void count_rows(struct sink *(*counter)(struct sink *, struct rowcounts *, const char *),
		const char *text, size_t step, struct rowcounts *out);

/* The rows counted for db's table, or -1 when it was not counted. */
long rows_of(const struct rowcounts *rc, const char *db, const char *table);

/* A new empty directory under /tmp (a static buffer), and its removal with everything in it. */
const char *temp_dir(void);
void remove_tree(const char *path);

/* Writes text to path, creating the directories above it. */
void write_file(const char *path, const char *text);

#endif
