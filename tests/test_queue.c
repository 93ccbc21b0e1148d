/* test_queue.c: the thread queue (queue.h): order, the rank policy of a
 * full queue (the worker's: progress first, never an error), refusal,
 * growth, stop, the idle wait, and timed waits on CLOCK_MONOTONIC. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "log.h"
#include "queue.h"
#include "timedwait_watch.h"

static void test_fifo(void **state)
{
	(void)state;
	sbq *q = sbq_new(sizeof(int), 4, NULL, NULL);
	int v, x;
	assert_int_equal(sbq_pop(q, &v, 0), 0); /* empty: no wait */
	for (x = 1; x <= 4; x++)
		assert_int_equal(sbq_push(q, &x), (size_t)x);
	x = 5;
	assert_int_equal(sbq_push(q, &x), 0); /* full, no rank: refused */
	assert_int_equal(sbq_len(q), 4);
	assert_int_equal(sbq_pop(q, &v, 0), 1);
	assert_int_equal(v, 1);
	x = 0;
	assert_int_equal(sbq_push_front(q, &x), 4);
	for (int want = 0; want <= 4; want++) {
		if (want == 1)
			continue;
		assert_int_equal(sbq_pop(q, &v, -1), 1);
		assert_int_equal(v, want);
	}
	/* stopped: what was queued still comes out, then -1 at once */
	x = 7;
	sbq_push(q, &x);
	sbq_stop(q);
	assert_true(sbq_stopped(q));
	assert_int_equal(sbq_push(q, &x), 0);
	assert_int_equal(sbq_pop(q, &v, -1), 1);
	assert_int_equal(v, 7);
	assert_int_equal(sbq_pop(q, &v, -1), -1);
	sbq_free(q);
}

static wmsg msg(wmsg_kind k, int level, int n)
{
	wmsg m;
	memset(&m, 0, sizeof m);
	m.kind = k;
	m.level = level;
	snprintf(m.text, sizeof m.text, "%d", n);
	return m;
}

/* The worker's queue when the UI does not read for a while: the errors
 * stay, progress lines go first, then log lines (it used to drop the
 * oldest message of any kind, the first error included). */
static void test_worker_policy(void **state)
{
	(void)state;
	sbq *q = sbq_new(sizeof(wmsg), 8, wmsg_drop_rank, NULL);
	wmsg m = msg(WM_ERROR, LOG_ERROR, 0);
	sbq_push(q, &m);
	m = msg(WM_LOG, LOG_INFO, 1);
	sbq_push(q, &m);
	for (int i = 0; i < 100; i++) {
		m = msg(WM_PROGRESS, LOG_INFO, 100 + i);
		assert_true(sbq_push(q, &m) > 0);
	}
	m = msg(WM_LOG, LOG_ERROR, 2);
	sbq_push(q, &m);
	m = msg(WM_BATCHES, LOG_INFO, 3);
	sbq_push(q, &m);
	assert_int_equal(sbq_len(q), 8);
	wmsg got[8];
	for (int i = 0; i < 8; i++)
		assert_int_equal(sbq_pop(q, &got[i], 0), 1);
	/* in order: the error, the log line, the 4 newest progress lines, ... */
	assert_int_equal(got[0].kind, WM_ERROR);
	assert_int_equal(got[1].kind, WM_LOG);
	assert_string_equal(got[1].text, "1");
	for (int i = 2; i < 6; i++) {
		assert_int_equal(got[i].kind, WM_PROGRESS);
		char want[16]; /* any int: gcc -O1 checks the format */
		snprintf(want, sizeof want, "%d", 196 + i - 2);
		assert_string_equal(got[i].text, want);
	}
	assert_int_equal(got[6].kind, WM_LOG);
	assert_int_equal(got[6].level, LOG_ERROR);
	assert_int_equal(got[7].kind, WM_BATCHES);
	/* no progress left to drop: a log line gives way before a refresh */
	for (int i = 0; i < 8; i++) {
		m = msg(i % 2 ? WM_LOG : WM_COST, LOG_INFO, i);
		sbq_push(q, &m);
	}
	m = msg(WM_ERROR, LOG_ERROR, 9);
	sbq_push(q, &m);
	assert_int_equal(sbq_len(q), 8);
	int logs = 0, errors = 0;
	while (sbq_pop(q, &m, 0) == 1) {
		logs += m.kind == WM_LOG;
		errors += m.kind == WM_ERROR;
	}
	assert_int_equal(logs, 3);
	assert_int_equal(errors, 1);
	/* a progress line does not push out anything better than itself */
	for (int i = 0; i < 8; i++) {
		m = msg(WM_ERROR, LOG_ERROR, i);
		sbq_push(q, &m);
	}
	m = msg(WM_PROGRESS, LOG_INFO, 99);
	assert_int_equal(sbq_push(q, &m), 0);
	/* errors are never lost: the queue grows for them */
	for (int i = 8; i < 40; i++) {
		m = msg(WM_ERROR, LOG_ERROR, i);
		assert_true(sbq_push(q, &m) > 0);
	}
	for (int i = 0; i < 40; i++) {
		assert_int_equal(sbq_pop(q, &m, 0), 1);
		char want[16];
		snprintf(want, sizeof want, "%d", i);
		assert_string_equal(m.text, want);
	}
	sbq_free(q);
}

static int freed;
static void count_free(void *item)
{
	(void)item;
	freed++;
}
static int always(const void *item)
{
	(void)item;
	return 1;
}
static bool is_two(const void *item, void *ctx)
{
	(void)ctx;
	return *(const int *)item == 2;
}

/* A queue of one that keeps the newest (the draft writer's), freeing the
 * item it replaces; take_if and contains (the preview's dedupe). */
static void test_replace_and_take(void **state)
{
	(void)state;
	freed = 0;
	sbq *q = sbq_new(sizeof(int), 1, always, count_free);
	int x = 1, v;
	sbq_push(q, &x);
	x = 2;
	assert_int_equal(sbq_push(q, &x), 1);
	assert_int_equal(freed, 1);
	assert_true(sbq_contains(q, is_two, NULL));
	assert_true(sbq_take_if(q, is_two, NULL, &v));
	assert_int_equal(v, 2);
	assert_false(sbq_take_if(q, is_two, NULL, NULL));
	x = 3;
	sbq_push(q, &x);
	sbq_free(q); /* frees what is left */
	assert_int_equal(freed, 2);
}

typedef struct consumer {
	sbq *q;
	long sum, n;
} consumer;

static void *consume(void *arg)
{
	consumer *c = arg;
	int v;
	while (sbq_pop(c->q, &v, -1) > 0) {
		c->sum += v;
		c->n++;
		sbq_done(c->q);
	}
	return NULL;
}

/* Two threads: everything pushed arrives once; the idle wait returns only
 * when the consumer has finished the last item; the stop wakes it. */
static void test_threads(void **state)
{
	(void)state;
	consumer c = { sbq_new(sizeof(int), 16, NULL, NULL), 0, 0 };
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, consume, &c), 0);
	long want = 0;
	for (int i = 1; i <= 20000; i++) {
		while (sbq_push(c.q, &i) == 0)
			sbq_wait_idle(c.q); /* full: let it catch up */
		want += i;
	}
	sbq_wait_idle(c.q);
	assert_int_equal(c.n, 20000); /* the consumer is idle: safe to read */
	assert_int_equal(c.sum, want);
	sbq_stop(c.q);
	assert_int_equal(pthread_join(th, NULL), 0);
	sbq_free(c.q);
}

/* A timed wait runs on CLOCK_MONOTONIC, and a push ends it early. */
static void *push_later(void *arg)
{
	int x = 42;
	sbq_push(arg, &x);
	return NULL;
}

static void test_monotonic(void **state)
{
	(void)state;
	sbq *q = sbq_new(sizeof(int), 2, NULL, NULL);
	int v;
	atomic_store(&timed_waits, 0);
	atomic_store(&realtime_deadlines, 0);
	assert_int_equal(sbq_pop(q, &v, 20), 0); /* nothing comes: times out */
	assert_true(timed_waits > 0);
	assert_int_equal(realtime_deadlines, 0);
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, push_later, q), 0);
	assert_int_equal(sbq_pop(q, &v, 600000), 1); /* far deadline: the push wakes it */
	assert_int_equal(v, 42);
	pthread_join(th, NULL);
	assert_int_equal(realtime_deadlines, 0);
	sbq_free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fifo),
		cmocka_unit_test(test_worker_policy),
		cmocka_unit_test(test_replace_and_take),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_monotonic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
