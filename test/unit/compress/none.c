#include <stdlib.h>
#include <string.h>

#include "compress/codec.h"

#include "test.h"

/* No compression stores the dump byte for byte, and reads it back as it is. */
void test_compress_none(void)
{
	enum { LEN = 100003 };
	char *text = dump_text(LEN);
	struct buffer out = {0}, back = {0};

	CHECK(compress_into(&codec_none, 0, 4, text, LEN, 999, &out) == 0 && out.committed,
	      "committed");
	CHECK(out.len == LEN && memcmp(out.data, text, LEN) == 0, "stored as it is: %zu bytes",
	      out.len);
	CHECK(decompress_into(&codec_none, out.data, out.len, 333, &back) == 0 && back.len == LEN &&
		  memcmp(back.data, text, LEN) == 0,
	      "read as it is: %zu bytes", back.len);
	buffer_free(&out);
	buffer_free(&back);
	CHECK(compress_into(&codec_none, 0, 1, "", 0, 1, &out) == 0 && out.committed &&
		  out.len == 0,
	      "an empty dump stays empty");
	buffer_free(&out);
	free(text);
}
