/*
 * Garbage collection of the chunked format's chunks: after a prune or a
 * delete removed a chunked backup, and as `backup --gc`. The chunk area is
 * shared by every tier, so the references are gathered from every tier's
 * manifests, after the collector's marker found no writer at work
 * (chunked/markers.h).
 */
#include <time.h>

#include "backup/catalog.h"
#include "backup/manifest.h"
#include "chunked/gc.h"
#include "cmd/cmd.h"
#include "cmd/jobs.h"
#include "util/log.h"

/* The lists and blobs every chunked backup of s references. */
static int gather(struct store *s, struct chunk_refs *refs)
{
	struct catalog cat;
	int rc = 0;

	if (catalog_scan_all(s, &cat) < 0)
		return -1;
	for (size_t i = 0; rc == 0 && i < cat.n; i++) {
		const struct manifest *m = cat.refs[i].manifest;

		if (m == NULL || m->format != MANIFEST_CHUNKED)
			continue;
		for (size_t f = 0; rc == 0 && f < m->nfiles; f++)
			rc = chunk_refs_add(refs, m->files[f].sha256, 1);
		if (rc == 0 && m->rowcounts_sha256[0] != '\0')
			rc = chunk_refs_add(refs, m->rowcounts_sha256, 0);
	}
	catalog_free(&cat);
	return rc;
}

int job_collect(struct store *s)
{
	struct chunk_refs refs = {0};
	struct chunk_gc_stats st;
	struct chunk_marker marker;
	time_t began = time(NULL);
	int writers = 0, rc = -1;

	if (marker_gc_begin(s, &marker, &writers) < 0)
		return -1;
	if (writers > 0) {
		rc = 0;
		goto out;
	}
	if (gather(s, &refs) < 0 || chunk_gc_sweep(s, &refs, began, &st) < 0)
		goto out;
	log_info("garbage collection of %s: %zu chunk(s) and %zu list(s) no backup references "
		 "deleted, %.1f MiB; %zu chunk(s) kept, %.1f MiB",
		 store_name(s), st.chunks, st.blobs, st.bytes / 1048576.0, st.kept_chunks,
		 st.kept_bytes / 1048576.0);
	rc = 0;
out:
	marker_end(s, &marker);
	chunk_refs_free(&refs);
	return rc;
}

int cmd_gc(const struct config *c, struct store *s, struct report *r, char *const *operands)
{
	(void)c;
	(void)r;
	(void)operands;
	return job_collect(s);
}
