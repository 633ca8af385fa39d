/* Durations as operators write them: 36h, 8d, 5w, 400d, 1d12h. */
#ifndef TIERDUMP_DURATION_H
#define TIERDUMP_DURATION_H

#include <stddef.h>

/*
 * Parses one or more number-unit pairs (s, m, h, d, w: seconds, minutes,
 * hours, days, weeks) into seconds. A bare number, an unknown unit, a sign,
 * a zero total or an overflow is refused with the reason in err (errlen
 * bytes). Returns 0 and sets *seconds, or -1.
 */
int duration_parse(const char *text, long *seconds, char *err, size_t errlen);

#endif
