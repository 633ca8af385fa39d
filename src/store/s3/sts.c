/*
 * Web identity (EKS IRSA): the token Kubernetes projects into the pod is
 * traded at STS (AssumeRoleWithWebIdentity, an unsigned request) for
 * temporary keys. The token file is read afresh each time: it rotates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/log.h"
#include "store/s3/credentials.h"
#include "store/s3/internal.h"
#include "store/s3/xml.h"

#define RESULT "AssumeRoleWithWebIdentityResponse/AssumeRoleWithWebIdentityResult/Credentials/"

struct sts_answer {
	struct s3_key *key;
	char expiration[64], code[128], message[512];
};

static void on_sts_text(void *arg, const char *path, const char *text)
{
	struct sts_answer *a = arg;

	if (strcmp(path, RESULT "AccessKeyId") == 0)
		snprintf(a->key->id, sizeof(a->key->id), "%s", text);
	else if (strcmp(path, RESULT "SecretAccessKey") == 0)
		snprintf(a->key->secret, sizeof(a->key->secret), "%s", text);
	else if (strcmp(path, RESULT "SessionToken") == 0)
		snprintf(a->key->token, sizeof(a->key->token), "%s", text);
	else if (strcmp(path, RESULT "Expiration") == 0)
		snprintf(a->expiration, sizeof(a->expiration), "%s", text);
	else if (strcmp(path, "ErrorResponse/Error/Code") == 0)
		snprintf(a->code, sizeof(a->code), "%s", text);
	else if (strcmp(path, "ErrorResponse/Error/Message") == 0)
		snprintf(a->message, sizeof(a->message), "%s", text);
}

int s3_sts_fetch(const struct s3_creds *c, struct s3_key *out)
{
	static const char *const headers[] = {"Content-Type: application/x-www-form-urlencoded",
					      "Accept: application/xml", NULL};
	const char *provider = "web identity (STS AssumeRoleWithWebIdentity)";
	char url[1024], session[128];
	struct sts_answer a = {.key = out};
	struct cred_answer ans;
	char *token = cred_read_token(provider, "AWS_WEB_IDENTITY_TOKEN_FILE", c->token_file);
	char *body = NULL;
	size_t len;
	int rc = -1;

	if (token == NULL)
		return -1;
	if (c->sts_endpoint != NULL)
		snprintf(url, sizeof(url), "%s", c->sts_endpoint);
	else
		snprintf(url, sizeof(url), "https://sts.%s.amazonaws.com/", c->region);
	snprintf(session, sizeof(session), "%s", c->session_name ? c->session_name : "tierdump");
	len = 3 * (strlen(token) + strlen(c->role_arn) + strlen(session)) + 256;
	body = calloc(1, len);
	if (body == NULL)
		goto out;
	strcpy(body, "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=");
	s3_encode_keep(body, len, c->role_arn, "");
	strcat(body, "&RoleSessionName=");
	s3_encode_keep(body, len, session, "");
	strcat(body, "&WebIdentityToken=");
	s3_encode_keep(body, len, token, "");
	if (cred_http(provider, "POST", url, headers, body, &ans) < 0)
		goto out;
	xml_walk(ans.body, ans.len, on_sts_text, &a);
	free(ans.body);
	if (ans.status / 100 != 2) {
		fail(EXIT_AUTH,
		     "S3 credentials from %s: %s answered HTTP %ld %s%s%s (check AWS_ROLE_ARN %s, "
		     "that the role trusts the token's issuer, and AWS_WEB_IDENTITY_TOKEN_FILE)",
		     provider, url, ans.status, a.code, a.message[0] ? ": " : "", a.message,
		     c->role_arn);
		goto out;
	}
	if (out->id[0] == '\0' || out->secret[0] == '\0' ||
	    cred_parse_time(a.expiration, &out->expires) < 0) {
		fail(EXIT_AUTH, "S3 credentials from %s: %s answered without keys or expiration",
		     provider, url);
		goto out;
	}
	rc = 0;
out:
	if (body != NULL)
		explicit_bzero(body, strlen(body));
	free(body);
	explicit_bzero(token, strlen(token));
	free(token);
	return rc;
}
