/* The engine registry's slots that need no server: targets, flags, the archive's settings. */
#include <string.h>

#include "engine/engine.h"
#include "test.h"

static int same(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Each engine reads its own variables for the environment's single target. */
static void test_environment_target(void)
{
	struct engine_options o = {
	    .pghost = "db",
	    .pgport = "5433",
	    .pguser = "postgres",
	    .pgpassword = "pw",
	    .pgadminpass = "admin",
	    .mysql_host = "my",
	    .mysql_port = "3307",
	    .mysql_user = "root",
	    .mysql_password = "mypw",
	    .mongo_uri = "mongodb://m/",
	    .database = "app",
	};
	struct target t;

	CHECK(engine_environment_target("postgres", &o, &t) == 0, "postgres");
	CHECK(same(t.name, "") && same(t.engine, "postgres") && same(t.host, "db") &&
		  same(t.port, "5433") && same(t.user, "postgres") && t.uri == NULL,
	      "PG* make the postgres target");
	CHECK(same(t.password, "admin"), "PGADMINPASS wins over PGPASSWORD, got %s", t.password);
	CHECK(t.ndatabases == 1 && same(t.databases[0], "app"), "DATABASE is its one database");
	target_free(&t);

	o.pgadminpass = NULL;
	CHECK(engine_environment_target("postgres-physical", &o, &t) == 0 &&
		  same(t.password, "pw") && same(t.engine, "postgres-physical"),
	      "base backups use PG* too, PGPASSWORD without PGADMINPASS");
	target_free(&t);

	CHECK(engine_environment_target("mariadb", &o, &t) == 0, "mariadb");
	CHECK(same(t.host, "my") && same(t.port, "3307") && same(t.user, "root") &&
		  same(t.password, "mypw"),
	      "MYSQL_* make the mariadb target");
	target_free(&t);

	o.database = NULL;
	CHECK(engine_environment_target("mongodb", &o, &t) == 0, "mongodb");
	CHECK(same(t.uri, "mongodb://m/") && t.ndatabases == 0,
	      "MONGODB_URI makes the mongodb target");
	target_free(&t);
}

static void test_capabilities(void)
{
	struct manifest base = {0}, logical = {0};
	struct engine_options o = {0};

	CHECK(engine_restores_offline("postgres-physical"), "a base backup runs only once started");
	CHECK(!engine_restores_offline("postgres") && !engine_restores_offline("mariadb"),
	      "logical restores load a running server");
	CHECK(strcmp(engine_default(), "postgres") == 0, "bandr's files are PostgreSQL dumps");
	CHECK(engine_new("oracle", NULL, &o) == NULL, "an unknown engine is refused");

	base.engine = (char *)"postgres-physical";
	base.wal_start_segment = (char *)"000000010000000000000002";
	logical.engine = (char *)"postgres";
	CHECK(engine_is_base_backup(&base), "a base backup naming its first segment");
	CHECK(!engine_is_base_backup(&logical), "a logical dump");
	CHECK(!engine_is_base_backup(NULL), "no manifest (bandr)");

	CHECK(!engine_recovery_wanted(&o), "no recovery target");
	o.recovery_target = "latest";
	CHECK(engine_recovery_wanted(&o) && engine_recovery_check(&o) == 0,
	      "RECOVERY_TARGET=latest");
	o.recovery_target_time = "2026-11-22 10:30:00";
	CHECK(engine_recovery_check(&o) < 0, "a time and a target together are refused");
	o.recovery_target = NULL;
	CHECK(engine_recovery_check(&o) == 0, "a time alone");
	o.recovery_target_time = "yesterday";
	CHECK(engine_recovery_check(&o) < 0, "a time that is none");
}

/* An engine with no throwaway server is refused before anything starts. */
static void test_servers(void)
{
	struct engine_options o = {.verify_dir = "/nonexistent/verify"};
	struct engine_servers *sv = engine_servers_new(&o);
	long total = -1;

	CHECK(sv != NULL, "servers");
	if (sv == NULL)
		return;
	CHECK(engine_servers_restore(sv, "oracle", NULL, "x.sql.gz", NULL, 0, NULL, NULL) == NULL,
	      "an unknown engine has no server");
	CHECK(engine_servers_count_databases(sv, &total) == 0 && total == 0,
	      "nothing started, nothing counted");
	engine_servers_free(sv);
}

void test_engine_engine(void)
{
	test_environment_target();
	test_capabilities();
	test_servers();
}
