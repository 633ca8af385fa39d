/*
 * recover: lists the backups of every tier, or restores one of them:
 * FROM_BACKUP=none lists, latest restores the newest, a timestamp (or a
 * prefix matching one backup) restores that one.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "catalog.h"
#include "cli.h"
#include "conf.h"
#include "listing.h"
#include "restore.h"
#include "store/store.h"
#include "tier.h"
#include "util/log.h"

static const char usage[] =
	"usage: recover [--from-backup none | latest | timestamp] [--target name] [--force]\n"
	"               [--json] [--config file] [--backup-dir dir]\n"
	"       recover --help | --version\n";

static const char *const flags_allowed[] = {
	"from-backup", "target", "force", "json", "config", "backup-dir", NULL,
};

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
		fail(EXIT_CHECK, "the newest backup %s/%s is %.1f h old, more than LATEST_BACKUP_MAXIMUM_AGE_H=%ld",
		     cat->refs[first].tier, cat->refs[first].stamp, age, c->max_age_hours);
		return -1;
	}
	return 0;
}

/* The one backup FROM_BACKUP names, or NULL after fail() listing candidates. */
static const struct backup_ref *select_backup(const struct catalog *cat,
					      const struct from_backup *from, const char *value)
{
	size_t first = 0, matches = tier_match(cat->refs, cat->n, from, &first);

	if (matches == 1)
		return &cat->refs[first];
	if (matches == 0) {
		fail(EXIT_NOT_FOUND, "no complete backup matches FROM_BACKUP=%s (list them with FROM_BACKUP=none)",
		     value);
		return NULL;
	}
	log_error("FROM_BACKUP=%s matches %zu backups:", value, matches);
	for (size_t i = first; i < cat->n; i++)
		if (strncmp(cat->refs[i].stamp, from->prefix, strlen(from->prefix)) == 0)
			log_error("  %s/%s", cat->refs[i].tier, cat->refs[i].stamp);
	fail(EXIT_USAGE, "FROM_BACKUP=%s is ambiguous: give more of the timestamp", value);
	return NULL;
}

static int run(const struct config *c)
{
	struct from_backup from;
	const struct backup_ref *r;
	struct catalog cat = {0};
	struct store *s;
	int rc = -1;

	if (from_backup_parse(c->from_backup, &from) < 0) {
		fail(EXIT_USAGE,
		     "FROM_BACKUP='%s' is not none, latest or a timestamp like 2026-11-21T10:07:00Z (or its start)",
		     c->from_backup);
		return -1;
	}
	s = store_open(c->backup_dir);
	if (s == NULL)
		return -1;
	if (catalog_scan_all(s, &cat) < 0)
		goto out;
	if (from.kind == FROM_NONE) {
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
	r = select_backup(&cat, &from, c->from_backup);
	if (r == NULL)
		goto out;
	log_info("restoring %s/%s", r->tier, r->stamp);
	rc = restore_backup(c, s, r);
out:
	catalog_free(&cat);
	store_close(s);
	return rc;
}

int main(int argc, char **argv)
{
	return cli_main(argc, argv, "recover", flags_allowed, usage, 0, run);
}
