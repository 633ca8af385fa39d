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
#include <time.h>
#include <unistd.h>

#include "../util/log.h"
#include "../util/signals.h"
#include "s3_xml.h"
#include "store.h"

enum { FIRST_PART = 8 * 1024 * 1024, MAX_BACKOFF_MS = 8000, DELETE_BATCH = 1000 };

struct s3 {
	char *endpoint; /* scheme://host[:port], path-style; NULL: AWS's virtual hosts */
	char *bucket, *prefix; /* prefix is "" or ends with '/' */
	char *region, *key_id, *secret;
	char sigv4[96];
	long max_parts, retries;
	long long copy_limit; /* above it, promotion copies in parts (UploadPartCopy) */
};

struct buf {
	char *data;
	size_t len, cap;
};

static int buf_add(struct buf *b, const void *data, size_t len)
{
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		char *grown;

		while (cap < b->len + len + 1)
			cap *= 2;
		grown = realloc(b->data, cap);
		if (grown == NULL)
			return -1;
		b->data = grown;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

/* ------------------------------------------------------------------ requests */

struct request {
	const char *method;
	const char *key;   /* below the store's prefix; NULL: the bucket itself */
	const char *query; /* already canonical: sorted and encoded */
	const void *body;
	size_t body_len;
	const char *header, *header2; /* extra headers, or NULL */
	long long length; /* HEAD: the object's size */
	int stream_fd;      /* >= 0: the response body goes there, not into response */
	/* results */
	long status;
	struct buf response;
	int streamed; /* body bytes reached stream_fd: no retry is possible */
	/* for get(): the first body byte or the end, whichever comes first */
	pthread_mutex_t *lock;
	pthread_cond_t *started_cond;
	int *started;
	char *etag; /* receives the ETag response header when set (128 bytes) */
	CURL *curl; /* during an attempt */
};

/*
 * RFC 3986 encoding of a key, '/' kept (what SigV4's canonical URI wants),
 * and the characters in keep as they are.
 */
static void encode_keep(char *out, size_t len, const char *key, const char *keep)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t used = strlen(out);

	for (; *key != '\0' && used + 4 < len; key++) {
		unsigned char c = (unsigned char)*key;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    strchr("-_.~/", c) != NULL || strchr(keep, c) != NULL) {
			out[used++] = (char)c;
		} else {
			out[used++] = '%';
			out[used++] = hex[c >> 4];
			out[used++] = hex[c & 15];
		}
	}
	out[used] = '\0';
}

static void encode_key(char *out, size_t len, const char *key)
{
	encode_keep(out, len, key, "");
}

static void url_of(const struct s3 *s, const struct request *r, char *url, size_t len)
{
	char full[2048];

	snprintf(full, sizeof(full), "%s%s", s->prefix, r->key ? r->key : "");
	if (s->endpoint != NULL)
		snprintf(url, len, "%s/%s%s", s->endpoint, s->bucket, r->key ? "/" : "");
	else
		snprintf(url, len, "https://%s.s3.%s.amazonaws.com/", s->bucket, s->region);
	if (r->key != NULL)
		encode_key(url, len, full);
	if (r->query != NULL)
		snprintf(url + strlen(url), len - strlen(url), "?%s", r->query);
}

static void sha256_hex(const void *data, size_t len, char *hex)
{
	unsigned char digest[32];
	unsigned int n = 0;

	EVP_Digest(data, len, digest, &n, EVP_sha256(), NULL);
	for (unsigned int i = 0; i < n; i++)
		sprintf(hex + 2 * i, "%02x", digest[i]);
}

static void mark_started(struct request *r)
{
	if (r->started == NULL)
		return;
	pthread_mutex_lock(r->lock);
	*r->started = 1;
	pthread_cond_broadcast(r->started_cond);
	pthread_mutex_unlock(r->lock);
}

/* Response bodies: streamed to stream_fd when the status is 2xx, else kept for the error. */
static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct request *r = arg;
	size_t len = size * n, done = 0;
	long status = 0;

	curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &status);
	if (r->stream_fd < 0 || status / 100 != 2)
		return buf_add(&r->response, data, len) == 0 ? len : 0;
	r->status = status;
	mark_started(r);
	while (done < len) {
		ssize_t w = write(r->stream_fd, data + done, len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return 0; /* the reader went away: abort the transfer */
		done += (size_t)w;
	}
	r->streamed = 1;
	return len;
}

/* The Code and Message of an S3 error document. */
struct error_doc {
	char code[128], message[512];
};

static void on_error_text(void *arg, const char *path, const char *text)
{
	struct error_doc *e = arg;

	if (strcmp(path, "Error/Code") == 0)
		snprintf(e->code, sizeof(e->code), "%s", text);
	else if (strcmp(path, "Error/Message") == 0)
		snprintf(e->message, sizeof(e->message), "%s", text);
}

static int retryable(CURLcode rc, long status)
{
	return rc != CURLE_OK ? rc != CURLE_WRITE_ERROR && rc != CURLE_ABORTED_BY_CALLBACK
			      : status >= 500 || status == 429;
}

/* Catches the ETag response header of an UploadPart. */
static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
	size_t len = size * n;

	if (len > 5 && strncasecmp(data, "etag:", 5) == 0) {
		char *etag = arg;
		size_t start = 5;

		while (start < len && data[start] == ' ')
			start++;
		snprintf(etag, 128, "%.*s", (int)(len - start), data + start);
		etag[strcspn(etag, "\r\n")] = '\0';
	}
	return len;
}

/* One attempt; sets r->status. Returns the curl result. */
static CURLcode attempt(const struct s3 *s, struct request *r)
{
	char url[4096], hash[65], header[128];
	struct curl_slist *headers = NULL;
	CURLcode rc;
	CURL *curl = curl_easy_init();

	if (curl == NULL)
		return CURLE_OUT_OF_MEMORY;
	r->curl = curl;
	r->response.len = 0;
	url_of(s, r, url, sizeof(url));
	sha256_hex(r->body ? r->body : "", r->body ? r->body_len : 0, hash);
	snprintf(header, sizeof(header), "x-amz-content-sha256: %s", hash);
	headers = curl_slist_append(headers, header);
	if (r->header != NULL)
		headers = curl_slist_append(headers, r->header);
	if (r->header2 != NULL)
		headers = curl_slist_append(headers, r->header2);
	if (r->body != NULL)
		headers = curl_slist_append(headers, "Content-Type: application/octet-stream");
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, r->method);
	if (strcmp(r->method, "HEAD") == 0) {
		curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
	} else if (strcmp(r->method, "GET") != 0) {
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, r->body ? r->body : "");
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
	}
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, s->sigv4);
	curl_easy_setopt(curl, CURLOPT_USERNAME, s->key_id);
	curl_easy_setopt(curl, CURLOPT_PASSWORD, s->secret);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, r);
	if (r->etag != NULL) {
		curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(curl, CURLOPT_HEADERDATA, r->etag);
	}
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 15L);
	/* A stalled transfer (under 1 KiB/s for a minute) counts as a timeout. */
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1024L);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	rc = curl_easy_perform(curl);
	r->status = 0;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
	{
		curl_off_t length = -1;

		curl_easy_getinfo(curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
		r->length = (long long)length;
	}
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	r->curl = NULL;
	return rc;
}

/*
 * Performs a request, retrying temporary failures. Returns 0 on 2xx, 1 on
 * 404 (nothing logged), or -1 after fail() naming the object and the fix.
 */
static int perform(const struct s3 *s, struct request *r)
{
	long delay = 500;
	CURLcode rc = CURLE_OK;

	for (long i = 0;; i++) {
		struct timespec pause;

		rc = attempt(s, r);
		if (rc == CURLE_OK && r->status / 100 == 2)
			break;
		if (rc == CURLE_OK && r->status == 404 &&
		    strstr(r->response.data ? r->response.data : "", "NoSuchBucket") == NULL) {
			mark_started(r);
			return 1;
		}
		if (!retryable(rc, r->status) || r->streamed || i >= s->retries ||
		    signals_stop_requested())
			goto failed;
		log_warn("S3 %s %s: %s; retrying in %ld ms (%ld of %ld)", r->method,
			 r->key ? r->key : s->bucket,
			 rc != CURLE_OK ? curl_easy_strerror(rc) : "server error", delay, i + 1,
			 s->retries);
		pause.tv_sec = delay / 1000;
		pause.tv_nsec = (delay % 1000) * 1000000L;
		nanosleep(&pause, NULL);
		delay = delay * 2 > MAX_BACKOFF_MS ? MAX_BACKOFF_MS : delay * 2;
	}
	mark_started(r);
	return 0;
failed:
	mark_started(r);
	if (rc != CURLE_OK) {
		fail(EXIT_STORE, "S3 %s %s failed: %s (check AWS_ENDPOINT_URL and that the server runs)",
		     r->method, r->key ? r->key : s->bucket, curl_easy_strerror(rc));
	} else {
		struct error_doc e = {"", ""};

		if (r->response.data != NULL)
			xml_walk(r->response.data, r->response.len, on_error_text, &e);
		fail(r->status == 403 ? EXIT_AUTH : EXIT_STORE, "S3 %s %s failed: HTTP %ld %s%s%s%s",
		     r->method, r->key ? r->key : s->bucket, r->status, e.code,
		     e.message[0] ? ": " : "", e.message,
		     r->status == 403 ? " (check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)" : "");
	}
	return -1;
}

static void request_free(struct request *r)
{
	free(r->response.data);
	r->response.data = NULL;
}

/* A request with no body whose answer is wanted in r->response. */
static int simple(const struct s3 *s, const char *method, const char *key, const char *query,
		  const char *header, struct request *r)
{
	memset(r, 0, sizeof(*r));
	r->method = method;
	r->key = key;
	r->query = query;
	r->header = header;
	r->stream_fd = -1;
	return perform(s, r);
}

/* --------------------------------------------------------------------- sink */

struct s3_sink {
	struct sink base;
	struct s3 *s;
	char *key;
	unsigned char *part;
	size_t len, cap;
	char upload_id[256];
	int parts;
	struct buf etags; /* the CompleteMultipartUpload body, built as parts go */
};

static void on_upload_text(void *arg, const char *path, const char *text)
{
	if (strcmp(path, "InitiateMultipartUploadResult/UploadId") == 0)
		snprintf(arg, 256, "%s", text);
}

static int start_multipart(struct s3_sink *k)
{
	struct request r;
	int rc = simple(k->s, "POST", k->key, "uploads=", NULL, &r);

	if (rc == 0 && r.response.data != NULL)
		xml_walk(r.response.data, r.response.len, on_upload_text, k->upload_id);
	request_free(&r);
	if (rc == 0 && k->upload_id[0] == '\0') {
		fail(EXIT_STORE, "S3 did not start a multipart upload for %s", k->key);
		return -1;
	}
	return rc == 0 ? 0 : -1;
}

static int upload_part(struct s3_sink *k)
{
	char query[400], etag[128] = "", entry[512];
	struct request r;
	int rc;

	k->parts++;
	snprintf(query, sizeof(query), "partNumber=%d&uploadId=%s", k->parts, k->upload_id);
	memset(&r, 0, sizeof(r));
	r.method = "PUT";
	r.key = k->key;
	r.query = query;
	r.body = k->part;
	r.body_len = k->len;
	r.stream_fd = -1;
	r.etag = etag;
	rc = perform(k->s, &r);
	request_free(&r);
	if (rc != 0) {
		if (rc == 1)
			fail(EXIT_STORE, "S3 lost the multipart upload of %s", k->key);
		return -1;
	}
	snprintf(entry, sizeof(entry), "<Part><PartNumber>%d</PartNumber><ETag>", k->parts);
	xml_escape(entry, sizeof(entry), etag);
	strcat(entry, "</ETag></Part>");
	k->len = 0;
	/* Grow the part so any dump fits the part limit: doubled every tenth of it. */
	if (k->parts % (k->s->max_parts / 10 > 0 ? k->s->max_parts / 10 : 1) == 0) {
		unsigned char *grown = realloc(k->part, k->cap * 2);

		if (grown != NULL) {
			k->part = grown;
			k->cap *= 2;
		}
	}
	return buf_add(&k->etags, entry, strlen(entry));
}

static int s3_sink_write(struct sink *base, const void *data, size_t len)
{
	struct s3_sink *k = (struct s3_sink *)base;

	while (len > 0) {
		size_t n = k->cap - k->len < len ? k->cap - k->len : len;

		memcpy(k->part + k->len, data, n);
		k->len += n;
		data = (const char *)data + n;
		len -= n;
		if (k->len == k->cap) {
			if (k->parts >= k->s->max_parts) {
				fail(EXIT_STORE, "%s needs more than %ld parts", k->key, k->s->max_parts);
				return -1;
			}
			if ((k->upload_id[0] == '\0' && start_multipart(k) < 0) || upload_part(k) < 0)
				return -1;
		}
	}
	return 0;
}

static void s3_sink_free(struct s3_sink *k)
{
	free(k->key);
	free(k->part);
	free(k->etags.data);
	free(k);
}

/* Best effort: a server that cannot abort expires the parts itself. */
static void abort_multipart(struct s3_sink *k)
{
	char query[300];
	struct request r;

	if (k->upload_id[0] == '\0')
		return;
	snprintf(query, sizeof(query), "uploadId=%s", k->upload_id);
	memset(&r, 0, sizeof(r));
	r.method = "DELETE";
	r.key = k->key;
	r.query = query;
	r.stream_fd = -1;
	if (attempt(k->s, &r) != CURLE_OK || r.status / 100 != 2)
		log_warn("could not abort the multipart upload of %s (HTTP %ld)", k->key, r.status);
	request_free(&r);
}

/* CompleteMultipartUpload with the parts listed so far. Returns 0 or -1 after fail(). */
static int complete_multipart(struct s3_sink *k)
{
	char query[300];
	struct buf body = {0};
	struct request r;
	int rc = -1;

	snprintf(query, sizeof(query), "uploadId=%s", k->upload_id);
	if (buf_add(&body, "<CompleteMultipartUpload>", 25) < 0 ||
	    buf_add(&body, k->etags.data, k->etags.len) < 0 ||
	    buf_add(&body, "</CompleteMultipartUpload>", 26) < 0)
		goto out;
	memset(&r, 0, sizeof(r));
	r.method = "POST";
	r.key = k->key;
	r.query = query;
	r.body = body.data;
	r.body_len = body.len;
	r.stream_fd = -1;
	rc = perform(k->s, &r);
	/* S3 may answer 200 with an error document inside. */
	if (rc == 0 && r.response.data != NULL && strstr(r.response.data, "<Error>") != NULL) {
		fail(EXIT_STORE, "S3 could not complete the upload of %s", k->key);
		rc = -1;
	}
	request_free(&r);
out:
	free(body.data);
	return rc == 0 ? 0 : -1;
}

static void s3_sink_abort(struct sink *base)
{
	struct s3_sink *k = (struct s3_sink *)base;

	abort_multipart(k);
	s3_sink_free(k);
}

static int s3_sink_commit(struct sink *base)
{
	struct s3_sink *k = (struct s3_sink *)base;
	struct request r;
	int rc;

	if (k->upload_id[0] == '\0') {
		memset(&r, 0, sizeof(r));
		r.method = "PUT";
		r.key = k->key;
		r.body = k->part;
		r.body_len = k->len;
		r.stream_fd = -1;
		rc = perform(k->s, &r);
		request_free(&r);
		s3_sink_free(k);
		return rc == 0 ? 0 : -1;
	}
	if ((k->len > 0 && upload_part(k) < 0) || complete_multipart(k) < 0) {
		s3_sink_abort(base);
		return -1;
	}
	s3_sink_free(k);
	return 0;
}

static int s3_put(struct store *st, const char *key, struct sink **out)
{
	struct s3_sink *k = calloc(1, sizeof(*k));

	if (k == NULL || (k->key = strdup(key)) == NULL ||
	    (k->part = malloc(FIRST_PART)) == NULL) {
		if (k != NULL)
			s3_sink_free(k);
		fail(EXIT_INTERNAL, "out of memory");
		return -1;
	}
	k->s = st->priv;
	k->cap = FIRST_PART;
	k->base.write = s3_sink_write;
	k->base.commit = s3_sink_commit;
	k->base.abort = s3_sink_abort;
	*out = &k->base;
	return 0;
}

/* ------------------------------------------------------------------- source */

/*
 * A download runs on its own thread into a pipe that read() drains, so a
 * dump streams into the restore without a temporary file.
 */
struct s3_source {
	struct source base;
	struct s3 *s;
	char *key;
	int fds[2];
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t started_cond;
	int started;
	int rc; /* the download's result, once joined */
	struct request r;
};

static void *download(void *arg)
{
	struct s3_source *src = arg;

	src->rc = perform(src->s, &src->r);
	close(src->fds[1]);
	src->fds[1] = -1;
	return NULL;
}

static ssize_t s3_source_read(struct source *base, void *buf, size_t len)
{
	struct s3_source *src = (struct s3_source *)base;

	for (;;) {
		ssize_t n = read(src->fds[0], buf, len);

		if (n > 0)
			return n;
		if (n < 0 && errno == EINTR && !signals_stop_requested())
			continue;
		if (n < 0) {
			fail(EXIT_INTERRUPTED, "interrupted while reading %s from S3", src->key);
			return -1;
		}
		pthread_join(src->thread, NULL);
		src->thread = 0;
		return src->rc == 0 ? 0 : -1;
	}
}

static void s3_source_close(struct source *base)
{
	struct s3_source *src = (struct s3_source *)base;

	close(src->fds[0]); /* a download still running fails its next write and stops */
	if (src->thread != 0)
		pthread_join(src->thread, NULL);
	request_free(&src->r);
	pthread_mutex_destroy(&src->lock);
	pthread_cond_destroy(&src->started_cond);
	free(src->key);
	free(src);
}

static int s3_get(struct store *st, const char *key, struct source **out)
{
	struct s3_source *src = calloc(1, sizeof(*src));

	if (src == NULL || (src->key = strdup(key)) == NULL || pipe2(src->fds, O_CLOEXEC) < 0) {
		if (src != NULL)
			free(src->key);
		free(src);
		fail(EXIT_INTERNAL, "cannot set up the download of %s", key);
		return -1;
	}
	src->s = st->priv;
	pthread_mutex_init(&src->lock, NULL);
	pthread_cond_init(&src->started_cond, NULL);
	src->r.method = "GET";
	src->r.key = src->key;
	src->r.stream_fd = src->fds[1];
	src->r.lock = &src->lock;
	src->r.started_cond = &src->started_cond;
	src->r.started = &src->started;
	src->base.read = s3_source_read;
	src->base.close = s3_source_close;
	if (pthread_create(&src->thread, NULL, download, src) != 0) {
		close(src->fds[1]);
		src->thread = 0;
		s3_source_close(&src->base);
		fail(EXIT_INTERNAL, "cannot start the download of %s", key);
		return -1;
	}
	/* Wait for the answer's start: a missing object is not an error here. */
	pthread_mutex_lock(&src->lock);
	while (!src->started)
		pthread_cond_wait(&src->started_cond, &src->lock);
	pthread_mutex_unlock(&src->lock);
	if (src->r.status == 404 || (src->r.status / 100 != 2 && src->r.status != 0)) {
		int missing = src->r.status == 404;

		pthread_join(src->thread, NULL);
		src->thread = 0;
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
	size_t skip;          /* the length of the listed prefix, cut from names */
	char token[1024];     /* NextContinuationToken */
	int truncated;
	char key[2048];       /* the Contents entry being read */
	store_list_cb cb;
	void *arg;
	int stop;
	struct buf keys;      /* or: every key, NUL-separated (for remove) */
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
			buf_add(&l->keys, text + plen, strlen(text) - plen + 1);
	} else if (strcmp(path, "ListBucketResult/Contents/Size") == 0 && !l->collect && !l->stop &&
		   strlen(l->key) > l->skip) {
		l->stop = l->cb(l->key + l->skip, 0, atoll(text), l->arg) != 0;
	} else if (strcmp(path, "ListBucketResult/CommonPrefixes/Prefix") == 0 && !l->collect &&
		   !l->stop && strlen(text) > l->skip + 1) {
		char name[1024];

		snprintf(name, sizeof(name), "%.*s", (int)(strlen(text) - l->skip - 1), text + l->skip);
		if (name[0] != '.')
			l->stop = l->cb(name, 1, -1, l->arg) != 0;
	}
}

/* Appends "name=value" with the value RFC 3986-encoded ('/' too). */
static void query_param(char *q, size_t len, const char *name, const char *value)
{
	char enc[3200] = "";

	encode_key(enc, sizeof(enc), value);
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
		rc = simple(s, "GET", NULL, query, NULL, &r);
		if (rc == 0 && r.response.data != NULL &&
		    xml_walk(r.response.data, r.response.len, on_list_text, l) < 0) {
			fail(EXIT_STORE, "S3 answered the listing of %s with malformed XML", full);
			rc = -1;
		}
		request_free(&r);
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

/* ---------------------------------------------------------- copy and delete */

/* The x-amz-copy-source header for a key of the store. */
static void copy_source(const struct s3 *s, const char *from, char *header, size_t len)
{
	char full[2048];

	snprintf(header, len, "x-amz-copy-source: /%s/", s->bucket);
	snprintf(full, sizeof(full), "%s%s", s->prefix, from);
	/* Timestamps' ':' stays as it is: some servers do not decode the copy source. */
	encode_keep(header, len, full, ":");
}

static void on_copy_part_text(void *arg, const char *path, const char *text)
{
	if (strcmp(path, "CopyPartResult/ETag") == 0)
		snprintf(arg, 128, "%s", text);
}

/* Above S3's 5 GiB CopyObject limit: a multipart upload whose parts are copied ranges. */
static int copy_in_parts(struct s3 *s, const char *from, const char *to, long long size)
{
	struct s3_sink k;
	char header[3200], range[96], query[400];
	long long part = s->copy_limit;
	int rc = -1;

	memset(&k, 0, sizeof(k));
	k.s = s;
	k.key = (char *)to;
	if (start_multipart(&k) < 0)
		return -1;
	copy_source(s, from, header, sizeof(header));
	for (long long off = 0; off < size; off += part) {
		char etag[128] = "", entry[512];
		struct request r;
		int prc;

		k.parts++;
		snprintf(range, sizeof(range), "x-amz-copy-source-range: bytes=%lld-%lld", off,
			 (off + part < size ? off + part : size) - 1);
		snprintf(query, sizeof(query), "partNumber=%d&uploadId=%s", k.parts, k.upload_id);
		memset(&r, 0, sizeof(r));
		r.method = "PUT";
		r.key = to;
		r.query = query;
		r.header = header;
		r.header2 = range;
		r.stream_fd = -1;
		prc = perform(s, &r);
		if (prc == 0 && r.response.data != NULL)
			xml_walk(r.response.data, r.response.len, on_copy_part_text, etag);
		request_free(&r);
		if (prc != 0 || etag[0] == '\0') {
			if (prc == 0)
				fail(EXIT_STORE, "S3 did not copy part %d of %s", k.parts, from);
			goto out;
		}
		snprintf(entry, sizeof(entry), "<Part><PartNumber>%d</PartNumber><ETag>", k.parts);
		xml_escape(entry, sizeof(entry), etag);
		strcat(entry, "</ETag></Part>");
		if (buf_add(&k.etags, entry, strlen(entry)) < 0)
			goto out;
	}
	rc = complete_multipart(&k);
	if (rc == 0)
		log_info("copied %s in %d parts (UploadPartCopy)", from, k.parts);
out:
	if (rc < 0)
		abort_multipart(&k);
	free(k.etags.data);
	return rc;
}

static int s3_promote(struct store *st, const char *from, const char *to)
{
	struct s3 *s = st->priv;
	char header[3200];
	struct request r;
	long long size;
	int rc;

	rc = simple(s, "HEAD", from, NULL, NULL, &r);
	size = r.length;
	request_free(&r);
	if (rc == 1)
		fail(EXIT_NOT_FOUND, "%s disappeared from S3 during the promotion", from);
	if (rc != 0)
		return -1;
	if (size > s->copy_limit)
		return copy_in_parts(s, from, to, size);
	copy_source(s, from, header, sizeof(header));
	rc = simple(s, "PUT", to, NULL, header, &r);
	/* A copy can fail after its 200: the error document says so. */
	if (rc == 0 && r.response.data != NULL && strstr(r.response.data, "<Error>") != NULL) {
		fail(EXIT_STORE, "S3 could not copy %s to %s", from, to);
		rc = -1;
	}
	if (rc == 1)
		fail(EXIT_NOT_FOUND, "%s disappeared from S3 during the promotion", from);
	request_free(&r);
	return rc == 0 ? 0 : -1;
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

	buf_add(&body, "<Delete><Quiet>true</Quiet>", 27);
	for (size_t off = 0; off < len; off += strlen(keys + off) + 1) {
		char entry[2400] = "<Object><Key>";

		snprintf(full, sizeof(full), "%s%s", s->prefix, keys + off);
		xml_escape(entry, sizeof(entry), full);
		strcat(entry, "</Key></Object>");
		if (buf_add(&body, entry, strlen(entry)) < 0)
			goto out;
	}
	if (buf_add(&body, "</Delete>", 9) < 0)
		goto out;
	content_md5(body.data, body.len, header, sizeof(header));
	memset(&r, 0, sizeof(r));
	r.method = "POST";
	r.query = "delete=";
	r.body = body.data;
	r.body_len = body.len;
	r.header = header;
	r.stream_fd = -1;
	rc = perform(s, &r);
	/* Quiet mode lists only the keys it could not delete. */
	if (rc == 0 && r.response.data != NULL && strstr(r.response.data, "<Error>") != NULL) {
		fail(EXIT_STORE, "S3 could not delete every object of a backup");
		rc = -1;
	}
	request_free(&r);
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
	snprintf(manifest, sizeof(manifest), "%s/manifest", key);
	for (size_t off = 0; off < l.keys.len && rc == 0; off += strlen(l.keys.data + off) + 1)
		if (strcmp(l.keys.data + off, manifest) == 0)
			rc = delete_batch(s, manifest, strlen(manifest) + 1);
	/* The rest, the manifest left out, DELETE_BATCH keys a request. */
	for (size_t off = 0; off < l.keys.len && rc == 0; off += strlen(l.keys.data + off) + 1) {
		const char *k = l.keys.data + off;

		if (strcmp(k, manifest) != 0 && buf_add(&rest, k, strlen(k) + 1) < 0)
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

static int s3_lock(struct store *st, const char *tier, long timeout, void **handle)
{
	(void)st;
	(void)timeout;
	/* S3 has no locks: one CronJob per tier with concurrencyPolicy Forbid keeps runs apart. */
	log_debug("S3 store: no lock for the %s tier", tier);
	*handle = NULL;
	return 0;
}

static void s3_unlock(struct store *st, void *handle)
{
	(void)st;
	(void)handle;
}

static int s3_clean(struct store *st, const char *tier)
{
	(void)st;
	(void)tier;
	/* Without locks another run may be writing: backups without a manifest are only listed as such. */
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
		fail(EXIT_CONFIG, "BACKUP_STORE=%s names no bucket (use s3://bucket/prefix)", location);
		return -1;
	}
	strcpy(s->prefix, slash ? slash + 1 : "");
	plen = strlen(s->prefix);
	if (plen > 0 && s->prefix[plen - 1] != '/')
		strcat(s->prefix, "/");
	if (o->s3_key_id == NULL || o->s3_secret == NULL) {
		fail(EXIT_CONFIG,
		     "the S3 store needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or their _FILE forms)");
		return -1;
	}
	s->key_id = strdup(o->s3_key_id);
	s->secret = strdup(o->s3_secret);
	s->region = strdup(o->s3_region ? o->s3_region : "us-east-1");
	s->endpoint = o->s3_endpoint ? strdup(o->s3_endpoint) : NULL;
	if (s->endpoint != NULL && s->endpoint[strlen(s->endpoint) - 1] == '/')
		s->endpoint[strlen(s->endpoint) - 1] = '\0';
	s->max_parts = o->s3_max_parts > 0 ? o->s3_max_parts : 10000;
	s->retries = o->retries >= 0 ? o->retries : 5;
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
	free(s->key_id);
	if (s->secret != NULL)
		explicit_bzero(s->secret, strlen(s->secret));
	free(s->secret);
	free(s);
}

const struct store_ops store_s3_ops = {
	.name = "s3",
	.features = 0, /* no rename: the manifest, written last, makes a backup visible */
	.open = s3_open,
	.close = s3_close,
	.put = s3_put,
	.get = s3_get,
	.list = s3_list,
	.promote = s3_promote,
	.remove = s3_remove,
	.lock = s3_lock,
	.unlock = s3_unlock,
	.clean = s3_clean,
	.publish = NULL,
};
