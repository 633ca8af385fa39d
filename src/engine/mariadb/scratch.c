#include "engine/mariadb/scratch.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "util/log.h"

enum { START_SECONDS = 120 };

int my_scratch_start(struct scratch *s, const char *parent, const char *user, const char *version)
{
	char install[PATH_MAX], mariadbd[PATH_MAX], datadir[PATH_MAX + 16], socket[PATH_MAX + 16];
	char pidfile[PATH_MAX + 16], log[PATH_MAX + 8];

	(void)version; /* one mariadbd: whichever is installed */
	memset(s, 0, sizeof(*s));
	if (scratch_find_program("mariadb-install-db", install, sizeof(install)) < 0 ||
	    scratch_find_program("mariadbd", mariadbd, sizeof(mariadbd)) < 0) {
		fail(EXIT_CONFIG, "no MariaDB server binaries (mariadbd, mariadb-install-db) to "
				  "verify with: install mariadb-server");
		return -1;
	}
	/* SIGTERM is mariadbd's clean shutdown. */
	if (scratch_prepare(s, "MariaDB", SIGTERM, parent, user) < 0)
		return -1;
	snprintf(datadir, sizeof(datadir), "--datadir=%s/data", s->dir);
	snprintf(socket, sizeof(socket), "--socket=%s/sock", s->dir);
	snprintf(pidfile, sizeof(pidfile), "--pid-file=%s/pid", s->dir);
	snprintf(log, sizeof(log), "%s/log", s->dir);
	log_info("starting a throwaway MariaDB in %s", s->dir);
	{
		/*
		 * --no-defaults: no my.cnf of the host steers it. root has no
		 * password, which is safe only because nothing but the socket in
		 * our private directory reaches the server.
		 */
		const char *install_argv[] = {
		    install,	      "--no-defaults",
		    datadir,	      "--auth-root-authentication-method=normal",
		    "--skip-test-db", NULL};
		/* Durability is pointless here: the server is thrown away. Events must not run. */
		const char *server_argv[] = {mariadbd,
					     "--no-defaults",
					     datadir,
					     socket,
					     pidfile,
					     "--skip-networking",
					     "--event-scheduler=OFF",
					     "--innodb-flush-log-at-trx-commit=0",
					     "--innodb-doublewrite=0",
					     "--skip-log-bin",
					     NULL};

		if (scratch_run(s, install_argv) < 0 ||
		    scratch_spawn(s, server_argv, log, socket + strlen("--socket="),
				  START_SECONDS) < 0)
			return -1;
	}
	s->target.name = strdup("");
	s->target.engine = strdup("mariadb");
	s->target.host =
	    strdup(socket + strlen("--socket=")); /* a path: the engine uses the socket */
	s->target.user = strdup("root");
	return 0;
}

const struct engine_test_ops my_test_ops = {
    .title = "MariaDB",
    .user = "mysql",
    .start = my_scratch_start,
};
