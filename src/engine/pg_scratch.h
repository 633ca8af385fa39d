/*
 * A throwaway PostgreSQL server for test-restores: initdb in a private
 * directory, reachable only through a Unix socket in it, run as a non-root
 * user, stopped by PID and removed whatever happened.
 */
#ifndef TIERDUMP_PG_SCRATCH_H
#define TIERDUMP_PG_SCRATCH_H

#include <limits.h>
#include <sys/types.h>

#include "../target.h"

struct pg_scratch {
	char dir[PATH_MAX];  /* holds data/, the socket and the log */
	char bindir[PATH_MAX];
	pid_t pid;           /* the postmaster, once started */
	uid_t uid;
	gid_t gid;
	struct target target; /* how to reach it */
};

/*
 * The newest installed server binaries' directory (Debian keeps them off
 * PATH) into buf. Returns 0, or -1 after fail() naming the package.
 */
int pg_server_bindir(char *buf, size_t len);

/*
 * Creates and starts a server under parent (VERIFY_DIR), as user (when we
 * are root). Returns 0, or -1 after fail() having cleaned up.
 */
int pg_scratch_start(struct pg_scratch *s, const char *parent, const char *user);

/* Stops the server by its PID and removes its directory; safe to call twice. */
void pg_scratch_stop(struct pg_scratch *s);

#endif
