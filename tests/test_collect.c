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
#include <sys/stat.h>

#include "collect.h"
#include "collectscan.h"
#include "imageprep.h"
#include "plan.h"
#include <poll.h>

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
	series_facts f = { .has_t = true, .t = 1714730520 }; /* 2024-05-03 10:02:00 */
	assert_true(collect_editorial_date("4.6.2023 10:02:00", &f, day));
	assert_string_equal(day, "04 06 2023");
	assert_true(collect_editorial_date("28.02.2024", NULL, day));
	assert_string_equal(day, "28 02 2024");
	/* else the EXIF time the previewer's thread read; not known yet: empty */
	assert_true(collect_editorial_date("", &f, day));
	assert_string_equal(day, "03 05 2024");
	assert_false(collect_editorial_date(NULL, NULL, day));
	assert_string_equal(day, "");
	/* the file looked at, no EXIF time: some valid date, today's */
	f.has_t = false;
	assert_true(collect_editorial_date("", &f, day));
	char again[11];
	assert_true(date_norm_ddmmyyyy(day, again));
}

/* The background scan hands over exactly the rows collect_eligible_rows
 * gives, in the same order, however the lookups finish. */
static void test_scan(void **state)
{
	(void)state;
	settings cfg;
	settings_defaults(&cfg);
	store *s = make_store();
	free(cfg.media_csv);
	cfg.media_csv = xasprintf("%s/PhotoMedia.csv", dir);
	FILE *f = fopen(cfg.media_csv, "w");
	assert_non_null(f);
	fputs("Soubor,Datum vytvoření,ShutterStock status,Originál,Cesta\n", f);
	for (int i = 0; i < 5; i++)
		fprintf(f, "%c.jpg,0%d.05.2024,nezpracováno,ano,%s\n", 'a' + i, 9 - i, path[i]);
	for (int i = 0; i < 300; i++) {
		char *p = xasprintf("%s/x%03d.jpg", dir, i);
		if (i % 3) { /* a third missing */
			FILE *g = fopen(p, "w");
			assert_non_null(g);
			fclose(g);
		}
		/* every seventh already done; dates out of CSV order */
		fprintf(f, "x%03d.jpg,%02d.06.2024 10:%02d:00,%s,ano,%s\n", i, 1 + (i * 7) % 28,
			i % 60, i % 7 ? "nezpracováno" : "připraveno", p);
		free(p);
	}
	fclose(f);
	sb_err e;
	mediacsv *m;
	assert_int_equal(mediacsv_load(cfg.media_csv, &m, &e), 0);
	size_t *want;
	size_t nwant = collect_eligible_rows(&cfg, s, m, &want);
	assert_true(nwant > 100);
	collect_scan *sc;
	assert_int_equal(collect_scan_start(&cfg, s, &sc, &e), 0);
	size_t *got = NULL, ngot = 0, cap = 0;
	while (!collect_scan_take(sc, &got, &ngot, &cap)) {
		struct pollfd p = { .fd = collect_scan_fd(sc), .events = POLLIN };
		assert_true(poll(&p, 1, 10000) > 0);
	}
	size_t checked, candidates;
	collect_scan_progress(sc, &checked, &candidates);
	assert_int_equal(checked, candidates);
	assert_int_equal(ngot, nwant);
	const mediacsv *sm = collect_scan_csv(sc);
	for (size_t i = 0; i < nwant; i++)
		assert_string_equal(mediacsv_field(sm, got[i], MC_CESTA),
				    mediacsv_field(m, want[i], MC_CESTA));
	/* stopping a scan under way is clean */
	collect_scan *early;
	assert_int_equal(collect_scan_start(&cfg, s, &early, &e), 0);
	collect_scan_free(early);
	/* a malformed CSV is reported at start, with its line */
	f = fopen(cfg.media_csv, "a");
	fputs("\"broken,\n", f);
	fclose(f);
	assert_int_equal(collect_scan_start(&cfg, s, &early, &e), -1);
	free(got);
	free(want);
	collect_scan_free(sc);
	mediacsv_free(m);
	store_close(s);
	settings_free(&cfg);
}

/* A JPEG with an EXIF DateTimeOriginal ("YYYY:MM:DD HH:MM:SS"): SOI, an
 * APP1 of a little-endian TIFF (IFD0 pointing to the Exif IFD, which holds
 * tag 0x9003), then the rest of jpeg. */
static unsigned char *with_exif_time(const unsigned char *jpeg, size_t len, const char *dt,
				     size_t *outlen)
{
	static const unsigned char tiff[] = {
		'I', 'I', 42, 0, 8, 0, 0, 0,				/* header, IFD0 at 8 */
		1, 0, 0x69, 0x87, 4, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0, 0, 0, 0, /* -> Exif IFD at 26 */
		1, 0, 0x03, 0x90, 2, 0, 20, 0, 0, 0, 44, 0, 0, 0, 0, 0, 0, 0, /* 0x9003 at 44 */
	};
	size_t tl = sizeof tiff + 20, seg = 2 + 2 + 6 + tl;
	unsigned char *o = xmalloc(len + seg);
	memcpy(o, jpeg, 2);
	unsigned char *p = o + 2;
	*p++ = 0xff;
	*p++ = 0xe1;
	*p++ = (unsigned char)((seg - 2) >> 8);
	*p++ = (unsigned char)((seg - 2) & 255);
	memcpy(p, "Exif\0\0", 6);
	memcpy(p + 6, tiff, sizeof tiff);
	memcpy(p + 6 + sizeof tiff, dt, 20);
	memcpy(o + 2 + seg, jpeg + 2, len - 2);
	*outlen = len + seg;
	return o;
}

/* A burst's frames are numbered as the camera took them (here by EXIF,
 * the CSV's Datum vytvoření saying the day only), not in the list's order
 * (by day, then name): the plan (like the editor, import and the request's
 * "frame i of n") counts them in time order. */
static void test_series_time_order(void **state)
{
	(void)state;
	settings cfg;
	settings_defaults(&cfg);
	store *s = make_store();
	free(cfg.media_csv);
	free(cfg.state_dir);
	cfg.media_csv = xasprintf("%s/Burst.csv", dir);
	cfg.state_dir = xasprintf("%s/state", dir);
	/* one picture, four files: alike as frames of one burst can be */
	image_rgb im = { .w = 96, .h = 64, .channels = 3 };
	im.px = xmalloc((size_t)im.w * im.h * 3);
	for (int i = 0; i < im.w * im.h * 3; i++)
		im.px[i] = (unsigned char)(i % 3 == 0 ? (i / 3) % im.w * 2 : i % 3 == 1 ? 90 : 200);
	unsigned char *jpeg;
	size_t len;
	sb_err e;
	assert_int_equal(image_encode_jpeg(&im, 90, &jpeg, &len, &e), 0);
	image_free(&im);
	/* named a, b, c, d; taken b, d, a, c */
	static const char *const when[] = { "2024:05:01 10:00:30", "2024:05:01 10:00:00",
					    "2024:05:01 10:00:45", "2024:05:01 10:00:15" };
	static const size_t frame_of[] = { 3, 1, 4, 2 };
	char *bdir = xasprintf("%s/burst", dir);
	assert_int_equal(mkdir(bdir, 0755), 0);
	FILE *f = fopen(cfg.media_csv, "w");
	assert_non_null(f);
	fputs("Soubor,Datum vytvoření,ShutterStock status,Originál,Cesta\n", f);
	for (int i = 0; i < 4; i++) {
		char *p = xasprintf("%s/%c.jpg", bdir, 'a' + i);
		size_t xl;
		unsigned char *x = with_exif_time(jpeg, len, when[i], &xl);
		assert_int_equal(atomic_write(p, (const char *)x, xl, 0644, &e), 0);
		free(x);
		fprintf(f, "%c.jpg,01.05.2024,nezpracováno,ano,%s\n", 'a' + i, p);
		free(p);
	}
	fclose(f);
	free(jpeg);
	plan *p;
	assert_int_equal(plan_build(&cfg, s, &p, &e), 0);
	assert_int_equal(p->sum.series, 1);
	size_t seen = 0;
	for (size_t i = 0; i < p->n; i++) {
		const plan_row *it = &p->rows[i];
		if (strncmp(it->cesta, bdir, strlen(bdir)) != 0)
			continue;
		seen++;
		assert_int_equal(it->frames, 4);
		size_t want = frame_of[it->file[0] - 'a'];
		if (it->frame != want)
			fail_msg("%s is frame %zu, taken as frame %zu", it->file, it->frame, want);
	}
	assert_int_equal(seen, 4);
	plan_free(p);
	free(bdir);
	store_close(s);
	settings_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eligibility),
		cmocka_unit_test(test_editorial),
		cmocka_unit_test(test_scan),
		cmocka_unit_test(test_series_time_order),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
