/* preview.c: chafa previews with a prefetch thread (see preview.h). */
#include "config.h"
#include "preview.h"

#include <chafa.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "base64.h"
#include "imageprep.h"
#include "photomedia.h"
#include "queue.h"
#include "series.h"

extern char **environ;

static pv_symbols symbols_limit = PV_SYM_FULL;

void preview_set_symbols(pv_symbols s)
{
	symbols_limit = s;
}

void preview_img_free(preview_img *p)
{
	if (!p)
		return;
	free(p->path);
	free(p->cells);
	free(p->seq);
	free(p);
}

const char *preview_multiplexer(void)
{
	const char *term = getenv("TERM");
	if (getenv("TMUX") || (term && !strncmp(term, "tmux", 4)))
		return "tmux";
	if (getenv("STY") || (term && !strncmp(term, "screen", 6)))
		return "screen";
	return NULL;
}

pv_protocol preview_detect(const char *setting)
{
	if (setting && strcmp(setting, "symbols") == 0)
		return PV_SYMBOLS;
	if (setting && strcmp(setting, "kitty") == 0)
		return PV_KITTY;
	if (setting && strcmp(setting, "sixel") == 0)
		return PV_SIXEL;
	if (setting && strcmp(setting, "iterm") == 0)
		return PV_ITERM;
	const char *term = getenv("TERM"), *prog = getenv("TERM_PROGRAM");
	/* Multiplexers do not pass graphics through reliably: symbols. */
	if (preview_multiplexer())
		return PV_SYMBOLS;
	if (getenv("KITTY_WINDOW_ID") || (term && strstr(term, "kitty")) ||
	    (prog && !strcmp(prog, "ghostty")))
		return PV_KITTY;
	if (prog && (!strcmp(prog, "iTerm.app") || !strcmp(prog, "WezTerm")))
		return PV_ITERM;
	if (term && (strstr(term, "sixel") || !strcmp(term, "mlterm") ||
		     !strncmp(term, "foot", 4) || !strcmp(term, "yaft-256color")))
		return PV_SIXEL;
	return PV_SYMBOLS;
}

/* The terminal's cell in pixels, from the window size when the terminal
 * tells it (xterm, foot, kitty, WezTerm, mlterm do), else 10x20.  A sixel
 * is drawn pixel for pixel: made for a bigger cell than the terminal's, it
 * spills out of the pane over its neighbours. */
static void cell_px(int *cw, int *ch)
{
	struct winsize ws;
	*cw = 10;
	*ch = 20;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0 &&
	    ws.ws_xpixel / ws.ws_col >= 2 && ws.ws_ypixel / ws.ws_row >= 2 &&
	    ws.ws_xpixel / ws.ws_col <= 200 && ws.ws_ypixel / ws.ws_row <= 200) {
		*cw = ws.ws_xpixel / ws.ws_col;
		*ch = ws.ws_ypixel / ws.ws_row;
	}
}

/* Pixels the pane needs: chafa looks at about 8x8 source pixels per cell
 * for symbols; graphics protocols show real pixels. */
static void needed_px(int w, int h, pv_protocol proto, int *nw, int *nh)
{
	int cw = 4, ch = 8;
	if (proto != PV_SYMBOLS)
		cell_px(&cw, &ch);
	*nw = w * cw;
	*nh = h * ch;
}

#define HEAD_BYTES (128 * 1024)

/* The embedded preview, oriented, if it is big enough for nw x nh. */
static int try_embedded(const unsigned char *jpeg, size_t len, int nw, int nh, image_rgb *im)
{
	const unsigned char *pj;
	size_t plen;
	if (!exif_preview(jpeg, len, &pj, &plen))
		return -1;
	image_rgb t = { 0 };
	sb_err e2;
	sb_err_clear(&e2);
	if (image_decode_scaled(pj, plen, 0, 0, &t, &e2) < 0)
		return -1;
	/* the main image's tag rules the thumbnail too (it carries none) */
	image_orient(&t, exif_orientation(jpeg, len));
	/* big enough when the fitted picture would not be upscaled */
	double s = (double)nw / t.w < (double)nh / t.h ? (double)nw / t.w : (double)nh / t.h;
	if (s > 1.0) {
		image_free(&t);
		return -1;
	}
	*im = t;
	return 0;
}

static int decode(const unsigned char *jpeg, size_t len, int nw, int nh, image_rgb *im,
		  bool *embedded, sb_err *e)
{
	*embedded = try_embedded(jpeg, len, nw, nh, im) == 0;
	if (*embedded)
		return 0;
	return image_decode_scaled(jpeg, len, nw, nh, im, e);
}

/* chafa base64-encodes each kitty chunk (512 bytes: 128 pixels) on its own,
 * and chafa 1.12 gets the last group wrong when two bytes are left: the
 * third character carries byte & 0x0f instead of (byte << 2) & 0x3c, so
 * the terminal reads the chunk's last byte wrong (every 128th pixel gets an
 * alpha of 243 instead of 255).  Probed once on a white cell, whose first
 * chunk must end in "//8="; when chafa is wrong, repaired in place. */
static pthread_once_t kitty_once = PTHREAD_ONCE_INIT;
static bool kitty_b64_broken;

static ChafaTermInfo *term_info(void)
{
	/* The `preview` setting may force a protocol the terminal database
	 * does not list for $TERM: fill the gaps from chafa's fallback. */
	ChafaTermDb *db = chafa_term_db_get_default();
	ChafaTermInfo *ti = chafa_term_db_detect(db, environ);
	ChafaTermInfo *fb = chafa_term_db_get_fallback_info(db);
	chafa_term_info_supplement(ti, fb);
	chafa_term_info_unref(fb);
	return ti;
}

static void kitty_probe(void)
{
	ChafaCanvasConfig *cc = chafa_canvas_config_new();
	chafa_canvas_config_set_geometry(cc, 1, 1);
	chafa_canvas_config_set_canvas_mode(cc, CHAFA_CANVAS_MODE_TRUECOLOR);
	chafa_canvas_config_set_pixel_mode(cc, CHAFA_PIXEL_MODE_KITTY);
	chafa_canvas_config_set_cell_geometry(cc, 10, 20);
	ChafaCanvas *cv = chafa_canvas_new(cc);
	unsigned char white[4 * 4 * 3];
	memset(white, 255, sizeof white);
	chafa_canvas_draw_all_pixels(cv, CHAFA_PIXEL_RGB8, white, 4, 4, 4 * 3);
	ChafaTermInfo *ti = term_info();
	GString *gs = chafa_canvas_print(cv, ti);
	const char *chunk = strstr(gs->str, "m=1;"), *end = chunk ? strstr(chunk, "\033\\") : NULL;
	kitty_b64_broken = end && end - chunk >= 8 && !strncmp(end - 4, "//P=", 4);
	g_string_free(gs, TRUE);
	chafa_term_info_unref(ti);
	chafa_canvas_unref(cv);
	chafa_canvas_config_unref(cc);
}

static void kitty_repair(char *seq)
{
	pthread_once(&kitty_once, kitty_probe);
	if (!kitty_b64_broken)
		return;
	/* every payload ends right before an ST; "xyz=" is the broken case */
	for (char *p = strstr(seq, "\033\\"); p; p = strstr(p + 2, "\033\\")) {
		if (p - seq < 4 || p[-1] != '=' || p[-2] == '=')
			continue;
		int v = base64_value((unsigned char)p[-2]);
		if (v >= 0)
			p[-2] = base64_alphabet[(v & 0x0f) << 2];
	}
}

static void render_canvas(preview_img *p, const image_rgb *im, pv_protocol proto, pv_colors colors)
{
	int cw = p->req_w, ch = p->req_h, px_w = 10, px_h = 20;
	if (proto != PV_SYMBOLS)
		cell_px(&px_w, &px_h);
	chafa_calc_canvas_geometry(im->w, im->h, &cw, &ch, (gfloat)px_w / px_h, FALSE, FALSE);
	if (cw < 1)
		cw = 1;
	if (ch < 1)
		ch = 1;
	ChafaCanvasConfig *cc = chafa_canvas_config_new();
	chafa_canvas_config_set_geometry(cc, cw, ch);
	ChafaSymbolMap *sm = chafa_symbol_map_new();
	if (proto == PV_SYMBOLS) {
		ChafaSymbolTags tags =
			CHAFA_SYMBOL_TAG_BLOCK | CHAFA_SYMBOL_TAG_BORDER | CHAFA_SYMBOL_TAG_SPACE;
		if (colors == PV_MONO)
			tags |= CHAFA_SYMBOL_TAG_STIPPLE;
		if (symbols_limit == PV_SYM_BLOCKS)
			tags = CHAFA_SYMBOL_TAG_SPACE | CHAFA_SYMBOL_TAG_SOLID |
			       CHAFA_SYMBOL_TAG_HALF | CHAFA_SYMBOL_TAG_STIPPLE;
		else if (symbols_limit == PV_SYM_ASCII)
			tags = CHAFA_SYMBOL_TAG_ASCII;
		chafa_symbol_map_add_by_tags(sm, tags);
		chafa_symbol_map_remove_by_tags(sm, CHAFA_SYMBOL_TAG_WIDE);
		chafa_canvas_config_set_symbol_map(cc, sm);
		chafa_canvas_config_set_canvas_mode(cc,
						    colors == PV_256 ? CHAFA_CANVAS_MODE_INDEXED_240
						    : colors == PV_16 ? CHAFA_CANVAS_MODE_INDEXED_16
						    : colors == PV_8  ? CHAFA_CANVAS_MODE_INDEXED_8
								      : CHAFA_CANVAS_MODE_FGBG);
	} else {
		chafa_canvas_config_set_canvas_mode(cc, CHAFA_CANVAS_MODE_TRUECOLOR);
		chafa_canvas_config_set_pixel_mode(cc, proto == PV_KITTY ? CHAFA_PIXEL_MODE_KITTY
						       : proto == PV_SIXEL
							       ? CHAFA_PIXEL_MODE_SIXELS
							       : CHAFA_PIXEL_MODE_ITERM2);
		chafa_canvas_config_set_cell_geometry(cc, px_w, px_h);
	}
	ChafaCanvas *cv = chafa_canvas_new(cc);
	/* chafa's scaler (smolscale) keeps the row stride in 32-bit words: a
	 * packed RGB row whose length is not a multiple of 4 bytes (a width
	 * not divisible by 4) comes out sheared.  Pad the rows. */
	size_t row = (size_t)im->w * im->channels, stride = (row + 3) & ~(size_t)3;
	unsigned char *padded = NULL;
	if (stride != row) {
		padded = xmalloc(stride * im->h);
		for (int y = 0; y < im->h; y++)
			memcpy(padded + stride * y, im->px + row * y, row);
	}
	chafa_canvas_draw_all_pixels(
		cv, im->channels == 4 ? CHAFA_PIXEL_RGBA8_UNASSOCIATED : CHAFA_PIXEL_RGB8,
		padded ? padded : im->px, im->w, im->h, (gint)stride);
	free(padded);
	p->w = cw;
	p->h = ch;
	if (proto == PV_SYMBOLS) {
		p->cells = xcalloc((size_t)cw * ch, sizeof *p->cells);
		for (int y = 0; y < ch; y++)
			for (int x = 0; x < cw; x++) {
				pv_cell *c = &p->cells[y * cw + x];
				gint fg = -1, bg = -1;
				c->ch = chafa_canvas_get_char_at(cv, x, y);
				/* pens, not chafa_canvas_get_colors_at(): that one
				 * gives packed RGB even on an indexed canvas */
				if (colors != PV_MONO)
					chafa_canvas_get_raw_colors_at(cv, x, y, &fg, &bg);
				c->fg = (short)(fg >= 0 && fg < 256 ? fg : -1);
				c->bg = (short)(bg >= 0 && bg < 256 ? bg : -1);
			}
	} else {
		ChafaTermInfo *ti = term_info();
		GString *gs = chafa_canvas_print(cv, ti);
		p->seq = xstrdup(gs->str);
		if (proto == PV_KITTY)
			kitty_repair(p->seq);
		g_string_free(gs, TRUE);
		chafa_term_info_unref(ti);
	}
	chafa_canvas_unref(cv);
	chafa_symbol_map_unref(sm);
	chafa_canvas_config_unref(cc);
}

int preview_decode(const char *path, int w, int h, pv_protocol proto, image_rgb *im,
		   bool *embedded, char **data, size_t *len, sb_err *e)
{
	*data = NULL;
	*len = 0;
	*embedded = false;
	if (mediacsv_media_kind(path) != MC_IMAGE)
		return sb_fail(e, SBE_INPUT, "%s", "not an image");
	int nw, nh;
	needed_px(w, h, proto, &nw, &nh);
	/* An embedded preview sits in the first 64 KB: try it before reading
	 * the whole 24 MP file. */
	FILE *f = fopen_regular(path);
	if (f) {
		unsigned char *head = xmalloc(HEAD_BYTES);
		size_t hn = fread(head, 1, HEAD_BYTES, f);
		fclose(f);
		int rc = hn == HEAD_BYTES ? try_embedded(head, hn, nw, nh, im) : -1;
		free(head);
		if (rc == 0) {
			*embedded = true;
			return 0;
		}
	}
	if (read_whole_file(path, data, len, e) < 0)
		return -1;
	if (decode((const unsigned char *)*data, *len, nw, nh, im, embedded, e) < 0) {
		free(*data);
		*data = NULL;
		return -1;
	}
	return 0;
}

static preview_img *img_new(const char *path, int w, int h)
{
	preview_img *p = xcalloc(1, sizeof *p);
	p->path = xstrdup(path);
	p->req_w = w;
	p->req_h = h;
	return p;
}

static void img_draw(preview_img *p, const image_rgb *im, pv_protocol proto, pv_colors colors)
{
	p->src_w = im->w;
	p->src_h = im->h;
	render_canvas(p, im, proto, colors);
}

/* A render; with hc, the series hash from the same decode when the file
 * was decoded (not its embedded preview) and its hash is not known yet
 * (*hashed set then).  With a thumbnail size, the series strip's picture
 * of it too, from the same decode (*thumb, symbols). */
static preview_img *render_hashing(const char *path, int w, int h, pv_protocol proto,
				   pv_colors colors, series_cache *hc, bool *hashed, int tw, int th,
				   preview_img **thumb)
{
	preview_img *p = img_new(path, w, h);
	image_rgb im = { 0 };
	bool emb = false;
	char *data = NULL;
	size_t len = 0;
	sb_err e;
	sb_err_clear(&e);
	if (preview_decode(path, w, h, proto, &im, &emb, &data, &len, &e) < 0) {
		snprintf(p->err, sizeof p->err, "%s", e.msg);
		return p;
	}
	p->from_embedded = emb;
	series_facts f;
	if (hc && !emb && im.w >= SERIES_MIN_SIDE && im.h >= SERIES_MIN_SIDE &&
	    !series_cache_peek(hc, path, &f))
		*hashed = series_cache_put_image(hc, path, &im, (const unsigned char *)data, len,
						 &f) == 0;
	free(data);
	img_draw(p, &im, proto, colors);
	if (thumb && tw > 0) {
		*thumb = img_new(path, tw, th);
		img_draw(*thumb, &im, PV_SYMBOLS, colors);
	}
	image_free(&im);
	return p;
}

preview_img *preview_render(const char *path, int w, int h, pv_protocol proto, pv_colors colors)
{
	return render_hashing(path, w, h, proto, colors, NULL, NULL, 0, 0, NULL);
}

/* The thread: jobs in a small queue (newest "get" first, prefetches
 * after, the series' frames last); results handed back through lists the
 * UI thread collects. */
/* a render; a photo the series needs hashed; a strip picture the strip
 * shows; the hash cache to be written (no path) */
typedef enum { JOB_RENDER, JOB_HASH, JOB_THUMB, JOB_SAVE } job_kind;
typedef struct job {
	char *path;
	int w, h; /* a frame: its strip picture's size, 0 x 0 for none */
	job_kind kind;
} job;

static void job_free(void *item)
{
	free(((job *)item)->path);
}

#define CACHE_N 6
#define THUMB_N 24  /* the strip's pictures: a series shows a few at a time */
#define JOBS_MAX 32 /* a full queue refuses: the pane asks again when drawn */

struct previewer {
	pv_protocol proto;
	pv_colors colors;
	pthread_t th;
	sbq *jobs;
	pthread_mutex_t mu;
	preview_img *done[CACHE_N * 2]; /* under mu */
	size_t ndone;
	preview_img *tdone[THUMB_N]; /* under mu: strip pictures */
	size_t ntdone;
	char *busy_path; /* under mu: being rendered now */
	int busy_w, busy_h;
	job_kind busy_kind;
	int tw, tth;      /* under mu: the strip's picture size, 0 until asked */
	series_cache *hc; /* set before the first job */
	unsigned hashed;  /* under mu */
	bool save_due;    /* under mu: the hash cache is to be written */
	bool save_queued; /* under mu: a JOB_SAVE waits in the queue */
	int pipe[2];
	preview_img *cache[CACHE_N]; /* UI thread only; [0] most recent */
	preview_img *thumbs[THUMB_N]; /* UI thread only; [0] most recent */
};

static void wake(previewer *pv)
{
	char b = 1;
	if (write(pv->pipe[1], &b, 1) < 0) {
		/* the pipe is full: the UI has wake-ups pending anyway */
	}
}

/* A frame of a series (or a photo near it): its hash, from a 1/8 decode
 * unless known, and its strip picture from the same decode; when the hash
 * is known, the strip picture only if the strip asked for it (from the
 * embedded preview if there is one). */
static preview_img *frame_job(previewer *pv, const char *path, int tw, int th, bool asked,
			      bool *hashed)
{
	series_facts f;
	if (!pv->hc || series_cache_get(pv->hc, path, &f))
		return tw > 0 && asked ? preview_render(path, tw, th, PV_SYMBOLS, pv->colors)
				       : NULL;
	char *data = NULL;
	size_t len = 0;
	sb_err e;
	sb_err_clear(&e);
	preview_img *p = tw > 0 ? img_new(path, tw, th) : NULL;
	if (read_whole_file(path, &data, &len, &e) < 0) {
		if (p)
			snprintf(p->err, sizeof p->err, "%s", e.msg);
		return p;
	}
	image_rgb im = { 0 };
	bool ok = image_decode_scaled((const unsigned char *)data, len, SERIES_MIN_SIDE,
				      SERIES_MIN_SIDE, &im, &e) == 0;
	*hashed = series_cache_put_image(pv->hc, path, ok ? &im : NULL,
					 (const unsigned char *)data, len, &f) == 0;
	free(data);
	if (p && ok)
		img_draw(p, &im, PV_SYMBOLS, pv->colors);
	else if (p)
		snprintf(p->err, sizeof p->err, "%s", e.msg);
	image_free(&im);
	return p;
}

/* Hand a result to the UI thread (dropped when it has not collected). */
static void hand_over(previewer *pv, preview_img *p, bool thumb)
{
	if (!p)
		return;
	if (!thumb && pv->ndone < sizeof pv->done / sizeof pv->done[0])
		pv->done[pv->ndone++] = p;
	else if (thumb && pv->ntdone < THUMB_N)
		pv->tdone[pv->ntdone++] = p;
	else
		preview_img_free(p);
}

/* Write the hash cache if asked since the last write (the asks while a
 * photo was being rendered make one write). */
static void save_if_due(previewer *pv, bool from_job)
{
	pthread_mutex_lock(&pv->mu);
	if (from_job)
		pv->save_queued = false;
	bool due = pv->save_due && !pv->save_queued;
	if (due)
		pv->save_due = false;
	pthread_mutex_unlock(&pv->mu);
	sb_err e;
	if (due)
		series_cache_save(pv->hc, &e); /* a cache: a failure costs time only */
}

static void *thread_main(void *arg)
{
	previewer *pv = arg;
	job j;
	while (sbq_pop(pv->jobs, &j, -1) > 0 && !sbq_stopped(pv->jobs)) {
		if (j.kind == JOB_SAVE) {
			save_if_due(pv, true);
			continue;
		}
		pthread_mutex_lock(&pv->mu);
		pv->busy_path = j.path;
		pv->busy_w = j.w;
		pv->busy_h = j.h;
		pv->busy_kind = j.kind;
		int tw = pv->tw, th = pv->tth;
		pthread_mutex_unlock(&pv->mu);
		bool hashed = false;
		preview_img *p = NULL, *thumb = NULL;
		if (j.kind != JOB_RENDER) {
			thumb = frame_job(pv, j.path, j.w, j.h, j.kind == JOB_THUMB, &hashed);
			hashed = pv->hc != NULL; /* checked against the file: the UI looks again */
		} else
			p = render_hashing(j.path, j.w, j.h, pv->proto, pv->colors, pv->hc, &hashed,
					   tw, th, &thumb);
		pthread_mutex_lock(&pv->mu);
		pv->busy_path = NULL;
		job_free(&j);
		hand_over(pv, p, false);
		hand_over(pv, thumb, true);
		if (hashed)
			pv->hashed++;
		pthread_mutex_unlock(&pv->mu);
		wake(pv);
		save_if_due(pv, false); /* asked while the queue was full */
	}
	return NULL;
}

previewer *previewer_new(pv_protocol proto, pv_colors colors)
{
	previewer *pv = xcalloc(1, sizeof *pv);
	pv->proto = proto;
	pv->colors = colors;
	if (pipe(pv->pipe) < 0) {
		free(pv);
		return NULL;
	}
	pthread_mutex_init(&pv->mu, NULL);
	pv->jobs = sbq_new(sizeof(job), JOBS_MAX, NULL, job_free);
	for (int i = 0; i < 2; i++) {
		fcntl(pv->pipe[i], F_SETFL, O_NONBLOCK);
		fcntl(pv->pipe[i], F_SETFD, FD_CLOEXEC);
	}
	if (pthread_create(&pv->th, NULL, thread_main, pv) != 0) {
		close(pv->pipe[0]);
		close(pv->pipe[1]);
		sbq_free(pv->jobs);
		pthread_mutex_destroy(&pv->mu);
		free(pv);
		return NULL;
	}
	return pv;
}

void previewer_free(previewer *pv)
{
	if (!pv)
		return;
	sbq_stop(pv->jobs);
	pthread_join(pv->th, NULL);
	sbq_free(pv->jobs); /* frees the jobs not started */
	for (size_t i = 0; i < pv->ndone; i++)
		preview_img_free(pv->done[i]);
	for (size_t i = 0; i < pv->ntdone; i++)
		preview_img_free(pv->tdone[i]);
	for (int i = 0; i < CACHE_N; i++)
		preview_img_free(pv->cache[i]);
	for (int i = 0; i < THUMB_N; i++)
		preview_img_free(pv->thumbs[i]);
	close(pv->pipe[0]);
	close(pv->pipe[1]);
	pthread_mutex_destroy(&pv->mu);
	free(pv);
}

int previewer_fd(const previewer *pv)
{
	return pv->pipe[0];
}

/* Most recent first; the oldest of n slots is dropped. */
static void lru_put(preview_img **slots, int n, preview_img *p)
{
	preview_img_free(slots[n - 1]);
	memmove(slots + 1, slots, (size_t)(n - 1) * sizeof slots[0]);
	slots[0] = p;
}

bool previewer_collect(previewer *pv)
{
	char buf[64];
	while (read(pv->pipe[0], buf, sizeof buf) > 0) {
	}
	pthread_mutex_lock(&pv->mu);
	size_t n = pv->ndone, nt = pv->ntdone;
	preview_img *got[CACHE_N * 2], *tgot[THUMB_N];
	memcpy(got, pv->done, n * sizeof got[0]);
	memcpy(tgot, pv->tdone, nt * sizeof tgot[0]);
	pv->ndone = pv->ntdone = 0;
	pthread_mutex_unlock(&pv->mu);
	for (size_t i = 0; i < n; i++)
		lru_put(pv->cache, CACHE_N, got[i]);
	for (size_t i = 0; i < nt; i++)
		lru_put(pv->thumbs, THUMB_N, tgot[i]);
	return n + nt > 0;
}

static bool same(const char *a, int aw, int ah, const char *b, int bw, int bh)
{
	return a && b && aw == bw && ah == bh && strcmp(a, b) == 0;
}

typedef struct want {
	const char *path;
	int w, h;
	job_kind kind;
} want;

static bool job_is(const void *item, void *ctx)
{
	const job *j = item;
	const want *k = ctx;
	return j->kind == k->kind && same(j->path, j->w, j->h, k->path, k->w, k->h);
}

static bool in_list(preview_img *const *l, size_t n, const char *path, int w, int h)
{
	for (size_t i = 0; i < n; i++)
		if (l[i] && same(l[i]->path, l[i]->req_w, l[i]->req_h, path, w, h))
			return true;
	return false;
}

/* Queue unless cached, queued or being rendered; front for what is shown. */
static void enqueue(previewer *pv, const char *path, int w, int h, job_kind kind, bool front)
{
	pthread_mutex_lock(&pv->mu);
	bool have = pv->busy_kind == kind && same(pv->busy_path, pv->busy_w, pv->busy_h, path, w, h);
	have = have || (kind == JOB_RENDER && in_list(pv->done, pv->ndone, path, w, h)) ||
	       (kind == JOB_THUMB && in_list(pv->tdone, pv->ntdone, path, w, h));
	pthread_mutex_unlock(&pv->mu);
	if (have)
		return;
	want k = { path, w, h, kind };
	job j;
	if (!front && sbq_contains(pv->jobs, job_is, &k))
		return; /* queued already: it keeps its place */
	if (!front || !sbq_take_if(pv->jobs, job_is, &k, &j)) {
		j.path = xstrdup(path);
		j.w = w;
		j.h = h;
		j.kind = kind;
	}
	if (!(front ? sbq_push_front(pv->jobs, &j) : sbq_push(pv->jobs, &j)))
		job_free(&j);
}

static preview_img *cached(preview_img *const *slots, int n, const char *path, int w, int h)
{
	for (int i = 0; i < n; i++)
		if (slots[i] && same(slots[i]->path, slots[i]->req_w, slots[i]->req_h, path, w, h))
			return slots[i];
	return NULL;
}

const preview_img *previewer_get(previewer *pv, const char *path, int w, int h)
{
	previewer_collect(pv);
	return previewer_want(pv, path, w, h);
}

const preview_img *previewer_want(previewer *pv, const char *path, int w, int h)
{
	const preview_img *p = cached(pv->cache, CACHE_N, path, w, h);
	if (!p)
		enqueue(pv, path, w, h, JOB_RENDER, true);
	return p;
}

void previewer_prefetch(previewer *pv, const char *path, int w, int h)
{
	if (cached(pv->cache, CACHE_N, path, w, h))
		return;
	/* ahead of the series' frames: the next photo must be ready first */
	enqueue(pv, path, w, h, JOB_RENDER, sbq_len(pv->jobs) > 0);
}

void previewer_set_hash_cache(previewer *pv, series_cache *hc)
{
	pv->hc = hc;
}

/* A frame job: behind the renders, and half the queue at most, so that a
 * render (the next photo) always finds room. */
static void enqueue_frame(previewer *pv, const char *path, int tw, int th, job_kind kind)
{
	if (sbq_len(pv->jobs) < JOBS_MAX / 2)
		enqueue(pv, path, tw, th, kind, false);
}

/* A hash job: behind the renders, or first (now). */
static void hash_job(previewer *pv, const char *path, bool now)
{
	if (!pv->hc)
		return;
	pthread_mutex_lock(&pv->mu);
	int tw = pv->tw, th = pv->tth;
	pthread_mutex_unlock(&pv->mu);
	/* the strip's picture from the same decode: it may be a frame */
	if (now)
		enqueue(pv, path, tw, th, JOB_HASH, true);
	else
		enqueue_frame(pv, path, tw, th, JOB_HASH);
}

void previewer_hash(previewer *pv, const char *path)
{
	hash_job(pv, path, false);
}

const preview_img *previewer_thumb(previewer *pv, const char *path, int w, int h)
{
	/* no collect here: a render collected mid-draw could push out of the
	 * cache the picture the editor pane is showing (previewer_want) */
	pthread_mutex_lock(&pv->mu);
	pv->tw = w;
	pv->tth = h;
	pthread_mutex_unlock(&pv->mu);
	const preview_img *p = cached(pv->thumbs, THUMB_N, path, w, h);
	if (!p)
		enqueue_frame(pv, path, w, h, JOB_THUMB);
	return p;
}

void previewer_hash_now(previewer *pv, const char *path)
{
	hash_job(pv, path, true);
}

void previewer_save_hashes(previewer *pv)
{
	if (!pv->hc)
		return;
	pthread_mutex_lock(&pv->mu);
	bool push = !pv->save_queued;
	pv->save_due = pv->save_queued = true;
	pthread_mutex_unlock(&pv->mu);
	job j = { NULL, 0, 0, JOB_SAVE };
	if (push && !sbq_push(pv->jobs, &j)) {
		pthread_mutex_lock(&pv->mu);
		pv->save_queued = false; /* full: written after the job under way */
		pthread_mutex_unlock(&pv->mu);
	}
}

unsigned previewer_hashed(previewer *pv)
{
	pthread_mutex_lock(&pv->mu);
	unsigned n = pv->hashed;
	pthread_mutex_unlock(&pv->mu);
	return n;
}
