/*
 * Child processes (pg_dumpall, psql): started without a shell, their stderr
 * relayed line by line into our log, their exit status always checked.
 */
#ifndef TIERDUMP_EXEC_H
#define TIERDUMP_EXEC_H

#include <stdint.h>
#include <sys/types.h>

#include "util/env.h"
#include "util/stream.h"
#include "util/exitcode.h"

enum child_flags {
	CHILD_STDIN = 1,  /* a pipe we feed; otherwise /dev/null */
	CHILD_STDOUT = 2, /* a pipe we drain; otherwise /dev/null */
};

struct child {
	pid_t pid;
	int in_fd, out_fd, err_fd;
	char name[64];
	char partial[1024]; /* a stderr line not yet ended */
	size_t partial_len;
	char last_line[512]; /* the last stderr line, to explain a failure */
	/* Optional: picks the failure class from the last stderr line. */
	enum exit_code (*classify)(const char *last_line);
};

/*
 * Starts argv[0] (looked up in PATH) with our environment changed by env
 * (NULL: ours as it is). Returns 0, or -1 after fail().
 */
int child_start(struct child *c, const char *const argv[], const struct child_env *env, int flags);

/*
 * Like child_start(), but the child runs as uid/gid: initdb and postgres
 * refuse to run as root, and restored files belong to PGDATA's owner. Only
 * root switches, and only to another user; a process that already is uid
 * runs the child as itself, and one that is neither fails, naming the user
 * to run as. uid -1 means as ourselves.
 */
int child_start_as(struct child *c, const char *const argv[], const struct child_env *env,
		   int flags, uid_t uid, gid_t gid);

/*
 * Whether a child of program must switch to uid (see child_start_as()):
 * 1 when we are root and uid is another user, 0 when uid is -1 or us, and
 * -1 after fail() when we are not root and uid is someone else.
 */
int child_must_switch(const char *program, uid_t uid);

/* A user's name, for messages, into buf: "uid N" when it has none. Returns buf. */
const char *child_user_name(uid_t uid, char *buf, size_t len);

/*
 * In a child, after fork: drops supplementary groups and becomes uid/gid.
 * Async-signal-safe. Returns 0, or -1 with errno set.
 */
int child_become(uid_t uid, gid_t gid);

/*
 * Copies the child's stdout into sink until it closes it, relaying stderr.
 * Adds the bytes copied to *bytes. Returns 0, or -1 after fail().
 */
int child_drain_to(struct child *c, struct sink *sink, uint64_t *bytes);

/*
 * Feeds source into the child's stdin until the source ends, relaying
 * stderr. A child that exits early is not an error here: child_finish()
 * reports it. Returns 0, or -1 after fail().
 */
int child_feed_from(struct child *c, struct source *source);

/*
 * Waits for the child; returns 0 if it exited with 0, else fail(code, ...),
 * or fail() with the class c->classify picks when it is set.
 */
int child_finish(struct child *c, enum exit_code code);

/*
 * Runs argv (its environment changed by env) to completion and keeps the start of its stdout,
 * NUL-terminated, in buf (len bytes). Returns 0 if it exited with 0, else -1 after fail(): with
 * code, or with what classify (if not NULL) picks.
 */
int child_capture(const char *const argv[], const struct child_env *env, char *buf, size_t len,
		  enum exit_code code, enum exit_code (*classify)(const char *last_line));

/*
 * Runs a dump tool, its environment changed by env: its stdout into sink, its stderr into the log.
 * It must exit with 0 and write something. Returns 0, or -1 after fail(EXIT_DUMP or what classify
 * picks).
 */
int child_dump(const char *const argv[], const struct child_env *env, struct sink *sink,
	       enum exit_code (*classify)(const char *last_line));

/*
 * Like child_finish(), but a child still running after seconds is killed
 * (SIGKILL) and fails with code, saying so.
 */
int child_finish_within(struct child *c, long seconds, enum exit_code code);

/* Kills and reaps a child we give up on; harmless on one already finished. */
void child_kill(struct child *c);

#endif
