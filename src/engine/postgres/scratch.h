/*
 * A throwaway PostgreSQL server for test-restores: initdb in a private
 * directory, reachable only through a Unix socket in it, run as a non-root
 * user, stopped by PID and removed whatever happened (scratch_stop()).
 */
#ifndef TIERDUMP_PG_SCRATCH_H
#define TIERDUMP_PG_SCRATCH_H

#include "engine/scratch.h"

/* The PID in a data directory's postmaster.pid, or 0. */
pid_t pg_postmaster_pid(const char *datadir);

/*
 * Creates and starts a server under parent (VERIFY_DIR), as user (when we
 * are root): of the major of version (the backup's server), or the nearest
 * newer one installed, or the newest when version is NULL; s->target
 * reaches it. Returns 0, or -1 after fail(); either way the caller calls
 * scratch_stop(s).
 */
int pg_scratch_start(struct scratch *s, const char *parent, const char *user, const char *version);

/*
 * Only the private directory and where the server will listen, for a
 * physical base backup, which brings its own cluster: physical_restore()
 * extracts it into dir/data and starts it. Returns 0, or -1 after fail().
 */
int pg_scratch_prepare_physical(struct scratch *s, const char *parent, const char *user,
				const char *version);

#endif
