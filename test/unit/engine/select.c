/* What is dumped and restored: exclusions, dump options, the database restored. */
#include <string.h>

#include "engine/engine.h"
#include "util/log.h"
#include "util/strlist.h"

#include "test.h"

static void test_exclude(void)
{
	char *all[] = {"app", "app_copy", "shop", "Shop 2", "logs"};
	struct target t = {0};
	struct engine e = {0};
	char *listed[] = {"app", "shop"};

	e.target = &t;
	e.opts.exclude = "*_copy, Shop?2\tshop";
	CHECK(engine_choose_databases(&e, all, 5, "test") == 0, "choose");
	CHECK(e.ndatabases == 2 && strcmp(e.databases[0], "app") == 0 &&
		  strcmp(e.databases[1], "logs") == 0,
	      "names and patterns leave databases out, the rest in order (%zu)", e.ndatabases);
	CHECK(e.nexcluded == 3 && strcmp(e.excluded[0], "app_copy") == 0, "what was left out");
	strlist_free(e.databases, e.ndatabases);
	strlist_free(e.excluded, e.nexcluded);

	memset(&e, 0, sizeof(e));
	t.databases = listed;
	t.ndatabases = 2;
	e.target = &t;
	e.opts.exclude = "sh*";
	CHECK(engine_choose_databases(&e, all, 5, "test") == 0 && e.ndatabases == 1 &&
		  strcmp(e.databases[0], "app") == 0,
	      "a listed database can be excluded too");
	strlist_free(e.databases, e.ndatabases);
	strlist_free(e.excluded, e.nexcluded);

	memset(&e, 0, sizeof(e));
	e.target = &t;
	e.opts.exclude = "*";
	fail_clear();
	CHECK(engine_choose_databases(&e, all, 5, "test") < 0 && fail_code() == EXIT_CONFIG &&
		  strstr(fail_reason(), "leaves out every database"),
	      "excluding everything is refused: %s", fail_reason());
	fail_clear();
	strlist_free(e.databases, e.ndatabases);
	strlist_free(e.excluded, e.nexcluded);
}

/* The reason engine name refuses options, or "" when accepted. */
static const char *refusal(const char *name, const char *options)
{
	struct engine_options o = {.dump_options = options};

	fail_clear();
	return engine_check_settings(name, &o) == 0 ? "" : fail_reason();
}

static void test_dump_options(void)
{
	static const char *const pg_ok[] = {
	    "--no-comments", "-v --schema=app", "--data-only", "--exclude-table=t*", "-s", NULL};
	static const char *const pg_bad[] = {
	    "--format=c", "-Fc", "--form=d",   "--file=/x",	   "-f/x",     "-j4",
	    "--jobs=2",	  "-Z9", "--compress", "--dbname=x",	   "--host=h", "-U x",
	    "--clean",	  "-vc", "word",       "--no-comments --", "-",	       NULL};
	static const char *const my_bad[] = {"--xml",
					     "-X",
					     "--result-file=/x",
					     "-r/x",
					     "--tab=/t",
					     "-T/t",
					     "--all-databases",
					     "--databases",
					     "--password=p",
					     "--add-drop-database",
					     NULL};

	for (size_t i = 0; pg_ok[i] != NULL; i++)
		CHECK(strcmp(refusal("postgres", pg_ok[i]), "") == 0, "%s is accepted: %s",
		      pg_ok[i], fail_reason());
	for (size_t i = 0; pg_bad[i] != NULL; i++)
		CHECK(strstr(refusal("postgres", pg_bad[i]), "BACKUP_DUMP_OPTIONS") != NULL &&
			  fail_code() == EXIT_CONFIG,
		      "%s is refused for pg_dump", pg_bad[i]);
	CHECK(strstr(refusal("postgres", "-Fc"), "--format of pg_dump/pg_dumpall") != NULL,
	      "the refusal names the option and the tool: %s", fail_reason());
	for (size_t i = 0; my_bad[i] != NULL; i++)
		CHECK(strstr(refusal("mariadb", my_bad[i]), "mariadb-dump") != NULL,
		      "%s is refused for mariadb-dump", my_bad[i]);
	CHECK(strcmp(refusal("mariadb", "--skip-comments --hex-blob"), "") == 0,
	      "mariadb-dump takes harmless options: %s", fail_reason());
	CHECK(strstr(refusal("mongodb", "--gzip"), "runs no dump tool") != NULL,
	      "MongoDB takes none: %s", fail_reason());
	CHECK(strstr(refusal("postgres-physical", "--no-comments"), "runs no dump tool") != NULL,
	      "nor do base backups");
	CHECK(strcmp(refusal("mongodb", "  "), "") == 0, "blank options are none");
	fail_clear();
}

static void test_restore_name(void)
{
	struct engine_options o = {0};

	CHECK(strcmp(engine_restore_name(&o, "app"), "app") == 0, "everything, by default");
	o.only = "app";
	CHECK(strcmp(engine_restore_name(&o, "app"), "app") == 0 &&
		  engine_restore_name(&o, "shop") == NULL,
	      "only the database asked for");
	o.rename = "app2";
	CHECK(strcmp(engine_restore_name(&o, "app"), "app2") == 0, "under its new name");
}

void test_engine_select(void)
{
	test_exclude();
	test_dump_options();
	test_restore_name();
}
