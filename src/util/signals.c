#include "util/signals.h"

#include <signal.h>
#include <string.h>

#include "util/log.h"

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

void signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocked read or poll must return EINTR and see the flag. */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int signals_stop_requested(void)
{
	return stop_signal;
}

int signals_check(const char *what)
{
	int sig = stop_signal;

	if (sig == 0)
		return 0;
	fail(EXIT_INTERRUPTED, "interrupted by signal %s while %s", sigabbrev_np(sig), what);
	return -1;
}
