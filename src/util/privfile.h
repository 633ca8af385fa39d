/*
 * Private files for secrets handed to client tools (a pgpass file, a
 * MariaDB defaults file). Each is a file without a name: made with
 * O_TMPFILE in TMPDIR (or made and unlinked at once where the file system
 * lacks it), mode 0600, and reached through /proc/self/fd/N. No kill, not
 * even SIGKILL, can leave a secret behind on disk: the kernel frees the file
 * with its last descriptor.
 */
#ifndef TIERDUMP_PRIVFILE_H
#define TIERDUMP_PRIVFILE_H

enum { PRIVFILE_MAX = 128 }; /* a password file per target and run */

/*
 * Writes text to a new private file named after purpose (in messages) and
 * returns the path that reaches it, /proc/self/fd/N, valid until exit.
 * Returns NULL after fail().
 */
const char *privfile_create(const char *purpose, const char *text);

/*
 * The descriptors of the private files that argv or envp (either may be
 * NULL) names, into fds. A child is handed only those: the descriptors are
 * close-on-exec, so that servers, hooks and children of another user never
 * hold a secret they were not given. Returns how many; no allocation, so it
 * may run just before fork().
 */
int privfile_named(const char *const argv[], char *const envp[], int fds[PRIVFILE_MAX]);

#endif
