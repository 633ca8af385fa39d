#include "conf.h"

#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tier.h"
#include "util/duration.h"
#include "util/bytes.h"
#include "util/fs.h"
#include "util/log.h"

#ifndef TIERS_DIR
#define TIERS_DIR "/usr/local/share/tierdump/tiers"
#endif

#define F(field) offsetof(struct config, field)
/* A key we accept (the tier policies' schedule) but do not keep. */
#define NOT_KEPT ((size_t)-1)

const struct setting conf_settings[] = {
    {"TIERDUMP_CONFIG", NULL, "config", SETTING_STRING, 0, F(config_file),
     "configuration file (default /etc/tierdump.conf when it exists)"},
    {"TIERDUMP_TIERS_DIR", "tiers_dir", NULL, SETTING_STRING, 0, F(tiers_dir),
     "directory of the tier policies"},
    {"BACKUP_DIR", "backup_dir", "backup-dir", SETTING_STRING, 0, F(backup_dir),
     "root of the local store (default /backup)"},
    {"BACKUP_STORE", "backup_store", NULL, SETTING_STRING, 0, F(store),
     "where the tiers live: a directory, file:///path or s3://bucket/prefix (default BACKUP_DIR)"},
    {"BACKUP_MIRROR", "backup_mirror", NULL, SETTING_STRING, 0, F(mirrors),
     "stores that receive a copy of each new or promoted backup"},
    {"AWS_ACCESS_KEY_ID", "aws_access_key_id", NULL, SETTING_STRING, 1, F(s3_key_id),
     "S3 access key"},
    {"AWS_SECRET_ACCESS_KEY", "aws_secret_access_key", NULL, SETTING_STRING, 1, F(s3_secret),
     "S3 secret key"},
    {"AWS_SESSION_TOKEN", "aws_session_token", NULL, SETTING_STRING, 1, F(s3_session_token),
     "S3 session token that goes with temporary static keys"},
    {"AWS_ROLE_ARN", "aws_role_arn", NULL, SETTING_STRING, 0, F(s3_role_arn),
     "role to assume with the web identity token (EKS IRSA)"},
    {"AWS_WEB_IDENTITY_TOKEN_FILE", "aws_web_identity_token_file", NULL, SETTING_STRING, 0,
     F(s3_web_identity_token_file), "file holding the web identity token, read at each refresh"},
    {"AWS_ROLE_SESSION_NAME", "aws_role_session_name", NULL, SETTING_STRING, 0,
     F(s3_role_session_name), "session name of the assumed role (default tierdump)"},
    {"AWS_ENDPOINT_URL_STS", "aws_endpoint_url_sts", NULL, SETTING_STRING, 0, F(s3_sts_endpoint),
     "STS endpoint (default https://sts.AWS_REGION.amazonaws.com/)"},
    {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "aws_container_credentials_full_uri", NULL,
     SETTING_STRING, 0, F(s3_container_uri),
     "container credentials endpoint (EKS Pod Identity, ECS)"},
    {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "aws_container_credentials_relative_uri", NULL,
     SETTING_STRING, 0, F(s3_container_relative_uri),
     "ECS credentials path below http://169.254.170.2"},
    {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "aws_container_authorization_token", NULL, SETTING_STRING,
     2, F(s3_container_token), "authorization for the container credentials"},
    {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "aws_container_authorization_token_file", NULL,
     SETTING_STRING, 0, F(s3_container_token_file),
     "file holding that authorization, read at each refresh"},
    {"AWS_EC2_METADATA_SERVICE_ENDPOINT", "aws_ec2_metadata_service_endpoint", NULL, SETTING_STRING,
     0, F(s3_imds_endpoint), "instance metadata endpoint (default http://169.254.169.254)"},
    {"AWS_EC2_METADATA_DISABLED", "aws_ec2_metadata_disabled", NULL, SETTING_STRING, 0,
     F(s3_imds_disabled), "true: never ask the instance metadata for S3 credentials"},
    {"AWS_REGION", "aws_region", NULL, SETTING_STRING, 0, F(s3_region),
     "S3 region (default us-east-1)"},
    {"AWS_ENDPOINT_URL", "aws_endpoint_url", NULL, SETTING_STRING, 0, F(s3_endpoint),
     "S3-compatible endpoint, addressed path-style"},
    {"S3_ENDPOINT", "s3_endpoint", NULL, SETTING_STRING, 0, F(s3_endpoint_old),
     "bandr's name for AWS_ENDPOINT_URL"},
    {"S3_USER", "s3_user", NULL, SETTING_STRING, 1, F(s3_user),
     "bandr's name for AWS_ACCESS_KEY_ID"},
    {"S3_PASSWORD", "s3_password", NULL, SETTING_STRING, 1, F(s3_password),
     "bandr's name for AWS_SECRET_ACCESS_KEY"},
    {"S3_BUCKET", "s3_bucket", NULL, SETTING_STRING, 0, F(s3_bucket),
     "bandr's bucket: the store is s3://S3_BUCKET when BACKUP_STORE is unset"},
    {"S3_MAX_PARTS", "s3_max_parts", NULL, SETTING_NUMBER, 0, F(s3_max_parts),
     "parts an upload may have at most (default 10000)"},
    {"FTP_USER", "ftp_user", NULL, SETTING_STRING, 1, F(ftp_user), "FTPS user"},
    {"FTP_PASSWORD", "ftp_password", NULL, SETTING_STRING, 1, F(ftp_password), "FTPS password"},
    {"FTP_CA_FILE", "ftp_ca_file", NULL, SETTING_STRING, 0, F(ftp_ca_file),
     "the CA that signed the FTPS server's certificate"},
    {"FTP_INSECURE", "ftp_insecure", NULL, SETTING_BOOL, 0, F(ftp_insecure),
     "accept any FTPS certificate (self-signed tests only)"},
    {"S3_STORAGE_CLASS", "s3_storage_class", NULL, SETTING_STRING, 0, F(s3_storage_class),
     "storage class of the objects written to S3 (default the bucket's)"},
    {"S3_SSE", "s3_sse", NULL, SETTING_STRING, 0, F(s3_sse),
     "server-side encryption of the objects written to S3: AES256 or aws:kms"},
    {"S3_SSE_KMS_KEY_ID", "s3_sse_kms_key_id", NULL, SETTING_STRING, 0, F(s3_sse_kms_key_id),
     "KMS key of S3_SSE=aws:kms (default the account's aws/s3 key)"},
    {"S3_COPY_LIMIT", "s3_copy_limit", NULL, SETTING_NUMBER, 0, F(s3_copy_limit),
     "bytes above which promotion copies in parts (default 5 GiB, S3's CopyObject limit)"},
    {"BACKUP_MAX_RATE", "max_rate", NULL, SETTING_BYTES, 0, F(max_rate),
     "uploads to S3 and FTPS at most this many bytes per second (k, M, G: 1024s; default 0, no "
     "cap)"},
    {"STORE_RETRIES", "store_retries", NULL, SETTING_NUMBER, 0, F(store_retries),
     "retries of a temporary store failure (default 5)"},
    {"PING_URL", "ping_url", NULL, SETTING_STRING, 1, F(ping_url),
     "a health check to ping: URL/start as a run starts, URL on success, URL/fail on failure"},
    {"WEBHOOK_URL", "webhook_url", NULL, SETTING_STRING, 1, F(webhook_url),
     "a JSON POST after each run (Slack, Mattermost, Rocket.Chat incoming webhooks)"},
    {"WEBHOOK_ON", "webhook_on", NULL, SETTING_STRING, 0, F(webhook_on),
     "always (default) or failure"},
    {"ENVIRONMENT_NAME", "environment_name", NULL, SETTING_STRING, 0, F(environment),
     "the environment named in notifications"},
    {"ENVIRONMENT_FRIENDLY_NAME", "environment_friendly_name", NULL, SETTING_STRING, 0,
     F(environment_friendly), "a readable name for it"},
    {"METRICS_FILE", "metrics_file", NULL, SETTING_STRING, 0, F(metrics_file),
     "Prometheus metrics as a node-exporter textfile"},
    {"PUSHGATEWAY_URL", "pushgateway_url", NULL, SETTING_STRING, 0, F(pushgateway_url),
     "a Prometheus Pushgateway to push the metrics to"},
    {"BACKUP_TYPE", "backup_type", "tier", SETTING_STRING, 0, F(tier),
     "tier of this run: hourly, daily, weekly or monthly"},
    {"BACKUP_COUNT", "backup_count", "count", SETTING_NUMBER, 0, F(count),
     "backups kept in this tier"},
    {"BACKUP_PRIOR_TYPE", "backup_prior_type", "prior-tier", SETTING_STRING, 0, F(prior_tier),
     "tier promoted from"},
    {"BACKUP_PRIOR_COUNT", "backup_prior_count", "prior-count", SETTING_NUMBER, 0, F(prior_count),
     "backups the prior tier must hold before promotion"},
    {"BACKUP_MAX_AGE", "backup_max_age", NULL, SETTING_STRING, 0, F(max_age),
     "pruning also removes backups older than this: 36h, 8d, 5w, 400d (default none)"},
    {"BACKUP_MIN_COUNT", "backup_min_count", NULL, SETTING_NUMBER, 0, F(min_count),
     "complete backups pruning by age leaves at least (default 1)"},
    {"BACKUP_LOCK_TIMEOUT", "lock_timeout", "lock-timeout", SETTING_NUMBER, 0, F(lock_timeout),
     "seconds to wait for another run of the tier (default 60)"},
    {"BACKUP_FORMAT", "format", "format", SETTING_STRING, 0, F(format),
     "file (default: one compressed file per target) or chunked (deduplicated chunks)"},
    {"BACKUP_COMPRESSION", "compression", "compression", SETTING_STRING, 0, F(compression),
     "gzip (default), zstd or none"},
    {"BACKUP_COMPRESSION_LEVEL", "compression_level", "compression-level", SETTING_NUMBER, 0,
     F(compression_level), "compression level (default 1)"},
    {"BACKUP_THREADS", "threads", "threads", SETTING_NUMBER, 0, F(threads),
     "compression threads (default: the CPUs the process may use)"},
    {"BACKUP_ENGINE", "engine", "engine", SETTING_STRING, 0, F(engine),
     "database engine of the hourly tier: postgres (default), mariadb or mongodb"},
    {"MYSQL_HOST", "mysql_host", NULL, SETTING_STRING, 0, F(mysql_host), "MariaDB host"},
    {"MYSQL_TCP_PORT", "mysql_port", NULL, SETTING_STRING, 0, F(mysql_port), "MariaDB port"},
    {"MYSQL_USER", "mysql_user", NULL, SETTING_STRING, 0, F(mysql_user), "MariaDB user"},
    {"MYSQL_PWD", "mysql_password", NULL, SETTING_STRING, 1, F(mysql_password), "MariaDB password"},
    {"MONGODB_URI", "mongodb_uri", NULL, SETTING_STRING, 1, F(mongo_uri),
     "MongoDB connection string"},
    {"MONGODB_SYSTEM_DATABASES", "mongodb_system_databases", NULL, SETTING_BOOL, 0, F(mongo_system),
     "MongoDB: dump admin, local and config too"},
    {"RECOVER_MYSQL_SCHEMA", "recover_mysql_schema", NULL, SETTING_BOOL, 0, F(mysql_schema),
     "recover: also restore MariaDB's mysql system schema"},
    {"PGHOST", "pghost", NULL, SETTING_STRING, 0, F(pghost), "PostgreSQL host"},
    {"PGPORT", "pgport", NULL, SETTING_STRING, 0, F(pgport), "PostgreSQL port"},
    {"PGUSER", "pguser", NULL, SETTING_STRING, 0, F(pguser), "PostgreSQL user"},
    {"PGPASSWORD", "pgpassword", NULL, SETTING_STRING, 1, F(pgpassword), "PostgreSQL password"},
    {"PGPASSFILE", "pgpassfile", NULL, SETTING_STRING, 0, F(pgpassfile), "libpq password file"},
    {"PG_BINDIR", "pg_bindir", NULL, SETTING_STRING, 0, F(pg_bindir),
     "the one directory PostgreSQL's client tools are taken from (default: the client of each "
     "server's major under /usr/lib/postgresql, or the lowest newer one)"},
    {"PGADMINPASS", "pgadminpass", NULL, SETTING_STRING, 1, F(pgadminpass),
     "PostgreSQL admin password (bandr)"},
    {"PGDATABASE", "pgdatabase", NULL, SETTING_STRING, 0, F(pgdatabase),
     "maintenance database to connect to (default postgres)"},
    {"DATABASE", "database", "database", SETTING_STRING, 0, F(database),
     "back up this one database instead of the whole cluster"},
    {"BACKUP_EXCLUDE_DATABASES", "backup_exclude_databases", NULL, SETTING_STRING, 0,
     F(exclude_databases), "databases (names or shell patterns) the hourly run leaves out"},
    {"BACKUP_DUMP_OPTIONS", "backup_dump_options", NULL, SETTING_STRING, 0, F(dump_options),
     "extra options for the dump tool, split on whitespace"},
    {"FROM_BACKUP", "from_backup", "from-backup", SETTING_STRING, 0, F(from_backup),
     "recover: none, latest or a timestamp"},
    {"LATEST_BACKUP_MAXIMUM_AGE_H", "latest_backup_maximum_age_h", NULL, SETTING_NUMBER, 0,
     F(max_age_hours), "recover: fail when the newest backup is older"},
    {"DATABASE_EXPECTED_COUNT", "database_expected_count", NULL, SETTING_NUMBER, 0,
     F(expected_count), "recover: databases the restored server must have"},
    {"RECOVER_FORCE", "recover_force", "force", SETTING_BOOL, 0, F(force),
     "recover: drop and recreate databases the target already has"},
    /* recover --database: cli.c maps the flag for recover, backup's --database is DATABASE. */
    {"RECOVER_DATABASE", "recover_database", NULL, SETTING_STRING, 0, F(recover_database),
     "recover: restore only this database of the backup"},
    {"RECOVER_AS", "recover_as", "as", SETTING_STRING, 0, F(recover_as),
     "recover --database: restore it under this name"},
    {NULL, NULL, "json", SETTING_BOOL, 0, F(json), "recover: list as JSON"},
    {"VERIFY_BACKUP", "verify_backup", "verify", SETTING_STRING, 0, F(verify),
     "test-restore this backup (latest or a timestamp) instead of a tier run"},
    {"VERIFY_DIR", "verify_dir", NULL, SETTING_STRING, 0, F(verify_dir),
     "where test-restores run a throwaway server (default TMPDIR or /tmp)"},
    {"VERIFY_USER", "verify_user", NULL, SETTING_STRING, 0, F(verify_user),
     "the user the throwaway servers run as when started by root (default postgres, mysql for "
     "MariaDB)"},
    {NULL, NULL, "target", SETTING_STRING, 0, F(restore_target),
     "recover: restore only this target of the backup"},
    {"BACKUP_METHOD", "backup_method", NULL, SETTING_STRING, 0, F(method),
     "logical (default) or physical: PostgreSQL base backups with pg_basebackup"},
    {"PGDATA", "pgdata", NULL, SETTING_STRING, 0, F(pgdata),
     "recover: the empty data directory a physical backup is restored into"},
    {"RECOVERY_TARGET_TIME", "recovery_target_time", "recovery-target-time", SETTING_STRING, 0,
     F(recovery_target_time), "recover: replay archived WAL up to this time"},
    {"RECOVERY_TARGET", "recovery_target", "recovery-target", SETTING_STRING, 0, F(recovery_target),
     "recover: immediate (the base backup alone) or latest (all WAL)"},
    {"RECOVER_START", "recover_start", "start", SETTING_BOOL, 0, F(recover_start),
     "recover: start the recovered server and wait until it is promoted"},
    {"RECOVER_START_TIMEOUT", "recover_start_timeout", NULL, SETTING_NUMBER, 0, F(start_timeout),
     "recover --start: seconds to wait for the end of recovery (default 3600)"},
    {NULL, NULL, "keep", SETTING_STRING, 0, F(keep),
     "pin this backup of the tier: no pruning removes it"},
    {NULL, NULL, "reason", SETTING_STRING, 0, F(keep_reason), "--keep: why, shown by recover"},
    {NULL, NULL, "unkeep", SETTING_STRING, 0, F(unkeep), "release a backup --keep pinned"},
    {NULL, NULL, "delete", SETTING_STRING, 0, F(delete_backup),
     "remove this backup of the tier (a kept one only with --force)"},
    {NULL, NULL, "gc", SETTING_BOOL, 0, F(gc),
     "delete the chunks no backup references (BACKUP_FORMAT=chunked)"},
    {NULL, NULL, "check-store", SETTING_BOOL, 0, F(check_store),
     "recover: check every chunk the backups reference, list the missing or damaged"},
    {NULL, NULL, "repair", SETTING_BOOL, 0, F(repair),
     "--check-store: set damaged chunks aside, for the next backup to store them again"},
    {NULL, NULL, "check", SETTING_BOOL, 0, F(check),
     "check the ages of the newest base backup and archived WAL segment"},
    {"CHECK_BASE_BACKUP_MAX_AGE", "check_base_backup_max_age", NULL, SETTING_NUMBER, 0,
     F(base_max_age), "--check: seconds the newest base backup may be old (default 3900)"},
    {"CHECK_WAL_MAX_AGE", "check_wal_max_age", NULL, SETTING_NUMBER, 0, F(wal_max_age),
     "--check: seconds the newest archived WAL segment may be old (default 420)"},
    {"BACKUP_HOOK_BEFORE", "hook_before", NULL, SETTING_STRING, 0, F(hook_before),
     "a command run before each tier run; its failure fails the run before any dump"},
    {"BACKUP_HOOK_AFTER", "hook_after", NULL, SETTING_STRING, 0, F(hook_after),
     "a command run after each tier run, told its result"},
    {"BACKUP_HOOK_FAILURE", "hook_failure", NULL, SETTING_STRING, 0, F(hook_failure),
     "a command run after a failed tier run"},
    {"BACKUP_HOOK_TIMEOUT", "hook_timeout", NULL, SETTING_NUMBER, 0, F(hook_timeout),
     "seconds a hook may run before it is killed (default 300)"},
    {NULL, NULL, "print-config", SETTING_BOOL, 0, F(print_config),
     "print every setting, where it came from, secrets masked; contact nothing"},
    {"BACKUP_ENCRYPTION", "encryption", "encryption", SETTING_STRING, 0, F(encryption),
     "none (default) or age: encrypt every stored file to the recipients"},
    {"BACKUP_RECIPIENTS", "recipients", "recipients", SETTING_STRING, 0, F(recipients),
     "age X25519 public keys (age1...) new backups are encrypted to"},
    {"BACKUP_RECIPIENTS_FILE", "recipients_file", "recipients-file", SETTING_STRING, 0,
     F(recipients_file), "an age recipients file: one age1... key a line"},
    {"BACKUP_PASSPHRASE", "passphrase", NULL, SETTING_STRING, 1, F(passphrase),
     "encrypt to, and decrypt with, a passphrase (age's scrypt) instead of keys"},
    {"BACKUP_CHUNK_KEY_FILE", "chunk_key_file", "chunk-key-file", SETTING_STRING, 0,
     F(chunk_key_file),
     "an age identity file that names encrypted chunks (chunked format, recipients)"},
    {"RECOVER_IDENTITY_FILE", "identity_file", "identity-file", SETTING_STRING, 0, F(identity_file),
     "an age identity file (AGE-SECRET-KEY-1...) to decrypt backups with"},
    {"TERMINATION_LOG", "termination_log", NULL, SETTING_STRING, 0, F(termination_log),
     "file that receives the one-line failure reason"},
    {NULL, "schedule", NULL, SETTING_STRING, 0, NOT_KEPT,
     "cron schedule of a tier (not used here)"},
    {NULL, NULL, NULL, 0, 0, 0, NULL},
};

_Static_assert(sizeof(conf_settings) / sizeof(*conf_settings) <= CONF_MAX_SETTINGS,
	       "raise CONF_MAX_SETTINGS");

static char **string_field(struct config *c, const struct setting *s)
{
	return (char **)((char *)c + s->offset);
}

static long *number_field(struct config *c, const struct setting *s)
{
	return (long *)((char *)c + s->offset);
}

int conf_is_set(const struct config *c, const struct setting *s)
{
	if (s->offset == NOT_KEPT)
		return 0;
	if (s->kind == SETTING_STRING)
		return *string_field((struct config *)c, s) != NULL;
	return *number_field((struct config *)c, s) != CONF_UNSET;
}

const char *conf_origin(const struct config *c, const struct setting *s)
{
	return c->origin[s - conf_settings];
}

static void set_origin(struct config *c, const struct setting *s, const char *prefix,
		       const char *origin)
{
	char **slot = &c->origin[s - conf_settings];

	free(*slot);
	if (origin == NULL || asprintf(slot, "%s%s", prefix, origin) < 0)
		*slot = NULL;
}

void conf_init(struct config *c)
{
	memset(c, 0, sizeof(*c));
	for (const struct setting *s = conf_settings; s->help != NULL; s++) {
		if (s->kind != SETTING_STRING && s->offset != NOT_KEPT)
			*number_field(c, s) = CONF_UNSET;
	}
}

static int parse_bool(const char *v, long *out)
{
	static const char *const yes[] = {"1", "true", "yes", "on"};
	static const char *const no[] = {"0", "false", "no", "off", ""};

	for (size_t i = 0; i < sizeof(yes) / sizeof(*yes); i++)
		if (strcasecmp(v, yes[i]) == 0)
			return *out = 1, 0;
	for (size_t i = 0; i < sizeof(no) / sizeof(*no); i++)
		if (strcasecmp(v, no[i]) == 0)
			return *out = 0, 0;
	return -1;
}

int conf_set(struct config *c, const struct setting *s, const char *value, const char *origin)
{
	char *end;
	long n;

	if (s->offset == NOT_KEPT)
		return 0;
	set_origin(c, s, "", origin);
	switch (s->kind) {
	case SETTING_STRING:
		free(*string_field(c, s));
		*string_field(c, s) = strdup(value);
		return 0;
	case SETTING_BYTES:
		if (bytes_parse(value, number_field(c, s)) < 0) {
			fail(
			    EXIT_CONFIG,
			    "%s: '%s' is not a byte count (a whole number, optionally with k, M or "
			    "G)",
			    origin, value);
			return -1;
		}
		return 0;
	case SETTING_NUMBER:
		errno = 0;
		n = strtol(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0' || n < 0) {
			fail(EXIT_CONFIG, "%s: '%s' is not a non-negative whole number", origin,
			     value);
			return -1;
		}
		*number_field(c, s) = n;
		return 0;
	case SETTING_BOOL:
		if (parse_bool(value, number_field(c, s)) < 0) {
			fail(EXIT_CONFIG, "%s: '%s' is not a boolean (use 1 or 0)", origin, value);
			return -1;
		}
		return 0;
	}
	return -1;
}

const struct setting *conf_find_env(const char *env)
{
	for (const struct setting *s = conf_settings; s->help != NULL; s++)
		if (s->env != NULL && strcmp(s->env, env) == 0)
			return s;
	return NULL;
}

const struct setting *conf_find_flag(const char *flag)
{
	for (const struct setting *s = conf_settings; s->help != NULL; s++)
		if (s->flag != NULL && strcmp(s->flag, flag) == 0)
			return s;
	return NULL;
}

/* Reads a secret from the file NAME_FILE names, refusing both forms at once. */
static int set_secret_from_file(struct config *c, const struct setting *s, const char *path,
				int direct_also_set, const char *origin)
{
	char *value;
	int rc;

	if (direct_also_set) {
		fail(EXIT_CONFIG, "%s: set the secret or its file, not both", origin);
		return -1;
	}
	value = fs_read_small_file(path);
	if (value == NULL) {
		fail(EXIT_CONFIG, "%s: cannot read secret file %s: %s", origin, path,
		     strerror(errno));
		return -1;
	}
	rc = conf_set(c, s, value, origin);
	explicit_bzero(value, strlen(value));
	free(value);
	return rc;
}

int conf_load_env(struct config *c)
{
	for (const struct setting *s = conf_settings; s->help != NULL; s++) {
		const char *v;

		if (s->env == NULL)
			continue;
		v = getenv(s->env);
		if (v != NULL && conf_set(c, s, v, s->env) < 0)
			return -1;
		if (s->secret == 1) {
			char name[128];
			const char *path;

			snprintf(name, sizeof(name), "%s_FILE", s->env);
			path = getenv(name);
			if (path != NULL && set_secret_from_file(c, s, path, v != NULL, name) < 0)
				return -1;
		}
	}
	return 0;
}

/* Finds the setting for a config-file key; *is_file says it was key_file. */
static const struct setting *find_key(const char *key, int *is_file)
{
	size_t len = strlen(key);

	*is_file = 0;
	for (const struct setting *s = conf_settings; s->help != NULL; s++) {
		if (s->key == NULL)
			continue;
		if (strcmp(s->key, key) == 0)
			return s;
		if (s->secret == 1 && len == strlen(s->key) + 5 &&
		    strncmp(key, s->key, len - 5) == 0 && strcmp(key + len - 5, "_file") == 0) {
			*is_file = 1;
			return s;
		}
	}
	return NULL;
}

static int apply_file_setting(struct config *c, config_setting_t *item, const char *path)
{
	const char *key = config_setting_name(item);
	const struct setting *s;
	char origin[PATH_MAX + 64], text[64];
	const char *value;
	int is_file;

	snprintf(origin, sizeof(origin), "%s:%d: %s", path, config_setting_source_line(item), key);
	s = find_key(key, &is_file);
	if (s == NULL) {
		fail(EXIT_CONFIG, "%s: unknown setting (see tierdump.conf(5))", origin);
		return -1;
	}
	switch (config_setting_type(item)) {
	case CONFIG_TYPE_STRING:
		value = config_setting_get_string(item);
		break;
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		snprintf(text, sizeof(text), "%lld", config_setting_get_int64(item));
		value = text;
		break;
	case CONFIG_TYPE_BOOL:
		value = config_setting_get_bool(item) ? "1" : "0";
		break;
	default:
		fail(EXIT_CONFIG, "%s: expected a string, a number or a boolean", origin);
		return -1;
	}
	if (is_file)
		return set_secret_from_file(c, s, value, 0, origin);
	if (s->kind == SETTING_STRING && config_setting_type(item) != CONFIG_TYPE_STRING) {
		fail(EXIT_CONFIG, "%s: expected a string in double quotes", origin);
		return -1;
	}
	return conf_set(c, s, value, origin);
}

int conf_load_file(struct config *c, const char *path, int required)
{
	config_setting_t *root;
	config_t cf;
	int rc = -1;

	if (!required && access(path, F_OK) < 0)
		return 0;
	config_init(&cf);
	if (config_read_file(&cf, path) != CONFIG_TRUE) {
		if (config_error_type(&cf) == CONFIG_ERR_FILE_IO)
			fail(EXIT_CONFIG, "cannot read configuration file %s: %s", path,
			     strerror(errno));
		else
			fail(EXIT_CONFIG, "%s:%d: %s", path, config_error_line(&cf),
			     config_error_text(&cf));
		goto out;
	}
	root = config_root_setting(&cf);
	for (int i = 0; i < config_setting_length(root); i++) {
		config_setting_t *item = config_setting_get_elem(root, i);

		if (strcmp(config_setting_name(item), "targets") == 0
			? target_load_list(c, item, path) < 0
			: apply_file_setting(c, item, path) < 0)
			goto out;
	}
	rc = 0;
out:
	config_destroy(&cf);
	return rc;
}

/* Copies every setting src has into dst: all of them, or only where dst has none. */
static void merge(struct config *dst, struct config *src, int only_unset, const char *prefix)
{
	for (const struct setting *s = conf_settings; s->help != NULL; s++) {
		if (!conf_is_set(src, s) || (only_unset && conf_is_set(dst, s)))
			continue;
		set_origin(dst, s, prefix, conf_origin(src, s));
		if (s->kind == SETTING_STRING) {
			free(*string_field(dst, s));
			*string_field(dst, s) = strdup(*string_field(src, s));
		} else {
			*number_field(dst, s) = *number_field(src, s);
		}
	}
}

int conf_tier_is_valid(const char *tier)
{
	return tier_index(tier) >= 0;
}

/* The tier policy directory: the setting, the installed one, or ../tiers beside the binary. */
static char *find_tiers_dir(const struct config *c)
{
	char exe[PATH_MAX], *slash;
	ssize_t n;

	if (c->tiers_dir != NULL)
		return strdup(c->tiers_dir);
	if (access(TIERS_DIR, F_OK) == 0)
		return strdup(TIERS_DIR);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash == NULL)
		return NULL;
	strcpy(slash, "/../tiers");
	return strdup(exe);
}

/*
 * Fills the tier settings still unset from tiers/<tier>.conf. The policy is
 * optional when everything it could give is set already.
 */
static int apply_tier_policy(struct config *c)
{
	int complete =
	    c->count != CONF_UNSET && (strcmp(c->tier, "hourly") == 0 ||
				       (c->prior_tier != NULL && c->prior_count != CONF_UNSET));
	struct config policy;
	char *dir, path[PATH_MAX];
	int rc = -1;

	dir = find_tiers_dir(c);
	snprintf(path, sizeof(path), "%s/%s.conf", dir ? dir : ".", c->tier);
	free(dir);
	if (access(path, F_OK) < 0) {
		if (complete)
			return 0;
		fail(EXIT_CONFIG,
		     "BACKUP_COUNT or BACKUP_PRIOR_TYPE is not set and there is no tier policy %s "
		     "(set TIERDUMP_TIERS_DIR)",
		     path);
		return -1;
	}
	conf_init(&policy);
	if (conf_load_file(&policy, path, 1) < 0)
		goto out;
	if (policy.tier != NULL && strcmp(policy.tier, c->tier) != 0) {
		fail(EXIT_CONFIG, "%s is the policy of the %s tier, not of %s", path, policy.tier,
		     c->tier);
		goto out;
	}
	merge(c, &policy, 1, "tier policy ");
	rc = 0;
out:
	conf_free(&policy);
	return rc;
}

/*
 * The CPUs this process may use: its affinity mask, capped by a cgroup v2
 * CPU limit (a container's limits.cpu), so a pod on a large node does not
 * start a thread, and buffers, per node CPU.
 */
static long available_cpus(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN), quota, period;
	cpu_set_t set;
	FILE *f;

	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		cpus = CPU_COUNT(&set);
	f = fopen("/sys/fs/cgroup/cpu.max", "r");
	if (f != NULL) {
		if (fscanf(f, "%ld %ld", &quota, &period) == 2 && quota > 0 && period > 0 &&
		    (quota + period - 1) / period < cpus)
			cpus = (quota + period - 1) / period;
		fclose(f);
	}
	return cpus > 0 ? cpus : 1;
}

static void default_string(char **field, const char *value)
{
	if (*field == NULL)
		*field = strdup(value);
}

static int validate_tiers(struct config *c)
{
	if (!conf_tier_is_valid(c->tier)) {
		fail(EXIT_CONFIG,
		     "BACKUP_TYPE: '%s' is not a tier (hourly, daily, weekly, monthly)", c->tier);
		return -1;
	}
	if (apply_tier_policy(c) < 0)
		return -1;
	if (c->count < 1) {
		fail(EXIT_CONFIG, "BACKUP_COUNT must be at least 1 (got %ld)", c->count);
		return -1;
	}
	if (strcmp(c->tier, "hourly") == 0)
		return 0;
	if (c->prior_tier == NULL || !conf_tier_is_valid(c->prior_tier) ||
	    strcmp(c->prior_tier, c->tier) == 0) {
		fail(EXIT_CONFIG,
		     "BACKUP_PRIOR_TYPE must name another tier for the %s tier (got '%s')", c->tier,
		     c->prior_tier ? c->prior_tier : "");
		return -1;
	}
	if (c->prior_count == CONF_UNSET)
		c->prior_count = 0;
	return 0;
}

/* BACKUP_MAX_AGE and BACKUP_MIN_COUNT, once the tier policy had its say. */
static int validate_retention(struct config *c)
{
	char err[160];

	if (c->min_count == CONF_UNSET)
		c->min_count = 1;
	if (c->min_count < 1 || c->min_count > c->count) {
		fail(EXIT_CONFIG,
		     "BACKUP_MIN_COUNT must be from 1 to BACKUP_COUNT (%ld) for the %s tier (got "
		     "%ld)",
		     c->count, c->tier, c->min_count);
		return -1;
	}
	c->max_age_seconds = 0;
	if (c->max_age != NULL && c->max_age[0] != '\0' &&
	    duration_parse(c->max_age, &c->max_age_seconds, err, sizeof(err)) < 0) {
		fail(EXIT_CONFIG, "BACKUP_MAX_AGE: %s", err);
		return -1;
	}
	return 0;
}

/*
 * BACKUP_METHOD=physical turns the environment's PostgreSQL server into a
 * base backup target: the engine postgres-physical.
 */
static int choose_method(struct config *c)
{
	default_string(&c->method, "logical");
	if (strcmp(c->method, "logical") == 0)
		return 0;
	if (strcmp(c->method, "physical") != 0) {
		fail(EXIT_CONFIG, "BACKUP_METHOD: '%s' is not logical or physical", c->method);
		return -1;
	}
	if (strcmp(c->engine, "postgres") != 0 && strcmp(c->engine, "postgres-physical") != 0) {
		fail(EXIT_CONFIG, "BACKUP_METHOD=physical needs BACKUP_ENGINE=postgres (got %s)",
		     c->engine);
		return -1;
	}
	if (c->targets_listed || c->database != NULL) {
		fail(EXIT_CONFIG,
		     "BACKUP_METHOD=physical copies one whole PostgreSQL cluster: unset %s",
		     c->database != NULL ? "DATABASE"
					 : "the targets list of the configuration file");
		return -1;
	}
	free(c->engine);
	c->engine = strdup("postgres-physical");
	return c->engine != NULL ? 0 : -1;
}

int conf_chunked(const struct config *c)
{
	return c->format != NULL && strcmp(c->format, "chunked") == 0;
}

int conf_finish(struct config *c, int need_tier)
{
	default_string(&c->backup_dir, "/backup");
	default_string(&c->tier, "hourly");
	default_string(&c->pgdatabase, "postgres");
	if (c->lock_timeout == CONF_UNSET)
		c->lock_timeout = 60;
	default_string(&c->compression, "gzip");
	default_string(&c->format, "file");
	default_string(&c->engine, "postgres");
	default_string(&c->webhook_on, "always");
	/* VERIFY_USER has no default here: each engine's server has its own (verify.c). */
	default_string(&c->verify_dir,
		       getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (c->threads == CONF_UNSET || c->threads == 0)
		c->threads = available_cpus();
	if (c->threads > 64)
		c->threads = 64;
	if (c->termination_log == NULL && access("/dev/termination-log", W_OK) == 0)
		c->termination_log = strdup("/dev/termination-log");
	for (const struct setting *s = conf_settings; s->help != NULL; s++) {
		if (s->kind == SETTING_BOOL && s->offset != NOT_KEPT &&
		    *number_field(c, s) == CONF_UNSET)
			*number_field(c, s) = 0;
	}
	if (c->start_timeout == CONF_UNSET)
		c->start_timeout = 3600;
	if (c->hook_timeout == CONF_UNSET)
		c->hook_timeout = 300;
	if (c->max_rate == CONF_UNSET)
		c->max_rate = 0;
	if (c->base_max_age == CONF_UNSET)
		c->base_max_age = 3600 + 5 * 60; /* the hourly interval plus 5 minutes */
	if (c->wal_max_age == CONF_UNSET)
		c->wal_max_age = 5 * 60 + 2 * 60; /* checkpoint_timeout's default plus 2 minutes */
	if (c->hook_timeout < 1) {
		fail(EXIT_CONFIG, "BACKUP_HOOK_TIMEOUT must be at least 1 second (got %ld)",
		     c->hook_timeout);
		return -1;
	}
	if (c->backup_dir[0] == '\0') {
		fail(EXIT_CONFIG, "BACKUP_DIR is empty");
		return -1;
	}
	if (strcmp(c->format, "file") != 0 && strcmp(c->format, "chunked") != 0) {
		fail(EXIT_CONFIG, "BACKUP_FORMAT is %s: it takes file or chunked", c->format);
		return -1;
	}
	if (choose_method(c) < 0 || target_finish(c) < 0 || conf_encryption(c) < 0)
		return -1;
	if (!need_tier)
		return 0;
	return validate_tiers(c) < 0 || validate_retention(c) < 0 ? -1 : 0;
}

int conf_resolve(struct config *c, const struct config *flags, int need_tier)
{
	struct config env;
	const char *path;
	int rc = -1;

	conf_init(&env);
	if (conf_load_env(&env) < 0)
		goto out;
	path = flags->config_file ? flags->config_file : env.config_file;
	if (conf_load_file(c, path ? path : "/etc/tierdump.conf", path != NULL) < 0)
		goto out;
	merge(c, &env, 0, "");
	merge(c, (struct config *)flags, 0, "");
	rc = conf_finish(c, need_tier);
out:
	conf_free(&env);
	return rc;
}

void conf_free(struct config *c)
{
	target_free_all(c);
	conf_encryption_free(c);
	for (const struct setting *s = conf_settings; s->help != NULL; s++) {
		if (s->kind == SETTING_STRING && s->offset != NOT_KEPT) {
			char **field = string_field(c, s);

			if (*field != NULL && s->secret)
				explicit_bzero(*field, strlen(*field));
			free(*field);
			*field = NULL;
		}
	}
	for (size_t i = 0; i < CONF_MAX_SETTINGS; i++) {
		free(c->origin[i]);
		c->origin[i] = NULL;
	}
}
