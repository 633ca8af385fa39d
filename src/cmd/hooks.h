/*
 * BACKUP_HOOK_BEFORE, BACKUP_HOOK_AFTER and BACKUP_HOOK_FAILURE: commands
 * run around a tier run (hourly or promotion), without a shell (util/words.h
 * says how a value becomes argv), with our environment plus TIERDUMP_*
 * variables describing the run, each killed after BACKUP_HOOK_TIMEOUT
 * seconds. Their stderr goes to our log, their stdout nowhere.
 */
#ifndef TIERDUMP_CMD_HOOKS_H
#define TIERDUMP_CMD_HOOKS_H

#include "conf.h"

struct report;

/*
 * The before-hook: 0, or -1 after fail(EXIT_HOOK) (or EXIT_CONFIG: it
 * cannot be run). A hook that fails is noted in r for the webhook and metrics.
 */
int hooks_before(const struct config *c, struct report *r);

/*
 * The after-hook, then on failure (status non-zero) the failure hook, told
 * the run's result. Their failures are logged; the run's result stands.
 */
void hooks_after(const struct config *c, struct report *r, int status, const char *reason);

#endif
