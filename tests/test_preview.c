/* test_preview.c: the TUI's photo preview (tui/preview.c).  Each graphics
 * protocol's escape sequence is taken apart and its picture decoded again
 * (kitty's RGBA chunks, the sixel bands, iTerm's base64 TIFF), so the test
 * sees what a terminal would draw: the declared sizes agree with the cells,
 * the picture fills them, and it is upright (a red top-left quadrant on
 * blue), also for portraits and EXIF-rotated photos, through the main image
 * and through the embedded EXIF thumbnail, for the cell size the terminal
 * tells (a pty's window size) or 10x20.  The previewer's thread: the
 * series hash from a render's own decode, the strip's pictures behind the
 * next photo's prefetch.  Symbols mode: the canvas fits the
 * pane, keeps the aspect and has palette pens.  Broken files give an error
 * and no picture.
 * preview_detect(): what "auto" picks for each terminal, and that an
 * explicit setting wins.  The JPEGs are made here with TurboJPEG. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <turbojpeg.h>
#include <unistd.h>

#include "base64.h"
#include "preview.h"
#include "series.h"

static char tmpdir[64];

/* preview.c asks the terminal on stdout for its cell size (10x20 when it
 * is not told): every render here runs with stdout on a pty whose window
 * size the test sets, so the answer does not depend on where it runs. */
static int cell_w = 10, cell_h = 20;
static int pty_master = -1, pty_slave = -1;

/* A cell of cw x ch pixels; 0 = the terminal tells no pixel size. */
static void set_cell(int cw, int ch)
{
	struct winsize ws = { .ws_row = 30, .ws_col = 100, .ws_xpixel = (unsigned short)(100 * cw),
			      .ws_ypixel = (unsigned short)(30 * ch) };
	assert_int_equal(ioctl(pty_slave, TIOCSWINSZ, &ws), 0);
	cell_w = cw ? cw : 10;
	cell_h = ch ? ch : 20;
}

static preview_img *render(const char *path, int w, int h, pv_protocol proto, pv_colors colors)
{
	fflush(stdout);
	int saved = dup(STDOUT_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(pty_slave, STDOUT_FILENO) >= 0);
	preview_img *p = preview_render(path, w, h, proto, colors);
	assert_true(dup2(saved, STDOUT_FILENO) >= 0);
	close(saved);
	assert_non_null(p);
	return p;
}

/* ---- building test JPEGs ---- */

enum { TL, TR, BL, BR };
typedef enum { RED, GREEN } accent;

/* w x h blue picture with an accent-coloured quadrant in the given corner. */
static unsigned char *make_jpeg(int w, int h, int corner, accent a, size_t *len)
{
	unsigned char *px = malloc((size_t)w * h * 3);
	assert_non_null(px);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			bool right = x >= w / 2, bottom = y >= h / 2;
			bool hit = (corner == TL && !right && !bottom) || (corner == TR && right && !bottom) ||
				   (corner == BL && !right && bottom) || (corner == BR && right && bottom);
			unsigned char *p = px + ((size_t)y * w + x) * 3;
			p[0] = hit && a == RED ? 220 : 20;
			p[1] = hit && a == GREEN ? 220 : 20;
			p[2] = hit ? 20 : 220;
		}
	tjhandle tj = tjInitCompress();
	assert_non_null(tj);
	unsigned char *out = NULL;
	unsigned long n = 0;
	assert_int_equal(tjCompress2(tj, px, w, 0, h, TJPF_RGB, &out, &n, TJSAMP_444, 90, 0), 0);
	tjDestroy(tj);
	free(px);
	unsigned char *j = malloc(n);
	memcpy(j, out, n);
	tjFree(out);
	*len = n;
	return j;
}

static void put16(unsigned char *p, unsigned v) { p[0] = v & 255; p[1] = (v >> 8) & 255; }
static void put32(unsigned char *p, uint32_t v)
{
	p[0] = v & 255; p[1] = (v >> 8) & 255; p[2] = (v >> 16) & 255; p[3] = v >> 24;
}
static void entry(unsigned char *p, unsigned tag, unsigned type, uint32_t val)
{
	put16(p, tag); put16(p + 2, type); put32(p + 4, 1);
	if (type == 3) { put16(p + 8, val); put16(p + 10, 0); }
	else put32(p + 8, val);
}

/* APP1 Exif (little-endian TIFF): IFD0 with the orientation, IFD1 with a
 * JPEG thumbnail when one is given. */
static unsigned char *make_app1(int orientation, const unsigned char *thumb, size_t tlen, size_t *seglen)
{
	size_t ifd0 = 8, ifd1 = ifd0 + 2 + 12 + 4, th = ifd1 + 2 + 2 * 12 + 4;
	size_t tl = thumb ? th + tlen : ifd1;
	size_t n = 10 + tl;
	assert_true(n <= 65535);
	unsigned char *seg = calloc(1, n);
	unsigned char *t = seg + 10;
	seg[0] = 0xff; seg[1] = 0xe1; seg[2] = (unsigned char)((n - 2) >> 8); seg[3] = (n - 2) & 255;
	memcpy(seg + 4, "Exif\0\0", 6);
	memcpy(t, "II\x2a\0", 4);
	put32(t + 4, (uint32_t)ifd0);
	put16(t + ifd0, 1);
	entry(t + ifd0 + 2, 0x0112, 3, (uint32_t)orientation);
	put32(t + ifd0 + 14, thumb ? (uint32_t)ifd1 : 0);
	if (thumb) {
		put16(t + ifd1, 2);
		entry(t + ifd1 + 2, 0x0201, 4, (uint32_t)th);
		entry(t + ifd1 + 14, 0x0202, 4, (uint32_t)tlen);
		memcpy(t + th, thumb, tlen);
	}
	*seglen = n;
	return seg;
}

/* Insert a segment right after SOI. */
static unsigned char *splice_seg(unsigned char *j, size_t jl, unsigned char *seg, size_t sl, size_t *outlen)
{
	unsigned char *o = malloc(jl + sl);
	memcpy(o, j, 2);
	memcpy(o + 2, seg, sl);
	memcpy(o + 2 + sl, j + 2, jl - 2);
	*outlen = jl + sl;
	free(j);
	free(seg);
	return o;
}

/* A COM segment of n filler bytes. */
static unsigned char *com_segment(size_t n, int fill)
{
	unsigned char *seg = malloc(n + 4);
	seg[0] = 0xff; seg[1] = 0xfe; seg[2] = (unsigned char)((n + 2) >> 8); seg[3] = (n + 2) & 255;
	memset(seg + 4, fill, n);
	return seg;
}

/* Where the accent corner sits in the stored pixels of a photo whose
 * upright view has it top-left, for EXIF orientation o. */
static int stored_corner(int o)
{
	static const int corner[9] = { TL, TL, TR, BR, BL, TL, BL, BR, TR };
	return corner[o];
}

/* A photo whose upright view is w x h with the accent top-left; o > 1 adds
 * the EXIF orientation and stores the pixels turned accordingly. */
static unsigned char *oriented_jpeg(int o, int w, int h, accent a, size_t *len)
{
	bool sw = o >= 5;
	size_t jl;
	unsigned char *j = make_jpeg(sw ? h : w, sw ? w : h, stored_corner(o), a, &jl);
	if (o <= 1) {
		*len = jl;
		return j;
	}
	size_t sl;
	unsigned char *seg = make_app1(o, NULL, 0, &sl);
	return splice_seg(j, jl, seg, sl, len);
}

static char *write_file(const char *name, const void *d, size_t n)
{
	char *p = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(d, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	return p;
}

/* ---- taking the sequences apart ---- */

/* Strict base64 (length a multiple of 4, padding only at the end): the
 * bytes are appended to *out; false if anything is off. */
static bool b64_decode(const char *s, size_t n, unsigned char **out, size_t *olen)
{
	if (n % 4)
		return false;
	*out = realloc(*out, *olen + n / 4 * 3 + 1);
	for (size_t i = 0; i < n; i += 4) {
		int v[4], pad = 0;
		for (int k = 0; k < 4; k++) {
			if (s[i + k] == '=' && i + 4 == n && k >= 2) {
				v[k] = 0;
				pad++;
				continue;
			}
			if (pad || (v[k] = base64_value((unsigned char)s[i + k])) < 0)
				return false;
		}
		uint32_t q = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
		/* the bits under the padding are zero (RFC 4648, canonical) */
		if ((pad == 1 && (q & 0xff)) || (pad == 2 && (q & 0xffff)))
			return false;
		(*out)[(*olen)++] = q >> 16;
		if (pad < 2)
			(*out)[(*olen)++] = (q >> 8) & 255;
		if (pad < 1)
			(*out)[(*olen)++] = q & 255;
	}
	return true;
}

/* A decoded picture: RGB, row-major. */
typedef struct pic {
	int w, h;
	unsigned char *px;
} pic;

static void pic_free(pic *p) { free(p->px); p->px = NULL; }

static const unsigned char *at(const pic *p, int x, int y) { return p->px + ((size_t)y * p->w + x) * 3; }

/* Upright: the accent top-left on blue, checked at the quadrant centres. */
static void assert_upright(const pic *p, accent a, const char *what)
{
	int qx = p->w / 4, qy = p->h / 4;
	const unsigned char *c = at(p, qx, qy);
	int ai = a == RED ? 0 : 1, oi = a == RED ? 1 : 0;
	if (!(c[ai] > 150 && c[oi] < 100 && c[2] < 100))
		fail_msg("%s: top-left quadrant of %dx%d is %d,%d,%d, not the accent", what, p->w, p->h, c[0], c[1], c[2]);
	const int xs[3] = { 3 * qx, qx, 3 * qx }, ys[3] = { qy, 3 * qy, 3 * qy };
	for (int i = 0; i < 3; i++) {
		c = at(p, xs[i], ys[i]);
		if (!(c[2] > 150 && c[0] < 100 && c[1] < 100))
			fail_msg("%s: quadrant at %d,%d of %dx%d is %d,%d,%d, not blue", what, xs[i], ys[i], p->w, p->h, c[0], c[1], c[2]);
	}
}

/* Split "k=v,k=v" (kitty control data); returns the value or -1. */
static long kv_num(const char *ctl, size_t n, const char *key)
{
	size_t kl = strlen(key);
	for (size_t i = 0; i < n;) {
		size_t e = i;
		while (e < n && ctl[e] != ',')
			e++;
		if (e - i > kl && ctl[i + kl] == '=' && !strncmp(ctl + i, key, kl)) {
			char buf[32];
			size_t vl = e - i - kl - 1;
			if (vl == 0 || vl >= sizeof buf)
				return -2;
			memcpy(buf, ctl + i + kl + 1, vl);
			buf[vl] = 0;
			if (key[0] == 'a' || key[0] == 'd') /* letters */
				return buf[0];
			char *end;
			long v = strtol(buf, &end, 10);
			return *end ? -2 : v;
		}
		i = e + 1;
	}
	return -1;
}

/* Only these keys in kitty control data. */
static void assert_keys_among(const char *ctl, size_t n, const char *allowed)
{
	for (size_t i = 0; i < n;) {
		size_t e = i;
		while (e < n && ctl[e] != ',')
			e++;
		if (e - i < 3 || ctl[i + 1] != '=' || !strchr(allowed, ctl[i]))
			fail_msg("unexpected kitty key '%.*s' (allowed: %s)", (int)(e - i), ctl + i, allowed);
		i = e + 1;
	}
}

/* The kitty graphics protocol: a run of APCs ESC _ G ctl [;payload] ESC \.
 * The first transmits and displays (a=T) f=32/24 pixel data s x v shown in
 * c x r cells; the chunks carry m=1 but the last m=0, each payload base64 of
 * at most 4096 bytes.  Nothing else may be in the string. */
static pic parse_kitty(const preview_img *p)
{
	const char *s = p->seq;
	size_t n = strlen(s), pos = 0, nchunks = 0;
	long f = 0, sw = 0, sh = 0, more = -1;
	unsigned char *data = NULL;
	size_t dlen = 0;
	while (pos < n) {
		if (strncmp(s + pos, "\033_G", 3) != 0)
			fail_msg("byte %zu: expected ESC _ G, got 0x%02x", pos, (unsigned char)s[pos]);
		const char *st = strstr(s + pos + 3, "\033\\");
		assert_non_null(st);
		const char *body = s + pos + 3, *semi = memchr(body, ';', (size_t)(st - body));
		size_t cl = (size_t)((semi ? semi : st) - body);
		assert_null(memchr(body, '\033', (size_t)(st - body)));
		if (more == 0)
			fail_msg("an APC after the chunk with m=0");
		if (nchunks == 0) {
			assert_keys_among(body, cl, "afsvcrmqiCz");
			assert_int_equal(kv_num(body, cl, "a"), 'T');
			f = kv_num(body, cl, "f");
			assert_true(f == 32 || f == 24);
			sw = kv_num(body, cl, "s");
			sh = kv_num(body, cl, "v");
			assert_true(sw > 0 && sh > 0);
			/* shown in exactly the canvas' cells */
			assert_int_equal(kv_num(body, cl, "c"), p->w);
			assert_int_equal(kv_num(body, cl, "r"), p->h);
		} else {
			assert_keys_among(body, cl, "mq");
		}
		more = kv_num(body, cl, "m");
		if (more == -1)
			more = 0;
		assert_true(more == 0 || more == 1);
		if (semi) {
			size_t pl = (size_t)(st - semi - 1);
			assert_in_range(pl, 1, 4096);
			if (!b64_decode(semi + 1, pl, &data, &dlen))
				fail_msg("chunk %zu: bad base64", nchunks);
		}
		nchunks++;
		pos = (size_t)(st - s) + 2;
	}
	assert_true(nchunks >= 2);
	assert_int_equal(more, 0); /* the last chunk closes the image */
	int ch = f == 32 ? 4 : 3;
	assert_int_equal(dlen, (size_t)(sw * sh * ch));
	/* the pixels fill the cells (10x20 per cell when the terminal cannot tell) */
	assert_true(sw <= (long)p->w * cell_w && sw > (long)(p->w - 1) * cell_w);
	assert_true(sh <= (long)p->h * cell_h && sh > (long)(p->h - 1) * cell_h);
	pic r = { (int)sw, (int)sh, malloc((size_t)sw * sh * 3) };
	for (long i = 0; i < sw * sh; i++) {
		memcpy(r.px + i * 3, data + i * ch, 3);
		if (ch == 4 && data[i * 4 + 3] != 255) /* opaque */
			fail_msg("kitty pixel %ld,%ld of %ldx%ld has alpha %d", i % sw, i / sw, sw, sh, data[i * 4 + 3]);
	}
	free(data);
	return r;
}

/* A DECSIXEL string: ESC P params q "Pan;Pad;Ph;Pv data ESC \.  The data
 * are drawn as a terminal would (palette, repeats, $ and -), inside the
 * raster only, and must cover all of it. */
static pic parse_sixel(const preview_img *p)
{
	const char *s = p->seq;
	size_t n = strlen(s);
	if (n < 4 || strncmp(s, "\033P", 2) != 0)
		fail_msg("sixel does not start with DCS");
	assert_string_equal(s + n - 2, "\033\\");
	assert_null(memchr(s + 1, '\033', n - 3));
	const char *q = s + 2;
	while (*q && (*q == ';' || (*q >= '0' && *q <= '9')))
		q++;
	assert_int_equal(*q, 'q');
	q++;
	int pan, pad, ph, pv, used;
	if (sscanf(q, "\"%d;%d;%d;%d%n", &pan, &pad, &ph, &pv, &used) != 4)
		fail_msg("no raster attributes");
	q += used;
	assert_int_equal(pan, 1);
	assert_int_equal(pad, 1);
	/* the raster fills the cells: whole sixel bands of 6 rows */
	assert_int_equal(ph, p->w * cell_w);
	assert_int_equal(pv, p->h * cell_h / 6 * 6);
	pic r = { ph, pv, calloc((size_t)ph * pv, 3) };
	unsigned char *drawn = calloc((size_t)ph * pv, 1);
	unsigned char pal[256][3] = { { 0 } };
	int color = 0, x = 0, band = 0;
	const char *end = s + n - 2;
	while (q < end) {
		int c = (unsigned char)*q++;
		if (c == '#') {
			int v[5], k = 0;
			do {
				if (*q < '0' || *q > '9')
					fail_msg("bad colour introducer");
				v[k++] = (int)strtol(q, (char **)&q, 10);
			} while (k < 5 && *q == ';' && q++);
			assert_true(k == 1 || k == 5);
			assert_in_range(v[0], 0, 255);
			color = v[0];
			if (k == 5) {
				assert_int_equal(v[1], 2); /* RGB in percent */
				for (int i = 0; i < 3; i++) {
					assert_in_range(v[2 + i], 0, 100);
					pal[color][i] = (unsigned char)((v[2 + i] * 255 + 50) / 100);
				}
			}
			continue;
		}
		int rep = 1;
		if (c == '!') {
			rep = (int)strtol(q, (char **)&q, 10);
			assert_true(rep > 0);
			c = (unsigned char)*q++;
		}
		if (c == '$') {
			x = 0;
		} else if (c == '-') {
			x = 0;
			band++;
		} else if (c >= '?' && c <= '~') {
			int bits = c - '?';
			for (int i = 0; i < rep; i++, x++)
				for (int b = 0; b < 6; b++) {
					if (!(bits & (1 << b)))
						continue;
					int y = band * 6 + b;
					if (x >= ph || y >= pv)
						fail_msg("sixel pixel %d,%d outside the %dx%d raster", x, y, ph, pv);
					memcpy(r.px + ((size_t)y * ph + x) * 3, pal[color], 3);
					drawn[(size_t)y * ph + x] = 1;
				}
		} else {
			fail_msg("unexpected byte 0x%02x in sixel data", c);
		}
	}
	for (size_t i = 0; i < (size_t)ph * pv; i++)
		if (!drawn[i])
			fail_msg("sixel pixel %zu,%zu never drawn", i % (size_t)ph, i / (size_t)ph);
	free(drawn);
	return r;
}

static uint32_t le16(const unsigned char *p) { return p[0] | p[1] << 8; }
static uint32_t le32(const unsigned char *p) { return le16(p) | (uint32_t)le16(p + 2) << 16; }

/* One value of a TIFF tag (little-endian file), or def when absent. */
static uint32_t tiff_val(const unsigned char *t, size_t len, uint32_t ifd, unsigned tag, uint32_t idx,
			 uint32_t def)
{
	unsigned ne = le16(t + ifd);
	assert_true(ifd + 2 + ne * 12 + 4 <= len);
	for (unsigned i = 0; i < ne; i++) {
		const unsigned char *e = t + ifd + 2 + i * 12;
		if (le16(e) != tag)
			continue;
		unsigned type = le16(e + 2), sz = type == 3 ? 2 : 4;
		uint32_t cnt = le32(e + 4);
		assert_true(type == 3 || type == 4);
		assert_true(idx < cnt);
		const unsigned char *v = cnt * sz <= 4 ? e + 8 : t + le32(e + 8);
		assert_true(v + (idx + 1) * sz <= t + len);
		return sz == 2 ? le16(v + idx * sz) : le32(v + idx * sz);
	}
	return def;
}

/* iTerm2's inline image: ESC ] 1337;File=args:base64 BEL (or ST), shown in
 * width x height cells.  chafa sends an uncompressed RGB(A) TIFF. */
static pic parse_iterm(const preview_img *p)
{
	const char *s = p->seq;
	size_t n = strlen(s);
	const char *pre = "\033]1337;File=";
	if (strncmp(s, pre, strlen(pre)) != 0)
		fail_msg("not an OSC 1337 File= sequence");
	const char *args = s + strlen(pre), *colon = strchr(args, ':');
	assert_non_null(colon);
	size_t tail = s[n - 1] == '\a' ? 1 : (n >= 2 && !strcmp(s + n - 2, "\033\\")) ? 2 : 0;
	assert_true(tail > 0);
	const char *pay = colon + 1;
	size_t pl = (size_t)(s + n - tail - pay);
	assert_null(memchr(s + 1, '\033', n - 1 - (tail == 2 ? 2 : 0)));
	assert_null(memchr(s, '\a', n - 1));
	/* the arguments: inline, the size in cells, a byte count if given */
	char *a = strndup(args, (size_t)(colon - args));
	long inl = -1, cw = -1, chh = -1, size = -1;
	for (char *save = NULL, *kv = strtok_r(a, ";", &save); kv; kv = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(kv, '=');
		assert_non_null(eq);
		*eq = 0;
		char *end;
		long v = strtol(eq + 1, &end, 10);
		if (!strcmp(kv, "inline"))
			inl = v;
		else if (!strcmp(kv, "width"))
			cw = *end ? -2 : v; /* plain number = cells */
		else if (!strcmp(kv, "height"))
			chh = *end ? -2 : v;
		else if (!strcmp(kv, "size"))
			size = v;
	}
	free(a);
	assert_int_equal(inl, 1);
	assert_int_equal(cw, p->w);
	assert_int_equal(chh, p->h);
	unsigned char *t = NULL;
	size_t tl = 0;
	if (!b64_decode(pay, pl, &t, &tl))
		fail_msg("iTerm payload is not clean base64");
	if (size >= 0)
		assert_int_equal(size, tl);
	assert_true(tl > 8);
	assert_memory_equal(t, "II*\0", 4);
	uint32_t ifd = le32(t + 4);
	assert_true(ifd + 2 <= tl);
	int w = (int)tiff_val(t, tl, ifd, 256, 0, 0), h = (int)tiff_val(t, tl, ifd, 257, 0, 0);
	int spp = (int)tiff_val(t, tl, ifd, 277, 0, 1);
	assert_true(w > 0 && h > 0);
	assert_int_equal(tiff_val(t, tl, ifd, 259, 0, 1), 1); /* uncompressed */
	assert_int_equal(tiff_val(t, tl, ifd, 262, 0, 0), 2); /* RGB */
	assert_true(spp == 3 || spp == 4);
	for (int i = 0; i < spp; i++)
		assert_int_equal(tiff_val(t, tl, ifd, 258, (uint32_t)i, 8), 8);
	assert_true(w <= p->w * cell_w && w > (p->w - 1) * cell_w);
	assert_true(h <= p->h * cell_h && h > (p->h - 1) * cell_h);
	uint32_t rps = tiff_val(t, tl, ifd, 278, 0, (uint32_t)h);
	assert_true(rps > 0);
	pic r = { w, h, malloc((size_t)w * h * 3) };
	size_t row = (size_t)w * spp;
	for (uint32_t sidx = 0; sidx * rps < (uint32_t)h; sidx++) {
		uint32_t off = tiff_val(t, tl, ifd, 273, sidx, 0), cnt = tiff_val(t, tl, ifd, 279, sidx, 0);
		uint32_t rows = (uint32_t)h - sidx * rps < rps ? (uint32_t)h - sidx * rps : rps;
		assert_true(cnt >= rows * row && off + (size_t)rows * row <= tl);
		for (uint32_t y = 0; y < rows; y++)
			for (int x = 0; x < w; x++)
				memcpy(r.px + (((size_t)(sidx * rps + y)) * w + x) * 3, t + off + y * row + (size_t)x * spp, 3);
	}
	free(t);
	return r;
}

static pic parse_seq(const preview_img *p, pv_protocol proto)
{
	assert_null(p->cells);
	assert_non_null(p->seq);
	return proto == PV_KITTY ? parse_kitty(p) : proto == PV_SIXEL ? parse_sixel(p) : parse_iterm(p);
}

static int setup(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/sbprevXXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	pty_master = posix_openpt(O_RDWR | O_NOCTTY);
	if (pty_master < 0 || grantpt(pty_master) < 0 || unlockpt(pty_master) < 0)
		return -1;
	pty_slave = open(ptsname(pty_master), O_RDWR | O_NOCTTY);
	return pty_slave < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	close(pty_slave);
	close(pty_master);
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	int rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

/* ---- tests ---- */

typedef struct shape {
	const char *name;
	int o, w, h; /* EXIF orientation, upright size */
} shape;

static const shape shapes[] = {
	{ "land.jpg", 1, 640, 480 },
	{ "port.jpg", 1, 300, 600 },
	{ "rot6.jpg", 6, 640, 480 },   /* stored portrait, shown landscape */
	{ "rot8.JPG", 8, 300, 600 },   /* stored landscape, shown portrait */
	{ "flip3.jpeg", 3, 400, 300 },
};

static char *shape_file(const shape *sh)
{
	size_t n;
	unsigned char *j = oriented_jpeg(sh->o, sh->w, sh->h, RED, &n);
	char *path = write_file(sh->name, j, n);
	free(j);
	return path;
}

/* The upright aspect survives: the canvas' cells and the decoded pixels. */
static void assert_aspect(const shape *sh, const preview_img *p, const pic *r)
{
	double want = (double)sh->w / sh->h;
	assert_true(p->src_w > 0 && p->src_h > 0);
	if (fabs((double)p->src_w / p->src_h - want) > 0.02 * want)
		fail_msg("%s: decoded %dx%d, upright is %dx%d", sh->name, p->src_w, p->src_h, sh->w, sh->h);
	/* the cell grid rounds one side by up to a cell */
	double got = (double)r->w / r->h;
	double slack = (double)cell_h / r->h + (double)cell_w / r->w;
	if (fabs(got / want - 1.0) > slack + 0.02)
		fail_msg("%s: picture %dx%d in %dx%d cells, upright is %dx%d", sh->name, r->w, r->h, p->w, p->h,
			 sh->w, sh->h);
}

static void check_protocol(pv_protocol proto)
{
	static const int sizes[][2] = { { 20, 10 }, { 40, 12 }, { 7, 9 } };
	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
		char *path = shape_file(&shapes[i]);
		for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
			preview_img *p = render(path, sizes[k][0], sizes[k][1], proto, PV_256);
			assert_non_null(p);
			if (p->err[0])
				fail_msg("%s: %s", shapes[i].name, p->err);
			assert_false(p->from_embedded);
			assert_in_range(p->w, 1, sizes[k][0]);
			assert_in_range(p->h, 1, sizes[k][1]);
			assert_true(p->w == sizes[k][0] || p->h == sizes[k][1]);
			pic r = parse_seq(p, proto);
			assert_aspect(&shapes[i], p, &r);
			assert_upright(&r, RED, shapes[i].name);
			pic_free(&r);
			preview_img_free(p);
		}
		free(path);
	}
}

static void test_kitty(void **state) { (void)state; check_protocol(PV_KITTY); }
static void test_sixel(void **state) { (void)state; check_protocol(PV_SIXEL); }
static void test_iterm(void **state) { (void)state; check_protocol(PV_ITERM); }

/* A terminal that tells its cell size gets pictures made for that cell:
 * a sixel for 10x20 cells would spill out of the pane on 8x18 or 7x14. */
static void test_cell_size(void **state)
{
	(void)state;
	static const int cells[][2] = { { 8, 18 }, { 7, 14 }, { 12, 24 } };
	for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
		set_cell(cells[i][0], cells[i][1]);
		check_protocol(PV_KITTY);
		check_protocol(PV_SIXEL);
		check_protocol(PV_ITERM);
	}
}

/* Back to a terminal that tells no pixel size, also after a failure. */
static int default_cell(void **state)
{
	(void)state;
	set_cell(0, 0);
	return 0;
}

/* A big photo (past the 128 KB head preview.c reads first) with an EXIF
 * thumbnail: the thumbnail is shown when it is big enough, turned upright
 * by preview.c's own orient() for all eight orientations. */
static void test_embedded(void **state)
{
	(void)state;
	for (int o = 1; o <= 8; o++) {
		bool sw = o >= 5;
		size_t tl, jl, sl;
		/* thumbnail green top-left, the main image red: which one shows? */
		unsigned char *th = make_jpeg(sw ? 192 : 256, sw ? 256 : 192, stored_corner(o), GREEN, &tl);
		unsigned char *j = make_jpeg(sw ? 480 : 640, sw ? 640 : 480, stored_corner(o), RED, &jl);
		unsigned char *seg = make_app1(o, th, tl, &sl);
		free(th);
		j = splice_seg(j, jl, seg, sl, &jl);
		/* comment segments pad the file past the head */
		size_t bl;
		unsigned char *big = splice_seg(j, jl, com_segment(60000, 'x'), 60004, &bl);
		big = splice_seg(big, bl, com_segment(60000, 'y'), 60004, &bl);
		assert_true(bl > 128 * 1024);
		char name[32];
		snprintf(name, sizeof name, "emb%d.jpg", o);
		char *path = write_file(name, big, bl);
		free(big);
		shape sh = { name, o, 256, 192 };

		preview_img *p = render(path, 20, 10, PV_KITTY, PV_256);
		if (p->err[0])
			fail_msg("o=%d: %s", o, p->err);
		assert_true(p->from_embedded);
		assert_int_equal(p->src_w, 256);
		assert_int_equal(p->src_h, 192);
		pic r = parse_seq(p, PV_KITTY);
		assert_aspect(&sh, p, &r);
		assert_upright(&r, GREEN, name);
		pic_free(&r);
		preview_img_free(p);

		/* a pane too big for the thumbnail: the main image, also upright */
		p = render(path, 60, 20, PV_SIXEL, PV_256);
		if (p->err[0])
			fail_msg("o=%d: %s", o, p->err);
		assert_false(p->from_embedded);
		r = parse_seq(p, PV_SIXEL);
		assert_upright(&r, RED, name);
		pic_free(&r);
		preview_img_free(p);
		free(path);
	}
}

/* The shipped sample photos (PIL-made, one stored turned with EXIF
 * orientation 6, under a Czech folder name): every protocol parses and the
 * rotated one comes out landscape. */
/* What a terminal can show: 8 colours (xterm, linux), the Linux console
 * font's blocks and shades, ASCII on a VT100. */
static void test_limited_terminals(void **state)
{
	(void)state;
	static const pv_symbols syms[] = { PV_SYM_BLOCKS, PV_SYM_ASCII };
	char *path = shape_file(&shapes[0]);
	for (size_t s = 0; s < 2; s++) {
		preview_set_symbols(syms[s]);
		for (int c = 0; c < 2; c++) {
			preview_img *p = render(path, 40, 12, PV_SYMBOLS, c ? PV_8 : PV_MONO);
			assert_non_null(p->cells);
			int inked = 0;
			for (int i = 0; i < p->w * p->h; i++) {
				const pv_cell *cell = &p->cells[i];
				unsigned ch = cell->ch;
				/* blocks: space, ▀ ▄ █ ▌ ▐ and the shades ░ ▒ ▓ */
				bool ok = syms[s] == PV_SYM_ASCII
						  ? ch >= 0x20 && ch < 0x7f
						  : ch == ' ' || ch == 0x2580 || ch == 0x2584 || ch == 0x2588 ||
							    ch == 0x258C || ch == 0x2590 || (ch >= 0x2591 && ch <= 0x2593);
				if (!ok)
					fail_msg("symbols %d colours %d: U+%04X", (int)syms[s], c, ch);
				inked += cell->fg >= 0 || cell->bg >= 0;
				int top = c ? 7 : -1; /* the 8 ANSI colours, or none */
				if (cell->fg < -1 || cell->fg > top || cell->bg < -1 || cell->bg > top)
					fail_msg("colours %d/%d with %d at most", cell->fg, cell->bg, top);
			}
			assert_true(inked > 0 || !c);
			preview_img_free(p);
		}
	}
	preview_set_symbols(PV_SYM_FULL);
	free(path);
}

static void test_sample_photos(void **state)
{
	(void)state;
	const char *dd = getenv("STOCKBATCH_DATADIR");
	if (!dd)
		skip();
	static const struct {
		const char *rel;
		bool landscape;
	} photos[] = {
		{ "sample/Foto/JPG/Architektura/2024/IMG_0215.jpg", true }, /* stored 800x1200, o=6 */
		{ "sample/Foto/JPG/Příroda/2024/IMG_0101.jpg", true },
	};
	static const pv_protocol protos[] = { PV_KITTY, PV_SIXEL, PV_ITERM };
	for (size_t i = 0; i < sizeof photos / sizeof photos[0]; i++) {
		char *path = xasprintf("%s/%s", dd, photos[i].rel);
		for (size_t k = 0; k < 3; k++) {
			preview_img *p = render(path, 30, 12, protos[k], PV_256);
			if (p->err[0])
				fail_msg("%s: %s", path, p->err);
			assert_true((p->src_w > p->src_h) == photos[i].landscape);
			pic r = parse_seq(p, protos[k]);
			assert_true((r.w > r.h) == photos[i].landscape);
			pic_free(&r);
			preview_img_free(p);
		}
		preview_img *p = render(path, 30, 12, PV_SYMBOLS, PV_256);
		assert_non_null(p->cells);
		assert_true(p->w > p->h); /* landscape in 1:2 cells */
		preview_img_free(p);
		free(path);
	}
}

static bool narrow_symbol(unsigned c)
{
	/* spaces, box drawing, block elements: one column everywhere */
	return c == ' ' || (c >= 0x2500 && c <= 0x259f);
}

/* Is palette index idx clearly red (or blue)?  The 16 ANSI colours, or the
 * 6x6x6 cube of the 240-colour mode. */
static bool pen_is(int idx, bool red)
{
	if (idx >= 0 && idx < 16)
		return red ? idx == 1 || idx == 9 : idx == 4 || idx == 12;
	if (idx < 16 || idx > 231)
		return false;
	int v = idx - 16, r = v / 36, g = v / 6 % 6, b = v % 6;
	return g <= 1 && (red ? r >= 3 && b <= 1 : b >= 3 && r <= 1);
}

static void test_symbols(void **state)
{
	(void)state;
	static const int sizes[][2] = { { 80, 24 }, { 20, 10 }, { 40, 3 }, { 3, 40 }, { 1, 1 }, { 2, 1 } };
	static const pv_colors cols[] = { PV_MONO, PV_16, PV_256 };
	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
		char *path = shape_file(&shapes[i]);
		double want = (double)shapes[i].w / shapes[i].h; /* pixels; a cell is 1:2 */
		for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
			for (size_t c = 0; c < 3; c++) {
				int rw = sizes[k][0], rh = sizes[k][1];
				preview_img *p = render(path, rw, rh, PV_SYMBOLS, cols[c]);
				if (p->err[0])
					fail_msg("%s: %s", shapes[i].name, p->err);
				assert_null(p->seq);
				assert_non_null(p->cells);
				assert_int_equal(p->req_w, rw);
				assert_int_equal(p->req_h, rh);
				assert_in_range(p->w, 1, rw);
				assert_in_range(p->h, 1, rh);
				/* it fills the pane one way, and keeps the aspect the
				 * other way to within a cell */
				assert_true(p->w == rw || p->h == rh);
				double ew = p->h * 2.0 * want, eh = p->w / (2.0 * want);
				if (!(p->w == rw && fabs(p->h - eh) <= 1.0) &&
				    !(p->h == rh && fabs(p->w - ew) <= 1.0) && !(eh < 1 && p->h == 1) &&
				    !(ew < 1 && p->w == 1))
					fail_msg("%s in %dx%d: canvas %dx%d, aspect %.2f", shapes[i].name, rw, rh,
						 p->w, p->h, want);
				int red = 0, blue = 0;
				for (int y = 0; y < p->h; y++)
					for (int x = 0; x < p->w; x++) {
						const pv_cell *cell = &p->cells[y * p->w + x];
						if (!narrow_symbol(cell->ch))
							fail_msg("cell %d,%d is U+%04X", x, y, cell->ch);
						int top_idx = cols[c] == PV_16 ? 15 : 255;
						if (cell->fg < -1 || cell->fg > top_idx || cell->bg < -1 || cell->bg > top_idx)
							fail_msg("%s %dx%d mode %d: cell %d,%d of %dx%d colours %d/%d", shapes[i].name, rw, rh, cols[c], x, y, p->w, p->h, cell->fg, cell->bg);
						if (cols[c] == PV_MONO) {
							assert_int_equal(cell->fg, -1);
							assert_int_equal(cell->bg, -1);
						}
						bool top = y < p->h / 2, left = x < p->w / 2;
						if (cols[c] == PV_MONO || p->w < 8 || p->h < 4)
							continue;
						/* quadrant centres: red top-left, blue elsewhere */
						if (y != p->h / 4 && y != 3 * p->h / 4)
							continue;
						if (x != p->w / 4 && x != 3 * p->w / 4)
							continue;
						if (top && left)
							red += pen_is(cell->fg, true) || pen_is(cell->bg, true);
						else
							blue += pen_is(cell->fg, false) || pen_is(cell->bg, false);
					}
				if (cols[c] != PV_MONO && p->w >= 8 && p->h >= 4) {
					assert_int_equal(red, 1);
					assert_int_equal(blue, 3);
				}
				preview_img_free(p);
			}
		free(path);
	}
}

/* No picture and a reason, never a crash, for every protocol. */
static void expect_error(const char *path, const char *needle)
{
	static const pv_protocol protos[] = { PV_SYMBOLS, PV_KITTY, PV_SIXEL, PV_ITERM };
	for (size_t i = 0; i < 4; i++) {
		preview_img *p = render(path, 20, 10, protos[i], PV_256);
		assert_non_null(p);
		assert_null(p->cells);
		assert_null(p->seq);
		assert_string_equal(p->path, path);
		if (!p->err[0])
			fail_msg("%s: no error text", path);
		if (needle && !strstr(p->err, needle))
			fail_msg("%s: error \"%s\" lacks \"%s\"", path, p->err, needle);
		preview_img_free(p);
	}
}

static void test_errors(void **state)
{
	(void)state;
	char *missing = xasprintf("%s/missing.jpg", tmpdir);
	expect_error(missing, "missing.jpg");
	free(missing);

	char *text = write_file("notes.jpg", "this is not a JPEG\n", 19);
	expect_error(text, NULL);
	free(text);
	char *empty = write_file("empty.jpg", "", 0);
	expect_error(empty, NULL);
	free(empty);
	char *other = write_file("readme.txt", "hello", 5);
	expect_error(other, NULL);
	free(other);

	size_t n;
	unsigned char *j = oriented_jpeg(6, 640, 480, RED, &n);
	/* cut inside the headers, and inside the scan data */
	static const double cuts[] = { 0.01, 0.05, 0.5 };
	for (size_t i = 0; i < 3; i++) {
		char name[32];
		snprintf(name, sizeof name, "cut%zu.jpg", i);
		char *path = write_file(name, j, (size_t)(n * cuts[i]));
		expect_error(path, NULL);
		free(path);
	}
	free(j);
}

static void set_env(const char *term, const char *prog, const char *kitty, const char *tmux, const char *sty)
{
	const char *names[] = { "TERM", "TERM_PROGRAM", "KITTY_WINDOW_ID", "TMUX", "STY" };
	const char *vals[] = { term, prog, kitty, tmux, sty };
	for (int i = 0; i < 5; i++) {
		if (vals[i])
			assert_int_equal(setenv(names[i], vals[i], 1), 0);
		else
			assert_int_equal(unsetenv(names[i]), 0);
	}
}

static void test_detect(void **state)
{
	(void)state;
	static const struct {
		const char *term, *prog, *kitty, *tmux, *sty;
		pv_protocol want;
	} cases[] = {
		{ NULL, NULL, NULL, NULL, NULL, PV_SYMBOLS },
		{ "xterm-256color", NULL, NULL, NULL, NULL, PV_SYMBOLS },
		{ "linux", NULL, NULL, NULL, NULL, PV_SYMBOLS },
		{ "xterm-256color", NULL, "1", NULL, NULL, PV_KITTY },
		{ "xterm-kitty", NULL, NULL, NULL, NULL, PV_KITTY },
		{ "xterm-ghostty", "ghostty", NULL, NULL, NULL, PV_KITTY },
		{ "xterm-256color", "iTerm.app", NULL, NULL, NULL, PV_ITERM },
		{ "xterm-256color", "WezTerm", NULL, NULL, NULL, PV_ITERM },
		{ "foot", NULL, NULL, NULL, NULL, PV_SIXEL },
		{ "foot-extra", NULL, NULL, NULL, NULL, PV_SIXEL },
		{ "mlterm", NULL, NULL, NULL, NULL, PV_SIXEL },
		{ "xterm-sixel", NULL, NULL, NULL, NULL, PV_SIXEL },
		{ "yaft-256color", NULL, NULL, NULL, NULL, PV_SIXEL },
		/* multiplexers: symbols whatever is outside */
		{ "xterm-kitty", NULL, "1", "/tmp/tmux-0/default,1,0", NULL, PV_SYMBOLS },
		{ "tmux-256color", NULL, NULL, NULL, NULL, PV_SYMBOLS },
		{ "tmux-256color", "iTerm.app", NULL, NULL, NULL, PV_SYMBOLS },
		{ "screen", NULL, "1", NULL, NULL, PV_SYMBOLS },
		{ "screen.xterm-256color", "iTerm.app", NULL, NULL, NULL, PV_SYMBOLS },
		{ "foot", NULL, NULL, NULL, "1234.pts-0.host", PV_SYMBOLS },
		{ "mlterm", NULL, NULL, "/tmp/tmux-0/default,1,0", NULL, PV_SYMBOLS },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		set_env(cases[i].term, cases[i].prog, cases[i].kitty, cases[i].tmux, cases[i].sty);
		pv_protocol a = preview_detect("auto"), nul = preview_detect(NULL);
		if (a != cases[i].want || nul != cases[i].want)
			fail_msg("case %zu (TERM=%s): auto %d, NULL %d, want %d", i,
				 cases[i].term ? cases[i].term : "-", a, nul, cases[i].want);
		/* an explicit setting wins, inside tmux too */
		assert_int_equal(preview_detect("symbols"), PV_SYMBOLS);
		assert_int_equal(preview_detect("kitty"), PV_KITTY);
		assert_int_equal(preview_detect("sixel"), PV_SIXEL);
		assert_int_equal(preview_detect("iterm"), PV_ITERM);
		/* ... but the TUI falls back to symbols inside a multiplexer */
		const char *mux = preview_multiplexer();
		if ((mux != NULL) != (cases[i].tmux || cases[i].sty ||
				      (cases[i].term && (!strncmp(cases[i].term, "tmux", 4) ||
							 !strncmp(cases[i].term, "screen", 6)))))
			fail_msg("case %zu (TERM=%s): multiplexer %s", i,
				 cases[i].term ? cases[i].term : "-", mux ? mux : "none");
	}
	set_env("xterm-256color", NULL, NULL, NULL, NULL);
}

/* ---- the previewer's thread and the series ---- */

/* As the UI's loop: wait for the preview thread, then collect what it made
 * (previewer_thumb and previewer_want do not collect). */
static void wait_wake(previewer *pv)
{
	struct pollfd fd = { .fd = previewer_fd(pv), .events = POLLIN };
	poll(&fd, 1, 1000);
	previewer_collect(pv);
}

/* A render that decodes its photo hashes it from that decode (no second
 * decode), near the hash of the 1/8 decode plan and import make; the
 * series strip's pictures come from their own cache, behind the renders:
 * a prefetch queued after a strip's worth of pictures is rendered before
 * the last of them; then every picture arrives, symbols of the size asked. */
static void test_series_thread(void **state)
{
	(void)state;
	enum { NT = 15 };
	size_t len;
	unsigned char *j = make_jpeg(4000, 3000, TL, RED, &len);
	char *path[NT + 2];
	for (int i = 0; i < NT + 2; i++) {
		char name[32];
		snprintf(name, sizeof name, "frame%02d.jpg", i);
		path[i] = write_file(name, j, len);
	}
	free(j);
	series_cache *hc = series_cache_open(tmpdir);
	previewer *pv = previewer_new(PV_SYMBOLS, PV_256);
	assert_non_null(pv);
	previewer_set_hash_cache(pv, hc);
	while (!previewer_get(pv, path[0], 40, 20))
		wait_wake(pv);
	series_facts f;
	assert_true(series_cache_peek(hc, path[0], &f));
	assert_true(f.has_hash);
	assert_int_equal(previewer_hashed(pv), 1);
	uint64_t h8;
	sb_err e;
	assert_int_equal(series_hash_file(path[0], &h8, &e), 0);
	assert_in_range(series_distance(h8, f.hash), 0, 4);

	for (int i = 1; i <= NT; i++)
		assert_null(previewer_thumb(pv, path[i], 10, 4));
	previewer_prefetch(pv, path[NT + 1], 40, 20);
	while (!previewer_get(pv, path[NT + 1], 40, 20))
		wait_wake(pv);
	int have = 0;
	for (int i = 1; i <= NT; i++)
		have += previewer_thumb(pv, path[i], 10, 4) != NULL;
	if (have == NT)
		fail_msg("the strip's %d pictures all came before the next photo's prefetch", NT);
	for (int i = 1; i <= NT; i++) {
		const preview_img *t;
		while (!(t = previewer_thumb(pv, path[i], 10, 4)))
			wait_wake(pv);
		assert_non_null(t->cells);
		assert_in_range(t->w, 1, 10);
		assert_in_range(t->h, 1, 4);
		assert_true(series_cache_peek(hc, path[i], &f));
	}
	/* the photos' renders are still cached: the strip did not push them out */
	assert_non_null(previewer_get(pv, path[0], 40, 20));
	assert_non_null(previewer_get(pv, path[NT + 1], 40, 20));
	previewer_free(pv);
	series_cache_free(hc);
	for (int i = 0; i < NT + 2; i++) {
		unlink(path[i]);
		free(path[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kitty),
		cmocka_unit_test(test_sixel),
		cmocka_unit_test(test_iterm),
		cmocka_unit_test_teardown(test_cell_size, default_cell),
		cmocka_unit_test(test_embedded),
		cmocka_unit_test(test_symbols),
		cmocka_unit_test(test_limited_terminals),
		cmocka_unit_test(test_sample_photos),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_series_thread),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
