/*
 * backup --check: is point-in-time recovery still possible up to now? The
 * newest physical base backup and the newest archived WAL segment must be
 * younger than their limits (CHECK_BASE_BACKUP_MAX_AGE, CHECK_WAL_MAX_AGE),
 * as docker-pg-backup's check_backup had it. Both ages go to the metrics.
 */
#include <string.h>
#include <time.h>

#include "backup/catalog.h"
#include "cmd/cmd.h"
#include "cmd/jobs.h"
#include "backup/manifest.h"
#include "engine/engine.h"
#include "report.h"
#include "util/log.h"

/* The newest complete base backup of any tier, or NULL. */
static const struct backup_ref *newest_base(const struct catalog *cat)
{
	for (size_t i = 0; i < cat->n; i++) {
		const struct manifest *m = cat->refs[i].manifest;

		if (engine_is_base_backup(m) && !m->partial)
			return &cat->refs[i];
	}
	return NULL;
}

int cmd_check(const struct config *c, struct store *s, struct report *r, char *const *operands)
{
	struct catalog cat;
	const struct backup_ref *base;
	char segment[ENGINE_ARCHIVE_NAME_MAX];
	time_t now = time(NULL), pushed = 0;
	double base_age = -1, wal_age = -1;
	int found, rc = 0;

	(void)operands;
	if (catalog_scan_all(s, &cat) < 0)
		return -1;
	found = engine_archive_newest(s, segment, &pushed);
	if (found < 0) {
		catalog_free(&cat);
		return -1;
	}
	base = newest_base(&cat);
	if (base != NULL)
		base_age = difftime(now, base->manifest->base_stopped);
	if (found == 0)
		wal_age = difftime(now, pushed);
	report_archive_ages(r, base_age, wal_age);
	if (base == NULL) {
		fail(EXIT_CHECK, "no physical base backup in the store: run the hourly tier with "
				 "BACKUP_METHOD=physical");
		rc = -1;
	} else if (base_age > (double)c->base_max_age) {
		fail(EXIT_CHECK,
		     "the newest base backup %s/%s is %.0f s old, more than "
		     "CHECK_BASE_BACKUP_MAX_AGE=%ld",
		     base->tier, base->stamp, base_age, c->base_max_age);
		rc = -1;
	} else {
		log_info("newest base backup %s/%s: %.0f s old (limit %ld)", base->tier,
			 base->stamp, base_age, c->base_max_age);
	}
	if (found == 1) {
		fail(EXIT_CHECK, "no WAL segment is archived: set archive_mode = on and "
				 "archive_command = 'backup wal-push %%p'");
		rc = -1;
	} else if (wal_age > (double)c->wal_max_age) {
		fail(EXIT_CHECK,
		     "the newest archived WAL segment %s is %.0f s old, more than "
		     "CHECK_WAL_MAX_AGE=%ld: archiving has stalled (see the server's log for "
		     "archive_command failures)",
		     segment, wal_age, c->wal_max_age);
		rc = -1;
	} else {
		log_info("newest archived WAL segment %s: %.0f s old (limit %ld)", segment, wal_age,
			 c->wal_max_age);
	}
	catalog_free(&cat);
	return rc;
}
