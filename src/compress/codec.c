#include "compress/codec.h"

#include <string.h>

#include "util/log.h"

static const struct codec *const codecs[] = {&codec_gzip, &codec_zstd, &codec_none, NULL};

const struct codec *codec_find(const char *name)
{
	for (size_t i = 0; codecs[i] != NULL; i++)
		if (strcmp(codecs[i]->name, name) == 0)
			return codecs[i];
	fail(EXIT_CONFIG, "unknown compression '%s' (use gzip, zstd or none)", name);
	return NULL;
}
