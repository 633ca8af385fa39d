/*
 * The S3 store's credential chain: which provider, when to fetch again,
 * and what the providers share (their HTTP requests, flat JSON, times).
 */
#include "store/s3/credentials.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fs.h"
#include "util/log.h"
#include "util/timestamp.h"
#include "store/s3/internal.h"

static char *dup_or_null(const char *s)
{
	return s != NULL && *s != '\0' ? strdup(s) : NULL;
}

/* Static keys: both or neither. Returns 1 when set, 0 when not, -1 after fail(). */
static int static_keys(struct s3_creds *c, const struct store_options *o)
{
	if (o->s3_key_id == NULL && o->s3_secret == NULL)
		return 0;
	if (o->s3_key_id == NULL || o->s3_secret == NULL) {
		fail(EXIT_CONFIG, "the S3 store needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
				  "(or their _FILE forms) together");
		return -1;
	}
	snprintf(c->key.id, sizeof(c->key.id), "%s", o->s3_key_id);
	snprintf(c->key.secret, sizeof(c->key.secret), "%s", o->s3_secret);
	snprintf(c->key.token, sizeof(c->key.token), "%s",
		 o->s3_session_token ? o->s3_session_token : "");
	c->provider = "static keys (AWS_ACCESS_KEY_ID)";
	c->hint = "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY";
	c->fetched = 1;
	return 1;
}

/* The provider chosen: how messages name it, what to check when S3 refuses its keys. */
static int use(struct s3_creds *c, const char *provider, const char *hint, s3_fetch_fn fetch)
{
	c->provider = provider;
	c->hint = hint;
	c->fetch = fetch;
	return 0;
}

int s3_creds_init(struct s3_creds *c, const struct store_options *o)
{
	int rc;

	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	c->region = strdup(o->s3_region ? o->s3_region : "us-east-1");
	rc = static_keys(c, o);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (o->s3_role_arn != NULL || o->s3_web_identity_token_file != NULL) {
		if (o->s3_role_arn == NULL || o->s3_web_identity_token_file == NULL) {
			fail(EXIT_CONFIG, "web identity needs both AWS_ROLE_ARN and "
					  "AWS_WEB_IDENTITY_TOKEN_FILE (set both, or neither)");
			return -1;
		}
		c->role_arn = strdup(o->s3_role_arn);
		c->token_file = strdup(o->s3_web_identity_token_file);
		c->session_name = dup_or_null(o->s3_role_session_name);
		c->sts_endpoint = dup_or_null(o->s3_sts_endpoint);
		return use(c, "web identity (AWS_ROLE_ARN)",
			   "the role AWS_ROLE_ARN names and its trust of the web identity token",
			   s3_sts_fetch);
	}
	if (o->s3_container_uri != NULL || o->s3_container_relative_uri != NULL) {
		if (o->s3_container_uri != NULL) {
			c->uri = strdup(o->s3_container_uri);
		} else {
			/* ECS's and EKS Pod Identity's fixed agent address. */
			c->uri = malloc(strlen(o->s3_container_relative_uri) + 32);
			if (c->uri != NULL)
				sprintf(c->uri, "http://169.254.170.2%s",
					o->s3_container_relative_uri);
		}
		if (c->uri == NULL) {
			fail(EXIT_INTERNAL, "out of memory");
			return -1;
		}
		c->auth_token = dup_or_null(o->s3_container_token);
		c->auth_token_file = dup_or_null(o->s3_container_token_file);
		return use(c, "container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI)",
			   "the role the container's pod identity or task role grants",
			   s3_container_fetch);
	}
	if (o->s3_imds_disabled) {
		fail(EXIT_CONFIG,
		     "the S3 store has no credentials: set AWS_ACCESS_KEY_ID and "
		     "AWS_SECRET_ACCESS_KEY, AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE, or "
		     "AWS_CONTAINER_CREDENTIALS_FULL_URI (instance metadata is disabled by "
		     "AWS_EC2_METADATA_DISABLED)");
		return -1;
	}
	c->imds_endpoint =
	    strdup(o->s3_imds_endpoint ? o->s3_imds_endpoint : "http://169.254.169.254");
	return use(
	    c, "instance metadata (IMDSv2)",
	    "the instance profile's role, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
	    s3_imds_fetch);
}

void s3_creds_free(struct s3_creds *c)
{
	char **strings[] = {&c->region,	      &c->role_arn,	   &c->token_file,
			    &c->session_name, &c->sts_endpoint,	   &c->uri,
			    &c->auth_token,   &c->auth_token_file, &c->imds_endpoint};

	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		if (*strings[i] != NULL)
			explicit_bzero(*strings[i], strlen(*strings[i]));
		free(*strings[i]);
		*strings[i] = NULL;
	}
	explicit_bzero(&c->key, sizeof(c->key));
	pthread_mutex_destroy(&c->lock);
}

int s3_creds_current(struct s3_creds *c, struct s3_key *out)
{
	int rc = 0;

	pthread_mutex_lock(&c->lock);
	if (c->fetch != NULL &&
	    (!c->fetched || (c->key.expires != 0 && c->key.expires - time(NULL) < CREDS_REFRESH))) {
		struct s3_key fresh;

		memset(&fresh, 0, sizeof(fresh));
		rc = c->fetch(c, &fresh);
		if (rc == 0) {
			log_debug("S3 credentials from %s, valid for %lds", c->provider,
				  fresh.expires ? (long)(fresh.expires - time(NULL)) : -1L);
			c->key = fresh;
			c->fetched = 1;
		}
		explicit_bzero(&fresh, sizeof(fresh));
	}
	if (rc == 0)
		*out = c->key;
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/* ----------------------------------------------------------- shared helpers */

static size_t on_cred_body(char *data, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;

	return s3_buf_add(b, data, size * n) == 0 ? size * n : 0;
}

int cred_http(const char *provider, const char *method, const char *url, const char *const *headers,
	      const char *body, struct cred_answer *a)
{
	struct curl_slist *list = NULL;
	struct buf b = {0};
	CURL *curl = curl_easy_init();
	CURLcode rc;

	memset(a, 0, sizeof(*a));
	if (curl == NULL) {
		fail(EXIT_INTERNAL, "out of memory");
		return -1;
	}
	for (size_t i = 0; headers != NULL && headers[i] != NULL; i++)
		list = curl_slist_append(list, headers[i]);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	if (body != NULL)
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	else if (strcmp(method, "PUT") == 0)
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_cred_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 2L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 15L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_NOPROXY, "169.254.169.254,169.254.170.2,169.254.170.23");
	rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &a->status);
	curl_slist_free_all(list);
	curl_easy_cleanup(curl);
	if (rc != CURLE_OK) {
		free(b.data);
		fail(EXIT_AUTH,
		     "S3 credentials from %s: %s %s failed: %s (check that the endpoint "
		     "is reachable from here, or configure another provider)",
		     provider, method, url, curl_easy_strerror(rc));
		return -1;
	}
	a->body = b.data ? b.data : strdup("");
	a->len = b.len;
	return 0;
}

int cred_json_field(const char *json, const char *name, char *out, size_t len)
{
	size_t nlen = strlen(name), used = 0;
	const char *p = json;

	while ((p = strchr(p, '"')) != NULL) {
		p++;
		if (strncmp(p, name, nlen) == 0 && p[nlen] == '"') {
			p += nlen + 1;
			p += strspn(p, " \t\r\n");
			if (*p++ != ':')
				continue;
			p += strspn(p, " \t\r\n");
			if (*p++ != '"')
				return -1;
			/* Credentials hold no escapes but '\/'; keep the escaped character. */
			for (; *p != '\0' && *p != '"' && used + 1 < len; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				out[used++] = *p;
			}
			out[used] = '\0';
			return *p == '"' ? 0 : -1;
		}
		while (*p != '\0' && *p != '"') /* the end of this string, escapes skipped */
			p += *p == '\\' && p[1] != '\0' ? 2 : 1;
		if (*p == '\0')
			break;
		p++;
	}
	return -1;
}

int cred_parse_time(const char *text, time_t *t)
{
	char canonical[TS_LEN + 1];

	if (strlen(text) < TS_LEN - 1)
		return -1;
	snprintf(canonical, sizeof(canonical), "%.19sZ", text);
	return ts_parse(canonical, t);
}

/* The keys of a JSON credentials document (container or instance metadata). 0, or -1. */
int cred_keys_from_json(const char *json, struct s3_key *out)
{
	char expiration[64];

	if (cred_json_field(json, "AccessKeyId", out->id, sizeof(out->id)) < 0 ||
	    cred_json_field(json, "SecretAccessKey", out->secret, sizeof(out->secret)) < 0)
		return -1;
	if (cred_json_field(json, "Token", out->token, sizeof(out->token)) < 0)
		out->token[0] = '\0';
	if (cred_json_field(json, "Expiration", expiration, sizeof(expiration)) < 0)
		out->expires = 0;
	else if (cred_parse_time(expiration, &out->expires) < 0)
		return -1;
	return 0;
}

char *cred_read_token(const char *provider, const char *setting, const char *path)
{
	char *token = fs_read_small_file(path);

	if (token == NULL) {
		fail(EXIT_CONFIG, "S3 credentials from %s: cannot read the token file %s (%s): %s",
		     provider, path, setting, strerror(errno));
		return NULL;
	}
	if (*token == '\0') {
		free(token);
		fail(EXIT_CONFIG, "S3 credentials from %s: the token file %s (%s) is empty",
		     provider, path, setting);
		return NULL;
	}
	return token;
}
