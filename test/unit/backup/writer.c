/*
 * The backup writer against a local store in a temporary directory: a
 * committed backup appears under its final name with its manifest and
 * nothing staged left; an aborted one leaves nothing; a link into another
 * tier is the same file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backup/keys.h"
#include "backup/writer.h"
#include "test.h"
#include "util/fs.h"

#define STAMP "2026-01-02T03:04:05Z"
/* SHA-256 of "hello\n". */
#define HELLO_SHA "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"

static void describe(struct manifest *m)
{
	m->format = 1;
	m->tool_version = strdup("tierdump test");
	m->engine = strdup("postgres");
	m->server_version = strdup("15");
	m->compression = strdup("none");
}

static int exists(const char *root, const char *key)
{
	char path[2048];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", root, key);
	return stat(path, &st) == 0;
}

/* How many entries of dir start with a dot (staged or half-removed backups). */
static int hidden_entries(const char *root, const char *tier)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "ls -A '%s/%s' | grep -c '^\\.'", root, tier);
	return shell_count(cmd);
}

void test_backup_writer(void)
{
	char root[] = "/tmp/tierdump-unit-writer-XXXXXX", key[KEY_MAX];
	struct manifest m = {0}, promoted = {0};
	struct store_options opts = {0};
	struct backup_added added;
	struct backup_writer *w;
	struct store *s;
	struct sink *sink;
	struct stat a, b;

	if (mkdtemp(root) == NULL || (s = store_open(root, &opts)) == NULL) {
		CHECK(0, "a local store in a temporary directory");
		return;
	}
	describe(&m);
	w = backup_begin(s, "hourly", STAMP, &m);
	CHECK(w != NULL && strcmp(m.tier, "hourly") == 0, "begin names the manifest's tier");
	CHECK(strcmp(backup_final_key(w), "hourly/" STAMP) == 0, "the final key");
	sink = backup_add(w, "dump.sql", &codec_none, 0, 1, NULL, &added);
	CHECK(sink != NULL && sink_write(sink, "hello\n", 6) == 0 && sink_commit(sink) == 0,
	      "a file written through the pipeline");
	CHECK(m.nfiles == 1 && added.file == &m.files[0], "recorded in the manifest on commit");
	CHECK(m.nfiles == 1 && m.files[0].size == 6 && m.files[0].raw_size == 6 &&
		  strcmp(m.files[0].sha256, HELLO_SHA) == 0,
	      "with its size, raw size and SHA-256");
	sink = backup_add(w, "aborted.sql", &codec_none, 0, 1, NULL, &added);
	CHECK(sink != NULL, "a second file");
	sink_abort(sink);
	CHECK(m.nfiles == 1, "an aborted file is not recorded");
	CHECK(backup_write_small(w, KEY_ROWCOUNTS, "x\n") == 0, "a small file");
	CHECK(!exists(root, "hourly/" STAMP), "nothing under the final name before the commit");
	CHECK(backup_commit(w) == 0, "commit");
	CHECK(exists(root, "hourly/" STAMP "/" KEY_MANIFEST), "the manifest under the final name");
	CHECK(exists(root, "hourly/" STAMP "/dump.sql") &&
		  exists(root, "hourly/" STAMP "/" KEY_ROWCOUNTS) &&
		  !exists(root, "hourly/" STAMP "/aborted.sql"),
	      "the files committed, and only those");
	CHECK(hidden_entries(root, "hourly") == 0, "nothing staged is left");

	/* A promotion: the file linked, a manifest of its own. */
	describe(&promoted);
	w = backup_begin(s, "daily", STAMP, &promoted);
	CHECK(w != NULL && backup_link_or_copy(w, s, "hourly", STAMP, "dump.sql") == 0,
	      "linked from the hourly backup");
	CHECK(backup_commit(w) == 0, "the promotion commits");
	CHECK(stat(strcat(strcpy(key, root), "/hourly/" STAMP "/dump.sql"), &a) == 0 &&
		  stat(strcat(strcpy(key, root), "/daily/" STAMP "/dump.sql"), &b) == 0 &&
		  a.st_ino == b.st_ino,
	      "a hard link on the local store");
	CHECK(strcmp(promoted.tier, "daily") == 0, "the promoted manifest names its tier");

	/* An abort: nothing is left, under either name. */
	w = backup_begin(s, "weekly", STAMP, &promoted);
	sink = w != NULL ? backup_add(w, "dump.sql", &codec_none, 0, 1, NULL, &added) : NULL;
	CHECK(sink != NULL && sink_write(sink, "x", 1) == 0 && sink_commit(sink) == 0,
	      "a file of a backup to abandon");
	backup_abort(w);
	CHECK(!exists(root, "weekly/" STAMP) && hidden_entries(root, "weekly") <= 0,
	      "an aborted backup leaves nothing");

	manifest_free(&m);
	manifest_free(&promoted);
	store_close(s);
	fs_remove_tree(root);
}
