#include <stdlib.h>
#include <string.h>

#include "backup/rowcounts.h"

#include "test.h"

static void test_file(void)
{
	struct rowcounts rc = {0}, back;
	char err[128], sha[DIGEST_HEX_LEN + 1], *text;

	rowcounts_add(&rc, "a.sql.gz", "db\twith tab", "\"s\".\"t%\n\"", 12);
	rowcounts_add(&rc, "a.sql.gz", "app", "public.t", 0);
	text = rowcounts_render(&rc);
	CHECK(rowcounts_parse(text, &back, err, sizeof(err)) == 0, "parsed: %s", err);
	CHECK(back.n == 2 && strcmp(back.items[0].database, "db\twith tab") == 0 &&
		  strcmp(back.items[0].table, "\"s\".\"t%\n\"") == 0 && back.items[0].rows == 12,
	      "round trip");
	rowcounts_sha256(text, sha);
	CHECK(strlen(sha) == DIGEST_HEX_LEN, "sha256 hex");
	rowcounts_free(&back);
	CHECK(rowcounts_parse("a\tb\tc\n", &back, err, sizeof(err)) < 0, "a line short of a field");
	CHECK(rowcounts_parse("a\tb\tc\t-1\n", &back, err, sizeof(err)) < 0, "a negative count");
	CHECK(rowcounts_parse("a\tb\tc\t%zz\n", &back, err, sizeof(err)) < 0, "a bad escape");
	free(text);
	rowcounts_free(&rc);
}

void test_backup_rowcounts(void)
{
	test_file();
}
