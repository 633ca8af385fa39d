/*
 * Content-defined chunking: sizes within bounds, averages near 1 MiB, and an
 * insertion moves only the chunks around it, every later cut keeping its
 * place relative to the content.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chunked/cdc.h"
#include "test.h"
#include "util/digest.h"

/* Cuts all of buf; the SHA-256 of each chunk into ids (at most max), sizes into sizes. */
static size_t cut_all(const unsigned char *buf, size_t len, char (*ids)[DIGEST_HEX_LEN + 1],
		      size_t *sizes, size_t max)
{
	size_t n = 0;

	for (size_t off = 0; off < len && n < max; n++) {
		size_t c = cdc_cut(buf + off, len - off);

		digest_of(buf + off, c, ids[n]);
		sizes[n] = c;
		off += c;
	}
	return n;
}

static size_t shared(char (*a)[DIGEST_HEX_LEN + 1], size_t na, char (*b)[DIGEST_HEX_LEN + 1],
		     size_t nb)
{
	size_t same = 0;

	for (size_t i = 0; i < na; i++)
		for (size_t j = 0; j < nb; j++)
			if (strcmp(a[i], b[j]) == 0) {
				same++;
				break;
			}
	return same;
}

void test_chunked_cdc(void)
{
	enum { LEN = 48 << 20, MAXN = 256 };
	unsigned char *buf = malloc(LEN + 100), *moved = malloc(LEN + 100);
	char(*ids)[DIGEST_HEX_LEN + 1] = calloc(MAXN, DIGEST_HEX_LEN + 1);
	char(*ids2)[DIGEST_HEX_LEN + 1] = calloc(MAXN, DIGEST_HEX_LEN + 1);
	size_t sizes[MAXN], sizes2[MAXN], n, n2, small = 0, total = 0;

	fill_random(buf, LEN, 42);
	n = cut_all(buf, LEN, ids, sizes, MAXN);
	for (size_t i = 0; i < n; i++) {
		total += sizes[i];
		small += i + 1 < n && sizes[i] < CDC_MIN;
		CHECK(sizes[i] <= CDC_MAX, "chunk %zu is %zu bytes, more than the largest", i,
		      sizes[i]);
	}
	CHECK(total == LEN, "the chunks cover the input: %zu of %d bytes", total, LEN);
	CHECK(small == 0, "%zu chunk(s) but the last are smaller than the smallest", small);
	CHECK(total / n >= 700 * 1024 && total / n <= 1400 * 1024,
	      "chunks average about 1 MiB: %zu bytes over %zu chunks", total / n, n);

	/* 100 bytes inserted 5 MiB in: all but the chunks around it are the same. */
	memcpy(moved, buf, 5 << 20);
	fill_random(moved + (5 << 20), 100, 7);
	memcpy(moved + (5 << 20) + 100, buf + (5 << 20), LEN - (5 << 20));
	n2 = cut_all(moved, LEN + 100, ids2, sizes2, MAXN);
	CHECK(shared(ids, n, ids2, n2) + 2 >= n,
	      "an insertion changes at most two chunks: %zu of %zu shared",
	      shared(ids, n, ids2, n2), n);

	/* Input of one repeated byte never meets the mask: cut at the largest size. */
	memset(buf, 'a', LEN);
	CHECK(cdc_cut(buf, LEN) <= CDC_MAX, "a run of one byte is cut by the largest size");
	CHECK(cdc_cut(buf, 1000) == 1000, "a short end is one chunk");
	CHECK(cdc_cut(buf, CDC_MIN) == CDC_MIN, "an end of the smallest size is one chunk");
	free(buf);
	free(moved);
	free(ids);
	free(ids2);
}
