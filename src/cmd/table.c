/*
 * Every command of both binaries, as git's git.c has them: one row each,
 * naming the flags it takes and the set-up it needs. cmd_main() finds the
 * row its arguments choose; a flag the chosen row does not take is a usage
 * error naming both.
 */
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/jobs.h"
#include "engine/engine.h"

static const char backup_usage[] =
    "usage: backup [--tier tier] [--config file] [--backup-dir dir] [--count n]\n"
    "              [--prior-tier tier] [--prior-count n] [--database name]\n"
    "              [--lock-timeout seconds] [--compression gzip | zstd | none]\n"
    "              [--compression-level n] [--threads n] [--engine postgres | mariadb | mongodb]\n"
    "              [--encryption none | age] [--recipients keys] [--recipients-file file]\n"
    "              [--format file | chunked] [--chunk-key-file file]\n"
    "       backup --verify latest | timestamp [--identity-file file] [--config file]\n"
    "              [--backup-dir dir]\n"
    "       backup --check [--config file] [--backup-dir dir]\n"
    "       backup --gc [--config file] [--backup-dir dir]\n"
    "       backup --keep timestamp [--reason text] [--tier tier] [--config file]\n"
    "              [--backup-dir dir] [--lock-timeout seconds]\n"
    "       backup --unkeep timestamp [--tier tier] [--config file] [--backup-dir dir]\n"
    "              [--lock-timeout seconds]\n"
    "       backup --delete timestamp [--force] [--tier tier] [--config file]\n"
    "              [--backup-dir dir] [--lock-timeout seconds]\n"
    "       backup --print-config [option ...]\n"
    "       backup wal-push [--config file] [--backup-dir dir] path\n"
    "       backup --help | --version\n";

static const char recover_usage[] =
    "usage: recover [--from-backup none | latest | timestamp] [--target name] [--force]\n"
    "               [--recovery-target-time time] [--recovery-target immediate | latest]\n"
    "               [--start] [--json] [--identity-file file] [--config file]\n"
    "               [--backup-dir dir] [--database name [--as newname]]\n"
    "       recover --check-store [--repair] [--identity-file file] [--config file]\n"
    "               [--backup-dir dir]\n"
    "       recover --print-config [option ...]\n"
    "       recover wal-fetch [--identity-file file] [--config file] [--backup-dir dir] file path\n"
    "       recover --help | --version\n";

static const char *const hourly_flags[] = {
    "tier",	    "config",	   "backup-dir",	"count",   "database",
    "lock-timeout", "compression", "compression-level", "threads", "engine",
    "encryption",   "recipients",  "recipients-file",	"format",  "chunk-key-file",
    NULL,
};
static const char *const promote_flags[] = {
    "tier", "config", "backup-dir", "count", "prior-tier", "prior-count", "lock-timeout", NULL,
};
/* --tier stays: the tier policy is loaded, and CronJobs set BACKUP_TYPE for every mode. */
static const char *const verify_flags[] = {"verify",	 "tier",	  "config",
					   "backup-dir", "identity-file", NULL};
static const char *const check_flags[] = {"check", "tier", "config", "backup-dir", NULL};
static const char *const gc_flags[] = {"gc", "tier", "config", "backup-dir", NULL};
static const char *const check_store_flags[] = {"check-store", "repair",     "identity-file",
						"config",      "backup-dir", NULL};
/* One backup of the run's tier (--tier), under the tier's lock. */
static const char *const keep_flags[] = {
    "keep", "reason", "tier", "config", "backup-dir", "lock-timeout", NULL,
};
static const char *const unkeep_flags[] = {
    "unkeep", "tier", "config", "backup-dir", "lock-timeout", NULL,
};
static const char *const delete_flags[] = {
    "delete", "force", "tier", "config", "backup-dir", "lock-timeout", NULL,
};
/* --print-config takes every option of its binary's modes: it shows what they would run with. */
static const char *const backup_print_flags[] = {
    "print-config",
    "tier",
    "config",
    "backup-dir",
    "count",
    "prior-tier",
    "prior-count",
    "database",
    "lock-timeout",
    "compression",
    "threads",
    "compression-level",
    "engine",
    "verify",
    "check",
    "keep",
    "reason",
    "unkeep",
    "delete",
    "force",
    "encryption",
    "recipients",
    "recipients-file",
    "identity-file",
    "format",
    "chunk-key-file",
    "gc",
    NULL,
};
static const char *const recover_print_flags[] = {
    "print-config",
    "check-store",
    "from-backup",
    "json",
    "target",
    "force",
    "recovery-target-time",
    "recovery-target",
    "start",
    "database",
    "as",
    "config",
    "backup-dir",
    NULL,
};
static const char *const store_flags[] = {"config", "backup-dir", NULL};
static const char *const fetch_flags[] = {"config", "backup-dir", "identity-file", NULL};
static const char *const list_flags[] = {"from-backup", "json", "config", "backup-dir", NULL};
static const char *const restore_flags[] = {
    "from-backup",     "target",   "force",  "recovery-target-time",
    "recovery-target", "start",	   "config", "backup-dir",
    "identity-file",   "database", "as",     NULL,
};

static int wants_print_config(const struct config *c)
{
	return c->print_config != 0;
}

static int wants_verify(const struct config *c)
{
	return c->verify != NULL;
}

static int wants_check(const struct config *c)
{
	return c->check != 0;
}

static int wants_gc(const struct config *c)
{
	return c->gc != 0;
}

static int wants_check_store(const struct config *c)
{
	return c->check_store != 0;
}

static int wants_keep(const struct config *c)
{
	return c->keep != NULL;
}

static int wants_unkeep(const struct config *c)
{
	return c->unkeep != NULL;
}

static int wants_delete(const struct config *c)
{
	return c->delete_backup != NULL;
}

static int is_hourly(const struct config *c)
{
	return strcmp(c->tier, "hourly") == 0;
}

/* recover lists unless FROM_BACKUP or a recovery target asks for a restore. */
static int wants_listing(const struct config *c)
{
	struct engine_options o;

	engine_options_from(c, &o);
	return (c->from_backup == NULL || strcmp(c->from_backup, "none") == 0) &&
	       !engine_recovery_wanted(&o);
}

/* The table: within a binary and word, the first row whose chosen() says yes runs. */
const struct command commands[] = {
    /* First: it only prints, whatever mode the other settings choose. */
    {"backup", NULL, "backup --print-config", wants_print_config, NULL, backup_print_flags,
     CMD_TIER, 0, cmd_print_config},
    {"backup", NULL, "backup --verify", wants_verify, "verify", verify_flags,
     CMD_TIER | CMD_STORE | CMD_REPORT, 0, cmd_verify},
    {"backup", NULL, "backup --check", wants_check, "check", check_flags,
     CMD_TIER | CMD_STORE | CMD_REPORT, 0, cmd_check},
    /* No lock of a tier: the chunk area is every tier's, and its markers guard it. */
    {"backup", NULL, "backup --gc", wants_gc, "gc", gc_flags, CMD_TIER | CMD_STORE, 0, cmd_gc},
    /* No report: changing one backup is not a tier's run, and its metrics are the runs'. */
    {"backup", NULL, "backup --keep", wants_keep, "keep", keep_flags, CMD_TIER | CMD_STORE, 0,
     cmd_keep},
    {"backup", NULL, "backup --unkeep", wants_unkeep, "unkeep", unkeep_flags, CMD_TIER | CMD_STORE,
     0, cmd_unkeep},
    {"backup", NULL, "backup --delete", wants_delete, "delete", delete_flags, CMD_TIER | CMD_STORE,
     0, cmd_delete},
    {"backup", NULL, "an hourly backup", is_hourly, NULL, hourly_flags,
     CMD_TIER | CMD_STORE | CMD_REPORT | CMD_HOOKS, 0, cmd_hourly},
    {"backup", NULL, "a promotion (daily, weekly, monthly)", NULL, NULL, promote_flags,
     CMD_TIER | CMD_STORE | CMD_REPORT | CMD_HOOKS, 0, cmd_promote},
    /* archive_command: called for every segment; the server logs its failures and retries. */
    {"backup", "wal-push", "backup wal-push", NULL, NULL, store_flags, CMD_STORE, 1, cmd_wal_push},
    {"recover", NULL, "recover --print-config", wants_print_config, NULL, recover_print_flags, 0, 0,
     cmd_print_config},
    {"recover", NULL, "recover --check-store", wants_check_store, "check-store", check_store_flags,
     CMD_STORE, 0, cmd_check_store},
    {"recover", NULL, "a listing (FROM_BACKUP=none)", wants_listing, NULL, list_flags,
     CMD_STORE | CMD_REPORT, 0, cmd_list},
    /* It opens the store itself, once its settings are checked. */
    {"recover", NULL, "a restore", NULL, NULL, restore_flags, CMD_REPORT, 0, cmd_restore},
    /* restore_command */
    {"recover", "wal-fetch", "recover wal-fetch", NULL, NULL, fetch_flags, CMD_STORE, 2,
     cmd_wal_fetch},
    {NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL},
};

const char *command_usage(const char *binary)
{
	return strcmp(binary, "backup") == 0 ? backup_usage : recover_usage;
}
