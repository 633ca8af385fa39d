#include "backup/keys.h"

#include <stdio.h>

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
