#include "engine/postgres/scratch.h"

#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

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
		fail(EXIT_CONFIG,
		     "no PostgreSQL server binaries (initdb, pg_ctl): install postgresql");
	return rc;
}

pid_t pg_postmaster_pid(const char *datadir)
{
	char path[PATH_MAX + 32];
	FILE *f;
	int pid = 0;

	snprintf(path, sizeof(path), "%s/postmaster.pid", datadir);
	f = fopen(path, "r");
	if (f != NULL) {
		if (fscanf(f, "%d", &pid) != 1 || pid < 0)
			pid = 0;
		fclose(f);
	}
	return (pid_t)pid;
}

int pg_scratch_start(struct scratch *s, const char *parent, const char *user)
{
	char bindir[PATH_MAX], initdb[PATH_MAX + 16], pg_ctl[PATH_MAX + 16], data[PATH_MAX + 8];
	char log[PATH_MAX + 8], options[PATH_MAX + 64];
	int started;

	/* SIGINT is PostgreSQL's fast shutdown. */
	if (pg_server_bindir(bindir, sizeof(bindir)) < 0 ||
	    scratch_prepare(s, "PostgreSQL", SIGINT, parent, user) < 0)
		return -1;
	snprintf(initdb, sizeof(initdb), "%s/initdb", bindir);
	snprintf(pg_ctl, sizeof(pg_ctl), "%s/pg_ctl", bindir);
	snprintf(data, sizeof(data), "%s/data", s->dir);
	snprintf(log, sizeof(log), "%s/log", s->dir);
	/* The socket in our private directory, no TCP: nothing else can reach it. */
	snprintf(options, sizeof(options),
		 "-k %s -c listen_addresses= -p " SCRATCH_PORT " -c fsync=off", s->dir);
	log_info("starting a throwaway PostgreSQL in %s", s->dir);
	{
		const char *init_argv[] = {
		    initdb,    "--pgdata",  data,	  "--username", SCRATCH_SUPERUSER,
		    "--auth",  "trust",	    "--encoding", "UTF8",	"--locale",
		    "C.UTF-8", "--no-sync", NULL};
		const char *start_argv[] = {pg_ctl,  "start",	  "--pgdata", data,
					    "--log", log,	  "--wait",   "--timeout",
					    "120",   "--options", options,    NULL};

		if (scratch_run(s, init_argv) < 0)
			return -1;
		started = scratch_run(s, start_argv);
	}
	/* Read even when pg_ctl gave up waiting: a server that came up late is stopped too. */
	s->pid = pg_postmaster_pid(data);
	if (started < 0)
		return -1;
	if (s->pid == 0) {
		fail(EXIT_CHECK,
		     "the throwaway PostgreSQL started but left no PID in %s/postmaster.pid", data);
		return -1;
	}
	s->target.name = strdup("");
	s->target.engine = strdup("postgres");
	s->target.host = strdup(s->dir);
	s->target.port = strdup(SCRATCH_PORT);
	s->target.user = strdup(SCRATCH_SUPERUSER);
	return 0;
}

int pg_scratch_prepare_physical(struct scratch *s, const char *parent, const char *user)
{
	if (scratch_prepare(s, "PostgreSQL", SIGINT, parent, user) < 0)
		return -1;
	s->target.name = strdup("");
	s->target.engine = strdup("postgres-physical");
	s->target.host = strdup(s->dir);
	s->target.port = strdup(SCRATCH_PORT);
	return s->target.name && s->target.engine && s->target.host && s->target.port ? 0 : -1;
}
