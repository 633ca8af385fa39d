/*
 * S3 uploads: multipart while the dump runs, with a part size that grows so
 * any dump fits the provider's part limit; server-side copies for
 * promotion, in parts (UploadPartCopy) above the CopyObject limit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "store/s3/internal.h"
#include "store/s3/xml.h"

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

static int s3_start_multipart(struct s3_sink *k)
{
	struct request r;
	int rc = s3_create(k->s, "POST", k->key, "uploads=", NULL, &r);

	if (rc == 0 && r.response.data != NULL)
		xml_walk(r.response.data, r.response.len, on_upload_text, k->upload_id);
	s3_request_free(&r);
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
	rc = s3_perform(k->s, &r);
	s3_request_free(&r);
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
	return s3_buf_add(&k->etags, entry, strlen(entry));
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
				fail(EXIT_STORE, "%s needs more than %ld parts", k->key,
				     k->s->max_parts);
				return -1;
			}
			if ((k->upload_id[0] == '\0' && s3_start_multipart(k) < 0) ||
			    upload_part(k) < 0)
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
static void s3_abort_multipart(struct s3_sink *k)
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
	if (s3_attempt(k->s, &r) != CURLE_OK || r.status / 100 != 2)
		log_warn("could not abort the multipart upload of %s (HTTP %ld)", k->key, r.status);
	s3_request_free(&r);
}

/* CompleteMultipartUpload with the parts listed so far. Returns 0 or -1 after fail(). */
static int s3_complete_multipart(struct s3_sink *k)
{
	char query[300];
	struct buf body = {0};
	struct request r;
	int rc = -1;

	snprintf(query, sizeof(query), "uploadId=%s", k->upload_id);
	if (s3_buf_add(&body, "<CompleteMultipartUpload>", 25) < 0 ||
	    s3_buf_add(&body, k->etags.data, k->etags.len) < 0 ||
	    s3_buf_add(&body, "</CompleteMultipartUpload>", 26) < 0)
		goto out;
	memset(&r, 0, sizeof(r));
	r.method = "POST";
	r.key = k->key;
	r.query = query;
	r.body = body.data;
	r.body_len = body.len;
	r.stream_fd = -1;
	rc = s3_perform(k->s, &r);
	/* S3 may answer 200 with an error document inside. */
	if (rc == 0 && r.response.data != NULL && strstr(r.response.data, "<Error>") != NULL) {
		fail(EXIT_STORE, "S3 could not complete the upload of %s", k->key);
		rc = -1;
	}
	s3_request_free(&r);
out:
	free(body.data);
	return rc == 0 ? 0 : -1;
}

static void s3_sink_abort(struct sink *base)
{
	struct s3_sink *k = (struct s3_sink *)base;

	s3_abort_multipart(k);
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
		r.creates = 1;
		rc = s3_perform(k->s, &r);
		s3_request_free(&r);
		s3_sink_free(k);
		return rc == 0 ? 0 : -1;
	}
	if ((k->len > 0 && upload_part(k) < 0) || s3_complete_multipart(k) < 0) {
		s3_sink_abort(base);
		return -1;
	}
	s3_sink_free(k);
	return 0;
}

int s3_put(struct store *st, const char *key, struct sink **out)
{
	struct s3_sink *k = calloc(1, sizeof(*k));

	if (k == NULL || (k->key = strdup(key)) == NULL || (k->part = malloc(FIRST_PART)) == NULL) {
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

/* ---------------------------------------------------------- copy and delete */

/* The x-amz-copy-source header for a key of the store. */
static void copy_source(const struct s3 *s, const char *from, char *header, size_t len)
{
	char full[2048];

	snprintf(header, len, "x-amz-copy-source: /%s/", s->bucket);
	snprintf(full, sizeof(full), "%s%s", s->prefix, from);
	/* Timestamps' ':' stays as it is: some servers do not decode the copy source. */
	s3_encode_keep(header, len, full, ":");
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
	if (s3_start_multipart(&k) < 0)
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
		prc = s3_perform(s, &r);
		if (prc == 0 && r.response.data != NULL)
			xml_walk(r.response.data, r.response.len, on_copy_part_text, etag);
		s3_request_free(&r);
		if (prc != 0 || etag[0] == '\0') {
			if (prc == 0)
				fail(EXIT_STORE, "S3 did not copy part %d of %s", k.parts, from);
			goto out;
		}
		snprintf(entry, sizeof(entry), "<Part><PartNumber>%d</PartNumber><ETag>", k.parts);
		xml_escape(entry, sizeof(entry), etag);
		strcat(entry, "</ETag></Part>");
		if (s3_buf_add(&k.etags, entry, strlen(entry)) < 0)
			goto out;
	}
	rc = s3_complete_multipart(&k);
	if (rc == 0)
		log_info("copied %s in %d parts (UploadPartCopy)", from, k.parts);
out:
	if (rc < 0)
		s3_abort_multipart(&k);
	free(k.etags.data);
	return rc;
}

int s3_link_or_copy(struct store *st, const char *from, const char *to)
{
	struct s3 *s = st->priv;
	char header[3200];
	struct request r;
	long long size;
	int rc;

	rc = s3_simple(s, "HEAD", from, NULL, NULL, &r);
	size = r.length;
	s3_request_free(&r);
	if (rc == 1)
		fail(EXIT_NOT_FOUND, "%s disappeared from S3 during the promotion", from);
	if (rc != 0)
		return -1;
	if (size > s->copy_limit)
		return copy_in_parts(s, from, to, size);
	copy_source(s, from, header, sizeof(header));
	rc = s3_create(s, "PUT", to, NULL, header, &r);
	/* A copy can fail after its 200: the error document says so. */
	if (rc == 0 && r.response.data != NULL && strstr(r.response.data, "<Error>") != NULL) {
		fail(EXIT_STORE, "S3 could not copy %s to %s", from, to);
		rc = -1;
	}
	if (rc == 1)
		fail(EXIT_NOT_FOUND, "%s disappeared from S3 during the promotion", from);
	s3_request_free(&r);
	return rc == 0 ? 0 : -1;
}
