/*
 * recover: lists the backups of every tier, or restores one of them:
 * FROM_BACKUP=none lists, latest restores the newest, a timestamp (or a
 * prefix matching one backup) restores that one; wal-fetch is PostgreSQL's
 * restore_command. The commands are in src/cmd/table.c.
 */
#include "cmd/cmd.h"

int main(int argc, char **argv)
{
	return cmd_main("recover", argc, argv);
}
