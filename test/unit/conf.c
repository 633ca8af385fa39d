#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "pipeline/age.h"
#include "test.h"
#include "util/log.h"

static const char *write_temp(const char *text)
{
	static char path[64];
	FILE *f;

	strcpy(path, "/tmp/tierdump-unit-XXXXXX");
	close(mkstemp(path));
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static void clear_env(void)
{
	for (const struct setting *s = conf_settings; s->help != NULL; s++) {
		char name[128];

		if (s->env == NULL)
			continue;
		unsetenv(s->env);
		snprintf(name, sizeof(name), "%s_FILE", s->env);
		unsetenv(name);
	}
	setenv("TIERDUMP_TIERS_DIR", "tiers", 1);
}

static void test_precedence(void)
{
	char file_path[64];
	struct config flags, c;

	clear_env();
	strcpy(file_path, write_temp("backup_dir = \"/from/file\";\nbackup_count = 5;\n"
				     "pghost = \"filehost\";\nlock_timeout = 7;\n"));
	setenv("TIERDUMP_CONFIG", file_path, 1);
	setenv("BACKUP_COUNT", "6", 1);
	setenv("PGHOST", "envhost", 1);
	conf_init(&flags);
	conf_init(&c);
	conf_set(&flags, conf_find_flag("count"), "9", "--count");
	CHECK(conf_resolve(&c, &flags, 1) == 0, "resolves");
	CHECK(c.count == 9, "flags beat environment: %ld", c.count);
	CHECK(strcmp(c.pghost, "envhost") == 0, "environment beats file: %s", c.pghost);
	CHECK(strcmp(c.backup_dir, "/from/file") == 0, "file beats default: %s", c.backup_dir);
	CHECK(c.lock_timeout == 7, "file number");
	CHECK(strcmp(c.tier, "hourly") == 0, "default tier");
	conf_free(&flags);
	conf_free(&c);
	unlink(file_path);
}

static void test_tier_policy(void)
{
	struct config flags, c;

	clear_env();
	setenv("TIERDUMP_CONFIG", "/nonexistent/unused", 1);
	unsetenv("TIERDUMP_CONFIG");
	setenv("BACKUP_TYPE", "weekly", 1);
	conf_init(&flags);
	conf_init(&c);
	CHECK(conf_resolve(&c, &flags, 1) == 0, "weekly from its policy");
	CHECK(c.count == 4 && strcmp(c.prior_tier, "daily") == 0 && c.prior_count == 0,
	      "weekly policy: count %ld prior %s", c.count, c.prior_tier ? c.prior_tier : "-");
	conf_free(&c);
	conf_init(&c);
	setenv("BACKUP_COUNT", "2", 1);
	CHECK(conf_resolve(&c, &flags, 1) == 0 && c.count == 2, "environment beats the policy");
	conf_free(&c);
	conf_init(&c);
	setenv("BACKUP_TYPE", "yearly", 1);
	CHECK(conf_resolve(&c, &flags, 1) < 0, "unknown tier refused");
	conf_free(&c);
	conf_init(&c);
	setenv("BACKUP_TYPE", "daily", 1);
	setenv("BACKUP_PRIOR_TYPE", "daily", 1);
	CHECK(conf_resolve(&c, &flags, 1) < 0, "a tier cannot promote from itself");
	conf_free(&c);
	conf_init(&c);
	setenv("BACKUP_PRIOR_TYPE", "hourly", 1);
	setenv("BACKUP_COUNT", "0", 1);
	CHECK(conf_resolve(&c, &flags, 1) < 0, "BACKUP_COUNT=0 refused");
	conf_free(&c);
	conf_free(&flags);
}

static void test_secrets_and_errors(void)
{
	char secret_path[64], bad_path[64];
	struct config flags, c;

	clear_env();
	strcpy(secret_path, write_temp("hunter2\n"));
	setenv("PGPASSWORD_FILE", secret_path, 1);
	conf_init(&flags);
	conf_init(&c);
	CHECK(conf_resolve(&c, &flags, 0) == 0 && c.pgpassword &&
		  strcmp(c.pgpassword, "hunter2") == 0,
	      "secret from NAME_FILE without its newline");
	conf_free(&c);
	conf_init(&c);
	setenv("PGPASSWORD", "other", 1);
	CHECK(conf_resolve(&c, &flags, 0) < 0, "NAME and NAME_FILE together refused");
	conf_free(&c);
	clear_env();
	conf_init(&c);
	setenv("PGADMINPASS_FILE", "/nonexistent/secret", 1);
	CHECK(conf_resolve(&c, &flags, 0) < 0, "missing secret file refused");
	conf_free(&c);
	clear_env();

	strcpy(bad_path, write_temp("backup_dri = \"/typo\";\n"));
	conf_init(&c);
	CHECK(conf_load_file(&c, bad_path, 1) < 0, "unknown key refused");
	conf_free(&c);
	unlink(bad_path);
	strcpy(bad_path, write_temp("backup_count = \"many\";\n"));
	conf_init(&c);
	CHECK(conf_load_file(&c, bad_path, 1) < 0, "non-number refused");
	conf_free(&c);
	unlink(bad_path);
	strcpy(bad_path, write_temp("backup_dir = ;\n"));
	conf_init(&c);
	CHECK(conf_load_file(&c, bad_path, 1) < 0, "syntax error refused");
	conf_free(&c);
	unlink(bad_path);
	strcpy(bad_path, write_temp("pgadminpass_file = \""
				    "/nonexistent/x"
				    "\";\n"));
	conf_init(&c);
	CHECK(conf_load_file(&c, bad_path, 1) < 0, "key_file naming a missing file refused");
	conf_free(&c);
	unlink(bad_path);
	strcpy(bad_path, write_temp(""));
	conf_init(&c);
	CHECK(conf_load_file(&c, "/nonexistent/tierdump.conf", 1) < 0, "missing required file");
	CHECK(conf_load_file(&c, "/nonexistent/tierdump.conf", 0) == 0, "missing optional file");
	conf_free(&c);
	unlink(bad_path);
	conf_init(&c);
	setenv("BACKUP_COUNT", "12abc", 1);
	CHECK(conf_resolve(&c, &flags, 0) < 0, "BACKUP_COUNT=12abc refused");
	conf_free(&c);
	conf_free(&flags);
	clear_env();
	unlink(secret_path);
}

static const char *origin_of(const struct config *c, const char *env)
{
	const char *o = conf_origin(c, conf_find_env(env));

	return o ? o : "(none)";
}

/* Each layer names itself: --print-config shows where every value came from. */
static void test_origins(void)
{
	char file_path[64], secret_path[64];
	struct config flags, c;

	clear_env();
	strcpy(secret_path, write_temp("s3cret\n"));
	strcpy(file_path, write_temp("backup_dir = \"/from/file\";\n"
				     "compression = \"zstd\";\n"));
	setenv("TIERDUMP_CONFIG", file_path, 1);
	setenv("PGHOST", "envhost", 1);
	setenv("PGPASSWORD_FILE", secret_path, 1);
	setenv("BACKUP_MAX_RATE", "512k", 1);
	conf_init(&flags);
	conf_init(&c);
	conf_set(&flags, conf_find_flag("tier"), "daily", "--tier");
	CHECK(conf_resolve(&c, &flags, 1) == 0, "resolves");
	CHECK(strcmp(origin_of(&c, "BACKUP_TYPE"), "--tier") == 0, "flag: %s",
	      origin_of(&c, "BACKUP_TYPE"));
	CHECK(strcmp(origin_of(&c, "PGHOST"), "PGHOST") == 0, "environment: %s",
	      origin_of(&c, "PGHOST"));
	CHECK(strcmp(origin_of(&c, "PGPASSWORD"), "PGPASSWORD_FILE") == 0, "secret file: %s",
	      origin_of(&c, "PGPASSWORD"));
	CHECK(strncmp(origin_of(&c, "BACKUP_DIR"), file_path, strlen(file_path)) == 0 &&
		  strstr(origin_of(&c, "BACKUP_DIR"), ":1: backup_dir") != NULL,
	      "config file with its line: %s", origin_of(&c, "BACKUP_DIR"));
	CHECK(strstr(origin_of(&c, "BACKUP_COMPRESSION"), ":2: compression") != NULL,
	      "the second line: %s", origin_of(&c, "BACKUP_COMPRESSION"));
	CHECK(strncmp(origin_of(&c, "BACKUP_COUNT"), "tier policy tiers/daily.conf:", 29) == 0,
	      "tier policy: %s", origin_of(&c, "BACKUP_COUNT"));
	CHECK(conf_origin(&c, conf_find_env("BACKUP_LOCK_TIMEOUT")) == NULL &&
		  conf_is_set(&c, conf_find_env("BACKUP_LOCK_TIMEOUT")),
	      "a default has no origin but is set");
	CHECK(!conf_is_set(&c, conf_find_env("PGUSER")), "unset stays unset");
	CHECK(c.max_rate == 512 * 1024, "BACKUP_MAX_RATE with a suffix: %ld", c.max_rate);
	CHECK(c.hook_timeout == 300, "BACKUP_HOOK_TIMEOUT default: %ld", c.hook_timeout);
	conf_free(&flags);
	conf_free(&c);
	/* A bad byte count is a configuration error naming the variable. */
	clear_env();
	setenv("BACKUP_MAX_RATE", "2.5M", 1);
	conf_init(&flags);
	conf_init(&c);
	fail_clear();
	CHECK(conf_resolve(&c, &flags, 1) < 0 && fail_code() == EXIT_CONFIG &&
		  strstr(fail_reason(), "BACKUP_MAX_RATE") != NULL,
	      "bad rate refused: %s", fail_reason());
	fail_clear();
	conf_free(&flags);
	conf_free(&c);
	unsetenv("BACKUP_MAX_RATE");
	unlink(file_path);
	unlink(secret_path);
}

/* resolve(): conf_resolve() with the environment as it is set; 0 or -1. */
static int resolve(struct config *c)
{
	struct config flags;
	int rc;

	conf_init(&flags);
	conf_init(c);
	rc = conf_resolve(c, &flags, 0);
	conf_free(&flags);
	return rc;
}

static void test_encryption(void)
{
	static const char key[] = "age1yj7ljwpdyn7qza0emgldp2nl64rn8zq4dt67lg4suf5exfyxxa9sr8ap5l";
	struct config c;

	clear_env();
	CHECK(resolve(&c) == 0 && c.age == NULL && !conf_encrypts(&c), "no encryption by default");
	conf_free(&c);
	setenv("BACKUP_ENCRYPTION", "age", 1);
	setenv("BACKUP_RECIPIENTS", key, 1);
	CHECK(resolve(&c) == 0 && conf_encrypts(&c) && c.age->nrecipients == 1 &&
		  strcmp(c.age_described, key) == 0 && conf_encryption_ready(&c) == 0,
	      "BACKUP_RECIPIENTS parsed at start-up");
	conf_free(&c);
	setenv("BACKUP_RECIPIENTS",
	       "age1yj7ljwpdyn7qza0emgldp2nl64rn8zq4dt67lg4suf5exfyxxa9sr8ap5q", 1);
	CHECK(resolve(&c) < 0, "a recipient with a typo is refused");
	conf_free(&c);
	setenv("BACKUP_RECIPIENTS", key, 1);
	setenv("BACKUP_PASSPHRASE", "pw", 1);
	CHECK(resolve(&c) < 0, "recipients and a passphrase together are refused");
	conf_free(&c);
	unsetenv("BACKUP_RECIPIENTS");
	CHECK(resolve(&c) == 0 && c.age->passphrase != NULL && conf_encryption_ready(&c) == 0 &&
		  strcmp(c.age_described, "passphrase (scrypt)") == 0,
	      "a passphrase alone");
	conf_free(&c);
	unsetenv("BACKUP_PASSPHRASE");
	CHECK(resolve(&c) == 0 && conf_encryption_ready(&c) < 0,
	      "age without keys: recover may run, a backup may not");
	conf_free(&c);
	setenv("BACKUP_ENCRYPTION", "aes", 1);
	CHECK(resolve(&c) < 0, "an unknown BACKUP_ENCRYPTION is refused");
	conf_free(&c);
	unsetenv("BACKUP_ENCRYPTION");
	setenv("BACKUP_RECIPIENTS", key, 1);
	CHECK(resolve(&c) < 0, "recipients without BACKUP_ENCRYPTION=age are refused");
	conf_free(&c);
	clear_env();
	setenv("RECOVER_IDENTITY_FILE", "/nonexistent/key.txt", 1);
	CHECK(resolve(&c) < 0, "a missing identity file is refused");
	conf_free(&c);
	clear_env();
}

void test_conf(void)
{
	test_origins();
	test_encryption();
	test_precedence();
	test_tier_policy();
	test_secrets_and_errors();
}
