/* imageprep.c: JPEG in, model-sized JPEG out.  The DCT-scaled decode does
 * most of the shrinking for free (a 24 MP photo is decoded at 1/4 or 1/8),
 * the area-average resize lands on the exact size the model looks at, and
 * the orientation is applied to the small image.  One tjhandle per call, so
 * the engine can prepare on every core. */
#include "config.h"
#include "imageprep.h"
#include "imagedecode.h"
#include "photomedia.h"
#include "provider.h"
#include "i18n.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <turbojpeg.h>

void image_free(image_rgb *im)
{
	if (!im)
		return;
	free(im->px);
	im->px = NULL;
	im->w = im->h = 0;
}

void prepared_image_free(prepared_image *p)
{
	if (!p)
		return;
	free(p->jpeg);
	memset(p, 0, sizeof *p);
}

/* The provider's size for the model, never below 1 x 1. */
static void model_size(const provider_caps *caps, const char *model, const char *detail, int w,
		       int h, int *tw, int *th)
{
	caps->image_size(model, detail, w, h, tw, th);
	if (*tw < 1)
		*tw = 1;
	if (*th < 1)
		*th = 1;
}

static bool swaps_axes(int o)
{
	return o >= 5 && o <= 8;
}

int image_orient(image_rgb *im, int o)
{
	if (o <= 1 || o > 8)
		return 0;
	int w = im->w, h = im->h, c = im->channels;
	int nw = swaps_axes(o) ? h : w, nh = swaps_axes(o) ? w : h;
	unsigned char *dst = xmalloc((size_t)nw * nh * c);
	for (int y = 0; y < nh; y++) {
		unsigned char *d = dst + (size_t)y * nw * c;
		for (int x = 0; x < nw; x++, d += c) {
			int sx, sy;
			switch (o) {
			case 2:
				sx = w - 1 - x;
				sy = y;
				break;
			case 3:
				sx = w - 1 - x;
				sy = h - 1 - y;
				break;
			case 4:
				sx = x;
				sy = h - 1 - y;
				break;
			case 5:
				sx = y;
				sy = x;
				break;
			case 6:
				sx = y;
				sy = h - 1 - x;
				break;
			case 7:
				sx = w - 1 - y;
				sy = h - 1 - x;
				break;
			default:
				sx = w - 1 - y;
				sy = x;
				break; /* 8 */
			}
			memcpy(d, im->px + ((size_t)sy * w + sx) * c, (size_t)c);
		}
	}
	free(im->px);
	im->px = dst;
	im->w = nw;
	im->h = nh;
	return 0;
}

/* Area-average weights of one axis: output i covers [i*s, (i+1)*s). */
typedef struct axis {
	int *first, *count;
	float *wt; /* count[i] weights per output, packed at first-based offsets */
	int *wofs;
} axis;

static void axis_build(axis *a, int in, int out)
{
	double s = (double)in / out;
	a->first = xmalloc(sizeof(int) * out);
	a->count = xmalloc(sizeof(int) * out);
	a->wofs = xmalloc(sizeof(int) * out);
	int maxtaps = (int)(s + 2);
	a->wt = xmalloc(sizeof(float) * (size_t)out * maxtaps);
	for (int i = 0; i < out; i++) {
		double lo = i * s, hi = (i + 1) * s;
		int f = (int)lo, l = (int)hi;
		if (l >= in)
			l = in - 1;
		if (hi <= l && l > f)
			l--; /* hi on an exact boundary */
		double total = 0;
		int n = 0;
		a->wofs[i] = i * maxtaps;
		for (int k = f; k <= l && n < maxtaps; k++, n++) {
			double a0 = k > lo ? k : lo, a1 = k + 1 < hi ? k + 1 : hi;
			double wgt = a1 - a0;
			if (wgt < 0)
				wgt = 0;
			a->wt[a->wofs[i] + n] = (float)wgt;
			total += wgt;
		}
		for (int k = 0; k < n; k++)
			a->wt[a->wofs[i] + k] =
				total > 0 ? (float)(a->wt[a->wofs[i] + k] / total) : 1.0f / n;
		a->first[i] = f;
		a->count[i] = n;
	}
}

static void axis_free(axis *a)
{
	free(a->first);
	free(a->count);
	free(a->wt);
	free(a->wofs);
}

/* One input row resized horizontally into floats. */
static void hrow(const image_rgb *in, const axis *ax, int w, int sy, float *restrict t)
{
	int c = in->channels;
	const unsigned char *row = in->px + (size_t)sy * in->w * c;
	if (c == 3) { /* the common case, channels unrolled */
		for (int x = 0; x < w; x++, t += 3) {
			const float *wt = ax->wt + ax->wofs[x];
			const unsigned char *p = row + (size_t)ax->first[x] * 3;
			float a0 = 0, a1 = 0, a2 = 0;
			for (int k = 0; k < ax->count[x]; k++, p += 3) {
				a0 += wt[k] * p[0];
				a1 += wt[k] * p[1];
				a2 += wt[k] * p[2];
			}
			t[0] = a0;
			t[1] = a1;
			t[2] = a2;
		}
		return;
	}
	for (int x = 0; x < w; x++) {
		float acc[4] = { 0, 0, 0, 0 };
		const float *wt = ax->wt + ax->wofs[x];
		const unsigned char *p = row + (size_t)ax->first[x] * c;
		for (int k = 0; k < ax->count[x]; k++, p += c)
			for (int ch = 0; ch < c && ch < 4; ch++)
				acc[ch] += wt[k] * p[ch];
		for (int ch = 0; ch < c && ch < 4; ch++)
			t[x * c + ch] = acc[ch];
	}
}

int image_resize(const image_rgb *in, int w, int h, image_rgb *out)
{
	int c = in->channels;
	out->w = w;
	out->h = h;
	out->channels = c;
	out->px = xmalloc((size_t)w * h * c);
	if (w == in->w && h == in->h) {
		memcpy(out->px, in->px, (size_t)w * h * c);
		return 0;
	}
	axis ax, ay;
	axis_build(&ax, in->w, w);
	axis_build(&ay, in->h, h);
	/* Separable box filter; horizontally resized rows live in a small ring
	 * (input rows are needed in increasing order), so it stays in cache. */
	int ring = 1;
	for (int y = 0; y < h; y++)
		if (ay.count[y] + 1 > ring)
			ring = ay.count[y] + 1;
	size_t rowf = (size_t)w * c;
	float *rows = xmalloc(sizeof(float) * rowf * ring);
	int *held = xmalloc(sizeof(int) * ring);
	for (int i = 0; i < ring; i++)
		held[i] = -1;
	float *restrict acc = xmalloc(sizeof(float) * rowf);
	for (int y = 0; y < h; y++) {
		const float *wt = ay.wt + ay.wofs[y];
		for (int k = 0; k < ay.count[y]; k++) {
			int sy = ay.first[y] + k, slot = sy % ring;
			float *restrict t = rows + (size_t)slot * rowf;
			if (held[slot] != sy) {
				hrow(in, &ax, w, sy, t);
				held[slot] = sy;
			}
			/* restrict and branch-free bodies let the compiler vectorise */
			float wk = wt[k];
			if (k == 0)
				for (size_t i = 0; i < rowf; i++)
					acc[i] = wk * t[i] + 0.5f;
			else
				for (size_t i = 0; i < rowf; i++)
					acc[i] += wk * t[i];
		}
		unsigned char *restrict o = out->px + (size_t)y * rowf;
		for (size_t i = 0; i < rowf; i++) {
			float v = acc[i];
			v = v < 0 ? 0 : v;
			v = v > 255 ? 255 : v;
			o[i] = (unsigned char)v;
		}
	}
	free(acc);
	free(rows);
	free(held);
	axis_free(&ax);
	axis_free(&ay);
	return 0;
}

/* A header of junk can claim any size; JPEG itself stops at 65535. */
static bool size_ok(int w, int h)
{
	return w >= 1 && h >= 1 && w <= 65535 && h <= 65535;
}

/* Decode at the smallest DCT scale >= (need_w, need_h) in the file's own
 * (unoriented) axes; CMYK/YCCK photos come out as RGB too. */
static int decode_raw(const unsigned char *jpeg, size_t len, int need_w, int need_h, image_rgb *out,
		      int *full_w, int *full_h, sb_err *e)
{
	memset(out, 0, sizeof *out);
	if (len > ULONG_MAX || len < 4)
		return sb_fail(e, SBE_INPUT, _("not a JPEG file (%zu bytes)"), len);
	tjhandle tj = tjInitDecompress();
	if (!tj)
		return sb_fail(e, SBE_GENERIC, _("cannot start the JPEG decoder: %s"),
			       tjGetErrorStr2(NULL));
	int w, h, sub, cs;
	if (tjDecompressHeader3(tj, jpeg, (unsigned long)len, &w, &h, &sub, &cs) < 0) {
		int rc = sb_fail(e, SBE_INPUT, _("not a readable JPEG: %s"), tjGetErrorStr2(tj));
		tjDestroy(tj);
		return rc;
	}
	if (!size_ok(w, h)) {
		char why[64];
		snprintf(why, sizeof why, "size %d x %d", w, h);
		tjDestroy(tj);
		return sb_fail(e, SBE_INPUT, _("not a readable JPEG: %s"), why);
	}
	if (full_w)
		*full_w = w;
	if (full_h)
		*full_h = h;
	int nsf = 0;
	tjscalingfactor *sf = tjGetScalingFactors(&nsf);
	int sw = w, sh = h;
	for (int i = 0; sf && i < nsf && (need_w > 0 || need_h > 0); i++) {
		if (sf[i].num > sf[i].denom)
			continue; /* never enlarge */
		int cw = TJSCALED(w, sf[i]), ch = TJSCALED(h, sf[i]);
		if (cw >= need_w && ch >= need_h && (long)cw * ch < (long)sw * sh) {
			sw = cw;
			sh = ch;
		}
	}
	bool cmyk = cs == TJCS_CMYK || cs == TJCS_YCCK;
	int pf = cmyk ? TJPF_CMYK : TJPF_RGB, bpp = cmyk ? 4 : 3;
	unsigned char *buf = malloc((size_t)sw * sh * bpp);
	if (!buf) {
		tjDestroy(tj);
		return sb_fail(e, SBE_INPUT, _("image too large to decode (%d x %d)"), w, h);
	}
	/* A warning ("Premature end of JPEG file", "Corrupt JPEG data") means
	 * libjpeg filled the missing part with grey: describing that picture
	 * would be wrong, so every warning is an error, and the first one stops. */
	if (tjDecompress2(tj, jpeg, (unsigned long)len, buf, sw, 0, sh, pf, TJFLAG_STOPONWARNING) <
	    0) {
		int rc = sb_fail(e, SBE_INPUT, _("corrupt or truncated JPEG: %s"),
				 tjGetErrorStr2(tj));
		free(buf);
		tjDestroy(tj);
		return rc;
	}
	tjDestroy(tj);
	if (cmyk) { /* Adobe-style inverted CMYK, the only kind in the wild */
		size_t n = (size_t)sw * sh;
		for (size_t i = 0; i < n; i++) {
			unsigned k = buf[4 * i + 3];
			buf[3 * i] = (unsigned char)(buf[4 * i] * k / 255);
			buf[3 * i + 1] = (unsigned char)(buf[4 * i + 1] * k / 255);
			buf[3 * i + 2] = (unsigned char)(buf[4 * i + 2] * k / 255);
		}
	}
	out->px = buf;
	out->w = sw;
	out->h = sh;
	out->channels = 3;
	return 0;
}

int image_decode_scaled(const unsigned char *jpeg, size_t len, int min_w, int min_h, image_rgb *out,
			sb_err *e)
{
	if (!image_is_jpeg(jpeg, len)) { /* PNG, TIFF, HEIC, RAW (imagedecode.c) */
		int oo = 1;
		if (image_decode_other(jpeg, len, min_w, min_h, out, &oo, e) < 0)
			return -1;
		return image_orient(out, oo);
	}
	int o = exif_orientation(jpeg, len);
	bool sw = swaps_axes(o);
	if (decode_raw(jpeg, len, sw ? min_h : min_w, sw ? min_w : min_h, out, NULL, NULL, e) < 0)
		return -1;
	return image_orient(out, o);
}

int image_encode_jpeg(const image_rgb *im, int quality, unsigned char **out, size_t *len, sb_err *e)
{
	if (quality < 1 || quality > 100)
		quality = 90;
	tjhandle tj = tjInitCompress();
	if (!tj)
		return sb_fail(e, SBE_GENERIC, _("cannot start the JPEG encoder: %s"),
			       tjGetErrorStr2(NULL));
	unsigned long cap = tjBufSize(im->w, im->h, TJSAMP_420);
	unsigned char *buf = xmalloc(cap);
	unsigned long n = cap;
	int pf = im->channels == 4 ? TJPF_RGBX : TJPF_RGB;
	if (tjCompress2(tj, im->px, im->w, 0, im->h, pf, &buf, &n, TJSAMP_420, quality,
			TJFLAG_NOREALLOC) < 0) {
		int rc = sb_fail(e, SBE_GENERIC, _("JPEG encoding failed: %s"), tjGetErrorStr2(tj));
		free(buf);
		tjDestroy(tj);
		return rc;
	}
	tjDestroy(tj);
	*out = buf;
	*len = n;
	return 0;
}

/* A PNG, TIFF, HEIC or RAW file: decoded whole (oriented), then the same
 * resize and encode as a JPEG.  Frees data. */
static int prepare_other(const char *path, const unsigned char *j, size_t len,
			 const provider_caps *caps, const char *model, const char *detail,
			 int quality, prepared_image *out, char *data, sb_err *e)
{
	image_rgb full, small;
	int rc = image_decode_scaled(j, len, 0, 0, &full, e);
	free(data);
	if (rc < 0) {
		char why[sizeof e->msg];
		snprintf(why, sizeof why, "%s", e ? e->msg : "");
		return sb_fail(e, SBE_INPUT, _("%s: %s; replace the file or mark it rejected"),
			       path, why);
	}
	int tw, th, ow = full.w, oh = full.h;
	model_size(caps, model, detail, ow, oh, &tw, &th);
	image_resize(&full, tw, th, &small);
	image_free(&full);
	rc = image_encode_jpeg(&small, quality, &out->jpeg, &out->len, e);
	image_free(&small);
	if (rc < 0)
		return -1;
	out->w = tw;
	out->h = th;
	out->orig_w = ow;
	out->orig_h = oh;
	return 0;
}

int image_prepare(const char *path, const provider_caps *caps, const char *model,
		  const char *detail, int quality, prepared_image *out, sb_err *e)
{
	memset(out, 0, sizeof *out);
	char *data = NULL;
	size_t len = 0;
	if (read_whole_file(path, &data, &len, e) < 0)
		return -1;
	const unsigned char *j = (const unsigned char *)data;
	if (!image_is_jpeg(j, len))
		return prepare_other(path, j, len, caps, model, detail, quality, out, data, e);
	int o = exif_orientation(j, len);
	bool sw = swaps_axes(o);
	tjhandle tj = tjInitDecompress();
	int w = 0, h = 0, sub, cs;
	int hr = tj ? tjDecompressHeader3(tj, j, (unsigned long)len, &w, &h, &sub, &cs) : -1;
	char badsize[64] = "";
	if (hr == 0 && !size_ok(w, h)) {
		snprintf(badsize, sizeof badsize, "size %d x %d", w, h);
		hr = -1;
	}
	if (hr < 0) {
		sb_fail(e, SBE_INPUT,
			_("%s: not a readable JPEG (%s); replace the file or mark it rejected"),
			path,
			badsize[0] ? badsize
			: tj       ? tjGetErrorStr2(tj)
				   : "no decoder");
		if (tj)
			tjDestroy(tj);
		free(data);
		return -1;
	}
	tjDestroy(tj);
	int ow = sw ? h : w, oh = sw ? w : h; /* oriented */
	int tw, th;
	model_size(caps, model, detail, ow, oh, &tw, &th);
	/* Decode and resize in the file's axes; rotate the small result. */
	int rw = sw ? th : tw, rh = sw ? tw : th;
	image_rgb raw, small;
	if (decode_raw(j, len, rw, rh, &raw, NULL, NULL, e) < 0) {
		char why[sizeof e->msg];
		snprintf(why, sizeof why, "%s", e ? e->msg : "");
		sb_fail(e, SBE_INPUT, _("%s: %s; replace the file or mark it rejected"), path, why);
		free(data);
		return -1;
	}
	free(data);
	image_resize(&raw, rw, rh, &small);
	image_free(&raw);
	image_orient(&small, o);
	int rc = image_encode_jpeg(&small, quality, &out->jpeg, &out->len, e);
	image_free(&small);
	if (rc < 0)
		return -1;
	out->w = tw;
	out->h = th;
	out->orig_w = ow;
	out->orig_h = oh;
	return 0;
}

/* The header (SOF) sits after the APP segments: EXIF is at most 64 KB, so
 * the first 256 KB nearly always hold it; else the whole file is read. */
static int header_size(const unsigned char *j, size_t len, int *w, int *h)
{
	tjhandle tj = tjInitDecompress();
	int sub, cs;
	int rc = tj && len <= ULONG_MAX
			 ? tjDecompressHeader3(tj, j, (unsigned long)len, w, h, &sub, &cs)
			 : -1;
	if (tj)
		tjDestroy(tj);
	return rc == 0 && size_ok(*w, *h) ? 0 : -1;
}

/* PNG, TIFF, HEIC, RAW: the oriented size of what the model would see. */
static int other_size(const char *path, int *w, int *h, sb_err *e)
{
	char *all = NULL;
	size_t len = 0;
	if (read_whole_file(path, &all, &len, e) < 0)
		return -1;
	image_rgb im;
	int rc = image_decode_scaled((const unsigned char *)all, len, 0, 0, &im, e);
	free(all);
	if (rc < 0)
		return -1;
	*w = im.w;
	*h = im.h;
	image_free(&im);
	return 0;
}

int image_file_size(const char *path, int *w, int *h, sb_err *e)
{
	enum { HEAD = 256 * 1024 };
	FILE *f = fopen_regular(path);
	if (!f)
		return sb_fail(e, SBE_IO, _("cannot open %s: %s"), path, open_error(errno));
	unsigned char *buf = xmalloc(HEAD);
	size_t n = fread(buf, 1, HEAD, f);
	fclose(f);
	if (!image_is_jpeg(buf, n)) {
		free(buf);
		return other_size(path, w, h, e);
	}
	int fw = 0, fh = 0, rc = header_size(buf, n, &fw, &fh);
	if (rc < 0 && n == HEAD) {
		char *all = NULL;
		size_t len = 0;
		free(buf);
		if (read_whole_file(path, &all, &len, e) < 0)
			return -1;
		buf = (unsigned char *)all;
		n = len;
		rc = header_size(buf, n, &fw, &fh);
	}
	int o = rc == 0 ? exif_orientation(buf, n) : 1;
	free(buf);
	if (rc < 0)
		return sb_fail(e, SBE_INPUT, _("%s: not a readable JPEG"), path);
	*w = swaps_axes(o) ? fh : fw;
	*h = swaps_axes(o) ? fw : fh;
	return 0;
}

/* The picture the model sees: the file itself, or for a video (or
 * anything else) a JPEG sidecar as its poster frame; NULL if none. */
char *image_jpeg_of(const char *path)
{
	char *dot = strrchr(path, '.');
	static const char *const raw[] = { "dng", "cr2", "cr3", "nef", "arw",
					   "orf", "raf", "rw2", NULL };
	bool is_raw = false;
	for (size_t i = 0; dot && raw[i]; i++)
		is_raw |= strcasecmp(dot + 1, raw[i]) == 0;
	/* A RAW file: the JPEG shot beside it, else its own embedded preview. */
	if (mediacsv_media_kind(path_basename(path)) == MC_IMAGE && !is_raw)
		return xstrdup(path);
	size_t stem = dot ? (size_t)(dot - path) : strlen(path);
	static const char *const ext[] = { ".jpg", ".JPG", ".jpeg" };
	for (size_t i = 0; i < 3; i++) {
		char *c = xasprintf("%.*s%s", (int)stem, path, ext[i]);
		if (file_exists(c))
			return c;
		free(c);
	}
	return is_raw ? xstrdup(path) : NULL;
}
