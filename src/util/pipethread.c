#include "util/pipethread.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"
#include "util/signals.h"

static void *run(void *arg)
{
	struct pipe_thread *t = arg;

	t->work(t, t->arg);
	close(t->fd); /* the reader sees the end; a writer fails its next write */
	t->fd = -1;
	pipe_thread_mark_started(t);
	return NULL;
}

int pipe_thread_start(struct pipe_thread *t, int upload,
		      void (*work)(struct pipe_thread *, void *arg), void *arg)
{
	int fds[2];

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->cond, NULL);
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	t->fd = upload ? fds[0] : fds[1];
	t->work = work;
	t->arg = arg;
	if (pthread_create(&t->thread, NULL, run, t) != 0) {
		close(fds[0]);
		close(fds[1]);
		t->fd = -1;
		return -1;
	}
	t->running = 1;
	return upload ? fds[1] : fds[0];
}

void pipe_thread_mark_started(struct pipe_thread *t)
{
	pthread_mutex_lock(&t->lock);
	t->started = 1;
	pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&t->lock);
}

void pipe_thread_wait_started(struct pipe_thread *t)
{
	pthread_mutex_lock(&t->lock);
	while (!t->started)
		pthread_cond_wait(&t->cond, &t->lock);
	pthread_mutex_unlock(&t->lock);
}

ssize_t pipe_thread_read(struct pipe_thread *t, int fd, void *buf, size_t len, const char *what)
{
	for (;;) {
		ssize_t n = read(fd, buf, len);

		if (n > 0)
			return n;
		if (n < 0 && errno == EINTR && !signals_stop_requested())
			continue;
		if (n < 0) {
			fail(EXIT_INTERRUPTED, "interrupted while reading %s", what);
			return -1;
		}
		pipe_thread_join(t);
		return 0;
	}
}

void pipe_thread_join(struct pipe_thread *t)
{
	if (t->running)
		pthread_join(t->thread, NULL);
	t->running = 0;
}

void pipe_thread_destroy(struct pipe_thread *t)
{
	pipe_thread_join(t);
	pthread_mutex_destroy(&t->lock);
	pthread_cond_destroy(&t->cond);
}
