/*
 * What every throwaway server for test-restores shares: a private directory
 * under VERIFY_DIR handed to a non-root user, programs run as that user, a
 * server process waited for on its socket, and a stop by PID (its own fast
 * shutdown signal, then SIGKILL after a timeout) that removes the directory
 * whatever happened. pg_scratch and my_scratch start their engine's server
 * on top of it.
 */
#ifndef TIERDUMP_SCRATCH_H
#define TIERDUMP_SCRATCH_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "target.h"

struct scratch {
	const char *what;   /* "PostgreSQL", for messages */
	int stop_signal;    /* the server's fast shutdown */
	char dir[PATH_MAX]; /* private: the data directory, socket and log live here */
	pid_t pid;	    /* the server, once started */
	uid_t uid;	    /* who runs it; -1 unless we are root */
	gid_t gid;
	struct target target; /* how to reach it, once started */
};

/*
 * Zeroes s and creates its directory under parent (VERIFY_DIR), handed to
 * user when we are root: database servers refuse to run as root. Returns 0,
 * or -1 after fail() with nothing left behind.
 */
int scratch_prepare(struct scratch *s, const char *what, int stop_signal, const char *parent,
		    const char *user);

/*
 * Finds program in PATH or in /usr/sbin (servers live there, often off a
 * user's PATH) and puts its full path in buf. Returns 0 or -1 (nothing logged).
 */
int scratch_find_program(const char *program, char *buf, size_t len);

/* Runs argv to completion as the scratch user. Returns 0, or -1 after fail(). */
int scratch_run(struct scratch *s, const char *const argv[]);

/*
 * Starts argv (a server that stays in the foreground) as the scratch user,
 * its output into log, and waits up to timeout seconds until the Unix
 * socket at socket_path accepts a connection. Returns 0, or -1 after fail()
 * quoting the end of the log (the caller still calls scratch_stop()).
 */
int scratch_spawn(struct scratch *s, const char *const argv[], const char *log,
		  const char *socket_path, int timeout);

/*
 * Stops the server by its PID (stop_signal, SIGKILL after 30 s) and removes
 * its directory. Safe on a zeroed or already stopped s.
 */
void scratch_stop(struct scratch *s);

#endif
