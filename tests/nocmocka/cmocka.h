/* tests/nocmocka/cmocka.h: stands in for <cmocka.h> when configure did not
 * find cmocka (a test-only dependency).  The unit tests still compile against
 * it, so new ones need nothing special, but they do not run: main()'s
 * cmocka_run_group_tests() says why and exits 77, which `make check` counts
 * as SKIP.  Covers the part of the cmocka API that tests/ uses. */
#ifndef SB_NOCMOCKA_H
#define SB_NOCMOCKA_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

typedef void (*CMUnitTestFunction)(void **state);
typedef int (*CMFixtureFunction)(void **state);

struct CMUnitTest {
	const char *name;
	CMUnitTestFunction test_func;
	CMFixtureFunction setup_func;
	CMFixtureFunction teardown_func;
	void *initial_state;
};

/* Never called: the tests do not run.  They only keep the arguments used. */
static inline void nocmocka_use(int unused, ...)
{
	(void)unused;
}

__attribute__((format(printf, 1, 2))) static inline void nocmocka_msg(const char *fmt, ...)
{
	(void)fmt;
}

static inline int nocmocka_skip(const char *group, size_t n, CMFixtureFunction setup,
				CMFixtureFunction teardown)
{
	(void)setup;
	(void)teardown;
	printf("SKIP: missing dependency: cmocka (%zu unit tests in %s not run; "
	       "install libcmocka-dev and run configure again)\n", n, group);
	return 77;
}

#define cmocka_unit_test(f) { #f, f, NULL, NULL, NULL }
#define cmocka_unit_test_setup(f, s) { #f, f, s, NULL, NULL }
#define cmocka_unit_test_teardown(f, t) { #f, f, NULL, t, NULL }
#define cmocka_unit_test_setup_teardown(f, s, t) { #f, f, s, t, NULL }
#define cmocka_set_test_filter(p) nocmocka_use(0, (p))
#define cmocka_run_group_tests(g, s, t) \
	nocmocka_skip(__FILE__, sizeof(g) / sizeof((g)[0]), (s), (t))

#define assert_true(x) nocmocka_use(0, (x))
#define assert_false(x) nocmocka_use(0, (x))
#define assert_null(x) nocmocka_use(0, (x))
#define assert_non_null(x) nocmocka_use(0, (x))
#define assert_int_equal(a, b) nocmocka_use(0, (a), (b))
#define assert_int_not_equal(a, b) nocmocka_use(0, (a), (b))
#define assert_ptr_equal(a, b) nocmocka_use(0, (a), (b))
#define assert_ptr_not_equal(a, b) nocmocka_use(0, (a), (b))
#define assert_string_equal(a, b) nocmocka_use(0, (a), (b))
#define assert_string_not_equal(a, b) nocmocka_use(0, (a), (b))
#define assert_memory_equal(a, b, n) nocmocka_use(0, (a), (b), (n))
#define assert_in_range(v, lo, hi) nocmocka_use(0, (v), (lo), (hi))
#define fail() abort()
#define skip() abort()
#define fail_msg(...) (nocmocka_msg(__VA_ARGS__), abort())
#define print_message(...) nocmocka_msg(__VA_ARGS__)

#endif
