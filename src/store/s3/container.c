/*
 * Container credentials (ECS task roles, EKS Pod Identity): an agent's
 * endpoint hands out temporary keys as JSON, authorized by a token that
 * comes from a file (read afresh: it rotates) or the environment.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "store/s3/credentials.h"

/* Plain http only to the agent's own addresses or loopback, as the SDKs allow. */
static int allowed(const char *uri)
{
	static const char *const hosts[] = {
	    "http://127.",	     "http://localhost:",     "http://localhost/",
	    "http://[::1]",	     "http://169.254.170.2:", "http://169.254.170.2/",
	    "http://169.254.170.23", "http://[fd00:ec2::23]", NULL};

	if (strncmp(uri, "https://", 8) == 0)
		return 1;
	for (size_t i = 0; hosts[i] != NULL; i++)
		if (strncmp(uri, hosts[i], strlen(hosts[i])) == 0)
			return 1;
	return 0;
}

int s3_container_fetch(const struct s3_creds *c, struct s3_key *out)
{
	const char *provider = "container credentials";
	const char *headers[3] = {"Accept: application/json", NULL, NULL};
	char *token = NULL, *auth = NULL;
	struct cred_answer a = {0};
	int rc = -1;

	if (!allowed(c->uri)) {
		fail(EXIT_CONFIG,
		     "S3 credentials from %s: AWS_CONTAINER_CREDENTIALS_FULL_URI %s must be https "
		     "or a loopback or container agent address",
		     provider, c->uri);
		return -1;
	}
	if (c->auth_token_file != NULL) {
		token = cred_read_token(provider, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
					c->auth_token_file);
		if (token == NULL)
			return -1;
	} else if (c->auth_token != NULL) {
		token = strdup(c->auth_token);
	}
	if (token != NULL) {
		auth = malloc(strlen(token) + 32);
		if (auth == NULL)
			goto out;
		sprintf(auth, "Authorization: %s", token);
		headers[1] = auth;
	}
	if (cred_http(provider, "GET", c->uri, headers, NULL, &a) < 0)
		goto out;
	if (a.status / 100 != 2) {
		fail(EXIT_AUTH,
		     "S3 credentials from %s: %s answered HTTP %ld (check "
		     "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE and the pod's or task's role)",
		     provider, c->uri, a.status);
		goto out;
	}
	if (cred_keys_from_json(a.body, out) < 0) {
		fail(EXIT_AUTH, "S3 credentials from %s: %s answered without keys", provider,
		     c->uri);
		goto out;
	}
	rc = 0;
out:
	if (a.body != NULL)
		explicit_bzero(a.body, a.len);
	free(a.body);
	if (auth != NULL)
		explicit_bzero(auth, strlen(auth));
	free(auth);
	if (token != NULL)
		explicit_bzero(token, strlen(token));
	free(token);
	return rc;
}
