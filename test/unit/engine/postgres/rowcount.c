#include <stdlib.h>
#include <string.h>

#include "engine/postgres/rowcount.h"

#include "test.h"

static const char pg_script[] =
    "--\n-- PostgreSQL database cluster dump\n--\n\n"
    "CREATE ROLE app;\n"
    "\\connect template1\n\n"
    "--\n-- Data for Name: t1; Type: TABLE DATA; Schema: public; Owner: x\n--\n\n"
    "COPY public.t1 (a, b) FROM stdin;\n"
    "1\tone\n2\ttwo\n\\.\n\n"
    "CREATE DATABASE \"Odd \"\"db\"\"\";\n"
    "\\connect -reuse-previous=on \"dbname='Odd \"\"db\"\"'\"\n"
    "COPY \"My Schema\".\"T \"\"x\"\"\" (id, v) FROM stdin;\n"
    "1\tline\\nbreak\n2\t\\\\.\n3\t\\N\n\\.\n"
    "COPY public.empty FROM stdin;\n\\.\n"
    "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$\nSELECT 1\n$$;\n"
    "\\connect \"Upper\"\n"
    "COPY public.t1 (a) FROM stdin;\n7\n\\.\n"
    "\\connect -reuse-previous=on \"dbname='it\\'s'\"\n"
    "COPY s.t (a) FROM stdin;\n1\n2\n3\n4\n\\.\n";

static void test_pg_counter(void)
{
	for (size_t step = 1; step <= 64; step = step * 2 + 1) {
		struct rowcounts rc = {0};

		count_rows(pg_rowcount_sink, pg_script, step, &rc);
		CHECK(rc.n == 5, "step %zu: %zu tables", step, rc.n);
		CHECK(rows_of(&rc, "template1", "public.t1") == 2, "step %zu", step);
		CHECK(rows_of(&rc, "Odd \"db\"", "\"My Schema\".\"T \"\"x\"\"\"") == 3, "step %zu",
		      step);
		CHECK(rows_of(&rc, "Odd \"db\"", "public.empty") == 0, "step %zu", step);
		CHECK(rows_of(&rc, "Upper", "public.t1") == 1, "step %zu", step);
		CHECK(rows_of(&rc, "it's", "s.t") == 4, "step %zu", step);
		rowcounts_free(&rc);
	}
	CHECK(pg_qualified_name_ok("public.t1"), "bare");
	CHECK(pg_qualified_name_ok("\"My Schema\".\"T \"\"x\"\"\""), "quoted");
	CHECK(!pg_qualified_name_ok("public.t1; DROP TABLE x"), "a statement after");
	CHECK(!pg_qualified_name_ok("\"open"), "an open quote");
	CHECK(!pg_qualified_name_ok("a.b.c"), "three parts");
	CHECK(!pg_qualified_name_ok(""), "empty");
}

void test_engine_postgres_rowcount(void)
{
	test_pg_counter();
}
