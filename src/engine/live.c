/* live.c: live mode (SPEC 4.3): requests through the synchronous endpoint
 * in a small pool of threads, admitted by the limiter (ratelimit.h), with
 * the whole queue cooled down after a 429 and failed tries retried. */
#include "config.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "provider.h"
#include "ratelimit.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct live {
	provider *p;
	ratelimit *rl;
	const sb_request *rqs;
	const long *est;
	size_t n, next, finished;
	live_result_fn fn;
	void *ctx;
	volatile bool *stop;
	bool fatal;
	sb_err err;
	pthread_mutex_t mu;
} live;

static bool stopping(live *L)
{
	return (L->stop && *L->stop) || __atomic_load_n(&L->fatal, __ATOMIC_ACQUIRE);
}

static void finish(live *L, size_t idx, const sb_result *r, int attempts)
{
	pthread_mutex_lock(&L->mu);
	L->finished++;
	if (!L->fatal && L->fn)
		L->fn(idx, r, attempts, L->ctx);
	pthread_mutex_unlock(&L->mu);
}

static void fail_item(live *L, size_t idx, const char *why, int status, int attempts)
{
	sb_result r = {.custom_id = (char *)(L->rqs[idx].custom_id ? L->rqs[idx].custom_id : ""),
		       .ok = false, .error = (char *)why, .http_status = status};
	finish(L, idx, &r, attempts);
}

/* Next item: a due retry first, then a new one; false when all are done. */
static bool pick(live *L, size_t *idx, int *attempts)
{
	for (;;) {
		if (stopping(L))
			return false;
		void *it;
		if (rl_retry_pop(L->rl, &it, attempts)) {
			*idx = (size_t)(uintptr_t)it - 1;
			return true;
		}
		pthread_mutex_lock(&L->mu);
		bool got = L->next < L->n, all = L->finished >= L->n;
		if (got)
			*idx = L->next++;
		pthread_mutex_unlock(&L->mu);
		if (got) {
			*attempts = 0;
			return true;
		}
		if (all)
			return false;
		/* Others are in flight or waiting to be retried. */
		http_sleep(0.01);
	}
}

static void *worker(void *arg)
{
	live *L = arg;
	size_t idx;
	int attempts;
	while (pick(L, &idx, &attempts)) {
		long est = L->est ? L->est[idx] : 0;
		if (rl_acquire(L->rl, est, L->stop) != 0)
			break;
		sb_result r = {0};
		sb_err e = {0};
		int rc = L->p->ops->live(L->p, &L->rqs[idx], &r, &e);
		rl_done(L->rl, est, rc == 0 ? r.in_tokens + r.out_tokens : est);
		void *item = (void *)(uintptr_t)(idx + 1);
		if (rc == 0 && (r.ok || r.http_status < 500)) {
			rl_success(L->rl);
			finish(L, idx, &r, attempts + 1);
		} else if (rc != 0 && e.code == SBE_AUTH) {
			pthread_mutex_lock(&L->mu);
			if (!L->fatal) {
				L->err = e;
				__atomic_store_n(&L->fatal, true, __ATOMIC_RELEASE);
			}
			pthread_mutex_unlock(&L->mu);
		} else if (rc != 0 && e.code == SBE_RATE) {
			/* The whole queue waits; this try does not count. */
			rl_cooldown(L->rl, e.retry_after);
			sb_log(LOG_WARN, "live: rate limited, the queue waits %.1f s", rl_cooldown_left(L->rl));
			if (rl_retry_push(L->rl, item, attempts, 0) != 0)
				fail_item(L, idx, e.msg, 429, attempts);
		} else {
			const char *why = rc != 0 ? e.msg : r.error ? r.error : _("the request failed");
			int status = rc != 0 ? e.http_status : r.http_status;
			if (rl_retry_push(L->rl, item, attempts + 1, http_backoff_delay(attempts)) != 0)
				fail_item(L, idx, why, status, attempts + 1);
		}
		sb_result_free(&r);
	}
	return NULL;
}

int live_run(provider *p, struct ratelimit *rl, const sb_request *rqs, const long *est_tokens, size_t n,
	     live_result_fn fn, void *ctx, volatile bool *stop, sb_err *e)
{
	if (n == 0)
		return 0;
	live L = {.p = p, .rl = rl, .rqs = rqs, .est = est_tokens, .n = n, .fn = fn, .ctx = ctx, .stop = stop};
	pthread_mutex_init(&L.mu, NULL);
	/* One thread per slot: the limiter's cap (retry_cap must be at least this). */
	int nt = rl_concurrency(rl) > 0 ? rl_concurrency(rl) : 4;
	if (nt > 16)
		nt = 16;
	if ((size_t)nt > n)
		nt = (int)n;
	pthread_t th[16];
	int started = 0;
	for (int i = 0; i < nt; i++)
		if (pthread_create(&th[started], NULL, worker, &L) == 0)
			started++;
	if (!started)
		worker(&L);
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&L.mu);
	if (L.fatal) {
		if (e)
			*e = L.err;
		return -1;
	}
	if (stop && *stop)
		return sb_fail(e, SBE_GENERIC, _("live mode interrupted: %zu of %zu requests done"), L.finished, n);
	return 0;
}
