/* The chunk id set and chunk lists: lookups after growth, and lists as text both ways. */
#include <stdlib.h>
#include <string.h>

#include "chunked/chunklist.h"
#include "chunked/chunkset.h"
#include "test.h"

static void id_of(unsigned n, unsigned char *id)
{
	memset(id, 0, CHUNK_ID_LEN);
	for (int i = 0; i < CHUNK_ID_LEN; i += 4)
		memcpy(id + i, &n, sizeof(n)), n = n * 2654435761u + 1;
}

static int count(const unsigned char *id, uint64_t value, void *arg)
{
	(void)id;
	*(uint64_t *)arg += value;
	return 0;
}

static void test_set(void)
{
	struct chunkset s = {0};
	unsigned char id[CHUNK_ID_LEN];
	uint64_t v = 0, sum = 0;
	int all = 1;

	for (unsigned i = 1; i <= 5000; i++) {
		id_of(i, id);
		all &= chunkset_put(&s, id, i) == 0;
	}
	CHECK(all && s.n == 5000, "5000 ids put: %zu held", s.n);
	id_of(1234, id);
	CHECK(chunkset_get(&s, id, &v) && v == 1234, "an id is found with its value (%llu)",
	      (unsigned long long)v);
	chunkset_put(&s, id, 7);
	CHECK(chunkset_get(&s, id, &v) && v == 7 && s.n == 5000, "putting it again sets its value");
	id_of(9999, id);
	CHECK(!chunkset_get(&s, id, NULL), "an id never put is not found");
	chunkset_each(&s, count, &sum);
	CHECK(sum == 5000ull * 5001 / 2 - 1234 + 7, "each visits every id once (sum %llu)",
	      (unsigned long long)sum);
	chunkset_free(&s);
	CHECK(!chunkset_get(&s, id, NULL) && s.n == 0, "an empty set finds nothing");
}

static void test_list(void)
{
	struct chunklist l = {0}, back = {0};
	unsigned char id[CHUNK_ID_LEN];
	char *text;

	for (unsigned i = 0; i < 3; i++) {
		id_of(i + 10, id);
		chunklist_add(&l, id, 1000000 + i, 300000 + i);
	}
	text = chunklist_render(&l);
	CHECK(text != NULL && strncmp(text, "tierdump chunk list 1\n", 22) == 0,
	      "a list begins with its header");
	CHECK(chunklist_parse(text, &back, "test") == 0 && back.n == 3 &&
		  memcmp(back.refs, l.refs, 3 * sizeof(*l.refs)) == 0,
	      "a list reads back as written");
	CHECK(chunklist_parse("tierdump chunk list 1\n", &back, "test") == 0 && back.n == 0,
	      "an empty list (an empty dump) reads back");
	CHECK(chunklist_parse("tierdump chunk list 2\n", &back, "test") < 0,
	      "a list of an unknown version is refused");
	text[30] = 'X';
	CHECK(chunklist_parse(text, &back, "test") < 0, "a list with a bad id is refused");
	CHECK(
	    chunklist_parse("tierdump chunk list 1\n"
			    "0000000000000000000000000000000000000000000000000000000000000001 5\n",
			    &back, "test") < 0,
	    "a line without its stored size is refused");
	CHECK(
	    chunklist_parse("tierdump chunk list 1\n"
			    "0000000000000000000000000000000000000000000000000000000000000001 5 3",
			    &back, "test") < 0,
	    "a last line without its newline (a cut list) is refused");
	free(text);
	chunklist_free(&l);
	chunklist_free(&back);
}

void test_chunked_chunkset(void)
{
	test_set();
	test_list();
}
