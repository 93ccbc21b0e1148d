/* test_term.c: the UTF-8 locale the full-screen program switches to
 * (tui/term.c): the user's language first, then C.UTF-8, and none at all
 * when no UTF-8 locale is installed (the program then refuses to start). */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "term.h"

/* ctx: a NULL-terminated list of the installed locales */
static bool installed(const char *name, void *ctx)
{
	for (const char *const *l = ctx; *l; l++)
		if (!strcmp(*l, name))
			return true;
	return false;
}

static void test_language_kept(void **state)
{
	(void)state;
	const char *all[] = { "C.UTF-8", "cs_CZ.UTF-8", NULL };
	assert_string_equal(term_pick_utf8("cs_CZ.ISO-8859-2", NULL, installed, all), "cs_CZ.UTF-8");
	assert_string_equal(term_pick_utf8("cs_CZ", NULL, installed, all), "cs_CZ.UTF-8");
	/* setlocale failed (LANG names a locale not installed): the environment's */
	assert_string_equal(term_pick_utf8("C", "cs_CZ.ISO-8859-2@euro", installed, all), "cs_CZ.UTF-8");
}

static void test_c_utf8(void **state)
{
	(void)state;
	const char *c_only[] = { "C.UTF-8", NULL };
	assert_string_equal(term_pick_utf8("C", NULL, installed, c_only), "C.UTF-8");
	assert_string_equal(term_pick_utf8("POSIX", "C", installed, c_only), "C.UTF-8");
	assert_string_equal(term_pick_utf8("cs_CZ.ISO-8859-2", "cs_CZ.ISO-8859-2", installed, c_only),
			    "C.UTF-8");
	const char *debian_old[] = { "C.utf8", NULL };
	assert_string_equal(term_pick_utf8("C", NULL, installed, debian_old), "C.utf8");
}

static void test_none(void **state)
{
	(void)state;
	const char *none[] = { "C", "POSIX", "cs_CZ.ISO-8859-2", NULL };
	assert_null(term_pick_utf8("cs_CZ.ISO-8859-2", "cs_CZ.ISO-8859-2", installed, none));
	/* no path or list tricks through the environment */
	const char *all[] = { "C.UTF-8", "../x.UTF-8", NULL };
	assert_string_equal(term_pick_utf8("C", "../x", installed, all), "C.UTF-8");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_language_kept),
		cmocka_unit_test(test_c_utf8),
		cmocka_unit_test(test_none),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
