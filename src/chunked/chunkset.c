/* An open-addressing hash set of chunk ids (see chunkset.h). */
#include "chunked/chunkset.h"

#include <stdlib.h>
#include <string.h>

#include "util/digest.h"

/* Ids are hashes already: their first 8 bytes spread well as a slot number. */
static size_t slot_of(const unsigned char *id, size_t cap)
{
	uint64_t h;

	memcpy(&h, id, sizeof(h));
	return (size_t)h & (cap - 1);
}

static const unsigned char empty[CHUNK_ID_LEN];

/* The slot holding id, or the empty one it would go in. */
static size_t find(const struct chunkset *s, const unsigned char *id)
{
	size_t i = slot_of(id, s->cap);

	while (memcmp(s->ids[i], empty, CHUNK_ID_LEN) != 0 &&
	       memcmp(s->ids[i], id, CHUNK_ID_LEN) != 0)
		i = (i + 1) & (s->cap - 1);
	return i;
}

static int grow(struct chunkset *s)
{
	struct chunkset bigger = {0};

	bigger.cap = s->cap ? s->cap * 2 : 1024;
	bigger.ids = calloc(bigger.cap, CHUNK_ID_LEN);
	bigger.values = calloc(bigger.cap, sizeof(*bigger.values));
	if (bigger.ids == NULL || bigger.values == NULL) {
		chunkset_free(&bigger);
		return -1;
	}
	for (size_t i = 0; i < s->cap; i++) {
		if (memcmp(s->ids[i], empty, CHUNK_ID_LEN) != 0) {
			size_t j = find(&bigger, s->ids[i]);

			memcpy(bigger.ids[j], s->ids[i], CHUNK_ID_LEN);
			bigger.values[j] = s->values[i];
		}
	}
	bigger.n = s->n;
	chunkset_free(s);
	*s = bigger;
	return 0;
}

int chunkset_put(struct chunkset *s, const unsigned char *id, uint64_t value)
{
	size_t i;

	/* At most half full, so probes stay short. The all-zero id is SHA-256 of nothing we store.
	 */
	if ((s->n + 1) * 2 > s->cap && grow(s) < 0)
		return -1;
	i = find(s, id);
	if (memcmp(s->ids[i], empty, CHUNK_ID_LEN) == 0) {
		memcpy(s->ids[i], id, CHUNK_ID_LEN);
		s->n++;
	}
	s->values[i] = value;
	return 0;
}

int chunkset_get(const struct chunkset *s, const unsigned char *id, uint64_t *value)
{
	size_t i;

	if (s->cap == 0)
		return 0;
	i = find(s, id);
	if (memcmp(s->ids[i], empty, CHUNK_ID_LEN) == 0)
		return 0;
	if (value != NULL)
		*value = s->values[i];
	return 1;
}

int chunkset_each(const struct chunkset *s,
		  int (*cb)(const unsigned char *id, uint64_t value, void *arg), void *arg)
{
	for (size_t i = 0; i < s->cap; i++) {
		int rc;

		if (memcmp(s->ids[i], empty, CHUNK_ID_LEN) != 0 &&
		    (rc = cb(s->ids[i], s->values[i], arg)) != 0)
			return rc;
	}
	return 0;
}

void chunkset_free(struct chunkset *s)
{
	free(s->ids);
	free(s->values);
	memset(s, 0, sizeof(*s));
}

void chunk_id_hex(const unsigned char *id, char *hex)
{
	digest_hex(id, CHUNK_ID_LEN, hex);
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int chunk_id_parse(const char *text, unsigned char *id)
{
	for (size_t i = 0; i < CHUNK_ID_LEN; i++) {
		int hi = nibble(text[2 * i]), lo = hi < 0 ? -1 : nibble(text[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		id[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}
