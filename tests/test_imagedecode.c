/* test_imagedecode.c: PNG, TIFF, HEIC and RAW photos reach the model and
 * the preview as the same upright RGB a JPEG does.  Every file is made here
 * with the library that reads it (libpng, libtiff, libheif's own encoder;
 * a DNG written with libtiff: a raw CFA sub-image and an RGB preview), so no
 * fixture files are needed.  Pictures are blue with a red quadrant where the
 * upright view has its top-left corner. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <libheif/heif.h>
#include <png.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>
#include <unistd.h>

#include "imagedecode.h"
#include "imageprep.h"
#include "provider.h"

static char tmpdir[64];

/* The HEVC encoder libheif uses to make the test's HEIC (x265, test only)
 * keeps one block for the life of the process; LeakSanitizer (the ASan
 * pass) is told so, and only about it. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libx265.so\n";
}

enum { TL, TR, BL, BR };
static const int corner_of[9] = { 0, TL, TR, BR, BL, TL, BL, BR, TR };

/* w x h RGB (or RGBA, alpha 255), red quadrant at corner. */
static unsigned char *pixels(int w, int h, int corner, int ch)
{
	unsigned char *px = malloc((size_t)w * h * ch);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			bool right = x >= w / 2, bottom = y >= h / 2;
			bool red = (corner == TL && !right && !bottom) ||
				   (corner == TR && right && !bottom) ||
				   (corner == BL && !right && bottom) || (corner == BR && right && bottom);
			unsigned char *p = px + ((size_t)y * w + x) * ch;
			p[0] = red ? 220 : 20;
			p[1] = 20;
			p[2] = red ? 20 : 220;
			if (ch == 4)
				p[3] = 255;
		}
	return px;
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
static void assert_upright(const image_rgb *im)
{
	int qx = im->w / 4, qy = im->h / 4;
	assert_true(is_red(im, qx, qy));
	assert_true(is_blue(im, 3 * qx, qy));
	assert_true(is_blue(im, qx, 3 * qy));
	assert_true(is_blue(im, 3 * qx, 3 * qy));
}

static char *tmp(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static unsigned char *slurp(const char *path, size_t *n)
{
	char *d = NULL;
	sb_err e = { 0 };
	assert_int_equal(read_whole_file(path, &d, n, &e), 0);
	return (unsigned char *)d;
}

/* ---- PNG, with an eXIf chunk spliced after IHDR ---- */

static uint32_t crc32_of(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
	}
	return c ^ 0xffffffffu;
}

static void be32(unsigned char *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 255;
	p[2] = (v >> 8) & 255;
	p[3] = v & 255;
}

static char *make_png(const char *name, int o, int w, int h, bool alpha_hole)
{
	bool sw = o >= 5;
	int sw_w = sw ? h : w, sw_h = sw ? w : h;
	unsigned char *px = pixels(sw_w, sw_h, corner_of[o], 4);
	if (alpha_hole) /* the bottom-right quadrant transparent: white behind */
		for (int y = sw_h / 2; y < sw_h; y++)
			for (int x = sw_w / 2; x < sw_w; x++)
				px[((size_t)y * sw_w + x) * 4 + 3] = 0;
	png_image pi;
	memset(&pi, 0, sizeof pi);
	pi.version = PNG_IMAGE_VERSION;
	pi.width = (png_uint_32)sw_w;
	pi.height = (png_uint_32)sw_h;
	pi.format = PNG_FORMAT_RGBA;
	png_alloc_size_t n = 0;
	assert_true(png_image_write_to_memory(&pi, NULL, &n, 0, px, 0, NULL));
	unsigned char *buf = malloc(n);
	assert_true(png_image_write_to_memory(&pi, buf, &n, 0, px, 0, NULL));
	free(px);
	/* eXIf: a big-endian TIFF block with IFD0 { Orientation } */
	unsigned char ex[26] = { 'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1,
				 0, (unsigned char)o, 0, 0, 0, 0, 0, 0 };
	unsigned char chunk[12 + sizeof ex];
	be32(chunk, sizeof ex);
	memcpy(chunk + 4, "eXIf", 4);
	memcpy(chunk + 8, ex, sizeof ex);
	be32(chunk + 8 + sizeof ex, crc32_of(chunk + 4, 4 + sizeof ex));
	size_t at = 8 + 25; /* signature, IHDR */
	unsigned char *out = malloc(n + sizeof chunk);
	memcpy(out, buf, at);
	memcpy(out + at, chunk, sizeof chunk);
	memcpy(out + at + sizeof chunk, buf + at, n - at);
	free(buf);
	char *path = tmp(name);
	sb_err e = { 0 };
	assert_int_equal(atomic_write(path, out, n + sizeof chunk, 0644, &e), 0);
	free(out);
	return path;
}

/* ---- TIFF ---- */

static char *make_tiff(const char *name, int o, int w, int h)
{
	bool sw = o >= 5;
	int tw = sw ? h : w, th = sw ? w : h;
	unsigned char *px = pixels(tw, th, corner_of[o], 3);
	char *path = tmp(name);
	TIFF *t = TIFFOpen(path, "w");
	assert_non_null(t);
	TIFFSetField(t, TIFFTAG_IMAGEWIDTH, tw);
	TIFFSetField(t, TIFFTAG_IMAGELENGTH, th);
	TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 3);
	TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 8);
	TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_RGB);
	TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
	TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_LZW);
	TIFFSetField(t, TIFFTAG_ORIENTATION, o);
	TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, th);
	for (int y = 0; y < th; y++)
		assert_true(TIFFWriteScanline(t, px + (size_t)y * tw * 3, (uint32_t)y, 0) >= 0);
	TIFFClose(t);
	free(px);
	return path;
}

/* ---- HEIC, encoded by libheif (HEVC) ---- */

static char *make_heic(const char *name, int w, int h)
{
	unsigned char *px = pixels(w, h, TL, 3);
	struct heif_image *img;
	assert_int_equal(heif_image_create(w, h, heif_colorspace_RGB, heif_chroma_interleaved_RGB,
					   &img)
				 .code,
			 heif_error_Ok);
	assert_int_equal(heif_image_add_plane(img, heif_channel_interleaved, w, h, 8).code,
			 heif_error_Ok);
	int stride;
	uint8_t *p = heif_image_get_plane(img, heif_channel_interleaved, &stride);
	for (int y = 0; y < h; y++)
		memcpy(p + (size_t)y * stride, px + (size_t)y * w * 3, (size_t)w * 3);
	free(px);
	struct heif_context *ctx = heif_context_alloc();
	struct heif_encoder *enc = NULL;
	struct heif_error he = heif_context_get_encoder_for_format(ctx, heif_compression_HEVC, &enc);
	if (he.code != heif_error_Ok) {
		heif_image_release(img);
		heif_context_free(ctx);
		return NULL; /* no HEVC encoder in this libheif */
	}
	heif_encoder_set_lossy_quality(enc, 90);
	assert_int_equal(heif_context_encode_image(ctx, img, enc, NULL, NULL).code, heif_error_Ok);
	char *path = tmp(name);
	assert_int_equal(heif_context_write_to_file(ctx, path).code, heif_error_Ok);
	heif_encoder_release(enc);
	heif_image_release(img);
	heif_context_free(ctx);
	return path;
}

/* ---- DNG: IFD0 the RGB preview, its SubIFD the raw CFA data ---- */

static char *make_dng(const char *name, int o, int w, int h)
{
	bool sw = o >= 5;
	int tw = sw ? h : w, th = sw ? w : h;
	char *path = tmp(name);
	TIFF *t = TIFFOpen(path, "w");
	assert_non_null(t);
	static const uint8_t ver[4] = { 1, 4, 0, 0 };
	uint64_t sub[1] = { 0 };
	unsigned char *px = pixels(tw, th, corner_of[o], 3);
	TIFFSetField(t, TIFFTAG_SUBFILETYPE, FILETYPE_REDUCEDIMAGE);
	TIFFSetField(t, TIFFTAG_IMAGEWIDTH, tw);
	TIFFSetField(t, TIFFTAG_IMAGELENGTH, th);
	TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 3);
	TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 8);
	TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_RGB);
	TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
	TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_NONE);
	TIFFSetField(t, TIFFTAG_ORIENTATION, o);
	TIFFSetField(t, TIFFTAG_MAKE, "Canon");
	TIFFSetField(t, TIFFTAG_MODEL, "Canon EOS 5D Mark IV");
	TIFFSetField(t, TIFFTAG_UNIQUECAMERAMODEL, "Canon EOS 5D Mark IV");
	TIFFSetField(t, TIFFTAG_DNGVERSION, ver);
	TIFFSetField(t, TIFFTAG_DNGBACKWARDVERSION, ver);
	TIFFSetField(t, TIFFTAG_SUBIFD, 1, sub);
	TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, th);
	for (int y = 0; y < th; y++)
		assert_true(TIFFWriteScanline(t, px + (size_t)y * tw * 3, (uint32_t)y, 0) >= 0);
	free(px);
	assert_true(TIFFWriteDirectory(t));
	/* the raw image: 16-bit RGGB Bayer, twice the preview */
	int rw = tw * 2, rh = th * 2;
	static const uint16_t dim[2] = { 2, 2 };
	static const uint8_t pat[4] = { 0, 1, 1, 2 };
	TIFFSetField(t, TIFFTAG_SUBFILETYPE, 0);
	TIFFSetField(t, TIFFTAG_IMAGEWIDTH, rw);
	TIFFSetField(t, TIFFTAG_IMAGELENGTH, rh);
	TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
	TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 16);
	TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_CFA);
	TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
	TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_NONE);
	TIFFSetField(t, TIFFTAG_CFAREPEATPATTERNDIM, dim);
	TIFFSetField(t, TIFFTAG_CFAPATTERN, 4, pat);
	TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, rh);
	uint16_t *row = calloc((size_t)rw, sizeof *row);
	for (int y = 0; y < rh; y++)
		assert_true(TIFFWriteScanline(t, row, (uint32_t)y, 0) >= 0);
	free(row);
	assert_true(TIFFWriteDirectory(t));
	TIFFClose(t);
	return path;
}

/* ---- the checks ---- */

/* decoded upright at the oriented size, through the preview's entry */
static void check_decoded(const char *path, int w, int h)
{
	size_t n;
	unsigned char *d = slurp(path, &n);
	image_rgb im;
	sb_err e = { 0 };
	assert_int_equal(image_decode_scaled(d, n, 0, 0, &im, &e), 0);
	assert_int_equal(im.w, w);
	assert_int_equal(im.h, h);
	assert_upright(&im);
	image_free(&im);
	free(d);
}

/* the request image: a JPEG at the model's size, upright */
static void check_prepared(const char *path, int w, int h)
{
	prepared_image p;
	sb_err e = { 0 };
	assert_int_equal(image_prepare(path, openai_ops.caps, "gpt-4o", "low", 90, &p, &e), 0);
	assert_int_equal(p.orig_w, w);
	assert_int_equal(p.orig_h, h);
	assert_true(image_is_jpeg(p.jpeg, p.len));
	image_rgb im;
	assert_int_equal(image_decode_scaled(p.jpeg, p.len, 0, 0, &im, &e), 0);
	assert_int_equal(im.w, p.w);
	assert_int_equal(im.h, p.h);
	assert_upright(&im);
	image_free(&im);
	prepared_image_free(&p);
	int fw, fh;
	assert_int_equal(image_file_size(path, &fw, &fh, &e), 0);
	assert_int_equal(fw, w);
	assert_int_equal(fh, h);
}

static void test_png(void **state)
{
	(void)state;
	for (int o = 1; o <= 8; o++) {
		char name[32];
		snprintf(name, sizeof name, "o%d.png", o);
		char *path = make_png(name, o, 320, 240, false);
		check_decoded(path, 320, 240);
		check_prepared(path, 320, 240);
		free(path);
	}
	/* transparency lands on white, not black */
	char *path = make_png("alpha.png", 1, 64, 48, true);
	size_t n;
	unsigned char *d = slurp(path, &n);
	image_rgb im;
	sb_err e = { 0 };
	assert_int_equal(image_decode_scaled(d, n, 0, 0, &im, &e), 0);
	const unsigned char *px = im.px + ((size_t)40 * im.w + 56) * 3;
	assert_true(px[0] == 255 && px[1] == 255 && px[2] == 255);
	image_free(&im);
	free(d);
	free(path);
}

static void test_tiff(void **state)
{
	(void)state;
	for (int o = 1; o <= 8; o++) {
		char name[32];
		snprintf(name, sizeof name, "o%d.tif", o);
		char *path = make_tiff(name, o, 300, 200);
		check_decoded(path, 300, 200);
		check_prepared(path, 300, 200);
		free(path);
	}
}

static void test_heic(void **state)
{
	(void)state;
	char *path = make_heic("photo.heic", 256, 192);
	if (!path) {
		skip();
		return;
	}
	check_decoded(path, 256, 192);
	check_prepared(path, 256, 192);
	free(path);
}

/* A RAW file: its embedded preview, turned by the raw's orientation; with
 * a JPEG shot beside it, that JPEG is the picture. */
static void test_raw(void **state)
{
	(void)state;
	static const int os[] = { 1, 3, 6, 8 };
	for (size_t i = 0; i < sizeof os / sizeof *os; i++) {
		char name[32];
		snprintf(name, sizeof name, "IMG_%d.DNG", os[i]);
		char *path = make_dng(name, os[i], 160, 120);
		check_decoded(path, 160, 120);
		check_prepared(path, 160, 120);
		char *img = image_jpeg_of(path);
		assert_string_equal(img, path);
		free(img);
		free(path);
	}
	char *raw = tmp("PAIR.CR2"), *jpg = tmp("PAIR.JPG");
	sb_err e = { 0 };
	assert_int_equal(atomic_write(raw, "not really raw", 14, 0644, &e), 0);
	assert_int_equal(atomic_write(jpg, "\xff\xd8\xff", 3, 0644, &e), 0);
	char *img = image_jpeg_of(raw);
	assert_string_equal(img, jpg);
	free(img);
	free(raw);
	free(jpg);
}

/* Junk and truncated files of each kind are refused with a reason, never
 * a crash or a half-grey picture. */
static void test_corrupt(void **state)
{
	(void)state;
	char *paths[3] = { make_png("cut.png", 1, 200, 100, false), make_tiff("cut.tif", 1, 200, 100),
			   make_dng("cut.dng", 1, 100, 80) };
	for (int k = 0; k < 3; k++) {
		size_t n;
		unsigned char *d = slurp(paths[k], &n);
		for (size_t cut = 0; cut < n; cut += n / 7 + 1) {
			image_rgb im;
			sb_err e = { 0 };
			if (image_decode_scaled(d, cut, 0, 0, &im, &e) == 0)
				image_free(&im);
			else
				assert_true(e.msg[0] != '\0');
		}
		free(d);
		free(paths[k]);
	}
	static const unsigned char junk[] = "GIF89a this is not a photo at all";
	image_rgb im;
	sb_err e = { 0 };
	assert_int_equal(image_decode_scaled(junk, sizeof junk, 0, 0, &im, &e), -1);
	assert_non_null(strstr(e.msg, "PNG"));
}

static int setup(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/sbdecXXXXXX");
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_png),  cmocka_unit_test(test_tiff),
		cmocka_unit_test(test_heic), cmocka_unit_test(test_raw),
		cmocka_unit_test(test_corrupt),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
