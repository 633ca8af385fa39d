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

#define NOW ((time_t)1000000)

/*
 * Refs newest first from a pattern, the i-th one i hours old: 'c' complete,
 * 'p' partial, 'k' a kept complete one, 'q' a kept partial one.
 */
static size_t refs_from(const char *pattern, struct backup_ref *refs)
{
	size_t n = strlen(pattern);

	for (size_t i = 0; i < n; i++) {
		memset(&refs[i], 0, sizeof(refs[i]));
		refs[i].ts = NOW - (time_t)i * 3600;
		refs[i].partial = pattern[i] == 'p' || pattern[i] == 'q';
		refs[i].kept = pattern[i] == 'k' || pattern[i] == 'q';
	}
	return n;
}

static void test_prune(void)
{
	/*
	 * pattern newest first (the i-th one i hours old); keep (BACKUP_COUNT);
	 * max_age in hours (0: none); min (BACKUP_MIN_COUNT); partials_only (a
	 * failed run); which go ('x') and which stay ('.')
	 */
	static const struct {
		const char *pattern;
		long keep, max_age_h, min;
		int partials_only;
		const char *plan;
	} cases[] = {
	    {"", 3, 0, 1, 0, ""},
	    {"cc", 3, 0, 1, 0, ".."},
	    {"ccc", 3, 0, 1, 0, "..."},
	    {"cccc", 3, 0, 1, 0, "...x"},
	    {"cccccccccc", 3, 0, 1, 0, "...xxxxxxx"},
	    {"ccccc", 1, 0, 1, 0, ".xxxx"},
	    {"ccccc", 0, 0, 1, 0, ".xxxx"}, /* never the newest, even when asked to keep none */
	    {"c", 0, 0, 1, 0, "."},
	    /* partial backups never push a complete one out of the tier... */
	    {"ppcc", 2, 0, 1, 0, "...."},
	    {"pcpc", 1, 0, 1, 0, "..xx"},
	    /* ...and go once keep complete ones are newer than them */
	    {"ccpc", 2, 0, 1, 0, "..xx"},
	    {"cpcpcp", 2, 0, 1, 0, "...xxx"},
	    /* at most keep partial ones, however many runs failed in a row */
	    {"pp", 1, 0, 1, 0, ".x"},
	    {"pppcc", 2, 0, 1, 0, "..x.."},
	    {"ppppppc", 3, 0, 1, 0, "...xxx."},
	    /* a failed run prunes partial ones only */
	    {"ppppcccc", 3, 0, 1, 1, "...x...."},
	    {"pccccc", 2, 0, 1, 1, "......"},
	    {"ppcccc", 1, 0, 1, 1, ".x...."},
	    {"pcccc", 2, 2, 1, 1, "....."}, /* age removes no complete one in a failed run */
	    {"ppppp", 9, 2, 1, 1, "...xx"}, /* but partial ones by age */
	    /* by age: older than max_age goes, down to min complete ones */
	    {"cccccc", 5, 2, 1, 0, "...xxx"},
	    {"cccccc", 9, 2, 1, 0, "...xxx"},
	    {"cccccc", 9, 2, 4, 0, "....xx"},
	    {"cccccc", 3, 2, 4, 0, "...xxx"}, /* the count still caps */
	    {"cccccc", 9, 9, 1, 0, "......"},
	    /* failing for hours: the old partial ones go, min complete ones stay */
	    {"pppccc", 9, 1, 1, 0, "..x.xx"},
	    /* kept ones never go and count towards nothing */
	    {"ckcc", 2, 0, 1, 0, "...x"},
	    {"cccccck", 1, 0, 1, 0, ".xxxxx."},
	    {"kccc", 1, 0, 1, 0, "..xx"},
	    {"ccckcc", 9, 1, 2, 0, "..x.xx"},
	    {"qpppp", 2, 0, 1, 0, "...xx"},
	    {"cckk", 1, 1, 1, 0, ".x.."},
	};
	struct backup_ref refs[16];
	unsigned char doomed[16];

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct prune_policy p = {cases[i].keep, cases[i].max_age_h * 3600, cases[i].min,
					 NOW, cases[i].partials_only};
		size_t n = refs_from(cases[i].pattern, refs), expected = 0, got;
		char plan[17] = "";

		got = tier_prune_plan(refs, n, &p, doomed);
		for (size_t j = 0; j < n; j++) {
			plan[j] = doomed[j] ? 'x' : '.';
			expected += cases[i].plan[j] == 'x';
		}
		plan[n] = '\0';
		CHECK(strcmp(plan, cases[i].plan) == 0 && got == expected,
		      "%s keep %ld max age %ldh min %ld%s: %s, want %s", cases[i].pattern,
		      cases[i].keep, cases[i].max_age_h, cases[i].min,
		      cases[i].partials_only ? " partials only" : "", plan, cases[i].plan);
	}
}

static void test_promotion(void)
{
	static const struct {
		const char *pattern;
		long prior_min;
		long pick;
	} cases[] = {
	    {"", 0, -1},     /* empty prior tier: nothing to promote */
	    {"ccc", 0, 0},   /* the newest is taken */
	    {"ccc", 4, -1},  /* fewer than BACKUP_PRIOR_COUNT */
	    {"cccc", 4, 0},  /* exactly BACKUP_PRIOR_COUNT */
	    {"pcc", 0, 1},   /* a partial backup is never promoted */
	    {"ppp", 0, -1},  /* only partial ones: nothing to promote */
	    {"pccc", 4, -1}, /* partial ones do not count towards the minimum */
	};
	struct backup_ref refs[16];

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		size_t n = refs_from(cases[i].pattern, refs);
		long pick = tier_pick_promotion(refs, n, cases[i].prior_min);

		CHECK(pick == cases[i].pick, "%s min %ld: picked %ld, want %ld", cases[i].pattern,
		      cases[i].prior_min, pick, cases[i].pick);
	}
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
	refs[0].partial = refs[1].partial = 1;
	CHECK(tier_match(refs, n, &from, &first) == 1 && first == 2,
	      "latest is the newest complete one (%zu)", first);
	refs[0].partial = refs[1].partial = 0;
	CHECK(from_backup_parse("2026-11-21T10", &from) == 0 && from.kind == FROM_TIMESTAMP,
	      "prefix");
	CHECK(tier_match(refs, n, &from, &first) == 1 && first == 0,
	      "one backup in two tiers is one match");
	CHECK(from_backup_parse("2026-11-2", &from) == 0, "short prefix");
	CHECK(tier_match(refs, n, &from, &first) == 3, "three distinct timestamps");
	CHECK(from_backup_parse("2026-11-20T10:00:00Z", &from) == 0, "exact");
	CHECK(tier_match(refs, n, &from, &first) == 1 && first == 3,
	      "exact match is not the newest");
	CHECK(from_backup_parse("2025", &from) == 0 && tier_match(refs, n, &from, &first) == 0,
	      "no match");
	CHECK(from_backup_parse(NULL, &from) == 0 && from.kind == FROM_NONE, "unset lists");
	CHECK(from_backup_parse("none", &from) == 0 && tier_match(refs, n, &from, &first) == 0,
	      "none matches nothing");

	static const char *const bad[] = {"",
					  "../x",
					  "/etc/passwd",
					  "Latest",
					  "2026-11-21 10",
					  "2026-13",
					  "2026-2",
					  "2026-00",
					  "2026-02-30",
					  "2026-11-4",
					  "2026-11-21T24",
					  "2026-11-21T3",
					  "2026-11-21T10:60",
					  "2026-11-21T10:07:6",
					  "2026-11-21T10:07:00Z/..",
					  "hourly/2026"};
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
