#include "engine/postgres/scratch.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/postgres/clients.h"
#include "util/log.h"

#define SCRATCH_SUPERUSER "tierdump_verify"
#define SCRATCH_PORT "5432"

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

int pg_scratch_start(struct scratch *s, const char *parent, const char *user, const char *version)
{
	char initdb[PATH_MAX + 16], pg_ctl[PATH_MAX + 16], data[PATH_MAX + 8];
	char log[PATH_MAX + 8], options[PATH_MAX + 64];
	struct pg_client server;
	int started, want = pg_major_of(version);

	/* A dump loads into its own major or a newer one, never reliably an older one. */
	if (pg_server_choose(PG_LIBDIR, want, 0, &server) < 0)
		return -1;
	/* SIGINT is PostgreSQL's fast shutdown. */
	if (scratch_prepare(s, "PostgreSQL", SIGINT, parent, user) < 0)
		return -1;
	snprintf(initdb, sizeof(initdb), "%s/initdb", server.path);
	snprintf(pg_ctl, sizeof(pg_ctl), "%s/pg_ctl", server.path);
	snprintf(data, sizeof(data), "%s/data", s->dir);
	snprintf(log, sizeof(log), "%s/log", s->dir);
	/* The socket in our private directory, no TCP: nothing else can reach it. */
	snprintf(options, sizeof(options),
		 "-k %s -c listen_addresses= -p " SCRATCH_PORT " -c fsync=off", s->dir);
	if (want > 0)
		log_info("starting a throwaway PostgreSQL %d in %s for a backup of PostgreSQL %d%s",
			 server.major, s->dir, want,
			 server.major == want ? "" : " (its own major is not installed)");
	else
		log_info("starting a throwaway PostgreSQL %d in %s", server.major, s->dir);
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

int pg_scratch_prepare_physical(struct scratch *s, const char *parent, const char *user,
				const char *version)
{
	(void)version; /* the base backup's own PG_VERSION picks the server (pitr.c) */
	if (scratch_prepare(s, "PostgreSQL", SIGINT, parent, user) < 0)
		return -1;
	s->target.name = strdup("");
	s->target.engine = strdup("postgres-physical");
	s->target.host = strdup(s->dir);
	s->target.port = strdup(SCRATCH_PORT);
	return s->target.name && s->target.engine && s->target.host && s->target.port ? 0 : -1;
}
