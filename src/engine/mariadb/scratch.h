/*
 * A throwaway MariaDB server for test-restores: mariadb-install-db into a
 * private directory, mariadbd with no TCP (--skip-networking) and its socket
 * in that directory, run as a non-root user, stopped by PID and removed
 * whatever happened (scratch_stop()).
 */
#ifndef TIERDUMP_MY_SCRATCH_H
#define TIERDUMP_MY_SCRATCH_H

#include "engine/scratch.h"

struct engine_test_ops;

/*
 * Creates and starts a server under parent (VERIFY_DIR), as user (when we
 * are root); s->target reaches it as root through the socket. Returns 0, or
 * -1 after fail(); either way the caller calls scratch_stop(s).
 */
int my_scratch_start(struct scratch *s, const char *parent, const char *user, const char *version);

/* Test-restores of MariaDB dumps: into a server my_scratch_start() makes. */
extern const struct engine_test_ops my_test_ops;

#endif
