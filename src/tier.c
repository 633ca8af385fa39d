#include "tier.h"

#include <stdlib.h>
#include <string.h>

const char *const tier_names[] = {"hourly", "daily", "weekly", "monthly", NULL};

int tier_index(const char *tier)
{
	for (int i = 0; tier_names[i] != NULL; i++)
		if (strcmp(tier, tier_names[i]) == 0)
			return i;
	return -1;
}

static int newest_first(const void *a, const void *b)
{
	const struct backup_ref *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts > y->ts ? -1 : 1;
	return tier_index(x->tier) - tier_index(y->tier);
}

void tier_sort_newest_first(struct backup_ref *refs, size_t n)
{
	if (n > 1)
		qsort(refs, n, sizeof(*refs), newest_first);
}

size_t tier_count_complete(const struct backup_ref *refs, size_t n)
{
	size_t complete = 0;

	for (size_t i = 0; i < n; i++)
		complete += !refs[i].partial;
	return complete;
}

size_t tier_prune_plan(const struct backup_ref *refs, size_t n, const struct prune_policy *p,
		       unsigned char *doomed)
{
	long keep = p->keep < 1 ? 1 : p->keep, min = p->min_count < 1 ? 1 : p->min_count;
	size_t complete = 0, partial = 0, staying = 0, count = 0;

	for (size_t i = 0; i < n; i++) {
		const struct backup_ref *r = &refs[i];
		int old = p->max_age > 0 && difftime(p->now, r->ts) > (double)p->max_age;

		doomed[i] = 0;
		if (r->kept)
			continue;
		if (r->partial) {
			/* Never the newest: the rotation starts from it. */
			doomed[i] =
			    i > 0 && (partial >= (size_t)keep || old || staying >= (size_t)keep);
			partial++;
		} else {
			doomed[i] = !p->partials_only &&
				    (complete >= (size_t)keep || (old && complete >= (size_t)min));
			complete++;
			staying += !doomed[i];
		}
		count += doomed[i];
	}
	return count;
}

long tier_pick_promotion(const struct backup_ref *refs, size_t n, long prior_min)
{
	size_t complete = tier_count_complete(refs, n);

	if (complete == 0 || (prior_min > 0 && complete < (size_t)prior_min))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!refs[i].partial)
			return (long)i;
	return -1;
}

int tier_has(const struct backup_ref *refs, size_t n, time_t ts)
{
	for (size_t i = 0; i < n; i++)
		if (refs[i].ts == ts)
			return 1;
	return 0;
}

int from_backup_parse(const char *value, struct from_backup *out)
{
	memset(out, 0, sizeof(*out));
	if (value == NULL || strcmp(value, "none") == 0) {
		out->kind = FROM_NONE;
		return 0;
	}
	if (strcmp(value, "latest") == 0) {
		out->kind = FROM_LATEST;
		return 0;
	}
	if (!ts_is_prefix(value))
		return -1;
	out->kind = FROM_TIMESTAMP;
	strcpy(out->prefix, value); /* ts_is_prefix bounds the length */
	return 0;
}

size_t tier_match(const struct backup_ref *refs, size_t n, const struct from_backup *from,
		  size_t *first)
{
	size_t matches = 0, prefix_len = strlen(from->prefix);
	time_t last = 0;

	for (size_t i = 0; i < n; i++) {
		if (from->kind == FROM_NONE)
			break;
		if (from->kind == FROM_TIMESTAMP &&
		    strncmp(refs[i].stamp, from->prefix, prefix_len))
			continue;
		if (from->kind == FROM_LATEST && refs[i].partial)
			continue;
		if (matches > 0 && refs[i].ts == last)
			continue; /* the same backup in another tier */
		if (matches == 0)
			*first = i;
		last = refs[i].ts;
		matches++;
		if (from->kind == FROM_LATEST)
			break;
	}
	return matches;
}
