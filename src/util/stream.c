#include "util/stream.h"

#include "util/membuf.h"

char *source_read_text(struct source *src, const char *label)
{
	struct membuf b = {0};

	/* One byte short of the limit: the NUL is the last. */
	if (membuf_read(&b, src, 16 * 1024 * 1024 - 1, label) < 0 || membuf_put(&b, "", 1) < 0) {
		membuf_free(&b);
		return NULL;
	}
	return (char *)b.data;
}
