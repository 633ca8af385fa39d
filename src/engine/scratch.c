#include "engine/scratch.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/exec.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/signals.h"

enum { STOP_SECONDS = 30, KILL_SECONDS = 5 };

int scratch_prepare(struct scratch *s, const char *what, int stop_signal, const char *parent,
		    const char *user)
{
	memset(s, 0, sizeof(*s));
	s->what = what;
	s->stop_signal = stop_signal;
	s->uid = (uid_t)-1;
	s->gid = (gid_t)-1;
	if (fs_mkdir_p(parent, 0755) < 0) {
		fail(EXIT_CONFIG, "cannot create VERIFY_DIR %s: %s", parent, strerror(errno));
		return -1;
	}
	snprintf(s->dir, sizeof(s->dir), "%s/tierdump-verify-XXXXXX", parent);
	if (mkdtemp(s->dir) == NULL) {
		fail(EXIT_CONFIG, "cannot create a directory in VERIFY_DIR %s: %s", parent,
		     strerror(errno));
		s->dir[0] = '\0';
		return -1;
	}
	if (geteuid() == 0) {
		struct passwd *pw = getpwnam(user);

		if (pw == NULL) {
			fail(EXIT_CONFIG, "VERIFY_USER %s does not exist: %s will not run as root",
			     user, what);
			goto fail;
		}
		s->uid = pw->pw_uid;
		s->gid = pw->pw_gid;
		if (chown(s->dir, s->uid, s->gid) < 0) {
			fail(EXIT_CONFIG, "cannot hand %s to %s: %s", s->dir, user,
			     strerror(errno));
			goto fail;
		}
		log_info("the throwaway %s runs as %s (uid %d)", what, user, (int)s->uid);
	}
	return 0;
fail:
	scratch_stop(s);
	return -1;
}

int scratch_find_program(const char *program, char *buf, size_t len)
{
	const char *path = getenv("PATH");
	char dirs[4096];
	char *dir, *save = NULL;

	snprintf(dirs, sizeof(dirs), "%s:/usr/sbin:/usr/local/sbin", path ? path : "/usr/bin:/bin");
	for (dir = strtok_r(dirs, ":", &save); dir != NULL; dir = strtok_r(NULL, ":", &save)) {
		snprintf(buf, len, "%s/%s", *dir ? dir : ".", program);
		if (access(buf, X_OK) == 0)
			return 0;
	}
	buf[0] = '\0';
	return -1;
}

int scratch_run(struct scratch *s, const char *const argv[])
{
	struct child c;

	if (child_start_as(&c, argv, NULL, 0, s->uid, s->gid) < 0)
		return -1;
	return child_finish(&c, EXIT_CHECK);
}

/* The last non-empty line of a log, to say why a server did not come up. */
static void last_line(const char *path, char *buf, size_t len)
{
	char tail[2048];
	ssize_t n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	buf[0] = '\0';
	if (fd < 0)
		return;
	if (lseek(fd, -(off_t)(sizeof(tail) - 1), SEEK_END) < 0)
		lseek(fd, 0, SEEK_SET);
	n = read(fd, tail, sizeof(tail) - 1);
	close(fd);
	if (n <= 0)
		return;
	tail[n] = '\0';
	while (n > 0 && (tail[n - 1] == '\n' || tail[n - 1] == '\r' || tail[n - 1] == ' '))
		tail[--n] = '\0';
	snprintf(buf, len, "%s", strrchr(tail, '\n') ? strrchr(tail, '\n') + 1 : tail);
}

static int socket_accepts(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int ok;

	if (fd < 0)
		return 0;
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	ok = connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0;
	close(fd);
	return ok;
}

int scratch_spawn(struct scratch *s, const char *const argv[], const char *log,
		  const char *socket_path, int timeout)
{
	struct timespec pause = {0, 100 * 1000 * 1000};
	char why[512];
	int fd, must_switch = child_must_switch(argv[0], s->uid);

	if (must_switch < 0)
		return -1;
	if (strlen(socket_path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		fail(EXIT_CONFIG,
		     "VERIFY_DIR is too deep for a Unix socket path (%s): choose a shorter one",
		     socket_path);
		return -1;
	}
	fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0 || (s->uid != (uid_t)-1 && fchown(fd, s->uid, s->gid) < 0)) {
		fail(EXIT_CHECK, "cannot create %s: %s", log, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	s->pid = fork();
	if (s->pid < 0) {
		s->pid = 0;
		close(fd);
		fail(EXIT_INTERNAL, "cannot start %s: %s", argv[0], strerror(errno));
		return -1;
	}
	if (s->pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		/* Its own session: a ^C meant for us reaches it only through scratch_stop(). */
		setsid();
		signal(SIGPIPE, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		dup2(devnull, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (must_switch && child_become(s->uid, s->gid) < 0) {
			dprintf(2, "cannot run %s as uid %d: %s\n", argv[0], (int)s->uid,
				strerror(errno));
			_exit(126);
		}
		execv(argv[0], (char *const *)argv);
		dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fd);
	for (int i = 0; i < timeout * 10; i++) {
		if (socket_accepts(socket_path))
			return 0;
		if (waitpid(s->pid, NULL, WNOHANG) == s->pid) {
			s->pid = 0;
			last_line(log, why, sizeof(why));
			fail(EXIT_CHECK, "the throwaway %s exited while starting: %s", s->what,
			     why);
			return -1;
		}
		if (signals_check("a throwaway server was starting") < 0)
			return -1;
		nanosleep(&pause, NULL);
	}
	last_line(log, why, sizeof(why));
	fail(EXIT_CHECK, "the throwaway %s did not accept connections within %d s: %s", s->what,
	     timeout, why);
	return -1;
}

/*
 * Whether the server is gone, reaping it when it is our child: mariadbd is,
 * and so is an orphaned postmaster when we run as PID 1 in a container.
 */
static int gone(const struct scratch *s)
{
	pid_t w = waitpid(s->pid, NULL, WNOHANG);

	if (w == s->pid)
		return 1;
	if (w == 0)
		return 0;
	return kill(s->pid, 0) < 0 && errno == ESRCH;
}

static int wait_gone(const struct scratch *s, int seconds)
{
	struct timespec pause = {0, 100 * 1000 * 1000};

	for (int i = 0; i < seconds * 10; i++) {
		if (gone(s))
			return 1;
		nanosleep(&pause, NULL);
	}
	return gone(s);
}

void scratch_stop(struct scratch *s)
{
	if (s->pid > 0) {
		kill(s->pid, s->stop_signal);
		if (!wait_gone(s, STOP_SECONDS)) {
			log_warn("the throwaway %s (pid %d) did not stop within %d s: killing it",
				 s->what, (int)s->pid, STOP_SECONDS);
			kill(s->pid, SIGKILL);
			wait_gone(s, KILL_SECONDS);
		}
		log_info("stopped the throwaway %s (pid %d)", s->what, (int)s->pid);
		s->pid = 0;
	}
	if (s->dir[0] != '\0') {
		if (fs_remove_tree(s->dir) < 0)
			log_warn("could not remove %s: %s", s->dir, strerror(errno));
		s->dir[0] = '\0';
	}
	target_free(&s->target);
}
