/*
 * Settings of both binaries: one table names each setting's environment
 * variable, config-file key and flag. Later layers win:
 * built-in default < tier policy (tiers/) < config file < environment < flags.
 * The tier policy gives only what a tier needs: its count and prior tier.
 */
#ifndef TIERDUMP_CONF_H
#define TIERDUMP_CONF_H

#include <stddef.h>

#include "target.h"

struct age_keys;

#define CONF_UNSET (-1L)
/* Room for the origin of each row of conf_settings (conf.c checks it at compile time). */
#define CONF_MAX_SETTINGS 160

struct config {
	char *config_file;	/* --config, TIERDUMP_CONFIG; default /etc/tierdump.conf */
	char *tiers_dir;	/* where the tier policies live */
	char *backup_dir;	/* root of the local store */
	char *tier;		/* BACKUP_TYPE */
	long count;		/* BACKUP_COUNT */
	char *prior_tier;	/* BACKUP_PRIOR_TYPE */
	long prior_count;	/* BACKUP_PRIOR_COUNT */
	char *max_age;		/* BACKUP_MAX_AGE, as given: 36h, 8d, 5w, 400d */
	long max_age_seconds;	/* not a setting: BACKUP_MAX_AGE parsed; 0 for no limit */
	long min_count;		/* BACKUP_MIN_COUNT: complete backups age pruning leaves */
	long lock_timeout;	/* seconds a run waits for its tier's lock */
	char *format;		/* BACKUP_FORMAT: file or chunked */
	char *compression;	/* BACKUP_COMPRESSION: gzip, zstd, none */
	long compression_level; /* BACKUP_COMPRESSION_LEVEL; unset: the codec's default */
	long threads;		/* BACKUP_THREADS: compression threads; default online CPUs */
	char *engine;		/* BACKUP_ENGINE: postgres, mariadb */
	char *pghost, *pgport, *pguser, *pgpassword, *pgpassfile, *pgadminpass;
	char *pg_bindir; /* PG_BINDIR: the PostgreSQL client tools' one directory */
	char *mysql_host, *mysql_port, *mysql_user, *mysql_password;
	long mysql_schema; /* RECOVER_MYSQL_SCHEMA: restore MariaDB's mysql schema too */
	char *store;	   /* BACKUP_STORE: a path, file:///path or s3://bucket/prefix */
	char *mirrors;	   /* BACKUP_MIRROR: store locations, space- or comma-separated */
	char *s3_key_id, *s3_secret, *s3_region, *s3_endpoint;	   /* AWS_* */
	char *s3_user, *s3_password, *s3_endpoint_old, *s3_bucket; /* bandr's S3_* */
	long s3_max_parts;					   /* S3_MAX_PARTS */
	long s3_copy_limit;					   /* S3_COPY_LIMIT */
	/* S3 keys without static ones, and how objects are stored (store/s3/credentials.h) */
	char *s3_session_token, *s3_role_arn, *s3_web_identity_token_file, *s3_role_session_name;
	char *s3_sts_endpoint, *s3_container_uri, *s3_container_relative_uri;
	char *s3_container_token, *s3_container_token_file, *s3_imds_endpoint, *s3_imds_disabled;
	char *s3_storage_class, *s3_sse, *s3_sse_kms_key_id;
	long store_retries;			     /* STORE_RETRIES */
	char *ftp_user, *ftp_password, *ftp_ca_file; /* FTP_* */
	long ftp_insecure;			     /* FTP_INSECURE */
	char *webhook_url, *webhook_on;		     /* WEBHOOK_URL, WEBHOOK_ON */
	char *environment, *environment_friendly;    /* ENVIRONMENT_NAME, _FRIENDLY_NAME */
	char *metrics_file, *pushgateway_url;	     /* METRICS_FILE, PUSHGATEWAY_URL */
	char *mongo_uri;			     /* MONGODB_URI */
	long mongo_system;   /* MONGODB_SYSTEM_DATABASES: dump admin, local and config too */
	char *pgdatabase;    /* the maintenance database we connect to */
	char *database;	     /* DATABASE: one database instead of the cluster */
	char *from_backup;   /* FROM_BACKUP */
	long max_age_hours;  /* LATEST_BACKUP_MAXIMUM_AGE_H */
	long expected_count; /* DATABASE_EXPECTED_COUNT */
	long force;	     /* RECOVER_FORCE */
	long json;	     /* recover --json */
	char *termination_log;
	/* BACKUP_EXCLUDE_DATABASES, BACKUP_DUMP_OPTIONS: what an hourly run dumps, and how. */
	char *exclude_databases, *dump_options;
	/* RECOVER_DATABASE, RECOVER_AS: the one database recover restores, and its new name. */
	char *recover_database, *recover_as;
	char *restore_target; /* recover --target: restore only this target */
	char *verify;	      /* backup --verify: latest or a timestamp to test-restore */
	char *verify_dir;     /* VERIFY_DIR: where the throwaway server lives */
	char *
	    verify_user; /* VERIFY_USER: the user it runs as when we are root; NULL: the engine's */
	char *method;	 /* BACKUP_METHOD: logical, or physical (PostgreSQL base backups) */
	char *pgdata;	 /* PGDATA: where recover puts a physical backup */
	char *recovery_target_time; /* RECOVERY_TARGET_TIME: replay WAL up to this time */
	char *recovery_target;	    /* RECOVERY_TARGET: immediate or latest */
	long recover_start;	    /* recover --start: start the server and wait for promotion */
	long start_timeout;	    /* RECOVER_START_TIMEOUT: seconds --start waits */
	long check;		    /* backup --check: the archive's ages against their limits */
	long gc;		    /* backup --gc: collect the chunks no backup references */
	long check_store;	    /* recover --check-store: every referenced chunk intact */
	long repair;		    /* --check-store --repair: damaged chunks set aside */
	char *keep;		    /* backup --keep: pin this backup of the tier */
	char *keep_reason;	    /* backup --reason: why it is kept */
	char *unkeep;		    /* backup --unkeep: release a pinned backup */
	char *delete_backup;	    /* backup --delete: remove this backup of the tier */
	long base_max_age;	    /* CHECK_BASE_BACKUP_MAX_AGE: seconds */
	long wal_max_age;	    /* CHECK_WAL_MAX_AGE: seconds */
	char *hook_before, *hook_after,
	    *hook_failure;	    /* BACKUP_HOOK_*: commands, split into argv */
	long hook_timeout;	    /* BACKUP_HOOK_TIMEOUT: seconds */
	char *ping_url;		    /* PING_URL: healthchecks.io style */
	long max_rate;		    /* BACKUP_MAX_RATE: upload bytes per second, 0: no cap */
	long print_config;	    /* --print-config */
	const char *server_options; /* not a setting: a test-restore's extra options for --start */
	char *encryption;	    /* BACKUP_ENCRYPTION: none or age */
	char *recipients;	    /* BACKUP_RECIPIENTS: age1... public keys */
	char *recipients_file;	    /* BACKUP_RECIPIENTS_FILE: age's recipients file */
	char *passphrase;	    /* BACKUP_PASSPHRASE: age's scrypt recipient and identity */
	char *identity_file;	    /* RECOVER_IDENTITY_FILE: age identities to decrypt with */
	char *chunk_key_file;	    /* BACKUP_CHUNK_KEY_FILE: names encrypted chunks (recipients) */
	struct age_keys *age;	    /* not a setting: the keys above, parsed; NULL when none */
	char *age_described;	    /* not a setting: whom new backups are encrypted to */
	struct target *targets;	    /* from the config file, or the environment's one */
	size_t ntargets;
	int targets_listed; /* the config file listed them */
	/* Where each setting came from, by its row in conf_settings; NULL: a default or unset. */
	char *origin[CONF_MAX_SETTINGS];
};

/* SETTING_BYTES: a number with an optional k, M or G suffix (util/bytes.h). */
enum setting_kind { SETTING_STRING, SETTING_NUMBER, SETTING_BOOL, SETTING_BYTES };

struct setting {
	const char *env;  /* environment variable, or NULL */
	const char *key;  /* config-file key, or NULL */
	const char *flag; /* long option, or NULL */
	enum setting_kind kind;
	int secret; /* never logged; 1: accepts NAME_FILE / key_file too, 2: not (it is its own
		       setting) */
	size_t offset;
	const char *help;
};

extern const struct setting conf_settings[];

/* Every field unset. */
void conf_init(struct config *c);

/*
 * Sets one setting from text; origin names where it came from, for errors
 * and --print-config: "--flag", "NAME" or "NAME_FILE" (the environment),
 * "path:line: key" (a config file), "tier policy path:line: key".
 */
int conf_set(struct config *c, const struct setting *s, const char *value, const char *origin);

/* Where a setting's value came from (see conf_set()), or NULL: a built-in default, or unset. */
const char *conf_origin(const struct config *c, const struct setting *s);

/* Whether a setting has a value (the table's last row, not kept, never has). */
int conf_is_set(const struct config *c, const struct setting *s);

/* Finds the setting an environment variable names, or NULL. */
const struct setting *conf_find_env(const char *env);

/* Finds the setting a long option names, or NULL. */
const struct setting *conf_find_flag(const char *flag);

/* Applies a libconfig file. A missing file is an error only if required. */
int conf_load_file(struct config *c, const char *path, int required);

/* Applies the environment (NAME, then NAME_FILE for secrets). */
int conf_load_env(struct config *c);

/*
 * Fills what is still unset with built-in defaults and, when need_tier, the
 * tier policy for c->tier from tiers_dir; then validates.
 * Returns 0 or -1 after fail().
 */
int conf_finish(struct config *c, int need_tier);

/*
 * Loads everything in order: file, environment, the flags already collected
 * in flags (applied last), then conf_finish(). Returns 0 or -1 after fail().
 */
int conf_resolve(struct config *c, const struct config *flags, int need_tier);

void conf_free(struct config *c);

/*
 * Parses the encryption settings into c->age (conf_crypt.c): recipients or
 * a passphrase when BACKUP_ENCRYPTION=age, identities and the passphrase for
 * decryption whenever they are set. Returns 0, or -1 after fail(78).
 */
int conf_encryption(struct config *c);

/*
 * Whether a run that writes backups can encrypt: with BACKUP_ENCRYPTION=age
 * it needs recipients or a passphrase. 0, or -1 after fail(78).
 */
int conf_encryption_ready(const struct config *c);

/* Frees what conf_encryption() made. */
void conf_encryption_free(struct config *c);

/* Whether new backups are encrypted (BACKUP_ENCRYPTION=age). */
int conf_encrypts(const struct config *c);

/* Whether hourly runs write the chunked format (BACKUP_FORMAT=chunked). */
int conf_chunked(const struct config *c);

/* Whether a tier name is one of ours. */
int conf_tier_is_valid(const char *tier);

#endif
