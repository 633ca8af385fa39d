#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/postgres/clients.h"
#include "util/log.h"

#include "test.h"

/* A stub tool that reports version as pg_dump does. */
static void stub(const char *root, const char *dir, const char *tool, const char *version)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, dir);
	for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", root, dir, tool);
	f = fopen(path, "w");
	if (f == NULL)
		return;
	fprintf(f, "#!/bin/sh\necho '%s (PostgreSQL) %s (Debian %s-1)'\n", tool, version, version);
	fclose(f);
	chmod(path, 0755);
}

/* The path chosen for a server of major server, or the failure's reason. */
static const char *choose(const char *root, const char *bindir, const char *tool, int server)
{
	static char out[PATH_MAX + 64];
	struct pg_client c;

	fail_clear();
	if (pg_client_choose(root, bindir, tool, server, &c) < 0)
		snprintf(out, sizeof(out), "FAIL %d %s", fail_code(), fail_reason());
	else
		snprintf(out, sizeof(out), "%d %s", c.major,
			 strncmp(c.path, root, strlen(root)) == 0 ? c.path + strlen(root) : c.path);
	return out;
}

void test_engine_postgres_clients(void)
{
	char root[] = "/tmp/tierdump-clients-XXXXXX", version[64], bindir[PATH_MAX + 16];
	char lib[PATH_MAX + 8];
	const char *got;
	struct pg_client c;

	if (mkdtemp(root) == NULL)
		return;
	snprintf(lib, sizeof(lib), "%s/lib", root);
	/* 13 has only psql; 15 and 17 have everything; 9 (9.6) and a stray folder are ignored. */
	stub(root, "lib/13/bin", "psql", "13.16");
	stub(root, "lib/15/bin", "pg_dumpall", "15.18");
	stub(root, "lib/15/bin", "psql", "15.18");
	stub(root, "lib/17/bin", "pg_dumpall", "17.12");
	stub(root, "lib/17/bin", "psql", "17.12");
	stub(root, "lib/17/bin", "initdb", "17.12");
	stub(root, "lib/stray/bin", "pg_dumpall", "99.0");
	stub(root, "bindir", "pg_dumpall", "16.4");

	got = choose(lib, NULL, "pg_dumpall", 15);
	CHECK(strcmp(got, "15 /15/bin/pg_dumpall") == 0, "same major: %s", got);
	got = choose(lib, NULL, "pg_dumpall", 16);
	CHECK(strcmp(got, "17 /17/bin/pg_dumpall") == 0, "lowest newer: %s", got);
	got = choose(lib, NULL, "pg_dumpall", 12);
	CHECK(strcmp(got, "15 /15/bin/pg_dumpall") == 0, "older server, lowest newer: %s", got);
	got = choose(lib, NULL, "psql", 12);
	CHECK(strcmp(got, "13 /13/bin/psql") == 0, "a major with only psql serves psql: %s", got);
	got = choose(lib, NULL, "pg_dumpall", 18);
	CHECK(strncmp(got, "FAIL 78 ", 8) == 0 && strstr(got, "install postgresql-client-18") &&
		  strstr(got, "PostgreSQL 18 server"),
	      "none newer: refused naming the package: %s", got);
	got = choose(lib, NULL, "pg_basebackup", 15);
	CHECK(strncmp(got, "FAIL 78 ", 8) == 0 && strstr(got, "pg_basebackup") &&
		  strstr(got, "postgresql-client-15"),
	      "no client has the tool: %s", got);

	/* PG_BINDIR: that one directory, its version from the tool itself. */
	snprintf(bindir, sizeof(bindir), "%s/bindir", root);
	got = choose(lib, bindir, "pg_dumpall", 15);
	CHECK(strncmp(got, "16 ", 3) == 0 && strcmp(got + 3, bindir) > 0 &&
		  strstr(got, "/bindir/pg_dumpall") != NULL,
	      "PG_BINDIR is used: %s", got);
	got = choose(lib, bindir, "psql", 15);
	CHECK(strncmp(got, "FAIL 78 ", 8) == 0 && strstr(got, bindir) && strstr(got, "has no psql"),
	      "PG_BINDIR lacking a tool names the directory and the tool: %s", got);
	got = choose(lib, bindir, "pg_dumpall", 17);
	CHECK(strncmp(got, "FAIL 78 ", 8) == 0 && strstr(got, "postgresql-client-17"),
	      "PG_BINDIR too old for the server: %s", got);
	got = choose(lib, "/nonexistent/bin", "pg_dumpall", 15);
	CHECK(strncmp(got, "FAIL 78 ", 8) == 0 && strstr(got, "/nonexistent/bin"),
	      "PG_BINDIR missing: %s", got);

	/* Servers for test-restores: the same major or the nearest newer; recoveries exactly. */
	fail_clear();
	CHECK(pg_server_choose(lib, 15, 0, &c) == 0 && c.major == 17, "a newer server: %d",
	      c.major);
	CHECK(pg_server_choose(lib, 0, 0, &c) == 0 && c.major == 17, "the newest: %d", c.major);
	CHECK(pg_server_choose(lib, 15, 1, &c) < 0 && strstr(fail_reason(), "postgresql-15"),
	      "exact major missing: %s", fail_reason());
	fail_clear();
	CHECK(pg_server_choose(lib, 18, 0, &c) < 0 && strstr(fail_reason(), "postgresql-18"),
	      "none newer: %s", fail_reason());
	fail_clear();

	snprintf(bindir, sizeof(bindir), "%s/lib/17/bin/pg_dumpall", root);
	CHECK(pg_client_version(bindir, version, sizeof(version)) == 17 &&
		  strcmp(version, "17.12") == 0,
	      "version: %s", version);
	CHECK(pg_major_of("15.18 (Debian 15.18-0+deb12u1)") == 15 && pg_major_of("9.6.3") == 9 &&
		  pg_major_of(NULL) == 0 && pg_major_of("") == 0,
	      "majors of versions");

	{
		char cmd[PATH_MAX + 16];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
		CHECK(system(cmd) == 0, "removed %s", root);
	}
}
