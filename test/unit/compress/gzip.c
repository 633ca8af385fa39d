#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "compress/codec.h"

#include "test.h"

/*
 * zlib's own inflate over every member, into out->cap bytes at out->data: a
 * reader that is not ours. Returns the number of members, or -1.
 */
static int zlib_gunzip(const struct buffer *in, struct buffer *out)
{
	unsigned char chunk[65536];
	size_t off = 0;
	int members = 0;

	while (off < in->len) {
		z_stream z;
		int rc;

		memset(&z, 0, sizeof(z));
		if (inflateInit2(&z, 15 + 16) != Z_OK)
			return -1;
		z.next_in = in->data + off;
		z.avail_in = (uInt)(in->len - off);
		do {
			z.next_out = chunk;
			z.avail_out = sizeof(chunk);
			rc = inflate(&z, Z_NO_FLUSH);
			if ((rc != Z_OK && rc != Z_STREAM_END) ||
			    out->len + sizeof(chunk) - z.avail_out > out->cap) {
				inflateEnd(&z);
				return -1;
			}
			memcpy(out->data + out->len, chunk, sizeof(chunk) - z.avail_out);
			out->len += sizeof(chunk) - z.avail_out;
		} while (rc != Z_STREAM_END);
		off = in->len - z.avail_in;
		inflateEnd(&z);
		members++;
	}
	return members;
}

static void test_round_trips(void)
{
	enum { LEN = 2 * 1024 * 1024 + 12345 }; /* three of the sink's 1 MiB blocks */
	static const int levels[] = {1, 6, 12};
	char *text = dump_text(LEN);
	size_t sizes[3];

	for (size_t i = 0; i < 3; i++) {
		struct buffer z = {0}, back = {0}, plain = {0};
		int members;

		CHECK(compress_into(&codec_gzip, levels[i], 2, text, LEN, 100000, &z) == 0 &&
			  z.committed && !z.aborted,
		      "level %d committed", levels[i]);
		sizes[i] = z.len;
		CHECK(z.len > 18 && z.data[0] == 0x1f && z.data[1] == 0x8b && z.data[2] == 8,
		      "level %d: gzip magic and deflate", levels[i]);
		CHECK(z.len < LEN / 2, "level %d: %zu bytes from %d", levels[i], z.len, LEN);
		plain.data = malloc(LEN + 1);
		plain.cap = LEN + 1;
		members = zlib_gunzip(&z, &plain);
		CHECK(members == 3 && plain.len == LEN && memcmp(plain.data, text, LEN) == 0,
		      "level %d: zlib reads %d members, %zu bytes", levels[i], members, plain.len);
		CHECK(decompress_into(&codec_gzip, z.data, z.len, 4093, &back) == 0 &&
			  back.len == LEN && memcmp(back.data, text, LEN) == 0,
		      "level %d: read back %zu bytes", levels[i], back.len);
		buffer_free(&z);
		buffer_free(&back);
		buffer_free(&plain);
	}
	CHECK(sizes[2] < sizes[0], "level 12 (%zu bytes) smaller than level 1 (%zu)", sizes[2],
	      sizes[0]);
	free(text);
}

static void test_small_and_empty(void)
{
	struct buffer z = {0}, back = {0}, plain = {0};
	unsigned char scratch[64];

	CHECK(compress_into(&codec_gzip, 1, 1, "", 0, 1, &z) == 0 && z.len > 0,
	      "an empty dump is still a gzip member (%zu bytes)", z.len);
	plain.data = scratch;
	plain.cap = sizeof(scratch);
	CHECK(zlib_gunzip(&z, &plain) == 1 && plain.len == 0, "zlib: one empty member");
	CHECK(decompress_into(&codec_gzip, z.data, z.len, 1, &back) == 0 && back.len == 0,
	      "read back empty, a byte a read");
	buffer_free(&z);
	buffer_free(&back);
	CHECK(compress_into(&codec_gzip, 12, 4, "x\n", 2, 1, &z) == 0 &&
		  decompress_into(&codec_gzip, z.data, z.len, 1, &back) == 0 && back.len == 2 &&
		  memcmp(back.data, "x\n", 2) == 0,
	      "two bytes, written and read a byte at a time");
	buffer_free(&z);
	buffer_free(&back);
}

static void test_damage(void)
{
	enum { LEN = 300000 };
	char *text = dump_text(LEN);
	struct buffer z = {0}, back = {0};

	compress_into(&codec_gzip, 1, 1, text, LEN, LEN, &z);
	CHECK(decompress_into(&codec_gzip, z.data, z.len - 4, 65536, &back) < 0,
	      "a stream cut short is refused");
	buffer_free(&back);
	CHECK(decompress_into(&codec_gzip, z.data, 0, 65536, &back) < 0,
	      "an empty file is not gzip");
	buffer_free(&back);
	z.data[z.len / 2] ^= 0x55;
	CHECK(decompress_into(&codec_gzip, z.data, z.len, 65536, &back) < 0,
	      "a flipped byte is refused");
	buffer_free(&back);
	z.data[z.len / 2] ^= 0x55;
	z.data[z.len - 6] ^= 1; /* the CRC-32 of the member */
	CHECK(decompress_into(&codec_gzip, z.data, z.len, 65536, &back) < 0,
	      "a wrong checksum is refused");
	buffer_free(&back);
	z.data[z.len - 6] ^= 1;
	CHECK(decompress_into(&codec_gzip, text, LEN, 65536, &back) < 0, "plain text is refused");
	buffer_free(&back);
	CHECK(decompress_into(&codec_gzip, z.data, z.len, 65536, &back) == 0 && back.len == LEN,
	      "undamaged again, it reads");
	buffer_free(&back);
	buffer_free(&z);
	free(text);
}

void test_compress_gzip(void)
{
	test_round_trips();
	test_small_and_empty();
	test_damage();
}
