/*
 * The S3 store (AWS and S3-compatible), over libcurl with its SigV4 signing.
 * Objects have no rename: a backup is written in place and becomes visible
 * when its manifest, written last, exists. Uploads stream as multipart with
 * a part size that grows so any dump fits the provider's part limit;
 * promotion is a server-side copy; temporary failures are retried with
 * capped exponential backoff, a 4xx other than throttling never is.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"
#include "util/signals.h"
#include "store/s3/internal.h"
#include "store/s3/xml.h"

/* ------------------------------------------------------------------- source */

/*
 * A download runs on its own thread into a pipe that read() drains, so a
 * dump streams into the restore without a temporary file.
 */
struct s3_source {
	struct source base;
	struct s3 *s;
	char *key;
	char label[1100]; /* "KEY from S3", for messages */
	int fd;		  /* our end of the pipe */
	struct pipe_thread t;
	int rc; /* the download's result, once joined */
	struct request r;
};

static void download(struct pipe_thread *t, void *arg)
{
	struct s3_source *src = arg;

	src->r.stream_fd = t->fd;
	src->rc = s3_perform(src->s, &src->r);
}

static ssize_t s3_source_read(struct source *base, void *buf, size_t len)
{
	struct s3_source *src = (struct s3_source *)base;
	ssize_t n = pipe_thread_read(&src->t, src->fd, buf, len, src->label);

	if (n == 0 && src->rc != 0)
		return -1; /* the download failed, and said why */
	return n;
}

static void s3_source_close(struct source *base)
{
	struct s3_source *src = (struct s3_source *)base;

	close(src->fd); /* a download still running fails its next write and stops */
	pipe_thread_destroy(&src->t);
	s3_request_free(&src->r);
	free(src->key);
	free(src);
}

static int s3_get(struct store *st, const char *key, struct source **out)
{
	struct s3_source *src = calloc(1, sizeof(*src));

	if (src == NULL || (src->key = strdup(key)) == NULL) {
		free(src);
		fail(EXIT_INTERNAL, "cannot set up the download of %s", key);
		return -1;
	}
	src->s = st->priv;
	snprintf(src->label, sizeof(src->label), "%s from S3", key);
	src->r.method = "GET";
	src->r.key = src->key;
	src->r.progress = &src->t;
	src->base.read = s3_source_read;
	src->base.close = s3_source_close;
	src->fd = pipe_thread_start(&src->t, 0, download, src);
	if (src->fd < 0) {
		s3_source_close(&src->base);
		fail(EXIT_INTERNAL, "cannot start the download of %s", key);
		return -1;
	}
	/* Wait for the answer's start: a missing object is not an error here. */
	pipe_thread_wait_started(&src->t);
	if (src->r.status == 404 || (src->r.status / 100 != 2 && src->r.status != 0)) {
		int missing = src->r.status == 404;

		pipe_thread_join(&src->t);
		if (missing && src->rc == 1) {
			s3_source_close(&src->base);
			return 1;
		}
		if (src->rc != 0) {
			s3_source_close(&src->base);
			return -1;
		}
	}
	*out = &src->base;
	return 0;
}

/* ------------------------------------------------------------------ listing */

struct listing {
	struct s3 *s;
	size_t skip;	  /* the length of the listed prefix, cut from names */
	char token[1024]; /* NextContinuationToken */
	int truncated;
	char key[2048]; /* the Contents entry being read */
	store_list_cb cb;
	void *arg;
	int stop;
	struct buf keys; /* or: every key, NUL-separated (for remove) */
	int collect;
};

static void on_list_text(void *arg, const char *path, const char *text)
{
	struct listing *l = arg;
	size_t plen = strlen(l->s->prefix);

	if (strcmp(path, "ListBucketResult/IsTruncated") == 0) {
		l->truncated = strcmp(text, "true") == 0;
	} else if (strcmp(path, "ListBucketResult/NextContinuationToken") == 0) {
		snprintf(l->token, sizeof(l->token), "%s", text);
	} else if (strcmp(path, "ListBucketResult/Contents/Key") == 0) {
		snprintf(l->key, sizeof(l->key), "%s", text);
		if (l->collect && strlen(text) > plen)
			s3_buf_add(&l->keys, text + plen, strlen(text) - plen + 1);
	} else if (strcmp(path, "ListBucketResult/Contents/Size") == 0 && !l->collect && !l->stop &&
		   strlen(l->key) > l->skip) {
		l->stop = l->cb(l->key + l->skip, 0, atoll(text), l->arg) != 0;
	} else if (strcmp(path, "ListBucketResult/CommonPrefixes/Prefix") == 0 && !l->collect &&
		   !l->stop && strlen(text) > l->skip + 1) {
		char name[1024];

		snprintf(name, sizeof(name), "%.*s", (int)(strlen(text) - l->skip - 1),
			 text + l->skip);
		if (name[0] != '.')
			l->stop = l->cb(name, 1, -1, l->arg) != 0;
	}
}

/* Appends "name=value" with the value RFC 3986-encoded ('/' too). */
static void query_param(char *q, size_t len, const char *name, const char *value)
{
	char enc[3200] = "";

	s3_encode_key(enc, sizeof(enc), value);
	for (char *p = strchr(enc, '/'); p != NULL; p = strchr(p, '/')) {
		memmove(p + 3, p + 1, strlen(p + 1) + 1);
		memcpy(p, "%2F", 3);
	}
	snprintf(q + strlen(q), len - strlen(q), "%s%s=%s", q[0] ? "&" : "", name, enc);
}

/* ListObjectsV2 below prefix: by level (delimiter) or every key. */
static int list_objects(struct s3 *s, const char *prefix, int by_level, struct listing *l)
{
	char full[2048];

	snprintf(full, sizeof(full), "%s%s%s", s->prefix, prefix, *prefix ? "/" : "");
	l->s = s;
	l->skip = strlen(full);
	do {
		char query[4096] = "";
		struct request r;
		int rc;

		/* Canonical order: the parameters sorted by name. */
		if (l->token[0] != '\0' && l->truncated)
			query_param(query, sizeof(query), "continuation-token", l->token);
		if (by_level)
			query_param(query, sizeof(query), "delimiter", "/");
		query_param(query, sizeof(query), "list-type", "2");
		query_param(query, sizeof(query), "prefix", full);
		l->truncated = 0;
		rc = s3_simple(s, "GET", NULL, query, NULL, &r);
		if (rc == 0 && r.response.data != NULL &&
		    xml_walk(r.response.data, r.response.len, on_list_text, l) < 0) {
			fail(EXIT_STORE, "S3 answered the listing of %s with malformed XML", full);
			rc = -1;
		}
		s3_request_free(&r);
		if (rc != 0)
			return rc == 1 ? 0 : -1; /* a missing prefix lists nothing */
	} while (l->truncated && !l->stop);
	return 0;
}

static int s3_list(struct store *st, const char *prefix, store_list_cb cb, void *arg)
{
	struct listing l;

	memset(&l, 0, sizeof(l));
	l.cb = cb;
	l.arg = arg;
	return list_objects(st->priv, prefix, 1, &l);
}

/* Content-MD5, which DeleteObjects requires: base64 of the body's MD5. */
static void content_md5(const char *body, size_t len, char *header, size_t hlen)
{
	unsigned char digest[16], b64[32];
	unsigned int n = 0;

	EVP_Digest(body, len, digest, &n, EVP_md5(), NULL);
	EVP_EncodeBlock(b64, digest, (int)n);
	snprintf(header, hlen, "Content-MD5: %s", b64);
}

/* Deletes up to DELETE_BATCH keys (NUL-separated in keys) with one DeleteObjects. */
static int delete_batch(struct s3 *s, const char *keys, size_t len)
{
	struct buf body = {0};
	char header[64], full[2200];
	struct request r;
	int rc = -1;

	s3_buf_add(&body, "<Delete><Quiet>true</Quiet>", 27);
	for (size_t off = 0; off < len; off += strlen(keys + off) + 1) {
		char entry[2400] = "<Object><Key>";

		snprintf(full, sizeof(full), "%s%s", s->prefix, keys + off);
		xml_escape(entry, sizeof(entry), full);
		strcat(entry, "</Key></Object>");
		if (s3_buf_add(&body, entry, strlen(entry)) < 0)
			goto out;
	}
	if (s3_buf_add(&body, "</Delete>", 9) < 0)
		goto out;
	content_md5(body.data, body.len, header, sizeof(header));
	memset(&r, 0, sizeof(r));
	r.method = "POST";
	r.query = "delete=";
	r.body = body.data;
	r.body_len = body.len;
	r.header = header;
	r.stream_fd = -1;
	rc = s3_perform(s, &r);
	/* Quiet mode lists only the keys it could not delete. */
	if (rc == 0 && r.response.data != NULL && strstr(r.response.data, "<Error>") != NULL) {
		fail(EXIT_STORE, "S3 could not delete every object of a backup");
		rc = -1;
	}
	s3_request_free(&r);
out:
	free(body.data);
	return rc == 0 ? 0 : -1;
}

/* Removes a backup: its manifest first, so it stops being listed, then the rest in batches. */
static int s3_remove(struct store *st, const char *key)
{
	struct s3 *s = st->priv;
	struct buf rest = {0};
	struct listing l;
	char manifest[1024];
	int rc = 0;

	memset(&l, 0, sizeof(l));
	l.collect = 1;
	if (list_objects(s, key, 0, &l) < 0) {
		free(l.keys.data);
		return -1;
	}
	snprintf(manifest, sizeof(manifest), "%s/" STORE_MARKER, key);
	for (size_t off = 0; off < l.keys.len && rc == 0; off += strlen(l.keys.data + off) + 1)
		if (strcmp(l.keys.data + off, manifest) == 0)
			rc = delete_batch(s, manifest, strlen(manifest) + 1);
	/* The rest, the manifest left out, DELETE_BATCH keys a request. */
	for (size_t off = 0; off < l.keys.len && rc == 0; off += strlen(l.keys.data + off) + 1) {
		const char *k = l.keys.data + off;

		if (strcmp(k, manifest) != 0 && s3_buf_add(&rest, k, strlen(k) + 1) < 0)
			rc = -1;
	}
	for (size_t start = 0, off = 0, count = 0; off < rest.len && rc == 0;) {
		off += strlen(rest.data + off) + 1;
		if (++count == DELETE_BATCH || off >= rest.len) {
			rc = delete_batch(s, rest.data + start, off - start);
			start = off;
			count = 0;
		}
	}
	free(rest.data);
	free(l.keys.data);
	return rc;
}

/* ------------------------------------------------------------ the rest */

/* S3's storage classes (PutObject's x-amz-storage-class). */
static const char *const storage_classes[] = {"STANDARD",
					      "REDUCED_REDUNDANCY",
					      "STANDARD_IA",
					      "ONEZONE_IA",
					      "INTELLIGENT_TIERING",
					      "GLACIER",
					      "DEEP_ARCHIVE",
					      "OUTPOSTS",
					      "GLACIER_IR",
					      "SNOW",
					      "EXPRESS_ONEZONE",
					      NULL};

/* The storage class and encryption headers of every object the store creates. */
static int s3_object_headers(struct s3 *s, const struct store_options *o)
{
	int n = 0;

	if (o->s3_storage_class != NULL) {
		size_t i = 0;

		while (storage_classes[i] != NULL &&
		       strcmp(storage_classes[i], o->s3_storage_class))
			i++;
		if (storage_classes[i] == NULL) {
			fail(EXIT_CONFIG,
			     "S3_STORAGE_CLASS=%s is not an S3 storage class (use STANDARD, "
			     "STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR, GLACIER, "
			     "DEEP_ARCHIVE, REDUCED_REDUNDANCY, OUTPOSTS, SNOW or EXPRESS_ONEZONE)",
			     o->s3_storage_class);
			return -1;
		}
		snprintf(s->object_headers[n++], sizeof(s->object_headers[0]),
			 "x-amz-storage-class: %s", o->s3_storage_class);
	}
	if (o->s3_sse != NULL && strcmp(o->s3_sse, "AES256") != 0 &&
	    strcmp(o->s3_sse, "aws:kms") != 0 && strcmp(o->s3_sse, "aws:kms:dsse") != 0) {
		fail(EXIT_CONFIG,
		     "S3_SSE=%s is not a server-side encryption (use AES256, aws:kms "
		     "or aws:kms:dsse)",
		     o->s3_sse);
		return -1;
	}
	if (o->s3_sse_kms_key_id != NULL &&
	    (o->s3_sse == NULL || strncmp(o->s3_sse, "aws:kms", 7) != 0)) {
		fail(EXIT_CONFIG, "S3_SSE_KMS_KEY_ID needs S3_SSE=aws:kms (or aws:kms:dsse)");
		return -1;
	}
	if (o->s3_sse != NULL)
		snprintf(s->object_headers[n++], sizeof(s->object_headers[0]),
			 "x-amz-server-side-encryption: %s", o->s3_sse);
	if (o->s3_sse_kms_key_id != NULL)
		snprintf(s->object_headers[n++], sizeof(s->object_headers[0]),
			 "x-amz-server-side-encryption-aws-kms-key-id: %s", o->s3_sse_kms_key_id);
	return 0;
}

static int s3_open(struct store *st, const char *location, const struct store_options *o)
{
	const char *rest = location + strlen("s3://"), *slash = strchr(rest, '/');
	struct s3 *s = calloc(1, sizeof(*s));
	size_t plen;

	if (s == NULL)
		return -1;
	st->priv = s;
	s->bucket = slash ? strndup(rest, (size_t)(slash - rest)) : strdup(rest);
	s->prefix = malloc(strlen(slash ? slash : "") + 2);
	if (s->bucket == NULL || s->prefix == NULL || *s->bucket == '\0') {
		fail(EXIT_CONFIG, "BACKUP_STORE=%s names no bucket (use s3://bucket/prefix)",
		     location);
		return -1;
	}
	strcpy(s->prefix, slash ? slash + 1 : "");
	plen = strlen(s->prefix);
	if (plen > 0 && s->prefix[plen - 1] != '/')
		strcat(s->prefix, "/");
	if (s3_creds_init(&s->creds, o) < 0 || s3_object_headers(s, o) < 0)
		return -1;
	s->region = strdup(o->s3_region ? o->s3_region : "us-east-1");
	s->endpoint = o->s3_endpoint ? strdup(o->s3_endpoint) : NULL;
	if (s->endpoint != NULL && s->endpoint[strlen(s->endpoint) - 1] == '/')
		s->endpoint[strlen(s->endpoint) - 1] = '\0';
	s->max_parts = o->s3_max_parts > 0 ? o->s3_max_parts : 10000;
	s->retries = o->retries >= 0 ? o->retries : 5;
	s->max_rate = o->max_rate;
	s->copy_limit = o->s3_copy_limit > 0 ? o->s3_copy_limit : 5LL * 1024 * 1024 * 1024;
	snprintf(s->sigv4, sizeof(s->sigv4), "aws:amz:%s:s3", s->region);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	return 0;
}

static void s3_close(struct store *st)
{
	struct s3 *s = st->priv;

	if (s == NULL)
		return;
	free(s->endpoint);
	free(s->bucket);
	free(s->prefix);
	free(s->region);
	s3_creds_free(&s->creds);
	free(s);
}

const struct store_ops store_s3_ops = {
    .name = "s3",
    /* No rename: the manifest, written last, makes a backup visible. */
    .features = STORE_CHUNKS,
    .open = s3_open,
    .close = s3_close,
    .put = s3_put,
    .get = s3_get,
    .list = s3_list,
    .link_or_copy = s3_link_or_copy,
    .remove = s3_remove,
    .publish = NULL,
};
