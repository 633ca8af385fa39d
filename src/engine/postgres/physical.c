/*
 * The PostgreSQL physical engine (BACKUP_METHOD=physical): pg_basebackup
 * streams the whole cluster as one tar, with its backup_manifest and the WAL
 * it needs to be consistent, into the pipeline. The manifest records where
 * the backup's WAL starts and ends, so the archive (wal.c) can replay it to
 * any later point. recover puts it back into an empty PGDATA (physical.c).
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/postgres/pitr.h"
#include "util/exec.h"
#include "util/log.h"
#include "util/strlist.h"
#include "engine/engine.h"
#include "engine/postgres/clients.h"
#include "engine/postgres/pg.h"
#include "engine/postgres/tar_watch.h"
#include "engine/postgres/wal.h"

/*
 * What the last dump found in its stream. One physical target per run (the
 * settings allow no more), so one record serves.
 */
static struct {
	char timeline[16], start_lsn[32], stop_lsn[32], start_segment[32];
	time_t started, stopped;
} found;

static int query_one(PGconn *conn, const char *sql, char *buf, size_t len)
{
	char **rows = NULL;
	size_t n = 0;
	int rc = pg_query_column(conn, sql, NULL, &rows, &n);

	if (rc == 0)
		snprintf(buf, len, "%s", n > 0 && rows[0] ? rows[0] : "");
	strlist_free(rows, n);
	return rc;
}

/* The role, wal_level and client a base backup needs; archiving is advised. */
static int check_server(struct engine *e, PGconn *conn)
{
	char allowed[16], wal_level[32], archive_mode[16];
	int server = PQserverVersion(conn) / 10000;

	if (query_one(conn,
		      "SELECT (rolsuper OR rolreplication)::text FROM pg_roles WHERE rolname = "
		      "current_user",
		      allowed, sizeof(allowed)) < 0 ||
	    query_one(conn, "SHOW wal_level", wal_level, sizeof(wal_level)) < 0 ||
	    query_one(conn, "SHOW archive_mode", archive_mode, sizeof(archive_mode)) < 0)
		return -1;
	if (strcmp(allowed, "true") != 0) {
		fail(EXIT_AUTH,
		     "PostgreSQL user %s may not take base backups: ALTER ROLE %s REPLICATION, and "
		     "allow it a replication line in pg_hba.conf",
		     PQuser(conn), PQuser(conn));
		return -1;
	}
	if (strcmp(wal_level, "minimal") == 0) {
		fail(EXIT_CONFIG,
		     "the server has wal_level=minimal: base backups need replica or logical");
		return -1;
	}
	if (strcmp(archive_mode, "off") == 0)
		log_warn("the server has archive_mode=off: this base backup restores only to its "
			 "own end; for point-in-time recovery set archive_mode=on and "
			 "archive_command='backup wal-push %%p'");
	if (pg_engine_choose_client(e, "pg_basebackup", server) < 0)
		return -1;
	log_info("PostgreSQL %s reachable; a base backup of the cluster (%zu database(s)) with "
		 "pg_basebackup",
		 e->server_version, e->ndatabases);
	return 0;
}

static int physical_check(struct engine *e)
{
	return pg_engine_check(e, check_server);
}

static void physical_file_name(struct engine *e, char *buf, size_t len)
{
	(void)e;
	snprintf(buf, len, "base.tar");
}

/* "START WAL LOCATION: 0/2000028 (file 000000010000000000000002)" and friends. */
static int read_label(const char *label)
{
	const char *p = strstr(label, "START WAL LOCATION: ");
	struct tm tm;

	if (p == NULL || sscanf(p, "START WAL LOCATION: %31s (file %31[0-9A-F])", found.start_lsn,
				found.start_segment) != 2)
		return -1;
	p = strstr(label, "START TIMELINE: ");
	if (p == NULL || sscanf(p, "START TIMELINE: %15[0-9]", found.timeline) != 1)
		return -1;
	p = strstr(label, "START TIME: ");
	memset(&tm, 0, sizeof(tm));
	/* The server writes it in its log_timezone; we keep UTC from our clock when it is not UTC.
	 */
	if (p != NULL && strptime(p + 12, "%Y-%m-%d %H:%M:%S UTC", &tm) != NULL)
		found.started = timegm(&tm);
	return 0;
}

/* The manifest's "WAL-Ranges": the last range's End-LSN is where the backup is consistent. */
static int read_manifest_tail(const char *tail)
{
	const char *p = NULL, *next = tail;

	while ((next = strstr(next, "\"End-LSN\"")) != NULL)
		p = next++;
	if (p == NULL || sscanf(p, "\"End-LSN\" : \"%31[0-9A-F/]\"", found.stop_lsn) != 1) {
		if (p == NULL || sscanf(p, "\"End-LSN\": \"%31[0-9A-F/]\"", found.stop_lsn) != 1)
			return -1;
	}
	return 0;
}

static int physical_dump(struct engine *e, struct sink *sink)
{
	struct pg_client tool;
	const char *argv[] = {tool.path,
			      "--no-password",
			      "--pgdata=-",
			      "--format=tar",
			      "--wal-method=fetch",
			      "--checkpoint=fast",
			      "--label=tierdump",
			      NULL};
	struct tar_watch *w = calloc(1, sizeof(*w));
	struct child_env env = {0};
	int rc = -1;

	if (w == NULL ||
	    pg_engine_tool(e, "pg_basebackup", pg_major_of(e->server_version), &tool) < 0 ||
	    pg_child_env(e->target, pg_passfile(e), &env) < 0)
		goto out;
	memset(&found, 0, sizeof(found));
	found.started = time(NULL);
	tar_watch_init(w, sink);
	if (child_dump(argv, &env, &w->base, NULL) < 0)
		goto out;
	/* The backup is consistent once pg_basebackup is done: round up to be safe. */
	found.stopped = time(NULL) + 1;
	if (read_label(w->label) < 0 || read_manifest_tail(w->tail) < 0) {
		fail(EXIT_DUMP,
		     "pg_basebackup's stream held no readable backup_label or backup_manifest");
		goto out;
	}
	log_info("base backup from %s to %s on timeline %s, first WAL file %s", found.start_lsn,
		 found.stop_lsn, found.timeline, found.start_segment);
	rc = 0;
out:
	child_env_free(&env);
	free(w);
	return rc;
}

static int physical_describe(struct engine *e, struct manifest *m)
{
	(void)e;
	m->wal_timeline = strdup(found.timeline);
	m->wal_start_lsn = strdup(found.start_lsn);
	m->wal_stop_lsn = strdup(found.stop_lsn);
	m->wal_start_segment = strdup(found.start_segment);
	m->base_started = found.started;
	m->base_stopped = found.stopped;
	return m->wal_timeline && m->wal_start_lsn && m->wal_stop_lsn && m->wal_start_segment ? 0
											      : -1;
}

static int physical_restore_op(struct engine *e, char *const *databases, size_t n,
			       struct source *source)
{
	(void)databases;
	(void)n;
	/* --start logs in to watch the recovery */
	return physical_restore(&e->opts, e->target, pg_passfile(e), source);
}

static int archive_newest(struct store *s, char *name, size_t len, time_t *pushed)
{
	char segment[WAL_SEGMENT_LEN + 1];
	int rc = wal_newest(s, segment, pushed);

	if (rc == 0)
		snprintf(name, len, "%s", segment);
	return rc;
}

/* The WAL archive, and point-in-time recovery from base backups and it. */
static const struct engine_archive_ops archive = {
    .push = wal_push,
    .fetch = wal_fetch,
    .retain = wal_retain,
    .newest = archive_newest,
    .is_base = physical_is_base,
    .wanted = physical_wanted,
    .check_settings = physical_check_settings,
    .choose = physical_choose,
};

const struct engine_ops engine_pg_physical_ops = {
    .name = "postgres-physical",
    /* PGDATA gets a cluster that runs only once started. */
    .flags = ENGINE_RESTORE_OFFLINE | ENGINE_BY_METHOD,
    .setup = pg_engine_setup,
    .check = physical_check,
    .file_name = physical_file_name,
    .dump = physical_dump,
    .describe = physical_describe,
    .restore = physical_restore_op,
    .count_databases = pg_count_databases,
    .count_tables = pg_count_tables,
    .count_rows = pg_count_rows,
    .maintenance = pg_maintenance_databases,
    .environment_target = pg_environment_target,
    .test = &pg_physical_test_ops,
    .archive = &archive,
    .environment = pg_environment,
};
