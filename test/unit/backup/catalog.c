#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backup/catalog.h"
#include "backup/manifest.h"
#include "util/log.h"

#include "test.h"

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

/* A manifest as tierdump writes one: two files of 100 and 23 bytes. */
static const char complete[] =
    "[backup]\nformat = 1\nengine = postgres\ntier = hourly\n"
    "status = complete\n"
    "[file:dumpall.sql.gz]\nsize = 100\nraw_size = 400\nsha256 = " SHA_A
    "\n[file:app.sql.gz]\nsize = 23\nraw_size = 50\nsha256 = " SHA_A "\n";
static const char partial[] = "[backup]\nformat = 1\nengine = postgres\ntier = hourly\n"
			      "status = partial\nfailed = shop\n"
			      "[file:app.sql.gz]\nsize = 7\nraw_size = 9\nsha256 = " SHA_A "\n";

static void put(const char *root, const char *key, const char *text)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", root, key);
	write_file(path, text);
}

/*
 * The store: every kind of entry a tier may hold, complete or not.
 *   hourly: 11:00 partial, 10:00 complete (verified ok), 09:00 without a
 *           manifest, 08:00 with a damaged one, a hidden staging directory,
 *           a directory not named by a timestamp, bandr's file of 11-20, a
 *           stray file;
 *   daily:  10:00 the same backup promoted (verified failed), bandr's file
 *           of 11-19 in another of its spellings;
 *   weekly: empty; monthly: missing.
 */
static void build_store(const char *root)
{
	char path[4096];

	put(root, "hourly/2026-11-21T11:00:00Z/manifest", partial);
	put(root, "hourly/2026-11-21T10:00:00Z/manifest", complete);
	put(root, "hourly/2026-11-21T10:00:00Z/verified",
	    "# test-restore\n[verified]\nresult = ok\nat = 2026-11-21T12:00:00Z\n");
	put(root, "hourly/2026-11-21T09:00:00Z/dumpall.sql.gz", "x");
	put(root, "hourly/2026-11-21T08:00:00Z/manifest", "[backup]\nformat = 7\n");
	put(root, "hourly/.partial-2026-11-21T12:00:00Z-99/manifest", complete);
	put(root, "hourly/latest/manifest", complete);
	put(root, "hourly/backup-2026-11-20T10-00-00-dumpall.sql.gz", "0123456789");
	put(root, "hourly/README", "not a backup");
	put(root, "daily/2026-11-21T10:00:00Z/manifest", complete);
	put(root, "daily/2026-11-21T10:00:00Z/verified",
	    "# test-restore\n[verified]\nresult = failed\nreason = result = ok\n");
	put(root, "daily/backup-20261119-100000-dumpall.sql.gz", "01234");
	snprintf(path, sizeof(path), "%s/weekly", root);
	mkdir(path, 0755);
}

static void test_one_tier(struct store *s)
{
	struct catalog cat;

	CHECK(catalog_scan_tier(s, "hourly", 0, &cat) == 0, "scanned");
	CHECK(cat.n == 2, "the partial and the complete backup: %zu", cat.n);
	if (cat.n == 2) {
		CHECK(strcmp(cat.refs[0].stamp, "2026-11-21T11:00:00Z") == 0 && cat.refs[0].partial,
		      "newest first, partial: %s", cat.refs[0].stamp);
		CHECK(strcmp(cat.refs[1].stamp, "2026-11-21T10:00:00Z") == 0 &&
			  !cat.refs[1].partial && cat.refs[1].ts == 1795255200,
		      "then the complete one: %s", cat.refs[1].stamp);
		CHECK(cat.refs[1].size == 123 && cat.refs[0].size == 7,
		      "sizes from the manifests: %lld, %lld", cat.refs[1].size, cat.refs[0].size);
		CHECK(cat.refs[1].manifest != NULL && cat.refs[1].manifest->nfiles == 2,
		      "the manifest is loaded");
		CHECK(cat.refs[0].manifest != NULL && cat.refs[0].manifest->nfailed == 1 &&
			  strcmp(cat.refs[0].manifest->failed[0], "shop") == 0,
		      "the failed target is known");
		CHECK(cat.refs[1].verified[0] == '\0', "no verified record outside a listing");
	}
	catalog_free(&cat);
	CHECK(cat.n == 0 && cat.refs == NULL, "freed");

	CHECK(catalog_scan_tier(s, "hourly", 1, &cat) == 0 && cat.n == 3, "with bandr's file: %zu",
	      cat.n);
	if (cat.n == 3)
		CHECK(cat.refs[2].legacy && cat.refs[2].manifest == NULL &&
			  strcmp(cat.refs[2].stamp, "2026-11-20T10:00:00Z") == 0 &&
			  strcmp(cat.refs[2].name, "backup-2026-11-20T10-00-00-dumpall.sql.gz") ==
			      0 &&
			  cat.refs[2].size == 10,
		      "bandr's file: %s %s %lld", cat.refs[2].stamp, cat.refs[2].name,
		      cat.refs[2].size);
	catalog_free(&cat);

	CHECK(catalog_scan_tier(s, "weekly", 1, &cat) == 0 && cat.n == 0, "an empty tier");
	catalog_free(&cat);
	CHECK(catalog_scan_tier(s, "monthly", 1, &cat) == 0 && cat.n == 0, "a missing tier");
	catalog_free(&cat);
}

/* The newest name, complete or not, without a manifest read. */
static void test_newest_time(struct store *s)
{
	time_t t = -1;

	CHECK(catalog_newest_time(s, "hourly", &t) == 0 && t == 1795258800,
	      "the newest name of the tier, the partial one: %lld", (long long)t);
	CHECK(catalog_newest_time(s, "weekly", &t) == 0 && t == 0, "an empty tier: %lld",
	      (long long)t);
	CHECK(catalog_newest_time(s, "monthly", &t) == 0 && t == 0, "a missing tier: %lld",
	      (long long)t);
}

static void test_all_tiers(struct store *s)
{
	/* Newest first; the same second in two tiers in tier order. */
	static const char *const expected[] = {
	    "hourly/2026-11-21T11:00:00Z", "hourly/2026-11-21T10:00:00Z",
	    "daily/2026-11-21T10:00:00Z",  "hourly/2026-11-20T10:00:00Z",
	    "daily/2026-11-19T10:00:00Z",
	};
	struct catalog cat;
	char got[64];

	CHECK(catalog_scan_all(s, &cat) == 0 && cat.n == 5, "every tier: %zu", cat.n);
	for (size_t i = 0; i < cat.n && i < 5; i++) {
		snprintf(got, sizeof(got), "%s/%s", cat.refs[i].tier, cat.refs[i].stamp);
		CHECK(strcmp(got, expected[i]) == 0, "%zu: %s, not %s", i, got, expected[i]);
	}
	if (cat.n == 5)
		CHECK(cat.refs[1].verified[0] == '\0' && cat.refs[2].verified[0] == '\0',
		      "no verified records read");
	catalog_free(&cat);

	CHECK(catalog_scan_listing(s, &cat) == 0 && cat.n == 5, "listing: %zu", cat.n);
	if (cat.n == 5) {
		CHECK(strcmp(cat.refs[1].verified, "ok") == 0, "hourly: '%s'",
		      cat.refs[1].verified);
		CHECK(strcmp(cat.refs[2].verified, "failed") == 0, "daily: '%s'",
		      cat.refs[2].verified);
		CHECK(cat.refs[0].verified[0] == '\0' && cat.refs[3].verified[0] == '\0',
		      "none where there is no record");
	}
	catalog_free(&cat);
}

/* Which backup FROM_BACKUP names in that store. */
static void test_select(struct store *s)
{
	static const struct {
		const char *value;
		const char *chosen; /* tier/stamp, or NULL: refused */
	} cases[] = {
	    {"latest", "hourly/2026-11-21T10:00:00Z"}, /* the partial one is never latest */
	    {"2026-11-21T11", "hourly/2026-11-21T11:00:00Z"},
	    {"2026-11-21T10", "hourly/2026-11-21T10:00:00Z"}, /* one backup in two tiers */
	    {"2026-11-21T1", NULL},			      /* two backups: ambiguous */
	    {"2026-11-20", "hourly/2026-11-20T10:00:00Z"},
	    {"2026-11-19T10:00:00Z", "daily/2026-11-19T10:00:00Z"},
	    {"2026-11-22", NULL},
	    {"2026-11-21T09", NULL}, /* no manifest: not a backup */
	};
	struct catalog cat;
	struct from_backup from;
	char got[64];

	if (catalog_scan_all(s, &cat) < 0)
		return;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const struct backup_ref *r = NULL;

		if (catalog_parse_choice("FROM_BACKUP", cases[i].value, &from) == 0)
			r = catalog_select(&cat, &from, "FROM_BACKUP", cases[i].value);
		snprintf(got, sizeof(got), "%s/%s", r ? r->tier : "", r ? r->stamp : "");
		if (cases[i].chosen == NULL)
			CHECK(r == NULL, "%s chose %s", cases[i].value, got);
		else
			CHECK(r != NULL && strcmp(got, cases[i].chosen) == 0, "%s chose %s, not %s",
			      cases[i].value, got, cases[i].chosen);
	}
	CHECK(catalog_parse_choice("FROM_BACKUP", "yesterday", &from) < 0, "not a choice");
	CHECK(catalog_parse_choice("FROM_BACKUP", "none", &from) == 0 && from.kind == FROM_NONE,
	      "none");
	catalog_free(&cat);
}

/* A newer backup whose manifest is there but cannot be read: latest does not pass over it. */
static void test_unreadable_newest(const char *root, struct store *s)
{
	struct from_backup from;
	struct catalog cat;
	char path[4096];

	fail_clear(); /* earlier tests' failures */
	/* A directory where the manifest should be: it exists, and no read of it succeeds. */
	snprintf(path, sizeof(path), "%s/hourly/2026-11-21T12:30:00Z", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/hourly/2026-11-21T12:30:00Z/manifest", root);
	mkdir(path, 0755);
	if (catalog_scan_all(s, &cat) < 0)
		return;
	CHECK(strcmp(cat.unreadable.stamp, "2026-11-21T12:30:00Z") == 0 && fail_reason()[0] == '\0',
	      "the scan records it, and no failure: '%s'", fail_reason());
	catalog_parse_choice("FROM_BACKUP", "latest", &from);
	CHECK(catalog_select(&cat, &from, "FROM_BACKUP", "latest") == NULL &&
		  fail_code() == EXIT_CORRUPT &&
		  strstr(fail_reason(), "hourly/2026-11-21T12:30:00Z, cannot be read") != NULL,
	      "latest is refused, naming it: %s", fail_reason());
	fail_clear();
	catalog_parse_choice("FROM_BACKUP", "2026-11-21T10:00:00Z", &from);
	CHECK(catalog_select(&cat, &from, "FROM_BACKUP", "2026-11-21T10:00:00Z") != NULL,
	      "an older backup named by its timestamp is still chosen");
	catalog_free(&cat);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/hourly/2026-11-21T12:30:00Z", root);
	rmdir(path);
}

/* backup --keep's pin: a kept object beside the manifest, which --unkeep rewrites as released. */
static void test_kept(const char *root, struct store *s)
{
	struct catalog cat;

	put(root, "hourly/2026-11-21T10:00:00Z/kept",
	    "kept = yes\nreason = before 2.0\nkept_at = 2026-11-22T00:00:00Z\n");
	put(root, "hourly/2026-11-21T11:00:00Z/kept",
	    "kept = no\nreleased_at = 2026-11-22T00:00:00Z\n");
	CHECK(catalog_scan_tier(s, "hourly", 0, &cat) == 0 && cat.n == 2, "scanned: %zu", cat.n);
	if (cat.n == 2) {
		CHECK(cat.refs[1].kept && strcmp(cat.refs[1].kept_reason, "before 2.0") == 0,
		      "kept, with its reason: '%s'", cat.refs[1].kept_reason);
		CHECK(!cat.refs[0].kept && cat.refs[0].kept_reason[0] == '\0',
		      "released: not kept");
	}
	catalog_free(&cat);
	put(root, "hourly/2026-11-21T10:00:00Z/kept", "kept = yes\n");
	CHECK(catalog_scan_listing(s, &cat) == 0 && cat.n > 1 && cat.refs[1].kept &&
		  cat.refs[1].kept_reason[0] == '\0',
	      "a listing sees the pin; no reason is an empty one");
	catalog_free(&cat);
}

void test_backup_catalog(void)
{
	const char *root = temp_dir();
	struct store_options opts = {0};
	struct store *s;

	build_store(root);
	s = store_open(root, &opts);
	CHECK(s != NULL, "the local store at %s opens", root);
	if (s != NULL) {
		test_one_tier(s);
		test_newest_time(s);
		test_all_tiers(s);
		test_select(s);
		test_unreadable_newest(root, s);
		test_kept(root, s);
		store_close(s);
	}
	remove_tree(root);
}
