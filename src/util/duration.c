#include "util/duration.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

static long unit_seconds(char unit)
{
	switch (unit) {
	case 's':
		return 1;
	case 'm':
		return 60;
	case 'h':
		return 3600;
	case 'd':
		return 86400;
	case 'w':
		return 7 * 86400;
	default:
		return 0;
	}
}

int duration_parse(const char *text, long *seconds, char *err, size_t errlen)
{
	const char *p = text;
	long total = 0;

	if (*p == '\0') {
		snprintf(err, errlen, "empty, want a number and a unit like 36h, 8d or 5w");
		return -1;
	}
	while (*p != '\0') {
		long n = 0, unit;

		if (*p < '0' || *p > '9') {
			snprintf(err, errlen, "'%s' is not a duration like 36h, 8d or 5w", text);
			return -1;
		}
		for (; *p >= '0' && *p <= '9'; p++) {
			if (n > (LONG_MAX - (*p - '0')) / 10) {
				snprintf(err, errlen, "'%s' is too long a duration", text);
				return -1;
			}
			n = n * 10 + (*p - '0');
		}
		if (*p == '\0') {
			snprintf(err, errlen, "'%s' needs a unit: s, m, h, d or w (36h, 8d, 5w)",
				 text);
			return -1;
		}
		unit = unit_seconds(*p);
		if (unit == 0) {
			snprintf(err, errlen, "'%s': '%c' is not a unit (s, m, h, d, w)", text, *p);
			return -1;
		}
		if (n > (LONG_MAX - total) / unit) {
			snprintf(err, errlen, "'%s' is too long a duration", text);
			return -1;
		}
		total += n * unit;
		p++;
	}
	if (total == 0) {
		snprintf(err, errlen, "'%s' is zero: a backup would be too old at once", text);
		return -1;
	}
	*seconds = total;
	return 0;
}
