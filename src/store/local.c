/*
 * The local store: a directory tree, one directory per backup. A backup is
 * staged under a hidden name and published by rename(2); files are fsynced
 * before, and directories after, so a crash leaves either the old state or
 * the complete new one.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/log.h"
#include "util/signals.h"
#include "store/driver.h"

struct local_sink {
	struct sink base;
	int fd;
	char tmp[PATH_MAX];
	char path[PATH_MAX];
};

struct local_source {
	struct source base;
	int fd;
	char path[PATH_MAX];
};

static void path_of(const struct store *s, const char *key, char *buf)
{
	snprintf(buf, PATH_MAX, "%s/%s", s->location, key);
}

/* Fails with the class a write error belongs to: the store's, not ours. */
static int fail_write(const char *what, const char *path)
{
	int saved = errno;

	fail(EXIT_STORE, "%s %s failed: %s%s", what, path, strerror(saved),
	     saved == ENOSPC ? " (free space in the backup directory or lower BACKUP_COUNT)"
	     : saved == EROFS || saved == EACCES ? " (the backup directory must be writable)"
						 : "");
	return -1;
}

static int local_open(struct store *s, const char *location, const struct store_options *opts)
{
	(void)location;
	(void)opts;
	/* Strip trailing slashes so keys join cleanly. */
	for (size_t len = strlen(s->location); len > 1 && s->location[len - 1] == '/'; len--)
		s->location[len - 1] = '\0';
	if (s->location[0] == '\0') {
		fail(EXIT_CONFIG, "the backup directory is empty");
		return -1;
	}
	return 0;
}

static void local_close(struct store *s)
{
	if (s->priv != NULL)
		close((int)(long)s->priv - 1);
}

/*
 * The root directory, opened once it exists: reads resolve keys from it with
 * openat(2), which spares a path walk per manifest on long listings.
 */
static int root_fd(struct store *s)
{
	void *none = NULL, *mine;
	int fd;

	if (__atomic_load_n(&s->priv, __ATOMIC_ACQUIRE) != NULL)
		return (int)(long)s->priv - 1;
	fd = open(s->location, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return AT_FDCWD;
	/* Readers may race here (listings load manifests on several threads). */
	mine = (void *)(long)(fd + 1);
	if (!__atomic_compare_exchange_n(&s->priv, &none, mine, 0, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		close(fd);
	return (int)(long)s->priv - 1;
}

static void parent_of(const char *path, char *buf)
{
	char *slash;

	snprintf(buf, PATH_MAX, "%s", path);
	slash = strrchr(buf, '/');
	if (slash != NULL && slash != buf)
		*slash = '\0';
}

static int local_sink_write(struct sink *s, const void *buf, size_t len)
{
	struct local_sink *ls = (struct local_sink *)s;

	if (fs_write_all(ls->fd, buf, len) < 0)
		return fail_write("writing", ls->path);
	return 0;
}

static void local_sink_abort(struct sink *s)
{
	struct local_sink *ls = (struct local_sink *)s;

	if (ls->fd >= 0)
		close(ls->fd);
	unlink(ls->tmp);
	free(ls);
}

static int local_sink_commit(struct sink *s)
{
	struct local_sink *ls = (struct local_sink *)s;
	char dir[PATH_MAX];
	int fd = ls->fd;

	ls->fd = -1;
	if (fsync(fd) < 0) {
		close(fd);
		fail_write("flushing", ls->path);
		goto fail;
	}
	if (close(fd) < 0) {
		fail_write("closing", ls->path);
		goto fail;
	}
	if (rename(ls->tmp, ls->path) < 0) {
		fail_write("renaming into", ls->path);
		goto fail;
	}
	parent_of(ls->path, dir);
	if (fs_fsync_dir(dir) < 0) {
		fail_write("flushing directory", dir);
		unlink(ls->path);
		goto fail;
	}
	free(ls);
	return 0;
fail:
	local_sink_abort(s);
	return -1;
}

static int local_put(struct store *s, const char *key, struct sink **out)
{
	struct local_sink *ls = calloc(1, sizeof(*ls));
	char dir[PATH_MAX];
	const char *base;

	if (ls == NULL)
		return -1;
	path_of(s, key, ls->path);
	parent_of(ls->path, dir);
	base = strrchr(ls->path, '/') + 1;
	snprintf(ls->tmp, sizeof(ls->tmp), "%s/.%s.tmp-%ld", dir, base, (long)getpid());
	if (fs_mkdir_p(dir, 0750) < 0) {
		fail_write("creating directory", dir);
		free(ls);
		return -1;
	}
	ls->fd = open(ls->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (ls->fd < 0) {
		fail_write("creating", ls->tmp);
		free(ls);
		return -1;
	}
	ls->base.write = local_sink_write;
	ls->base.commit = local_sink_commit;
	ls->base.abort = local_sink_abort;
	*out = &ls->base;
	return 0;
}

static ssize_t local_source_read(struct source *s, void *buf, size_t len)
{
	struct local_source *src = (struct local_source *)s;

	for (;;) {
		ssize_t n = read(src->fd, buf, len);

		if (n >= 0)
			return n;
		if (errno == EINTR && !signals_stop_requested())
			continue;
		fail(errno == EINTR ? EXIT_INTERRUPTED : EXIT_CORRUPT, "reading %s failed: %s",
		     src->path, strerror(errno));
		return -1;
	}
}

static void local_source_close(struct source *s)
{
	struct local_source *src = (struct local_source *)s;

	close(src->fd);
	free(src);
}

static int local_get(struct store *s, const char *key, struct source **out)
{
	struct local_source *src = calloc(1, sizeof(*src));
	int root = root_fd(s);

	if (src == NULL)
		return -1;
	path_of(s, key, src->path);
	src->fd = openat(root, root == AT_FDCWD ? src->path : key, O_RDONLY | O_CLOEXEC);
	if (src->fd < 0) {
		int missing = errno == ENOENT;

		if (!missing)
			fail(EXIT_CORRUPT, "cannot open %s: %s", src->path, strerror(errno));
		free(src);
		return missing ? 1 : -1;
	}
	src->base.read = local_source_read;
	src->base.close = local_source_close;
	*out = &src->base;
	return 0;
}

static int local_list(struct store *s, const char *prefix, store_list_cb cb, void *arg)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *dir;
	path_of(s, prefix, path);
	dir = opendir(path);
	if (dir == NULL) {
		if (errno == ENOENT)
			return 0;
		fail(EXIT_STORE, "cannot list %s: %s", path, strerror(errno));
		return -1;
	}
	while ((e = readdir(dir)) != NULL) {
		int is_dir = e->d_type == DT_DIR;
		long long size = -1;
		struct stat st;

		if (e->d_name[0] == '.')
			continue; /* ., .., the lock, staging and deleting names */
		if (e->d_type != DT_DIR && fstatat(dirfd(dir), e->d_name, &st, 0) == 0) {
			is_dir = S_ISDIR(st.st_mode);
			size = is_dir ? -1 : (long long)st.st_size;
		}
		if (cb(e->d_name, is_dir, size, arg) != 0)
			break;
	}
	closedir(dir);
	return 0;
}

/* Link failures after which a copy still works. */
static int link_impossible(int err)
{
	return err == EXDEV || err == EPERM || err == ENOTSUP || err == EMLINK;
}

static int local_link_or_copy(struct store *s, const char *from, const char *to)
{
	char src[PATH_MAX], dst[PATH_MAX], dir[PATH_MAX];

	path_of(s, from, src);
	path_of(s, to, dst);
	parent_of(dst, dir);
	if (fs_mkdir_p(dir, 0750) < 0)
		return fail_write("creating directory", dir);
	if (link(src, dst) == 0)
		return 0;
	if (!link_impossible(errno)) {
		if (errno == ENOENT && access(src, F_OK) < 0)
			fail(EXIT_NOT_FOUND,
			     "%s disappeared during the promotion (pruned meanwhile?)", src);
		else
			fail_write("linking", dst);
		return -1;
	}
	log_info("cannot hard-link %s (%s): copying it", src, strerror(errno));
	if (fs_copy_file(src, dst) < 0)
		return fail_write("copying into", dst);
	return 0;
}

static int local_remove(struct store *s, const char *key)
{
	char path[PATH_MAX], doomed[PATH_MAX], dir[PATH_MAX];
	const char *base;

	path_of(s, key, path);
	parent_of(path, dir);
	base = strrchr(path, '/') + 1;
	/* Rename first: a half-deleted backup must never look complete. */
	snprintf(doomed, sizeof(doomed), "%s/" STORE_DELETING_PREFIX "%s-%ld", dir, base,
		 (long)getpid());
	if (rename(path, doomed) < 0) {
		if (errno == ENOENT)
			return 0;
		return fail_write("removing", path);
	}
	fs_fsync_dir(dir);
	if (fs_remove_tree(doomed) < 0)
		log_warn("could not remove all of %s: %s (the next run retries)", doomed,
			 strerror(errno));
	return 0;
}

static int local_publish(struct store *s, const char *staged, const char *final)
{
	char from[PATH_MAX], to[PATH_MAX], dir[PATH_MAX];

	path_of(s, staged, from);
	path_of(s, final, to);
	parent_of(to, dir);
	if (fs_fsync_dir(from) < 0)
		return fail_write("flushing directory", from);
	if (rename(from, to) < 0)
		return fail_write("publishing the backup as", to);
	if (fs_fsync_dir(dir) < 0)
		return fail_write("flushing directory", dir);
	return 0;
}

static int local_lock(struct store *s, const char *tier, long timeout, void **handle)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct timespec pause = {0, 100 * 1000 * 1000};
	time_t deadline = time(NULL) + timeout;
	int fd, waited = 0;

	path_of(s, tier, dir);
	snprintf(path, sizeof(path), "%s/.lock", dir);
	if (fs_mkdir_p(dir, 0750) < 0)
		return fail_write("creating directory", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0)
		return fail_write("creating lock file", path);
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			close(fd);
			return fail_write("locking", path);
		}
		if (signals_stop_requested()) {
			close(fd);
			fail(EXIT_INTERRUPTED, "interrupted while waiting for the lock %s", path);
			return -1;
		}
		if (time(NULL) >= deadline) {
			close(fd);
			fail(EXIT_LOCKED,
			     "another %s run holds the lock %s; gave up after %ld s (raise "
			     "BACKUP_LOCK_TIMEOUT to wait longer)",
			     tier, path, timeout);
			return -1;
		}
		if (!waited++)
			log_info("waiting up to %ld s for another %s run to finish (lock %s)",
				 timeout, tier, path);
		nanosleep(&pause, NULL);
	}
	*handle = (void *)(long)fd;
	return 0;
}

static void local_unlock(struct store *s, void *handle)
{
	(void)s;
	close((int)(long)handle);
}

static int local_clean(struct store *s, const char *tier)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct dirent *e;
	DIR *d;

	path_of(s, tier, dir);
	d = opendir(dir);
	if (d == NULL)
		return errno == ENOENT ? 0 : fail_write("listing", dir);
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, STORE_STAGING_PREFIX, strlen(STORE_STAGING_PREFIX)) != 0 &&
		    strncmp(e->d_name, STORE_DELETING_PREFIX, strlen(STORE_DELETING_PREFIX)) != 0 &&
		    !(e->d_name[0] == '.' && strstr(e->d_name, ".tmp-") != NULL))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		log_warn("removing %s, left by an interrupted run", path);
		if (fs_remove_tree(path) < 0)
			log_warn("could not remove %s: %s", path, strerror(errno));
	}
	closedir(d);
	return 0;
}

const struct store_ops store_local_ops = {
    .name = "file",
    .features = STORE_RENAME | STORE_CHUNKS,
    .open = local_open,
    .close = local_close,
    .put = local_put,
    .get = local_get,
    .list = local_list,
    .link_or_copy = local_link_or_copy,
    .remove = local_remove,
    .lock = local_lock,
    .unlock = local_unlock,
    .clean = local_clean,
    .publish = local_publish,
};
