#include "report.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/http.h"
#include "util/json.h"
#include "util/log.h"

enum { MAX_TARGETS = 64 };

struct report {
	char stamp[32];
	uint64_t size;
	long kept;
	struct timespec began;
	struct {
		char name[64];
		uint64_t size;
	} targets[MAX_TARGETS];
	int ntargets;
	double base_age, wal_age; /* --check: seconds, -1 when unknown */
	char hook_failed[32];	  /* the setting of the first hook that failed */
};

struct report *report_new(void)
{
	struct report *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->kept = -1;
	r->base_age = -1;
	r->wal_age = -1;
	clock_gettime(CLOCK_MONOTONIC, &r->began);
	return r;
}

void report_free(struct report *r)
{
	free(r);
}

void report_backup(struct report *r, const char *stamp, uint64_t size)
{
	if (r == NULL)
		return;
	snprintf(r->stamp, sizeof(r->stamp), "%s", stamp);
	r->size = size;
}

void report_hook_failed(struct report *r, const char *setting)
{
	if (r != NULL && r->hook_failed[0] == '\0')
		snprintf(r->hook_failed, sizeof(r->hook_failed), "%s", setting);
}

const char *report_stamp(const struct report *r)
{
	return r != NULL ? r->stamp : "";
}

uint64_t report_size(const struct report *r)
{
	return r != NULL ? r->size : 0;
}

void report_target(struct report *r, const char *target, uint64_t size)
{
	if (r == NULL || r->ntargets == MAX_TARGETS)
		return;
	snprintf(r->targets[r->ntargets].name, sizeof(r->targets[0].name), "%s", target);
	r->targets[r->ntargets++].size = size;
}

/* Whether a listed target produced its file in this run. */
static const uint64_t *target_bytes(const struct report *r, const char *name)
{
	for (int i = 0; i < r->ntargets; i++)
		if (strcmp(r->targets[i].name, name) == 0)
			return &r->targets[i].size;
	return NULL;
}

void report_kept(struct report *r, long count)
{
	if (r != NULL)
		r->kept = count;
}

void report_archive_ages(struct report *r, double base_age, double wal_age)
{
	if (r == NULL)
		return;
	r->base_age = base_age;
	r->wal_age = wal_age;
}

static double elapsed(const struct report *r)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - r->began.tv_sec) + (now.tv_nsec - r->began.tv_nsec) / 1e9;
}

/* What the run was: its tier, or what recover did. */
static const char *what(const struct config *c, const char *program)
{
	if (strcmp(program, "recover") == 0)
		return c->from_backup && strcmp(c->from_backup, "none") ? "restore" : "list";
	return c->verify ? "verify" : c->check ? "check" : c->tier;
}

static char *webhook_body(const struct report *r, const struct config *c, const char *program,
			  int status, double took)
{
	const char *env = c->environment_friendly ? c->environment_friendly
			  : c->environment	  ? c->environment
						  : "";
	char text[1024];
	char *body = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&body, &len);

	if (out == NULL)
		return NULL;
	if (status == 0)
		snprintf(text, sizeof(text), "%s%s%stierdump %s succeeded%s%s (%.1f MiB in %.0f s)",
			 *env ? "[" : "", env, *env ? "] " : "", what(c, program),
			 r->stamp[0] ? ": " : "", r->stamp, r->size / 1048576.0, took);
	else
		snprintf(text, sizeof(text), "%s%s%stierdump %s FAILED (exit %d): %s",
			 *env ? "[" : "", env, *env ? "] " : "", what(c, program), status,
			 fail_reason());
	fputs("{\"text\": ", out);
	json_string(out, text);
	fputs(", \"program\": ", out);
	json_string(out, program);
	fputs(", \"tier\": ", out);
	json_string(out, what(c, program));
	fprintf(out, ", \"status\": \"%s\", \"exit_status\": %d",
		status == 0 ? "success" : "failure", status);
	fputs(", \"timestamp\": ", out);
	json_string(out, r->stamp);
	fprintf(out, ", \"size\": %llu, \"duration_seconds\": %.3f", (unsigned long long)r->size,
		took);
	fputs(", \"targets\": [", out);
	for (size_t i = 0; i < c->ntargets; i++) {
		fputs(i ? ", " : "", out);
		json_string(out, *c->targets[i].name ? c->targets[i].name : c->targets[i].engine);
	}
	fputs("], \"error\": ", out);
	json_string(out, status == 0 ? "" : fail_reason());
	fputs(", \"hook_failed\": ", out);
	json_string(out, r->hook_failed);
	fputs(", \"environment\": ", out);
	json_string(out, c->environment);
	fputs(", \"environment_friendly_name\": ", out);
	json_string(out, c->environment_friendly);
	fputs("}\n", out);
	if (fclose(out) != 0) {
		free(body);
		return NULL;
	}
	return body;
}

static void send_webhook(const struct report *r, const struct config *c, const char *program,
			 int status, double took)
{
	char *body;
	long code;

	if (c->webhook_url == NULL || (status == 0 && strcmp(c->webhook_on, "failure") == 0))
		return;
	body = webhook_body(r, c, program, status, took);
	if (body == NULL)
		return;
	code = http_send("POST", c->webhook_url, c->webhook_url, "application/json", body, 15);
	if (code / 100 != 2)
		log_warn("the webhook was not accepted (HTTP %ld): the run's result stands", code);
	free(body);
}

/* The metrics of this run, one sample per line, labelled by tier. */
static char *metrics_text(const struct report *r, const struct config *c, const char *program,
			  int status, double took)
{
	const char *tier = what(c, program);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	time_t now = time(NULL);

	if (out == NULL)
		return NULL;
	fprintf(out, "tierdump_last_attempt_timestamp_seconds{tier=\"%s\"} %lld\n", tier,
		(long long)now);
	fprintf(out, "tierdump_last_status{tier=\"%s\"} %d\n", tier, status);
	fprintf(out, "tierdump_last_duration_seconds{tier=\"%s\"} %.3f\n", tier, took);
	if (c->hook_before != NULL || c->hook_after != NULL || c->hook_failure != NULL)
		fprintf(out, "tierdump_hook_failed{tier=\"%s\"} %d\n", tier,
			r->hook_failed[0] != '\0');
	if (status == 0) {
		fprintf(out, "tierdump_last_success_timestamp_seconds{tier=\"%s\"} %lld\n", tier,
			(long long)now);
		fprintf(out, "tierdump_last_backup_bytes{tier=\"%s\"} %llu\n", tier,
			(unsigned long long)r->size);
		if (r->kept >= 0)
			fprintf(out, "tierdump_backups_kept{tier=\"%s\"} %ld\n", tier, r->kept);
	}
	/* --check: how old the newest base backup and archived WAL are, whatever the verdict. */
	if (r->base_age >= 0)
		fprintf(out, "tierdump_base_backup_age_seconds{tier=\"%s\"} %.0f\n", tier,
			r->base_age);
	if (r->wal_age >= 0)
		fprintf(out, "tierdump_wal_archive_age_seconds{tier=\"%s\"} %.0f\n", tier,
			r->wal_age);
	/* Per target, when the configuration lists them: did its dump make it in? */
	for (size_t i = 0; c->targets_listed && strcmp(tier, "hourly") == 0 && i < c->ntargets;
	     i++) {
		const char *name = c->targets[i].name;
		const uint64_t *bytes = target_bytes(r, name);

		fprintf(out, "tierdump_target_last_status{tier=\"%s\",target=\"%s\"} %d\n", tier,
			name, bytes ? 0 : 1);
		if (bytes != NULL) {
			fprintf(out,
				"tierdump_target_last_success_timestamp_seconds{tier=\"%s\",target="
				"\"%s\"} %lld\n",
				tier, name, (long long)now);
			fprintf(
			    out,
			    "tierdump_target_last_backup_bytes{tier=\"%s\",target=\"%s\"} %llu\n",
			    tier, name, (unsigned long long)*bytes);
		}
	}
	fclose(out);
	return text;
}

/*
 * Rewrites the textfile atomically: this tier's lines replaced, other
 * tiers' kept (and a failed run keeps the last success's lines).
 */
static void write_metrics_file(const char *path, const char *tier, const char *fresh, int status)
{
	char label[96], tmp[4096], *old = fs_read_small_file(path), *line, *save = NULL;
	FILE *out;

	snprintf(label, sizeof(label), "{tier=\"%s\"", tier);
	snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", path, (long)getpid());
	out = fopen(tmp, "w");
	if (out == NULL) {
		log_warn("cannot write METRICS_FILE %s: %s", path, strerror(errno));
		free(old);
		return;
	}
	fputs("# tierdump metrics (node-exporter textfile)\n", out);
	for (line = old ? strtok_r(old, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		int mine = strstr(line, label) != NULL;
		int success_line = strstr(line, "last_success") || strstr(line, "backup_bytes") ||
				   strstr(line, "backups_kept");

		if (line[0] == '#' || (mine && (status == 0 || !success_line)))
			continue;
		fprintf(out, "%s\n", line);
	}
	fputs(fresh, out);
	if (fclose(out) != 0 || rename(tmp, path) != 0) {
		log_warn("cannot write METRICS_FILE %s: %s", path, strerror(errno));
		unlink(tmp);
	}
	free(old);
}

static void push_metrics(const char *url, const char *tier, const char *text)
{
	char target[2048];
	long code;

	snprintf(target, sizeof(target), "%s/metrics/job/tierdump/tier/%s", url, tier);
	code = http_send("PUT", target, target, "text/plain; version=0.0.4", text, 15);
	if (code / 100 != 2)
		log_warn("the Pushgateway did not take the metrics (HTTP %ld)", code);
}

void report_finish(const struct report *r, const struct config *c, const char *program, int status)
{
	double took;
	char *metrics;

	if (r == NULL ||
	    (c->webhook_url == NULL && c->metrics_file == NULL && c->pushgateway_url == NULL))
		return;
	took = elapsed(r);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	send_webhook(r, c, program, status, took);
	metrics = metrics_text(r, c, program, status, took);
	if (metrics != NULL && c->metrics_file != NULL)
		write_metrics_file(c->metrics_file, what(c, program), metrics, status);
	if (metrics != NULL && c->pushgateway_url != NULL)
		push_metrics(c->pushgateway_url, what(c, program), metrics);
	free(metrics);
}
