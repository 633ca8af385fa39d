#include "store/driver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "conf.h"
#include "util/log.h"

static const struct store_ops *const drivers[] = {
    &store_local_ops,
    &store_s3_ops,
    &store_ftps_ops,
    NULL,
};

/* The driver for a location: its scheme, or the local store for a plain path. */
static const struct store_ops *driver_for(const char *location, const char **rest)
{
	const char *colon = strstr(location, "://");

	if (colon == NULL) {
		*rest = location;
		return &store_local_ops;
	}
	if (strncmp(location, "file://", 7) == 0) {
		*rest = location + 7;
		return &store_local_ops;
	}
	for (size_t i = 0; drivers[i] != NULL; i++) {
		size_t len = strlen(drivers[i]->name);

		if ((size_t)(colon - location) == len &&
		    strncmp(location, drivers[i]->name, len) == 0) {
			*rest = location;
			return drivers[i];
		}
	}
	return NULL;
}

struct store *store_open(const char *location, const struct store_options *opts)
{
	const char *rest;
	const struct store_ops *ops = driver_for(location, &rest);
	struct store *s;

	if (ops == NULL) {
		fail(EXIT_CONFIG,
		     "unsupported store '%s' (use a directory, file:///path, s3://bucket/prefix or "
		     "ftps://host/path)",
		     location);
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->ops = ops;
	s->location = strdup(rest);
	if (s->location == NULL || ops->open(s, rest, opts) < 0) {
		ops->close(s); /* drivers close what they half-opened */
		free(s->location);
		free(s);
		return NULL;
	}
	return s;
}

void store_close(struct store *s)
{
	if (s == NULL)
		return;
	s->ops->close(s);
	free(s->location);
	free(s);
}

const char *store_name(const struct store *s)
{
	return s->location;
}

int store_put(struct store *s, const char *key, struct sink **out)
{
	return s->ops->put(s, key, out);
}

int store_list(struct store *s, const char *prefix, store_list_cb cb, void *arg)
{
	return s->ops->list(s, prefix, cb, arg);
}

int store_link_or_copy(struct store *s, const char *from, const char *to)
{
	return s->ops->link_or_copy(s, from, to);
}

int store_holds_chunks(const struct store *s)
{
	return (s->ops->features & STORE_CHUNKS) != 0;
}

int store_location_holds_chunks(const char *location)
{
	const char *rest;
	const struct store_ops *ops = driver_for(location, &rest);

	return ops != NULL && (ops->features & STORE_CHUNKS) != 0;
}

int store_remove(struct store *s, const char *key)
{
	return s->ops->remove(s, key);
}

void store_staging_name(const struct store *s, const char *stamp, char *buf, size_t buflen)
{
	if (s->ops->features & STORE_RENAME)
		snprintf(buf, buflen, STORE_STAGING_PREFIX "%s-%ld", stamp, (long)getpid());
	else
		snprintf(buf, buflen, "%s", stamp);
}

int store_publish(struct store *s, const char *staging, const char *final)
{
	if (!(s->ops->features & STORE_RENAME))
		return 0; /* written in place; the manifest, written last, made it visible */
	return s->ops->publish(s, staging, final);
}

int store_get_if_there(struct store *s, const char *key, struct source **out, int *missing)
{
	int rc = s->ops->get(s, key, out);

	if (rc == 1 && missing != NULL)
		*missing = 1;
	else if (rc == 1)
		fail(EXIT_NOT_FOUND, "%s is missing from the store %s", key, s->location);
	return rc == 0 ? 0 : -1;
}

int store_get(struct store *s, const char *key, struct source **out)
{
	return store_get_if_there(s, key, out, NULL);
}

char *store_read_small(struct store *s, const char *key, int *missing)
{
	struct source *src = NULL;

	return store_get_if_there(s, key, &src, missing) == 0 ? source_read_text(src, key) : NULL;
}

int store_write_bytes(struct store *s, const char *key, const void *data, size_t len)
{
	struct sink *sink = NULL;

	if (store_put(s, key, &sink) < 0)
		return -1;
	if (sink_write(sink, data, len) < 0) {
		sink_abort(sink);
		return -1;
	}
	return sink_commit(sink);
}

int store_write_small(struct store *s, const char *key, const char *text)
{
	return store_write_bytes(s, key, text, strlen(text));
}

struct store *store_open_configured(const struct config *c)
{
	struct store_options opts;

	store_options_from(c, &opts);
	return store_open(store_location(c), &opts);
}

const char *store_location(const struct config *c)
{
	static char bucket[512];

	if (c->store != NULL)
		return c->store;
	if (c->s3_bucket != NULL) {
		snprintf(bucket, sizeof(bucket), "s3://%s", c->s3_bucket);
		return bucket;
	}
	return c->backup_dir;
}

void store_options_from(const struct config *c, struct store_options *o)
{
	memset(o, 0, sizeof(*o));
	o->s3_key_id = c->s3_key_id ? c->s3_key_id : c->s3_user;
	o->s3_secret = c->s3_secret ? c->s3_secret : c->s3_password;
	o->s3_region = c->s3_region;
	o->s3_endpoint = c->s3_endpoint ? c->s3_endpoint : c->s3_endpoint_old;
	o->s3_max_parts = c->s3_max_parts;
	o->s3_copy_limit = c->s3_copy_limit;
	o->s3_session_token = c->s3_session_token;
	o->s3_role_arn = c->s3_role_arn;
	o->s3_web_identity_token_file = c->s3_web_identity_token_file;
	o->s3_role_session_name = c->s3_role_session_name;
	o->s3_sts_endpoint = c->s3_sts_endpoint;
	o->s3_container_uri = c->s3_container_uri;
	o->s3_container_relative_uri = c->s3_container_relative_uri;
	o->s3_container_token = c->s3_container_token;
	o->s3_container_token_file = c->s3_container_token_file;
	o->s3_imds_endpoint = c->s3_imds_endpoint;
	o->s3_imds_disabled =
	    c->s3_imds_disabled != NULL &&
	    (strcasecmp(c->s3_imds_disabled, "true") == 0 || strcmp(c->s3_imds_disabled, "1") == 0);
	o->s3_storage_class = c->s3_storage_class;
	o->s3_sse = c->s3_sse;
	o->s3_sse_kms_key_id = c->s3_sse_kms_key_id;
	o->retries = c->store_retries;
	o->max_rate = c->max_rate > 0 ? c->max_rate : 0;
	o->ftp_user = c->ftp_user;
	o->ftp_password = c->ftp_password;
	o->ftp_ca_file = c->ftp_ca_file;
	o->ftp_insecure = c->ftp_insecure > 0;
}

int store_copy(struct store *from, const char *from_key, struct store *to, const char *to_key)
{
	static char buf[256 * 1024];
	struct source *src = NULL;
	struct sink *dst = NULL;
	ssize_t n;

	if (store_get(from, from_key, &src) < 0)
		return -1;
	if (store_put(to, to_key, &dst) < 0) {
		source_close(src);
		return -1;
	}
	while ((n = source_read(src, buf, sizeof(buf))) > 0)
		if (sink_write(dst, buf, (size_t)n) < 0)
			break;
	source_close(src);
	if (n != 0) {
		sink_abort(dst);
		return -1;
	}
	return sink_commit(dst);
}

int store_lock(struct store *s, const char *tier, long timeout, void **handle)
{
	*handle = NULL;
	if (s->ops->lock == NULL) {
		log_debug("%s: no locks; the %s tier relies on one run at a time", s->location,
			  tier);
		return 0;
	}
	if (s->ops->lock(s, tier, timeout, handle) < 0)
		return -1;
	if (s->ops->clean(s, tier) < 0) {
		s->ops->unlock(s, *handle);
		return -1;
	}
	return 0;
}

void store_unlock(struct store *s, void *handle)
{
	if (s->ops->unlock != NULL)
		s->ops->unlock(s, handle);
}
