/* Bytes in memory as a sink and a source: kept on commit, dropped on abort, read back whole. */
#include <string.h>

#include "test.h"
#include "util/log.h"
#include "util/membuf.h"

void test_util_membuf(void)
{
	struct membuf b = {0}, again = {0};
	struct sink *s = membuf_sink(&b);
	unsigned char big[100000];

	memset(big, 'z', sizeof(big));
	CHECK(sink_write(s, "kept ", 5) == 0 && sink_commit(s) == 0 && b.len == 5,
	      "a committed sink keeps its bytes");
	s = membuf_sink(&b);
	CHECK(sink_write(s, big, sizeof(big)) == 0 && b.len == 5 + sizeof(big),
	      "it grows as written (%zu)", b.len);
	sink_abort(s);
	CHECK(b.len == 5 && memcmp(b.data, "kept ", 5) == 0,
	      "an aborted one leaves what was there before it");
	CHECK(membuf_put(&b, big, sizeof(big)) == 0 &&
		  membuf_read(&again, membuf_source(b.data, b.len), 1 << 20, "test") == 0 &&
		  again.len == b.len && memcmp(again.data, b.data, b.len) == 0,
	      "a source gives out its bytes, read back whole");
	again.len = 0;
	fail_clear();
	CHECK(membuf_read(&again, membuf_source(b.data, b.len), 1000, "big") < 0 &&
		  fail_code() == EXIT_CORRUPT && strstr(fail_reason(), "big is larger") != NULL,
	      "past the limit it fails, naming it: %s", fail_reason());
	fail_clear();
	membuf_free(&b);
	membuf_free(&again);
	CHECK(b.data == NULL && b.len == 0, "freed, it is empty");
}
