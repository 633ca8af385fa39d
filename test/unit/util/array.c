#include <stdlib.h>

#include "util/array.h"

#include "test.h"

void test_util_array(void)
{
	int *items = NULL, *grown;
	size_t cap = 0, growths = 0, before, i;
	int in_order = 1;

	for (i = 0; i < 1000; i++) {
		before = cap;
		grown = array_grow(items, &cap, i, sizeof(*items));
		if (grown == NULL)
			break;
		/* realloc may grow in place: count the capacity's changes, not the pointer's. */
		growths += cap != before;
		items = grown;
		items[i] = (int)i * 3;
	}
	CHECK(i == 1000, "appended %zu", i);
	CHECK(cap == 1024, "capacity doubled from 64: %zu", cap);
	CHECK(growths == 5, "grown 5 times (64, 128, 256, 512, 1024): %zu", growths);
	for (i = 0; i < 1000; i++)
		in_order &= items[i] == (int)i * 3;
	CHECK(in_order, "the items survive each growth");
	CHECK(array_grow(items, &cap, 1000, sizeof(*items)) == items && cap == 1024,
	      "no growth while there is room");
	free(items);
	cap = (size_t)-1 / 8 + 1;
	CHECK(array_grow(NULL, &cap, cap, 8) == NULL && cap == (size_t)-1 / 8 + 1,
	      "a size past SIZE_MAX is refused, cap unchanged");
}
