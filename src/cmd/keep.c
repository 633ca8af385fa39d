/*
 * backup --keep TIMESTAMP [--reason TEXT]: pins one backup of the run's
 * tier. The pin is a small object beside the manifest (which stays as the
 * run wrote it), starting with KEPT_YES; no pruning, by count or by age,
 * removes a pinned backup, and recover lists it as kept with the reason.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "backup/keys.h"
#include "cmd/cmd.h"
#include "cmd/jobs.h"
#include "util/log.h"

/* The reason is one line of text, shown in listings and JSON. */
static int check_reason(const char *reason)
{
	if (strlen(reason) >= KEPT_REASON_MAX) {
		fail(EXIT_USAGE, "--reason is longer than %d characters: say it shorter",
		     KEPT_REASON_MAX - 1);
		return -1;
	}
	for (const char *p = reason; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			fail(EXIT_USAGE, "--reason must be one line without control characters");
			return -1;
		}
	}
	return 0;
}

int cmd_keep(const struct config *c, struct store *s, struct report *r, char *const *operands)
{
	const char *reason = c->keep_reason ? c->keep_reason : "";
	char key[KEY_MAX], now[TS_LEN + 1], text[512];
	const struct backup_ref *b;
	struct picked p;
	int rc = -1;

	(void)r;
	(void)operands;
	if (check_reason(reason) < 0)
		return -1;
	b = job_pick_backup(c, s, "keep", c->keep, &p);
	if (b == NULL)
		goto out;
	ts_format(time(NULL), now);
	snprintf(text, sizeof(text), KEPT_YES "reason = %s\nkept_at = %s\n", reason, now);
	key_backup_file(key, b->tier, b->name, KEY_KEPT);
	if (store_write_small(s, key, text) < 0)
		goto out;
	log_info("%s/%s is kept%s%s%s: no pruning removes it (backup --unkeep releases it)",
		 b->tier, b->stamp, b->kept ? " (again)" : "", reason[0] ? ": " : "", reason);
	rc = 0;
out:
	job_picked_free(s, &p);
	return rc;
}
