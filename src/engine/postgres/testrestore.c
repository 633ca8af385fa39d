/*
 * Test-restores (backup --verify) of PostgreSQL: a logical dump goes into a
 * throwaway server made by initdb, with the roles its objects belong to
 * created first; a base backup brings its own cluster and becomes the
 * server by its own recovery.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/postgres/filter.h"
#include "engine/postgres/pg.h"
#include "engine/postgres/scratch.h"
#include "util/log.h"
#include "util/strlist.h"

/* Roles a dump's objects belong to, created first so a pg_dump restores. */
static int create_roles(const struct target *t, struct source *dump)
{
	char **roles = NULL;
	size_t n = 0;
	PGconn *conn = NULL;
	int rc = -1;

	if (pg_collect_roles(dump, &roles, &n) < 0)
		goto out;
	conn = pg_connect(t, NULL, "postgres");
	if (conn == NULL)
		goto out;
	rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char *ident = PQescapeIdentifier(conn, roles[i], strlen(roles[i]));
		char sql[600];

		snprintf(
		    sql, sizeof(sql),
		    "DO $$BEGIN CREATE ROLE %s; EXCEPTION WHEN duplicate_object THEN NULL; END$$",
		    ident);
		PQfreemem(ident);
		rc = pg_command(conn, sql);
	}
out:
	PQfinish(conn);
	strlist_free(roles, n);
	return rc;
}

/*
 * A base backup's test-restore is a recovery: into the scratch directory, to
 * the end of the backup, started there with no TCP, no archiving into the
 * real store, and trust only on its private socket; it logs in as the
 * cluster's PGUSER (default postgres), a role the backup holds.
 */
static int physical_settings(struct scratch *scratch, struct engine_options *o)
{
	static char pgdata[PATH_MAX + 8], options[2 * PATH_MAX];
	char hba[PATH_MAX + 16];
	FILE *f;

	snprintf(pgdata, sizeof(pgdata), "%s/data", scratch->dir);
	snprintf(hba, sizeof(hba), "%s/hba.conf", scratch->dir);
	f = fopen(hba, "w");
	if (f == NULL || fputs("local all all trust\n", f) == EOF || fclose(f) != 0) {
		fail(EXIT_CHECK, "cannot write %s: %s", hba, strerror(errno));
		return -1;
	}
	snprintf(options, sizeof(options),
		 "-c listen_addresses= -c archive_mode=off -c hba_file=%s", hba);
	o->pgdata = pgdata;
	o->recovery_target = "immediate";
	o->recovery_target_time = NULL;
	o->start = 1;
	o->server_options = options;
	free(scratch->target.user);
	scratch->target.user = strdup(o->pguser ? o->pguser : "postgres");
	return scratch->target.user != NULL ? 0 : -1;
}

/* The base backup's server, started by its recovery: stopped by PID like the others. */
static void physical_adopt(struct scratch *scratch)
{
	char pgdata[PATH_MAX + 8];

	snprintf(pgdata, sizeof(pgdata), "%s/data", scratch->dir);
	if (scratch->pid == 0)
		scratch->pid = pg_postmaster_pid(pgdata);
}

const struct engine_test_ops pg_test_ops = {
    .title = "PostgreSQL",
    .user = "postgres",
    .start = pg_scratch_start,
    .prepare = create_roles,
};

/* A base backup brings its own cluster: only the directory is made first. */
const struct engine_test_ops pg_physical_test_ops = {
    .title = "PostgreSQL",
    .user = "postgres",
    .start = pg_scratch_prepare_physical,
    .settings = physical_settings,
    .adopt = physical_adopt,
};
