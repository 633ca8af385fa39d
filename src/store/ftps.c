/*
 * The FTPS store: explicit TLS on control and data (AUTH TLS), the server's
 * certificate verified unless told otherwise, over libcurl. FTP renames but
 * cannot link or copy: a backup is staged under a hidden name and published
 * by renaming its directory; a promotion copies through us.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"
#include "util/pipethread.h"
#include "util/signals.h"
#include "store/driver.h"
#include "store/transfer.h"

struct ftps {
	char *root; /* ftp://host:port/ */
	char *base; /* ftp://host:port/path/ */
	char *path; /* path/ (relative to the login directory), for commands */
	char *user, *password, *ca_file;
	int insecure;
	long max_rate; /* BACKUP_MAX_RATE */
};

static CURL *handle(const struct ftps *f, const char *url)
{
	CURL *curl = curl_easy_init();

	if (curl == NULL)
		return NULL;
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_USERNAME, f->user);
	curl_easy_setopt(curl, CURLOPT_PASSWORD, f->password);
	/* TLS on the control and the data connection, or nothing at all. */
	curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (f->ca_file != NULL)
		curl_easy_setopt(curl, CURLOPT_CAINFO, f->ca_file);
	if (f->insecure) {
		curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	store_transfer_limits(curl, f->max_rate);
	return curl;
}

static int fail_curl(CURLcode rc, const char *what, const char *path)
{
	fail(rc == CURLE_LOGIN_DENIED						  ? EXIT_AUTH
	     : rc == CURLE_USE_SSL_FAILED || rc == CURLE_PEER_FAILED_VERIFICATION ? EXIT_CONFIG
										  : EXIT_STORE,
	     "FTPS %s %s failed: %s%s", what, path, curl_easy_strerror(rc),
	     rc == CURLE_LOGIN_DENIED ? " (check FTP_USER and FTP_PASSWORD)"
	     : rc == CURLE_USE_SSL_FAILED
		 ? " (the server offers no TLS: tierdump never sends passwords in clear)"
	     : rc == CURLE_PEER_FAILED_VERIFICATION ? " (set FTP_CA_FILE to the server's CA)"
						    : "");
	return -1;
}

/* Runs FTP commands (paths relative to the login directory); no transfer. */
static int commands(const struct ftps *f, const char *const cmds[], const char *what)
{
	struct curl_slist *list = NULL;
	CURL *curl = handle(f, f->root);
	CURLcode rc;

	if (curl == NULL)
		return -1;
	for (size_t i = 0; cmds[i] != NULL; i++)
		list = curl_slist_append(list, cmds[i]);
	curl_easy_setopt(curl, CURLOPT_QUOTE, list);
	curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
	rc = curl_easy_perform(curl);
	curl_slist_free_all(list);
	curl_easy_cleanup(curl);
	return rc == CURLE_OK ? 0 : fail_curl(rc, what, cmds[0]);
}

/* ------------------------------------------------- transfers through a pipe */

/* One curl transfer on a pipe thread: uploads read the pipe, downloads fill it. */
struct transfer {
	CURL *curl;
	CURLcode rc;
	struct pipe_thread t;
};

static size_t into_pipe(char *data, size_t size, size_t n, void *arg)
{
	struct transfer *tr = arg;
	size_t len = size * n, done = 0;

	pipe_thread_mark_started(&tr->t);
	while (done < len) {
		ssize_t w = write(tr->t.fd, data + done, len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return 0;
		done += (size_t)w;
	}
	return len;
}

static size_t from_pipe(char *data, size_t size, size_t n, void *arg)
{
	struct transfer *tr = arg;

	for (;;) {
		ssize_t r = read(tr->t.fd, data, size * n);

		if (r >= 0)
			return (size_t)r;
		if (errno != EINTR)
			return CURL_READFUNC_ABORT;
	}
}

static void perform(struct pipe_thread *t, void *arg)
{
	struct transfer *tr = arg;

	(void)t;
	tr->rc = curl_easy_perform(tr->curl);
}

/* Starts curl on a thread; returns our end of the pipe, or -1 (transfer_finish() ends it). */
static int transfer_start(struct transfer *tr, CURL *curl, int upload)
{
	memset(tr, 0, sizeof(*tr));
	tr->curl = curl;
	if (upload) {
		curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(curl, CURLOPT_READFUNCTION, from_pipe);
		curl_easy_setopt(curl, CURLOPT_READDATA, tr);
	} else {
		curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, into_pipe);
		curl_easy_setopt(curl, CURLOPT_WRITEDATA, tr);
	}
	return pipe_thread_start(&tr->t, upload, perform, tr);
}

/* Waits for the thread (our end of the pipe closed first) and returns curl's result. */
static CURLcode transfer_finish(struct transfer *tr)
{
	pipe_thread_destroy(&tr->t);
	curl_easy_cleanup(tr->curl);
	return tr->rc;
}

/* ----------------------------------------------------------------- the ops */

struct ftps_sink {
	struct sink base;
	struct transfer t;
	int fd;
	char key[1024];
	struct ftps *f;
};

static int ftps_sink_write(struct sink *s, const void *buf, size_t len)
{
	struct ftps_sink *k = (struct ftps_sink *)s;
	size_t done = 0;

	while (done < len) {
		ssize_t w = write(k->fd, (const char *)buf + done, len - done);

		if (w < 0 && errno == EINTR && !signals_stop_requested())
			continue;
		if (w <= 0) {
			fail(EXIT_STORE, "the FTPS upload of %s stopped", k->key);
			return -1;
		}
		done += (size_t)w;
	}
	return 0;
}

static void ftps_sink_abort(struct sink *s)
{
	struct ftps_sink *k = (struct ftps_sink *)s;
	char path[1200];
	const char *cmds[] = {path, NULL};

	/* Closing our end mid-way: the read callback sees the end, so delete what came. */
	close(k->fd);
	transfer_finish(&k->t);
	snprintf(path, sizeof(path), "DELE %s%s", k->f->path, k->key);
	commands(k->f, cmds, "cleaning up");
	free(k);
}

static int ftps_sink_commit(struct sink *s)
{
	struct ftps_sink *k = (struct ftps_sink *)s;
	CURLcode rc;

	close(k->fd);
	rc = transfer_finish(&k->t);
	if (rc != CURLE_OK)
		fail_curl(rc, "upload", k->key);
	free(k);
	return rc == CURLE_OK ? 0 : -1;
}

static int ftps_put(struct store *st, const char *key, struct sink **out)
{
	struct ftps *f = st->priv;
	struct ftps_sink *k = calloc(1, sizeof(*k));
	char url[2048];
	CURL *curl;

	if (k == NULL)
		return -1;
	snprintf(url, sizeof(url), "%s%s", f->base, key);
	curl = handle(f, url);
	if (curl != NULL) {
		curl_easy_setopt(curl, CURLOPT_FTP_CREATE_MISSING_DIRS, (long)CURLFTP_CREATE_DIR);
		k->fd = transfer_start(&k->t, curl, 1);
	}
	if (curl == NULL || k->fd < 0) {
		if (curl != NULL)
			transfer_finish(&k->t);
		free(k);
		fail(EXIT_INTERNAL, "cannot start the FTPS upload of %s", key);
		return -1;
	}
	k->f = f;
	snprintf(k->key, sizeof(k->key), "%s", key);
	k->base.write = ftps_sink_write;
	k->base.commit = ftps_sink_commit;
	k->base.abort = ftps_sink_abort;
	*out = &k->base;
	return 0;
}

struct ftps_source {
	struct source base;
	struct transfer t;
	int fd;
	char key[1024];
	char label[1100]; /* "KEY over FTPS", for messages */
};

static ssize_t ftps_source_read(struct source *s, void *buf, size_t len)
{
	struct ftps_source *src = (struct ftps_source *)s;
	ssize_t n = pipe_thread_read(&src->t.t, src->fd, buf, len, src->label);

	/* The end: whether it was whole, the transfer says. */
	if (n == 0 && src->t.rc != CURLE_OK)
		return fail_curl(src->t.rc, "download", src->key);
	return n;
}

static void ftps_source_close(struct source *s)
{
	struct ftps_source *src = (struct ftps_source *)s;

	close(src->fd);
	transfer_finish(&src->t);
	free(src);
}

static int ftps_get(struct store *st, const char *key, struct source **out)
{
	struct ftps *f = st->priv;
	struct ftps_source *src = calloc(1, sizeof(*src));
	char url[2048];
	CURL *curl;

	if (src == NULL)
		return -1;
	snprintf(url, sizeof(url), "%s%s", f->base, key);
	snprintf(src->key, sizeof(src->key), "%s", key);
	snprintf(src->label, sizeof(src->label), "%s over FTPS", key);
	src->base.read = ftps_source_read;
	src->base.close = ftps_source_close;
	curl = handle(f, url);
	src->fd = curl != NULL ? transfer_start(&src->t, curl, 0) : -1;
	if (src->fd < 0) {
		if (curl != NULL)
			transfer_finish(&src->t);
		free(src);
		fail(EXIT_INTERNAL, "cannot start the FTPS download of %s", key);
		return -1;
	}
	/* Wait for the first byte or the end: a missing file is not an error here. */
	pipe_thread_wait_started(&src->t.t);
	/* vsftpd answers 550 for a missing directory as for a denied one, as listing does. */
	if (src->t.t.fd < 0 &&
	    (src->t.rc == CURLE_REMOTE_FILE_NOT_FOUND || src->t.rc == CURLE_REMOTE_ACCESS_DENIED)) {
		ftps_source_close(&src->base);
		return 1;
	}
	*out = &src->base;
	return 0;
}

struct text {
	char *data;
	size_t len;
};

static size_t into_text(char *data, size_t size, size_t n, void *arg)
{
	struct text *t = arg;
	char *grown = realloc(t->data, t->len + size * n + 1);

	if (grown == NULL)
		return 0;
	t->data = grown;
	memcpy(t->data + t->len, data, size * n);
	t->len += size * n;
	t->data[t->len] = '\0';
	return size * n;
}

/* LIST in the Unix format servers use: "drwxr-xr-x 2 u g 4096 Nov 22 01:20 name". */
static int ftps_list(struct store *st, const char *prefix, store_list_cb cb, void *arg)
{
	struct ftps *f = st->priv;
	struct text listing = {NULL, 0};
	char url[2048], *line, *save = NULL;
	CURL *curl;
	CURLcode rc;

	snprintf(url, sizeof(url), "%s%s%s", f->base, prefix, *prefix ? "/" : "");
	curl = handle(f, url);
	if (curl == NULL)
		return -1;
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, into_text);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &listing);
	rc = curl_easy_perform(curl);
	curl_easy_cleanup(curl);
	if (rc == CURLE_REMOTE_ACCESS_DENIED || rc == CURLE_FTP_COULDNT_RETR_FILE) {
		free(listing.data);
		return 0; /* no such directory: nothing in it */
	}
	if (rc != CURLE_OK) {
		free(listing.data);
		return fail_curl(rc, "listing", prefix);
	}
	for (line = listing.data ? strtok_r(listing.data, "\r\n", &save) : NULL; line != NULL;
	     line = strtok_r(NULL, "\r\n", &save)) {
		char mode[16], name[512];
		long long size;

		if (sscanf(line, "%15s %*s %*s %*s %lld %*s %*s %*s %511[^\n]", mode, &size,
			   name) != 3 ||
		    name[0] == '.')
			continue;
		if (cb(name, mode[0] == 'd', mode[0] == 'd' ? -1 : size, arg) != 0)
			break;
	}
	free(listing.data);
	return 0;
}

/* FTP cannot copy: a promotion streams the file through us. */
static int ftps_link_or_copy(struct store *st, const char *from, const char *to)
{
	return store_copy(st, from, st, to);
}

struct removal {
	struct store *st;
	struct ftps *f;
	char dir[1024];
	int failed;
};

static int remove_entry(const char *name, int is_dir, long long size, void *arg);

/* Deletes a directory's files and subdirectories, then the directory. */
static int remove_dir(struct store *st, const char *dir)
{
	struct removal r = {st, st->priv, "", 0};
	char cmd[1200];
	const char *cmds[] = {cmd, NULL};

	snprintf(r.dir, sizeof(r.dir), "%s", dir);
	if (ftps_list(st, dir, remove_entry, &r) < 0 || r.failed)
		return -1;
	/* The hidden names the listing skipped go too. */
	snprintf(cmd, sizeof(cmd), "RMD %s%s", r.f->path, dir);
	return commands(r.f, cmds, "removing");
}

static int remove_entry(const char *name, int is_dir, long long size, void *arg)
{
	struct removal *r = arg;
	char path[1200], cmd[1300];
	const char *cmds[] = {cmd, NULL};

	(void)size;
	snprintf(path, sizeof(path), "%s/%s", r->dir, name);
	if (is_dir) {
		r->failed = remove_dir(r->st, path) < 0;
	} else {
		snprintf(cmd, sizeof(cmd), "DELE %s%s", r->f->path, path);
		r->failed = commands(r->f, cmds, "removing") < 0;
	}
	return r->failed;
}

static int ftps_remove(struct store *st, const char *key)
{
	struct ftps *f = st->priv;
	char from[1200], to[1200], doomed[1024];
	const char *slash = strrchr(key, '/');
	const char *cmds[] = {from, to, NULL};

	/* Rename first: a half-deleted backup must never look complete. */
	snprintf(doomed, sizeof(doomed), "%.*s" STORE_DELETING_PREFIX "%s-%ld",
		 slash ? (int)(slash - key + 1) : 0, key, slash ? slash + 1 : key, (long)getpid());
	snprintf(from, sizeof(from), "RNFR %s%s", f->path, key);
	snprintf(to, sizeof(to), "RNTO %s%s", f->path, doomed);
	if (commands(f, cmds, "removing") < 0)
		return -1;
	if (remove_dir(st, doomed) < 0)
		log_warn("could not remove all of %s over FTPS", doomed);
	return 0;
}

static int ftps_publish(struct store *st, const char *staged, const char *final)
{
	struct ftps *f = st->priv;
	char from[1200], to[1200];
	const char *cmds[] = {from, to, NULL};

	snprintf(from, sizeof(from), "RNFR %s%s", f->path, staged);
	snprintf(to, sizeof(to), "RNTO %s%s", f->path, final);
	return commands(f, cmds, "publishing");
}

static int ftps_open(struct store *st, const char *location, const struct store_options *o)
{
	const char *rest = location + strlen("ftps://"), *slash = strchr(rest, '/');
	struct ftps *f = calloc(1, sizeof(*f));
	size_t hostlen = slash ? (size_t)(slash - rest) : strlen(rest);
	const char *path = slash ? slash + 1 : "";
	size_t plen = strlen(path);

	if (f == NULL)
		return -1;
	st->priv = f;
	if (o->ftp_user == NULL || o->ftp_password == NULL) {
		fail(EXIT_CONFIG,
		     "the FTPS store needs FTP_USER and FTP_PASSWORD (or FTP_PASSWORD_FILE)");
		return -1;
	}
	if (asprintf(&f->root, "ftp://%.*s/", (int)hostlen, rest) < 0 ||
	    asprintf(&f->path, "%s%s", path, plen && path[plen - 1] != '/' ? "/" : "") < 0 ||
	    asprintf(&f->base, "%s%s", f->root, f->path) < 0)
		return -1;
	f->user = strdup(o->ftp_user);
	f->password = strdup(o->ftp_password);
	f->ca_file = o->ftp_ca_file ? strdup(o->ftp_ca_file) : NULL;
	f->insecure = o->ftp_insecure;
	f->max_rate = o->max_rate;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	return 0;
}

static void ftps_close(struct store *st)
{
	struct ftps *f = st->priv;

	if (f == NULL)
		return;
	free(f->root);
	free(f->base);
	free(f->path);
	free(f->user);
	if (f->password != NULL)
		explicit_bzero(f->password, strlen(f->password));
	free(f->password);
	free(f->ca_file);
	free(f);
}

const struct store_ops store_ftps_ops = {
    .name = "ftps",
    .features = STORE_RENAME,
    .open = ftps_open,
    .close = ftps_close,
    .put = ftps_put,
    .get = ftps_get,
    .list = ftps_list,
    .link_or_copy = ftps_link_or_copy,
    .remove = ftps_remove,
    .publish = ftps_publish,
};
