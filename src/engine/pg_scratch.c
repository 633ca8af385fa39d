#include "pg_scratch.h"

#include <errno.h>
#include <glob.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../util/exec.h"
#include "../util/fs.h"
#include "../util/log.h"

#define SCRATCH_SUPERUSER "tierdump_verify"
#define SCRATCH_PORT "5432"

int pg_server_bindir(char *buf, size_t len)
{
	glob_t g;
	int rc = -1;

	if (glob("/usr/lib/postgresql/*/bin/initdb", 0, NULL, &g) == 0 && g.gl_pathc > 0) {
		/* glob sorts; the last is the newest major (two digits since 10) */
		snprintf(buf, len, "%s", g.gl_pathv[g.gl_pathc - 1]);
		*strrchr(buf, '/') = '\0';
		rc = 0;
	}
	globfree(&g);
	if (rc < 0)
		fail(EXIT_CONFIG, "no PostgreSQL server binaries (initdb, pg_ctl): install postgresql");
	return rc;
}

static int run(struct pg_scratch *s, const char *const argv[])
{
	struct child c;

	if (child_start_as(&c, argv, 0, s->uid, s->gid) < 0)
		return -1;
	return child_finish(&c, EXIT_CHECK);
}

int pg_scratch_start(struct pg_scratch *s, const char *parent, const char *user)
{
	char initdb[PATH_MAX + 16], pg_ctl[PATH_MAX + 16], data[PATH_MAX + 8], log[PATH_MAX + 8];
	char options[PATH_MAX + 64], pidfile[PATH_MAX + 32];
	FILE *f;

	memset(s, 0, sizeof(*s));
	s->uid = (uid_t)-1;
	s->gid = (gid_t)-1;
	if (pg_server_bindir(s->bindir, sizeof(s->bindir)) < 0)
		return -1;
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
			fail(EXIT_CONFIG, "VERIFY_USER %s does not exist: PostgreSQL will not run as root",
			     user);
			goto fail;
		}
		s->uid = pw->pw_uid;
		s->gid = pw->pw_gid;
		if (chown(s->dir, s->uid, s->gid) < 0) {
			fail(EXIT_CONFIG, "cannot hand %s to %s: %s", s->dir, user, strerror(errno));
			goto fail;
		}
	}
	snprintf(initdb, sizeof(initdb), "%s/initdb", s->bindir);
	snprintf(pg_ctl, sizeof(pg_ctl), "%s/pg_ctl", s->bindir);
	snprintf(data, sizeof(data), "%s/data", s->dir);
	snprintf(log, sizeof(log), "%s/log", s->dir);
	/* The socket in our private directory, no TCP: nothing else can reach it. */
	snprintf(options, sizeof(options), "-k %s -c listen_addresses= -p " SCRATCH_PORT " -c fsync=off",
		 s->dir);
	log_info("starting a throwaway PostgreSQL in %s", s->dir);
	{
		const char *init_argv[] = {initdb, "--pgdata", data, "--username", SCRATCH_SUPERUSER,
					   "--auth", "trust", "--encoding", "UTF8", "--locale", "C.UTF-8",
					   "--no-sync", NULL};
		const char *start_argv[] = {pg_ctl, "start", "--pgdata", data, "--log", log,
					    "--wait", "--timeout", "120", "--options", options, NULL};

		if (run(s, init_argv) < 0 || run(s, start_argv) < 0)
			goto fail;
	}
	snprintf(pidfile, sizeof(pidfile), "%s/postmaster.pid", data);
	f = fopen(pidfile, "r");
	if (f == NULL || fscanf(f, "%d", &s->pid) != 1) {
		if (f != NULL)
			fclose(f);
		fail(EXIT_CHECK, "the throwaway PostgreSQL started but left no PID in %s", pidfile);
		goto fail;
	}
	fclose(f);
	s->target.name = strdup("");
	s->target.engine = strdup("postgres");
	s->target.host = strdup(s->dir);
	s->target.port = strdup(SCRATCH_PORT);
	s->target.user = strdup(SCRATCH_SUPERUSER);
	return 0;
fail:
	pg_scratch_stop(s);
	return -1;
}

void pg_scratch_stop(struct pg_scratch *s)
{
	if (s->pid > 0) {
		struct timespec pause = {0, 100 * 1000 * 1000};

		/* SIGINT is PostgreSQL's fast shutdown; after 30 s, SIGKILL. */
		kill(s->pid, SIGINT);
		for (int i = 0; i < 300 && kill(s->pid, 0) == 0; i++)
			nanosleep(&pause, NULL);
		if (kill(s->pid, 0) == 0) {
			log_warn("the throwaway PostgreSQL (pid %d) did not stop: killing it", (int)s->pid);
			kill(s->pid, SIGKILL);
			for (int i = 0; i < 50 && kill(s->pid, 0) == 0; i++)
				nanosleep(&pause, NULL);
		}
		log_info("stopped the throwaway PostgreSQL (pid %d)", (int)s->pid);
		s->pid = 0;
	}
	if (s->dir[0] != '\0') {
		if (fs_remove_tree(s->dir) < 0)
			log_warn("could not remove %s: %s", s->dir, strerror(errno));
		s->dir[0] = '\0';
	}
	target_free(&s->target);
}
