/*
 * Point-in-time recovery from a physical base backup: which base backup a
 * recovery target needs, putting it into an empty PGDATA, the recovery
 * settings that replay the WAL archive through `recover wal-fetch`, and,
 * with --start, the server started and watched until it is promoted.
 */
#ifndef TIERDUMP_PHYSICAL_H
#define TIERDUMP_PHYSICAL_H

#include <sys/types.h>
#include <time.h>

#include "backup/catalog.h"
#include "engine/engine.h"
#include "util/stream.h"

#define PHYSICAL_ENGINE "postgres-physical"

struct manifest;

/* Whether a manifest is a physical base backup's, naming the first WAL file it needs. */
int physical_is_base(const struct manifest *m);

/*
 * Parses a time as RECOVERY_TARGET_TIME takes it: "YYYY-MM-DD HH:MM:SS" (or
 * with a T), optional fraction of a second, optional zone (Z, +HH, +HH:MM;
 * none means UTC). Sets *secs, *usec. Returns 0 or -1.
 */
int physical_parse_time(const char *text, time_t *secs, long *usec);

/* Validates RECOVERY_TARGET_TIME and RECOVERY_TARGET. Returns 0 or -1 after fail(). */
int physical_check_settings(const struct engine_options *o);

/* Whether the settings ask for a point-in-time recovery. */
int physical_wanted(const struct engine_options *o);

/*
 * The base backup a recovery starts from: the one FROM_BACKUP names, which
 * must be physical and consistent before the target time, or without
 * FROM_BACKUP the newest that is. NULL after fail().
 */
const struct backup_ref *physical_choose(const struct catalog *cat, const struct from_backup *from,
					 const struct engine_options *o);

/*
 * Extracts a base backup's tar (source, which it closes) into PGDATA, which
 * must be empty, and writes the recovery settings; with --start starts the
 * server and waits until it is promoted. t says where the started server
 * listens and how to log in, with passfile as its password file. Returns 0
 * or -1 after fail().
 */
int physical_restore(const struct engine_options *o, const struct target *t, const char *passfile,
		     struct source *source);

#endif
