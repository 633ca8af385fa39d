#include "util/bytes.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

int bytes_parse(const char *text, long *out)
{
	long n, unit = 1;
	char *end;

	if (!isdigit((unsigned char)*text))
		return -1;
	errno = 0;
	n = strtol(text, &end, 10);
	if (errno != 0)
		return -1;
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		unit = 1L << 10;
		end++;
		break;
	case 'm':
	case 'M':
		unit = 1L << 20;
		end++;
		break;
	case 'g':
	case 'G':
		unit = 1L << 30;
		end++;
		break;
	default:
		return -1;
	}
	if (*end != '\0' || n > LONG_MAX / unit)
		return -1;
	*out = n * unit;
	return 0;
}
