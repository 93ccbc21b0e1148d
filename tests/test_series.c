/* test_series.c: the picture hash (a shifted, zoomed, re-exposed or noisy
 * frame stays near, another scene is far), times from the CSV and EXIF,
 * the hash cache (0600, keyed by size and mtime, survives a reopen), the
 * user's corrections, and grouping (folder, gap, distance, interleaved
 * bursts, detached and split frames). */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "series.h"

static char tmpdir[64];

/* A scene: a sky-to-ground gradient and a few coloured discs and boxes,
 * drawn through a camera that shifts (dx, dy: fractions of the width),
 * zooms and scales the exposure; noise adds grain. */
static void scene(image_rgb *im, unsigned seed, int w, int h, double dx, double dy, double zoom,
		  double gain, int noise)
{
	im->w = w;
	im->h = h;
	im->channels = 3;
	im->px = malloc((size_t)w * h * 3);
	struct {
		double x, y, r;
		int box;
		unsigned char c[3];
	} sh[6];
	unsigned s = seed * 2654435761u + 1;
#define RND() ((s = s * 1103515245u + 12345u) >> 8 & 0xffff)
	for (int i = 0; i < 6; i++) {
		sh[i].x = RND() / 65536.0;
		sh[i].y = RND() / 65536.0;
		sh[i].r = 0.08 + RND() / 65536.0 * 0.2;
		sh[i].box = RND() & 1;
		for (int k = 0; k < 3; k++)
			sh[i].c[k] = (unsigned char)(RND() & 255);
	}
	unsigned char top[3] = { (unsigned char)RND(), (unsigned char)RND(), (unsigned char)RND() };
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			double u = ((double)x / w - 0.5) / zoom + 0.5 + dx;
			double v = ((double)y / h - 0.5) / zoom + 0.5 + dy;
			double c[3];
			for (int k = 0; k < 3; k++)
				c[k] = top[k] * (1 - v) + 60 * v;
			for (int i = 0; i < 6; i++) {
				double ax = fabs(u - sh[i].x), ay = fabs(v - sh[i].y);
				bool in = sh[i].box ? ax < sh[i].r && ay < sh[i].r * 0.6
						    : ax * ax + ay * ay < sh[i].r * sh[i].r;
				if (in)
					for (int k = 0; k < 3; k++)
						c[k] = sh[i].c[k];
			}
			for (int k = 0; k < 3; k++) {
				double val = c[k] * gain + (noise ? (int)(RND() % (2 * noise + 1)) - noise : 0);
				im->px[((size_t)y * w + x) * 3 + k] =
					(unsigned char)(val < 0 ? 0 : val > 255 ? 255 : val);
			}
		}
#undef RND
}

static int dist_of(unsigned seed_a, unsigned seed_b, double dx, double zoom, double gain,
		   int noise)
{
	image_rgb a, b;
	scene(&a, seed_a, 320, 213, 0, 0, 1, 1, 0);
	scene(&b, seed_b, 320, 213, dx, dx / 2, zoom, gain, noise);
	int d = series_distance(series_hash_image(&a), series_hash_image(&b));
	image_free(&a);
	image_free(&b);
	return d;
}

static void test_hash_near_and_far(void **state)
{
	(void)state;
	assert_int_equal(dist_of(1, 1, 0, 1, 1, 0), 0);
	assert_true(dist_of(1, 1, 0.02, 1, 1, 0) <= 12);   /* shifted */
	assert_true(dist_of(2, 2, 0, 1.08, 1, 0) <= 12);   /* zoomed */
	assert_true(dist_of(3, 3, 0, 1, 1.3, 0) <= 12);    /* brighter */
	assert_true(dist_of(4, 4, 0, 1, 0.7, 0) <= 12);    /* darker */
	assert_true(dist_of(5, 5, 0, 1, 1, 20) <= 12);     /* grain */
	int far = 0;
	for (unsigned i = 10; i < 30; i++)
		far += dist_of(i, i + 100, 0, 1, 1, 0) > 12;
	assert_true(far >= 19); /* another scene: far, nearly always */
	assert_int_equal(series_distance(0, ~0ULL), 64);
	assert_int_equal(series_distance(5, 4), 1);
}

/* The JPEG path (1/8 decode) gives the hash of the picture. */
static void test_hash_jpeg(void **state)
{
	(void)state;
	image_rgb a;
	scene(&a, 7, 1024, 683, 0, 0, 1, 1, 0);
	unsigned char *j = NULL;
	size_t len = 0;
	sb_err e;
	assert_int_equal(image_encode_jpeg(&a, 90, &j, &len, &e), 0);
	uint64_t hj = 0;
	assert_int_equal(series_hash_jpeg(j, len, &hj, &e), 0);
	assert_true(series_distance(hj, series_hash_image(&a)) <= 4);
	unsigned char junk[16] = "not a jpeg at al";
	assert_int_equal(series_hash_jpeg(junk, sizeof junk, &hj, &e), -1);
	free(j);
	image_free(&a);
}

static void test_time_of(void **state)
{
	(void)state;
	int64_t a, b;
	assert_true(series_time_of("03.08.2024 10:15:00", NULL, &a));
	assert_true(series_time_of("03.08.2024 10:17:30", NULL, &b));
	assert_int_equal(b - a, 150);
	assert_true(series_time_of("04.08.2024 00:00:10", NULL, &b));
	assert_int_equal(b - a, 13 * 3600 + 45 * 60 + 10);
	assert_true(series_time_of("1.3.2024 8:05", NULL, &a)); /* no seconds */
	assert_false(series_time_of("03.08.2024", NULL, &a));     /* a day is not a time */
	assert_false(series_time_of("", "/nonexistent.jpg", &a));
	assert_false(series_time_of(NULL, NULL, &a));
}

static void test_cache(void **state)
{
	(void)state;
	image_rgb a;
	scene(&a, 9, 256, 256, 0, 0, 1, 1, 0);
	unsigned char *j = NULL;
	size_t len = 0;
	sb_err e;
	assert_int_equal(image_encode_jpeg(&a, 90, &j, &len, &e), 0);
	char *photo = path_join(tmpdir, "a.jpg");
	assert_int_equal(atomic_write(photo, j, len, 0644, &e), 0);
	series_cache *c = series_cache_open(tmpdir);
	series_facts h, h2;
	assert_false(series_cache_get(c, photo, &h));
	assert_int_equal(series_cache_hash(c, photo, &h, &e), 0);
	assert_false(h.has_t); /* no EXIF */
	assert_true(series_cache_get(c, photo, &h2));
	assert_true(h.hash == h2.hash);
	assert_int_equal(series_cache_save(c, &e), 0);
	series_cache_free(c);
	char *cf = path_join(tmpdir, "series-hashes");
	struct stat sb;
	assert_int_equal(stat(cf, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	c = series_cache_open(tmpdir); /* a new session reads it */
	memset(&h2, 0, sizeof h2);
	assert_true(series_cache_get(c, photo, &h2));
	assert_true(h.hash == h2.hash);
	assert_false(h2.has_t);
	/* the file changed (size and mtime): no longer cached */
	unsigned char *j2 = malloc(len + 10);
	memcpy(j2, j, len);
	memset(j2 + len, 0, 10);
	assert_int_equal(atomic_write(photo, j2, len + 10, 0644, &e), 0);
	assert_false(series_cache_get(c, photo, &h2));
	/* a file that is no JPEG: known to have no hash, not tried again */
	char *junk = path_join(tmpdir, "b.jpg");
	assert_int_equal(atomic_write(junk, "not a jpeg", 10, 0644, &e), 0);
	assert_int_equal(series_cache_hash(c, junk, &h2, &e), 0);
	assert_false(h2.has_hash);
	assert_true(series_cache_get(c, junk, &h2));
	assert_false(h2.has_hash);
	assert_int_equal(series_cache_hash(c, "/nonexistent/c.jpg", &h2, &e), -1);
	unlink(junk);
	free(junk);
	series_cache_free(c);
	/* a torn last line is dropped, the rest kept */
	FILE *f = fopen(cf, "a");
	fputs("0123\t12", f);
	fclose(f);
	c = series_cache_open(tmpdir);
	assert_true(series_cache_get(c, photo, &h2) || true); /* reads, no crash */
	series_cache_free(c);
	unlink(cf);
	unlink(photo);
	free(j2);
	free(cf);
	free(photo);
	free(j);
	image_free(&a);
}

static void test_edits(void **state)
{
	(void)state;
	sb_err e;
	series_edits *s = series_edits_open(tmpdir);
	assert_int_equal(series_edits_of(s, "J:\\Foto\\a.jpg"), 0);
	assert_int_equal(series_edits_add(s, "J:\\Foto\\a.jpg", SERIES_DETACH, &e), 0);
	assert_int_equal(series_edits_add(s, "J:\\Foto\\c.jpg", SERIES_SPLIT, &e), 0);
	assert_int_equal(series_edits_add(s, "bad\tname", SERIES_SPLIT, &e), -1);
	series_edits_free(s);
	s = series_edits_open(tmpdir);
	assert_int_equal(series_edits_of(s, "J:\\Foto\\a.jpg"), SERIES_DETACH);
	assert_int_equal(series_edits_of(s, "J:\\Foto\\c.jpg"), SERIES_SPLIT);
	assert_int_equal(series_edits_of(s, "J:\\Foto\\b.jpg"), 0);
	series_edits_free(s);
	char *p = path_join(tmpdir, "series-edits");
	unlink(p);
	free(p);
}

#define PH(c, t, h) { c, t, true, h, true, 0 }

static void test_group(void **state)
{
	(void)state;
	uint64_t A = 0x0f0f0f0f0f0f0f0fULL, B = ~A, A1 = A ^ 0x7, B1 = B ^ 0x30;
	series_photo p[] = {
		PH("J:\\F\\1.jpg", 100, A),  /* 0: series A */
		PH("J:\\F\\2.jpg", 130, A1), /* 1: A */
		PH("J:\\F\\3.jpg", 140, B),  /* 2: series B, between A's frames */
		PH("J:\\F\\4.jpg", 150, A),  /* 3: A again */
		PH("J:\\F\\5.jpg", 160, B1), /* 4: B */
		PH("J:/F/6.jpg", 5000, A),   /* 5: too late: alone */
		PH("J:\\G\\7.jpg", 160, A),  /* 6: another folder: alone */
		PH("J:\\F\\8.jpg", 155, A),  /* 7: A, listed out of time order */
	};
	size_t n = sizeof p / sizeof p[0], g[8];
	assert_int_equal(series_group(p, n, 180, 8, g), 2);
	assert_int_equal(g[0], 0);
	assert_int_equal(g[1], 0);
	assert_int_equal(g[3], 0);
	assert_int_equal(g[7], 0);
	assert_int_equal(g[2], 2);
	assert_int_equal(g[4], 2);
	assert_int_equal(g[5], 5);
	assert_int_equal(g[6], 6);
	/* the distance setting: 0 keeps only equal hashes together */
	assert_int_equal(series_group(p, n, 180, 0, g), 1);
	assert_int_equal(g[1], 1);
	assert_int_equal(g[3], 0);
	/* gap 0: series off */
	assert_int_equal(series_group(p, n, 0, 8, g), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(g[i], i);
	/* a detached frame stands alone, the series goes on around it */
	p[1].edits = SERIES_DETACH;
	series_group(p, n, 180, 8, g);
	assert_int_equal(g[1], 1);
	assert_int_equal(g[3], 0);
	/* a split: the frame and those after it are a new series */
	p[1].edits = 0;
	p[3].edits = SERIES_SPLIT;
	series_group(p, n, 180, 8, g);
	assert_int_equal(g[1], 0);
	assert_int_equal(g[3], 3);
	assert_int_equal(g[7], 3);
	assert_int_equal(g[4], 4); /* B's open series closed by the split too */
	/* the split holds while the split frame's hash is still to come:
	 * the frames on either side of it never join */
	p[3].has_hash = false;
	series_group(p, n, 180, 8, g);
	assert_int_equal(g[3], 3);
	assert_int_equal(g[7], 7);
	assert_int_equal(g[1], 0);
	p[3].has_hash = true;
	/* without a time or a hash: alone */
	p[3].edits = 0;
	p[1].has_hash = false;
	p[7].has_t = false;
	series_group(p, n, 180, 8, g);
	assert_int_equal(g[1], 1);
	assert_int_equal(g[7], 7);
	assert_int_equal(g[3], 0);
	assert_int_equal(series_folder_len("J:\\F\\1.jpg"), 4);
	assert_int_equal(series_folder_len("a.jpg"), 0);
}

int main(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/sb_series_XXXXXX");
	if (!mkdtemp(tmpdir))
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_near_and_far), cmocka_unit_test(test_hash_jpeg),
		cmocka_unit_test(test_time_of),           cmocka_unit_test(test_cache),
		cmocka_unit_test(test_edits),             cmocka_unit_test(test_group),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(tmpdir);
	return rc;
}
