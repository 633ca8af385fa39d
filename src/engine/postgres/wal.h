/*
 * The WAL archive: PostgreSQL's archive_command and restore_command, and the
 * archive's upkeep. Each archived file is two objects under wal/ in the
 * store: the compressed file, then a small .meta record (checksums, sizes,
 * codec, when it was pushed) written once the file is durable. A file is
 * archived exactly when its .meta exists.
 */
#ifndef TIERDUMP_WAL_H
#define TIERDUMP_WAL_H

#include <time.h>

#include "engine/engine.h"
#include "store/store.h"
#include "engine/postgres/wal_name.h"

/*
 * archive_command (backup wal-push %p): stores the file at path and returns
 * 0 only once it is durable. A file archived already with the same content
 * succeeds again; different content fails. Returns 0 or -1 after fail().
 */
int wal_push(const struct engine_options *o, struct store *s, const char *path);

/*
 * restore_command (recover wal-fetch %f %p): writes the archived file name
 * to path, checked against its checksums. Returns 0, or -1 after
 * fail(EXIT_NOT_FOUND) when it is not archived, or another failure.
 */
int wal_fetch(const struct engine_options *o, struct store *s, const char *name, const char *path);

/*
 * After pruning: removes the archived files older than the first segment
 * the oldest complete base backup of any tier needs. Keeps everything when
 * no base backup exists. Returns 0 or -1 after fail().
 */
int wal_retain(struct store *s);

/*
 * The newest archived segment (by position) into name (WAL_SEGMENT_LEN + 1
 * bytes) and when it was pushed. Returns 0, 1 when nothing is archived, or
 * -1 after fail().
 */
int wal_newest(struct store *s, char *name, time_t *pushed);

#endif
