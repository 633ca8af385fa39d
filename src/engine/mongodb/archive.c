#include "engine/mongodb/archive.h"

#include <stdlib.h>
#include <string.h>

#include "util/log.h"

enum { MAX_DOC = 48 * 1024 * 1024 }; /* above BSON's 16 MiB, below absurd */

uint64_t archive_crc64(uint64_t crc, const void *data, size_t len)
{
	static uint64_t table[256];
	const uint8_t *p = data;

	/* Reflected ECMA-182 polynomial: the table Go's crc64.MakeTable(ECMA) builds. */
	if (table[1] == 0) {
		for (int i = 0; i < 256; i++) {
			uint64_t c = (uint64_t)i;

			for (int k = 0; k < 8; k++)
				c = c & 1 ? (c >> 1) ^ 0xc96c5795d7870f42ull : c >> 1;
			table[i] = c;
		}
	}
	crc = ~crc;
	while (len-- > 0)
		crc = table[(uint8_t)crc ^ *p++] ^ (crc >> 8);
	return ~crc;
}

static int write_u32(struct sink *s, uint32_t v)
{
	uint8_t le[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};

	return sink_write(s, le, sizeof(le));
}

int archive_write_doc(struct sink *s, const bson_t *doc)
{
	return sink_write(s, bson_get_data(doc), doc->len);
}

int archive_write_terminator(struct sink *s)
{
	return write_u32(s, ARCHIVE_TERMINATOR);
}

int archive_write_start(struct sink *s, const char *server_version, const char *tool_version)
{
	bson_t header = BSON_INITIALIZER;
	int rc;

	BSON_APPEND_INT32(&header, "concurrent_collections", 1);
	BSON_APPEND_UTF8(&header, "version", "0.1");
	BSON_APPEND_UTF8(&header, "server_version", server_version);
	BSON_APPEND_UTF8(&header, "tool_version", tool_version);
	rc = write_u32(s, ARCHIVE_MAGIC) < 0 ? -1 : archive_write_doc(s, &header);
	bson_destroy(&header);
	return rc;
}

int archive_write_namespace(struct sink *s, const char *db, const char *coll, int eof, uint64_t crc)
{
	bson_t header = BSON_INITIALIZER;
	int rc;

	BSON_APPEND_UTF8(&header, "db", db);
	BSON_APPEND_UTF8(&header, "collection", coll);
	BSON_APPEND_BOOL(&header, "EOF", eof);
	BSON_APPEND_INT64(&header, "CRC", (int64_t)crc);
	rc = archive_write_doc(s, &header);
	bson_destroy(&header);
	return rc;
}

/* Reads exactly len bytes; *got says how many came before the end. */
static int read_full(struct archive_reader *r, void *buf, size_t len, size_t *got)
{
	*got = 0;
	while (*got < len) {
		ssize_t n = source_read(r->src, (uint8_t *)buf + *got, len - *got);

		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		*got += (size_t)n;
	}
	return 0;
}

enum archive_item archive_read_item(struct archive_reader *r)
{
	uint8_t le[4];
	uint32_t len;
	size_t got;

	if (read_full(r, le, 4, &got) < 0)
		return ARCHIVE_ERROR;
	if (got == 0)
		return ARCHIVE_END;
	len =
	    (uint32_t)le[0] | (uint32_t)le[1] << 8 | (uint32_t)le[2] << 16 | (uint32_t)le[3] << 24;
	if (got == 4 && len == ARCHIVE_TERMINATOR)
		return ARCHIVE_TERM;
	if (got < 4 || len < 5 || len > MAX_DOC)
		goto corrupt;
	if (len > r->cap) {
		uint8_t *grown = realloc(r->buf, len);

		if (grown == NULL)
			goto corrupt;
		r->buf = grown;
		r->cap = len;
	}
	memcpy(r->buf, le, 4);
	if (read_full(r, r->buf + 4, len - 4, &got) < 0)
		return ARCHIVE_ERROR;
	if (got != len - 4 || !bson_init_static(&r->doc, r->buf, len) ||
	    !bson_validate(&r->doc, BSON_VALIDATE_NONE, NULL))
		goto corrupt;
	return ARCHIVE_DOC;
corrupt:
	fail(EXIT_CORRUPT, "%s is not a valid MongoDB archive (a document is cut short or damaged)",
	     r->label);
	return ARCHIVE_ERROR;
}

int archive_read_start(struct archive_reader *r)
{
	uint8_t le[4];
	size_t got;

	if (read_full(r, le, 4, &got) < 0)
		return -1;
	if (got != 4 || ((uint32_t)le[0] | (uint32_t)le[1] << 8 | (uint32_t)le[2] << 16 |
			 (uint32_t)le[3] << 24) != ARCHIVE_MAGIC) {
		fail(EXIT_CORRUPT, "%s does not start like a MongoDB archive", r->label);
		return -1;
	}
	return archive_read_item(r) == ARCHIVE_DOC ? 0 : -1;
}

void archive_reader_free(struct archive_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	r->cap = 0;
}
