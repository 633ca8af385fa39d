#include <string.h>

#include "backup/keys.h"

#include "test.h"

static void test_backup_and_files(void)
{
	char buf[KEY_MAX];

	CHECK(key_backup(buf, "hourly", "2026-11-21T10:07:00Z") == buf, "returns buf");
	CHECK(strcmp(buf, "hourly/2026-11-21T10:07:00Z") == 0, "backup: %s", buf);
	key_backup(buf, "daily", "backup-2026-11-21T10-07-00-dumpall.sql.gz");
	CHECK(strcmp(buf, "daily/backup-2026-11-21T10-07-00-dumpall.sql.gz") == 0,
	      "a bandr file: %s", buf);
	CHECK(key_backup_file(buf, "weekly", "2026-11-21T10:07:00Z", "dumpall.sql.gz") == buf,
	      "returns buf");
	CHECK(strcmp(buf, "weekly/2026-11-21T10:07:00Z/dumpall.sql.gz") == 0, "file: %s", buf);
	key_backup_file(buf, "monthly", "2026-11-21T10:07:00Z", KEY_MANIFEST);
	CHECK(strcmp(buf, "monthly/2026-11-21T10:07:00Z/manifest") == 0, "manifest: %s", buf);
	key_backup_file(buf, "hourly", "2026-11-21T10:07:00Z", KEY_ROWCOUNTS);
	CHECK(strcmp(buf, "hourly/2026-11-21T10:07:00Z/rowcounts") == 0, "row counts: %s", buf);
	key_backup_file(buf, "hourly", "2026-11-21T10:07:00Z", KEY_VERIFIED);
	CHECK(strcmp(buf, "hourly/2026-11-21T10:07:00Z/verified") == 0, "verified: %s", buf);
	key_backup_file(buf, "hourly", ".partial-2026-11-21T10:07:00Z", "app.sql.zst");
	CHECK(strcmp(buf, "hourly/.partial-2026-11-21T10:07:00Z/app.sql.zst") == 0,
	      "a staged backup's file: %s", buf);
}

static void test_wal(void)
{
	char buf[KEY_MAX];

	CHECK(key_wal(buf, "000000010000000000000002", ".gz") == buf, "returns buf");
	CHECK(strcmp(buf, "wal/000000010000000000000002.gz") == 0, "segment: %s", buf);
	key_wal(buf, "00000002.history", ".meta");
	CHECK(strcmp(buf, "wal/00000002.history.meta") == 0, "record: %s", buf);
	key_wal(buf, "000000010000000000000002", "");
	CHECK(strcmp(buf, "wal/000000010000000000000002") == 0, "uncompressed: %s", buf);
}

/* A key longer than KEY_MAX is cut, never written past the buffer. */
static void test_limit(void)
{
	char buf[KEY_MAX + 16], file[KEY_MAX + 8];

	memset(file, 'f', sizeof(file) - 1);
	file[sizeof(file) - 1] = '\0';
	memset(buf, 'X', sizeof(buf));
	key_backup_file(buf, "hourly", "n", file);
	CHECK(strlen(buf) == KEY_MAX - 1, "cut at %zu", strlen(buf));
	CHECK(strncmp(buf, "hourly/n/fff", 12) == 0, "the start kept: %.12s", buf);
	CHECK(buf[KEY_MAX] == 'X', "nothing written past KEY_MAX");
}

void test_backup_keys(void)
{
	test_backup_and_files();
	test_wal();
	test_limit();
}
