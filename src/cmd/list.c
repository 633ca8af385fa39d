#include "cmd/cmd.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "backup/manifest.h"
#include "chunked/chunks.h"
#include "engine/engine.h"
#include "util/json.h"
#include "util/log.h"

static void human_size(long long bytes, char *buf, size_t len)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)bytes;
	int u = 0;

	if (bytes < 0) {
		snprintf(buf, len, "?");
		return;
	}
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
}

static const char *status_of(const struct backup_ref *r)
{
	return r->legacy ? "bandr" : r->partial ? "PARTIAL" : "complete";
}

void listing_print_table(const struct catalog *c, FILE *out)
{
	fprintf(out, "%-8s %-20s %10s  %-9s %-8s %-8s %s\n", "TIER", "TIMESTAMP", "SIZE",
		"CHECKSUMS", "STATUS", "VERIFIED", "DATABASES");
	for (size_t i = 0; i < c->n; i++) {
		const struct backup_ref *r = &c->refs[i];
		char size[32];

		human_size(r->size, size, sizeof(size));
		fprintf(out, "%-8s %-20s %10s  %-9s %-8s %-8s ", r->tier, r->stamp, size,
			r->manifest ? "sha256" : "none", status_of(r),
			r->verified[0] ? (strcmp(r->verified, "ok") ? "FAILED" : "ok") : "-");
		if (r->manifest == NULL) {
			fprintf(out, "(bandr file %s)\n", r->name);
			continue;
		}
		/* Point-in-time recovery starts only from these: say which they are. */
		if (engine_is_base_backup(r->manifest))
			fputs("[base backup] ", out);
		/* Restoring it needs RECOVER_IDENTITY_FILE: say so before anyone tries. */
		if (r->manifest->encryption != NULL)
			fprintf(out, "[%s] ", r->manifest->encryption);
		/* SIZE is what restoring it reads; this, what it added to the shared chunks. */
		if (r->manifest->format == MANIFEST_CHUNKED) {
			char added[32];

			human_size((long long)manifest_new_size(r->manifest), added, sizeof(added));
			fprintf(out, "[chunked, %s new] ", added);
		}
		for (size_t d = 0; d < r->manifest->ndatabases; d++)
			fprintf(out, "%s%s", d ? "," : "", r->manifest->databases[d]);
		/* Last on the line: the reason is free text. */
		if (r->kept)
			fprintf(out, "  [kept%s%s]", r->kept_reason[0] ? ": " : "", r->kept_reason);
		fputc('\n', out);
	}
	if (c->n == 0)
		fprintf(out, "(no backups)\n");
}

static void json_list(FILE *out, const char *key, char *const *items, size_t n)
{
	fprintf(out, ", \"%s\": [", key);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ", " : "", out);
		json_string(out, items[i]);
	}
	fputs("]", out);
}

/* , "name": value as a JSON string, or null when value is NULL. */
static void json_field(FILE *out, const char *name, const char *value)
{
	fprintf(out, ", \"%s\": ", name);
	if (value != NULL)
		json_string(out, value);
	else
		fputs("null", out);
}

void listing_print_json(const struct catalog *c, FILE *out)
{
	fputs("[", out);
	for (size_t i = 0; i < c->n; i++) {
		const struct backup_ref *r = &c->refs[i];
		const struct manifest *m = r->manifest;

		fprintf(out, "%s\n  {\"tier\": ", i ? "," : "");
		json_string(out, r->tier);
		fputs(", \"timestamp\": ", out);
		json_string(out, r->stamp);
		fprintf(out,
			", \"size\": %lld, \"checksums\": %s, \"legacy\": %s, \"status\": \"%s\"",
			r->size, m ? "true" : "false", r->legacy ? "true" : "false",
			r->legacy    ? "bandr"
			: r->partial ? "partial"
				     : "complete");
		fputs(", \"engine\": ", out);
		json_string(out, m ? m->engine : engine_default());
		json_field(out, "server_version", m != NULL ? m->server_version : NULL);
		json_field(out, "client", m != NULL ? m->client : NULL);
		json_field(out, "verified", r->verified[0] != '\0' ? r->verified : NULL);
		fprintf(out, ", \"kept\": %s", r->kept ? "true" : "false");
		json_field(out, "kept_reason", r->kept ? r->kept_reason : NULL);
		json_field(out, "promoted_from", m != NULL ? m->promoted_from : NULL);
		json_list(out, "databases", m ? m->databases : NULL, m ? m->ndatabases : 0);
		json_list(out, "failed_targets", m ? m->failed : NULL, m ? m->nfailed : 0);
		json_field(out, "encryption", m != NULL ? m->encryption : NULL);
		json_list(out, "recipients", m ? m->recipients : NULL, m ? m->nrecipients : 0);
		fprintf(out, ", \"format\": \"%s\"",
			m != NULL && m->format == MANIFEST_CHUNKED ? "chunked" : "file");
		if (m != NULL && m->format == MANIFEST_CHUNKED)
			fprintf(out, ", \"new_size\": %llu",
				(unsigned long long)manifest_new_size(m));
		fputs("}", out);
	}
	fputs(c->n ? "\n]\n" : "]\n", out);
}

int list_check_freshness(const struct config *c, const struct catalog *cat)
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

/* Under a listing with chunked backups: what their shared chunks take in the store. */
static int print_chunk_area(struct store *s, const struct catalog *cat, FILE *out)
{
	struct chunkset have = {0};
	uint64_t bytes = 0;
	size_t i;
	char size[32];

	for (i = 0; i < cat->n; i++)
		if (cat->refs[i].manifest != NULL &&
		    cat->refs[i].manifest->format == MANIFEST_CHUNKED)
			break;
	if (i == cat->n)
		return 0;
	if (chunk_list_store(s, &have, &bytes) < 0)
		return -1;
	human_size((long long)bytes, size, sizeof(size));
	fprintf(out, "chunks: %zu, %s in the store, shared by the chunked backups above\n", have.n,
		size);
	chunkset_free(&have);
	return 0;
}

/* recover with FROM_BACKUP=none: every backup of every tier, then the freshness check. */
int cmd_list(const struct config *c, struct store *s, struct report *r, char *const *operands)
{
	struct catalog cat = {0};
	int rc = -1;

	(void)r;
	(void)operands;
	if (catalog_scan_listing(s, &cat) < 0)
		goto out;
	if (c->json)
		listing_print_json(&cat, stdout);
	else
		listing_print_table(&cat, stdout);
	if (!c->json && print_chunk_area(s, &cat, stdout) < 0)
		goto out;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fail(EXIT_INTERNAL, "cannot write the listing: %s", strerror(errno));
		goto out;
	}
	rc = list_check_freshness(c, &cat);
out:
	catalog_free(&cat);
	return rc;
}
