/* test_imageprep.c: EXIF parsing (orientation, date, thumbnail, MPF
 * preview), every orientation upright, the prepared request image at the
 * model's size with the same tokens, resize, corrupt input, and two
 * threads preparing at once.  JPEGs are made here with TurboJPEG and an EXIF
 * segment spliced in by hand, so no fixture files are needed. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>
#include <unistd.h>

#include "imageprep.h"
#include "provider.h"
#include "tokens.h"

static char tmpdir[64];

/* ---- building test JPEGs ---- */

static void put16(unsigned char *p, unsigned v) { p[0] = v & 255; p[1] = v >> 8; }
static void put32(unsigned char *p, uint32_t v)
{
	p[0] = v & 255; p[1] = (v >> 8) & 255; p[2] = (v >> 16) & 255; p[3] = v >> 24;
}
static void entry(unsigned char *p, unsigned tag, unsigned type, uint32_t count, uint32_t val)
{
	put16(p, tag); put16(p + 2, type); put32(p + 4, count);
	if (type == 3) { put16(p + 8, val); put16(p + 10, 0); }
	else put32(p + 8, val);
}

/* APP1 Exif segment (little-endian TIFF): orientation, optional
 * DateTimeOriginal, optional IFD1 thumbnail. */
static unsigned char *make_app1(int orientation, const char *date, const unsigned char *thumb,
				size_t tlen, size_t *seglen)
{
	unsigned char t[4096] = {0};
	memcpy(t, "II\x2a\0", 4);
	put32(t + 4, 8);
	/* IFD0 at 8: 2 entries. */
	uint32_t ifd0 = 8, exif = ifd0 + 2 + 2 * 12 + 4, ifd1 = exif + 2 + 12 + 4, str = ifd1 + 2 + 2 * 12 + 4,
		 th = str + 20;
	put16(t + ifd0, 2);
	entry(t + ifd0 + 2, 0x0112, 3, 1, (uint32_t)orientation);
	entry(t + ifd0 + 14, 0x8769, 4, 1, exif);
	put32(t + ifd0 + 26, thumb ? ifd1 : 0);
	put16(t + exif, 1);
	entry(t + exif + 2, 0x9003, 2, 20, str);
	if (date)
		memcpy(t + str, date, 20);
	put16(t + ifd1, 2);
	entry(t + ifd1 + 2, 0x0201, 4, 1, th);
	entry(t + ifd1 + 14, 0x0202, 4, 1, (uint32_t)tlen);
	size_t tl = th + (thumb ? tlen : 0);
	assert_true(tl < sizeof t);
	if (thumb)
		memcpy(t + th, thumb, tlen);
	size_t n = 4 + 6 + tl;
	unsigned char *seg = malloc(n);
	seg[0] = 0xff; seg[1] = 0xe1; seg[2] = (unsigned char)((n - 2) >> 8); seg[3] = (n - 2) & 255;
	memcpy(seg + 4, "Exif\0\0", 6);
	memcpy(seg + 10, t, tl);
	*seglen = n;
	return seg;
}

/* Insert a segment right after SOI. */
static unsigned char *splice(const unsigned char *j, size_t jl, const unsigned char *seg, size_t sl,
			     size_t *outlen)
{
	unsigned char *o = malloc(jl + sl);
	memcpy(o, j, 2);
	memcpy(o + 2, seg, sl);
	memcpy(o + 2 + sl, j + 2, jl - 2);
	*outlen = jl + sl;
	return o;
}

enum { TL, TR, BL, BR };
/* w x h blue picture with a red quadrant in the given corner. */
static unsigned char *make_jpeg(int w, int h, int corner, size_t *len)
{
	image_rgb im = { malloc((size_t)w * h * 3), w, h, 3 };
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			bool right = x >= w / 2, bottom = y >= h / 2;
			bool red = (corner == TL && !right && !bottom) || (corner == TR && right && !bottom) ||
				   (corner == BL && !right && bottom) || (corner == BR && right && bottom);
			unsigned char *p = im.px + ((size_t)y * w + x) * 3;
			p[0] = red ? 220 : 20; p[1] = 20; p[2] = red ? 20 : 220;
		}
	unsigned char *j;
	sb_err e = {0};
	assert_int_equal(image_encode_jpeg(&im, 92, &j, len, &e), 0);
	image_free(&im);
	return j;
}

static bool is_red(const image_rgb *im, int x, int y)
{
	const unsigned char *p = im->px + ((size_t)y * im->w + x) * im->channels;
	return p[0] > 150 && p[2] < 100;
}
static bool is_blue(const image_rgb *im, int x, int y)
{
	const unsigned char *p = im->px + ((size_t)y * im->w + x) * im->channels;
	return p[2] > 150 && p[0] < 100;
}

/* Upright: red top-left on blue; checked at the quadrant centres. */
static void assert_upright(const image_rgb *im)
{
	int qx = im->w / 4, qy = im->h / 4;
	assert_true(is_red(im, qx, qy));
	assert_true(is_blue(im, 3 * qx, qy));
	assert_true(is_blue(im, qx, 3 * qy));
	assert_true(is_blue(im, 3 * qx, 3 * qy));
}

static char *write_tmp(const char *name, const unsigned char *d, size_t n)
{
	char *p = xasprintf("%s/%s", tmpdir, name);
	sb_err e = {0};
	assert_int_equal(atomic_write(p, d, n, 0644, &e), 0);
	return p;
}

/* A stored photo for EXIF orientation o whose upright view is w x h with
 * red top-left: where the red corner sits in the stored pixels. */
static unsigned char *oriented_jpeg(int o, int w, int h, size_t *len)
{
	static const int corner[9] = { 0, TL, TR, BR, BL, TL, BL, BR, TR };
	bool sw = o >= 5;
	size_t jl, sl;
	unsigned char *j = make_jpeg(sw ? h : w, sw ? w : h, corner[o], &jl);
	unsigned char *seg = make_app1(o, "2024:06:15 10:20:30", NULL, 0, &sl);
	unsigned char *out = splice(j, jl, seg, sl, len);
	free(j);
	free(seg);
	return out;
}

static int setup(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/sbimgXXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	int rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

/* ---- tests ---- */

static void test_exif(void **state)
{
	(void)state;
	size_t tl, jl, sl, n;
	unsigned char *thumb = make_jpeg(16, 8, TL, &tl);
	unsigned char *j = make_jpeg(64, 32, TL, &jl);
	unsigned char *seg = make_app1(6, "2024:06:15 10:20:30", thumb, tl, &sl);
	unsigned char *x = splice(j, jl, seg, sl, &n);
	assert_int_equal(exif_orientation(x, n), 6);
	char d[16];
	assert_true(exif_date(x, n, d));
	assert_string_equal(d, "15 06 2024");
	const unsigned char *pv;
	size_t pl;
	assert_true(exif_preview(x, n, &pv, &pl));
	assert_int_equal(pl, tl);
	assert_memory_equal(pv, thumb, tl);
	/* No EXIF: defaults. */
	assert_int_equal(exif_orientation(j, jl), 1);
	assert_false(exif_date(j, jl, d));
	assert_false(exif_preview(j, jl, &pv, &pl));
	/* Every truncation of the EXIF file is safe (bounded reads). */
	for (size_t k = 0; k < n && k < sl + 40; k++) {
		(void)exif_orientation(x, k);
		(void)exif_date(x, k, d);
		(void)exif_preview(x, k, &pv, &pl);
	}
	/* A bad date and an out-of-range orientation are ignored. */
	free(seg); free(x);
	seg = make_app1(9, "0000:00:00 00:00:00", NULL, 0, &sl);
	x = splice(j, jl, seg, sl, &n);
	assert_int_equal(exif_orientation(x, n), 1);
	assert_false(exif_date(x, n, d));
	free(seg); free(x); free(j); free(thumb);
}

static void test_mpf_preview(void **state)
{
	(void)state;
	/* Main JPEG with an APP2 MPF index whose second entry points at a
	 * preview JPEG appended after the main image. */
	size_t jl, pl;
	unsigned char *j = make_jpeg(64, 32, TL, &jl);
	unsigned char *prev = make_jpeg(32, 16, TR, &pl);
	unsigned char mpf[4 + 8 + 2 + 12 + 4 + 32] = {0};
	memcpy(mpf, "MPF\0II\x2a\0", 8);
	put32(mpf + 8, 8);                 /* IFD at 8 (from the TIFF header) */
	put16(mpf + 12, 1);
	entry(mpf + 14, 0xb002, 7, 32, 8 + 2 + 12 + 4);
	size_t seglen = 4 + sizeof mpf;
	size_t total = jl + seglen + pl;
	uint32_t tiff_at = 2 + 4 + 4;       /* SOI, marker+len, "MPF\0" */
	put32(mpf + 4 + 26 + 16 + 4, (uint32_t)pl);
	put32(mpf + 4 + 26 + 16 + 8, (uint32_t)(jl + seglen - tiff_at));
	unsigned char seg[4 + sizeof mpf];
	seg[0] = 0xff; seg[1] = 0xe2; seg[2] = 0; seg[3] = (unsigned char)(seglen - 2);
	memcpy(seg + 4, mpf, sizeof mpf);
	size_t n;
	unsigned char *x = splice(j, jl, seg, seglen, &n);
	x = realloc(x, total);
	memcpy(x + n, prev, pl);
	const unsigned char *pv;
	size_t got;
	assert_true(exif_preview(x, total, &pv, &got));
	assert_int_equal(got, pl);
	assert_memory_equal(pv, prev, pl);
	/* Pointing past the end is refused. */
	assert_false(exif_preview(x, total - 1, &pv, &got));
	free(x); free(j); free(prev);
}

static void test_all_orientations(void **state)
{
	(void)state;
	for (int o = 1; o <= 8; o++) {
		size_t n;
		unsigned char *j = oriented_jpeg(o, 64, 32, &n);
		assert_int_equal(exif_orientation(j, n), o);
		image_rgb im;
		sb_err e = {0};
		assert_int_equal(image_decode_scaled(j, n, 0, 0, &im, &e), 0);
		assert_int_equal(im.w, 64);
		assert_int_equal(im.h, 32);
		assert_upright(&im);
		image_free(&im);
		free(j);
	}
}

static void test_scaled_decode(void **state)
{
	(void)state;
	size_t n;
	unsigned char *j = oriented_jpeg(6, 1600, 1200, &n); /* stored 1200x1600 */
	image_rgb im;
	sb_err e = {0};
	/* Smallest DCT scale still >= 300x200 upright: 1/4 gives 400x300,
	 * 1/8 would give 200x150 (too small). */
	assert_int_equal(image_decode_scaled(j, n, 300, 200, &im, &e), 0);
	assert_int_equal(im.w, 400);
	assert_int_equal(im.h, 300);
	assert_upright(&im);
	image_free(&im);
	free(j);
}

/* SPEC 5.1: EXIF 6 photo -> upright, model-sized, same tokens. */
static void test_prepare_rotated(void **state)
{
	(void)state;
	size_t n;
	unsigned char *j = oriented_jpeg(6, 1600, 2400, &n); /* stored 2400x1600 landscape */
	char *path = write_tmp("rot6.jpg", j, n);
	prepared_image p;
	sb_err e = {0};
	assert_int_equal(image_prepare(path, openai_ops.caps, "gpt-4o", "high", 90, &p, &e), 0);
	assert_int_equal(p.orig_w, 1600);
	assert_int_equal(p.orig_h, 2400);
	assert_int_equal(p.w, 768);
	assert_int_equal(p.h, 1152);
	assert_int_equal(tokens_image("gpt-4o", "high", p.w, p.h),
			 tokens_image("gpt-4o", "high", p.orig_w, p.orig_h));
	image_rgb im;
	assert_int_equal(image_decode_scaled(p.jpeg, p.len, 0, 0, &im, &e), 0);
	assert_int_equal(im.w, 768);
	assert_int_equal(im.h, 1152);
	assert_upright(&im);
	image_free(&im);
	prepared_image_free(&p);
	/* Patch model and Gemini sizes. */
	assert_int_equal(image_prepare(path, openai_ops.caps, "gpt-4.1-nano", "high", 80, &p, &e), 0);
	int tw, th;
	tokens_patch_size(1600, 2400, 1536, 2048, &tw, &th);
	assert_int_equal(p.w, tw);
	assert_int_equal(p.h, th);
	prepared_image_free(&p);
	assert_int_equal(image_prepare(path, gemini_ops.caps, "gemini-2.5-flash", "high", 80, &p, &e), 0);
	assert_int_equal(p.h, 1536);
	assert_int_equal(p.w, 1024);
	prepared_image_free(&p);
	/* Low detail: the 512 px box the model uses. */
	assert_int_equal(image_prepare(path, openai_ops.caps, "gpt-4o", "low", 90, &p, &e), 0);
	assert_true(p.w <= 512 && p.h == 512);
	prepared_image_free(&p);
	free(path);
	free(j);
}

static void test_small_not_enlarged(void **state)
{
	(void)state;
	size_t n;
	unsigned char *j = make_jpeg(300, 200, TL, &n);
	char *path = write_tmp("small.jpg", j, n);
	prepared_image p;
	sb_err e = {0};
	assert_int_equal(image_prepare(path, openai_ops.caps, "gpt-4o-mini", "high", 90, &p, &e), 0);
	assert_int_equal(p.w, 300);
	assert_int_equal(p.h, 200);
	prepared_image_free(&p);
	free(path);
	free(j);
}

static void test_corrupt(void **state)
{
	(void)state;
	size_t n;
	unsigned char *j = make_jpeg(640, 480, TL, &n);
	char *trunc = write_tmp("trunc.jpg", j, n / 2);
	prepared_image p;
	sb_err e = {0};
	assert_int_equal(image_prepare(trunc, openai_ops.caps, "gpt-4o", "high", 90, &p, &e), -1);
	assert_int_equal(e.code, SBE_INPUT);
	assert_non_null(strstr(e.msg, "trunc.jpg"));
	char *garbage = write_tmp("garbage.jpg", (const unsigned char *)"hello, not a jpeg", 17);
	assert_int_equal(image_prepare(garbage, openai_ops.caps, "gpt-4o", "high", 90, &p, &e), -1);
	assert_int_equal(e.code, SBE_INPUT);
	assert_non_null(strstr(e.msg, "garbage.jpg"));
	char *missing = xasprintf("%s/none.jpg", tmpdir);
	assert_int_equal(image_prepare(missing, openai_ops.caps, "gpt-4o", "high", 90, &p, &e), -1);
	/* Broken header bytes: never crash. */
	for (size_t k = 2; k < 200 && k < n; k += 7) {
		unsigned char *c = malloc(n);
		memcpy(c, j, n);
		c[k] ^= 0x5a;
		image_rgb im;
		if (image_decode_scaled(c, n, 100, 100, &im, &e) == 0)
			image_free(&im);
		free(c);
	}
	free(trunc); free(garbage); free(missing); free(j);
}

/* A photo-like JPEG: gradients and noise, so the entropy-coded data is
 * large and a cut lands in the middle of it. */
static unsigned char *make_photo(int w, int h, size_t *len)
{
	image_rgb im = { malloc((size_t)w * h * 3), w, h, 3 };
	uint32_t r = 12345;
	for (size_t i = 0; i < (size_t)w * h; i++) {
		r = r * 1103515245u + 12345u;
		int x = (int)(i % (size_t)w), y = (int)(i / (size_t)w);
		im.px[3 * i] = (unsigned char)(x * 255 / w ^ (r >> 24 & 31));
		im.px[3 * i + 1] = (unsigned char)(y * 255 / h);
		im.px[3 * i + 2] = (unsigned char)(r >> 16);
	}
	unsigned char *j;
	sb_err e = {0};
	assert_int_equal(image_encode_jpeg(&im, 92, &j, len, &e), 0);
	image_free(&im);
	return j;
}

/* libjpeg only warns about a cut or damaged scan and fills the rest with
 * grey; a picture made up of grey must never be described. */
static void test_truncated_refused(void **state)
{
	(void)state;
	size_t n;
	unsigned char *j = make_photo(800, 600, &n);
	prepared_image p;
	sb_err e = {0};
	/* the whole photo passes */
	char *good = write_tmp("good.jpg", j, n);
	assert_int_equal(image_prepare(good, openai_ops.caps, "gpt-4o", "high", 90, &p, &e), 0);
	assert_int_equal(p.orig_w, 800);
	prepared_image_free(&p);
	/* its first 60 %: header fine, scan cut short */
	size_t cut = n * 6 / 10;
	char *trunc = write_tmp("cut60.jpg", j, cut);
	memset(&e, 0, sizeof e);
	assert_int_equal(image_prepare(trunc, openai_ops.caps, "gpt-4o", "high", 90, &p, &e), -1);
	assert_int_equal(e.code, SBE_INPUT);
	assert_non_null(strstr(e.msg, "cut60.jpg"));
	assert_non_null(strstr(e.msg, "Premature end"));
	assert_null(p.jpeg);
	/* the scaled decode (preview, request) refuses it too, at every scale */
	image_rgb im;
	int sizes[] = { 0, 400, 100, 50 };
	for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
		memset(&e, 0, sizeof e);
		assert_int_equal(image_decode_scaled(j, cut, sizes[k], sizes[k], &im, &e), -1);
		assert_int_equal(e.code, SBE_INPUT);
		assert_null(im.px);
	}
	/* damaged scan data: a run of bytes in the middle overwritten */
	unsigned char *bad = malloc(n);
	memcpy(bad, j, n);
	for (size_t k = n / 2; k < n / 2 + 64; k++)
		bad[k] = k & 1 ? 0xff : 0xd3; /* stray restart markers */
	char *damaged = write_tmp("damaged.jpg", bad, n);
	memset(&e, 0, sizeof e);
	assert_int_equal(image_prepare(damaged, openai_ops.caps, "gpt-4o", "high", 90, &p, &e), -1);
	assert_int_equal(e.code, SBE_INPUT);
	assert_non_null(strstr(e.msg, "damaged.jpg"));
	/* SOI + APP0 marker followed by junk */
	unsigned char junk[300] = { 0xff, 0xd8, 0xff, 0xe0 };
	for (size_t k = 4; k < sizeof junk; k++)
		junk[k] = (unsigned char)(k * 37 + 11);
	char *jp = write_tmp("junk.jpg", junk, sizeof junk);
	memset(&e, 0, sizeof e);
	assert_int_equal(image_prepare(jp, openai_ops.caps, "gpt-4o", "high", 90, &p, &e), -1);
	assert_int_equal(e.code, SBE_INPUT);
	assert_non_null(strstr(e.msg, "junk.jpg"));
	assert_int_equal(image_decode_scaled(junk, sizeof junk, 100, 100, &im, &e), -1);
	free(good); free(trunc); free(damaged); free(jp); free(bad); free(j);
}

/* APP1 Exif with only the given date tags: 0x0132 in IFD0 and/or 0x9004
 * (and 0x9003) in the Exif IFD; a NULL date leaves the tag out. */
static unsigned char *make_dates(const char *dt0132, const char *dt9003, const char *dt9004,
				 size_t *seglen)
{
	unsigned char t[512] = {0};
	memcpy(t, "II\x2a\0", 4);
	put32(t + 4, 8);
	uint32_t ifd0 = 8, exif = ifd0 + 2 + 2 * 12 + 4, strs = exif + 2 + 2 * 12 + 4;
	const char *d0[3] = { dt0132, dt9003, dt9004 };
	uint32_t at[3];
	for (int i = 0; i < 3; i++) {
		at[i] = strs + 20 * (uint32_t)i;
		if (d0[i])
			memcpy(t + at[i], d0[i], 20);
	}
	unsigned n0 = 0, ne = 0;
	if (dt0132)
		entry(t + ifd0 + 2 + 12 * n0++, 0x0132, 2, 20, at[0]);
	entry(t + ifd0 + 2 + 12 * n0++, 0x8769, 4, 1, exif);
	put16(t + ifd0, n0);
	if (dt9003)
		entry(t + exif + 2 + 12 * ne++, 0x9003, 2, 20, at[1]);
	if (dt9004)
		entry(t + exif + 2 + 12 * ne++, 0x9004, 2, 20, at[2]);
	put16(t + exif, ne);
	size_t tl = strs + 60, n = 4 + 6 + tl;
	unsigned char *seg = malloc(n);
	seg[0] = 0xff; seg[1] = 0xe1; seg[2] = (unsigned char)((n - 2) >> 8); seg[3] = (n - 2) & 255;
	memcpy(seg + 4, "Exif\0\0", 6);
	memcpy(seg + 10, t, tl);
	*seglen = n;
	return seg;
}

static void test_exif_date_fallback(void **state)
{
	(void)state;
	static const struct {
		const char *d0132, *d9003, *d9004, *want;
	} cases[] = {
		{ "2020:01:02 03:04:05", "2024:06:15 10:20:30", "2023:05:14 00:00:00", "15 06 2024" },
		{ "2020:01:02 03:04:05", NULL, "2023:05:14 00:00:00", "14 05 2023" },
		{ "2020:01:02 03:04:05", NULL, NULL, "02 01 2020" },
		{ "2020:01:02 03:04:05", "0000:00:00 00:00:00", NULL, "02 01 2020" },
		{ NULL, NULL, "2023:05:14 00:00:00", "14 05 2023" },
		{ "    :  :     :  :  ", NULL, NULL, NULL },
		{ NULL, NULL, NULL, NULL },
	};
	size_t jl;
	unsigned char *j = make_jpeg(32, 16, TL, &jl);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		size_t sl, n;
		unsigned char *seg = make_dates(cases[i].d0132, cases[i].d9003, cases[i].d9004, &sl);
		unsigned char *x = splice(j, jl, seg, sl, &n);
		char d[16] = "";
		bool got = exif_date(x, n, d);
		if (cases[i].want) {
			assert_true(got);
			assert_string_equal(d, cases[i].want);
		} else {
			assert_false(got);
		}
		for (size_t k = 0; k < n; k++) /* bounded on every truncation */
			(void)exif_date(x, k, d);
		free(seg);
		free(x);
	}
	free(j);
}

static void test_resize(void **state)
{
	(void)state;
	/* 4x2 -> 2x1 area average. */
	unsigned char px[4 * 2 * 3];
	for (int i = 0; i < 8; i++) {
		px[3 * i] = (unsigned char)(i % 4 < 2 ? 0 : 200);
		px[3 * i + 1] = 100;
		px[3 * i + 2] = (unsigned char)(i < 4 ? 10 : 30);
	}
	image_rgb in = { px, 4, 2, 3 }, out;
	assert_int_equal(image_resize(&in, 2, 1, &out), 0);
	assert_int_equal(out.px[0], 0);
	assert_int_equal(out.px[3], 200);
	assert_int_equal(out.px[1], 100);
	assert_int_equal(out.px[2], 20);
	image_free(&out);
	/* 3 -> 2: pixel 1 is split half and half. */
	unsigned char row[9] = { 0, 0, 0, 90, 90, 90, 180, 180, 180 };
	image_rgb r = { row, 3, 1, 3 };
	assert_int_equal(image_resize(&r, 2, 1, &out), 0);
	assert_int_equal(out.px[0], 30);
	assert_int_equal(out.px[3], 150);
	image_free(&out);
}

/* A CMYK JPEG (as Photoshop writes them, inverted) decodes to RGB. */
static void test_cmyk(void **state)
{
	(void)state;
	int w = 32, h = 16;
	unsigned char *px = malloc((size_t)w * h * 4);
	for (int i = 0; i < w * h; i++) {
		bool red = (i % w) < w / 2;
		/* inverted CMYK: 255 = no ink */
		px[4 * i] = red ? 255 : 0;     /* C: right half cyan */
		px[4 * i + 1] = red ? 0 : 255; /* M: left half magenta */
		px[4 * i + 2] = 0;             /* Y: everywhere */
		px[4 * i + 3] = 255;           /* K: none */
	}
	tjhandle tj = tjInitCompress();
	unsigned char *j = NULL;
	unsigned long jl = 0;
	assert_int_equal(tjCompress2(tj, px, w, 0, h, TJPF_CMYK, &j, &jl, TJSAMP_444, 95, 0), 0);
	tjDestroy(tj);
	image_rgb im;
	sb_err e = {0};
	assert_int_equal(image_decode_scaled(j, jl, 0, 0, &im, &e), 0);
	assert_int_equal(im.channels, 3);
	assert_true(is_red(&im, 4, 8));
	const unsigned char *b = im.px + (8 * w + 28) * 3;
	assert_true(b[0] < 60 && b[1] > 150 && b[2] < 60); /* cyan + yellow = green */
	image_free(&im);
	tjFree(j);
	free(px);
}

typedef struct job { const char *path; unsigned char *jpeg; size_t len; int rc; } job;

static void *prep_thread(void *arg)
{
	job *jb = arg;
	for (int i = 0; i < 4; i++) {
		prepared_image p;
		sb_err e = {0};
		jb->rc |= image_prepare(jb->path, openai_ops.caps, "gpt-4o", "high", 90, &p, &e);
		if (jb->rc == 0 && i == 3) {
			jb->jpeg = p.jpeg;
			jb->len = p.len;
		} else {
			prepared_image_free(&p);
		}
	}
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	size_t n;
	unsigned char *j = oriented_jpeg(8, 2000, 1500, &n);
	char *path = write_tmp("thr.jpg", j, n);
	job a = { path, NULL, 0, 0 }, b = { path, NULL, 0, 0 };
	pthread_t ta, tb;
	pthread_create(&ta, NULL, prep_thread, &a);
	pthread_create(&tb, NULL, prep_thread, &b);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	assert_int_equal(a.rc, 0);
	assert_int_equal(b.rc, 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.jpeg, b.jpeg, a.len);
	free(a.jpeg); free(b.jpeg); free(path); free(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exif),
		cmocka_unit_test(test_mpf_preview),
		cmocka_unit_test(test_all_orientations),
		cmocka_unit_test(test_scaled_decode),
		cmocka_unit_test(test_prepare_rotated),
		cmocka_unit_test(test_small_not_enlarged),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_truncated_refused),
		cmocka_unit_test(test_exif_date_fallback),
		cmocka_unit_test(test_resize),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_cmyk),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
