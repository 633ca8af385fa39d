/* recover wal-fetch %f %p: PostgreSQL's restore_command. */
#include "cmd/cmd.h"
#include "engine/postgres/wal.h"

int cmd_wal_fetch(const struct config *c, struct store *s, struct report *r, char *const *operands)
{
	(void)r;
	(void)c;
	return wal_fetch(s, operands[0], operands[1]);
}
