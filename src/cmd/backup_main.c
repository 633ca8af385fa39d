/*
 * backup: one run of one tier. The hourly tier dumps the database; daily,
 * weekly and monthly promote the newest backup of the tier below. Also:
 * --verify (a test-restore), --check (the WAL archive's ages) and
 * wal-push, PostgreSQL's archive_command. The commands are in src/cmd/table.c.
 */
#include "cmd/cmd.h"

int main(int argc, char **argv)
{
	return cmd_main("backup", argc, argv);
}
