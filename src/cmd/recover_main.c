/*
 * recover: lists the backups of every tier, or restores one of them:
 * FROM_BACKUP=none lists, latest restores the newest, a timestamp (or a
 * prefix matching one backup) restores that one.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "backup/catalog.h"
#include "cmd/cli.h"
#include "conf.h"
#include "engine/engine.h"
#include "cmd/listing.h"
#include "cmd/restore.h"
#include "store/store.h"
#include "tier.h"
#include "util/log.h"

static const char usage[] =
    "usage: recover [--from-backup none | latest | timestamp] [--target name] [--force]\n"
    "               [--recovery-target-time time] [--recovery-target immediate | latest]\n"
    "               [--start] [--json] [--config file] [--backup-dir dir]\n"
    "       recover wal-fetch [--config file] [--backup-dir dir] file path\n"
    "       recover --help | --version\n";

static const char *const flags_allowed[] = {
    "from-backup", "target", "force",  "recovery-target-time", "recovery-target",
    "start",	   "json",   "config", "backup-dir",	       NULL,
};

static const char *const wal_flags[] = {"config", "backup-dir", NULL};

/* LATEST_BACKUP_MAXIMUM_AGE_H: the newest backup must be recent enough. */
static int check_freshness(const struct config *c, const struct catalog *cat)
{
	struct from_backup latest = {FROM_LATEST, ""};
	size_t first = 0;
	double age;

	if (c->max_age_hours == CONF_UNSET)
		return 0;
	/* A partial backup is no proof of freshness: the newest complete one counts. */
	if (tier_match(cat->refs, cat->n, &latest, &first) == 0) {
		fail(EXIT_CHECK, "no complete backup at all, LATEST_BACKUP_MAXIMUM_AGE_H=%ld",
		     c->max_age_hours);
		return -1;
	}
	age = difftime(time(NULL), cat->refs[first].ts) / 3600.0;
	if (age > (double)c->max_age_hours) {
		fail(EXIT_CHECK,
		     "the newest backup %s/%s is %.1f h old, more than "
		     "LATEST_BACKUP_MAXIMUM_AGE_H=%ld",
		     cat->refs[first].tier, cat->refs[first].stamp, age, c->max_age_hours);
		return -1;
	}
	return 0;
}

static int run(const struct config *c, char *const *operands)
{
	struct from_backup from;
	struct engine_options o;
	const struct backup_ref *r;
	struct catalog cat = {0};
	struct store *s;
	int rc = -1, listing;

	(void)operands;
	engine_options_from(c, &o);
	if (catalog_parse_choice("FROM_BACKUP", c->from_backup, &from) < 0 ||
	    engine_recovery_check(&o) < 0)
		return -1;
	s = store_open_configured(c);
	if (s == NULL)
		return -1;
	listing = from.kind == FROM_NONE && !engine_recovery_wanted(&o);
	if ((listing ? catalog_scan_listing(s, &cat) : catalog_scan_all(s, &cat)) < 0)
		goto out;
	if (listing) {
		if (c->json)
			listing_print_json(&cat, stdout);
		else
			listing_print_table(&cat, stdout);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			fail(EXIT_INTERNAL, "cannot write the listing: %s", strerror(errno));
			goto out;
		}
		rc = check_freshness(c, &cat);
		goto out;
	}
	if (check_freshness(c, &cat) < 0)
		goto out;
	r = engine_recovery_wanted(&o) ? engine_recovery_choose(&cat, &from, &o)
				       : catalog_select(&cat, &from, "FROM_BACKUP", c->from_backup);
	if (r == NULL)
		goto out;
	log_info("restoring %s/%s", r->tier, r->stamp);
	rc = restore_backup(c, s, r);
out:
	catalog_free(&cat);
	store_close(s);
	return rc;
}

/* restore_command: recover wal-fetch %f %p */
static int run_wal_fetch(const struct config *c, char *const *operands)
{
	struct store *s = store_open_configured(c);
	int rc = s != NULL ? engine_archive_fetch(s, operands[0], operands[1]) : -1;

	store_close(s);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct cli_command recover = {"recover", flags_allowed, usage, 0, 0, 1, run};
	static const struct cli_command fetch = {"recover wal-fetch", wal_flags, usage, 0, 2, 0,
						 run_wal_fetch};

	if (argc > 1 && strcmp(argv[1], "wal-fetch") == 0)
		return cli_main(argc - 1, argv + 1, &fetch);
	return cli_main(argc, argv, &recover);
}
