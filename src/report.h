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

/*
 * What one run learns for its report. The run owns it: cli_main creates it
 * before the command runs (which starts its clock), passes it down and
 * sends it at the end. Every report_* call accepts NULL and then records
 * nothing: a mirror's pruning passes NULL, so only the primary store's
 * counts are reported.
 */
struct report;

/* A new report with its clock started; NULL when out of memory. Freed by report_free(). */
struct report *report_new(void);
void report_free(struct report *r);

/* Called by the jobs as they learn it: the backup made or promoted, and its size. */
void report_backup(struct report *r, const char *stamp, uint64_t size);

/* One target's file of the backup made, for per-target metrics. */
void report_target(struct report *r, const char *target, uint64_t size);

/* The number of backups the run's tier holds after it, in the primary store. */
void report_kept(struct report *r, long count);

/* backup --check: the ages in seconds of the newest base backup and archived WAL (-1: none). */
void report_archive_ages(struct report *r, double base_age, double wal_age);

/* A hook (its setting's name) failed: in the webhook and the metrics. */
void report_hook_failed(struct report *r, const char *setting);

/* The backup made or promoted ("" when none) and its size in bytes, for the hooks. */
const char *report_stamp(const struct report *r);
uint64_t report_size(const struct report *r);

/* Sends everything; status is the run's exit status. Accepts a NULL report (sends nothing). */
void report_finish(const struct report *r, const struct config *c, const char *program, int status);

#endif
