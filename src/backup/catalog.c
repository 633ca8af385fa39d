#include "backup/catalog.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backup/keys.h"
#include "backup/manifest.h"
#include "util/array.h"
#include "util/log.h"

struct scan {
	struct store *store;
	const char *tier;
	int with_legacy;
	struct catalog *out;
	int failed;
};

/* Adds a ref; a directory's name is its canonical timestamp already. */
static struct backup_ref *add_ref(struct catalog *c, const char *tier, const char *name, time_t ts,
				  int legacy)
{
	struct backup_ref *r, *grown = array_grow(c->refs, &c->cap, c->n, sizeof(*r));

	if (grown == NULL)
		return NULL;
	c->refs = grown;
	r = &c->refs[c->n++];
	memset(r, 0, sizeof(*r));
	snprintf(r->tier, sizeof(r->tier), "%s", tier);
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->ts = ts;
	r->size = -1;
	r->legacy = legacy;
	if (legacy)
		ts_format(ts, r->stamp);
	else
		snprintf(r->stamp, sizeof(r->stamp), "%s", name);
	return r;
}

/* Parses bandr's backup-<timestamp>-dumpall.sql.gz; returns 0 and sets *ts. */
static int parse_legacy_name(const char *name, time_t *ts)
{
	size_t len = strlen(name), pre = strlen(LEGACY_PREFIX), suf = strlen(LEGACY_SUFFIX);

	if (len <= pre + suf || strncmp(name, LEGACY_PREFIX, pre) != 0 ||
	    strcmp(name + len - suf, LEGACY_SUFFIX) != 0)
		return -1;
	return ts_parse_lenient(name + pre, len - pre - suf, ts);
}

/*
 * Loads the manifest of r; NULL (and a warning) when it has none, or when
 * it cannot be read (and r->unreadable is set).
 */
static struct manifest *load_manifest(struct store *s, struct backup_ref *r)
{
	const char *tier = r->tier, *name = r->name;
	char key[KEY_MAX], err[256];
	struct manifest *m;
	int missing = 0;
	char *text;

	key_backup_file(key, tier, name, KEY_MANIFEST);
	text = store_read_small(s, key, &missing);
	if (missing)
		log_warn("%s/%s has no manifest: not a complete backup, ignored", tier, name);
	else if (text == NULL)
		log_warn("%s/%s: its manifest cannot be read (above): the backup is ignored", tier,
			 name);
	r->unreadable = text == NULL && !missing;
	if (text == NULL)
		return NULL;
	m = calloc(1, sizeof(*m));
	if (m != NULL && manifest_parse(text, m, err, sizeof(err)) < 0) {
		log_warn("%s is damaged (%s): the backup is ignored", key, err);
		free(m);
		m = NULL;
	}
	free(text);
	return m;
}

/* The result of the last test-restore (backup --verify), when there was one. */
static void load_verified(struct store *s, struct backup_ref *r)
{
	char key[KEY_MAX], *text;
	int missing = 0;

	key_backup_file(key, r->tier, r->name, KEY_VERIFIED);
	text = store_read_small(s, key, &missing);
	if (text == NULL)
		return;
	snprintf(r->verified, sizeof(r->verified), "%s",
		 strstr(text, "\nresult = ok\n") ? "ok" : "failed");
	free(text);
}

/*
 * Whether backup --keep pinned it, and why. The pin is its own object
 * beside the manifest, which stays as the run wrote it.
 */
static void load_kept(struct store *s, struct backup_ref *r)
{
	char key[KEY_MAX], *text, *reason;
	int missing = 0;

	key_backup_file(key, r->tier, r->name, KEY_KEPT);
	text = store_read_small(s, key, &missing);
	if (text == NULL)
		return;
	r->kept = strncmp(text, KEPT_YES, strlen(KEPT_YES)) == 0; /* or released */
	reason = strstr(text, "reason = ");
	if (r->kept && reason != NULL) {
		reason += strlen("reason = ");
		snprintf(r->kept_reason, sizeof(r->kept_reason), "%.*s", (int)strcspn(reason, "\n"),
			 reason);
	}
	free(text);
}

static int on_tier_entry(const char *name, int is_dir, long long size, void *arg)
{
	struct scan *sc = arg;
	struct backup_ref *r;
	time_t ts;

	if (strlen(name) >= sizeof(r->name))
		return 0; /* longer than any name of ours: not a backup */
	if (!is_dir) {
		if (!sc->with_legacy || parse_legacy_name(name, &ts) < 0)
			return 0;
		r = add_ref(sc->out, sc->tier, name, ts, 1);
		if (r == NULL)
			return sc->failed = 1;
		r->size = size;
		return 0;
	}
	if (ts_parse(name, &ts) < 0)
		return 0; /* not ours */
	if (add_ref(sc->out, sc->tier, name, ts, 0) == NULL)
		return sc->failed = 1;
	return 0;
}

/* What a scan reads besides the manifests. */
enum { LOAD_VERIFIED = 1, LOAD_KEPT = 2 };

struct loader {
	struct store *store;
	struct catalog *cat;
	unsigned extras; /* LOAD_*: what else to read, one read per backup each */
	size_t next;	 /* the next ref to load, taken atomically */
};

static void *load_manifests(void *arg)
{
	struct loader *l = arg;

	for (;;) {
		size_t i = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
		struct backup_ref *r;

		if (i >= l->cat->n)
			return NULL;
		r = &l->cat->refs[i];
		if (!r->legacy)
			r->manifest = load_manifest(l->store, r);
		if (r->manifest != NULL && (l->extras & LOAD_VERIFIED))
			load_verified(l->store, r);
		if (r->manifest != NULL && (l->extras & LOAD_KEPT))
			load_kept(l->store, r);
	}
}

/*
 * Loads every listed backup's manifest, on a few threads when there are
 * many (listing thousands of backups is mostly waiting on small reads), then
 * drops the backups that have none.
 */
static void load_all(struct store *s, struct catalog *c, unsigned extras)
{
	enum { MAX_THREADS = 4, PER_THREAD = 256 };
	struct loader l = {s, c, extras, 0};
	pthread_t threads[MAX_THREADS];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t wanted = c->n / PER_THREAD, started = 0, kept = 0;
	int mark = fail_mark();

	if (wanted > (size_t)(cpus > 0 ? cpus : 1))
		wanted = (size_t)(cpus > 0 ? cpus : 1);
	if (wanted > MAX_THREADS)
		wanted = MAX_THREADS;
	while (started + 1 < wanted &&
	       pthread_create(&threads[started], NULL, load_manifests, &l) == 0)
		started++;
	load_manifests(&l);
	while (started > 0)
		pthread_join(threads[--started], NULL);
	/*
	 * What the loaders could not read they ignore, each with its warning: it
	 * must not become the reason a later failure of the run is reported under.
	 */
	fail_forget_since(mark);
	for (size_t i = 0; i < c->n; i++) {
		struct backup_ref *r = &c->refs[i];

		if (!r->legacy && r->manifest == NULL) {
			if (r->unreadable && r->ts > c->unreadable.ts)
				c->unreadable = *r;
			continue;
		}
		if (r->manifest != NULL) {
			r->size = (long long)manifest_size(r->manifest);
			r->partial = r->manifest->partial;
		}
		c->refs[kept++] = *r;
	}
	c->n = kept;
}

static int scan_into(struct store *s, const char *tier, int with_legacy, struct catalog *out)
{
	struct scan sc = {s, tier, with_legacy, out, 0};

	if (store_list(s, tier, on_tier_entry, &sc) < 0 || sc.failed) {
		if (sc.failed)
			fail(EXIT_INTERNAL, "out of memory while listing %s", tier);
		return -1;
	}
	return 0;
}

int catalog_newest_time(struct store *s, const char *tier, time_t *newest)
{
	struct catalog names = {0};
	int rc = scan_into(s, tier, 0, &names);

	*newest = 0;
	for (size_t i = 0; rc == 0 && i < names.n; i++)
		if (names.refs[i].ts > *newest)
			*newest = names.refs[i].ts;
	catalog_free(&names);
	return rc;
}

int catalog_scan_tier(struct store *s, const char *tier, int with_legacy, struct catalog *out)
{
	memset(out, 0, sizeof(*out));
	if (scan_into(s, tier, with_legacy, out) < 0) {
		catalog_free(out);
		return -1;
	}
	/* Pruning and --delete must know which backups are kept. */
	load_all(s, out, LOAD_KEPT);
	tier_sort_newest_first(out->refs, out->n);
	return 0;
}

static int scan_every_tier(struct store *s, struct catalog *out, unsigned extras)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; tier_names[i] != NULL; i++) {
		if (scan_into(s, tier_names[i], 1, out) < 0) {
			catalog_free(out);
			return -1;
		}
	}
	load_all(s, out, extras);
	tier_sort_newest_first(out->refs, out->n);
	return 0;
}

int catalog_scan_all(struct store *s, struct catalog *out)
{
	return scan_every_tier(s, out, 0);
}

int catalog_scan_listing(struct store *s, struct catalog *out)
{
	return scan_every_tier(s, out, LOAD_VERIFIED | LOAD_KEPT);
}

void catalog_free(struct catalog *c)
{
	for (size_t i = 0; i < c->n; i++) {
		manifest_free(c->refs[i].manifest);
		free(c->refs[i].manifest);
	}
	free(c->refs);
	memset(c, 0, sizeof(*c));
}

int catalog_parse_choice(const char *setting, const char *value, struct from_backup *out)
{
	if (from_backup_parse(value, out) == 0)
		return 0;
	fail(EXIT_USAGE,
	     "%s='%s' is not none, latest or a timestamp like 2026-11-21T10:07:00Z (or its start)",
	     setting, value);
	return -1;
}

const struct backup_ref *catalog_select(const struct catalog *cat, const struct from_backup *from,
					const char *setting, const char *value)
{
	size_t first = 0, matches = tier_match(cat->refs, cat->n, from, &first);

	/* "latest" is the newest backup: never an older one because the newest cannot be read. */
	if (matches == 1 && from->kind == FROM_LATEST && cat->unreadable.ts > cat->refs[first].ts) {
		fail(EXIT_CORRUPT,
		     "%s=%s: the newest backup, %s/%s, cannot be read (above), and latest does not "
		     "fall back to the older %s/%s: make it readable to the user recover runs as, "
		     "or name the backup with %s=<timestamp>",
		     setting, value, cat->unreadable.tier, cat->unreadable.stamp,
		     cat->refs[first].tier, cat->refs[first].stamp, setting);
		return NULL;
	}
	if (matches == 1)
		return &cat->refs[first];
	if (matches == 0) {
		fail(EXIT_NOT_FOUND,
		     "no complete backup matches %s=%s (list them with FROM_BACKUP=none)", setting,
		     value);
		return NULL;
	}
	log_error("%s=%s matches %zu backups:", setting, value, matches);
	for (size_t i = first; i < cat->n; i++)
		if (strncmp(cat->refs[i].stamp, from->prefix, strlen(from->prefix)) == 0)
			log_error("  %s/%s", cat->refs[i].tier, cat->refs[i].stamp);
	fail(EXIT_USAGE, "%s=%s is ambiguous: give more of the timestamp", setting, value);
	return NULL;
}
