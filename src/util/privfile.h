/*
 * Private files for secrets handed to client tools (a pgpass file, a
 * MariaDB defaults file): mode 0600 in TMPDIR, removed at exit.
 */
#ifndef TIERDUMP_PRIVFILE_H
#define TIERDUMP_PRIVFILE_H

/*
 * Writes text to a new private file named after purpose and returns its
 * path, owned by this module until exit. Returns NULL after fail().
 */
const char *privfile_create(const char *purpose, const char *text);

#endif
