/* No compression: the dump is stored as the engine wrote it. */
#include "compress/codec.h"

static struct sink *none_sink(struct sink *inner, int level, int threads, const char *label)
{
	(void)level;
	(void)threads;
	(void)label;
	return inner;
}

static struct source *none_source(struct source *inner, const char *label)
{
	(void)label;
	return inner;
}

const struct codec codec_none = {
    .name = "none",
    .suffix = "",
    .default_level = 0,
    .min_level = 0,
    .max_level = 0,
    .sink = none_sink,
    .source = none_source,
};
