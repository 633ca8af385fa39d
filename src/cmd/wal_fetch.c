/* recover wal-fetch %f %p: PostgreSQL's restore_command. */
#include "cmd/cmd.h"
#include "engine/engine.h"

int cmd_wal_fetch(const struct config *c, struct store *s, struct report *r, char *const *operands)
{
	(void)c;
	(void)r;
	return engine_archive_fetch(s, operands[0], operands[1]);
}
