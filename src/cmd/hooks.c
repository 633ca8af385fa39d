#include "cmd/hooks.h"

#include <inttypes.h>
#include <stdio.h>

#include "report.h"
#include "util/exec.h"
#include "util/log.h"
#include "util/strlist.h"
#include "util/words.h"

/* Runs one hook, its environment changed by env. Returns 0, or -1 after fail(code). */
static int run_hook(const struct config *c, const char *setting, const char *value,
		    const struct child_env *env, enum exit_code code)
{
	struct child child;
	char **argv;
	size_t n;
	int rc = -1;

	if (value == NULL)
		return 0;
	if (words_split(value, setting, &argv, &n) < 0)
		return -1;
	if (n == 0) {
		rc = 0; /* an empty value: no hook */
		goto out;
	}
	log_info("running %s: %s", setting, argv[0]);
	if (child_start(&child, (const char *const *)argv, env, 0) < 0)
		goto out;
	snprintf(child.name, sizeof(child.name), "%s %s", setting, argv[0]);
	rc = child_finish_within(&child, c->hook_timeout, code);
out:
	strlist_free(argv, n);
	return rc;
}

int hooks_before(const struct config *c, struct report *r)
{
	struct child_env env = {0};
	int rc = -1;

	if (child_env_set(&env, "TIERDUMP_HOOK", "before") == 0 &&
	    child_env_set(&env, "TIERDUMP_TIER", c->tier) == 0)
		rc = run_hook(c, "BACKUP_HOOK_BEFORE", c->hook_before, &env, EXIT_HOOK);
	child_env_free(&env);
	if (rc < 0) {
		log_error("BACKUP_HOOK_BEFORE failed: nothing was dumped");
		report_hook_failed(r, "BACKUP_HOOK_BEFORE");
	}
	return rc;
}

/* The environment of the after and failure hooks: the run's outcome. */
static int outcome_env(struct child_env *env, const struct config *c, const struct report *r,
		       int status, const char *reason)
{
	char exit_status[16], size[32];

	snprintf(exit_status, sizeof(exit_status), "%d", status);
	snprintf(size, sizeof(size), "%" PRIu64, report_size(r));
	return child_env_set(env, "TIERDUMP_TIER", c->tier) < 0 ||
		       child_env_set(env, "TIERDUMP_RESULT", status == 0 ? "success" : "failure") <
			   0 ||
		       child_env_set(env, "TIERDUMP_EXIT_STATUS", exit_status) < 0 ||
		       child_env_set(env, "TIERDUMP_REASON", status == 0 ? "" : reason) < 0 ||
		       child_env_set(env, "TIERDUMP_TIMESTAMP", report_stamp(r)) < 0 ||
		       child_env_set(env, "TIERDUMP_SIZE", size) < 0
		   ? -1
		   : 0;
}

void hooks_after(const struct config *c, struct report *r, int status, const char *reason)
{
	static const struct {
		const char *setting, *name;
		size_t field;
	} hooks[] = {
	    {"BACKUP_HOOK_AFTER", "after", offsetof(struct config, hook_after)},
	    {"BACKUP_HOOK_FAILURE", "failure", offsetof(struct config, hook_failure)},
	};
	struct child_env env = {0};

	if (outcome_env(&env, c, r, status, reason) < 0)
		goto out;
	for (size_t i = 0; i < sizeof(hooks) / sizeof(*hooks); i++) {
		const char *value = *(char *const *)((const char *)c + hooks[i].field);

		if (i == 1 && status == 0)
			continue;
		if (child_env_set(&env, "TIERDUMP_HOOK", hooks[i].name) < 0)
			goto out;
		if (run_hook(c, hooks[i].setting, value, &env, EXIT_HOOK) < 0) {
			log_warn("%s failed: the run's result stands", hooks[i].setting);
			report_hook_failed(r, hooks[i].setting);
		}
	}
out:
	child_env_free(&env);
}
