/*
 * The S3 store's requests: URLs and canonical keys, SigV4 signing by
 * libcurl, and retries of temporary failures with capped exponential
 * backoff; a 4xx other than throttling is never retried.
 */
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"
#include "util/signals.h"
#include "store/s3/internal.h"
#include "store/s3/xml.h"
#include "store/transfer.h"

int s3_buf_add(struct buf *b, const void *data, size_t len)
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

/*
 * RFC 3986 encoding of a key, '/' kept (what SigV4's canonical URI wants),
 * and the characters in keep as they are.
 */
void s3_encode_keep(char *out, size_t len, const char *key, const char *keep)
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

void s3_encode_key(char *out, size_t len, const char *key)
{
	s3_encode_keep(out, len, key, "");
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
		s3_encode_key(url, len, full);
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
	if (r->progress != NULL)
		pipe_thread_mark_started(r->progress);
}

/* Response bodies: streamed to stream_fd when the status is 2xx, else kept for the error. */
static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct request *r = arg;
	size_t len = size * n, done = 0;
	long status = 0;

	curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &status);
	if (r->stream_fd < 0 || status / 100 != 2)
		return s3_buf_add(&r->response, data, len) == 0 ? len : 0;
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
CURLcode s3_attempt(const struct s3 *s, struct request *r)
{
	char url[4096], hash[65], header[128], token[4200];
	struct curl_slist *headers = NULL;
	struct s3_key key;
	CURLcode rc;
	CURL *curl;

	/*
	 * Before each request: temporary keys are fetched again as they near
	 * their end. The credentials change, under their lock; nothing else of s.
	 */
	if (s3_creds_current((struct s3_creds *)&s->creds, &key) < 0) {
		r->no_creds = 1;
		return CURLE_LOGIN_DENIED;
	}
	curl = curl_easy_init();
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
	for (size_t i = 0; r->creates && i < 3 && s->object_headers[i][0] != '\0'; i++)
		headers = curl_slist_append(headers, s->object_headers[i]);
	if (key.token[0] != '\0') {
		/* Signed like the other x-amz-* headers: libcurl signs every header it sends. */
		snprintf(token, sizeof(token), "x-amz-security-token: %s", key.token);
		headers = curl_slist_append(headers, token);
	}
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
	curl_easy_setopt(curl, CURLOPT_USERNAME, key.id);
	curl_easy_setopt(curl, CURLOPT_PASSWORD, key.secret);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, r);
	if (r->etag != NULL) {
		curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(curl, CURLOPT_HEADERDATA, r->etag);
	}
	store_transfer_limits(curl, s->max_rate);
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
	explicit_bzero(&key, sizeof(key));
	explicit_bzero(token, sizeof(token));
	return rc;
}

/*
 * Performs a request, retrying temporary failures. Returns 0 on 2xx, 1 on
 * 404 (nothing logged), or -1 after fail() naming the object and the fix.
 */
int s3_perform(const struct s3 *s, struct request *r)
{
	long delay = 500;
	CURLcode rc = CURLE_OK;

	for (long i = 0;; i++) {
		struct timespec pause;

		rc = s3_attempt(s, r);
		if (rc == CURLE_OK && r->status / 100 == 2)
			break;
		if (r->no_creds) {
			mark_started(r);
			return -1;
		}
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
		fail(EXIT_STORE,
		     "S3 %s %s failed: %s (check AWS_ENDPOINT_URL and that the server runs)",
		     r->method, r->key ? r->key : s->bucket, curl_easy_strerror(rc));
	} else {
		struct error_doc e = {"", ""};

		if (r->response.data != NULL)
			xml_walk(r->response.data, r->response.len, on_error_text, &e);
		fail(r->status == 403 ? EXIT_AUTH : EXIT_STORE,
		     "S3 %s %s failed: HTTP %ld %s%s%s%s%s%s", r->method,
		     r->key ? r->key : s->bucket, r->status, e.code, e.message[0] ? ": " : "",
		     e.message, r->status == 403 ? " (check " : "",
		     r->status == 403 ? s->creds.hint : "", r->status == 403 ? ")" : "");
	}
	return -1;
}

void s3_request_free(struct request *r)
{
	free(r->response.data);
	r->response.data = NULL;
}

static int bodiless(const struct s3 *s, const char *method, const char *key, const char *query,
		    const char *header, int creates, struct request *r)
{
	memset(r, 0, sizeof(*r));
	r->method = method;
	r->key = key;
	r->query = query;
	r->header = header;
	r->creates = creates;
	r->stream_fd = -1;
	return s3_perform(s, r);
}

/* A request with no body whose answer is wanted in r->response. */
int s3_simple(const struct s3 *s, const char *method, const char *key, const char *query,
	      const char *header, struct request *r)
{
	return bodiless(s, method, key, query, header, 0, r);
}

int s3_create(const struct s3 *s, const char *method, const char *key, const char *query,
	      const char *header, struct request *r)
{
	return bodiless(s, method, key, query, header, 1, r);
}
