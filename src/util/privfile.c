#include "util/privfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/log.h"

enum { MAX_FILES = 128 }; /* a password file per target and run */

static char paths[MAX_FILES][256];
static int count;

static void remove_all(void)
{
	for (int i = 0; i < count; i++)
		unlink(paths[i]);
}

const char *privfile_create(const char *purpose, const char *text)
{
	const char *tmp = getenv("TMPDIR");
	char *path;
	int fd;

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	if (count == MAX_FILES) {
		fail(EXIT_INTERNAL, "too many private files");
		return NULL;
	}
	path = paths[count];
	snprintf(path, sizeof(paths[0]), "%s/tierdump-%s-XXXXXX", tmp, purpose);
	fd = mkstemp(path); /* mode 0600 */
	if (fd < 0) {
		fail(EXIT_CONFIG, "cannot create a private %s file in %s: %s (set TMPDIR)", purpose,
		     tmp, strerror(errno));
		return NULL;
	}
	if (count++ == 0)
		atexit(remove_all);
	if (fs_write_all(fd, text, strlen(text)) < 0 || close(fd) < 0) {
		fail(EXIT_CONFIG, "cannot write the private file %s: %s", path, strerror(errno));
		return NULL;
	}
	return path;
}
