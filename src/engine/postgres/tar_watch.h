/*
 * Reads a tar stream as it passes by: pg_basebackup's output, on its way to
 * the store, holds the backup_label (where the backup's WAL starts, when,
 * on which timeline) and, at its end, the backup_manifest (where the WAL
 * ends). Nothing is buffered beyond those two small pieces.
 */
#ifndef TIERDUMP_TAR_WATCH_H
#define TIERDUMP_TAR_WATCH_H

#include <stddef.h>
#include <stdint.h>

#include "util/stream.h"

enum { TAR_BLOCK = 512, TAR_LABEL_MAX = 4096, TAR_TAIL_MAX = 8192 };

struct tar_watch {
	struct sink base;
	struct sink *inner; /* not owned: commit and abort pass through */
	unsigned char header[TAR_BLOCK];
	size_t header_fill;
	uint64_t remaining;	       /* bytes of the current member's data still to come */
	uint64_t padding;	       /* then this many bytes up to the next block */
	int keep;		       /* what the current member is: 0, label, manifest */
	int ended;		       /* two zero blocks seen, or a header we could not read */
	char label[TAR_LABEL_MAX + 1]; /* backup_label, whole */
	size_t label_len;
	char tail[TAR_TAIL_MAX + 1]; /* the end of backup_manifest */
	size_t tail_len;
};

/* Starts watching what is written through w->base into inner. */
void tar_watch_init(struct tar_watch *w, struct sink *inner);

#endif
