/* ratelimit.h: the live-mode limiter (SPEC 4.3): two token buckets
 * (requests per minute, tokens per minute) refilling continuously, a cap
 * on requests in flight, a cool-down of the whole queue after a 429
 * (honouring retry-after), and a bounded retry queue.  Thread-safe.  The
 * clock can be injected so tests run without sleeping. */
#ifndef SB_RATELIMIT_H
#define SB_RATELIMIT_H
#include <stdbool.h>
#include <stdatomic.h>
#include <stddef.h>

typedef struct ratelimit ratelimit;

/* rpm, tpm: 0 = unlimited; concurrency: 0 = unlimited; retry_cap: most
 * items waiting in the retry queue; max_attempts: tries per item in all
 * (seed 000 #12: 3). */
ratelimit *rl_new(int rpm, long tpm, int concurrency, size_t retry_cap, int max_attempts);
void rl_free(ratelimit *rl);
/* Seconds, monotonic.  Default: now_mono(). */
void rl_set_clock(ratelimit *rl, double (*clock)(void *ctx), void *ctx);

/* Start a request estimated at `tokens`: 0 when it may go now (a slot is
 * taken: call rl_done after), else the seconds to wait.  Never blocks. */
double rl_try_acquire(ratelimit *rl, long tokens);
/* Block until rl_try_acquire admits the request, or *stop becomes true
 * (returns -1).  Sleeps on the real clock. */
int rl_acquire(ratelimit *rl, long tokens, const atomic_bool *stop);
/* The request finished: frees its slot; the tokens it really used replace
 * the estimate in the tokens bucket. */
void rl_done(ratelimit *rl, long est_tokens, long actual_tokens);
/* A 429: nothing starts for `seconds` (retry-after; <= 0: 1 s, doubling
 * while 429s keep coming); a success resets the doubling. */
void rl_cooldown(ratelimit *rl, double seconds);
void rl_success(ratelimit *rl);
/* Seconds left of the cool-down (0 = none). */
double rl_cooldown_left(ratelimit *rl);
int rl_in_flight(ratelimit *rl);
int rl_concurrency(ratelimit *rl); /* the cap (0 = unlimited) */

/* Retry queue.  Push an item that failed on its `attempts`-th try, to be
 * tried again after `delay` seconds: 0, or -1 when it must be given up
 * (attempts exhausted, or the queue is full: dead-letter it). */
int rl_retry_push(ratelimit *rl, void *item, int attempts, double delay);
/* An item whose delay has passed (and its attempts so far), or false. */
bool rl_retry_pop(ratelimit *rl, void **item, int *attempts);
size_t rl_retry_len(ratelimit *rl);
#endif
