/* panes.c: layout and drawing of every pane.  Drawing reads the ui state
 * only; keys change it (tui.c).  Nothing here touches the network or disk. */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "cost.h"
#include "i18n.h"
#include "provider.h"
#include "ui.h"

int ui_put(int y, int x, int w, const char *s, attr_t a)
{
	if (w <= 0 || !s)
		return 0;
	mbstate_t ms;
	memset(&ms, 0, sizeof ms);
	int used = 0;
	size_t n = strlen(s);
	attr_t old;
	short op;
	attr_get(&old, &op, NULL);
	attron(a);
	move(y, x);
	while (n > 0 && used < w) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s, n, &ms);
		if (k == (size_t)-1 || k == (size_t)-2) {
			memset(&ms, 0, sizeof ms);
			wc = L'?';
			k = 1;
		} else if (k == 0)
			break;
		if (wc < 0x20 || wc == 0x7f)
			wc = L' ';
		int cw = wcwidth(wc);
		if (cw < 0)
			cw = 1, wc = L'?';
		if (used + cw > w)
			break;
		addnwstr(&wc, 1);
		used += cw;
		s += k;
		n -= k;
	}
	attrset(old);
	return used;
}

int ui_wrap_count(const char *s, int w)
{
	editor t;
	editor_init(&t);
	editor_set(&t, s);
	ed_line *L;
	size_t n = editor_layout(&t, w, &L);
	free(L);
	editor_free(&t);
	return (int)n;
}

int ui_put_wrapped(int y, int x, int w, int rows, const char *s, attr_t a)
{
	if (w < 1 || rows < 1)
		return 0;
	editor t; /* the editor's word wrap, so every pane wraps alike */
	editor_init(&t);
	editor_set(&t, s);
	ed_line *L;
	size_t n = editor_layout(&t, w, &L);
	int i = 0;
	for (; i < rows && (size_t)i < n; i++) {
		char *line = xstrndup(t.p + L[i].start, L[i].end - L[i].start);
		ui_put(y + i, x, w, line, a);
		free(line);
	}
	free(L);
	editor_free(&t);
	return i;
}

/* The states as a person reads them (the store's names, such as
 * description_saved, stay in files, JSON and the command line). */
const char *ui_batch_state_label(batch_state s)
{
	return _(batch_state_name(s));
}

const char *ui_file_state_label(file_state s)
{
	/* clang-format off */
	static const char *const labels[FS__COUNT] = {
		[FS_PENDING] = N_("waiting"), [FS_DESCRIPTION_SAVED] = N_("described"),
		[FS_BATCH_SENT] = N_("at the provider"), [FS_BATCH_COMPLETED] = N_("answered"),
		[FS_SAVED_TO_CSV] = N_("in the CSV"), [FS_ERROR] = N_("error"),
		[FS_FILE_NOT_FOUND] = N_("photo missing"), [FS_REJECTED] = N_("rejected"),
		[FS_SKIPPED] = N_("skipped"), [FS_DEAD] = N_("gave up"),
	};
	/* clang-format on */
	return (unsigned)s < FS__COUNT ? _(labels[s]) : "?";
}

/* s cut or padded with spaces to w columns (printf's %-10s counts bytes,
 * so a translated "pozastavena" would shift the columns after it). */
const char *ui_fit(char *dst, size_t cap, const char *s, int w)
{
	size_t i = 0;
	mbstate_t ms;
	memset(&ms, 0, sizeof ms);
	int used = 0;
	size_t n = strlen(s);
	while (n > 0 && used < w) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s, n, &ms);
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0)
			break;
		int cw = wcwidth(wc);
		if (cw < 0)
			cw = 1;
		if (used + cw > w || i + k >= cap)
			break;
		memcpy(dst + i, s, k);
		i += k, s += k, n -= k, used += cw;
	}
	while (used < w && i + 1 < cap)
		dst[i++] = ' ', used++;
	dst[i] = 0;
	return dst;
}

void ui_status(ui *u, int lv, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(u->status, sizeof u->status, fmt, ap);
	va_end(ap);
	u->status_lv = lv;
	u->status_until = now_mono() + 8.0;
	u->dirty = true;
}

void ui_log(ui *u, int lv, const char *text)
{
	/* the worker repeats itself on every poll: keep one line of it */
	size_t last = (u->logpos + LOG_LINES - 1) % LOG_LINES;
	if (u->nlog && u->log[last] && strcmp(u->log[last], text) == 0)
		return;
	free(u->log[u->logpos]);
	u->log[u->logpos] = xstrdup(text);
	u->loglv[u->logpos] = lv;
	u->logpos = (u->logpos + 1) % LOG_LINES;
	if (u->nlog < LOG_LINES)
		u->nlog++;
	u->dirty = true;
}

/* the terminal's own colours (-1) can be asked for: else black and white */
static bool default_colors;

void ui_setup_colors(ui *u, int colors)
{
	u->colors = colors > 0;
	u->ncolors = 0;
	if (!u->colors)
		return;
	start_color();
	default_colors = use_default_colors() == OK;
	short bg = default_colors ? -1 : COLOR_BLACK;
	u->ncolors = colors < COLORS ? colors : COLORS;
	init_pair(CP_TITLE, COLOR_WHITE, COLOR_BLUE);
	init_pair(CP_HEAD, COLOR_CYAN, bg);
	init_pair(CP_HEAD_FOCUS, COLOR_BLACK, COLOR_CYAN);
	init_pair(CP_OK, COLOR_GREEN, bg);
	init_pair(CP_WARN, COLOR_YELLOW, bg);
	init_pair(CP_ERR, COLOR_RED, bg);
	init_pair(CP_DIM, COLOR_BLUE, bg);
	init_pair(CP_BAR, COLOR_BLACK, COLOR_GREEN);
	init_pair(CP_SEL, COLOR_BLACK, COLOR_WHITE);
}

static attr_t cp(const ui *u, color_pair p, attr_t mono)
{
	return u->colors ? (attr_t)COLOR_PAIR(p) : mono;
}

void ui_layout(ui *u)
{
	int H = LINES, W = COLS;
	u->too_small = W < UI_MIN_W || H < UI_MIN_H;
	u->r_title = (rect){ 0, 0, 1, W };
	u->r_status = (rect){ H - 2, 0, 1, W };
	u->r_keys = (rect){ H - 1, 0, 1, W };
	int y0 = 1, ch = H - 3;
	if (ch < 4)
		ch = 4;
	u->wide = W >= 120 && H >= 28;
	int ex = 0, ew = W, dx = 0, dw = W;
	if (u->wide) {
		ew = W * 55 / 100;
		dx = ew + 1;
		dw = W - dx;
		u->show_editor = u->show_dash = true;
	} else {
		/* One view at a time: the one with the focus, so that the keys
		 * always go to what is on the screen (also after a resize). */
		u->dashboard = u->focus != PANE_EDITOR;
		u->show_editor = !u->dashboard;
		u->show_dash = u->dashboard;
	}
	/* editor: preview + facts above, the text box below */
	int th = ch / 3 < 6 ? 6 : ch / 3;
	if (th > ch - 3)
		th = ch - 3;
	int ph = ch - th;
	int pw = ew * 55 / 100;
	if (pw > ph * 3)
		pw = ph * 3;
	u->r_preview = (rect){ y0, ex, ph, pw };
	u->r_facts = (rect){ y0, ex + pw + 1, ph, ew - pw - 1 };
	u->r_text = (rect){ y0 + ph, ex, th, ew };
	/* dashboard: batches, files, cost, log */
	int avail = ch - 2;
	int bh = avail * 40 / 100, fh = avail * 25 / 100;
	if (bh < 3)
		bh = 3;
	if (fh < 2)
		fh = 2;
	int lh = avail - bh - fh;
	if (lh < 2)
		lh = 2;
	u->r_batches = (rect){ y0, dx, bh, dw };
	u->r_files = (rect){ y0 + bh, dx, fh, dw };
	/* the cost line whole: two lines where one does not hold it */
	int ch2 = dw - 2 >= 72 ? 2 : 3;
	if (lh - (ch2 - 2) >= 2)
		lh -= ch2 - 2;
	else
		ch2 = 2;
	u->r_cost = (rect){ y0 + bh + fh, dx, ch2, dw };
	u->r_log = (rect){ y0 + bh + fh + ch2, dx, lh, dw };
	u->dirty = true;
}

int ui_text_width(const ui *u)
{
	/* one column spare so the cursor fits after a full line */
	return u->r_text.w - 2 > 4 ? u->r_text.w - 2 : 4;
}

static void header(ui *u, rect r, pane_id id, const char *title, const char *right)
{
	attr_t a =
		u->focus == id ? cp(u, CP_HEAD_FOCUS, A_REVERSE) | A_BOLD : cp(u, CP_HEAD, A_BOLD);
	attr_t line = cp(u, CP_HEAD, A_NORMAL);
	attron(line);
	mvhline(r.y, r.x, ACS_HLINE, r.w);
	attroff(line);
	int used = ui_put(r.y, r.x + 1, r.w - 2, title, a);
	if (right && *right) {
		int rw = (int)utf8_chars(right) + 2;
		if (r.x + 1 + used + 1 < r.x + r.w - rw)
			ui_put(r.y, r.x + r.w - rw, rw - 1, right, cp(u, CP_HEAD, A_BOLD));
	}
}

static void fmt_age(double s, char *out, size_t n)
{
	if (s < 0)
		snprintf(out, n, "-");
	else if (s < 90)
		snprintf(out, n, "%ds", (int)s);
	else if (s < 5400)
		snprintf(out, n, "%dm", (int)(s / 60));
	else if (s < 172800)
		snprintf(out, n, "%dh", (int)(s / 3600));
	else
		snprintf(out, n, "%dd", (int)(s / 86400));
}

static const progress *prog_of(const ui *u, const char *id)
{
	for (size_t i = 0; i < u->nprog; i++)
		if (strcmp(u->prog[i].batch_id, id) == 0)
			return &u->prog[i];
	return NULL;
}

static attr_t state_attr(const ui *u, batch_state s)
{
	switch (s) {
	case BS_COMPLETED: return cp(u, CP_OK, A_NORMAL);
	case BS_FAILED:
	case BS_EXPIRED:
	case BS_CANCELLED: return cp(u, CP_ERR, A_BOLD);
	case BS_PAUSED: return cp(u, CP_WARN, A_NORMAL);
	case BS_SENT: return A_BOLD;
	default: return A_NORMAL;
	}
}

static void draw_title(ui *u)
{
	rect r = u->r_title;
	attr_t a = cp(u, CP_TITLE, A_REVERSE) | A_BOLD;
	attron(a);
	mvhline(r.y, 0, ' ', r.w);
	attroff(a);
	char buf[256];
	snprintf(buf, sizeof buf, _("[BATCH MODE] Collecting descriptions (%zu/%zu)"), u->fill_have,
		 u->fill_size);
	int used = ui_put(r.y, 1, r.w - 2, buf, a);
	collect_photo p;
	char right[256];
	if (collect_current(u->co, &p))
		/* while the background scan counts, the total is "at least" */
		snprintf(right, sizeof right,
			 p.counting ? _("photo %zu/%zu+  %s %s") : _("photo %zu/%zu  %s %s"), p.pos,
			 p.total, u->cfg->provider ? u->cfg->provider : "",
			 u->cfg->model ? u->cfg->model : "");
	else
		snprintf(right, sizeof right, "%s %s", u->cfg->provider ? u->cfg->provider : "",
			 u->cfg->model ? u->cfg->model : "");
	int rw = (int)utf8_chars(right);
	if (used + 3 + rw < r.w)
		ui_put(r.y, r.w - rw - 1, rw, right, a);
}

static void draw_preview(ui *u)
{
	rect r = u->r_preview;
	collect_photo p;
	if (!collect_current(u->co, &p)) {
		int y = r.y + r.h / 2 - 1, w = u->r_text.w - 4; /* no facts beside it */
		if (collect_counting(u->co)) {
			ui_put(y, r.x + 2, w, _("Looking for photos to describe..."), A_BOLD);
			return;
		}
		ui_put(y, r.x + 2, w, _("No unprocessed photo is left."), A_BOLD);
		if (u->fill_have == 0)
			return;
		/* a partial batch would wait for photos that never come */
		char msg[256];
		snprintf(msg, sizeof msg,
			 P_("%zu description waits in the collecting batch (%zu/%zu).",
			    "%zu descriptions wait in the collecting batch (%zu/%zu).",
			    u->fill_have),
			 u->fill_have, u->fill_have, u->fill_size);
		ui_put(y + 2, r.x + 2, w, msg, A_NORMAL);
		ui_put(y + 3, r.x + 2, w, _("To send it now: Tab, then s."), A_BOLD);
		return;
	}
	const preview_img *im = u->shown;
	if (!im) {
		ui_put(r.y + r.h / 2, r.x + 2, r.w - 4, _("Loading preview..."),
		       cp(u, CP_DIM, A_DIM));
		return;
	}
	if (!im->cells && !im->seq) {
		ui_put(r.y + 1, r.x + 1, r.w - 2, _("No preview:"), A_BOLD);
		ui_put(r.y + 2, r.x + 1, r.w - 2, im->err, A_NORMAL);
		return;
	}
	if (im->seq) {
		u->seq_pending = true; /* printed after the refresh, see tui.c */
		return;
	}
	ui_draw_cells(u, im, r);
}

void ui_draw_cells(ui *u, const preview_img *im, rect r)
{
	int ox = r.x + (r.w - im->w) / 2, oy = r.y + (r.h - im->h) / 2;
	static short pairs[257][257];
	static short next_pair;
	static int pairs_for = -1;
	if (pairs_for != u->ncolors) {
		memset(pairs, 0, sizeof pairs);
		next_pair = CP__FIRST_FREE;
		pairs_for = u->ncolors;
	}
	for (int y = 0; y < im->h && y < r.h; y++)
		for (int x = 0; x < im->w && x < r.w; x++) {
			const pv_cell *c = &im->cells[y * im->w + x];
			short pr = 0;
			if (u->colors && (c->fg >= 0 || c->bg >= 0) && c->fg < u->ncolors &&
			    c->bg < u->ncolors) {
				short *slot = &pairs[c->fg + 1][c->bg + 1];
				if (!*slot && next_pair < COLOR_PAIRS && next_pair < 32767) {
					short fg = c->fg, bg = c->bg;
					if (!default_colors && fg < 0)
						fg = COLOR_WHITE;
					if (!default_colors && bg < 0)
						bg = COLOR_BLACK;
					init_pair(next_pair, fg, bg);
					*slot = next_pair++;
				}
				pr = *slot;
			}
			wchar_t wc[2] = { (wchar_t)c->ch, 0 };
			if (wcwidth(wc[0]) != 1)
				wc[0] = L' ';
			cchar_t cc;
			setcchar(&cc, wc, A_NORMAL, pr, NULL);
			mvadd_wch(oy + y, ox + x, &cc);
		}
}

static void fact(ui *u, int *y, rect r, const char *k, const char *v)
{
	if (*y >= r.y + r.h || !v)
		return;
	int used = ui_put(*y, r.x + 1, r.w - 1, k, cp(u, CP_HEAD, A_BOLD));
	ui_put(*y, r.x + 2 + used, r.w - 2 - used, v, A_NORMAL);
	(*y)++;
}

/* The series strip: small pictures of the frames, in time order, the one
 * shown marked ("[3]" under it, reversed), scrolled to keep it in view.
 * The pictures come from the previewer's thread (never decoded here); one
 * not made yet is a dim dot.  Needs two pictures' width and the lines for
 * them, their labels and two more; false (nothing drawn) when the pane is
 * smaller: the names then say it all. */
#define STRIP_W 10 /* a picture's cells: about 3:2 with cells twice as tall as wide */
#define STRIP_H 4

static bool draw_strip(ui *u, int *y, rect r, const collect_photo *p)
{
	int nv = (r.w - 2) / (STRIP_W + 1);
	if (!u->pv || nv < 2 || *y + STRIP_H + 1 + 2 > r.y + r.h)
		return false;
	if ((size_t)nv > p->frames)
		nv = (int)p->frames;
	size_t sel = p->frame - 1, first = sel > (size_t)nv / 2 ? sel - (size_t)nv / 2 : 0;
	if (first + (size_t)nv > p->frames)
		first = p->frames - (size_t)nv;
	int ly = *y + STRIP_H;
	for (int i = 0; i < nv; i++) {
		collect_photo f;
		if (!collect_frame(u->co, first + (size_t)i, &f))
			break;
		int x = r.x + 1 + i * (STRIP_W + 1);
		const preview_img *t = f.local ? previewer_thumb(u->pv, f.local, STRIP_W, STRIP_H) : NULL;
		if (t && t->cells)
			ui_draw_cells(u, t, (rect){ *y, x, STRIP_H, STRIP_W });
		else
			ui_put(*y + STRIP_H / 2, x + STRIP_W / 2, 1, t ? "?" : ".",
			       cp(u, CP_DIM, A_DIM));
		bool on = first + (size_t)i == sel;
		char lab[32];
		snprintf(lab, sizeof lab, on ? "[%zu]" : "%zu", first + (size_t)i + 1);
		int lw = (int)strlen(lab);
		ui_put(ly, x + (STRIP_W - lw) / 2, lw, lab, on ? A_REVERSE | A_BOLD : A_NORMAL);
	}
	if (first > 0)
		ui_put(ly, r.x, 1, "<", cp(u, CP_DIM, A_DIM));
	if (first + (size_t)nv < p->frames)
		ui_put(ly, r.x + 1 + nv * (STRIP_W + 1) - 1, 1, ">", cp(u, CP_DIM, A_DIM));
	*y = ly + 1;
	return true;
}

/* The series' frames by name, the one shown marked; where they do not
 * all fit, a window around the one shown between "... N more" lines. */
static void draw_names(ui *u, int *y, rect r, const collect_photo *p)
{
	int room = r.y + r.h - *y - 3;
	size_t n = p->frames, sel = p->frame - 1, cap = room > 0 ? (size_t)room + 1 : 1;
	size_t first = 0, last = n;
	if (n > cap) {
		size_t vis = cap >= 3 ? cap - 2 : 1;
		first = sel > vis / 2 ? sel - vis / 2 : 0;
		if (first + vis > n)
			first = n - vis;
		last = first + vis;
		if (first == 0)
			last = cap - 1;
		else if (last >= n) {
			first = n - (cap - 1);
			last = n;
		}
	}
	char line[128];
	if (first > 0 && *y < r.y + r.h) {
		snprintf(line, sizeof line, _("  ... %zu more"), first);
		ui_put((*y)++, r.x + 1, r.w - 1, line, cp(u, CP_DIM, A_DIM));
	}
	collect_photo f;
	for (size_t k = first; k < last && *y < r.y + r.h && collect_frame(u->co, k, &f); k++) {
		snprintf(line, sizeof line, "%s %s", k == sel ? ">" : " ", f.soubor);
		ui_put((*y)++, r.x + 1, r.w - 1, line, k == sel ? A_BOLD : A_NORMAL);
	}
	if (last < n && *y < r.y + r.h) {
		snprintf(line, sizeof line, _("  ... %zu more"), n - last);
		ui_put((*y)++, r.x + 1, r.w - 1, line, cp(u, CP_DIM, A_DIM));
	}
}

static void draw_facts(ui *u)
{
	rect r = u->r_facts;
	collect_photo p;
	if (r.w < 8 || !collect_current(u->co, &p))
		return;
	int y = r.y;
	char buf[64];
	fact(u, &y, r, _("File:"), p.soubor);
	fact(u, &y, r, _("Category:"), p.kategorie);
	snprintf(buf, sizeof buf, "%s x %s", p.sirka, p.vyska);
	fact(u, &y, r, _("Size:"), buf);
	fact(u, &y, r, _("Date:"), p.datum);
	if (p.frames > 1) {
		/* the series: its frames, the one shown marked */
		char head[128];
		snprintf(head, sizeof head, _("%zu of %zu similar photos"), p.frame, p.frames);
		fact(u, &y, r, _("Series:"), head);
		draw_strip(u, &y, r, &p);
		draw_names(u, &y, r, &p);
		if (y < r.y + r.h)
			ui_put(y++, r.x + 1, r.w - 1,
			       u->frame_only ? _("skip/reject/editorial: this frame")
					     : _("skip/reject/editorial: whole series"),
			       cp(u, CP_DIM, A_DIM));
	}
	/* Cesta may be long: wrap it over the following lines */
	const char *c = p.cesta;
	int used = ui_put(y, r.x + 1, r.w - 1, _("Path:"), cp(u, CP_HEAD, A_BOLD));
	size_t left = strlen(c);
	int x = r.x + 2 + used, w = r.w - 2 - used;
	while (left && y < r.y + r.h) {
		if (w < 4) {
			y++;
			x = r.x + 1;
			w = r.w - 1;
			continue;
		}
		size_t take = utf8_prefix_bytes(c, (size_t)w);
		char *part = xstrndup(c, take);
		ui_put(y, x, w, part, A_NORMAL);
		free(part);
		c += take;
		left -= take;
		y++;
		x = r.x + 1;
		w = r.w - 1;
	}
	y++;
	if (u->editorial && y < r.y + r.h) {
		char ed[256];
		snprintf(ed, sizeof ed, _("Editorial: %s, %s, %s"), u->edinfo.city,
			 u->edinfo.country, u->edinfo.date);
		ui_put(y++, r.x + 1, r.w - 1, ed, cp(u, CP_WARN, A_BOLD));
	}
	if (u->shown && (u->shown->cells || u->shown->seq) && y < r.y + r.h) {
		snprintf(buf, sizeof buf, _("preview %dx%d%s"), u->shown->src_w, u->shown->src_h,
			 u->shown->from_embedded ? _(" (embedded)") : "");
		ui_put(y++, r.x + 1, r.w - 1, buf, cp(u, CP_DIM, A_DIM));
	}
}

static void draw_text(ui *u, int *cy, int *cx)
{
	rect r = u->r_text;
	char right[128];
	size_t n = editor_count(&u->ed);
	int min = u->cfg->min_description > 0 ? u->cfg->min_description : 50;
	snprintf(right, sizeof right, _("%zu/%d characters minimum"), n, min);
	collect_photo p;
	char title[160];
	if (collect_current(u->co, &p) && p.frames > 1)
		snprintf(title, sizeof title,
			 u->editorial ? _(" Description [editorial]: %zu of %zu similar photos ")
				      : _(" Description: %zu of %zu similar photos "),
			 p.frame, p.frames);
	else
		snprintf(title, sizeof title, "%s",
			 u->editorial ? _(" Description [editorial] ") : _(" Description "));
	header(u, r, PANE_EDITOR, title, NULL);
	int rw = (int)utf8_chars(right);
	ui_put(r.y, r.x + r.w - rw - 2, rw, right,
	       (n >= (size_t)min ? cp(u, CP_OK, A_NORMAL) : cp(u, CP_ERR, A_NORMAL)) | A_BOLD);
	int width = ui_text_width(u), rows = r.h - 1;
	ed_line *L;
	size_t nl = editor_layout(&u->ed, width, &L);
	int crow, ccol;
	editor_cursor(&u->ed, width, &crow, &ccol);
	int top = crow - rows + 1 > 0 ? crow - rows + 1 : 0;
	for (int i = 0; i < rows && (size_t)(top + i) < nl; i++) {
		ed_line *l = &L[top + i];
		char *s = xstrndup(u->ed.p + l->start, l->end - l->start);
		ui_put(r.y + 1 + i, r.x + 1, width + 1, s, A_NORMAL);
		free(s);
	}
	free(L);
	*cy = r.y + 1 + crow - top;
	*cx = r.x + 1 + ccol;
}

static void draw_batches(ui *u)
{
	rect r = u->r_batches;
	char t[64];
	snprintf(t, sizeof t, _(" Batches (%zu) "), u->nbatches);
	header(u, r, PANE_BATCHES, t, NULL);
	if (u->nbatches == 0) {
		ui_put(r.y + 1, r.x + 1, r.w - 2,
		       _("No batch yet: save a description to start one."), cp(u, CP_DIM, A_DIM));
		return;
	}
	int rows = r.h - 1, y0 = r.y + 1;
	/* Every column whole: where the full id (b20261205-121106-a66e) would
	 * push age and ETA off the pane, its time and suffix (121106-a66e),
	 * which the Age column dates. */
	int idw = r.w - 2 >= 61 ? 21 : 11;
	if (rows >= 3) {
		/* column headers, aligned with the rows below */
		char c[5][48], hl[256];
		snprintf(hl, sizeof hl, "%s %s %s %s %s %s", ui_fit(c[0], sizeof c[0], _("Batch"), idw),
			 ui_fit(c[1], sizeof c[1], _("State"), 11),
			 ui_fit(c[2], sizeof c[2], _("API"), 6), ui_fit(c[3], sizeof c[3], _("Done"), 9),
			 ui_fit(c[4], sizeof c[4], _("Age"), 4), _("ETA"));
		ui_put(y0++, r.x + 1, r.w - 2, hl, cp(u, CP_DIM, A_DIM) | A_UNDERLINE);
		rows--;
	}
	size_t top = u->sel >= (size_t)rows ? u->sel - rows + 1 : 0;
	time_t now = time(NULL);
	for (int i = 0; i < rows && top + i < u->nbatches; i++) {
		const batch_info *b = &u->batches[top + i];
		int y = y0 + i;
		/* done: the files the provider is through with, failed ones too,
		 * from the registry, so a restart shows the same count; the
		 * worker's progress only moves it ahead while the batch is out */
		size_t total = b->nfiles, waiting = b->counts[FS_PENDING] +
						    b->counts[FS_DESCRIPTION_SAVED] +
						    b->counts[FS_BATCH_SENT];
		size_t done = total > waiting ? total - waiting : 0;
		double eta = -1;
		const progress *pg = prog_of(u, b->id);
		if (pg && pg->total && b->state == BS_SENT) {
			if (pg->done > done && pg->done <= total)
				done = pg->done;
			eta = pg->eta_s;
		}
		char age[16], etas[16], line[256], st[48];
		fmt_age(b->created ? difftime(now, b->created) : -1, age, sizeof age);
		fmt_age(eta, etas, sizeof etas);
		size_t idl = strlen(b->id);
		const char *id = idl > (size_t)idw ? b->id + idl - idw : b->id;
		snprintf(line, sizeof line, "%-*.*s %s %-6.6s %4zu/%-4zu %4s %5s", idw, idw, id,
			 ui_fit(st, sizeof st, ui_batch_state_label(b->state), 11), b->provider, done,
			 total, age, eta >= 0 ? etas : "");
		bool is_sel = top + i == u->sel;
		attr_t a = is_sel ? (u->focus == PANE_BATCHES ? A_REVERSE : A_BOLD) : A_NORMAL;
		if (is_sel && u->focus == PANE_BATCHES) {
			attron(A_REVERSE);
			mvhline(y, r.x, ' ', r.w);
			attroff(A_REVERSE);
		}
		int used = ui_put(y, r.x + 1, r.w - 2, line,
				  a | (is_sel ? 0 : state_attr(u, b->state)));
		int bw = r.w - used - 4;
		if (bw >= 6) {
			int fill = total ? (int)((double)done / (double)total * bw + 0.5) : 0;
			if (b->state == BS_COMPLETED)
				fill = bw;
			move(y, r.x + used + 2);
			attr_t ba = cp(u, CP_BAR, A_REVERSE);
			for (int k = 0; k < bw; k++) {
				if (k < fill) {
					attron(ba);
					addch(u->colors ? ' ' : '#');
					attroff(ba);
				} else
					addch(u->colors ? ACS_CKBOARD : '.');
			}
		}
	}
}

static void draw_files(ui *u)
{
	rect r = u->r_files;
	char t[96];
	if (u->files_of[0])
		snprintf(t, sizeof t, _(" Files of %s "), u->files_of);
	else
		snprintf(t, sizeof t, "%s", _(" Files "));
	header(u, r, PANE_FILES, t, NULL);
	int rows = r.h - 1, y0 = r.y + 1;
	/* why the selected batch stopped (paused, failed...), in full */
	const batch_info *b = u->nbatches ? &u->batches[u->sel] : NULL;
	if (b && b->note[0] && b->state != BS_SENT && b->state != BS_COLLECTING &&
	    b->state != BS_COMPLETED && rows >= 2) {
		char why[320];
		snprintf(why, sizeof why, "%s: %s", ui_batch_state_label(b->state), b->note);
		int used = ui_put_wrapped(y0, r.x + 1, r.w - 2, rows - 1, why,
					  cp(u, b->state == BS_PAUSED ? CP_WARN : CP_ERR, A_BOLD));
		y0 += used;
		rows -= used;
	}
	size_t top = u->files_top < u->nfiles ? u->files_top : 0;
	for (int i = 0; i < rows && top + i < u->nfiles; i++) {
		const file_entry *f = &u->files[top + i];
		char line[512], st[64];
		snprintf(line, sizeof line, "%s %s%s%s",
			 ui_fit(st, sizeof st, ui_file_state_label(f->state), 15),
			 cesta_basename(f->cesta), f->reason ? "  " : "",
			 f->reason ? f->reason : "");
		attr_t a = file_state_failed(f->state)   ? cp(u, CP_ERR, A_BOLD)
			   : f->state == FS_SAVED_TO_CSV ? cp(u, CP_OK, A_NORMAL)
							 : A_NORMAL;
		ui_put(y0 + i, r.x + 1, r.w - 2, line, a);
	}
}

/* A line of fields two spaces apart ("actual $0.0012  budget none") laid
 * over up to rows lines of w columns, breaking only between fields. */
static void put_fields(int y, int x, int w, int rows, const char *s, attr_t a)
{
	char line[512] = "";
	size_t o = 0;
	int row = 0;
	for (const char *p = s; *p && row < rows;) {
		const char *end = strstr(p, "  ");
		size_t l = end ? (size_t)(end - p) : strlen(p);
		size_t cols = o > 0 ? utf8_chars(line) + 2 : 0;
		char *f = xstrndup(p, l);
		if (o > 0 && cols + utf8_chars(f) > (size_t)w) {
			ui_put(y + row++, x, w, line, a);
			o = 0;
		}
		o += (size_t)snprintf(line + o, sizeof line - o, "%s%s", o ? "  " : "", f);
		if (o >= sizeof line)
			o = sizeof line - 1;
		free(f);
		for (p += l; *p == ' '; p++) {
		}
	}
	if (o > 0 && row < rows)
		ui_put(y + row, x, w, line, a);
}

static void draw_cost(ui *u)
{
	rect r = u->r_cost;
	header(u, r, PANE__COUNT, _(" Cost "), NULL);
	double coll = 0, total = 0, actual = 0, per_file = 0;
	size_t coll_files = 0, est_files = 0;
	for (size_t i = 0; i < u->nbatches; i++) {
		const batch_info *b = &u->batches[i];
		if (b->state == BS_COLLECTING) {
			coll += b->est_cost;
			coll_files += b->counts[FS_DESCRIPTION_SAVED];
		}
		if (b->state != BS_CANCELLED)
			total += b->est_cost;
		if (b->est_cost > 0 && strcmp(b->kind, "originals") == 0) {
			per_file += b->est_cost;
			est_files += b->nfiles;
		}
		actual += b->actual_cost;
	}
	/* The collecting batch is priced when it is sealed; until then use
	 * what sealed batches cost per photo, or the model's image formula
	 * with a typical prompt (1,000 text tokens in, 300 out). */
	if (coll == 0 && coll_files > 0) {
		double each =
			est_files ? per_file / (double)est_files
				  : cost_usd(u->cfg->model, true,
					     provider_caps_named(u->cfg->provider)
							     ->image_tokens(u->cfg->model,
									    u->cfg->image_detail,
									    4000, 3000) +
						     1000,
					     300);
		coll = each * (double)coll_files;
		total += coll;
	}
	char line[256], budget[32];
	if (u->cfg->budget > 0)
		snprintf(budget, sizeof budget, "$%.2f", u->cfg->budget);
	else
		snprintf(budget, sizeof budget, "%s", _("none"));
	snprintf(line, sizeof line,
		 _("collecting est. $%.4f  run est. $%.4f  actual $%.4f  budget %s"), coll, total,
		 actual, budget);
	attr_t a = u->cfg->budget > 0 && total > u->cfg->budget ? cp(u, CP_ERR, A_BOLD) : A_NORMAL;
	put_fields(r.y + 1, r.x + 1, r.w - 2, r.h - 1, line, a);
}

static void draw_log(ui *u)
{
	rect r = u->r_log;
	header(u, r, PANE_LOG, _(" Activity "), NULL);
	/* every line whole, wrapped: the newest at the bottom, as many of the
	 * latest as fit (the pager, l, shows them all) */
	int rows = r.h - 1, w = r.w - 2, need = 0;
	size_t n = 0;
	while (n < u->nlog) {
		size_t idx = (u->logpos + LOG_LINES - 1 - n) % LOG_LINES;
		int h = ui_wrap_count(u->log[idx], w);
		if (need + h > rows && n > 0)
			break;
		need += h;
		n++;
	}
	int y = r.y + 1;
	for (size_t i = 0; i < n; i++) {
		size_t idx = (u->logpos + LOG_LINES - n + i) % LOG_LINES;
		int lv = u->loglv[idx];
		attr_t a = lv >= 3   ? cp(u, CP_ERR, A_BOLD)
			   : lv == 2 ? cp(u, CP_WARN, A_NORMAL)
				     : A_NORMAL;
		y += ui_put_wrapped(y, r.x + 1, w, r.y + r.h - y, u->log[idx], a);
	}
}

/* The key bar: entries two spaces apart ("F1 Help  F10 Quit  ..."),
 * written with sep between them, without those whose bit is set in drop;
 * returns its width in columns. */
static size_t bar_with(const char *hint, unsigned drop, const char *sep, char *out, size_t cap)
{
	size_t o = 0;
	out[0] = 0;
	unsigned i = 0;
	for (const char *p = hint; *p; i++) {
		const char *end = strstr(p, "  ");
		size_t l = end ? (size_t)(end - p) : strlen(p);
		if (i >= 32 || !(drop & (1u << i))) {
			int w = snprintf(out + o, cap - o, "%s%.*s", o ? sep : "", (int)l, p);
			if (w < 0 || (size_t)w >= cap - o)
				break;
			o += (size_t)w;
		}
		for (p += l; *p == ' '; p++) {
		}
	}
	return utf8_chars(out);
}

/* The bar made to fit w columns by leaving out whole entries, the least
 * needed first (order: the entries' places in the hint, which translations
 * keep), each time with two spaces between entries, then one.  A label is
 * never cut: "^E Edito" and three keys reading "Re" told nothing. */
static void fit_bar(const char *hint, const int *order, size_t n, int w, char *out, size_t cap)
{
	unsigned drop = 0;
	for (size_t k = 0;; k++) {
		if (bar_with(hint, drop, "  ", out, cap) <= (size_t)w ||
		    bar_with(hint, drop, " ", out, cap) <= (size_t)w || k == n)
			return;
		drop |= 1u << order[k];
	}
}

static void draw_bottom(ui *u)
{
	rect s = u->r_status, k = u->r_keys;
	if (u->status[0] && now_mono() < u->status_until) {
		attr_t a = u->status_lv >= 3   ? cp(u, CP_ERR, A_BOLD)
			   : u->status_lv == 2 ? cp(u, CP_WARN, A_BOLD)
					       : A_BOLD;
		ui_put(s.y, 1, s.w - 2, u->status, a);
	}
	/* Dropped first: Path, $EDITOR, Reject, Editorial, Skip, Tab, Quit,
	 * Save; and Retry, Report, Resume, Pause, Cancel, Send, Tab, Quit.  Help
	 * stays: it lists them all. */
	static const int drop_editor[] = { 6, 7, 5, 4, 3, 8, 1, 2 };
	static const int drop_batches[] = { 5, 6, 3, 2, 4, 7, 8, 1 };
	char fitted[512];
	if (u->focus == PANE_EDITOR)
		fit_bar(_("F1 Help  F10 Quit  ^S Save  ^N Skip  ^E Editorial  ^R Reject  ^P Path  ^O $EDITOR  Tab Batches"),
			drop_editor, sizeof drop_editor / sizeof drop_editor[0], k.w - 2, fitted,
			sizeof fitted);
	else
		fit_bar(_("? Help  q Quit  p Pause  r Resume  c Cancel  f Retry  Enter Report  s Send now  Tab Next"),
			drop_batches, sizeof drop_batches / sizeof drop_batches[0], k.w - 2, fitted,
			sizeof fitted);
	attr_t a = cp(u, CP_TITLE, A_REVERSE);
	attron(a);
	mvhline(k.y, 0, ' ', k.w);
	attroff(a);
	ui_put(k.y, 1, k.w - 2, fitted, a);
}

void ui_draw(ui *u)
{
	erase();
	u->seq_pending = false;
	if (u->too_small) {
		/* nothing would be whole: say what is needed, keys do nothing but quit */
		char msg[96];
		snprintf(msg, sizeof msg, _("terminal too small (need %dx%d)"), UI_MIN_W, UI_MIN_H);
		int mw = (int)utf8_chars(msg);
		ui_put(LINES / 2, mw < COLS ? (COLS - mw) / 2 : 0, COLS, msg, A_BOLD);
		curs_set(0);
		u->dirty = false;
		return;
	}
	if (u->view) { /* a view over the panes (the photo list) */
		u->view->draw(u);
		if (u->modal != MD_NONE)
			dlg_draw(u);
		u->dirty = false;
		return;
	}
	draw_title(u);
	int cy = -1, cx = -1;
	if (u->show_editor) {
		draw_preview(u);
		draw_facts(u);
		draw_text(u, &cy, &cx);
	}
	if (u->show_dash) {
		if (u->wide) {
			attr_t line = cp(u, CP_HEAD, A_NORMAL);
			attron(line);
			mvvline(u->r_batches.y, u->r_batches.x - 1, ACS_VLINE, LINES - 3);
			attroff(line);
		}
		draw_batches(u);
		draw_files(u);
		draw_cost(u);
		draw_log(u);
	}
	draw_bottom(u);
	if (u->modal != MD_NONE) {
		dlg_draw(u);
	} else if (u->focus == PANE_EDITOR && cy >= 0) {
		curs_set(1);
		move(cy, cx);
	} else
		curs_set(0);
	u->dirty = false;
}
