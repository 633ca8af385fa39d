/* RECOVER_DATABASE's stream filter over pg_dumpall and pg_dump --create scripts. */
#include <stdlib.h>
#include <string.h>

#include "engine/postgres/select.h"
#include "util/log.h"

#include "test.h"

static const char dumpall[] =
    "--\n-- PostgreSQL database cluster dump\n--\n\n"
    "\\restrict KEY1\n"
    "SET default_transaction_read_only = off;\n"
    "CREATE ROLE dbadmin;\n"
    "ALTER ROLE dbadmin WITH SUPERUSER LOGIN;\n"
    "CREATE ROLE appowner;\n"
    "ALTER ROLE appowner WITH LOGIN PASSWORD 'x';\n"
    "GRANT appowner TO dbadmin GRANTED BY dbadmin;\n"
    "CREATE TABLESPACE ts OWNER dbadmin LOCATION '/ts';\n"
    "--\n-- Database \"template1\" dump\n--\n\n"
    "\\connect template1\n"
    "CREATE TABLE tmpl (v int);\n"
    "--\n-- Database \"app\" dump\n--\n\n"
    "CREATE DATABASE app WITH TEMPLATE = template0 ENCODING = 'UTF8';\n"
    "ALTER DATABASE app OWNER TO appowner;\n"
    "COMMENT ON DATABASE app IS 'DATABASE app';\n"
    "\\connect app\n"
    "COPY t (v) FROM stdin;\nCREATE DATABASE other\nALTER DATABASE app OWNER TO x;\n\\.\n"
    "GRANT ALL ON DATABASE app TO appowner;\n"
    "ALTER DATABASE application SET x = 1;\n"
    "--\n-- Database \"postgres\" dump\n--\n\n"
    "\\connect postgres\n"
    "CREATE TABLE p (v int);\n"
    "--\n-- Database \"shop\" dump\n--\n\n"
    "CREATE DATABASE shop WITH TEMPLATE = template0;\n"
    "\\connect shop\n"
    "CREATE TABLE s (v int);\n"
    "\\unrestrict KEY1\n";

/* Two pg_dump --create scripts one after the other, as a backup of listed databases has. */
static const char listed[] = "-- PostgreSQL database dump\n"
			     "\\restrict K1\n"
			     "SET client_encoding = 'UTF8';\n"
			     "CREATE DATABASE \"My \"\"App\"\"\" WITH TEMPLATE = template0;\n"
			     "\\connect -reuse-previous=on \"dbname='My \"\"App\"\"'\"\n"
			     "CREATE TABLE a (v int);\n"
			     "\\unrestrict K1\n"
			     "-- PostgreSQL database dump\n"
			     "\\restrict K2\n"
			     "SET client_encoding = 'UTF8';\n"
			     "CREATE DATABASE shop WITH TEMPLATE = template0;\n"
			     "\\connect shop\n"
			     "CREATE TABLE s (v int);\n"
			     "\\unrestrict K2\n";

/* The filtered script, read step bytes at a time; NULL when the read failed. */
static const char *run(const char *script, size_t step, const char *only, const char *rename)
{
	char *roles[] = {"dbadmin", "postgres"};

	fail_clear();
	return read_text(
	    pg_select_source(bytes_source(script, strlen(script), step), roles, 2, only, rename));
}

static void test_renamed(size_t step)
{
	const char *out = run(dumpall, step, "app", "app copy");

	CHECK(out != NULL, "the app section is found (step %zu)", step);
	CHECK(
	    text_has(out, "CREATE ROLE appowner;\nALTER ROLE appowner WITH LOGIN PASSWORD 'x';\n"),
	    "a missing role is created with its attributes: %s", text_shown(out));
	CHECK(!text_has(out, "ROLE dbadmin"), "an existing role is left as it is: %s",
	      text_shown(out));
	CHECK(!text_has(out, "GRANT appowner") && !text_has(out, "TABLESPACE"),
	      "memberships and tablespaces are the cluster's: %s", text_shown(out));
	CHECK(text_has(out, "SET default_transaction_read_only = off;\n"), "session settings pass");
	CHECK(
	    text_has(out,
		     "CREATE DATABASE \"app copy\" WITH TEMPLATE = template0 ENCODING = 'UTF8';\n"),
	    "CREATE DATABASE under the new name: %s", text_shown(out));
	CHECK(text_has(out, "ALTER DATABASE \"app copy\" OWNER TO appowner;\n"), "its owner: %s",
	      text_shown(out));
	CHECK(text_has(out, "COMMENT ON DATABASE \"app copy\" IS 'DATABASE app';\n"),
	      "its comment, the text untouched: %s", text_shown(out));
	CHECK(text_has(out, "\\connect -reuse-previous=on \"dbname='app copy'\"\n"),
	      "\\connect to a name that needs quoting: %s", text_shown(out));
	CHECK(text_has(out,
		       "COPY t (v) FROM stdin;\nCREATE DATABASE other\nALTER DATABASE app OWNER TO "
		       "x;\n\\.\n"),
	      "COPY data is never rewritten: %s", text_shown(out));
	CHECK(text_has(out, "GRANT ALL ON DATABASE \"app copy\" TO appowner;\n"),
	      "grants on it: %s", text_shown(out));
	CHECK(text_has(out, "ALTER DATABASE application SET"),
	      "another name that starts alike stays");
	CHECK(!text_has(out, "template1") && !text_has(out, "CREATE TABLE p") &&
		  !text_has(out, "shop"),
	      "the other databases are left out: %s", text_shown(out));
	CHECK(text_has(out, "\\restrict KEY1\n") && text_has(out, "\\unrestrict KEY1\n"),
	      "psql's restricted mode pairs up");
}

static void test_own_name(void)
{
	const char *out = run(dumpall, 4096, "app", NULL);

	CHECK(text_has(out, "CREATE DATABASE app WITH") && text_has(out, "\\connect app\n") &&
		  !text_has(out, "shop"),
	      "without a new name the section passes as it is: %s", text_shown(out));
	out = run(dumpall, 3, "postgres", "pg2");
	CHECK(text_has(out, "CREATE DATABASE \"pg2\";\n\\connect pg2\nCREATE TABLE p (v int);\n"),
	      "a section without CREATE DATABASE gets one under its new name: %s", text_shown(out));
	CHECK(!text_has(out, "CREATE TABLE s") && !text_has(out, "CREATE DATABASE app"),
	      "alone: %s", text_shown(out));
}

static void test_listed(void)
{
	const char *out = run(listed, 5, "shop", "shop2");

	CHECK(text_has(out, "CREATE DATABASE \"shop2\" WITH") &&
		  text_has(out, "\\connect shop2\n") && text_has(out, "CREATE TABLE s"),
	      "a pg_dump --create script's database starts at CREATE DATABASE: %s",
	      text_shown(out));
	CHECK(!text_has(out, "CREATE TABLE a") && !text_has(out, "App"),
	      "the other is left out: %s", text_shown(out));
	out = run(listed, 4096, "My \"App\"", "plain");
	CHECK(text_has(out, "CREATE DATABASE \"plain\" WITH") &&
		  text_has(out, "\\connect plain\n") && text_has(out, "CREATE TABLE a") &&
		  !text_has(out, "CREATE TABLE s"),
	      "a quoted name is matched and renamed: %s", text_shown(out));
}

static void test_missing(void)
{
	CHECK(run(dumpall, 7, "nope", NULL) == NULL, "a database the dump lacks fails");
	CHECK(fail_code() == EXIT_NOT_FOUND &&
		  strstr(fail_reason(), "holds no database nope; it holds: app, postgres, shop"),
	      "naming what it holds: %d %s", fail_code(), fail_reason());
	fail_clear();
}

void test_engine_postgres_select(void)
{
	test_renamed(1);
	test_renamed(4096);
	test_own_name();
	test_listed();
	test_missing();
}
