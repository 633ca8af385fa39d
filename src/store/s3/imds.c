/*
 * Instance metadata (EC2, IMDSv2): a session token first (PUT), then the
 * instance profile's role name, then its temporary keys as JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "store/s3/credentials.h"

#define ROLES "/latest/meta-data/iam/security-credentials/"

static const char provider[] = "instance metadata (IMDSv2)";

/* One GET with the session token; the body, or NULL after fail(). */
static char *imds_get(const char *endpoint, const char *path, const char *token_header)
{
	const char *headers[] = {token_header, NULL};
	char url[1024];
	struct cred_answer a;

	snprintf(url, sizeof(url), "%s%s", endpoint, path);
	if (cred_http(provider, "GET", url, headers, NULL, &a) < 0)
		return NULL;
	if (a.status / 100 != 2) {
		fail(EXIT_AUTH,
		     "S3 credentials from %s: %s answered HTTP %ld (check that the instance has "
		     "an instance profile, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)",
		     provider, url, a.status);
		free(a.body);
		return NULL;
	}
	return a.body;
}

int s3_imds_fetch(const struct s3_creds *c, struct s3_key *out)
{
	static const char *const ttl[] = {"X-aws-ec2-metadata-token-ttl-seconds: 21600", NULL};
	char url[1024], header[1200], path[512];
	struct cred_answer a;
	char *role = NULL, *json = NULL;
	int rc = -1;

	snprintf(url, sizeof(url), "%s/latest/api/token", c->imds_endpoint);
	if (cred_http(provider, "PUT", url, ttl, NULL, &a) < 0)
		return -1;
	if (a.status / 100 != 2 || a.len == 0 || a.len > 1000) {
		fail(EXIT_AUTH,
		     "S3 credentials from %s: %s answered HTTP %ld without a session token "
		     "(not on EC2? set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
		     "AWS_EC2_METADATA_DISABLED=true)",
		     provider, url, a.status);
		free(a.body);
		return -1;
	}
	snprintf(header, sizeof(header), "X-aws-ec2-metadata-token: %s", a.body);
	explicit_bzero(a.body, a.len);
	free(a.body);
	role = imds_get(c->imds_endpoint, ROLES, header);
	if (role == NULL)
		goto out;
	role[strcspn(role, "\r\n")] = '\0';
	snprintf(path, sizeof(path), ROLES "%s", role);
	json = imds_get(c->imds_endpoint, path, header);
	if (json == NULL)
		goto out;
	if (cred_keys_from_json(json, out) < 0) {
		fail(EXIT_AUTH, "S3 credentials from %s: %s%s answered without keys", provider,
		     c->imds_endpoint, path);
		goto out;
	}
	rc = 0;
out:
	explicit_bzero(header, sizeof(header));
	if (json != NULL)
		explicit_bzero(json, strlen(json));
	free(json);
	free(role);
	return rc;
}
