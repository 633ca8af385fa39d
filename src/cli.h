/* Command-line flags of both binaries, drawn from the settings table. */
#ifndef TIERDUMP_CLI_H
#define TIERDUMP_CLI_H

#include "conf.h"

enum cli_result { CLI_RUN, CLI_DONE, CLI_ERROR };

/*
 * Parses argv into flags, accepting the long options named in allowed (a
 * NULL-terminated list of setting flags) plus --help and --version, which
 * print usage or the version and return CLI_DONE. A bad flag prints usage
 * to stderr and returns CLI_ERROR after fail().
 */
enum cli_result cli_parse(int argc, char **argv, const char *const allowed[],
			  const char *usage, struct config *flags);

/*
 * The whole of a binary's main(): logging, signals, flags, settings (with
 * the tier policy when need_tier), then run(); turns the outcome into the
 * exit status and the termination log.
 */
int cli_main(int argc, char **argv, const char *program, const char *const allowed[],
	     const char *usage, int need_tier, int (*run)(const struct config *));

#endif
