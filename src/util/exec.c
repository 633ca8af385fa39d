#include "util/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <pwd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/env.h"
#include "util/log.h"
#include "util/privfile.h"
#include "util/signals.h"

enum { CHUNK = 128 * 1024 };

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int child_start(struct child *c, const char *const argv[], const struct child_env *env, int flags)
{
	return child_start_as(c, argv, env, flags, (uid_t)-1, (gid_t)-1);
}

const char *child_user_name(uid_t uid, char *buf, size_t len)
{
	struct passwd pw, *found = NULL;
	char strings[1024];

	if (getpwuid_r(uid, &pw, strings, sizeof(strings), &found) == 0 && found != NULL)
		snprintf(buf, len, "%s", pw.pw_name);
	else
		snprintf(buf, len, "uid %d", (int)uid);
	return buf;
}

int child_must_switch(const char *program, uid_t uid)
{
	char wanted[64], me[64];

	if (uid == (uid_t)-1 || uid == geteuid())
		return 0;
	if (geteuid() == 0)
		return 1;
	child_user_name(uid, wanted, sizeof(wanted));
	fail(EXIT_CONFIG,
	     "cannot run %s as %s (uid %d): %s runs as %s, and only root can switch users: run "
	     "%s as %s (runuser -u %s -- %s ...) or as root",
	     program, wanted, (int)uid, program_invocation_short_name,
	     child_user_name(geteuid(), me, sizeof(me)), program_invocation_short_name, wanted,
	     wanted, program_invocation_short_name);
	return -1;
}

int child_become(uid_t uid, gid_t gid)
{
	return setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0 ? -1 : 0;
}

int child_start_as(struct child *c, const char *const argv[], const struct child_env *env,
		   int flags, uid_t uid, gid_t gid)
{
	int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1}, devnull = -1;
	int secrets[PRIVFILE_MAX], secret_count = 0;
	char **envp = NULL;
	int must_switch;
	pid_t pid;

	memset(c, 0, sizeof(*c));
	c->pid = -1;
	c->in_fd = c->out_fd = c->err_fd = -1;
	snprintf(c->name, sizeof(c->name), "%s", argv[0]);
	log_debug("running %s%s%s", argv[0], argv[1] ? " " : "", argv[1] ? argv[1] : "");
	must_switch = child_must_switch(argv[0], uid);
	if (must_switch < 0)
		return -1;
	/* Built before fork: a child of a threaded process may not allocate. */
	envp = child_env_build(env);
	if (envp == NULL)
		return -1;
	/* Another user could not open our 0600 files, and must not hold them either. */
	if (!must_switch)
		secret_count = privfile_named(argv, envp, secrets);
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0 || pipe2(err, O_CLOEXEC) < 0 ||
	    ((flags & CHILD_STDIN) && pipe2(in, O_CLOEXEC) < 0) ||
	    ((flags & CHILD_STDOUT) && pipe2(out, O_CLOEXEC) < 0)) {
		fail(EXIT_INTERNAL, "unable to create pipes for %s: %s", c->name, strerror(errno));
		goto fail;
	}
	pid = fork();
	if (pid < 0) {
		fail(EXIT_INTERNAL, "unable to start %s: %s", c->name, strerror(errno));
		goto fail;
	}
	if (pid == 0) {
		/* The child: default signal handling, pipes on 0, 1, 2, then exec. */
		signal(SIGPIPE, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		dup2((flags & CHILD_STDIN) ? in[0] : devnull, 0);
		dup2((flags & CHILD_STDOUT) ? out[1] : devnull, 1);
		dup2(err[1], 2);
		if (must_switch && child_become(uid, gid) < 0) {
			dprintf(2, "cannot run %s as uid %d: %s\n", argv[0], (int)uid,
				strerror(errno));
			_exit(126);
		}
		for (int i = 0; i < secret_count; i++)
			fcntl(secrets[i], F_SETFD, 0); /* kept across exec: this child reads it */
		execvpe(argv[0], (char *const *)argv, envp);
		dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	free(envp);
	c->pid = pid;
	close(devnull);
	close(err[1]);
	c->err_fd = err[0];
	if (flags & CHILD_STDIN) {
		close(in[0]);
		c->in_fd = in[1];
		fcntl(c->in_fd, F_SETFL, O_NONBLOCK);
	}
	if (flags & CHILD_STDOUT) {
		close(out[1]);
		c->out_fd = out[0];
		/* A larger pipe means fewer wake-ups between the dump and us; best effort. */
		fcntl(c->out_fd, F_SETPIPE_SZ, 1024 * 1024);
	}
	return 0;
fail:
	free(envp);
	if (devnull >= 0)
		close(devnull);
	for (int i = 0; i < 2; i++) {
		close_fd(&in[i]);
		close_fd(&out[i]);
		close_fd(&err[i]);
	}
	return -1;
}

static void relay_line(struct child *c, const char *line, size_t len)
{
	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' '))
		len--;
	if (len == 0)
		return;
	snprintf(c->last_line, sizeof(c->last_line), "%.*s", (int)len, line);
	log_warn("%s: %s", c->name, c->last_line);
}

/* Reads what the child wrote on stderr and logs each complete line. */
static void relay_stderr(struct child *c)
{
	char buf[4096];
	ssize_t n = read(c->err_fd, buf, sizeof(buf));

	if (n < 0 && errno == EINTR)
		return;
	if (n <= 0) {
		if (c->partial_len > 0)
			relay_line(c, c->partial, c->partial_len);
		c->partial_len = 0;
		close_fd(&c->err_fd);
		return;
	}
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == '\n' || c->partial_len == sizeof(c->partial)) {
			relay_line(c, c->partial, c->partial_len);
			c->partial_len = 0;
		}
		if (buf[i] != '\n')
			c->partial[c->partial_len++] = buf[i];
	}
}

static int check_stop(struct child *c)
{
	char what[96];

	snprintf(what, sizeof(what), "%s was running", c->name);
	return signals_check(what);
}

/* Waits until fd is ready for events, relaying stderr meanwhile. */
static int wait_ready(struct child *c, int fd, short events)
{
	for (;;) {
		struct pollfd p[2] = {{fd, events, 0}, {c->err_fd, POLLIN, 0}};

		if (check_stop(c) < 0)
			return -1;
		if (poll(p, c->err_fd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			fail(EXIT_INTERNAL, "poll on %s failed: %s", c->name, strerror(errno));
			return -1;
		}
		if (p[1].revents != 0 && c->err_fd >= 0)
			relay_stderr(c);
		if (p[0].revents != 0)
			return 0;
	}
}

int child_drain_to(struct child *c, struct sink *sink, uint64_t *bytes)
{
	static char buf[CHUNK];

	for (;;) {
		ssize_t n;

		if (wait_ready(c, c->out_fd, POLLIN) < 0)
			return -1;
		n = read(c->out_fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fail(EXIT_DUMP, "reading the output of %s failed: %s", c->name,
			     strerror(errno));
			return -1;
		}
		if (n == 0)
			break;
		if (sink_write(sink, buf, (size_t)n) < 0)
			return -1;
		*bytes += (uint64_t)n;
	}
	close_fd(&c->out_fd);
	return 0;
}

int child_feed_from(struct child *c, struct source *source)
{
	static char buf[CHUNK];

	for (;;) {
		ssize_t n = source_read(source, buf, sizeof(buf));
		size_t done = 0;

		if (n < 0)
			return -1;
		if (n == 0)
			break;
		while (done < (size_t)n) {
			ssize_t w;

			if (wait_ready(c, c->in_fd, POLLOUT) < 0)
				return -1;
			w = write(c->in_fd, buf + done, (size_t)n - done);
			if (w < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (w < 0 && errno == EPIPE)
				goto out; /* it stopped reading; its exit status says why */
			if (w < 0) {
				fail(EXIT_RESTORE, "writing to %s failed: %s", c->name,
				     strerror(errno));
				return -1;
			}
			done += (size_t)w;
		}
	}
out:
	close_fd(&c->in_fd);
	return 0;
}

/* Judges a reaped child's wait status: 0, or -1 after fail(). */
static int judge(struct child *c, int status, enum exit_code code)
{
	c->pid = -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127 &&
	    strncmp(c->last_line, "cannot run ", 11) == 0) {
		/* Our own exec failed in the child: the tool is not installed. */
		fail(EXIT_CONFIG, "%s (install it, or put it on PATH)", c->last_line);
		return -1;
	}
	if (c->classify != NULL)
		code = c->classify(c->last_line);
	if (WIFSIGNALED(status))
		fail(code, "%s was killed by signal %s%s%s", c->name,
		     sigabbrev_np(WTERMSIG(status)), *c->last_line ? ": " : "", c->last_line);
	else
		fail(code, "%s exited with status %d%s%s", c->name, WEXITSTATUS(status),
		     *c->last_line ? ": " : "", c->last_line);
	return -1;
}

int child_finish(struct child *c, enum exit_code code)
{
	int status;

	close_fd(&c->in_fd);
	close_fd(&c->out_fd);
	while (c->err_fd >= 0)
		relay_stderr(c);
	while (waitpid(c->pid, &status, 0) < 0) {
		if (errno != EINTR) {
			fail(EXIT_INTERNAL, "waiting for %s failed: %s", c->name, strerror(errno));
			return -1;
		}
	}
	return judge(c, status, code);
}

static long ms_until(const struct timespec *end)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (end->tv_sec - now.tv_sec) * 1000 + (end->tv_nsec - now.tv_nsec) / 1000000;
}

/* Relays what the child's stderr holds now, without waiting for more. */
static void relay_pending(struct child *c)
{
	for (int i = 0; i < 64 && c->err_fd >= 0; i++) {
		struct pollfd p = {c->err_fd, POLLIN, 0};

		if (poll(&p, 1, 0) <= 0)
			break;
		relay_stderr(c);
	}
	if (c->partial_len > 0)
		relay_line(c, c->partial, c->partial_len);
	c->partial_len = 0;
	close_fd(&c->err_fd);
}

int child_finish_within(struct child *c, long seconds, enum exit_code code)
{
	struct timespec end;
	int status;

	close_fd(&c->in_fd);
	close_fd(&c->out_fd);
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += seconds;
	for (;;) {
		long left = ms_until(&end);
		struct pollfd p = {c->err_fd, POLLIN, 0};
		/* Reaped as soon as it exits: something it started may hold its stderr open. */
		pid_t done = waitpid(c->pid, &status, WNOHANG);

		if (done == c->pid) {
			relay_pending(c);
			return judge(c, status, code);
		}
		if (done < 0 && errno != EINTR) {
			fail(EXIT_INTERNAL, "waiting for %s failed: %s", c->name, strerror(errno));
			return -1;
		}
		if (check_stop(c) < 0) {
			child_kill(c);
			return -1;
		}
		if (left <= 0) {
			child_kill(c);
			fail(code, "%s did not finish within %ld s and was killed", c->name,
			     seconds);
			return -1;
		}
		if (c->err_fd < 0)
			poll(NULL, 0, left < 20 ? (int)left : 20);
		else if (poll(&p, 1, left < 20 ? (int)left : 20) > 0)
			relay_stderr(c);
	}
}

void child_kill(struct child *c)
{
	close_fd(&c->in_fd);
	close_fd(&c->out_fd);
	close_fd(&c->err_fd);
	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	c->pid = -1;
}

/* A sink that keeps the first bytes written, for child_capture(). */
struct capture_sink {
	struct sink base;
	char *buf;
	size_t len, used;
};

static int capture_write(struct sink *s, const void *buf, size_t len)
{
	struct capture_sink *c = (struct capture_sink *)s;
	size_t room = c->len - 1 - c->used;

	if (len > room)
		len = room;
	memcpy(c->buf + c->used, buf, len);
	c->used += len;
	c->buf[c->used] = '\0';
	return 0;
}

int child_capture(const char *const argv[], const struct child_env *env, char *buf, size_t len,
		  enum exit_code code, enum exit_code (*classify)(const char *last_line))
{
	struct capture_sink out = {{capture_write, NULL, NULL}, buf, len, 0};
	struct child c;
	uint64_t bytes = 0;

	buf[0] = '\0';
	if (child_start(&c, argv, env, CHILD_STDOUT) < 0)
		return -1;
	c.classify = classify;
	if (child_drain_to(&c, &out.base, &bytes) < 0) {
		child_kill(&c);
		return -1;
	}
	return child_finish(&c, code);
}

int child_dump(const char *const argv[], const struct child_env *env, struct sink *sink,
	       enum exit_code (*classify)(const char *last_line))
{
	struct child c;
	uint64_t bytes = 0;

	if (child_start(&c, argv, env, CHILD_STDOUT) < 0)
		return -1;
	c.classify = classify;
	if (child_drain_to(&c, sink, &bytes) < 0) {
		child_kill(&c);
		return -1;
	}
	if (child_finish(&c, EXIT_DUMP) < 0)
		return -1;
	if (bytes == 0) {
		fail(EXIT_DUMP, "%s exited with 0 but wrote nothing", c.name);
		return -1;
	}
	return 0;
}
