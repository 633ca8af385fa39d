/* Writer and collector markers (see markers.h). */
#include "chunked/markers.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"
#include "util/signals.h"

#define WRITERS CHUNKS_AREA "/writers"
#define COLLECTORS CHUNKS_AREA "/gc"

static void host_name(char *buf, size_t len)
{
	if (gethostname(buf, len) < 0)
		snprintf(buf, len, "unknown");
	buf[len - 1] = '\0';
	/* The name is part of a key: keep it to characters every store takes. */
	for (char *p = buf; *p; p++)
		if (*p == '/' || *p == ' ')
			*p = '_';
}

static int marker_write(struct store *s, const char *area, const char *what, struct chunk_marker *m)
{
	char host[128], text[512];
	time_t now = time(NULL);

	host_name(host, sizeof(host));
	snprintf(m->key, sizeof(m->key), "%s/%lld-%s-%ld", area, (long long)now, host,
		 (long)getpid());
	snprintf(text, sizeof(text), "tierdump %s, started %lld on %s, process %ld\n", what,
		 (long long)now, host, (long)getpid());
	return store_write_small(s, m->key, text);
}

/* The live markers of one area, other than own. */
struct scan {
	struct store *s;
	const char *area;
	const char *own;
	long stale;
	int live;
	char first[CHUNK_KEY_MAX];
	long long first_age;
};

static int on_marker(const char *name, int is_dir, long long size, void *arg)
{
	struct scan *sc = arg;
	char host[128], key[CHUNK_KEY_MAX], *end, *dash;
	long long started, age;
	long pid;

	(void)size;
	snprintf(key, sizeof(key), "%s/%s", sc->area, name);
	if (is_dir || strcmp(key, sc->own) == 0)
		return 0;
	started = strtoll(name, &end, 10);
	dash = *end == '-' ? strrchr(end + 1, '-') : NULL;
	age = (long long)time(NULL) - started;
	if (dash == NULL) {
		log_warn("%s is not a tierdump marker: ignored", key);
		return 0;
	}
	pid = strtol(dash + 1, NULL, 10);
	host_name(host, sizeof(host));
	/* Here and its process gone: killed, certainly dead. */
	if ((size_t)(dash - end - 1) == strlen(host) && strncmp(end + 1, host, strlen(host)) == 0 &&
	    pid > 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH) {
		log_info("removing %s: its run on this host is gone", key);
		store_remove(sc->s, key);
		return 0;
	}
	if (age > sc->stale) {
		log_warn("%s is %lld s old: its run is taken to have died, and its marker removed",
			 key, age);
		store_remove(sc->s, key);
		return 0;
	}
	if (sc->live++ == 0) {
		snprintf(sc->first, sizeof(sc->first), "%s", key);
		sc->first_age = age;
	}
	return 0;
}

static int scan_live(struct store *s, const char *area, const char *own, long stale,
		     struct scan *sc)
{
	*sc = (struct scan){s, area, own, stale, 0, "", 0};
	return store_list(s, area, on_marker, sc);
}

int marker_writer_begin(struct store *s, long timeout, struct chunk_marker *m)
{
	time_t began = time(NULL);
	struct scan sc;

	if (marker_write(s, WRITERS, "backup writer", m) < 0)
		return -1;
	for (;;) {
		if (scan_live(s, COLLECTORS, "", GC_STALE, &sc) < 0)
			break;
		if (sc.live == 0)
			return 0;
		if (time(NULL) - began >= timeout) {
			fail(EXIT_STORE,
			     "%s: a garbage collection (%s) has been running for %lld s, longer "
			     "than "
			     "BACKUP_LOCK_TIMEOUT: wait for it, or, when none runs, remove %s",
			     store_name(s), sc.first, sc.first_age, sc.first);
			break;
		}
		if (time(NULL) == began)
			log_info("waiting for the garbage collection %s to end", sc.first);
		if (signals_check("waiting for a garbage collection") < 0)
			break;
		sleep(1);
	}
	marker_end(s, m);
	return -1;
}

int marker_gc_begin(struct store *s, struct chunk_marker *m, int *writers)
{
	struct scan sc;

	if (marker_write(s, COLLECTORS, "garbage collection", m) < 0)
		return -1;
	if (scan_live(s, WRITERS, "", WRITER_STALE, &sc) < 0) {
		marker_end(s, m);
		return -1;
	}
	*writers = sc.live;
	if (sc.live > 0)
		log_info("%d backup(s) are writing to %s (%s, %lld s ago): deleting no chunk this "
			 "time",
			 sc.live, store_name(s), sc.first, sc.first_age);
	return 0;
}

void marker_end(struct store *s, struct chunk_marker *m)
{
	if (m->key[0] != '\0')
		store_remove(s, m->key);
	m->key[0] = '\0';
}
