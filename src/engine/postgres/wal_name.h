/*
 * The names PostgreSQL gives the files it archives, and which of them an
 * archive may drop once no base backup needs them. Pure logic, no I/O.
 */
#ifndef TIERDUMP_WAL_NAME_H
#define TIERDUMP_WAL_NAME_H

#include <stddef.h>

#define WAL_SEGMENT_LEN 24 /* timeline, log and segment, 8 hex digits each */

enum wal_kind {
	WAL_INVALID,
	WAL_SEGMENT, /* 000000010000000000000002 */
	WAL_PARTIAL, /* 000000010000000000000002.partial: the end of an old timeline */
	WAL_BACKUP,  /* 000000010000000000000002.00000028.backup: a base backup's history */
	WAL_HISTORY, /* 00000002.history: how a timeline branched */
};

/* What kind of archived file name is; WAL_INVALID for anything else. */
enum wal_kind wal_name_kind(const char *name);

/*
 * Whether an archived file is older than oldest_segment (the first segment
 * the oldest kept base backup needs), as pg_archivecleanup decides it:
 * segments, partial segments and backup history files compare by log and
 * segment, whatever their timeline; timeline history files are never old.
 */
int wal_name_obsolete(const char *name, const char *oldest_segment);

/*
 * The archived file an object of the WAL area holds (its name without the
 * ".meta" or compression suffix) into buf of len bytes. Returns its kind,
 * WAL_INVALID for an object that is not ours.
 */
enum wal_kind wal_name_of_object(const char *object, char *buf, size_t len);

#endif
