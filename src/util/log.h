/*
 * Log lines on stderr with a UTC timestamp and a level. The first failure
 * recorded with fail() becomes the run's one-line reason, printed last and
 * written to the termination log, and its class becomes the exit status.
 */
#ifndef TIERDUMP_LOG_H
#define TIERDUMP_LOG_H

#include "util/exitcode.h"

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

#define PRINTF_LIKE(a, b) __attribute__((format(printf, a, b)))

void log_init(const char *program);
void log_msg(enum log_level level, const char *fmt, ...) PRINTF_LIKE(2, 3);
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

/* Logs an error and, if it is the run's first, remembers it as the reason. */
void fail(enum exit_code code, const char *fmt, ...) PRINTF_LIKE(2, 3);

/*
 * Like fail(), but becomes the run's reason whatever failed before: for a
 * summary whose class matters more than its cause (a mirror that failed
 * after the primary succeeded).
 */
void fail_summary(enum exit_code code, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* The exit code of the first fail(), or EXIT_INTERNAL when none was recorded. */
enum exit_code fail_code(void);

/* The run's one-line reason so far, or "" when nothing failed. */
const char *fail_reason(void);

/* Forgets the recorded failure, so that unit tests can check each failure's reason. */
void fail_clear(void);

/*
 * For code that tries something and goes on when it fails (a manifest it
 * cannot read, a key file it stores again): fail_mark() notes whether a
 * failure is recorded; fail_forget_since(mark) forgets what failed since,
 * unless one was, so that a later failure of the run is reported as itself.
 */
int fail_mark(void);
void fail_forget_since(int mark);

/*
 * Ends the run: on failure prints the reason as the last stderr line and
 * writes it to the termination log. Returns the exit status for main().
 */
int log_finish(int failed, const char *termination_log);

#endif
