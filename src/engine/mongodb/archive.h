/*
 * mongodump's archive format, so that `mongorestore --archive --gzip` can
 * read our MongoDB dumps: a magic number, a header document, one metadata
 * document per collection, a terminator, then per collection one or more
 * segments (a namespace header, documents, a terminator) and an EOF header
 * carrying the CRC-64 (ECMA, as Go's hash/crc64 computes it) of all its
 * documents. See tierdump(7).
 */
#ifndef TIERDUMP_MONGO_ARCHIVE_H
#define TIERDUMP_MONGO_ARCHIVE_H

#include <bson/bson.h>
#include <stdint.h>

#include "util/stream.h"

#define ARCHIVE_MAGIC 0x8199e26du
#define ARCHIVE_TERMINATOR 0xffffffffu

/* Continues a CRC-64/ECMA (Go's crc64.ECMA table) over len bytes. */
uint64_t archive_crc64(uint64_t crc, const void *data, size_t len);

/* Writes the magic number and the header document. Returns 0 or -1. */
int archive_write_start(struct sink *s, const char *server_version, const char *tool_version);

/* Writes one BSON document as it is. Returns 0 or -1. */
int archive_write_doc(struct sink *s, const bson_t *doc);

/* Writes the terminator. Returns 0 or -1. */
int archive_write_terminator(struct sink *s);

/* Writes a namespace header: eof false opens a segment, true closes the collection with crc. */
int archive_write_namespace(struct sink *s, const char *db, const char *coll, int eof,
			    uint64_t crc);

/* What archive_read_item found next. */
enum archive_item { ARCHIVE_END, ARCHIVE_DOC, ARCHIVE_TERM, ARCHIVE_ERROR };

struct archive_reader {
	struct source *src;
	const char *label;
	uint8_t *buf; /* the last document read */
	size_t cap;
	bson_t doc;
};

/* Checks the magic number and reads the header into r->doc. Returns 0 or -1 after fail(). */
int archive_read_start(struct archive_reader *r);

/* Reads a document (into r->doc), a terminator, or the clean end of the archive. */
enum archive_item archive_read_item(struct archive_reader *r);

void archive_reader_free(struct archive_reader *r);

#endif
