/*
 * The commands of both binaries, in one table (src/cmd/table.c) that drives
 * their main(): which flags each takes, what set-up it needs, and its run
 * function, one file per command under src/cmd/.
 */
#ifndef TIERDUMP_CMD_H
#define TIERDUMP_CMD_H

#include <stddef.h>
#include <stdio.h>

#include "backup/catalog.h"
#include "conf.h"
#include "store/store.h"

struct report;

/* What a command needs before it runs. */
enum command_needs {
	CMD_TIER = 1,	/* the tier policy of BACKUP_TYPE */
	CMD_STORE = 2,	/* the configured store, opened */
	CMD_REPORT = 4, /* webhook and metrics when it ends */
	CMD_HOOKS = 8,	/* BACKUP_HOOK_* around it, PING_URL pinged */
};

struct command {
	const char *binary; /* backup or recover */
	const char *word;   /* the word after the binary's name (wal-push), or NULL */
	const char *what;   /* for usage errors: "backup --verify", "an hourly backup" */
	/*
	 * Optional: whether the resolved settings ask for this command, for
	 * commands sharing a binary and word (backup's tier run, --verify,
	 * --check). The first that says yes runs; NULL always says yes.
	 */
	int (*chosen)(const struct config *);
	/* The setting that chooses it, when two such settings conflict. */
	const char *mode_flag;
	const char *const *flags; /* the setting flags it takes, NULL-terminated */
	unsigned needs;		  /* enum command_needs */
	size_t noperands;	  /* operands after the options, exactly */
	/* r collects what the webhook and metrics say; the store is NULL without CMD_STORE. */
	int (*run)(const struct config *, struct store *, struct report *r, char *const *operands);
};

extern const struct command commands[];

/* The usage text of a binary, as its man page's SYNOPSIS shows it. */
const char *command_usage(const char *binary);

/*
 * The whole of a binary's main(): logging, signals, the command its
 * arguments name, its flags and settings, then its run(); turns the outcome
 * into the exit status and the termination log.
 */
int cmd_main(const char *binary, int argc, char **argv);

/* The commands' run functions, one file each. */
int cmd_hourly(const struct config *c, struct store *s, struct report *r, char *const *operands);
int cmd_promote(const struct config *c, struct store *s, struct report *r, char *const *operands);
int cmd_verify(const struct config *c, struct store *s, struct report *r, char *const *operands);
int cmd_check(const struct config *c, struct store *s, struct report *r, char *const *operands);
int cmd_wal_push(const struct config *c, struct store *s, struct report *r, char *const *operands);
int cmd_wal_fetch(const struct config *c, struct store *s, struct report *r, char *const *operands);
int cmd_keep(const struct config *c, struct store *s, struct report *r, char *const *operands);
int cmd_unkeep(const struct config *c, struct store *s, struct report *r, char *const *operands);
int cmd_delete(const struct config *c, struct store *s, struct report *r, char *const *operands);
int cmd_gc(const struct config *c, struct store *s, struct report *r, char *const *operands);
int cmd_check_store(const struct config *c, struct store *s, struct report *r,
		    char *const *operands);
int cmd_list(const struct config *c, struct store *s, struct report *r, char *const *operands);
int cmd_print_config(const struct config *c, struct store *s, struct report *r,
		     char *const *operands);
int cmd_restore(const struct config *c, struct store *s, struct report *r, char *const *operands);

/* Every setting of c, its value (secrets masked) and where it came from, one a line. */
void print_config(const struct config *c, FILE *out);

/* recover's listing, as a table or as JSON. */
void listing_print_table(const struct catalog *c, FILE *out);
void listing_print_json(const struct catalog *c, FILE *out);

/* LATEST_BACKUP_MAXIMUM_AGE_H: the newest complete backup must be recent enough. */
int list_check_freshness(const struct config *c, const struct catalog *cat);

#endif
