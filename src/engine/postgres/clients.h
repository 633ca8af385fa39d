/*
 * Which PostgreSQL client programs talk to which server. Debian installs
 * each major's programs side by side under /usr/lib/postgresql/N/bin; the
 * /usr/bin ones are a wrapper that runs the newest, which may write what an
 * older server rejects. Each server gets the client of its own major when
 * it is installed, else the lowest newer one, called by its full path.
 */
#ifndef TIERDUMP_PG_CLIENTS_H
#define TIERDUMP_PG_CLIENTS_H

#include <limits.h>
#include <stddef.h>

/* Where Debian installs each major's programs, one folder per major. */
#define PG_LIBDIR "/usr/lib/postgresql"

struct pg_client {
	char path[PATH_MAX]; /* the program, by its full path */
	int major;	     /* the major of the folder it was found in, or that it reports */
};

/*
 * The tool (pg_dump, psql, ...) for a server of major server (0 when
 * unknown: the newest installed): in bindir when it is set (PG_BINDIR), which
 * must hold tool and be at least as new as the server; else under root
 * (PG_LIBDIR) the same major, or the lowest newer one. Returns 0, or -1
 * after fail(EXIT_CONFIG, ...) naming the directory and the tool, or the
 * package postgresql-client-N to install.
 */
int pg_client_choose(const char *root, const char *bindir, const char *tool, int server,
		     struct pg_client *out);

/*
 * Server programs (initdb, pg_ctl) for a throwaway server or a recovery:
 * major want exactly when exact, else want or the nearest newer one (want 0:
 * the newest), into out. Returns 0, or -1 after fail() naming the package.
 */
int pg_server_choose(const char *root, int want, int exact, struct pg_client *out);

/*
 * The version a tool reports ("pg_dump (PostgreSQL) 17.12 (Debian ...)"):
 * "17.12" into buf and its major returned, or -1 after fail().
 */
int pg_client_version(const char *path, char *buf, size_t len);

/* The major of a version string ("15.18 (Debian ...)", "9.6.3"), or 0. */
int pg_major_of(const char *version);

#endif
