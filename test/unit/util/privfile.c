/* Private files: nameless, 0600, reached by /proc/self/fd/N, handed only to children naming them.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "util/privfile.h"

void test_util_privfile(void)
{
	const char *path = privfile_create("unit", "*:*:*:*:secret\n");
	char text[64] = "", env_entry[64], longer[64];
	int fds[PRIVFILE_MAX], fd;
	struct stat st;

	CHECK(path != NULL && strncmp(path, "/proc/self/fd/", 14) == 0, "a path by descriptor: %s",
	      path ? path : "(null)");
	if (path == NULL)
		return;
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0 && read(fd, text, sizeof(text) - 1) == 15 &&
		  strcmp(text, "*:*:*:*:secret\n") == 0,
	      "it reads back what was written");
	CHECK(fd >= 0 && fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0600 && st.st_nlink == 0,
	      "mode 0600 and no name (links %d)", fd >= 0 ? (int)st.st_nlink : -1);
	if (fd >= 0)
		close(fd);
	CHECK(fcntl(atoi(path + 14), F_GETFD) == FD_CLOEXEC, "close-on-exec unless handed on");

	snprintf(env_entry, sizeof(env_entry), "PGPASSFILE=%s", path);
	{
		char *envp[] = {"HOME=/root", env_entry, NULL};
		const char *argv[] = {"pg_dumpall", NULL};

		CHECK(privfile_named(argv, envp, fds) == 1 && fds[0] == atoi(path + 14),
		      "an environment naming it hands it on");
	}
	snprintf(longer, sizeof(longer), "--defaults-file=%s", path);
	{
		const char *argv[] = {"mariadb-dump", longer, NULL};

		CHECK(privfile_named(argv, NULL, fds) == 1, "so does an argument naming it");
	}
	snprintf(longer, sizeof(longer), "--defaults-file=%s7", path);
	{
		const char *argv[] = {"mariadb-dump", longer, NULL};
		char *envp[] = {"PGPASSFILE=/home/me/.pgpass", NULL};

		CHECK(privfile_named(argv, envp, fds) == 0,
		      "another descriptor's path (%s) or file does not", longer);
		CHECK(privfile_named(NULL, NULL, fds) == 0, "nor does nothing");
	}
}
