/*
 * Chunks and the garbage collector: why a chunk a backup is about to
 * reference is never collected under it.
 *
 * Every run that writes a backup of the chunked format (an hourly dump, a
 * promotion, a mirror's copy) first writes a writer marker under
 * chunks/writers/, then waits out any garbage collection in progress, and
 * only then lists the chunks the store holds: it references only chunks in
 * that listing or chunks it stored itself. The collector first writes its own
 * marker under chunks/gc/, then deletes nothing if any writer marker is live.
 * Either the collector saw the writer's marker and deleted nothing, or it
 * wrote its marker before the writer looked, and the writer waited for it to
 * finish before listing. Stores must list what was written before (local
 * disks, S3 and FTPS do).
 *
 * A run killed with -9 leaves its marker: on the same host a marker whose
 * process is gone is removed at once; from elsewhere a writer marker counts
 * for WRITER_STALE seconds (the collector deletes nothing meanwhile, and
 * catches up later), a collector's for GC_STALE, and a collector stops
 * deleting after GC_MAX_SECONDS so that a live one is never taken for dead.
 */
#ifndef TIERDUMP_CHUNKED_MARKERS_H
#define TIERDUMP_CHUNKED_MARKERS_H

#include "chunked/chunks.h"

#define WRITER_STALE (24 * 3600)
#define GC_STALE 3600
#define GC_MAX_SECONDS 1800

struct chunk_marker {
	char key[CHUNK_KEY_MAX];
};

/*
 * Marks a writer at work in s, then waits up to timeout seconds for any
 * live garbage collection to end. Returns 0, or -1 after fail() (the
 * marker removed again).
 */
int marker_writer_begin(struct store *s, long timeout, struct chunk_marker *m);

/*
 * Marks a garbage collection at work in s. *writers: how many live writer
 * markers it found; with any, the collector must delete nothing.
 */
int marker_gc_begin(struct store *s, struct chunk_marker *m, int *writers);

/* Removes a marker (either kind); an empty one is ignored. */
void marker_end(struct store *s, struct chunk_marker *m);

#endif
