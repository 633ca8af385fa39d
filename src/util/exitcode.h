/*
 * Exit status of both binaries, one per failure class (sysexits-style).
 * The same list is documented under EXIT STATUS in backup(8) and recover(8);
 * change both together.
 */
#ifndef TIERDUMP_EXITCODE_H
#define TIERDUMP_EXITCODE_H

enum exit_code {
	EXIT_OK = 0,
	EXIT_USAGE = 64,       /* bad flag, bad FROM_BACKUP value */
	EXIT_CORRUPT = 65,     /* checksum mismatch, truncated or unreadable backup */
	EXIT_NOT_FOUND = 66,   /* no such backup, nothing to restore */
	EXIT_UNAVAILABLE = 69, /* database server unreachable */
	EXIT_INTERNAL = 70,    /* a bug or an unexpected system failure */
	EXIT_STORE = 73,       /* cannot write to the store: read-only, disk full */
	EXIT_LOCKED = 75,      /* another run of the same tier holds the lock */
	EXIT_AUTH = 77,	       /* the server refused our credentials or privileges */
	EXIT_CONFIG = 78,      /* bad configuration or missing tool */
	EXIT_DUMP = 79,	       /* the dump process failed */
	EXIT_RESTORE = 80,     /* the restore process failed, or the target refused */
	EXIT_CHECK = 81,       /* a post-restore or freshness check failed */
	EXIT_INTERRUPTED = 82, /* stopped by SIGTERM, SIGINT or SIGHUP */
	EXIT_MIRROR = 83,      /* the primary store succeeded, a mirror did not */
	EXIT_HOOK = 84,	       /* BACKUP_HOOK_BEFORE failed: nothing was dumped */
};

#endif
