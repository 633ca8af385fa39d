#include "util/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fs_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int fs_fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc, saved;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

int fs_mkdir_p(const char *path, unsigned mode)
{
	char *copy = strdup(path), *p;
	int rc = -1;

	if (copy == NULL)
		return -1;
	for (p = copy + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, mode) < 0 && errno != EEXIST)
			goto out;
		*p = '/';
	}
	if (mkdir(copy, mode) < 0 && errno != EEXIST)
		goto out;
	rc = 0;
out:
	free(copy);
	return rc;
}

static int remove_tree_at(int parent, const char *name);

/* Removes everything in the open directory fd; closes it. */
static int remove_contents(int fd)
{
	struct dirent *entry;
	DIR *dir = fdopendir(fd);
	int rc = 0;

	if (dir == NULL) {
		close(fd);
		return -1;
	}
	while ((entry = readdir(dir)) != NULL) {
		if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
			continue;
		if (remove_tree_at(fd, entry->d_name) < 0)
			rc = -1;
	}
	closedir(dir);
	return rc;
}

static int remove_tree_at(int parent, const char *name)
{
	int fd, why;

	if (unlinkat(parent, name, 0) == 0 || errno == ENOENT)
		return 0;
	/*
	 * A directory (EISDIR), or one whose parent we may not write (EACCES)
	 * or a mount point (EBUSY): what is in it may still go.
	 */
	why = errno;
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		errno = why; /* not a directory: the unlink's failure stands */
		return -1;
	}
	if (remove_contents(fd) < 0)
		return -1;
	return unlinkat(parent, name, AT_REMOVEDIR) == 0 || errno == ENOENT ? 0 : -1;
}

int fs_remove_contents(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	return fd < 0 ? -1 : remove_contents(fd);
}

int fs_remove_tree(const char *path)
{
	return remove_tree_at(AT_FDCWD, path);
}

char *fs_read_small_file(const char *path)
{
	enum { LIMIT = 64 * 1024 };
	char *buf = malloc(LIMIT + 1);
	size_t len = 0;
	int fd, saved;

	if (buf == NULL)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	while (len < LIMIT) {
		ssize_t n = read(fd, buf + len, LIMIT - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail_fd;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	buf[len] = '\0';
	return buf;
fail_fd:
	saved = errno;
	close(fd);
	errno = saved;
fail:
	saved = errno;
	free(buf);
	errno = saved;
	return NULL;
}

int fs_copy_file(const char *src, const char *dst)
{
	char buf[1 << 16];
	int in, out = -1, saved;
	ssize_t n;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (out < 0)
		goto fail;
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || fs_write_all(out, buf, (size_t)n) < 0)
			goto fail;
	}
	if (fsync(out) < 0)
		goto fail;
	if (close(out) < 0) {
		out = -1;
		goto fail;
	}
	close(in);
	return 0;
fail:
	saved = errno;
	close(in);
	if (out >= 0)
		close(out);
	unlink(dst);
	errno = saved;
	return -1;
}
