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

int codec_level(const struct codec *codec, long requested)
{
	if (requested < 0)
		return codec->default_level;
	if (requested < codec->min_level || requested > codec->max_level) {
		fail(EXIT_CONFIG, "BACKUP_COMPRESSION_LEVEL=%ld is out of range for %s (%d to %d)",
		     requested, codec->name, codec->min_level, codec->max_level);
		return -1;
	}
	return (int)requested;
}
