/* The collections of an archive, and the BSON fields read from their metadata. */
#include <stdlib.h>
#include <string.h>

#include "engine/mongodb/mongo.h"

void mongo_collections_free(struct collection *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].db);
		free(c[i].name);
		if (c[i].options != NULL)
			bson_destroy(c[i].options);
		if (c[i].indexes != NULL)
			bson_destroy(c[i].indexes);
	}
	free(c);
}

struct collection *mongo_collection_add(struct collection **list, size_t *n, const char *db,
					const char *name)
{
	struct collection *grown = realloc(*list, (*n + 1) * sizeof(*grown));

	if (grown == NULL)
		return NULL;
	*list = grown;
	memset(&grown[*n], 0, sizeof(grown[*n]));
	grown[*n].options = bson_new();
	grown[*n].db = strdup(db);
	grown[*n].name = strdup(name);
	return &grown[(*n)++];
}

const char *mongo_utf8_field(const bson_t *doc, const char *key)
{
	bson_iter_t it;

	return bson_iter_init_find(&it, doc, key) && BSON_ITER_HOLDS_UTF8(&it)
		   ? bson_iter_utf8(&it, NULL)
		   : NULL;
}

void mongo_subdocument(const bson_t *doc, const char *key, bson_t *out)
{
	const uint8_t *data;
	uint32_t len;
	bson_iter_t it;

	if (bson_iter_init_find(&it, doc, key) &&
	    (BSON_ITER_HOLDS_DOCUMENT(&it) || BSON_ITER_HOLDS_ARRAY(&it))) {
		if (BSON_ITER_HOLDS_ARRAY(&it))
			bson_iter_array(&it, &len, &data);
		else
			bson_iter_document(&it, &len, &data);
		bson_init_static(out, data, len);
		return;
	}
	bson_init(out);
}
