#include <stdlib.h>
#include <string.h>

#include "engine/postgres/filter.h"

#include "test.h"

static char *filter_all(const char *text, size_t step)
{
	char *roles[] = {"dbadmin", "Weird \"Role\""};
	struct source *f;
	char *out = calloc(1, 65536);
	size_t len = 0;
	ssize_t n;

	f = pg_filter_source(bytes_source(text, strlen(text), step), roles, 2, "dbadmin", NULL, 0,
			     15);
	while ((n = source_read(f, out + len, 7)) > 0)
		len += (size_t)n;
	source_close(f);
	return out;
}

static const char script[] = "--\n-- Roles\n--\n\n"
			     "CREATE ROLE app;\n"
			     "ALTER ROLE app WITH LOGIN PASSWORD 'SCRAM-SHA-256$x';\n"
			     "CREATE ROLE dbadmin;\n"
			     "ALTER ROLE dbadmin WITH SUPERUSER LOGIN PASSWORD 'SCRAM-SHA-256$y';\n"
			     "CREATE ROLE \"Weird \"\"Role\"\"\";\n"
			     "CREATE ROLE dbadmin2;\n"
			     "\\connect template1\n"
			     "CREATE ROLE dbadmin;\n" /* after the head: data, left alone */
			     "COPY t FROM stdin;\n1\tdbadmin\n\\.\n";

static const char expected[] =
    "--\n-- Roles\n--\n\n"
    "CREATE ROLE app;\n"
    "ALTER ROLE app WITH LOGIN PASSWORD 'SCRAM-SHA-256$x';\n"
    "CREATE ROLE dbadmin2;\n"
    "\\connect template1\n"
    "CREATE ROLE dbadmin;\n"
    "COPY t FROM stdin;\n1\tdbadmin\n\\.\n"
    "ALTER ROLE dbadmin WITH SUPERUSER LOGIN PASSWORD 'SCRAM-SHA-256$y';\n";

/* What a 17 pg_dumpall writes, restored into a server that knows only settings[]. */
static const char newer[] =
    "SET default_transaction_read_only = off;\n"
    "SET transaction_timeout = 0;\n"
    "\\connect template1\n"
    "-- Dumped by pg_dump version 17.12 (Debian 17.12-0+deb13u1)\n"
    "SET statement_timeout = 0;\n"
    "SET transaction_timeout = 0;\n"
    "SELECT pg_catalog.set_config('search_path', '', false);\n"
    "SELECT pg_catalog.set_config('future_setting', 'x', false);\n"
    "SET ROLE app;\n"
    "SET SESSION AUTHORIZATION app;\n"
    "SET my.custom = 1;\n"
    "SET other_unknown TO 'x';\n"
    "SET transaction_timeout = 0; -- not alone on its line? still one statement\n"
    "COPY t (a) FROM stdin;\n"
    "SET transaction_timeout = 0;\n"
    "\\.\n"
    "CREATE FUNCTION f() RETURNS int AS $$\n"
    "  SET transaction_timeout = 0;\n"
    "$$;\n"
    "\\connect app\n"
    "SET transaction_timeout = 0;\n"
    "SET lock_timeout = 0;\n";

static const char newer_expected[] =
    "SET default_transaction_read_only = off;\n"
    "\\connect template1\n"
    "-- Dumped by pg_dump version 17.12 (Debian 17.12-0+deb13u1)\n"
    "SET statement_timeout = 0;\n"
    "SELECT pg_catalog.set_config('search_path', '', false);\n"
    "SET ROLE app;\n"
    "SET SESSION AUTHORIZATION app;\n"
    "SET my.custom = 1;\n"
    "SET transaction_timeout = 0; -- not alone on its line? still one statement\n"
    "COPY t (a) FROM stdin;\n"
    "SET transaction_timeout = 0;\n"
    "\\.\n"
    "CREATE FUNCTION f() RETURNS int AS $$\n"
    "  SET transaction_timeout = 0;\n"
    "$$;\n"
    "\\connect app\n"
    "SET lock_timeout = 0;\n";

static void test_unknown_settings(void)
{
	char *roles[] = {"postgres"};
	char *settings[] = {"default_transaction_read_only", "statement_timeout", "search_path",
			    "lock_timeout", "Role"};
	static const size_t steps[] = {1, 5, 4096};

	for (size_t i = 0; i < sizeof(steps) / sizeof(*steps); i++) {
		struct source *f = pg_filter_source(bytes_source(newer, strlen(newer), steps[i]),
						    roles, 1, "postgres", settings, 5, 15);
		char out[4096];
		size_t len = 0;
		ssize_t n;

		while (f != NULL && (n = source_read(f, out + len, sizeof(out) - 1 - len)) > 0)
			len += (size_t)n;
		out[len] = '\0';
		source_close(f);
		CHECK(strcmp(out, newer_expected) == 0, "unknown settings, reads of %zu:\n%s",
		      steps[i], out);
	}
}

/* A dump by a pg_dump no newer than the target passes untouched from its "Dumped by" line. */
static void test_same_version(void)
{
	static const char dump[] = "\\connect app\n"
				   "-- Dumped by pg_dump version 15.18\n"
				   "SET unknown_here = 0;\n";
	char *roles[] = {"postgres"}, *settings[] = {"lock_timeout"};
	struct source *f = pg_filter_source(bytes_source(dump, strlen(dump), 3), roles, 1,
					    "postgres", settings, 1, 15);
	char out[256];
	size_t len = 0;
	ssize_t n;

	while (f != NULL && (n = source_read(f, out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	source_close(f);
	CHECK(strcmp(out, dump) == 0, "a 15 dump into 15 passes as it is:\n%s", out);
}

void test_engine_postgres_filter(void)
{
	test_unknown_settings();
	test_same_version();
	static const size_t steps[] = {1, 3, 17, 4096};

	for (size_t i = 0; i < sizeof(steps) / sizeof(*steps); i++) {
		char *out = filter_all(script, steps[i]);

		CHECK(strcmp(out, expected) == 0, "reads of %zu bytes gave:\n%s", steps[i], out);
		free(out);
	}
	CHECK(pg_ident_is("\"a\"\"b\"", 6, "a\"b"), "quoted with a doubled quote");
	CHECK(!pg_ident_is("\"a\"b\"", 6, "a\"b"), "a lone quote inside");
	CHECK(pg_ident_is("app", 3, "app") && !pg_ident_is("app", 3, "ap"), "bare");
	CHECK(!pg_ident_is("\"App\"", 5, "app"), "quoted is case-sensitive");
}
