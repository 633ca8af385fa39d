/* recover wal-fetch %f %p: PostgreSQL's restore_command. */
#include "cmd/cmd.h"
#include "engine/engine.h"

int cmd_wal_fetch(const struct config *c, struct store *s, struct report *r, char *const *operands)
{
	struct engine_options o;

	(void)r;
	engine_options_from(c, &o);
	return engine_archive_fetch(&o, s, operands[0], operands[1]);
}
