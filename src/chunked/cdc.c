/* FastCDC cut points (see cdc.h). */
#include "chunked/cdc.h"

#include <stdint.h>

/*
 * Normalized chunking, level 2: before the average size a cut needs 22 zero
 * bits (rarer), after it 18 (more likely), which gathers sizes around 1 MiB.
 * The bits are the top ones: with the hash shifted left each byte, the top
 * bits depend on the most recent 64 bytes.
 */
#define MASK_SMALL (~UINT64_C(0) << (64 - 22))
#define MASK_LARGE (~UINT64_C(0) << (64 - 18))

/* 256 pseudo-random words from a fixed SplitMix64 seed: the same on every machine. */
static uint64_t gear[256];

static void gear_init(void)
{
	uint64_t x = UINT64_C(0x7469657264756d70); /* "tierdump" */

	for (int i = 0; i < 256; i++) {
		uint64_t z = (x += UINT64_C(0x9e3779b97f4a7c15));

		z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
		z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
		gear[i] = z ^ (z >> 31);
	}
}

size_t cdc_cut(const unsigned char *buf, size_t len)
{
	size_t i = CDC_MIN, normal = len < CDC_AVG ? len : CDC_AVG,
	       end = len < CDC_MAX ? len : CDC_MAX;
	uint64_t fp = 0;

	if (gear[0] == 0)
		gear_init();
	if (len <= CDC_MIN)
		return len;
	for (; i < normal; i++) {
		fp = (fp << 1) + gear[buf[i]];
		if ((fp & MASK_SMALL) == 0)
			return i + 1;
	}
	for (; i < end; i++) {
		fp = (fp << 1) + gear[buf[i]];
		if ((fp & MASK_LARGE) == 0)
			return i + 1;
	}
	return end;
}
