#include "util/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *program_name = "tierdump";
static enum log_level threshold = LOG_INFO;
static char reason[1024];
static enum exit_code reason_code = EXIT_OK;
/* Worker threads (listing, compression) may log and fail too. */
static pthread_mutex_t reason_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_init(const char *program)
{
	const char *level = getenv("LOG_LEVEL");

	program_name = program;
	if (level != NULL && strcmp(level, "debug") == 0)
		threshold = LOG_DEBUG;
}

static void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	char stamp[32], line[2048];
	time_t now = time(NULL);
	struct tm tm;

	if (level < threshold)
		return;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	vsnprintf(line, sizeof(line), fmt, ap);
	/* One write per line, so lines of a child and ours never interleave. */
	fprintf(stderr, "%s %s %s: %s\n", stamp, level_names[level], program_name, line);
	fflush(stderr);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

void fail(enum exit_code code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pthread_mutex_lock(&reason_lock);
	if (reason_code == EXIT_OK) {
		va_list copy;

		va_copy(copy, ap);
		vsnprintf(reason, sizeof(reason), fmt, copy);
		va_end(copy);
		reason_code = code;
	}
	pthread_mutex_unlock(&reason_lock);
	log_vmsg(LOG_ERROR, fmt, ap);
	va_end(ap);
}

const char *fail_reason(void)
{
	return reason;
}

void fail_clear(void)
{
	pthread_mutex_lock(&reason_lock);
	reason[0] = '\0';
	reason_code = EXIT_OK;
	pthread_mutex_unlock(&reason_lock);
}

int fail_mark(void)
{
	int recorded;

	pthread_mutex_lock(&reason_lock);
	recorded = reason_code != EXIT_OK;
	pthread_mutex_unlock(&reason_lock);
	return recorded;
}

void fail_forget_since(int mark)
{
	if (!mark)
		fail_clear();
}

void fail_summary(enum exit_code code, const char *fmt, ...)
{
	va_list ap, copy;

	va_start(ap, fmt);
	va_copy(copy, ap);
	pthread_mutex_lock(&reason_lock);
	vsnprintf(reason, sizeof(reason), fmt, copy);
	reason_code = code;
	pthread_mutex_unlock(&reason_lock);
	va_end(copy);
	log_vmsg(LOG_ERROR, fmt, ap);
	va_end(ap);
}

enum exit_code fail_code(void)
{
	return reason_code == EXIT_OK ? EXIT_INTERNAL : reason_code;
}

static void write_termination_log(const char *path)
{
	FILE *f;

	if (path == NULL || *path == '\0')
		return;
	f = fopen(path, "w");
	if (f == NULL)
		return; /* Not in a pod, or not writable: nothing to tell. */
	fprintf(f, "%s\n", reason);
	/* Don't even check the result: we are about to exit with the real status. */
	fclose(f);
}

int log_finish(int failed, const char *termination_log)
{
	if (!failed)
		return EXIT_OK;
	if (reason_code == EXIT_OK) {
		snprintf(reason, sizeof(reason), "failed for an unrecorded reason");
		reason_code = EXIT_INTERNAL;
	}
	fprintf(stderr, "%s: error: %s\n", program_name, reason);
	write_termination_log(termination_log);
	return reason_code;
}
