/*
 * A transfer on its own thread, streaming through a pipe: a download writes
 * into the pipe while its reader drains the other end, an upload reads what
 * its writer puts in. The S3 and FTPS stores use it, so a dump streams
 * without a temporary file.
 */
#ifndef TIERDUMP_PIPETHREAD_H
#define TIERDUMP_PIPETHREAD_H

#include <pthread.h>
#include <sys/types.h>

struct pipe_thread {
	int fd;	     /* the thread's end of the pipe, closed when the work ends */
	int running; /* the thread was started and is not joined yet */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int started; /* the answer began, or the work ended */
	void (*work)(struct pipe_thread *, void *arg);
	void *arg;
};

/*
 * Starts work(t, arg) on a thread with a new pipe whose far end is t->fd:
 * the thread reads from it when upload, else writes into it. Returns the
 * caller's end, or -1 (nothing logged). Either way pipe_thread_destroy()
 * ends it.
 */
int pipe_thread_start(struct pipe_thread *t, int upload,
		      void (*work)(struct pipe_thread *, void *arg), void *arg);

/* From the work: the answer has begun; pipe_thread_wait_started() returns. */
void pipe_thread_mark_started(struct pipe_thread *t);

/* Waits until the answer began or the work ended. */
void pipe_thread_wait_started(struct pipe_thread *t);

/*
 * From a download's reader: reads our end (fd). Returns bytes, 0 at the
 * end with the thread joined (the work's result says whether the end was
 * whole), or -1 after fail() when interrupted, naming what.
 */
ssize_t pipe_thread_read(struct pipe_thread *t, int fd, void *buf, size_t len, const char *what);

/* Waits for the work to end; our end must be closed first, or read to its end. Harmless twice. */
void pipe_thread_join(struct pipe_thread *t);

/* Joins, then frees the lock and condition. */
void pipe_thread_destroy(struct pipe_thread *t);

#endif
