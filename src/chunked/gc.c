/* The chunk area's garbage collector (see gc.h). */
#include "chunked/gc.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chunked/reader.h"
#include "util/log.h"
#include "util/signals.h"

int chunk_refs_add(struct chunk_refs *r, const char *sha256, int is_list)
{
	unsigned char id[CHUNK_ID_LEN];

	if (chunk_id_parse(sha256, id) < 0)
		return 0; /* the manifest's parser checked it: nothing to reference */
	if (chunkset_put(is_list ? &r->lists : &r->blobs, id, 0) < 0) {
		fail(EXIT_INTERNAL, "out of memory");
		return -1;
	}
	return 0;
}

void chunk_refs_free(struct chunk_refs *r)
{
	chunkset_free(&r->lists);
	chunkset_free(&r->blobs);
}

struct marking {
	struct store *s;
	struct chunkset *live;
};

/* Marks every chunk one list names. */
static int mark_list(const unsigned char *id, uint64_t value, void *arg)
{
	struct marking *mk = arg;
	struct chunklist l = {0};
	char sha[2 * CHUNK_ID_LEN + 1];
	int rc = 0;

	(void)value;
	chunk_id_hex(id, sha);
	if (chunk_list_read(mk->s, sha, &l, "a backup the garbage collection keeps") < 0)
		return -1;
	for (size_t i = 0; rc == 0 && i < l.n; i++)
		rc = chunkset_put(mk->live, l.refs[i].id, 0);
	chunklist_free(&l);
	return rc;
}

struct deletion {
	struct store *s;
	const struct chunkset *live, *lists, *blobs; /* blobs: lists and blobs kept */
	time_t deadline;
	struct chunk_gc_stats *stats;
	int failed, stopped;
};

static int out_of_time(struct deletion *d)
{
	if (!d->stopped && time(NULL) >= d->deadline) {
		log_warn("garbage collection stops after %d s: the next one deletes the rest",
			 GC_MAX_SECONDS);
		d->stopped = 1;
	}
	return d->stopped || signals_stop_requested();
}

/* Deletes one unreferenced object, counting it in *count. Non-zero stops the sweep. */
static int delete_one(struct deletion *d, const char *key, uint64_t size, size_t *count)
{
	if (out_of_time(d))
		return 1;
	if (store_remove(d->s, key) < 0) {
		d->failed = 1;
		return 1;
	}
	(*count)++;
	d->stats->bytes += size;
	return 0;
}

static int sweep_chunk(const unsigned char *id, uint64_t size, void *arg)
{
	struct deletion *d = arg;
	char key[CHUNK_KEY_MAX];

	if (chunkset_get(d->live, id, NULL)) {
		d->stats->kept_chunks++;
		d->stats->kept_bytes += size;
		return 0;
	}
	return delete_one(d, chunk_key(key, id), size, &d->stats->chunks);
}

static int on_blob(const char *name, int is_dir, long long size, void *arg)
{
	struct deletion *d = arg;
	unsigned char id[CHUNK_ID_LEN];
	char key[CHUNK_KEY_MAX];

	if (is_dir || strlen(name) != 2 * CHUNK_ID_LEN || chunk_id_parse(name, id) < 0 ||
	    chunkset_get(d->lists, id, NULL) || chunkset_get(d->blobs, id, NULL))
		return 0;
	return delete_one(d, chunk_blob_key(key, name), size > 0 ? (uint64_t)size : 0,
			  &d->stats->blobs);
}

int chunk_gc_sweep(struct store *s, const struct chunk_refs *refs, time_t began,
		   struct chunk_gc_stats *stats)
{
	struct chunkset live = {0}, stored = {0};
	struct marking mk = {s, &live};
	struct deletion d = {s, &live, &refs->lists, &refs->blobs, began + GC_MAX_SECONDS, stats,
			     0, 0};
	int rc = -1;

	memset(stats, 0, sizeof(*stats));
	/* Every list first: one that cannot be read, and nothing is deleted. */
	if (chunkset_each(&refs->lists, mark_list, &mk) != 0) {
		log_error("the garbage collection deletes nothing while a backup's chunk list "
			  "cannot be read");
		goto out;
	}
	if (chunk_list_store(s, &stored, NULL) < 0)
		goto out;
	chunkset_each(&stored, sweep_chunk, &d);
	/* Blobs after chunks: a list goes only once no chunk it names could be missed. */
	if (!d.failed && !d.stopped && store_list(s, CHUNKS_BLOBS, on_blob, &d) < 0)
		goto out;
	rc = d.failed ? -1 : 0;
out:
	chunkset_free(&live);
	chunkset_free(&stored);
	return rc;
}
