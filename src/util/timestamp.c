#include "util/timestamp.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const char canonical_shape[] = "dddd-dd-ddTdd:dd:ddZ";

void ts_format(time_t t, char *buf)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, TS_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Whether s[0..len) follows shape, where 'd' stands for any digit. */
static int matches_shape(const char *s, size_t len, const char *shape)
{
	size_t i;

	if (len > strlen(shape))
		return 0;
	for (i = 0; i < len; i++) {
		if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != shape[i])
			return 0;
	}
	return 1;
}

static int digits(const char *s, int n)
{
	int v = 0;

	while (n-- > 0)
		v = v * 10 + (*s++ - '0');
	return v;
}

static int days_in_month(int year, int mon)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return days[mon - 1] + (mon == 2 && leap);
}

/*
 * Builds a UTC time from fields, refusing impossible dates. Plain arithmetic
 * (days from the civil date) rather than timegm(): listing thousands of
 * backups parses thousands of timestamps.
 */
static int make_time(int year, int mon, int day, int hour, int min, int sec, time_t *t)
{
	int y = mon <= 2 ? year - 1 : year;
	int era = y / 400, yoe = y - era * 400;
	int doy = (153 * (mon + (mon > 2 ? -3 : 9)) + 2) / 5 + day - 1;
	long days = (long)era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;

	if (year < 1970 || mon < 1 || mon > 12 || day < 1 || day > days_in_month(year, mon) ||
	    hour > 23 || min > 59 || sec > 59)
		return -1;
	*t = (time_t)days * 86400 + hour * 3600 + min * 60 + sec;
	return 0;
}

int ts_parse(const char *s, time_t *t)
{
	size_t len = strlen(s);

	if (len != TS_LEN || !matches_shape(s, len, canonical_shape))
		return -1;
	return make_time(digits(s, 4), digits(s + 5, 2), digits(s + 8, 2), digits(s + 11, 2),
			 digits(s + 14, 2), digits(s + 17, 2), t);
}

int ts_parse_lenient(const char *s, size_t len, time_t *t)
{
	/* Shape, then the offsets of year, month, day, hour, minute, second. */
	static const struct {
		const char *shape;
		int at[6];
	} forms[] = {
	    {"dddd-dd-ddTdd:dd:ddZ", {0, 5, 8, 11, 14, 17}},
	    {"dddd-dd-ddTdd:dd:dd", {0, 5, 8, 11, 14, 17}},
	    {"dddd-dd-ddTdd-dd-ddZ", {0, 5, 8, 11, 14, 17}},
	    {"dddd-dd-ddTdd-dd-dd", {0, 5, 8, 11, 14, 17}},
	    {"dddd-dd-dd_dd-dd-dd", {0, 5, 8, 11, 14, 17}},
	    {"ddddddddTddddddZ", {0, 4, 6, 9, 11, 13}},
	    {"ddddddddTdddddd", {0, 4, 6, 9, 11, 13}},
	    {"dddddddd-dddddd", {0, 4, 6, 9, 11, 13}},
	};
	size_t i;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		const int *at = forms[i].at;

		if (len != strlen(forms[i].shape) || !matches_shape(s, len, forms[i].shape))
			continue;
		return make_time(digits(s + at[0], 4), digits(s + at[1], 2), digits(s + at[2], 2),
				 digits(s + at[3], 2), digits(s + at[4], 2), digits(s + at[5], 2),
				 t);
	}
	return -1;
}

int ts_is_prefix(const char *s)
{
	/* The canonical form of the latest time each position allows. */
	static const char latest[] = "9999-12-31T23:59:59Z";
	size_t len = strlen(s);
	time_t t;

	if (len == 0 || !matches_shape(s, len, canonical_shape))
		return 0;
	/* Fields given in full must hold a real date; a field cut short, a possible start. */
	for (size_t i = 5; i < len; i++) {
		if (isdigit((unsigned char)s[i]) && !isdigit((unsigned char)s[i - 1]) &&
		    s[i] > latest[i])
			return 0;
	}
	if (len >= 7 && (digits(s + 5, 2) < 1 || digits(s + 5, 2) > 12))
		return 0;
	if (len >= 10) {
		char date[TS_LEN + 1];

		snprintf(date, sizeof(date), "%.10sT00:00:00Z", s);
		if (ts_parse(date, &t) < 0)
			return 0;
	}
	return (len < 13 || digits(s + 11, 2) <= 23) && (len < 16 || digits(s + 14, 2) <= 59) &&
	       (len < 19 || digits(s + 17, 2) <= 59);
}
