/*
 * backup: one run of one tier. The hourly tier dumps the database; daily,
 * weekly and monthly promote the newest backup of the tier below. Also:
 * --verify (a test-restore), --check (the WAL archive's ages) and
 * wal-push, PostgreSQL's archive_command.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cli.h"
#include "conf.h"
#include "cmd/jobs.h"
#include "engine/engine.h"
#include "store/store.h"
#include "util/log.h"
#include "util/timestamp.h"

static const char usage[] =
    "usage: backup [--tier tier] [--config file] [--backup-dir dir] [--count n]\n"
    "              [--prior-tier tier] [--prior-count n] [--database name]\n"
    "              [--lock-timeout seconds] [--compression gzip | zstd | none]\n"
    "              [--compression-level n] [--threads n] [--engine postgres | mariadb | mongodb]\n"
    "       backup --verify latest | timestamp [--config file] [--backup-dir dir]\n"
    "       backup --check [--config file] [--backup-dir dir]\n"
    "       backup wal-push [--config file] [--backup-dir dir] path\n"
    "       backup --help | --version\n";

static const char *const flags_allowed[] = {
    "tier",	   "config",   "backup-dir",   "count",	      "prior-tier",
    "prior-count", "database", "lock-timeout", "compression", "compression-level",
    "threads",	   "engine",   "verify",       "check",	      NULL,
};

static const char *const wal_flags[] = {"config", "backup-dir", NULL};

static int run(const struct config *c, char *const *operands)
{
	struct store_options opts;
	struct store *s;
	int rc = -1;

	store_options_from(c, &opts);
	s = store_open(store_location(c), &opts);
	if (s == NULL)
		return -1;
	(void)operands;
	if (c->verify != NULL) {
		rc = job_verify(c, s);
	} else if (c->check) {
		rc = job_check(c, s);
	} else {
		char stamp[TS_LEN + 1];

		log_info("%s run, store %s, keeping %ld", c->tier, store_location(c), c->count);
		rc = strcmp(c->tier, "hourly") == 0 ? job_hourly(c, s, stamp)
						    : job_promote(c, s, stamp);
		/* Mirrors follow only a primary that succeeded, and never touch it. */
		if (rc == 0 && stamp[0] != '\0' && c->mirrors != NULL)
			rc = job_mirror(c, s, stamp);
	}
	store_close(s);
	return rc;
}

/* archive_command: backup wal-push %p */
static int run_wal_push(const struct config *c, char *const *operands)
{
	struct store *s = store_open_configured(c);
	struct engine_options o;
	int rc;

	engine_options_from(c, &o);
	rc = s != NULL ? engine_archive_push(&o, s, operands[0]) : -1;
	store_close(s);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct cli_command backup = {"backup", flags_allowed, usage, 1, 0, 1, run};
	/* Called for every segment: the server logs its failures and retries. */
	static const struct cli_command push = {"backup wal-push", wal_flags, usage, 0, 1, 0,
						run_wal_push};

	if (argc > 1 && strcmp(argv[1], "wal-push") == 0)
		return cli_main(argc - 1, argv + 1, &push);
	return cli_main(argc, argv, &backup);
}
