/* test_strmap.c: the string map, against a plain array as the model. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "util.h"

static void test_basic(void **state)
{
	(void)state;
	strmap m;
	strmap_init(&m, true);
	assert_null(strmap_get(&m, "a"));
	char key[8] = "k1";
	strmap_put(&m, key, &m);
	strcpy(key, "zz"); /* copied keys: the caller's buffer may change */
	assert_ptr_equal(strmap_get(&m, "k1"), &m);
	bool added;
	sm_entry *en = strmap_add(&m, "k1", &added);
	assert_false(added);
	en->aux = 7;
	assert_int_equal(strmap_find(&m, "k1")->aux, 7);
	/* counted keys: bytes, not C strings */
	strmap_addn(&m, "ab\0c", 4, &added)->num = 42;
	assert_true(added);
	assert_null(strmap_findn(&m, "ab", 2));
	assert_int_equal(strmap_findn(&m, "ab\0c", 4)->num, 42);
	strmap_del(&m, "k1");
	strmap_del(&m, "absent");
	assert_null(strmap_find(&m, "k1"));
	assert_int_equal(m.n, 1);
	strmap_free(&m);
	assert_int_equal(m.n, 0);
	strmap_put(&m, "again", &m); /* usable after free, still copying */
	assert_true(m.copy);
	strmap_free(&m);
}

/* Random adds and deletes (backward-shift deletion, the last entry moved
 * into the gap) checked against a model after every step. */
static void test_random(void **state)
{
	(void)state;
	enum { K = 3000 };
	static char keys[K][16];
	static int model[K]; /* value + 1, 0 = absent */
	strmap m;
	strmap_init(&m, false); /* borrowed: keys[] outlives the map */
	srand(12);
	size_t n = 0;
	for (int step = 0; step < 60000; step++) {
		int k = rand() % K;
		snprintf(keys[k], sizeof keys[k], "key%d", k);
		if (rand() % 3) {
			bool added;
			sm_entry *en = strmap_add(&m, keys[k], &added);
			assert_int_equal(added, model[k] == 0);
			if (added) {
				en->num = (size_t)step;
				model[k] = step + 1;
				n++;
			}
		} else {
			strmap_del(&m, keys[k]);
			n -= model[k] != 0;
			model[k] = 0;
		}
		assert_int_equal(m.n, n);
		if (step % 5000 == 0 || step > 59000)
			for (int j = 0; j < K; j++) {
				char probe[16];
				snprintf(probe, sizeof probe, "key%d", j);
				sm_entry *en = strmap_find(&m, probe);
				if (model[j])
					assert_true(en && (int)en->num == model[j] - 1);
				else
					assert_null(en);
			}
	}
	/* delete while iterating downwards */
	for (size_t i = m.n; i-- > 0;)
		if (m.e[i].num % 2)
			strmap_del_at(&m, i);
	for (size_t i = 0; i < m.n; i++) {
		assert_int_equal(m.e[i].num % 2, 0);
		assert_ptr_equal(strmap_find(&m, m.e[i].key), &m.e[i]);
	}
	strmap_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
