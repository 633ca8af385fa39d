#include "cmd/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"
#include "engine/engine.h"
#include "util/log.h"
#include "util/signals.h"

#ifndef TIERDUMP_VERSION
#define TIERDUMP_VERSION "unknown"
#endif

enum { OPT_HELP = 1000, OPT_VERSION, OPT_SETTING };

enum cli_result cli_parse(int argc, char **argv, const char *const allowed[], const char *usage,
			  struct config *flags, size_t noperands)
{
	struct option options[64];
	size_t n = 0;
	int opt, index;

	for (size_t i = 0; allowed[i] != NULL && n < 60; i++) {
		const struct setting *s = conf_find_flag(allowed[i]);

		if (s == NULL)
			continue;
		options[n++] = (struct option){
		    s->flag, s->kind == SETTING_BOOL ? no_argument : required_argument, NULL,
		    OPT_SETTING};
	}
	options[n++] = (struct option){"help", no_argument, NULL, OPT_HELP};
	options[n++] = (struct option){"version", no_argument, NULL, OPT_VERSION};
	options[n] = (struct option){NULL, 0, NULL, 0};
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", options, &index)) != -1) {
		char origin[80];

		switch (opt) {
		case OPT_SETTING:
			snprintf(origin, sizeof(origin), "--%s", options[index].name);
			if (conf_set(flags, conf_find_flag(options[index].name),
				     optarg ? optarg : "1", origin) < 0) {
				fputs(usage, stderr);
				return CLI_ERROR;
			}
			break;
		case 'h':
		case OPT_HELP:
			fputs(usage, stdout);
			return CLI_DONE;
		case OPT_VERSION:
			printf("tierdump %s\n", TIERDUMP_VERSION);
			return CLI_DONE;
		default:
			fputs(usage, stderr);
			fail(EXIT_USAGE, "unknown or incomplete option '%s'", argv[optind - 1]);
			return CLI_ERROR;
		}
	}
	if ((size_t)(argc - optind) > noperands) {
		fputs(usage, stderr);
		fail(EXIT_USAGE, "unexpected argument '%s'", argv[optind + noperands]);
		return CLI_ERROR;
	}
	if ((size_t)(argc - optind) < noperands) {
		fputs(usage, stderr);
		fail(EXIT_USAGE,
		     "%s needs %zu argument(s) after its options, got %d (see the usage above)",
		     argv[0], noperands, argc - optind);
		return CLI_ERROR;
	}
	return CLI_RUN;
}

/* Where the one-line failure reason goes, even when the settings failed to load. */
static const char *termination_log(const struct config *c)
{
	if (c->termination_log != NULL)
		return c->termination_log;
	if (getenv("TERMINATION_LOG") != NULL)
		return getenv("TERMINATION_LOG");
	return access("/dev/termination-log", W_OK) == 0 ? "/dev/termination-log" : NULL;
}

int cli_main(int argc, char **argv, const struct cli_command *cmd)
{
	struct config flags, conf;
	int rc = -1, status;

	log_init(cmd->name);
	signals_install();
	conf_init(&flags);
	conf_init(&conf);
	switch (cli_parse(argc, argv, cmd->flags, cmd->usage, &flags, cmd->noperands)) {
	case CLI_DONE:
		rc = 0;
		break;
	case CLI_ERROR:
		break;
	case CLI_RUN:
		if (conf_resolve(&conf, &flags, cmd->need_tier) < 0)
			break;
		/* The environment has become settings; from here on it is read-only. */
		engine_startup();
		rc = cmd->run(&conf, argv + optind);
		break;
	}
	status = log_finish(rc < 0, termination_log(&conf));
	/* Once the settings were read they say where to report. */
	if (cmd->report && conf.tier != NULL)
		report_finish(&conf, cmd->name, status);
	conf_free(&flags);
	conf_free(&conf);
	return status;
}
