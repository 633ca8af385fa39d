/* Byte counts as operators write them: 500000, 512k, 10M, 1G. */
#ifndef TIERDUMP_BYTES_H
#define TIERDUMP_BYTES_H

/*
 * Parses a whole number with an optional suffix k, M or G (either case,
 * powers of 1024) into *out. Returns 0, or -1 for anything else (no sign,
 * no fraction, no other suffix, no overflow).
 */
int bytes_parse(const char *text, long *out);

#endif
