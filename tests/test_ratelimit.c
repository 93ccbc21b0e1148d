/* test_ratelimit.c: the live-mode limiter with an injected clock: bucket
 * refill, token budget, concurrency cap, 429 cool-down, retry queue, and
 * thread safety under real threads. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdlib.h>

#include "ratelimit.h"
#include "util.h"

static double fake_now;
static double clk(void *ctx)
{
	(void)ctx;
	return fake_now;
}

static ratelimit *mk(int rpm, long tpm, int conc)
{
	fake_now = 1000;
	ratelimit *rl = rl_new(rpm, tpm, conc, 4, 3);
	rl_set_clock(rl, clk, NULL);
	return rl;
}

static void test_requests_bucket(void **state)
{
	(void)state;
	ratelimit *rl = mk(60, 0, 0);
	/* A minute's burst, then one per second. */
	for (int i = 0; i < 60; i++) {
		assert_true(rl_try_acquire(rl, 0) == 0);
		rl_done(rl, 0, 0);
	}
	double w = rl_try_acquire(rl, 0);
	assert_true(w > 0.99 && w < 1.01);
	fake_now += 0.5;
	w = rl_try_acquire(rl, 0);
	assert_true(w > 0.49 && w < 0.51);
	fake_now += 0.5;
	assert_true(rl_try_acquire(rl, 0) == 0);
	rl_done(rl, 0, 0);
	rl_free(rl);
}

static void test_tokens_bucket(void **state)
{
	(void)state;
	ratelimit *rl = mk(0, 6000, 0); /* 100 tokens/s */
	assert_true(rl_try_acquire(rl, 5000) == 0);
	double w = rl_try_acquire(rl, 2000); /* 1000 left: 10 s to get 2000 */
	assert_true(w > 9.99 && w < 10.01);
	/* The request used less than estimated: refund. */
	rl_done(rl, 5000, 4000);
	w = rl_try_acquire(rl, 2000);
	assert_true(w == 0);
	rl_done(rl, 2000, 2000);
	/* Bigger than a minute's budget: waits for a full bucket, then goes. */
	w = rl_try_acquire(rl, 100000);
	assert_true(w > 0);
	fake_now += 60;
	assert_true(rl_try_acquire(rl, 100000) == 0);
	assert_true(rl_try_acquire(rl, 1) > 0); /* the bucket is in debt */
	rl_free(rl);
}

static void test_concurrency(void **state)
{
	(void)state;
	ratelimit *rl = mk(0, 0, 2);
	assert_true(rl_try_acquire(rl, 1) == 0);
	assert_true(rl_try_acquire(rl, 1) == 0);
	assert_int_equal(rl_in_flight(rl), 2);
	assert_true(rl_try_acquire(rl, 1) > 0);
	rl_done(rl, 1, 1);
	assert_true(rl_try_acquire(rl, 1) == 0);
	rl_free(rl);
}

static void test_cooldown(void **state)
{
	(void)state;
	ratelimit *rl = mk(0, 0, 0);
	rl_cooldown(rl, 7.5); /* retry-after: 7.5 */
	double w = rl_try_acquire(rl, 1);
	assert_true(w > 7.49 && w < 7.51);
	fake_now += 7.5;
	assert_true(rl_try_acquire(rl, 1) == 0);
	rl_done(rl, 1, 1);
	/* No retry-after: 1 s, then doubling while 429s continue. */
	rl_cooldown(rl, 0);
	assert_true(rl_cooldown_left(rl) > 0.99 && rl_cooldown_left(rl) < 1.01);
	fake_now += 1;
	rl_cooldown(rl, 0);
	assert_true(rl_cooldown_left(rl) > 1.99 && rl_cooldown_left(rl) < 2.01);
	fake_now += 2;
	rl_success(rl);
	rl_cooldown(rl, 0);
	assert_true(rl_cooldown_left(rl) > 0.99 && rl_cooldown_left(rl) < 1.01);
	/* A shorter cool-down never shortens a longer one. */
	rl_cooldown(rl, 30);
	rl_cooldown(rl, 2);
	assert_true(rl_cooldown_left(rl) > 29.9);
	rl_free(rl);
}

static void test_retry_queue(void **state)
{
	(void)state;
	ratelimit *rl = mk(0, 0, 0);
	int a = 1, b = 2, c = 3;
	void *it;
	int att;
	assert_int_equal(rl_retry_push(rl, &a, 1, 5), 0);
	assert_int_equal(rl_retry_push(rl, &b, 2, 0), 0);
	assert_int_equal(rl_retry_push(rl, &c, 3, 0), -1); /* attempts exhausted: dead letter */
	assert_true(rl_retry_pop(rl, &it, &att));
	assert_ptr_equal(it, &b);
	assert_int_equal(att, 2);
	assert_false(rl_retry_pop(rl, &it, &att)); /* a not due yet */
	fake_now += 5;
	assert_true(rl_retry_pop(rl, &it, &att));
	assert_ptr_equal(it, &a);
	for (int i = 0; i < 4; i++)
		assert_int_equal(rl_retry_push(rl, &a, 1, 0), 0);
	assert_int_equal(rl_retry_push(rl, &a, 1, 0), -1); /* the cap */
	assert_int_equal(rl_retry_len(rl), 4);
	rl_free(rl);
}

/* Real threads: never more than the cap in flight, every request admitted. */
static ratelimit *shared;
static int peak, cur, done_count;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < 50; i++) {
		assert_int_equal(rl_acquire(shared, 10, NULL), 0);
		pthread_mutex_lock(&mu);
		cur++;
		if (cur > peak)
			peak = cur;
		pthread_mutex_unlock(&mu);
		struct timespec ts = {0, 200000};
		nanosleep(&ts, NULL);
		pthread_mutex_lock(&mu);
		cur--;
		done_count++;
		pthread_mutex_unlock(&mu);
		rl_done(shared, 10, 10);
	}
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	shared = rl_new(0, 0, 3, 8, 3);
	pthread_t t[8];
	for (int i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (int i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(done_count, 400);
	assert_true(peak <= 3 && peak >= 1);
	assert_int_equal(rl_in_flight(shared), 0);
	atomic_bool stop = true;
	assert_int_equal(rl_acquire(shared, 1, &stop), -1);
	rl_free(shared);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_requests_bucket), cmocka_unit_test(test_tokens_bucket),
		cmocka_unit_test(test_concurrency),     cmocka_unit_test(test_cooldown),
		cmocka_unit_test(test_retry_queue),     cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
