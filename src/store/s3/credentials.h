/*
 * Where the S3 store's keys come from, in the order the AWS SDKs look:
 * static keys (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN),
 * web identity (STS AssumeRoleWithWebIdentity, sts.c), container credentials
 * (container.c), instance metadata (IMDSv2, imds.c). Temporary keys are
 * fetched again before each request once less than CREDS_REFRESH seconds
 * remain, so a long upload outlives them; token files are read afresh each
 * time (Kubernetes rotates them).
 */
#ifndef TIERDUMP_S3_CREDENTIALS_H
#define TIERDUMP_S3_CREDENTIALS_H

#include <pthread.h>
#include <stddef.h>
#include <time.h>

#include "store/store.h"

enum { CREDS_REFRESH = 300 };

/* One set of keys; expires is 0 for keys that never do. */
struct s3_key {
	char id[256], secret[256], token[4096];
	time_t expires;
};

struct s3_creds;
typedef int (*s3_fetch_fn)(const struct s3_creds *c, struct s3_key *out);

struct s3_creds {
	pthread_mutex_t lock; /* downloads run on threads of their own */
	const char *provider; /* for messages: "web identity (AWS_ROLE_ARN)" */
	const char *hint;     /* what to check when S3 refuses the keys */
	s3_fetch_fn fetch;    /* NULL: static keys */
	struct s3_key key;
	int fetched;
	/* the providers' settings, copied */
	char *region, *role_arn, *token_file, *session_name, *sts_endpoint;
	char *uri, *auth_token, *auth_token_file, *imds_endpoint;
};

/*
 * Picks the first provider the options configure (instance metadata last,
 * unless disabled). Nothing is contacted. Returns 0, or -1 after fail().
 */
int s3_creds_init(struct s3_creds *c, const struct store_options *o);
void s3_creds_free(struct s3_creds *c);

/* The keys to sign with, fetched first when missing or about to expire. 0, or -1 after fail(). */
int s3_creds_current(struct s3_creds *c, struct s3_key *out);

/* ----------------------------------------------- for the providers' files */

/* A credentials endpoint's answer: its status and body (NUL-terminated, the caller frees). */
struct cred_answer {
	long status;
	char *body;
	size_t len;
};

/*
 * One request to a credentials endpoint, short time limits, headers a
 * NULL-terminated list, body NULL or sent as it is. Returns 0 with *a set,
 * or -1 after fail() naming provider, url and the fix.
 */
int cred_http(const char *provider, const char *method, const char *url, const char *const *headers,
	      const char *body, struct cred_answer *a);

/* The string value of "name" in a flat JSON object, into out; 0, or -1 when absent. */
int cred_json_field(const char *json, const char *name, char *out, size_t len);

/* An ISO 8601 UTC time (2026-11-27T18:00:00Z, fractions allowed); 0, or -1. */
int cred_parse_time(const char *text, time_t *t);

/* The keys of a JSON credentials document (container, instance metadata). 0, or -1. */
int cred_keys_from_json(const char *json, struct s3_key *out);

/* Reads a token file afresh, trailing newline cut; NULL after fail() naming provider and path. */
char *cred_read_token(const char *provider, const char *setting, const char *path);

int s3_sts_fetch(const struct s3_creds *c, struct s3_key *out);
int s3_container_fetch(const struct s3_creds *c, struct s3_key *out);
int s3_imds_fetch(const struct s3_creds *c, struct s3_key *out);

#endif
