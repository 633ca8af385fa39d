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

/* Where the one-line failure reason goes, even when the settings failed to load. */
const char *cli_termination_log(const struct config *c);

#endif
