#include "util/stream.h"

#include <stdlib.h>

#include "util/log.h"

char *source_read_text(struct source *src, const char *label)
{
	enum { LIMIT = 16 * 1024 * 1024 };
	char *text = NULL;
	size_t len = 0, cap = 0;

	for (;;) {
		ssize_t n;

		if (len + 4096 + 1 > cap) {
			char *grown;

			cap = cap ? cap * 2 : 8192;
			grown = cap > LIMIT ? NULL : realloc(text, cap);
			if (grown == NULL) {
				fail(EXIT_CORRUPT, "%s is larger than expected", label);
				goto fail;
			}
			text = grown;
		}
		n = source_read(src, text + len, cap - len - 1);
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	source_close(src);
	text[len] = '\0';
	return text;
fail:
	source_close(src);
	free(text);
	return NULL;
}
