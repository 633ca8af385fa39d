/* backup wal-push %p: PostgreSQL's archive_command. */
#include "cmd/cmd.h"
#include "engine/engine.h"

int cmd_wal_push(const struct config *c, struct store *s, struct report *r, char *const *operands)
{
	struct engine_options o;

	(void)r;
	if (conf_encryption_ready(c) < 0)
		return -1;
	engine_options_from(c, &o);
	return engine_archive_push(&o, s, operands[0]);
}
