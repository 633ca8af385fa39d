#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "compress/codec.h"

#include "test.h"

static void test_round_trips(void)
{
	enum { LEN = 3 * 1024 * 1024 + 777 };
	static const int levels[] = {1, 3, 19};
	char *text = dump_text(LEN);
	size_t sizes[3];

	for (size_t i = 0; i < 3; i++) {
		struct buffer z = {0}, back = {0};
		char *plain = malloc(LEN + 1);
		size_t n;

		CHECK(compress_into(&codec_zstd, levels[i], i == 0 ? 1 : 2, text, LEN, 65536, &z) ==
			      0 &&
			  z.committed && !z.aborted,
		      "level %d committed", levels[i]);
		sizes[i] = z.len;
		CHECK(z.len > 8 && z.data[0] == 0x28 && z.data[1] == 0xb5 && z.data[2] == 0x2f &&
			  z.data[3] == 0xfd,
		      "level %d: zstd magic", levels[i]);
		/* libzstd's one-shot decoder, not our streaming source. */
		n = ZSTD_decompress(plain, LEN + 1, z.data, z.len);
		CHECK(!ZSTD_isError(n) && n == LEN && memcmp(plain, text, LEN) == 0,
		      "level %d: libzstd reads %zu bytes", levels[i], n);
		CHECK(decompress_into(&codec_zstd, z.data, z.len, 5000, &back) == 0 &&
			  back.len == LEN && memcmp(back.data, text, LEN) == 0,
		      "level %d: read back %zu bytes", levels[i], back.len);
		buffer_free(&z);
		buffer_free(&back);
		free(plain);
	}
	CHECK(sizes[2] < sizes[0], "level 19 (%zu bytes) smaller than level 1 (%zu)", sizes[2],
	      sizes[0]);
	free(text);
}

static void test_damage(void)
{
	enum { LEN = 200000 };
	char *text = dump_text(LEN);
	struct buffer z = {0}, back = {0};

	CHECK(compress_into(&codec_zstd, 1, 1, "", 0, 1, &z) == 0 && z.len > 0 &&
		  decompress_into(&codec_zstd, z.data, z.len, 1, &back) == 0 && back.len == 0,
	      "an empty dump is an empty frame");
	buffer_free(&z);
	buffer_free(&back);
	compress_into(&codec_zstd, 1, 1, text, LEN, 1000, &z);
	CHECK(decompress_into(&codec_zstd, z.data, z.len - 1, 65536, &back) < 0,
	      "a frame cut short is refused");
	buffer_free(&back);
	CHECK(decompress_into(&codec_zstd, z.data, 0, 65536, &back) < 0, "an empty file");
	buffer_free(&back);
	z.data[z.len / 2] ^= 0x55;
	CHECK(decompress_into(&codec_zstd, z.data, z.len, 65536, &back) < 0,
	      "a flipped byte is refused (the frame's checksum)");
	buffer_free(&back);
	z.data[z.len / 2] ^= 0x55;
	CHECK(decompress_into(&codec_zstd, text, LEN, 65536, &back) < 0, "plain text is refused");
	buffer_free(&back);
	CHECK(decompress_into(&codec_zstd, z.data, z.len, 65536, &back) == 0 && back.len == LEN,
	      "undamaged again, it reads");
	buffer_free(&back);
	buffer_free(&z);
	free(text);
}

void test_compress_zstd(void)
{
	test_round_trips();
	test_damage();
}
