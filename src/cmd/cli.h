/* Command-line flags of both binaries, drawn from the settings table. */
#ifndef TIERDUMP_CLI_H
#define TIERDUMP_CLI_H

#include <stddef.h>

#include "conf.h"

struct report;

enum cli_result { CLI_RUN, CLI_DONE, CLI_ERROR };

/*
 * Parses argv into flags, accepting the long options named in allowed (a
 * NULL-terminated list of setting flags) plus --help and --version, which
 * print usage or the version and return CLI_DONE. Exactly noperands
 * operands must follow the options (they stay in argv from optind on). A
 * bad flag prints usage to stderr and returns CLI_ERROR after fail().
 */
enum cli_result cli_parse(int argc, char **argv, const char *const allowed[], const char *usage,
			  struct config *flags, size_t noperands);

/* One command of a binary: `backup`, `backup wal-push`, `recover wal-fetch`. */
struct cli_command {
	const char *name;	  /* as logged and reported */
	const char *const *flags; /* the setting flags it accepts */
	const char *usage;
	int need_tier;	  /* loads the tier policy */
	size_t noperands; /* operands after the options, exactly */
	int report;	  /* webhook and metrics after the run */
	/* The report is the run's: the command records into it what it learns. */
	int (*run)(const struct config *, char *const *operands, struct report *);
};

/*
 * The whole of a binary's main(): logging, signals, flags, settings (with
 * the tier policy when need_tier), then run(); turns the outcome into the
 * exit status and the termination log.
 */
int cli_main(int argc, char **argv, const struct cli_command *cmd);

#endif
