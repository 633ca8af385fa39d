#include <stdlib.h>
#include <string.h>

#include "backup/manifest.h"

#include "test.h"

static void test_round_trip(void)
{
	struct manifest m = {0}, back;
	struct manifest_file *f;
	char err[256], *text;
	/* The longest database name PostgreSQL allows (63 bytes), much of it escaped. */
	char awkward[64];

	for (int i = 0; i < 63; i++)
		awkward[i] = "; %"[i % 3];
	awkward[63] = '\0';
	m.format = 1;
	m.tool_version = strdup("tierdump 0.1.0");
	m.engine = strdup("postgres");
	m.server_version = strdup("15.18 (Debian 15.18-0+deb12u1)");
	m.client = strdup("pg_dumpall 17.12 (/usr/lib/postgresql/17/bin)");
	m.tier = strdup("hourly");
	m.compression = strdup("gzip");
	m.started = 1795255620;
	m.finished = 1795255680;
	manifest_add_database(&m, "app");
	manifest_add_database(&m, " spaced # ;name=[x] ");
	manifest_add_database(&m, "naïve-ünïcode");
	manifest_add_database(&m, awkward);
	f = manifest_add_file(&m, "dumpall.sql.gz");
	f->size = 12345;
	f->raw_size = 99999;
	memset(f->sha256, 'a', 64);
	f->server_version = strdup("17.12 (Debian 17.12-0+deb13u1)");
	f->client = strdup("pg_dumpall 18.6 (/usr/lib/postgresql/18/bin)");
	text = manifest_render(&m, err, sizeof(err));
	CHECK(text != NULL, "rendered");
	CHECK(manifest_parse(text, &back, err, sizeof(err)) == 0, "parsed back: %s\n%s", err, text);
	if (back.engine == NULL) {
		free(text);
		manifest_free(&m);
		return;
	}
	CHECK(back.ndatabases == 4 && strcmp(back.databases[1], " spaced # ;name=[x] ") == 0 &&
		  strcmp(back.databases[2], "naïve-ünïcode") == 0 &&
		  strcmp(back.databases[3], awkward) == 0,
	      "databases survive: '%s'", back.ndatabases > 1 ? back.databases[1] : "");
	CHECK(back.nfiles == 1 && back.files[0].size == 12345 && back.files[0].raw_size == 99999 &&
		  strcmp(back.files[0].sha256, f->sha256) == 0,
	      "file entry survives");
	CHECK(back.started == m.started && back.finished == m.finished, "times survive");
	CHECK(strcmp(back.server_version, m.server_version) == 0, "server version survives: %s",
	      back.server_version);
	CHECK(back.nfiles == 1 && back.files[0].server_version != NULL &&
		  strcmp(back.files[0].server_version, f->server_version) == 0 &&
		  back.files[0].client != NULL && strcmp(back.files[0].client, f->client) == 0,
	      "the file's own server version and client survive");
	CHECK(back.client != NULL && strcmp(back.client, m.client) == 0, "client survives: %s",
	      back.client ? back.client : "(none)");
	CHECK(back.promoted_from == NULL, "no promoted_from on a dump");
	CHECK(manifest_size(&back) == 12345, "size");
	free(text);
	manifest_free(&m);
	manifest_free(&back);
}

static void test_refusals(void)
{
	static const char *const bad[] = {
	    "",
	    "[backup]\nengine = postgres\n[file:a.gz]\nsize = 1\nsha256 = " /* no format */
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	    "[backup]\nformat = 2\nengine = postgres\n",
	    "[backup]\nformat = 1\nengine = postgres\n",			/* no file */
	    "[backup]\nformat = 1\nengine = postgres\n[file:a.gz]\nsize = 1\n", /* no sha */
	    "[backup]\nformat = 1\nengine = postgres\n[file:a.gz]\nsize = x\n",
	    "[backup]\nformat = 1\nengine = postgres\n[file:a.gz]\nsha256 = 12\n",
	    "[backup]\nformat = 1\nengine = postgres\n[file:../x]\nsize = 1\n",
	    "[backup]\nformat = 1\nstarted = yesterday\n",
	    "garbage without section\n",
	};
	struct manifest m;
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		CHECK(manifest_parse(bad[i], &m, err, sizeof(err)) < 0, "case %zu accepted", i);
		CHECK(err[0] != '\0', "case %zu has no reason", i);
	}
}

static void test_limits(void)
{
	struct manifest m = {0}, back;
	char err[256], long_name[260], *text;

	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	m.format = 1;
	m.engine = strdup("postgres");
	manifest_add_database(&m, long_name);
	manifest_add_file(&m, "a.gz");
	memset(m.files[0].sha256, 'a', 64);
	text = manifest_render(&m, err, sizeof(err));
	CHECK(text == NULL && strstr(err, "too long") != NULL,
	      "a line inih cannot read back is refused, not written: %s", err);
	free(text);
	manifest_free(&m);
	CHECK(manifest_parse("[backup]\nformat = 1\nengine = pg\x01sql\n", &back, err,
			     sizeof(err)) < 0,
	      "a raw control character means damage");
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

void test_backup_manifest(void)
{
	test_manifest_key();
	test_limits();
	test_round_trip();
	test_refusals();
}
