/* live.h: the live request pool (SPEC 4.3), the engine's live mode
 * (engine/live.c).  Apart from engine_int.h so that a provider test can
 * drive the pool against the fake API without the engine. */
#ifndef SB_ENGINE_LIVE_H
#define SB_ENGINE_LIVE_H
#include "provider.h"

#include <stdatomic.h>

/* Live mode (SPEC 4.3): n requests through the synchronous endpoint, at
 * most the limiter's concurrency at a time, each admitted by the limiter
 * with its estimated tokens (est_tokens may be NULL).  A 429 cools the whole
 * queue down (retry-after honoured) and does not count as an attempt;
 * network errors, 5xx and other failed calls are retried up to the
 * limiter's max_attempts; a per-request rejection (provider_live_rejected)
 * is final.  fn gets each request's final result once (calls are
 * serialised) with the attempts made.  One thread per slot of the limiter's
 * concurrency (at most 16): its retry_cap must be at least that.  Returns 0;
 * -1 on an auth failure (stops at once, SBE_AUTH) or when *stop became true. */
struct ratelimit;
typedef int (*live_result_fn)(size_t idx, const sb_result *r, int attempts, void *ctx);
int live_run(provider *p, struct ratelimit *rl, const sb_request *rqs, const long *est_tokens,
	     size_t n, live_result_fn fn, void *ctx, const atomic_bool *stop, sb_err *e);
#endif
