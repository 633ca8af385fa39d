#include "backup/keys.h"

#include <stdio.h>

#include "chunked/chunks.h"

char *key_backup(char *buf, const char *tier, const char *name)
{
	snprintf(buf, KEY_MAX, "%s/%s", tier, name);
	return buf;
}

char *key_backup_file(char *buf, const char *tier, const char *name, const char *file)
{
	snprintf(buf, KEY_MAX, "%s/%s/%s", tier, name, file);
	return buf;
}

char *key_wal(char *buf, const char *file, const char *suffix)
{
	snprintf(buf, KEY_MAX, KEY_WAL_AREA "/%s%s", file, suffix);
	return buf;
}

char *key_rowcounts(char *buf, const char *tier, const char *name, const struct manifest *m)
{
	if (m->format == MANIFEST_CHUNKED)
		return chunk_blob_key(buf, m->rowcounts_sha256);
	return key_backup_file(buf, tier, name,
			       m->encryption != NULL ? KEY_ROWCOUNTS_AGE : KEY_ROWCOUNTS);
}
