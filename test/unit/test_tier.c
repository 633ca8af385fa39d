#include <string.h>

#include "test.h"
#include "tier.h"

static struct backup_ref ref(const char *tier, const char *stamp)
{
	struct backup_ref r;

	memset(&r, 0, sizeof(r));
	strcpy(r.tier, tier);
	strcpy(r.stamp, stamp);
	ts_parse(stamp, &r.ts);
	strcpy(r.name, stamp);
	return r;
}

static void test_prune(void)
{
	static const struct {
		size_t n;
		long keep;
		size_t removed;
	} cases[] = {
		{0, 3, 0}, {2, 3, 0}, {3, 3, 0}, {4, 3, 1}, {10, 3, 7}, {5, 1, 4},
		{5, 0, 4}, /* never the newest, even when asked to keep none */
		{1, 0, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		CHECK(tier_prune_count(cases[i].n, cases[i].keep) == cases[i].removed,
		      "n=%zu keep=%ld", cases[i].n, cases[i].keep);
}

static void test_promotion(void)
{
	CHECK(tier_pick_promotion(0, 0) == -1, "empty prior tier: nothing to promote");
	CHECK(tier_pick_promotion(3, 0) == 0, "the newest is taken");
	CHECK(tier_pick_promotion(3, 4) == -1, "fewer than BACKUP_PRIOR_COUNT");
	CHECK(tier_pick_promotion(4, 4) == 0, "exactly BACKUP_PRIOR_COUNT");
}

static void test_sort_and_match(void)
{
	struct backup_ref refs[] = {
		ref("hourly", "2026-11-21T09:00:00Z"), ref("daily", "2026-11-21T10:00:00Z"),
		ref("hourly", "2026-11-21T10:00:00Z"), ref("hourly", "2026-11-20T10:00:00Z"),
		ref("weekly", "2026-10-01T00:00:00Z"),
	};
	size_t n = sizeof(refs) / sizeof(*refs), first = 99;
	struct from_backup from;

	tier_sort_newest_first(refs, n);
	CHECK(strcmp(refs[0].tier, "hourly") == 0 && strcmp(refs[1].tier, "daily") == 0,
	      "same second: hourly before daily (%s %s)", refs[0].tier, refs[1].tier);
	CHECK(strcmp(refs[4].stamp, "2026-10-01T00:00:00Z") == 0, "oldest last");
	CHECK(tier_has(refs, n, refs[3].ts), "has");

	CHECK(from_backup_parse("latest", &from) == 0 && from.kind == FROM_LATEST, "latest");
	CHECK(tier_match(refs, n, &from, &first) == 1 && first == 0, "latest is the newest");
	CHECK(from_backup_parse("2026-11-21T10", &from) == 0 && from.kind == FROM_TIMESTAMP, "prefix");
	CHECK(tier_match(refs, n, &from, &first) == 1 && first == 0,
	      "one backup in two tiers is one match");
	CHECK(from_backup_parse("2026-11-2", &from) == 0, "short prefix");
	CHECK(tier_match(refs, n, &from, &first) == 3, "three distinct timestamps");
	CHECK(from_backup_parse("2026-11-20T10:00:00Z", &from) == 0, "exact");
	CHECK(tier_match(refs, n, &from, &first) == 1 && first == 3, "exact match is not the newest");
	CHECK(from_backup_parse("2025", &from) == 0 && tier_match(refs, n, &from, &first) == 0,
	      "no match");
	CHECK(from_backup_parse(NULL, &from) == 0 && from.kind == FROM_NONE, "unset lists");
	CHECK(from_backup_parse("none", &from) == 0 && tier_match(refs, n, &from, &first) == 0,
	      "none matches nothing");

	static const char *const bad[] = {"", "../x", "/etc/passwd", "Latest", "2026-11-21 10",
					  "2026-13", "2026-2", "2026-00", "2026-02-30", "2026-11-4",
					  "2026-11-21T24", "2026-11-21T3", "2026-11-21T10:60", "2026-11-21T10:07:6",
					  "2026-11-21T10:07:00Z/..", "hourly/2026"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		CHECK(from_backup_parse(bad[i], &from) < 0, "'%s' must be refused", bad[i]);
}

void test_tier(void)
{
	test_prune();
	test_promotion();
	test_sort_and_match();
	CHECK(tier_index("monthly") == 3 && tier_index("yearly") == -1, "tier_index");
}
