#include <string.h>

#include "compress/codec.h"

#include "test.h"

static void test_registry(void)
{
	CHECK(codec_find("gzip") == &codec_gzip, "gzip");
	CHECK(codec_find("zstd") == &codec_zstd, "zstd");
	CHECK(codec_find("none") == &codec_none, "none");
	CHECK(codec_find("lz4") == NULL, "an unknown codec");
	CHECK(codec_find("GZIP") == NULL, "names are exact");
	CHECK(codec_find("") == NULL, "empty");
	/* The file suffixes restores and bandr's tools recognise. */
	CHECK(strcmp(codec_gzip.suffix, ".gz") == 0, "%s", codec_gzip.suffix);
	CHECK(strcmp(codec_zstd.suffix, ".zst") == 0, "%s", codec_zstd.suffix);
	CHECK(strcmp(codec_none.suffix, "") == 0, "%s", codec_none.suffix);
}

/* The ranges tierdump.conf(5) documents for BACKUP_COMPRESSION_LEVEL. */
static void test_levels(void)
{
	static const struct {
		const struct codec *codec;
		long requested;
		int level; /* -1: refused */
	} cases[] = {
	    {&codec_gzip, -1, 1},  {&codec_gzip, 1, 1},		{&codec_gzip, 6, 6},
	    {&codec_gzip, 12, 12}, {&codec_gzip, 0, -1},	{&codec_gzip, 13, -1},
	    {&codec_zstd, -1, 1},  {&codec_zstd, 19, 19},	{&codec_zstd, 20, -1},
	    {&codec_zstd, 0, -1},  {&codec_none, -1, 0},	{&codec_none, 0, 0},
	    {&codec_none, 1, -1},  {&codec_gzip, 1L << 40, -1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		int got = codec_level(cases[i].codec, cases[i].requested);

		CHECK(got == cases[i].level, "%s level %ld gave %d, not %d", cases[i].codec->name,
		      cases[i].requested, got, cases[i].level);
	}
}

void test_compress_codec(void)
{
	test_registry();
	test_levels();
}
