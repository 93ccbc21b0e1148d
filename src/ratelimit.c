/* ratelimit.c: token buckets, concurrency cap, 429 cool-down and retry
 * queue for live mode (see ratelimit.h). */
#include "config.h"
#include "ratelimit.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

typedef struct bucket {
	double cap, level, rate; /* rate: units per second; cap 0 = unlimited */
} bucket;

typedef struct rl_entry {
	void *item;
	int attempts;
	double not_before;
} rl_entry;

struct ratelimit {
	pthread_mutex_t mu;
	double (*clock)(void *);
	void *clock_ctx;
	double last;
	bucket req, tok;
	int concurrency, in_flight;
	double cool_until, cool_next;
	rl_entry *q;
	size_t qlen, qcap;
	int max_attempts;
};

static double real_clock(void *ctx)
{
	(void)ctx;
	return now_mono();
}

ratelimit *rl_new(int rpm, long tpm, int concurrency, size_t retry_cap, int max_attempts)
{
	ratelimit *rl = xcalloc(1, sizeof *rl);
	pthread_mutex_init(&rl->mu, NULL);
	rl->clock = real_clock;
	/* A full minute's worth may burst at start, then the steady rate. */
	rl->req = (bucket){ rpm > 0 ? rpm : 0, rpm > 0 ? rpm : 0, rpm > 0 ? rpm / 60.0 : 0 };
	rl->tok = (bucket){ tpm > 0 ? (double)tpm : 0, tpm > 0 ? (double)tpm : 0,
			    tpm > 0 ? tpm / 60.0 : 0 };
	rl->concurrency = concurrency > 0 ? concurrency : 0;
	rl->qcap = retry_cap;
	rl->q = xcalloc(retry_cap ? retry_cap : 1, sizeof *rl->q);
	rl->max_attempts = max_attempts > 0 ? max_attempts : 3;
	rl->last = rl->clock(NULL);
	return rl;
}

void rl_free(ratelimit *rl)
{
	if (!rl)
		return;
	pthread_mutex_destroy(&rl->mu);
	free(rl->q);
	free(rl);
}

void rl_set_clock(ratelimit *rl, double (*clock)(void *ctx), void *ctx)
{
	pthread_mutex_lock(&rl->mu);
	rl->clock = clock ? clock : real_clock;
	rl->clock_ctx = ctx;
	rl->last = rl->clock(ctx);
	pthread_mutex_unlock(&rl->mu);
}

static void refill(ratelimit *rl, double now)
{
	double dt = now - rl->last;
	if (dt <= 0)
		return;
	rl->last = now;
	bucket *bs[] = { &rl->req, &rl->tok };
	for (int i = 0; i < 2; i++)
		if (bs[i]->cap > 0)
			bs[i]->level = fmin(bs[i]->cap, bs[i]->level + dt * bs[i]->rate);
}

/* Seconds until the bucket holds `need` (capped at its size, so a request
 * bigger than a minute's budget waits for a full bucket, then goes). */
static double bucket_wait(const bucket *b, double need)
{
	if (b->cap <= 0)
		return 0;
	if (need > b->cap)
		need = b->cap;
	return b->level >= need ? 0 : (need - b->level) / b->rate;
}

double rl_try_acquire(ratelimit *rl, long tokens)
{
	pthread_mutex_lock(&rl->mu);
	double now = rl->clock(rl->clock_ctx);
	refill(rl, now);
	double w = 0;
	if (rl->cool_until > now)
		w = rl->cool_until - now;
	w = fmax(w, bucket_wait(&rl->req, 1));
	w = fmax(w, bucket_wait(&rl->tok, (double)(tokens > 0 ? tokens : 0)));
	if (w == 0 && rl->concurrency && rl->in_flight >= rl->concurrency)
		w = 0.05; /* a slot frees when a request ends: look again soon */
	if (w == 0) {
		if (rl->req.cap > 0)
			rl->req.level -= 1;
		if (rl->tok.cap > 0)
			rl->tok.level -= (double)(tokens > 0 ? tokens : 0);
		rl->in_flight++;
	}
	pthread_mutex_unlock(&rl->mu);
	return w;
}

int rl_acquire(ratelimit *rl, long tokens, const atomic_bool *stop)
{
	for (;;) {
		if (stop && atomic_load(stop))
			return -1;
		double w = rl_try_acquire(rl, tokens);
		if (w == 0)
			return 0;
		/* Short naps so a stop request is seen quickly. */
		double s = fmin(w, 0.25);
		struct timespec ts = { (time_t)s, (long)((s - floor(s)) * 1e9) };
		while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
			;
	}
}

void rl_done(ratelimit *rl, long est_tokens, long actual_tokens)
{
	pthread_mutex_lock(&rl->mu);
	if (rl->in_flight > 0)
		rl->in_flight--;
	if (rl->tok.cap > 0 && actual_tokens >= 0) {
		rl->tok.level += (double)(est_tokens - actual_tokens);
		if (rl->tok.level > rl->tok.cap)
			rl->tok.level = rl->tok.cap;
	}
	pthread_mutex_unlock(&rl->mu);
}

void rl_cooldown(ratelimit *rl, double seconds)
{
	pthread_mutex_lock(&rl->mu);
	double now = rl->clock(rl->clock_ctx);
	if (seconds <= 0) {
		seconds = rl->cool_next > 0 ? rl->cool_next : 1.0;
		rl->cool_next = fmin(seconds * 2, 60.0);
	}
	if (now + seconds > rl->cool_until)
		rl->cool_until = now + seconds;
	pthread_mutex_unlock(&rl->mu);
}

void rl_success(ratelimit *rl)
{
	pthread_mutex_lock(&rl->mu);
	rl->cool_next = 0;
	pthread_mutex_unlock(&rl->mu);
}

double rl_cooldown_left(ratelimit *rl)
{
	pthread_mutex_lock(&rl->mu);
	double left = rl->cool_until - rl->clock(rl->clock_ctx);
	pthread_mutex_unlock(&rl->mu);
	return left > 0 ? left : 0;
}

int rl_in_flight(ratelimit *rl)
{
	pthread_mutex_lock(&rl->mu);
	int n = rl->in_flight;
	pthread_mutex_unlock(&rl->mu);
	return n;
}

int rl_retry_push(ratelimit *rl, void *item, int attempts, double delay)
{
	pthread_mutex_lock(&rl->mu);
	int rc = -1;
	if (attempts < rl->max_attempts && rl->qlen < rl->qcap) {
		rl->q[rl->qlen++] =
			(rl_entry){ item, attempts,
				    rl->clock(rl->clock_ctx) + (delay > 0 ? delay : 0) };
		rc = 0;
	}
	pthread_mutex_unlock(&rl->mu);
	return rc;
}

bool rl_retry_pop(ratelimit *rl, void **item, int *attempts)
{
	pthread_mutex_lock(&rl->mu);
	double now = rl->clock(rl->clock_ctx);
	bool found = false;
	/* Oldest due entry first (FIFO among the due ones). */
	for (size_t i = 0; i < rl->qlen; i++) {
		if (rl->q[i].not_before > now)
			continue;
		*item = rl->q[i].item;
		if (attempts)
			*attempts = rl->q[i].attempts;
		for (size_t j = i + 1; j < rl->qlen; j++)
			rl->q[j - 1] = rl->q[j];
		rl->qlen--;
		found = true;
		break;
	}
	pthread_mutex_unlock(&rl->mu);
	return found;
}

size_t rl_retry_len(ratelimit *rl)
{
	pthread_mutex_lock(&rl->mu);
	size_t n = rl->qlen;
	pthread_mutex_unlock(&rl->mu);
	return n;
}

int rl_concurrency(ratelimit *rl)
{
	return rl->concurrency;
}
