/*
 * What a run tells the outside world when it ends: a JSON webhook (Slack,
 * Mattermost and Rocket.Chat show its `text` as is) and Prometheus metrics,
 * as a node-exporter textfile and pushed to a Pushgateway. A failure to
 * report is logged and never changes the run's exit status.
 */
#ifndef TIERDUMP_REPORT_H
#define TIERDUMP_REPORT_H

#include <stdint.h>

#include "conf.h"

/* Called by the jobs as they learn it: the backup made or promoted, and its size. */
void report_backup(const char *stamp, uint64_t size);

/* One target's file of the backup made, for per-target metrics. */
void report_target(const char *target, uint64_t size);

/* The number of backups the run's tier holds after it. */
void report_kept(long count);

/* backup --check: the ages in seconds of the newest base backup and archived WAL (-1: none). */
void report_archive_ages(double base_age, double wal_age);

/* Sends everything; status is the run's exit status. */
void report_finish(const struct config *c, const char *program, int status);

#endif
