/* libFuzzer: the S3 XML answers (listings, errors, uploads) read with expat. */
#include <stdint.h>
#include <string.h>

#include "store/s3/xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_text(void *arg, const char *path, const char *text)
{
	size_t *total = arg;

	*total += strlen(path) + strlen(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t total = 0;
	char escaped[256] = "";

	xml_walk((const char *)data, size, on_text, &total);
	if (size > 0 && size < 64 && memchr(data, '\0', size) == NULL) {
		char text[64];

		memcpy(text, data, size);
		text[size] = '\0';
		xml_escape(escaped, sizeof(escaped), text);
	}
	return 0;
}
