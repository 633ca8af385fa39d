#include "compress/blockpool.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

enum block_state { BLOCK_FREE, BLOCK_FILLING, BLOCK_QUEUED, BLOCK_BUSY, BLOCK_DONE, BLOCK_FAILED };

struct block {
	unsigned char *in, *out;
	size_t in_len, out_len;
	uint64_t seq;
	enum block_state state;
};

struct pool {
	struct sink base;
	const struct block_codec *bc;
	struct sink *inner;
	char label[128];
	int level;
	size_t out_cap;
	pthread_mutex_t lock;
	pthread_cond_t work; /* a block was queued, or stop was set */
	pthread_cond_t done; /* a block was compressed */
	struct block *blocks;
	size_t nblocks;
	struct block *filling; /* owned by the writer thread, not yet queued */
	uint64_t next_seq;     /* given to the next queued block */
	uint64_t next_out;     /* the block to write out next */
	pthread_t *threads;
	int nthreads;
	int stop;
};

/* The queued block that came first; called with the lock held. */
static struct block *oldest_queued(struct pool *p)
{
	struct block *oldest = NULL;

	for (size_t i = 0; i < p->nblocks; i++) {
		struct block *b = &p->blocks[i];

		if (b->state == BLOCK_QUEUED && (oldest == NULL || b->seq < oldest->seq))
			oldest = b;
	}
	return oldest;
}

static void *worker(void *arg)
{
	struct pool *p = arg;
	void *state = p->bc->state_new(p->level);

	pthread_mutex_lock(&p->lock);
	for (;;) {
		struct block *b;
		size_t n;

		while (!p->stop && (b = oldest_queued(p)) == NULL)
			pthread_cond_wait(&p->work, &p->lock);
		if (p->stop)
			break;
		b->state = BLOCK_BUSY;
		pthread_mutex_unlock(&p->lock);
		n = state ? p->bc->compress(state, b->in, b->in_len, b->out, p->out_cap) : 0;
		pthread_mutex_lock(&p->lock);
		b->out_len = n;
		b->state = n > 0 ? BLOCK_DONE : BLOCK_FAILED;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->lock);
	if (state != NULL)
		p->bc->state_free(state);
	return NULL;
}

/* The submitted block with sequence number seq, or NULL; lock held. */
static struct block *block_numbered(struct pool *p, uint64_t seq)
{
	for (size_t i = 0; i < p->nblocks; i++) {
		enum block_state st = p->blocks[i].state;

		if (p->blocks[i].seq == seq && st != BLOCK_FREE && st != BLOCK_FILLING)
			return &p->blocks[i];
	}
	return NULL;
}

/*
 * Writes out finished blocks in order. With wait, waits for the next one to
 * finish when it has not yet. Runs on the writer's thread only.
 */
static int write_ready(struct pool *p, int wait)
{
	for (;;) {
		enum block_state st = BLOCK_FREE;
		struct block *b;
		int rc = 0;

		pthread_mutex_lock(&p->lock);
		b = p->next_out < p->next_seq ? block_numbered(p, p->next_out) : NULL;
		while (b != NULL && wait && (b->state == BLOCK_QUEUED || b->state == BLOCK_BUSY))
			pthread_cond_wait(&p->done, &p->lock);
		if (b != NULL)
			st = b->state;
		pthread_mutex_unlock(&p->lock);
		if (b == NULL || st == BLOCK_QUEUED || st == BLOCK_BUSY)
			return 0;
		/* Finished blocks are the writer's: no worker touches them. */
		if (st == BLOCK_FAILED) {
			fail(EXIT_INTERNAL, "compressing block %llu of %s failed",
			     (unsigned long long)b->seq, p->label);
			rc = -1;
		} else {
			rc = sink_write(p->inner, b->out, b->out_len);
		}
		pthread_mutex_lock(&p->lock);
		b->state = BLOCK_FREE;
		p->next_out++;
		pthread_mutex_unlock(&p->lock);
		if (rc < 0)
			return -1;
		wait = 0; /* one written: go on only with what is ready */
	}
}

static void submit(struct pool *p)
{
	struct block *b = p->filling;

	p->filling = NULL;
	pthread_mutex_lock(&p->lock);
	b->seq = p->next_seq++;
	b->state = BLOCK_QUEUED;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->lock);
}

/* A free block to fill, writing finished ones out until one is free. */
static int take_free(struct pool *p)
{
	for (;;) {
		pthread_mutex_lock(&p->lock);
		for (size_t i = 0; i < p->nblocks; i++) {
			if (p->blocks[i].state == BLOCK_FREE) {
				p->filling = &p->blocks[i];
				p->filling->state = BLOCK_FILLING;
				p->filling->in_len = 0;
				pthread_mutex_unlock(&p->lock);
				return 0;
			}
		}
		pthread_mutex_unlock(&p->lock);
		if (write_ready(p, 1) < 0)
			return -1;
	}
}

static int pool_write(struct sink *s, const void *buf, size_t len)
{
	struct pool *p = (struct pool *)s;
	const unsigned char *in = buf;

	while (len > 0) {
		size_t room, n;

		if (p->filling == NULL && take_free(p) < 0)
			return -1;
		room = p->bc->block_size - p->filling->in_len;
		n = len < room ? len : room;
		memcpy(p->filling->in + p->filling->in_len, in, n);
		p->filling->in_len += n;
		in += n;
		len -= n;
		if (p->filling->in_len == p->bc->block_size) {
			submit(p);
			if (write_ready(p, 0) < 0)
				return -1;
		}
	}
	return 0;
}

static void pool_free(struct pool *p)
{
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (int i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	for (size_t i = 0; i < p->nblocks; i++) {
		free(p->blocks[i].in);
		free(p->blocks[i].out);
	}
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	free(p->blocks);
	free(p->threads);
	free(p);
}

static int pool_commit(struct sink *s)
{
	struct pool *p = (struct pool *)s;
	struct sink *inner = p->inner;

	/* Even an empty stream gets one block: an empty file is not valid gzip. */
	if (p->filling == NULL && p->next_seq == 0 && take_free(p) < 0)
		goto fail;
	if (p->filling != NULL)
		submit(p);
	while (p->next_out < p->next_seq)
		if (write_ready(p, 1) < 0)
			goto fail;
	pool_free(p);
	return sink_commit(inner);
fail:
	pool_free(p);
	sink_abort(inner);
	return -1;
}

static void pool_abort(struct sink *s)
{
	struct pool *p = (struct pool *)s;
	struct sink *inner = p->inner;

	pool_free(p);
	sink_abort(inner);
}

struct sink *blockpool_sink(const struct block_codec *bc, struct sink *inner, int level,
			    int threads, const char *label)
{
	struct pool *p = calloc(1, sizeof(*p));

	if (p == NULL)
		goto fail;
	p->base.write = pool_write;
	p->base.commit = pool_commit;
	p->base.abort = pool_abort;
	p->bc = bc;
	p->inner = inner;
	p->level = level;
	p->out_cap = bc->bound(level, bc->block_size);
	snprintf(p->label, sizeof(p->label), "%s", label);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	/* One filling, one per worker, one being written, and slack to even out. */
	p->nblocks = (size_t)threads * 2 + 2;
	p->blocks = calloc(p->nblocks, sizeof(*p->blocks));
	p->threads = calloc((size_t)threads, sizeof(*p->threads));
	if (p->blocks == NULL || p->threads == NULL || p->out_cap == 0)
		goto fail_pool;
	for (size_t i = 0; i < p->nblocks; i++) {
		p->blocks[i].in = malloc(bc->block_size);
		p->blocks[i].out = malloc(p->out_cap);
		if (p->blocks[i].in == NULL || p->blocks[i].out == NULL)
			goto fail_pool;
	}
	for (; p->nthreads < threads; p->nthreads++)
		if (pthread_create(&p->threads[p->nthreads], NULL, worker, p) != 0)
			goto fail_pool;
	return &p->base;
fail_pool:
	pool_free(p);
fail:
	fail(EXIT_INTERNAL, "cannot start %d compression thread(s) for %s", threads, label);
	sink_abort(inner);
	return NULL;
}
