/* Chunk lists as text (see chunklist.h). */
#include "chunked/chunklist.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

#define CHUNKLIST_HEADER "tierdump chunk list 1\n"
#define CHUNKLIST_LINE_MAX (2 * CHUNK_ID_LEN + 2 * 11 + 2)

int chunklist_add(struct chunklist *l, const unsigned char *id, uint32_t raw, uint32_t stored)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		struct chunk_ref *refs = realloc(l->refs, cap * sizeof(*refs));

		if (refs == NULL) {
			fail(EXIT_INTERNAL, "out of memory");
			return -1;
		}
		l->refs = refs;
		l->cap = cap;
	}
	memcpy(l->refs[l->n].id, id, CHUNK_ID_LEN);
	l->refs[l->n].raw = raw;
	l->refs[l->n].stored = stored;
	l->n++;
	return 0;
}

char *chunklist_render(const struct chunklist *l)
{
	size_t cap = sizeof(CHUNKLIST_HEADER) + l->n * CHUNKLIST_LINE_MAX, len;
	char *text = malloc(cap);

	if (text == NULL) {
		fail(EXIT_INTERNAL, "out of memory");
		return NULL;
	}
	strcpy(text, CHUNKLIST_HEADER);
	len = strlen(text);
	for (size_t i = 0; i < l->n; i++) {
		char hex[2 * CHUNK_ID_LEN + 1];

		chunk_id_hex(l->refs[i].id, hex);
		len += (size_t)snprintf(text + len, cap - len, "%s %" PRIu32 " %" PRIu32 "\n", hex,
					l->refs[i].raw, l->refs[i].stored);
	}
	return text;
}

int chunklist_parse(const char *text, struct chunklist *l, const char *label)
{
	const char *p = text;
	size_t line = 2;

	chunklist_free(l);
	if (strncmp(p, CHUNKLIST_HEADER, strlen(CHUNKLIST_HEADER)) != 0) {
		fail(EXIT_CORRUPT, "%s is not a tierdump chunk list (its first line is wrong)",
		     label);
		return -1;
	}
	for (p += strlen(CHUNKLIST_HEADER); *p != '\0'; line++) {
		unsigned char id[CHUNK_ID_LEN];
		unsigned long raw, stored;
		char *end;

		if (strlen(p) < 2 * CHUNK_ID_LEN + 1 || chunk_id_parse(p, id) < 0 ||
		    p[2 * CHUNK_ID_LEN] != ' ')
			goto bad;
		raw = strtoul(p + 2 * CHUNK_ID_LEN + 1, &end, 10);
		if (*end != ' ')
			goto bad;
		stored = strtoul(end + 1, &end, 10);
		if (*end != '\n' || raw > UINT32_MAX || stored > UINT32_MAX)
			goto bad;
		if (chunklist_add(l, id, (uint32_t)raw, (uint32_t)stored) < 0)
			return -1;
		p = end + 1;
	}
	return 0;
bad:
	fail(EXIT_CORRUPT, "%s: line %zu is not \"<chunk id> <bytes> <stored bytes>\"", label,
	     line);
	chunklist_free(l);
	return -1;
}

void chunklist_free(struct chunklist *l)
{
	free(l->refs);
	memset(l, 0, sizeof(*l));
}
