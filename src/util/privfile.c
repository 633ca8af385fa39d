#include "util/privfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/log.h"

static struct {
	int fd;
	char path[32]; /* /proc/self/fd/N */
} files[PRIVFILE_MAX];
static int count;

/* A file without a name in dir: O_TMPFILE, or mkstemp() and unlink() at once. */
static int nameless_file(const char *dir)
{
	char path[4096];
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	/* File systems without O_TMPFILE answer EOPNOTSUPP, or EISDIR on old kernels. */
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd;
	if ((size_t)snprintf(path, sizeof(path), "%s/tierdump-private-XXXXXX", dir) >=
	    sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = mkostemp(path, O_CLOEXEC); /* mode 0600 */
	if (fd >= 0)
		unlink(path);
	return fd;
}

const char *privfile_create(const char *purpose, const char *text)
{
	const char *tmp = getenv("TMPDIR");
	int fd;

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	if (count == PRIVFILE_MAX) {
		fail(EXIT_INTERNAL, "too many private files");
		return NULL;
	}
	fd = nameless_file(tmp);
	if (fd < 0) {
		fail(EXIT_CONFIG, "cannot create a private %s file in %s: %s (set TMPDIR)", purpose,
		     tmp, strerror(errno));
		return NULL;
	}
	if (fs_write_all(fd, text, strlen(text)) < 0) {
		fail(EXIT_CONFIG, "cannot write a private %s file in %s: %s (set TMPDIR)", purpose,
		     tmp, strerror(errno));
		close(fd);
		return NULL;
	}
	files[count].fd = fd;
	snprintf(files[count].path, sizeof(files[count].path), "/proc/self/fd/%d", fd);
	return files[count++].path;
}

/* Whether text names path, ending there or at a non-digit (fd 1 is not fd 12). */
static int names(const char *text, const char *path)
{
	size_t len = strlen(path);

	for (const char *at = strstr(text, path); at != NULL; at = strstr(at + 1, path))
		if (at[len] < '0' || at[len] > '9')
			return 1;
	return 0;
}

int privfile_named(const char *const argv[], char *const envp[], int fds[PRIVFILE_MAX])
{
	int n = 0;

	for (int i = 0; i < count; i++) {
		int named = 0;

		for (int a = 0; argv != NULL && argv[a] != NULL && !named; a++)
			named = names(argv[a], files[i].path);
		for (int e = 0; envp != NULL && envp[e] != NULL && !named; e++)
			named = names(envp[e], files[i].path);
		if (named)
			fds[n++] = files[i].fd;
	}
	return n;
}
