/*
 * The main() of both binaries: finds the command its arguments name in the
 * table, parses the flags every row of that binary and word takes, loads the
 * settings, picks the row they choose, refuses a flag that row does not
 * take, then sets up what it needs and runs it.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/hooks.h"
#include "ping.h"
#include "report.h"
#include "engine/engine.h"
#include "util/log.h"
#include "util/signals.h"
#include "util/strlist.h"
#include "util/version.h"

enum { OPT_HELP = 1000, OPT_VERSION, OPT_SETTING, MAX_OPTIONS = 64 };

/* Whether a row serves the binary and the word its arguments start with. */
static int serves(const struct command *cmd, const char *binary, const char *word)
{
	if (strcmp(cmd->binary, binary) != 0)
		return 0;
	return cmd->word == NULL ? word == NULL : word != NULL && strcmp(cmd->word, word) == 0;
}

static int takes(const struct command *cmd, const char *flag)
{
	for (size_t i = 0; cmd->flags[i] != NULL; i++)
		if (strcmp(cmd->flags[i], flag) == 0)
			return 1;
	return 0;
}

/*
 * Flags that name another setting in one binary than the settings table
 * says: recover --database is the database to restore (RECOVER_DATABASE),
 * backup --database the one to dump (DATABASE), so that an environment
 * shared by both never makes a restore partial.
 */
static const struct {
	const char *binary, *flag, *env;
} scoped_flags[] = {
    {"recover", "database", "RECOVER_DATABASE"},
};

static const struct setting *flag_setting(const char *binary, const char *flag)
{
	for (size_t i = 0; i < sizeof(scoped_flags) / sizeof(scoped_flags[0]); i++)
		if (strcmp(scoped_flags[i].binary, binary) == 0 &&
		    strcmp(scoped_flags[i].flag, flag) == 0)
			return conf_find_env(scoped_flags[i].env);
	return conf_find_flag(flag);
}

/* The long options of every row serving binary and word, each once. */
static size_t collect_options(const char *binary, const char *word, struct option *options)
{
	size_t n = 0;

	for (const struct command *cmd = commands; cmd->binary != NULL; cmd++) {
		if (!serves(cmd, binary, word))
			continue;
		for (size_t i = 0; cmd->flags[i] != NULL; i++) {
			const struct setting *s = flag_setting(binary, cmd->flags[i]);
			size_t k;

			for (k = 0; k < n && strcmp(options[k].name, cmd->flags[i]) != 0; k++)
				;
			if (s == NULL || k < n || n + 3 >= MAX_OPTIONS)
				continue;
			options[n++] = (struct option){cmd->flags[i],
						       s->kind == SETTING_BOOL ? no_argument
									       : required_argument,
						       NULL, OPT_SETTING};
		}
	}
	options[n++] = (struct option){"help", no_argument, NULL, OPT_HELP};
	options[n++] = (struct option){"version", no_argument, NULL, OPT_VERSION};
	options[n] = (struct option){NULL, 0, NULL, 0};
	return n;
}

enum cli_result { CLI_RUN, CLI_DONE, CLI_ERROR };

/*
 * Parses the options into flags, naming each one given in *given (the
 * caller frees it), and checks the number of operands. --help and --version
 * print and return CLI_DONE; a bad option prints usage and returns
 * CLI_ERROR after fail().
 */
static enum cli_result parse(int argc, char **argv, const char *binary, const char *word,
			     size_t noperands, struct config *flags, char ***given, size_t *ngiven)
{
	const char *usage = command_usage(binary);
	struct option options[MAX_OPTIONS];
	int opt, index;

	collect_options(binary, word, options);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", options, &index)) != -1) {
		char origin[80];

		switch (opt) {
		case OPT_SETTING:
			snprintf(origin, sizeof(origin), "--%s", options[index].name);
			if (conf_set(flags, flag_setting(binary, options[index].name),
				     optarg ? optarg : "1", origin) < 0 ||
			    strlist_add(given, ngiven, options[index].name) < 0) {
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

/*
 * The row the settings choose among those serving binary and word; two
 * modes asked for at once (--verify and --check) are a usage error.
 */
static const struct command *choose(const char *binary, const char *word, const struct config *c)
{
	const struct command *chosen = NULL;

	for (const struct command *cmd = commands; cmd->binary != NULL; cmd++) {
		if (!serves(cmd, binary, word) || (cmd->chosen != NULL && !cmd->chosen(c)))
			continue;
		if (chosen == NULL) {
			chosen = cmd;
		} else if (chosen->mode_flag != NULL && cmd->mode_flag != NULL) {
			fputs(command_usage(binary), stderr);
			fail(EXIT_USAGE, "--%s and --%s are different modes of %s: give one",
			     chosen->mode_flag, cmd->mode_flag, binary);
			return NULL;
		}
	}
	return chosen;
}

/* Every flag given must be one the chosen row takes. */
static int check_flags(const struct command *cmd, char *const *given, size_t ngiven)
{
	for (size_t i = 0; i < ngiven; i++) {
		if (takes(cmd, given[i]))
			continue;
		fputs(command_usage(cmd->binary), stderr);
		fail(EXIT_USAGE, "--%s is not an option of %s (see the usage above)", given[i],
		     cmd->what);
		return -1;
	}
	return 0;
}

/* The row serving binary and word that takes the most operands. */
static size_t operands_of(const char *binary, const char *word)
{
	size_t n = 0;

	for (const struct command *cmd = commands; cmd->binary != NULL; cmd++)
		if (serves(cmd, binary, word) && cmd->noperands > n)
			n = cmd->noperands;
	return n;
}

/* Whether some row needs the tier policy: they all load settings the same way. */
static int needs_of(const char *binary, const char *word)
{
	unsigned needs = 0;

	for (const struct command *cmd = commands; cmd->binary != NULL; cmd++)
		if (serves(cmd, binary, word))
			needs |= cmd->needs;
	return (int)needs;
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

static int run(const struct command *cmd, const struct config *c, struct report *r,
	       char *const *operands)
{
	struct store *s = NULL;
	int rc;

	if ((cmd->needs & CMD_STORE) && (s = store_open_configured(c)) == NULL)
		return -1;
	rc = cmd->run(c, s, r, operands);
	store_close(s);
	return rc;
}

int cmd_main(const char *binary, int argc, char **argv)
{
	const char *word = argc > 1 && argv[1][0] != '-' ? argv[1] : NULL;
	const struct command *cmd = NULL;
	/* Made first: its clock times the whole run. */
	struct report *report = report_new();
	struct config flags, conf;
	char **given = NULL, name[64];
	size_t ngiven = 0;
	int rc = -1, status, hooked = 0;

	/* A first argument that names no command is an operand, left for the parser to refuse. */
	if (word != NULL && !(needs_of(binary, word) || operands_of(binary, word)))
		word = NULL;
	snprintf(name, sizeof(name), "%s%s%s", binary, word ? " " : "", word ? word : "");
	log_init(name);
	signals_install();
	conf_init(&flags);
	conf_init(&conf);
	if (word != NULL) {
		argc--;
		argv++;
	}
	switch (
	    parse(argc, argv, binary, word, operands_of(binary, word), &flags, &given, &ngiven)) {
	case CLI_DONE:
		rc = 0;
		break;
	case CLI_ERROR:
		break;
	case CLI_RUN:
		if (conf_resolve(&conf, &flags, (needs_of(binary, word) & CMD_TIER) != 0) < 0) {
			/* What is known still helps find the bad setting; the exit says it failed.
			 */
			if (flags.print_config > 0)
				print_config(&conf, stdout);
			break;
		}
		/* The environment has become settings; from here on it is read-only. */
		engine_startup();
		cmd = choose(binary, word, &conf);
		if (cmd == NULL || check_flags(cmd, given, ngiven) < 0)
			break;
		hooked = (cmd->needs & CMD_HOOKS) != 0;
		if (hooked)
			ping_start(conf.ping_url);
		if (!hooked || hooks_before(&conf, report) == 0)
			rc = run(cmd, &conf, report, argv + optind);
		break;
	}
	status = log_finish(rc < 0, termination_log(&conf));
	if (hooked) {
		hooks_after(&conf, report, status, fail_reason());
		ping_finish(conf.ping_url, status, fail_reason());
	}
	/* Once the settings were read they say where to report. */
	if (cmd != NULL && (cmd->needs & CMD_REPORT) && conf.tier != NULL)
		report_finish(report, &conf, binary, status);
	report_free(report);
	strlist_free(given, ngiven);
	conf_free(&flags);
	conf_free(&conf);
	return status;
}
