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

	f = pg_filter_source(bytes_source(text, strlen(text), step), roles, 2, "dbadmin");
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

void test_engine_postgres_filter(void)
{
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
