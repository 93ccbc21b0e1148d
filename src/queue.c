/* queue.c: see queue.h.  A ring of cap items; the rank policy decides
 * what goes when it is full. */
#include "config.h"
#include "queue.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

struct sbq {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned char *ring;
	size_t isz, cap, head, len;
	size_t busy; /* popped, sbq_done() not called yet */
	bool stop;
	sbq_rank_fn rank;
	sbq_free_fn item_free;
};

static unsigned char *at(sbq *q, size_t i)
{
	return q->ring + ((q->head + i) % q->cap) * q->isz;
}

sbq *sbq_new(size_t item_size, size_t cap, sbq_rank_fn rank, sbq_free_fn item_free)
{
	sbq *q = xcalloc(1, sizeof *q);
	q->isz = item_size;
	q->cap = cap ? cap : 1;
	q->ring = xcalloc(q->cap, item_size);
	q->rank = rank;
	q->item_free = item_free;
	pthread_mutex_init(&q->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&q->cv, &ca);
	pthread_condattr_destroy(&ca);
	return q;
}

void sbq_free(sbq *q)
{
	if (!q)
		return;
	for (size_t i = 0; q->item_free && i < q->len; i++)
		q->item_free(at(q, i));
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->cv);
	free(q->ring);
	free(q);
}

/* Remove item i, closing the gap (under mu). */
static void remove_at(sbq *q, size_t i)
{
	for (; i + 1 < q->len; i++)
		memcpy(at(q, i), at(q, i + 1), q->isz);
	q->len--;
}

/* Double the ring, keeping the order (under mu). */
static void grow(sbq *q)
{
	unsigned char *r = xcalloc(q->cap * 2, q->isz);
	for (size_t i = 0; i < q->len; i++)
		memcpy(r + i * q->isz, at(q, i), q->isz);
	free(q->ring);
	q->ring = r;
	q->head = 0;
	q->cap *= 2;
}

/* Make room for item in a full queue; false: the item itself is to go. */
static bool make_room(sbq *q, const void *item)
{
	if (!q->rank)
		return false;
	size_t victim = 0;
	int best = 0;
	for (size_t i = 0; i < q->len; i++) {
		int r = q->rank(at(q, i));
		if (r > best) {
			best = r;
			victim = i;
		}
	}
	int mine = q->rank(item);
	if (best > 0 && best >= mine) {
		if (q->item_free)
			q->item_free(at(q, victim));
		remove_at(q, victim);
		return true;
	}
	if (mine > 0)
		return false;
	grow(q);
	return true;
}

static size_t push(sbq *q, const void *item, bool front)
{
	pthread_mutex_lock(&q->mu);
	size_t n = 0;
	if (!q->stop && (q->len < q->cap || make_room(q, item))) {
		if (front) {
			q->head = (q->head + q->cap - 1) % q->cap;
			memcpy(at(q, 0), item, q->isz);
		} else {
			memcpy(at(q, q->len), item, q->isz);
		}
		n = ++q->len;
		pthread_cond_broadcast(&q->cv);
	}
	pthread_mutex_unlock(&q->mu);
	return n;
}

size_t sbq_push(sbq *q, const void *item)
{
	return push(q, item, false);
}

size_t sbq_push_front(sbq *q, const void *item)
{
	return push(q, item, true);
}

int sbq_pop(sbq *q, void *out, int timeout_ms)
{
	struct timespec until;
	if (timeout_ms > 0) {
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += timeout_ms / 1000;
		until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock(&q->mu);
	int rc = 0;
	while (!q->len && !q->stop && timeout_ms != 0 && rc == 0) {
		if (timeout_ms < 0)
			pthread_cond_wait(&q->cv, &q->mu);
		else if (pthread_cond_timedwait(&q->cv, &q->mu, &until) == ETIMEDOUT)
			rc = -2;
	}
	if (q->len) {
		memcpy(out, at(q, 0), q->isz);
		q->head = (q->head + 1) % q->cap;
		q->len--;
		q->busy++;
		rc = 1;
	} else {
		rc = q->stop ? -1 : 0;
	}
	pthread_mutex_unlock(&q->mu);
	return rc;
}

void sbq_done(sbq *q)
{
	pthread_mutex_lock(&q->mu);
	if (q->busy)
		q->busy--;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

void sbq_wait_idle(sbq *q)
{
	pthread_mutex_lock(&q->mu);
	while (q->len || q->busy)
		pthread_cond_wait(&q->cv, &q->mu);
	pthread_mutex_unlock(&q->mu);
}

bool sbq_take_if(sbq *q, bool (*match)(const void *item, void *ctx), void *ctx, void *out)
{
	pthread_mutex_lock(&q->mu);
	bool found = false;
	for (size_t i = 0; i < q->len && !found; i++) {
		if (!match(at(q, i), ctx))
			continue;
		if (out)
			memcpy(out, at(q, i), q->isz);
		else if (q->item_free)
			q->item_free(at(q, i));
		remove_at(q, i);
		found = true;
	}
	pthread_mutex_unlock(&q->mu);
	return found;
}

bool sbq_contains(sbq *q, bool (*match)(const void *item, void *ctx), void *ctx)
{
	pthread_mutex_lock(&q->mu);
	bool found = false;
	for (size_t i = 0; i < q->len && !found; i++)
		found = match(at(q, i), ctx);
	pthread_mutex_unlock(&q->mu);
	return found;
}

void sbq_stop(sbq *q)
{
	pthread_mutex_lock(&q->mu);
	q->stop = true;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

bool sbq_stopped(sbq *q)
{
	pthread_mutex_lock(&q->mu);
	bool s = q->stop;
	pthread_mutex_unlock(&q->mu);
	return s;
}

size_t sbq_len(sbq *q)
{
	pthread_mutex_lock(&q->mu);
	size_t n = q->len;
	pthread_mutex_unlock(&q->mu);
	return n;
}
