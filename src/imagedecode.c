/* imagedecode.c: PNG, TIFF, HEIC/HEIF and camera RAW to RGB, for the
 * request image and the TUI preview (imageprep.c hands over every buffer
 * that is not a JPEG).  Debian's libraries do the decoding: libpng's
 * simplified API, libtiff's RGBA reader, libheif (which applies the HEIF
 * rotation and mirror itself), libraw for a RAW file's embedded preview
 * (the camera's own JPEG, or a bitmap).  Input is untrusted: sizes are
 * capped before any pixel buffer is allocated, and the libraries' messages
 * never reach the terminal. */
#include "config.h"
#include "imagedecode.h"
#include "i18n.h"

#include <libheif/heif.h>
#include <libraw.h>
#include <png.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>

/* 120 MP: more than any camera or scanner file a stock library holds. */
#define MAX_PIXELS (120L * 1000 * 1000)

bool image_is_jpeg(const unsigned char *d, size_t len)
{
	return len >= 3 && d[0] == 0xff && d[1] == 0xd8 && d[2] == 0xff;
}

static bool size_fits(long w, long h)
{
	return w >= 1 && h >= 1 && w <= 65535 * 4 && h <= 65535 * 4 && w * h <= MAX_PIXELS;
}

static int too_large(sb_err *e, const char *what, long w, long h)
{
	return sb_fail(e, SBE_INPUT, _("not a readable %s: size %ld x %ld"), what, w, h);
}

static void rgb_alloc(image_rgb *out, int w, int h)
{
	out->px = xmalloc((size_t)w * h * 3);
	out->w = w;
	out->h = h;
	out->channels = 3;
}

/* ---- PNG ---- */

static bool is_png(const unsigned char *d, size_t len)
{
	return len >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0;
}

/* The eXIf chunk's orientation (PNG 1.5 extension); chunks are walked by
 * hand, bounded, since the simplified API does not read it. */
static int png_orientation(const unsigned char *d, size_t len)
{
	size_t i = 8;
	while (len - i >= 12) {
		uint32_t n = (uint32_t)d[i] << 24 | (uint32_t)d[i + 1] << 16 |
			     (uint32_t)d[i + 2] << 8 | d[i + 3];
		const unsigned char *type = d + i + 4;
		if (n > len - i - 12)
			return 1;
		if (memcmp(type, "eXIf", 4) == 0)
			return exif_orientation_tiff(d + i + 8, n);
		if (memcmp(type, "IDAT", 4) == 0 || memcmp(type, "IEND", 4) == 0)
			return 1; /* eXIf must come before the image data */
		i += 12 + (size_t)n;
	}
	return 1;
}

static int decode_png(const unsigned char *d, size_t len, image_rgb *out, int *o, sb_err *e)
{
	png_image pi;
	memset(&pi, 0, sizeof pi);
	pi.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_memory(&pi, d, len)) {
		int rc = sb_fail(e, SBE_INPUT, _("not a readable PNG: %s"), pi.message);
		png_image_free(&pi);
		return rc;
	}
	if (!size_fits(pi.width, pi.height)) {
		png_image_free(&pi);
		return too_large(e, "PNG", (long)pi.width, (long)pi.height);
	}
	pi.format = PNG_FORMAT_RGB; /* alpha goes onto white, 16 bits to 8 */
	png_color white = { 255, 255, 255 };
	rgb_alloc(out, (int)pi.width, (int)pi.height);
	if (!png_image_finish_read(&pi, &white, out->px, 0, NULL)) {
		int rc = sb_fail(e, SBE_INPUT, _("corrupt or truncated PNG: %s"), pi.message);
		png_image_free(&pi);
		image_free(out);
		return rc;
	}
	*o = png_orientation(d, len);
	return 0;
}

/* ---- TIFF ---- */

static bool is_tiff(const unsigned char *d, size_t len)
{
	return len >= 4 && ((d[0] == 'I' && d[1] == 'I' && d[2] == 42 && d[3] == 0) ||
			    (d[0] == 'M' && d[1] == 'M' && d[2] == 0 && d[3] == 42));
}

typedef struct memfile {
	const unsigned char *p;
	toff_t len, pos;
} memfile;

static tsize_t mf_read(thandle_t h, tdata_t buf, tsize_t n)
{
	memfile *m = (memfile *)h;
	if (n < 0)
		return -1;
	toff_t left = m->pos < m->len ? m->len - m->pos : 0;
	toff_t k = (toff_t)n < left ? (toff_t)n : left;
	memcpy(buf, m->p + m->pos, (size_t)k);
	m->pos += k;
	return (tsize_t)k;
}

static tsize_t mf_write(thandle_t h, tdata_t buf, tsize_t n)
{
	(void)h;
	(void)buf;
	(void)n;
	return -1;
}

static toff_t mf_seek(thandle_t h, toff_t off, int whence)
{
	memfile *m = (memfile *)h;
	toff_t base = whence == SEEK_CUR ? m->pos : whence == SEEK_END ? m->len : 0;
	m->pos = base + off;
	return m->pos;
}

static int mf_close(thandle_t h)
{
	(void)h;
	return 0;
}

static toff_t mf_size(thandle_t h)
{
	return ((memfile *)h)->len;
}

static int mf_map(thandle_t h, tdata_t *base, toff_t *size)
{
	memfile *m = (memfile *)h;
	*base = (tdata_t)m->p;
	*size = m->len;
	return 1;
}

static void mf_unmap(thandle_t h, tdata_t base, toff_t size)
{
	(void)h;
	(void)base;
	(void)size;
}

static pthread_once_t quiet_once = PTHREAD_ONCE_INIT;

static void quiet_libs(void)
{
	TIFFSetErrorHandler(NULL);
	TIFFSetWarningHandler(NULL);
	heif_init(NULL);
}

static int decode_tiff(const unsigned char *d, size_t len, image_rgb *out, int *o, sb_err *e)
{
	memfile m = { d, (toff_t)len, 0 };
	TIFF *t = TIFFClientOpen("image", "rm", (thandle_t)&m, mf_read, mf_write, mf_seek, mf_close,
				 mf_size, mf_map, mf_unmap);
	if (!t)
		return sb_fail(e, SBE_INPUT, _("not a readable TIFF"));
	uint32_t w = 0, h = 0;
	uint16_t ori = ORIENTATION_TOPLEFT;
	TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &w);
	TIFFGetField(t, TIFFTAG_IMAGELENGTH, &h);
	TIFFGetFieldDefaulted(t, TIFFTAG_ORIENTATION, &ori);
	if (!size_fits(w, h)) {
		TIFFClose(t);
		return too_large(e, "TIFF", (long)w, (long)h);
	}
	/* Read in the stored order; the rotation is applied with the JPEG
	 * path's own code (libtiff's reader only flips). */
	TIFFSetField(t, TIFFTAG_ORIENTATION, ORIENTATION_TOPLEFT);
	uint32_t *raster = malloc((size_t)w * h * sizeof *raster);
	if (!raster) {
		TIFFClose(t);
		return too_large(e, "TIFF", (long)w, (long)h);
	}
	if (!TIFFReadRGBAImageOriented(t, w, h, raster, ORIENTATION_TOPLEFT, 0)) {
		free(raster);
		TIFFClose(t);
		return sb_fail(e, SBE_INPUT, _("corrupt or truncated TIFF"));
	}
	TIFFClose(t);
	rgb_alloc(out, (int)w, (int)h);
	size_t n = (size_t)w * h;
	for (size_t i = 0; i < n; i++) { /* premultiplied alpha onto white */
		uint32_t p = raster[i];
		unsigned a = TIFFGetA(p);
		out->px[3 * i] = (unsigned char)(TIFFGetR(p) + 255 - a);
		out->px[3 * i + 1] = (unsigned char)(TIFFGetG(p) + 255 - a);
		out->px[3 * i + 2] = (unsigned char)(TIFFGetB(p) + 255 - a);
	}
	free(raster);
	*o = ori >= 1 && ori <= 8 ? ori : 1;
	return 0;
}

/* ---- HEIC / HEIF / AVIF ---- */

static bool is_heif(const unsigned char *d, size_t len)
{
	if (len < 12 || memcmp(d + 4, "ftyp", 4) != 0)
		return false;
	static const char *const brands[] = { "heic", "heix", "heim", "heis", "hevc", "hevx",
					      "mif1", "msf1", "avif", "avis", NULL };
	for (int i = 0; brands[i]; i++)
		if (memcmp(d + 8, brands[i], 4) == 0)
			return true;
	return false;
}

static int heif_failed(sb_err *e, struct heif_error he)
{
	return sb_fail(e, SBE_INPUT, _("not a readable HEIC/HEIF: %s"),
		       he.message ? he.message : "?");
}

static int decode_heif(const unsigned char *d, size_t len, image_rgb *out, int *o, sb_err *e)
{
	struct heif_context *ctx = heif_context_alloc();
	struct heif_image_handle *hd = NULL;
	struct heif_image *img = NULL;
	int rc = -1;
	struct heif_error he = heif_context_read_from_memory_without_copy(ctx, d, len, NULL);
	if (he.code == heif_error_Ok)
		he = heif_context_get_primary_image_handle(ctx, &hd);
	if (he.code != heif_error_Ok) {
		rc = heif_failed(e, he);
		goto done;
	}
	int w = heif_image_handle_get_width(hd), h = heif_image_handle_get_height(hd);
	if (!size_fits(w, h)) {
		rc = too_large(e, "HEIC/HEIF", w, h);
		goto done;
	}
	/* the default options apply the file's rotation and mirror (irot, imir) */
	he = heif_decode_image(hd, &img, heif_colorspace_RGB, heif_chroma_interleaved_RGB, NULL);
	if (he.code != heif_error_Ok) {
		rc = heif_failed(e, he);
		goto done;
	}
	int stride = 0;
	const uint8_t *px = heif_image_get_plane_readonly(img, heif_channel_interleaved, &stride);
	w = heif_image_get_width(img, heif_channel_interleaved);
	h = heif_image_get_height(img, heif_channel_interleaved);
	if (!px || !size_fits(w, h) || stride < 3 * w) {
		rc = sb_fail(e, SBE_INPUT, _("not a readable HEIC/HEIF: %s"), "no RGB plane");
		goto done;
	}
	rgb_alloc(out, w, h);
	for (int y = 0; y < h; y++)
		memcpy(out->px + (size_t)y * w * 3, px + (size_t)y * stride, (size_t)w * 3);
	*o = 1;
	rc = 0;
done:
	if (img)
		heif_image_release(img);
	if (hd)
		heif_image_handle_release(hd);
	heif_context_free(ctx);
	return rc;
}

/* ---- camera RAW: the embedded preview ---- */

/* libraw's flip (0, 3, 5, 6) as EXIF orientation */
static int flip_orientation(int flip)
{
	switch (flip) {
	case 3: return 3;
	case 5: return 8;
	case 6: return 6;
	default: return 1;
	}
}

static int decode_raw_preview(const unsigned char *d, size_t len, int min_w, int min_h,
			      image_rgb *out, int *o, sb_err *e)
{
	libraw_data_t *lr = libraw_init(0);
	if (!lr)
		return sb_fail(e, SBE_GENERIC, _("cannot start the RAW decoder"));
	int rc = -1, err = 0;
	libraw_processed_image_t *th = NULL;
	/* libraw reads the buffer only; its prototype lacks the const */
	int r = libraw_open_buffer(lr, (void *)(uintptr_t)d, len);
	if (r == LIBRAW_SUCCESS)
		r = libraw_unpack_thumb(lr);
	if (r != LIBRAW_SUCCESS) {
		rc = sb_fail(e, SBE_INPUT, _("not a RAW file with a readable preview: %s"),
			     libraw_strerror(r));
		goto done;
	}
	th = libraw_dcraw_make_mem_thumb(lr, &err);
	if (!th) {
		rc = sb_fail(e, SBE_INPUT, _("not a RAW file with a readable preview: %s"),
			     libraw_strerror(err));
		goto done;
	}
	int flip = flip_orientation(lr->sizes.flip);
	if (th->type == LIBRAW_IMAGE_JPEG) {
		bool sw = flip >= 5;
		/* the camera's JPEG, oriented by its own EXIF if it has any */
		if (image_decode_scaled(th->data, th->data_size, sw ? min_h : min_w,
					sw ? min_w : min_h, out, e) < 0)
			goto done;
		*o = flip;
		rc = 0;
	} else if (th->type == LIBRAW_IMAGE_BITMAP && th->colors == 3 && th->bits == 8 &&
		   size_fits(th->width, th->height) &&
		   th->data_size >= (unsigned)th->width * th->height * 3) {
		rgb_alloc(out, th->width, th->height);
		memcpy(out->px, th->data, (size_t)th->width * th->height * 3);
		*o = flip;
		rc = 0;
	} else
		rc = sb_fail(e, SBE_INPUT, _("not a RAW file with a readable preview: %s"),
			     "unsupported preview");
done:
	if (th)
		libraw_dcraw_clear_mem(th);
	libraw_close(lr);
	return rc;
}

int image_decode_other(const unsigned char *data, size_t len, int min_w, int min_h, image_rgb *out,
		       int *orientation, sb_err *e)
{
	memset(out, 0, sizeof *out);
	*orientation = 1;
	pthread_once(&quiet_once, quiet_libs);
	if (is_png(data, len))
		return decode_png(data, len, out, orientation, e);
	if (is_heif(data, len))
		return decode_heif(data, len, out, orientation, e);
	/* A RAW file is often a TIFF underneath (CR2, NEF, ARW, DNG): its
	 * preview first, plain TIFF when libraw finds no camera data. */
	sb_err raw_e;
	sb_err_clear(&raw_e);
	if (decode_raw_preview(data, len, min_w, min_h, out, orientation, &raw_e) == 0)
		return 0;
	if (is_tiff(data, len))
		return decode_tiff(data, len, out, orientation, e);
	return sb_fail(e, SBE_INPUT, _("not a JPEG, PNG, TIFF, HEIC or RAW file (%zu bytes)"), len);
}
