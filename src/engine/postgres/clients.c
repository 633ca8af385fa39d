#include "engine/postgres/clients.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/exec.h"
#include "util/log.h"

/* The majors under root that have bin/tool, sorted ascending; their count. */
static size_t installed(const char *root, const char *tool, int *majors, size_t max)
{
	DIR *d = opendir(root);
	struct dirent *de;
	size_t n = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL && n < max) {
		char path[PATH_MAX];
		char *end;
		long major = strtol(de->d_name, &end, 10);

		if (*de->d_name < '1' || *de->d_name > '9' || *end != '\0' || major > 1000)
			continue;
		snprintf(path, sizeof(path), "%s/%s/bin/%s", root, de->d_name, tool);
		if (access(path, X_OK) == 0)
			majors[n++] = (int)major;
	}
	closedir(d);
	/* Few entries: an insertion sort. */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && majors[j - 1] > majors[j]; j--) {
			int t = majors[j];

			majors[j] = majors[j - 1];
			majors[j - 1] = t;
		}
	return n;
}

int pg_major_of(const char *version)
{
	int major = version != NULL ? atoi(version) : 0;

	/* Before 10 the major had two parts (9.6); those all count as older than 10. */
	return major > 0 ? major : 0;
}

int pg_client_version(const char *path, char *buf, size_t len)
{
	const char *argv[] = {path, "--version", NULL};
	const char *digits;
	char out[256];

	if (child_capture(argv, NULL, out, sizeof(out), EXIT_CONFIG, NULL) < 0)
		return -1;
	/* "pg_dumpall (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)" */
	digits = strstr(out, ") ");
	if (digits == NULL || atoi(digits + 2) <= 0) {
		fail(EXIT_CONFIG, "cannot tell the version of %s from '%s'", path, out);
		return -1;
	}
	snprintf(buf, len, "%.*s", (int)strcspn(digits + 2, " \n"), digits + 2);
	return atoi(digits + 2);
}

/* PG_BINDIR: one directory, which must hold the tool and be new enough. */
static int choose_in(const char *bindir, const char *tool, int server, struct pg_client *out)
{
	char version[64];

	snprintf(out->path, sizeof(out->path), "%s/%s", bindir, tool);
	if (access(out->path, X_OK) != 0) {
		fail(EXIT_CONFIG,
		     "PG_BINDIR %s has no %s: point PG_BINDIR at a PostgreSQL client's bin "
		     "directory (such as " PG_LIBDIR "/%d/bin), or unset it",
		     bindir, tool, server > 0 ? server : 17);
		return -1;
	}
	out->major = pg_client_version(out->path, version, sizeof(version));
	if (out->major < 0)
		return -1;
	if (out->major < server) {
		fail(EXIT_CONFIG,
		     "%s is PostgreSQL %d's and cannot serve a PostgreSQL %d server: install "
		     "postgresql-client-%d, or point PG_BINDIR at a client of %d or newer",
		     out->path, out->major, server, server, server);
		return -1;
	}
	return 0;
}

int pg_client_choose(const char *root, const char *bindir, const char *tool, int server,
		     struct pg_client *out)
{
	int majors[64];
	size_t n;

	if (bindir != NULL && *bindir != '\0')
		return choose_in(bindir, tool, server, out);
	n = installed(root, tool, majors, sizeof(majors) / sizeof(*majors));
	if (n == 0) {
		fail(EXIT_CONFIG,
		     "no PostgreSQL client has %s under %s: install postgresql-client-%d", tool,
		     root, server > 0 ? server : 17);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (majors[i] >= server) {
			/* The same major, or else the lowest newer: the first at least as new. */
			out->major = majors[i];
			snprintf(out->path, sizeof(out->path), "%s/%d/bin/%s", root, majors[i],
				 tool);
			return 0;
		}
	fail(EXIT_CONFIG,
	     "no installed PostgreSQL client can serve a PostgreSQL %d server (the newest %s is "
	     "%d's): install postgresql-client-%d",
	     server, tool, majors[n - 1], server);
	return -1;
}

int pg_server_choose(const char *root, int want, int exact, struct pg_client *out)
{
	int majors[64];
	size_t n = installed(root, "initdb", majors, sizeof(majors) / sizeof(*majors));

	for (size_t i = 0; i < n; i++)
		if ((exact && majors[i] == want) || (!exact && want > 0 && majors[i] >= want) ||
		    (want == 0 && i == n - 1)) {
			out->major = majors[i];
			snprintf(out->path, sizeof(out->path), "%s/%d/bin", root, majors[i]);
			return 0;
		}
	if (n == 0)
		fail(EXIT_CONFIG,
		     "no PostgreSQL server programs (initdb, pg_ctl) under %s: install "
		     "postgresql-%d",
		     root, want > 0 ? want : 17);
	else
		fail(EXIT_CONFIG,
		     "no PostgreSQL %d server programs%s under %s (the newest is %d): install "
		     "postgresql-%d",
		     want, exact ? "" : " or newer", root, majors[n - 1], want);
	return -1;
}
