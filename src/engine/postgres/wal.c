#include "engine/postgres/wal.h"

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backup/catalog.h"
#include "backup/keys.h"
#include "backup/manifest.h"
#include "engine/postgres/pitr.h"
#include "pipeline/pipeline.h"
#include "util/digest.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strlist.h"
#include "util/timestamp.h"

enum { CHUNK = 1024 * 1024 };

/* What a .meta record says about one archived file. */
struct wal_meta {
	char sha256[DIGEST_HEX_LEN + 1];	/* of the file as PostgreSQL wrote it */
	char stored_sha256[DIGEST_HEX_LEN + 1]; /* of the object, compressed */
	uint64_t size, stored_size;
	char compression[16];
	char encryption[16]; /* "age", or empty: stored plain */
	time_t pushed;
};

static int on_meta_line(void *arg, const char *section, const char *key, const char *value)
{
	struct wal_meta *m = arg;

	(void)section;
	if (strcmp(key, "sha256") == 0)
		snprintf(m->sha256, sizeof(m->sha256), "%s", value);
	else if (strcmp(key, "stored_sha256") == 0)
		snprintf(m->stored_sha256, sizeof(m->stored_sha256), "%s", value);
	else if (strcmp(key, "size") == 0)
		m->size = strtoull(value, NULL, 10);
	else if (strcmp(key, "stored_size") == 0)
		m->stored_size = strtoull(value, NULL, 10);
	else if (strcmp(key, "compression") == 0)
		snprintf(m->compression, sizeof(m->compression), "%s", value);
	else if (strcmp(key, "encryption") == 0)
		snprintf(m->encryption, sizeof(m->encryption), "%s", value);
	else if (strcmp(key, "pushed") == 0)
		return ts_parse(value, &m->pushed) == 0;
	return 1;
}

/*
 * Reads the .meta record of name. Returns 0, 1 when name is not archived,
 * or -1 after fail().
 */
static int read_meta(struct store *s, const char *name, struct wal_meta *m)
{
	char key[KEY_MAX], *text;
	int missing = 0;

	memset(m, 0, sizeof(*m));
	key_wal(key, name, ".meta");
	text = store_read_small(s, key, &missing);
	if (text == NULL)
		return missing ? 1 : -1;
	if (ini_parse_string(text, on_meta_line, m) != 0 || strlen(m->sha256) != DIGEST_HEX_LEN ||
	    strlen(m->stored_sha256) != DIGEST_HEX_LEN || m->compression[0] == '\0') {
		free(text);
		fail(EXIT_CORRUPT, "the archive's record %s is damaged", key);
		return -1;
	}
	free(text);
	return 0;
}

/* The stored file's suffix: the codec's, and .age when encrypted. Returns buf (32 bytes). */
static const char *stored_suffix(const struct codec *codec, int encrypted, char *buf)
{
	snprintf(buf, 32, "%s%s", codec->suffix, encrypted ? ".age" : "");
	return buf;
}

/* The SHA-256 and size of a local file. Returns 0 or -1 after fail(). */
static int hash_file(int fd, const char *path, char *hex, uint64_t *size)
{
	static char buf[CHUNK];
	struct digest d;
	ssize_t n;

	*size = 0;
	if (digest_begin(&d) < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		digest_add(&d, buf, (size_t)n);
		*size += (uint64_t)n;
	}
	if (n < 0) {
		digest_discard(&d);
		fail(EXIT_CONFIG, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	digest_end(&d, hex);
	return 0;
}

/*
 * Compresses the file into wal/NAME<suffix>, durable once the pipeline
 * commits, and hashes it as PostgreSQL wrote it on the same single read
 * (into sha256; stats->raw_bytes is its size).
 */
static int store_file(const struct engine_options *o, struct store *s, int fd, const char *path,
		      const char *name, const struct codec *codec, struct pipeline_stats *stats,
		      char *sha256)
{
	static char buf[CHUNK];
	struct sink *sink = NULL;
	struct digest raw;
	char key[KEY_MAX], suffix[32];
	ssize_t n;
	int level = codec_level(codec, o->compression_level);

	key_wal(key, name, stored_suffix(codec, o->encrypt, suffix));
	if (level < 0 || digest_begin(&raw) < 0)
		return -1;
	if (store_put(s, key, &sink) < 0 ||
	    (sink = pipeline_sink(sink, codec, level, (int)o->threads, o->encrypt ? o->age : NULL,
				  name, stats)) == NULL) {
		digest_discard(&raw);
		return -1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		digest_add(&raw, buf, (size_t)n);
		if (sink_write(sink, buf, (size_t)n) < 0)
			break;
	}
	if (n < 0)
		fail(EXIT_CONFIG, "cannot read %s: %s", path, strerror(errno));
	if (n != 0 || sink_commit(sink) < 0) {
		if (n != 0)
			sink_abort(sink);
		digest_discard(&raw);
		return -1;
	}
	digest_end(&raw, sha256);
	return 0;
}

int wal_push(const struct engine_options *o, struct store *s, const char *path)
{
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	const struct codec *codec = codec_find(o->compression);
	char sha256[DIGEST_HEX_LEN + 1], key[KEY_MAX], stamp[TS_LEN + 1], text[512];
	struct pipeline_stats stats;
	struct wal_meta old;
	uint64_t size;
	int fd, rc = -1, found;

	if (wal_name_kind(name) == WAL_INVALID) {
		fail(EXIT_USAGE,
		     "wal-push: %s is not a WAL file (use archive_command = 'backup wal-push %%p')",
		     path);
		return -1;
	}
	if (codec == NULL)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fail(EXIT_CONFIG, "wal-push: cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	found = read_meta(s, name, &old);
	if (found < 0)
		goto out;
	if (found == 0) {
		/* The server retries a push whose answer it missed: the same file is fine. */
		if (hash_file(fd, path, sha256, &size) < 0)
			goto out;
		if (strcmp(old.sha256, sha256) == 0 && old.size == size) {
			log_info("%s is archived already, with the same content", name);
			rc = 0;
		} else {
			fail(EXIT_CONFIG,
			     "%s is archived already with different content: refusing to replace "
			     "it (does another server archive into this store?)",
			     name);
		}
		goto out;
	}
	if (store_file(o, s, fd, path, name, codec, &stats, sha256) < 0)
		goto out;
	size = stats.raw_bytes;
	ts_format(time(NULL), stamp);
	snprintf(text, sizeof(text),
		 "# tierdump WAL archive record\nsha256 = %s\nsize = %" PRIu64 "\n"
		 "compression = %s\n%sstored_sha256 = %s\nstored_size = %" PRIu64 "\npushed = %s\n",
		 sha256, size, codec->name, o->encrypt ? "encryption = age\n" : "", stats.sha256,
		 stats.stored_bytes, stamp);
	key_wal(key, name, ".meta");
	if (store_write_small(s, key, text) < 0)
		goto out;
	log_info("archived %s: %.1f MiB, stored %.1f MiB", name, size / 1048576.0,
		 stats.stored_bytes / 1048576.0);
	rc = 0;
out:
	close(fd);
	return rc;
}

/* Copies source into fd, hashing it. Returns 0 or -1; closes source. */
static int write_out(struct source *src, int fd, const char *tmp, char *hex, uint64_t *size)
{
	static char buf[CHUNK];
	struct digest d;
	ssize_t n;
	int rc = -1;

	*size = 0;
	if (digest_begin(&d) < 0) {
		source_close(src);
		return -1;
	}
	while ((n = source_read(src, buf, sizeof(buf))) > 0) {
		digest_add(&d, buf, (size_t)n);
		*size += (uint64_t)n;
		if (fs_write_all(fd, buf, (size_t)n) < 0) {
			fail(EXIT_RESTORE, "cannot write %s: %s", tmp, strerror(errno));
			break;
		}
	}
	if (n == 0)
		rc = 0;
	source_close(src);
	if (rc == 0)
		digest_end(&d, hex);
	else
		digest_discard(&d);
	return rc;
}

int wal_fetch(const struct engine_options *o, struct store *s, const char *name, const char *path)
{
	static const struct age_keys none;
	char key[KEY_MAX], tmp[4200], sha256[DIGEST_HEX_LEN + 1], suffix[32];
	struct pipeline_stats stored;
	struct source *src = NULL;
	const struct codec *codec;
	struct wal_meta meta;
	uint64_t size;
	int fd, found, rc = -1;

	if (wal_name_kind(name) == WAL_INVALID) {
		fail(EXIT_USAGE,
		     "wal-fetch: %s is not a WAL file name (use restore_command = 'recover "
		     "wal-fetch %%f %%p')",
		     name);
		return -1;
	}
	found = read_meta(s, name, &meta);
	if (found != 0) {
		/* PostgreSQL asks for files that may not exist: that is an answer, not damage. */
		if (found == 1)
			fail(EXIT_NOT_FOUND, "%s is not in the WAL archive", name);
		return -1;
	}
	codec = codec_find(meta.compression);
	if (codec == NULL)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s.tierdump-XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		fail(EXIT_RESTORE, "cannot create %s: %s", tmp, strerror(errno));
		return -1;
	}
	key_wal(key, name, stored_suffix(codec, meta.encryption[0] != '\0', suffix));
	/* Decrypted after hashing: the record's stored_sha256 is of the encrypted object. */
	if (store_get(s, key, &src) < 0 || (src = pipeline_hash_source(src, &stored)) == NULL ||
	    (meta.encryption[0] != '\0' &&
	     (src = age_source(src, o->age != NULL ? o->age : &none, key, NULL)) == NULL) ||
	    (src = codec->source(src, key)) == NULL)
		goto out;
	if (write_out(src, fd, tmp, sha256, &size) < 0)
		goto out;
	if (stored.stored_bytes != meta.stored_size ||
	    strcmp(stored.sha256, meta.stored_sha256) != 0 || size != meta.size ||
	    strcmp(sha256, meta.sha256) != 0) {
		fail(EXIT_CORRUPT, "%s does not match its checksums in the archive: it is damaged",
		     key);
		goto out;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		fd = -1;
		fail(EXIT_RESTORE, "cannot write %s: %s", path, strerror(errno));
		goto out;
	}
	fd = -1;
	log_info("restored %s from the archive", name);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		unlink(tmp);
	return rc;
}

/* ------------------------------------------------------------- the archive */

struct listing {
	char **objects;
	size_t n;
};

static int on_object(const char *name, int is_dir, long long size, void *arg)
{
	struct listing *l = arg;
	char file[64];

	(void)size;
	if (is_dir || wal_name_of_object(name, file, sizeof(file)) == WAL_INVALID)
		return 0;
	return strlist_add(&l->objects, &l->n, name) < 0 ? -1 : 0;
}

static int list_archive(struct store *s, struct listing *l)
{
	memset(l, 0, sizeof(*l));
	return store_list(s, KEY_WAL_AREA, on_object, l);
}

/* The first segment the oldest complete base backup needs, or "" when there is none. */
static int oldest_needed(struct store *s, char *segment, char *which, size_t which_len)
{
	struct catalog cat;

	segment[0] = '\0';
	if (catalog_scan_all(s, &cat) < 0)
		return -1;
	for (size_t i = 0; i < cat.n; i++) {
		const struct manifest *m = cat.refs[i].manifest;

		if (!physical_is_base(m) || m->partial)
			continue;
		if (segment[0] == '\0' || wal_name_obsolete(m->wal_start_segment, segment)) {
			snprintf(segment, WAL_SEGMENT_LEN + 1, "%s", m->wal_start_segment);
			snprintf(which, which_len, "%s/%s", cat.refs[i].tier, cat.refs[i].stamp);
		}
	}
	catalog_free(&cat);
	return 0;
}

int wal_retain(struct store *s)
{
	char oldest[WAL_SEGMENT_LEN + 1], which[64];
	struct listing l;
	size_t removed = 0;
	int rc = 0;

	/* Most stores have no archive: one listing says so before the catalog is read. */
	if (list_archive(s, &l) < 0)
		return -1;
	oldest[0] = '\0';
	if (l.n > 0 && oldest_needed(s, oldest, which, sizeof(which)) < 0)
		rc = -1;
	if (oldest[0] == '\0') { /* no archive, or no base backup to say what is old */
		strlist_free(l.objects, l.n);
		return rc;
	}
	/* The records first: a file without one is not archived, never half-archived. */
	for (int pass = 0; pass < 2 && rc == 0; pass++) {
		for (size_t i = 0; i < l.n && rc == 0; i++) {
			char file[64], key[KEY_MAX];
			int is_meta = strlen(l.objects[i]) > 5 &&
				      strcmp(l.objects[i] + strlen(l.objects[i]) - 5, ".meta") == 0;

			wal_name_of_object(l.objects[i], file, sizeof(file));
			if (is_meta != (pass == 0) || !wal_name_obsolete(file, oldest))
				continue;
			rc = store_remove(s, key_wal(key, l.objects[i], ""));
			removed += is_meta;
		}
	}
	if (rc == 0 && removed > 0)
		log_info("removed %zu archived WAL file(s) older than %s, the first the oldest "
			 "base backup (%s) needs",
			 removed, oldest, which);
	strlist_free(l.objects, l.n);
	return rc;
}

int wal_newest(struct store *s, char *name, time_t *pushed)
{
	struct wal_meta meta;
	struct listing l;
	int rc = 1;

	name[0] = '\0';
	if (list_archive(s, &l) < 0)
		return -1;
	for (size_t i = 0; i < l.n; i++) {
		char file[64];

		if (wal_name_of_object(l.objects[i], file, sizeof(file)) != WAL_SEGMENT ||
		    strstr(l.objects[i], ".meta") == NULL)
			continue;
		/* By position first, then by timeline. */
		if (name[0] == '\0' || strcmp(file + 8, name + 8) > 0 ||
		    (strcmp(file + 8, name + 8) == 0 && strcmp(file, name) > 0))
			snprintf(name, WAL_SEGMENT_LEN + 1, "%s", file);
	}
	strlist_free(l.objects, l.n);
	if (name[0] != '\0') {
		rc = read_meta(s, name, &meta);
		*pushed = meta.pushed;
	}
	return rc;
}
