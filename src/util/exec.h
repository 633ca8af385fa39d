/*
 * Child processes (pg_dumpall, psql): started without a shell, their stderr
 * relayed line by line into our log, their exit status always checked.
 */
#ifndef TIERDUMP_EXEC_H
#define TIERDUMP_EXEC_H

#include <stdint.h>
#include <sys/types.h>

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

/* Starts argv[0] (looked up in PATH). Returns 0, or -1 after fail(). */
int child_start(struct child *c, const char *const argv[], int flags);

/*
 * Like child_start(), but the child first becomes uid/gid (when we are
 * root): initdb and postgres refuse to run as root.
 */
int child_start_as(struct child *c, const char *const argv[], int flags, uid_t uid, gid_t gid);

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
 * Runs argv to completion and keeps the start of its stdout, NUL-terminated,
 * in buf (len bytes). Returns 0 if it exited with 0, else -1 after fail():
 * with code, or with what classify (if not NULL) picks.
 */
int child_capture(const char *const argv[], char *buf, size_t len, enum exit_code code,
		  enum exit_code (*classify)(const char *last_line));

/*
 * Runs a dump tool: its stdout into sink, its stderr into the log. It must
 * exit with 0 and write something. Returns 0, or -1 after fail(EXIT_DUMP or
 * what classify picks).
 */
int child_dump(const char *const argv[], struct sink *sink,
	       enum exit_code (*classify)(const char *last_line));

/* Kills and reaps a child we give up on; harmless on one already finished. */
void child_kill(struct child *c);

#endif
