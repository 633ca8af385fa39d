/* backup wal-push %p: PostgreSQL's archive_command. */
#include "cmd/cmd.h"
#include "engine/postgres/wal.h"

int cmd_wal_push(const struct config *c, struct store *s, struct report *r, char *const *operands)
{
	(void)r;
	return wal_push(c, s, operands[0]);
}
