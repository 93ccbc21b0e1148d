/* test_collect.c: phase 3's rules shared by both front ends (src/collect.c):
 * one eligibility rule (a photo committed, dead-lettered, rejected, skipped
 * or in an active batch, or whose file is missing, is not offered), a draft
 * offered only for an eligible photo, editorial facts complete or not at all. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect.h"

static char *dir;
static char *path[5]; /* a: committed, b: dead, c: in a batch, d: free, e: missing */

static int setup(void **state)
{
	(void)state;
	dir = xstrdup("/tmp/sbcollect.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	for (int i = 0; i < 5; i++) {
		path[i] = xasprintf("%s/%c.jpg", dir, 'a' + i);
		if (i < 4) {
			FILE *f = fopen(path[i], "w");
			if (!f)
				return -1;
			fclose(f);
		}
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char *cmd = xasprintf("rm -rf '%s'", dir);
	int rc = system(cmd);
	free(cmd);
	for (int i = 0; i < 5; i++)
		free(path[i]);
	free(dir);
	return rc == 0 ? 0 : -1;
}

static void add(store *s, const char *bid, const char *cesta)
{
	sb_err e;
	file_entry f;
	memset(&f, 0, sizeof f);
	f.cesta = (char *)cesta;
	f.description = (char *)"a description long enough";
	f.state = FS_DESCRIPTION_SAVED;
	assert_int_equal(store_add_file(s, bid, &f, &e), 0);
}

/* a committed and b dead-lettered in a finished batch; c collecting. */
static store *make_store(void)
{
	char *sd = xasprintf("%s/state", dir);
	store *s;
	sb_err e;
	assert_int_equal(store_open(sd, &s, &e), 0);
	free(sd);
	batch_info a, c;
	assert_int_equal(store_collecting(s, COLLECT_KIND, "openai", "m", &a, &e), 0);
	add(s, a.id, path[0]);
	add(s, a.id, path[1]);
	assert_int_equal(store_set_state(s, a.id, BS_READY, NULL, &e), 0);
	assert_int_equal(store_set_state(s, a.id, BS_SENT, NULL, &e), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(store_file_set_state(s, a.id, path[i], FS_BATCH_SENT, NULL, &e), 0);
		assert_int_equal(store_file_set_state(s, a.id, path[i], FS_BATCH_COMPLETED, NULL, &e),
				 0);
	}
	assert_int_equal(store_set_state(s, a.id, BS_COMPLETED, NULL, &e), 0);
	assert_int_equal(store_file_set_state(s, a.id, path[0], FS_SAVED_TO_CSV, NULL, &e), 0);
	assert_int_equal(store_file_set_state(s, a.id, path[1], FS_DEAD, "rules", &e), 0);
	assert_int_equal(store_collecting(s, COLLECT_KIND, "openai", "m", &c, &e), 0);
	add(s, c.id, path[2]);
	return s;
}

static void test_eligibility(void **state)
{
	(void)state;
	settings cfg;
	settings_defaults(&cfg);
	store *s = make_store();
	char batch[40] = "";
	file_state fs = FS_PENDING;
	assert_int_equal(collect_eligibility(&cfg, s, path[0], batch, &fs), COLLECT_SETTLED);
	assert_int_equal(fs, FS_SAVED_TO_CSV);
	/* the rule the plan always had: a dead-lettered photo is not offered again */
	assert_int_equal(collect_eligibility(&cfg, s, path[1], batch, &fs), COLLECT_SETTLED);
	assert_int_equal(fs, FS_DEAD);
	assert_non_null(strstr(collect_settled_reason(fs), "retry-failed"));
	assert_int_equal(collect_eligibility(&cfg, s, path[2], batch, NULL), COLLECT_IN_BATCH);
	assert_true(batch[0] != '\0');
	assert_int_equal(collect_eligibility(&cfg, s, path[3], NULL, NULL), COLLECT_ELIGIBLE);
	assert_int_equal(collect_eligibility(&cfg, s, path[4], NULL, NULL), COLLECT_MISSING);
	/* no state yet: only the file counts */
	assert_int_equal(collect_eligibility(&cfg, NULL, path[1], NULL, NULL), COLLECT_ELIGIBLE);

	/* the last session's draft comes back only while its photo is eligible */
	sb_err e;
	char *cesta = NULL;
	assert_int_equal(collect_draft_save(s, path[1], "draft of a dead photo", &e), 0);
	assert_null(collect_draft_load(&cfg, s, &cesta));
	assert_null(cesta);
	assert_int_equal(collect_draft_save(s, path[3], "half a description", &e), 0);
	char *text = collect_draft_load(&cfg, s, &cesta);
	assert_non_null(text);
	assert_string_equal(text, "half a description");
	assert_string_equal(cesta, path[3]);
	free(text);
	free(cesta);
	collect_skip_photo(s); /* skipping drops the draft */
	assert_null(collect_draft_load(&cfg, s, &cesta));
	store_close(s);
	settings_free(&cfg);
}

static void test_editorial(void **state)
{
	(void)state;
	editorial_info ed;
	memset(&ed, 0, sizeof ed);
	const char *why = NULL;
	assert_false(collect_editorial_fill(&ed, "Praha", "", "01 05 2024", &why));
	assert_non_null(why);
	assert_string_equal(ed.city, ""); /* incomplete: nothing taken */
	assert_true(collect_editorial_fill(&ed, "Praha", "Česko", "01 05 2024", &why));
	assert_null(why);
	assert_string_equal(ed.city, "Praha");
	assert_string_equal(ed.country, "Česko");
	assert_string_equal(ed.date, "01 05 2024");
	/* the date is normalised to DD MM YYYY, whatever way it was typed */
	static const char *const typed[] = {"3.8.2024", "3 8 2024", "03/08/2024", "2024-08-03",
					    " 3. 8. 2024 "};
	for (size_t i = 0; i < sizeof typed / sizeof *typed; i++) {
		assert_true(collect_editorial_fill(&ed, "Brno", "Czech", typed[i], NULL));
		assert_string_equal(ed.date, "03 08 2024");
	}
	/* an invalid date is refused with a reason, the facts kept as they were */
	static const char *const bad[] = {"32.1.2024", "29.2.2023", "1.13.2024", "3.8.24", "3.8.2024x",
					  "tomorrow"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		why = NULL;
		assert_false(collect_editorial_fill(&ed, "Praha", "Czech", bad[i], &why));
		assert_non_null(why);
		assert_string_equal(ed.city, "Brno");
	}
	assert_true(collect_editorial_fill(&ed, "Praha", "Czech", "29.2.2024", NULL));
	assert_string_equal(ed.date, "29 02 2024");
	/* the dialog starts from the CSV's Datum vytvoření, normalised */
	char day[16];
	collect_editorial_date("4.6.2023 10:02:00", "/nonexistent/IMG_0002.jpg", day);
	assert_string_equal(day, "04 06 2023");
	collect_editorial_date("28.02.2024", NULL, day);
	assert_string_equal(day, "28 02 2024");
	/* without it (no EXIF either): some valid date, today's */
	collect_editorial_date("", "/nonexistent/IMG_0002.jpg", day);
	char again[11];
	assert_true(date_norm_ddmmyyyy(day, again));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eligibility),
		cmocka_unit_test(test_editorial),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
