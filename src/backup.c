/*
 * backup: one run of one tier. The hourly tier dumps the database; daily,
 * weekly and monthly promote the newest backup of the tier below.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "conf.h"
#include "jobs.h"
#include "store/store.h"
#include "util/log.h"
#include "util/timestamp.h"

static const char usage[] =
	"usage: backup [--tier tier] [--config file] [--backup-dir dir] [--count n]\n"
	"              [--prior-tier tier] [--prior-count n] [--database name]\n"
	"              [--lock-timeout seconds] [--compression gzip | zstd | none]\n"
	"              [--compression-level n] [--threads n] [--engine postgres | mariadb | mongodb]\n"
	"       backup --verify latest | timestamp [--config file] [--backup-dir dir]\n"
	"       backup --help | --version\n";

static const char *const flags_allowed[] = {
	"tier", "config", "backup-dir", "count", "prior-tier", "prior-count", "database",
	"lock-timeout", "compression", "compression-level", "threads", "engine", "verify", NULL,
};

static int run(const struct config *c)
{
	struct store_options opts;
	struct store *s;
	int rc = -1;

	store_options_from(c, &opts);
	s = store_open(store_location(c), &opts);
	if (s == NULL)
		return -1;
	if (c->verify != NULL) {
		rc = job_verify(c, s);
	} else {
		char stamp[TS_LEN + 1];

		log_info("%s run, store %s, keeping %ld", c->tier, store_location(c), c->count);
		rc = strcmp(c->tier, "hourly") == 0 ? job_hourly(c, s, stamp) : job_promote(c, s, stamp);
		/* Mirrors follow only a primary that succeeded, and never touch it. */
		if (rc == 0 && stamp[0] != '\0' && c->mirrors != NULL)
			rc = job_mirror(c, s, stamp);
	}
	store_close(s);
	return rc;
}

int main(int argc, char **argv)
{
	return cli_main(argc, argv, "backup", flags_allowed, usage, 1, run);
}
