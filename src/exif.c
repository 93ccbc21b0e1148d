/* exif.c: the few EXIF facts stockbatch needs, read straight from the JPEG's
 * APP1/APP2 segments: orientation (IFD0 0x0112), DateTimeOriginal (0x9003,
 * else 0x9004 or IFD0 0x0132) for the editorial date, and the embedded
 * thumbnail (IFD1) or MPF preview for a fast TUI preview.  The input is untrusted: every read is bounded. */
#include "config.h"
#include "imageprep.h"
#include "imagedecode.h"

#include <stdint.h>
#include <string.h>

typedef struct tiff {
	const unsigned char *p; /* TIFF header start */
	size_t len;
	bool be;
} tiff;

static bool rd16(const tiff *t, size_t off, unsigned *v)
{
	if (off > t->len || t->len - off < 2)
		return false;
	const unsigned char *b = t->p + off;
	*v = t->be ? (unsigned)(b[0] << 8 | b[1]) : (unsigned)(b[1] << 8 | b[0]);
	return true;
}

static bool rd32(const tiff *t, size_t off, uint32_t *v)
{
	if (off > t->len || t->len - off < 4)
		return false;
	const unsigned char *b = t->p + off;
	*v = t->be ? ((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3])
		   : ((uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0]);
	return true;
}

static bool tiff_open(tiff *t, const unsigned char *p, size_t len)
{
	if (len < 8)
		return false;
	if (p[0] == 'I' && p[1] == 'I')
		t->be = false;
	else if (p[0] == 'M' && p[1] == 'M')
		t->be = true;
	else
		return false;
	t->p = p;
	t->len = len;
	unsigned magic;
	return rd16(t, 2, &magic) && magic == 42;
}

/* Find tag in the IFD at ifd; *val_off = offset of the 4-byte value field. */
static bool ifd_find(const tiff *t, uint32_t ifd, unsigned tag, unsigned *type, uint32_t *count,
		     size_t *val_off)
{
	unsigned n;
	if (!rd16(t, ifd, &n))
		return false;
	for (unsigned i = 0; i < n; i++) {
		size_t e = (size_t)ifd + 2 + 12 * (size_t)i;
		unsigned tg;
		if (!rd16(t, e, &tg))
			return false;
		if (tg != tag)
			continue;
		if (!rd16(t, e + 2, type) || !rd32(t, e + 4, count))
			return false;
		*val_off = e + 8;
		return true;
	}
	return false;
}

static bool ifd_u32(const tiff *t, uint32_t ifd, unsigned tag, uint32_t *v)
{
	unsigned type;
	uint32_t count;
	size_t vo;
	if (!ifd_find(t, ifd, tag, &type, &count, &vo) || count < 1)
		return false;
	if (type == 3) { /* SHORT */
		unsigned s;
		if (!rd16(t, vo, &s))
			return false;
		*v = s;
		return true;
	}
	if (type == 4 || type == 13) /* LONG, IFD */
		return rd32(t, vo, v);
	return false;
}

static bool ifd_next(const tiff *t, uint32_t ifd, uint32_t *next)
{
	unsigned n;
	return rd16(t, ifd, &n) && rd32(t, (size_t)ifd + 2 + 12 * (size_t)n, next) && *next != 0;
}

/* Walk the markers before the image data; calls fn for APPn segments. */
typedef bool (*seg_fn)(unsigned marker, const unsigned char *p, size_t len, void *ctx);

static void walk_segments(const unsigned char *j, size_t len, seg_fn fn, void *ctx)
{
	if (!j || len < 4 || j[0] != 0xff || j[1] != 0xd8)
		return;
	size_t i = 2;
	while (i + 4 <= len) {
		if (j[i] != 0xff)
			return;
		unsigned m = j[i + 1];
		if (m == 0xff) { /* fill byte */
			i++;
			continue;
		}
		if (m == 0xda || m == 0xd9)
			return;
		if (m == 0x01 || (m >= 0xd0 && m <= 0xd7)) {
			i += 2;
			continue;
		}
		size_t sl = (size_t)j[i + 2] << 8 | j[i + 3];
		if (sl < 2 || i + 2 + sl > len)
			return;
		if (fn(m, j + i + 4, sl - 2, ctx))
			return;
		i += 2 + sl;
	}
}

typedef struct exif_ctx {
	tiff t;
	bool found;
} exif_ctx;

static bool find_exif(unsigned m, const unsigned char *p, size_t len, void *ctx)
{
	exif_ctx *c = ctx;
	if (m != 0xe1 || len < 14 || memcmp(p, "Exif\0\0", 6) != 0)
		return false;
	c->found = tiff_open(&c->t, p + 6, len - 6);
	return c->found;
}

static bool exif_tiff(const unsigned char *jpeg, size_t len, tiff *t, uint32_t *ifd0)
{
	exif_ctx c = { .found = false };
	walk_segments(jpeg, len, find_exif, &c);
	if (!c.found || !rd32(&c.t, 4, ifd0))
		return false;
	*t = c.t;
	return true;
}

int exif_orientation(const unsigned char *jpeg, size_t len)
{
	tiff t;
	uint32_t ifd0, v;
	if (!exif_tiff(jpeg, len, &t, &ifd0) || !ifd_u32(&t, ifd0, 0x0112, &v) || v < 1 || v > 8)
		return 1;
	return (int)v;
}

int exif_orientation_tiff(const unsigned char *block, size_t len)
{
	tiff t;
	uint32_t ifd0, v;
	if (len >= 6 && memcmp(block, "Exif\0\0", 6) == 0) { /* some writers keep the JPEG's prefix */
		block += 6;
		len -= 6;
	}
	if (!tiff_open(&t, block, len) || !rd32(&t, 4, &ifd0) || !ifd_u32(&t, ifd0, 0x0112, &v) ||
	    v < 1 || v > 8)
		return 1;
	return (int)v;
}

/* A "YYYY:MM:DD HH:MM:SS" ASCII tag of the IFD at ifd, as it is (20 bytes). */
static bool ifd_datetime(const tiff *t, uint32_t ifd, unsigned tag, char out[20])
{
	uint32_t cnt, at;
	unsigned type;
	size_t vo;
	if (!ifd_find(t, ifd, tag, &type, &cnt, &vo) || type != 2 || cnt < 19)
		return false;
	if (!rd32(t, vo, &at) || at > t->len || t->len - at < 19)
		return false;
	const char *s = (const char *)t->p + at;
	for (int i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != ':' : (s[i] < '0' || s[i] > '9'))
			return false;
	if (memcmp(s, "0000", 4) == 0)
		return false;
	snprintf(out, 20, "%.19s", s);
	return true;
}

/* When the photo was taken: DateTimeOriginal, else DateTimeDigitized (both
 * in the Exif IFD), else IFD0 DateTime, which editors may have rewritten
 * but is the only date some cameras and scanners write. */
bool exif_datetime(const unsigned char *jpeg, size_t len, char out[20])
{
	tiff t;
	uint32_t ifd0, sub;
	if (!exif_tiff(jpeg, len, &t, &ifd0))
		return false;
	if (ifd_u32(&t, ifd0, 0x8769, &sub) &&
	    (ifd_datetime(&t, sub, 0x9003, out) || ifd_datetime(&t, sub, 0x9004, out)))
		return true;
	return ifd_datetime(&t, ifd0, 0x0132, out);
}

/* The day of exif_datetime as "DD MM YYYY" (editorial prefill). */
bool exif_date(const unsigned char *jpeg, size_t len, char out[16])
{
	char dt[20];
	if (!exif_datetime(jpeg, len, dt))
		return false;
	snprintf(out, 16, "%.2s %.2s %.4s", dt + 8, dt + 5, dt);
	return true;
}

static bool is_jpeg_at(const unsigned char *base, size_t len, uint64_t off, uint64_t plen)
{
	return plen >= 4 && off <= len && plen <= len - off && base[off] == 0xff &&
	       base[off + 1] == 0xd8;
}

typedef struct mpf_ctx {
	const unsigned char *jpeg;
	size_t len;
	const unsigned char *best;
	size_t blen;
} mpf_ctx;

/* MPF (CIPA DC-007): APP2 "MPF\0" + TIFF header; tag 0xB002 lists 16-byte
 * entries (attr, size, offset from the TIFF header, 2 deps).  Entry 0 is
 * the main image; the largest other JPEG is the preview. */
static bool find_mpf(unsigned m, const unsigned char *p, size_t len, void *ctx)
{
	mpf_ctx *c = ctx;
	if (m != 0xe2 || len < 12 || memcmp(p, "MPF\0", 4) != 0)
		return false;
	tiff t;
	uint32_t ifd, cnt;
	unsigned type;
	size_t vo;
	if (!tiff_open(&t, p + 4, len - 4) || !rd32(&t, 4, &ifd) ||
	    !ifd_find(&t, ifd, 0xb002, &type, &cnt, &vo) || cnt < 32)
		return true;
	uint32_t at;
	if (!rd32(&t, vo, &at))
		return true;
	size_t base = (size_t)(t.p - c->jpeg);
	for (uint32_t i = 1; i < cnt / 16; i++) {
		uint32_t size, off;
		if (!rd32(&t, (size_t)at + 16 * i + 4, &size) ||
		    !rd32(&t, (size_t)at + 16 * i + 8, &off))
			break;
		if (off && is_jpeg_at(c->jpeg, c->len, (uint64_t)base + off, size) &&
		    size > c->blen) {
			c->best = c->jpeg + base + off;
			c->blen = size;
		}
	}
	return true;
}

bool exif_preview(const unsigned char *jpeg, size_t len, const unsigned char **prev, size_t *plen)
{
	mpf_ctx m = { jpeg, len, NULL, 0 };
	walk_segments(jpeg, len, find_mpf, &m);
	if (m.best) {
		*prev = m.best;
		*plen = m.blen;
		return true;
	}
	tiff t;
	uint32_t ifd0, ifd1, off, n;
	if (!exif_tiff(jpeg, len, &t, &ifd0) || !ifd_next(&t, ifd0, &ifd1) ||
	    !ifd_u32(&t, ifd1, 0x0201, &off) || !ifd_u32(&t, ifd1, 0x0202, &n) ||
	    !is_jpeg_at(t.p, t.len, off, n))
		return false;
	*prev = t.p + off;
	*plen = n;
	return true;
}
