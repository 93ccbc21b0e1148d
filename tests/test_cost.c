/* test_cost.c: the price table (shipped, user override, bad lines) and
 * cost_usd with batch prices apart from live ones. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cost.h"

static char tmpdir[64];

static int setup(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/sbcostXXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	setenv("XDG_CONFIG_HOME", tmpdir, 1);
	if (!getenv("STOCKBATCH_DATADIR")) {
		const char *top = getenv("top_srcdir");
		char *d = xasprintf("%s/data", top ? top : ".");
		setenv("STOCKBATCH_DATADIR", d, 1);
		free(d);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char *f = xasprintf("%s/stockbatch/prices.conf", tmpdir);
	char *d = xasprintf("%s/stockbatch", tmpdir);
	unlink(f);
	rmdir(d);
	rmdir(tmpdir);
	free(f);
	free(d);
	return 0;
}

static const char *model_of(const char *m)
{
	static price p;
	return price_of(m, &p) ? p.model : "(none)";
}

static void test_shipped(void **state)
{
	(void)state;
	sb_err e = {0};
	assert_int_equal(prices_load(NULL, &e), 0);
	price p;
	assert_true(price_of("gpt-4o-mini-2024-07-18", &p));
	assert_string_equal(p.model, "gpt-4o-mini");
	assert_true(fabs(p.batch_in - 0.075) < 1e-12);
	assert_string_equal(model_of("gpt-4o"), "gpt-4o");
	assert_string_equal(model_of("gpt-4.1-nano"), "gpt-4.1-nano");
	assert_string_equal(model_of("gemini-2.5-flash-lite"), "gemini-2.5-flash-lite");
	assert_false(price_of("gpt-4oX", &p));
	assert_false(price_of("no-such-model", NULL));
	/* 1M in + 1M out on gpt-4o: live 12.50, batch 6.25 (half). */
	assert_true(fabs(cost_usd("gpt-4o", false, 1000000, 1000000) - 12.5) < 1e-9);
	assert_true(fabs(cost_usd("gpt-4o", true, 1000000, 1000000) - 6.25) < 1e-9);
	/* The seed's worked example: 2385 in, 150 out, batch gpt-4o = $0.00373. */
	assert_true(fabs(cost_usd("gpt-4o", true, 2385, 150) - 0.0037313) < 1e-6);
	assert_true(cost_usd("no-such-model", true, 1000, 1000) == 0);
	/* Batch exactly half of live for every shipped model. */
	const char *models[] = { "gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-5-mini",
				 "gemini-2.5-flash" };
	for (size_t i = 0; i < sizeof models / sizeof *models; i++)
		assert_true(fabs(cost_usd(models[i], true, 1234, 567) * 2 -
				 cost_usd(models[i], false, 1234, 567)) < 1e-12);
}

static void test_user_override(void **state)
{
	(void)state;
	char *d = xasprintf("%s/stockbatch", tmpdir);
	char *f = xasprintf("%s/prices.conf", d);
	sb_err e = {0};
	assert_int_equal(mkdir_p(d, 0700, &e), 0);
	const char *txt = "# mine\n\ngpt-4o 3 1 12 1.5 0.5 6\nmy-model 1 1 1 0.5 0.5 0.5\n";
	assert_int_equal(atomic_write(f, txt, strlen(txt), 0600, &e), 0);
	assert_int_equal(prices_load(NULL, &e), 0);
	price p;
	assert_true(price_of("gpt-4o", &p));
	assert_true(fabs(p.batch_out - 6) < 1e-12);
	assert_true(price_of("my-model", NULL));
	assert_true(price_of("gpt-4.1", NULL)); /* shipped lines stay */
	/* A bad line names the file and the line. */
	const char *bad = "gpt-4o 3 1 12 1.5 0.5 6\n\ngpt-4o 3 x 12 1.5 0.5 6\n";
	assert_int_equal(atomic_write(f, bad, strlen(bad), 0600, &e), 0);
	assert_int_equal(prices_load(NULL, &e), -1);
	assert_int_equal(e.code, SBE_INPUT);
	assert_non_null(strstr(e.msg, "prices.conf:3:"));
	assert_false(price_of("gpt-4o", NULL)); /* no half table */
	unlink(f);
	assert_int_equal(prices_load(NULL, &e), 0);
	assert_true(price_of("gpt-4o", &p));
	assert_true(fabs(p.batch_out - 5) < 1e-12);
	free(d);
	free(f);
}

/* The table's date and source: shipped, then the user's over them; a bad
 * date names the line; prices_all lists every model once. */
static void test_checked(void **state)
{
	(void)state;
	sb_err e = {0};
	assert_int_equal(prices_load(NULL, &e), 0);
	char checked[16], src[256];
	prices_info(checked, src, sizeof src);
	assert_int_equal(strlen(checked), 10);
	assert_non_null(strstr(src, "apis.md"));
	price *all = NULL;
	size_t n = prices_all(&all);
	assert_true(n >= 8);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			assert_string_not_equal(all[i].model, all[j].model);
	free(all);
	char *d = xasprintf("%s/stockbatch", tmpdir);
	char *f = xasprintf("%s/prices.conf", d);
	assert_int_equal(mkdir_p(d, 0700, &e), 0);
	const char *txt = "  checked = 2025-01-31  # mine\nsource=my invoice  \n";
	assert_int_equal(atomic_write(f, txt, strlen(txt), 0600, &e), 0);
	assert_int_equal(prices_load(NULL, &e), 0);
	prices_info(checked, src, sizeof src);
	assert_string_equal(checked, "2025-01-31");
	assert_string_equal(src, "my invoice");
	assert_true(price_of("gpt-4o", NULL));
	const char *bad = "checked = 31.01.2025\n";
	assert_int_equal(atomic_write(f, bad, strlen(bad), 0600, &e), 0);
	assert_int_equal(prices_load(NULL, &e), -1);
	assert_non_null(strstr(e.msg, "prices.conf:1:"));
	prices_info(checked, src, sizeof src);
	assert_string_equal(checked, "");
	unlink(f);
	assert_int_equal(prices_load(NULL, &e), 0);
	free(d);
	free(f);
}

/* Lookups while another thread reloads a table that alternates between
 * good and malformed (both threads used to reload it, freeing the table a
 * reader held): every lookup sees a whole entry or none.  ThreadSanitizer
 * (.ci/test) reports any unlocked access. */
static atomic_bool reloading;

static void *lookups(void *arg)
{
	(void)arg;
	intptr_t wrong = 0; /* cmocka's asserts belong to the main thread */
	while (atomic_load(&reloading)) {
		price p;
		if (price_of("gpt-4o-2024-08-06", &p))
			wrong += strcmp(p.model, "gpt-4o") != 0 || (p.batch_out != 6 && p.batch_out != 5);
		cost_usd("my-model", true, 1000, 1000);
	}
	return (void *)wrong;
}

static void test_reload_race(void **state)
{
	(void)state;
	char *d = xasprintf("%s/stockbatch", tmpdir);
	char *f = xasprintf("%s/prices.conf", d);
	sb_err e = {0};
	assert_int_equal(mkdir_p(d, 0700, &e), 0);
	const char *good = "gpt-4o 3 1 12 1.5 0.5 6\nmy-model 1 1 1 0.5 0.5 0.5\n";
	const char *bad = "gpt-4o 3 x\n";
	atomic_store(&reloading, true);
	pthread_t th[3];
	for (int i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&th[i], NULL, lookups, NULL), 0);
	for (int i = 0; i < 300; i++) {
		const char *txt = i % 3 == 2 ? bad : good;
		assert_int_equal(atomic_write(f, txt, strlen(txt), 0600, &e), 0);
		assert_int_equal(prices_load(NULL, &e), txt == bad ? -1 : 0);
	}
	atomic_store(&reloading, false);
	for (int i = 0; i < 3; i++) {
		void *wrong;
		pthread_join(th[i], &wrong);
		assert_null(wrong);
	}
	unlink(f);
	assert_int_equal(prices_load(NULL, &e), 0);
	free(d);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_user_override),
		cmocka_unit_test(test_checked),
		cmocka_unit_test(test_reload_race),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
