/*
 * SIGTERM and SIGINT only set a flag: long loops check it and unwind through
 * their normal cleanup, so a stopped run removes what it half-wrote.
 */
#ifndef TIERDUMP_SIGNALS_H
#define TIERDUMP_SIGNALS_H

void signals_install(void);

/* The signal that asked us to stop, or 0. */
int signals_stop_requested(void);

/* Returns 0, or -1 after fail() when a stop was asked for while doing what. */
int signals_check(const char *what);

#endif
