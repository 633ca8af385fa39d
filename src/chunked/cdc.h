/*
 * Content-defined chunking (FastCDC with normalized chunking, as in Xia et
 * al., "The Design of Fast Content-Defined Chunking for Data Deduplication
 * Based Storage Systems", 2020): cut points depend on the bytes around them,
 * not on their offset, so an insertion early in a dump moves only the chunks
 * it touches, and every later chunk keeps its name.
 *
 * The gear table and the masks are part of the stored format: changing them
 * changes every cut, and the next backup would share no chunk with the last.
 */
#ifndef TIERDUMP_CHUNKED_CDC_H
#define TIERDUMP_CHUNKED_CDC_H

#include <stddef.h>

#define CDC_MIN (256u * 1024)	   /* no cut before this: no chunk is smaller but the last */
#define CDC_AVG (1024u * 1024)	   /* the size chunks tend to */
#define CDC_MAX (4u * 1024 * 1024) /* a cut here at the latest */

/*
 * The length of the chunk that begins at buf, of the len bytes there.
 * When len < CDC_MAX the stream must be at its end (the rest is the last
 * chunk, which may be short); otherwise the cut is at most CDC_MAX.
 */
size_t cdc_cut(const unsigned char *buf, size_t len);

#endif
