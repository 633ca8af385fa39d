#include <stdlib.h>
#include <string.h>

#include "engine/mariadb/rowcount.h"
#include "engine/postgres/rowcount.h"
#include "backup/rowcounts.h"
#include "test.h"

/* A sink that keeps nothing: the counters are what is tested. */
static int null_write(struct sink *s, const void *buf, size_t len)
{
	(void)s, (void)buf, (void)len;
	return 0;
}

static int null_commit(struct sink *s)
{
	free(s);
	return 0;
}

static void null_abort(struct sink *s)
{
	free(s);
}

static struct sink *null_sink(void)
{
	struct sink *s = calloc(1, sizeof(*s));

	s->write = null_write;
	s->commit = null_commit;
	s->abort = null_abort;
	return s;
}

/* Streams text through a counter step bytes at a time, as the pipeline would. */
static void count(struct sink *(*counter)(struct sink *, struct rowcounts *, const char *),
		  const char *text, size_t step, struct rowcounts *out)
{
	struct sink *s = counter(null_sink(), out, "f.sql.gz");

	for (size_t off = 0, len = strlen(text); off < len; off += step)
		sink_write(s, text + off, len - off < step ? len - off : step);
	sink_commit(s);
}

static long rows_of(const struct rowcounts *rc, const char *db, const char *table)
{
	for (size_t i = 0; i < rc->n; i++)
		if (strcmp(rc->items[i].database, db) == 0 &&
		    strcmp(rc->items[i].table, table) == 0)
			return (long)rc->items[i].rows;
	return -1;
}

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

		count(pg_rowcount_sink, pg_script, step, &rc);
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

static const char my_script[] =
    "-- MariaDB dump\n"
    "CREATE DATABASE /*!32312 IF NOT EXISTS*/ `mysql`;\nUSE `mysql`;\n"
    "LOCK TABLES `db` WRITE;\nINSERT INTO `db` VALUES ('%','x'),('%','y');\nUNLOCK TABLES;\n"
    "USE `shop`;\n"
    "LOCK TABLES `items` WRITE;\n"
    "/*!40000 ALTER TABLE `items` DISABLE KEYS */;\n"
    "INSERT INTO `items` VALUES (1,'a(b'),(2,'c\\'),(d'),(3,'e\\\\'),(4,'');\n"
    "INSERT INTO `items` VALUES\n(5,'x\\ny),(z'),\n(6,NULL);\n"
    "/*!40000 ALTER TABLE `items` ENABLE KEYS */;\n"
    "UNLOCK TABLES;\n"
    "LOCK TABLES `we(ir'd``name` WRITE;\n"
    "INSERT INTO `we(ir'd``name` VALUES (1,'\"(\";',_binary '()'),(2,'it''s (',0x2829);\n"
    "UNLOCK TABLES;\n"
    "LOCK TABLES `empty_one` WRITE;\nUNLOCK TABLES;\n"
    "DELIMITER ;;\nCREATE PROCEDURE p() INSERT INTO `x` VALUES (1),(2) ;;\nDELIMITER ;\n";

static void test_my_counter(void)
{
	for (size_t step = 1; step <= 64; step = step * 2 + 1) {
		struct rowcounts rc = {0};

		count(my_rowcount_sink, my_script, step, &rc);
		CHECK(rc.n == 3, "step %zu: %zu tables", step, rc.n);
		CHECK(rows_of(&rc, "shop", "items") == 6, "step %zu: %ld", step,
		      rows_of(&rc, "shop", "items"));
		CHECK(rows_of(&rc, "shop", "we(ir'd`name") == 2, "step %zu", step);
		CHECK(rows_of(&rc, "shop", "empty_one") == 0, "step %zu", step);
		CHECK(rows_of(&rc, "mysql", "db") == -1, "the mysql schema is not counted");
		rowcounts_free(&rc);
	}
}

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

/* The manifest records the file's checksum; an older reader skips the key. */
static void test_manifest_key(void)
{
	struct manifest m = {0}, back;
	struct manifest_file *f;
	char err[256], *text;

	m.format = 1;
	m.engine = strdup("postgres");
	f = manifest_add_file(&m, "dumpall.sql.gz");
	memset(f->sha256, 'b', 64);
	memset(m.rowcounts_sha256, 'c', 64);
	text = manifest_render(&m, err, sizeof(err));
	CHECK(text != NULL && strstr(text, "\nrowcounts_sha256 = cccc") != NULL, "rendered");
	CHECK(text != NULL && manifest_parse(text, &back, err, sizeof(err)) == 0 &&
		  strcmp(back.rowcounts_sha256, m.rowcounts_sha256) == 0,
	      "parsed back: %s", err);
	manifest_free(&back);
	free(text);
	memset(m.rowcounts_sha256, 0, sizeof(m.rowcounts_sha256));
	text = manifest_render(&m, err, sizeof(err));
	CHECK(text != NULL && strstr(text, "rowcounts") == NULL, "no key without row counts");
	free(text);
	CHECK(manifest_parse("[backup]\nformat = 1\nengine = postgres\nrowcounts_sha256 = xyz\n"
			     "[file:a]\nsha256 = "
			     "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n",
			     &back, err, sizeof(err)) < 0,
	      "a malformed checksum is refused");
	manifest_free(&m);
}

void test_rowcounts(void)
{
	test_manifest_key();
	test_pg_counter();
	test_my_counter();
	test_file();
}
