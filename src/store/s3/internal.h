/*
 * What the S3 store's files share: the store's state, requests with their
 * retries (s3_http.c), uploads and copies (s3_upload.c), and the rest of the
 * driver (s3.c).
 */
#ifndef TIERDUMP_S3_INTERNAL_H
#define TIERDUMP_S3_INTERNAL_H

#include <curl/curl.h>
#include <pthread.h>
#include <stddef.h>

#include "util/pipethread.h"
#include "store/driver.h"
#include "store/s3/credentials.h"

enum { FIRST_PART = 8 * 1024 * 1024, MAX_BACKOFF_MS = 8000, DELETE_BATCH = 1000 };

struct s3 {
	char *endpoint;	       /* scheme://host[:port], path-style; NULL: AWS's virtual hosts */
	char *bucket, *prefix; /* prefix is "" or ends with '/' */
	char *region;
	struct s3_creds creds;
	char object_headers[3][512]; /* storage class and encryption of objects we create */
	char sigv4[96];
	long max_parts, retries;
	long max_rate;	      /* BACKUP_MAX_RATE: upload bytes per second, 0: no cap */
	long long copy_limit; /* above it, promotion copies in parts (UploadPartCopy) */
};

struct buf {
	char *data;
	size_t len, cap;
};

/* Appends data (and a NUL after it). Returns 0, or -1 when out of memory. */
int s3_buf_add(struct buf *b, const void *data, size_t len);

struct request {
	const char *method;
	const char *key;   /* below the store's prefix; NULL: the bucket itself */
	const char *query; /* already canonical: sorted and encoded */
	const void *body;
	size_t body_len;
	const char *header, *header2; /* extra headers, or NULL */
	int creates;		      /* PUT, CopyObject, multipart start: object_headers too */
	int no_creds;		      /* the credentials failed, and said so */
	long long length;	      /* HEAD: the object's size */
	int stream_fd;		      /* >= 0: the response body goes there, not into response */
	/* results */
	long status;
	struct buf response;
	int streamed; /* body bytes reached stream_fd: no retry is possible */
	/* for get(): told of the first body byte or the end, whichever comes first */
	struct pipe_thread *progress;
	char *etag; /* receives the ETag response header when set (128 bytes) */
	CURL *curl; /* during an attempt */
};

/* RFC 3986 encoding of a key, '/' kept, and the characters in keep as they are. */
void s3_encode_keep(char *out, size_t len, const char *key, const char *keep);
void s3_encode_key(char *out, size_t len, const char *key);

/* One attempt, no retry; sets r->status. Returns the curl result. */
CURLcode s3_attempt(const struct s3 *s, struct request *r);

/*
 * Performs a request, retrying temporary failures. Returns 0 on 2xx, 1 on
 * 404 (nothing logged), or -1 after fail() naming the object and the fix.
 */
int s3_perform(const struct s3 *s, struct request *r);

/* A request with no body whose answer is wanted in r->response. */
int s3_simple(const struct s3 *s, const char *method, const char *key, const char *query,
	      const char *header, struct request *r);

/* s3_simple for a request that creates an object: the store's object_headers go along. */
int s3_create(const struct s3 *s, const char *method, const char *key, const char *query,
	      const char *header, struct request *r);

void s3_request_free(struct request *r);

/* store_ops slots of s3_upload.c. */
int s3_put(struct store *st, const char *key, struct sink **out);
int s3_link_or_copy(struct store *st, const char *from, const char *to);

#endif
