/* live.c: live mode (SPEC 4.3; the `live` setting, --live).  The request
 * pool: requests through the synchronous endpoint in a small pool of
 * threads, admitted by the limiter (ratelimit.h), with the whole queue
 * cooled down after a 429 and failed tries retried.  The live send: phase
 * 2 sends a ready batch's requests through the pool and commits the
 * answers exactly like batch results: the same judge, commit, live retries
 * and dead letters, at live prices.  The batch stays ready until every
 * file is settled, so a crash resends only the files not committed yet
 * (file states decide). */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cost.h"
#include "engine_int.h"
#include "http.h"
#include "i18n.h"
#include "log.h"

/* Live answers are durable as they come (answers.c); the CSV gets them in
 * groups of this many, so the rows show up while a long send goes on. */
#define LIVE_COMMIT_GROUP 100

/* ---- the request pool ---- */

typedef struct live {
	provider *p;
	ratelimit *rl;
	const sb_request *rqs;
	const long *est;
	size_t n, next, finished;
	live_result_fn fn;
	void *ctx;
	const atomic_bool *stop; /* the engine's stop request */
	atomic_bool fatal;       /* an auth failure: every thread stops */
	sb_err err;
	pthread_mutex_t mu;
} live;

static bool stopping(live *L)
{
	return (L->stop && atomic_load(L->stop)) || atomic_load(&L->fatal);
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
	sb_result r = { .custom_id = (char *)(L->rqs[idx].custom_id ? L->rqs[idx].custom_id : ""),
			.ok = false,
			.error = (char *)why,
			.http_status = status };
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

static void *pool_thread(void *arg)
{
	live *L = arg;
	size_t idx;
	int attempts;
	while (pick(L, &idx, &attempts)) {
		long est = L->est ? L->est[idx] : 0;
		if (rl_acquire(L->rl, est, L->stop) != 0)
			break;
		sb_result r = { 0 };
		sb_err e = { 0 };
		int rc = L->p->ops->live(L->p, &L->rqs[idx], &r, &e);
		rl_done(L->rl, est, rc == 0 ? r.in_tokens + r.out_tokens : est);
		void *slot = (void *)(uintptr_t)(idx + 1);
		if (rc == 0 && (r.ok || r.http_status < 500)) {
			rl_success(L->rl);
			finish(L, idx, &r, attempts + 1);
		} else if (rc != 0 && e.code == SBE_AUTH) {
			pthread_mutex_lock(&L->mu);
			if (!L->fatal) {
				L->err = e;
				atomic_store(&L->fatal, true);
			}
			pthread_mutex_unlock(&L->mu);
		} else if (rc != 0 && e.code == SBE_RATE) {
			/* The whole queue waits; this try does not count. */
			rl_cooldown(L->rl, e.retry_after);
			sb_log(LOG_WARN, "live: rate limited, the queue waits %.1f s",
			       rl_cooldown_left(L->rl));
			if (rl_retry_push(L->rl, slot, attempts, 0) != 0)
				fail_item(L, idx, e.msg, 429, attempts);
		} else {
			const char *why = rc != 0   ? e.msg
					  : r.error ? r.error
						    : _("the request failed");
			int status = rc != 0 ? e.http_status : r.http_status;
			if (rl_retry_push(L->rl, slot, attempts + 1,
					  http_backoff_delay(attempts)) != 0)
				fail_item(L, idx, why, status, attempts + 1);
		}
		sb_result_free(&r);
	}
	return NULL;
}

int live_run(provider *p, struct ratelimit *rl, const sb_request *rqs, const long *est_tokens,
	     size_t n, live_result_fn fn, void *ctx, const atomic_bool *stop, sb_err *e)
{
	if (n == 0)
		return 0;
	live L = { .p = p,
		   .rl = rl,
		   .rqs = rqs,
		   .est = est_tokens,
		   .n = n,
		   .fn = fn,
		   .ctx = ctx,
		   .stop = stop };
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
		if (pthread_create(&th[started], NULL, pool_thread, &L) == 0)
			started++;
	if (!started)
		pool_thread(&L);
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&L.mu);
	if (L.fatal) {
		if (e)
			*e = L.err;
		return -1;
	}
	if (stop && atomic_load(stop))
		return sb_fail(e, SBE_GENERIC,
			       P_("live mode interrupted: %zu of %zu request done",
				  "live mode interrupted: %zu of %zu requests done", n),
			       L.finished, n);
	return 0;
}

/* ---- a ready batch sent live ---- */

typedef struct lctx {
	rctx *c;
	item **its; /* per request */
} lctx;

static int on_live(size_t idx, const sb_result *r, int attempts, void *ctx)
{
	lctx *l = ctx;
	rctx *c = l->c;
	item *it = l->its[idx];
	eng_answer_keep(c->en, c->b->id, r); /* durable before the next call */
	eng_paid_live(c, r->in_tokens, r->out_tokens);
	it->f->attempts = attempts;
	eng_judge(c->en, it, r);
	eng_commit_group(c, it);
	return 0;
}

/* The requests that could be built, with their estimates and items. */
typedef struct livejob {
	sb_request *rqs;
	long *est;
	item **its; /* its[0..k): the requests' items; its[k..nits): answers kept */
	size_t k, nits;
	long tokens;
	long out; /* the tokens of an answer (eng_out_tokens) */
} livejob;

static void live_requests(livejob *j, rctx *c, const built *bl, const size_t *idx, size_t m)
{
	memset(j, 0, sizeof *j);
	j->out = eng_out_tokens(c->en, c->b->provider);
	j->rqs = xcalloc(m ? m : 1, sizeof *j->rqs);
	j->est = xcalloc(m ? m : 1, sizeof *j->est);
	j->its = xcalloc(m ? m : 1, sizeof *j->its);
	for (size_t i = 0; i < m; i++) {
		if (bl[i].fail_state || c->items[idx[i]].answered)
			continue; /* an answer kept from an interrupted run is not asked again */
		j->rqs[j->k] = bl[i].rq;
		j->est[j->k] = bl[i].tokens + j->out;
		j->its[j->k] = &c->items[idx[i]];
		j->tokens += bl[i].tokens;
		j->k++;
	}
	j->nits = j->k;
	for (size_t i = 0; i < m; i++)
		if (!bl[i].fail_state && c->items[idx[i]].answered)
			j->its[j->nits++] = &c->items[idx[i]];
}

/* After the pool: an answer that failed validation gets the same live
 * retries as a batch result, the answers are committed, each item settled;
 * the batch completes when every file is. */
static int settle_live(engine *en, rctx *c, const livejob *j, double usd_est, sb_err *e)
{
	batch_info *b = c->b;
	sb_err fatal;
	sb_err_clear(&fatal);
	for (size_t i = 0; i < j->nits && !eng_stopping(en); i++)
		if (j->its[i]->failed && !eng_fstate_final(j->its[i]->f->state))
			if (eng_live_retry(en, c, j->its[i], &fatal) < 0)
				break;
	if (eng_commit_results(c, e) < 0) {
		sb_log(LOG_ERROR, _("batch %s: results not committed: %s"), b->id, e->msg);
		return -1;
	}
	/* every answer's cost is recorded already, as it came (eng_paid_live) */
	size_t failed = 0, unresolved = 0;
	for (size_t i = 0; i < j->nits; i++)
		eng_settle_item(en, b, j->its[i], false, &failed, &unresolved);
	if (fatal.code) {
		*e = fatal;
		return -1;
	}
	if (unresolved)
		return 0; /* interrupted: the batch stays ready, the rest goes next run */
	b->est_cost += usd_est;
	b->est_tokens += j->tokens;
	b->completed = time(NULL);
	store_update(en->st, b, e);
	if (store_set_state(en->st, b->id, BS_COMPLETED, _("sent live"), e) < 0)
		return -1;
	eng_write_extra(en, c, failed);
	eng_rep_add(en, &en->rep.batches_done, 1);
	sb_log(LOG_INFO,
	       P_("batch %s completed live: %zu request, %zu failed, $%.4f",
		  "batch %s completed live: %zu requests, %zu failed, $%.4f", j->nits),
	       b->id, j->nits, failed, b->actual_cost);
	return 0;
}

int eng_send_live(engine *en, batch_info *b, file_entry *files, size_t n, built *bl,
		  const size_t *idx, size_t m, sb_err *e)
{
	rctx c;
	eng_results_init(&c, en, b, files, n);
	c.group = LIVE_COMMIT_GROUP;
	eng_answers_replay(&c);
	livejob j;
	live_requests(&j, &c, bl, idx, m);
	int rc = -1;
	double usd_est = cost_usd(b->model, false, j.tokens, (long)j.k * j.out);
	if (eng_check_budget(en, b, usd_est, true, e) < 0)
		goto out;
	eng_rep_cost(en, &en->rep.est_cost, usd_est);
	store_cost_log(en->st, b->id, "estimate", usd_est, j.tokens, e);
	sb_log(LOG_INFO,
	       P_("batch %s: %zu request sent live, estimate $%.4f",
		  "batch %s: %zu requests sent live, estimate $%.4f", j.k),
	       b->id, j.k, usd_est);
	lctx l = { &c, j.its };
	sb_err fatal;
	sb_err_clear(&fatal);
	if (live_run(en->prov, en->live_rl, j.rqs, j.est, j.k, on_live, &l, &en->interrupted,
		     &fatal) < 0 &&
	    fatal.code == SBE_AUTH) {
		*e = fatal;
		eng_commit_results(&c, &fatal); /* what arrived is kept */
		goto out;
	}
	eng_rep_add(en, &en->rep.sent, j.k);
	rc = settle_live(en, &c, &j, usd_est, e);
out:
	eng_results_free(&c);
	free(j.rqs);
	free(j.est);
	free(j.its);
	return rc;
}
