/*
 * Health-check pings by the healthchecks.io convention (Uptime Kuma's push
 * monitors and others take the same): URL/start as a run starts, URL when it
 * succeeds, URL/fail with the reason as the body when it fails. A ping that
 * does not get through is logged and never changes the run's result.
 */
#ifndef TIERDUMP_PING_H
#define TIERDUMP_PING_H

/* PING_URL/start; nothing when url is NULL or empty. */
void ping_start(const char *url);

/* PING_URL on success (status 0), else PING_URL/fail with reason as the body. */
void ping_finish(const char *url, int status, const char *reason);

#endif
