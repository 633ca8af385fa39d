#include "engine/postgres/pitr.h"

#include <dirent.h>
#include <errno.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/postgres/clients.h"
#include "engine/postgres/pg.h"
#include "engine/postgres/scratch.h"
#include "backup/manifest.h"
#include "util/exec.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/signals.h"
#include "util/strlist.h"
#include "engine/postgres/wal_name.h"

static int two_digits(const char *p)
{
	return p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9';
}

int physical_parse_time(const char *text, time_t *secs, long *usec)
{
	struct tm tm;
	const char *p;
	long offset = 0;

	static const char shape[] = "dddd-dd-dd?dd:dd:dd";
	struct tm check;

	memset(&tm, 0, sizeof(tm));
	*usec = 0;
	/* strptime forgives missing digits and spaces; a target time must be exact. */
	for (size_t i = 0; i < sizeof(shape) - 1; i++) {
		if (shape[i] == 'd'   ? text[i] < '0' || text[i] > '9'
		    : shape[i] == '?' ? text[i] != ' ' && text[i] != 'T'
				      : text[i] != shape[i])
			return -1;
	}
	p = strptime(text, "%Y-%m-%d", &tm);
	if (p == NULL || (p = strptime(p + 1, "%H:%M:%S", &tm)) == NULL)
		return -1;
	check = tm;
	*secs = timegm(&check);
	if (check.tm_mday != tm.tm_mday || check.tm_hour != tm.tm_hour ||
	    check.tm_min != tm.tm_min || tm.tm_sec > 59)
		return -1; /* 30 February, 24:00: not a time */
	if (*p == '.') {
		long scale = 100000;

		if (p[1] < '0' || p[1] > '9')
			return -1;
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			*usec += scale * (*p - '0');
	}
	while (*p == ' ')
		p++;
	if (*p == 'Z' || strcmp(p, "UTC") == 0) {
		p += *p == 'Z' ? 1 : 3;
	} else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1, hours, minutes = 0;

		if (!two_digits(p + 1))
			return -1;
		hours = (p[1] - '0') * 10 + (p[2] - '0');
		p += 3;
		if (two_digits(p + (*p == ':'))) { /* +HH, +HHMM or +HH:MM */
			p += *p == ':';
			minutes = (p[0] - '0') * 10 + (p[1] - '0');
			p += 2;
		}
		offset = sign * (hours * 3600L + minutes * 60L);
	}
	if (*p != '\0')
		return -1;
	*secs = timegm(&tm) - offset;
	return 0;
}

int physical_wanted(const struct engine_options *o)
{
	return o->recovery_target_time != NULL || o->recovery_target != NULL;
}

int physical_check_settings(const struct engine_options *o)
{
	time_t secs;
	long usec;

	if (o->recovery_target_time != NULL && o->recovery_target != NULL) {
		fail(EXIT_USAGE, "set RECOVERY_TARGET_TIME or RECOVERY_TARGET, not both");
		return -1;
	}
	if (o->recovery_target_time != NULL &&
	    physical_parse_time(o->recovery_target_time, &secs, &usec) < 0) {
		fail(EXIT_USAGE,
		     "RECOVERY_TARGET_TIME='%s' is not a time: use 2026-11-22 10:30:00 (UTC) or "
		     "add a zone, 2026-11-22T10:30:00.5+01:00",
		     o->recovery_target_time);
		return -1;
	}
	if (o->recovery_target != NULL && strcmp(o->recovery_target, "immediate") != 0 &&
	    strcmp(o->recovery_target, "latest") != 0) {
		fail(EXIT_USAGE, "RECOVERY_TARGET='%s' is not immediate or latest",
		     o->recovery_target);
		return -1;
	}
	return 0;
}

int physical_is_base(const struct manifest *m)
{
	return m != NULL && strcmp(m->engine, PHYSICAL_ENGINE) == 0 &&
	       m->wal_start_segment != NULL && wal_name_kind(m->wal_start_segment) == WAL_SEGMENT;
}

const struct backup_ref *physical_choose(const struct catalog *cat, const struct from_backup *from,
					 const struct engine_options *o)
{
	time_t target = 0;
	long usec = 0;
	char when[TS_LEN + 1];

	if (o->recovery_target_time != NULL)
		physical_parse_time(o->recovery_target_time, &target, &usec);
	/* latest means the newest that serves the target, as no FROM_BACKUP does. */
	if (from->kind == FROM_TIMESTAMP) {
		const struct backup_ref *r =
		    catalog_select(cat, from, "FROM_BACKUP", o->from_backup);

		if (r == NULL)
			return NULL;
		if (!physical_is_base(r->manifest)) {
			fail(EXIT_USAGE,
			     "%s/%s is a logical dump: RECOVERY_TARGET_TIME and RECOVERY_TARGET "
			     "need a physical base backup (BACKUP_METHOD=physical)",
			     r->tier, r->stamp);
			return NULL;
		}
		if (target != 0 && r->manifest->base_stopped > target) {
			ts_format(r->manifest->base_stopped, when);
			fail(EXIT_USAGE,
			     "%s/%s is consistent only from %s, after RECOVERY_TARGET_TIME: pick "
			     "an older base backup, or leave FROM_BACKUP unset",
			     r->tier, r->stamp, when);
			return NULL;
		}
		return r;
	}
	/* Newest first: the first that is consistent before the target needs the least WAL. */
	for (size_t i = 0; i < cat->n; i++) {
		const struct backup_ref *r = &cat->refs[i];

		if (!r->partial && physical_is_base(r->manifest) &&
		    (target == 0 || r->manifest->base_stopped <= target)) {
			log_info("base backup %s/%s is the newest to start from", r->tier,
				 r->stamp);
			return r;
		}
	}
	fail(EXIT_NOT_FOUND, "no physical base backup %s: take one with BACKUP_METHOD=physical",
	     target != 0 ? "was consistent before RECOVERY_TARGET_TIME" : "exists");
	return NULL;
}

/* ------------------------------------------------------------------ PGDATA */

/*
 * PGDATA must be empty (or not exist yet): a restore never mixes with, or
 * overwrites, a cluster. Its owner becomes the owner of what is restored.
 */
static int prepare_pgdata(const char *pgdata, uid_t *uid, gid_t *gid)
{
	struct stat st;
	struct dirent *e;
	DIR *dir;

	int created = access(pgdata, F_OK) < 0;

	if (fs_mkdir_p(pgdata, 0700) < 0) {
		fail(EXIT_RESTORE, "cannot create PGDATA %s: %s", pgdata, strerror(errno));
		return -1;
	}
	/* A PGDATA we create belongs to whoever owns where it lives, as a cluster's user would. */
	if (created && geteuid() == 0) {
		char parent[PATH_MAX];
		struct stat up;

		snprintf(parent, sizeof(parent), "%s/..", pgdata);
		if (stat(parent, &up) == 0 && chown(pgdata, up.st_uid, up.st_gid) < 0) {
			fail(EXIT_RESTORE, "cannot hand PGDATA %s to its parent's owner: %s",
			     pgdata, strerror(errno));
			return -1;
		}
	}
	dir = opendir(pgdata);
	if (dir == NULL || fstat(dirfd(dir), &st) < 0) {
		fail(EXIT_RESTORE, "cannot open PGDATA %s: %s", pgdata, strerror(errno));
		if (dir != NULL)
			closedir(dir);
		return -1;
	}
	while ((e = readdir(dir)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			fail(EXIT_RESTORE,
			     "PGDATA %s is not empty (it holds %s): a base backup is restored only "
			     "into an empty directory; nothing was changed",
			     pgdata, e->d_name);
			closedir(dir); /* it owns e */
			return -1;
		}
	}
	closedir(dir);
	/* Only root can hand the files to another user: say so before anything is written. */
	if (geteuid() != 0 && st.st_uid != geteuid()) {
		char owner[64], me[64];

		child_user_name(st.st_uid, owner, sizeof(owner));
		fail(EXIT_RESTORE,
		     "PGDATA %s belongs to %s, and recover runs as %s: only root can restore files "
		     "for another user; run recover as %s (runuser -u %s -- recover) or as root; "
		     "nothing was changed",
		     pgdata, owner, child_user_name(geteuid(), me, sizeof(me)), owner, owner);
		return -1;
	}
	*uid = st.st_uid;
	*gid = st.st_gid;
	if (chmod(pgdata, 0700) < 0) {
		fail(EXIT_RESTORE, "cannot make PGDATA %s private (mode 0700): %s", pgdata,
		     strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * PGDATA was empty: a failed restore leaves it so, not half a cluster. Its
 * contents go, not itself: it may be a mount point, or in a directory its
 * owner, who runs recover, may not write.
 */
static void clear_pgdata(const char *pgdata)
{
	if (fs_remove_contents(pgdata) < 0)
		log_warn("could not remove all the failed restore put into PGDATA %s: %s; empty "
			 "it before restoring again",
			 pgdata, strerror(errno));
	else
		log_info("removed what the failed restore had put into PGDATA %s", pgdata);
}

static int extract(const char *pgdata, struct source *source, uid_t uid, gid_t gid)
{
	const char *argv[] = {"tar",	     "--extract", "--file=-", "--no-same-owner",
			      "--directory", pgdata,	  NULL};
	struct child c;

	if (child_start_as(&c, argv, NULL, CHILD_STDIN, uid, gid) < 0)
		return -1;
	if (child_feed_from(&c, source) < 0) {
		child_kill(&c);
		return -1;
	}
	return child_finish(&c, EXIT_RESTORE);
}

/* Appends value to buf quoted for sh: 'it'\''s'. */
static void shell_quote(char *buf, size_t len, const char *value)
{
	size_t n = strlen(buf);

	if (n + 1 < len)
		buf[n++] = '\'';
	for (; *value != '\0' && n + 5 < len; value++) {
		if (*value == '\'') {
			memcpy(buf + n, "'\\''", 4);
			n += 4;
		} else {
			buf[n++] = *value;
		}
	}
	if (n + 1 < len)
		buf[n++] = '\'';
	buf[n] = '\0';
}

/*
 * The restore_command: this recover binary, with the store's settings from
 * our environment. Secrets go only by file (NAME_FILE) or the configuration
 * file, never into postgresql.auto.conf.
 */
/* Appends NAME='value' (quoted for sh) and a space. */
static void put_assignment(char *buf, size_t len, const char *name, const char *value)
{
	snprintf(buf + strlen(buf), len - strlen(buf), "%s=", name);
	shell_quote(buf, len, value);
	strncat(buf, " ", len - strlen(buf) - 1);
}

static int restore_command(char *buf, size_t len)
{
	/* What wal-fetch needs to reach the store; the settings table says which are secrets. */
	static const char *const store_settings[] = {"TIERDUMP_CONFIG",
						     "BACKUP_STORE",
						     "BACKUP_DIR",
						     "S3_BUCKET",
						     "AWS_REGION",
						     "AWS_ENDPOINT_URL",
						     "S3_ENDPOINT",
						     "FTP_CA_FILE",
						     "FTP_INSECURE",
						     "STORE_RETRIES",
						     "AWS_ACCESS_KEY_ID",
						     "AWS_SECRET_ACCESS_KEY",
						     "S3_USER",
						     "S3_PASSWORD",
						     "FTP_USER",
						     "FTP_PASSWORD",
						     "RECOVER_IDENTITY_FILE",
						     "BACKUP_PASSPHRASE",
						     NULL};
	char exe[PATH_MAX], file[64];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0) {
		fail(EXIT_INTERNAL, "cannot find this program's path: %s", strerror(errno));
		return -1;
	}
	exe[n] = '\0';
	buf[0] = '\0';
	for (size_t i = 0; store_settings[i] != NULL; i++) {
		const char *name = store_settings[i];
		const struct setting *st = conf_find_env(name);

		snprintf(file, sizeof(file), "%s_FILE", name);
		if (st == NULL || !st->secret) {
			if (getenv(name) != NULL)
				put_assignment(buf, len, name, getenv(name));
		} else if (getenv(file) != NULL) {
			put_assignment(buf, len, file, getenv(file));
		} else if (getenv(name) != NULL) {
			log_warn("restore_command cannot carry %s: give the server %s or a "
				 "configuration file (TIERDUMP_CONFIG) instead",
				 name, file);
		}
	}
	shell_quote(buf, len, exe);
	strncat(buf, " wal-fetch \"%f\" \"%p\"", len - strlen(buf) - 1);
	return strlen(buf) + 1 < len ? 0 : -1;
}

/* Appends value to buf quoted for postgresql.conf: single quotes doubled. */
static void conf_quote(char *buf, size_t len, const char *value)
{
	size_t n = strlen(buf);

	for (buf[n++] = '\''; *value != '\0' && n + 3 < len; value++) {
		if (*value == '\'')
			buf[n++] = '\'';
		buf[n++] = *value;
	}
	buf[n++] = '\'';
	buf[n] = '\0';
}

/* Writes path with text, owned by uid/gid. Returns 0 or -1 after fail(). */
static int write_owned(const char *path, const char *text, int append, uid_t uid, gid_t gid)
{
	FILE *f = fopen(path, append ? "a" : "w");

	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0) {
		fail(EXIT_RESTORE, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	if (geteuid() == 0 && chown(path, uid, gid) < 0) {
		fail(EXIT_RESTORE, "cannot hand %s to its cluster's owner: %s", path,
		     strerror(errno));
		return -1;
	}
	return 0;
}

/* recovery.signal and the recovery settings, after what the backup's postgresql.auto.conf holds. */
static int write_recovery(const struct engine_options *o, const char *pgdata, uid_t uid, gid_t gid)
{
	char command[3 * PATH_MAX], text[8 * PATH_MAX], path[PATH_MAX + 32], stamp[TS_LEN + 1];

	if (restore_command(command, sizeof(command)) < 0)
		return -1;
	ts_format(time(NULL), stamp);
	snprintf(text, sizeof(text),
		 "\n# recover (tierdump), %s: replay the WAL archive\nrestore_command = ", stamp);
	conf_quote(text, sizeof(text), command);
	strncat(text, "\n", sizeof(text) - strlen(text) - 1);
	if (o->recovery_target_time != NULL) {
		time_t secs;
		long usec;
		struct tm tm;
		char when[64];

		physical_parse_time(o->recovery_target_time, &secs, &usec);
		gmtime_r(&secs, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		snprintf(
		    text + strlen(text), sizeof(text) - strlen(text),
		    "recovery_target_time = '%s.%06ld+00'\nrecovery_target_action = 'promote'\n",
		    when, usec);
	} else if (o->recovery_target != NULL && strcmp(o->recovery_target, "immediate") == 0) {
		strncat(text, "recovery_target = 'immediate'\nrecovery_target_action = 'promote'\n",
			sizeof(text) - strlen(text) - 1);
	}
	snprintf(path, sizeof(path), "%s/postgresql.auto.conf", pgdata);
	if (write_owned(path, text, 1, uid, gid) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/recovery.signal", pgdata);
	if (write_owned(path, "", 0, uid, gid) < 0)
		return -1;
	/* A base backup of a standby carries its standby.signal: this is to become a primary. */
	snprintf(path, sizeof(path), "%s/standby.signal", pgdata);
	unlink(path);
	return 0;
}

/* ------------------------------------------------------------------- --start */

/* Whether the server answers and has left recovery: 1 yes, 0 not yet, -1 gone wrong. */
static int promoted(const struct target *t, const char *passfile)
{
	const char *keys[] = {"host", "port", "dbname", "connect_timeout", NULL};
	const char *values[] = {t->host, t->port, "postgres", "5", NULL};
	char **rows = NULL;
	size_t n = 0;
	PGconn *conn;
	int rc;

	if (PQpingParams(keys, values, 0) != PQPING_OK)
		return 0;
	conn = pg_connect(t, passfile, "postgres");
	if (conn == NULL)
		return -1;
	rc = pg_query_column(conn, "SELECT pg_is_in_recovery()::text", NULL, &rows, &n);
	if (rc == 0)
		rc = n == 1 && strcmp(rows[0], "false") == 0;
	strlist_free(rows, n);
	PQfinish(conn);
	return rc;
}

/* The major a data directory was made by (its PG_VERSION), or 0 (the newest server). */
static int data_major(const char *pgdata)
{
	char path[PATH_MAX + 16];
	FILE *f;
	int major = 0;

	snprintf(path, sizeof(path), "%s/PG_VERSION", pgdata);
	f = fopen(path, "r");
	if (f != NULL) {
		if (fscanf(f, "%d", &major) != 1 || major < 0)
			major = 0;
		fclose(f);
	}
	return major;
}

static int start_server(const struct engine_options *o, const struct target *t,
			const char *passfile, const char *pgdata, uid_t uid, gid_t gid)
{
	char pg_ctl[PATH_MAX + 16], log[PATH_MAX + 32], options[3 * PATH_MAX] = "";
	struct pg_client server;
	struct child child;
	pid_t pid = 0;

	if (geteuid() == 0 && uid == 0) {
		fail(EXIT_CONFIG,
		     "PostgreSQL will not run as root: give PGDATA %s to the user the server runs "
		     "as (chown postgres %s) before recover --start",
		     pgdata, pgdata);
		return -1;
	}
	/* A cluster runs only under the server of its own major, which PG_VERSION names. */
	if (pg_server_choose(PG_LIBDIR, data_major(pgdata), 1, &server) < 0)
		return -1;
	snprintf(pg_ctl, sizeof(pg_ctl), "%s/pg_ctl", server.path);
	snprintf(log, sizeof(log), "%s/recover-start.log", pgdata);
	/* Where recover reaches it: PGPORT, and PGHOST when it is a socket directory. */
	if (t->port != NULL)
		snprintf(options, sizeof(options), "-c port=%s ", t->port);
	if (t->host != NULL && t->host[0] == '/')
		snprintf(options + strlen(options), sizeof(options) - strlen(options),
			 "-c unix_socket_directories=%s ", t->host);
	if (o->server_options != NULL)
		snprintf(options + strlen(options), sizeof(options) - strlen(options), "%s",
			 o->server_options);
	{
		const char *argv[] = {pg_ctl, "start",	   "--pgdata",	pgdata,	 "--log",
				      log,    "--no-wait", "--options", options, NULL};

		if (child_start_as(&child, argv, NULL, 0, uid, gid) < 0 ||
		    child_finish(&child, EXIT_RESTORE) < 0)
			return -1;
	}
	log_info("started PostgreSQL on %s; waiting up to %ld s for recovery to end (log: %s)",
		 pgdata, o->start_timeout, log);
	for (long waited = 0; waited < o->start_timeout * 10; waited++) {
		int rc;

		if (signals_check("waiting for the recovered server") < 0)
			return -1;
		if (pid == 0)
			pid = pg_postmaster_pid(pgdata);
		if (waited > 50 && (pid == 0 || kill(pid, 0) < 0)) {
			fail(EXIT_RESTORE, "the recovered server stopped during recovery: see %s",
			     log);
			return -1;
		}
		rc = promoted(t, passfile);
		if (rc != 0) {
			if (rc > 0)
				log_info("recovery ended: the server (pid %d) is promoted and "
					 "accepts writes",
					 (int)pid);
			return rc > 0 ? 0 : -1;
		}
		usleep(100 * 1000);
	}
	fail(EXIT_RESTORE,
	     "the recovered server is still recovering after RECOVER_START_TIMEOUT=%ld s: see %s",
	     o->start_timeout, log);
	return -1;
}

int physical_restore(const struct engine_options *o, const struct target *t, const char *passfile,
		     struct source *source)
{
	uid_t uid = 0;
	gid_t gid = 0;
	int rc = -1;

	if (o->pgdata == NULL) {
		fail(EXIT_CONFIG, "this is a physical base backup: set PGDATA to an empty "
				  "directory to restore it into");
		goto out;
	}
	if (prepare_pgdata(o->pgdata, &uid, &gid) < 0)
		goto out;
	log_info("extracting the base backup into %s", o->pgdata);
	rc = extract(o->pgdata, source, uid, gid);
	if (rc < 0 || write_recovery(o, o->pgdata, uid, gid) < 0) {
		clear_pgdata(o->pgdata);
		rc = -1;
		goto out;
	}
	if (o->start)
		rc = start_server(o, t, passfile, o->pgdata, uid, gid);
	else
		log_info("%s is ready: start PostgreSQL on it (pg_ctl start -D %s); it replays the "
			 "archive%s and is promoted",
			 o->pgdata, o->pgdata,
			 o->recovery_target_time ? " up to RECOVERY_TARGET_TIME" : "");
out:
	source_close(source);
	return rc;
}
