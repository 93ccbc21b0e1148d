/* photos.c: the photo list, a view over the whole screen (`o` in the batch
 * view): this session's photos to describe (the one in the editor first),
 * those skipped this session, and those described but not sent yet (in the
 * collecting batch, or in a sealed one about to go out), each with its
 * state, file name and folder.  A cursor (the pager's moves), / by file
 * name or folder with n/N; Enter describes a photo now or re-edits a saved
 * description, u un-skips.  Its key handler returns what happened; the
 * loop (tui.c) acts on it through the core.  Only the rows on screen are
 * drawn, so a list of 100,000 photos opens at once. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "ui.h"
#include "utf8.h"

typedef enum { PK_CURRENT, PK_TODO, PK_SKIPPED, PK_WAITING, PK_SEALED, PK__COUNT } photo_kind;

typedef struct photo_item {
	const char *cesta; /* the CSV's (session) or the store's copy (described) */
	photo_kind kind;
	const char *batch; /* described: its batch */
} photo_item;

typedef struct photo_list {
	photo_item *it;
	size_t n, counts[PK__COUNT];
	collect_item *ci; /* the session's part (collect_items) */
	/* the described part: the files of the batches not sent yet */
	file_entry **files;
	size_t *nfiles, nbatches;
	char (*ids)[40];
	size_t cur, top;
	char find[128];
	bool finding;
	char *picked;
} photo_list;

static const char *kind_label(photo_kind k)
{
	switch (k) {
	case PK_CURRENT: return _("in the editor");
	case PK_TODO: return _("to describe");
	case PK_SKIPPED: return _("skipped");
	case PK_WAITING: return _("described");
	case PK_SEALED: return _("sealed");
	default: return "";
	}
}

static void data_free(photo_list *p)
{
	free(p->it);
	free(p->ci);
	for (size_t i = 0; i < p->nbatches; i++)
		file_entries_free(p->files[i], p->nfiles[i]);
	free(p->files);
	free(p->nfiles);
	free(p->ids);
	p->it = NULL;
	p->ci = NULL;
	p->files = NULL;
	p->nfiles = NULL;
	p->ids = NULL;
	p->n = p->nbatches = 0;
	memset(p->counts, 0, sizeof p->counts);
}

static void add_item(photo_list *p, size_t *cap, const char *cesta, photo_kind k, const char *batch)
{
	if (p->n == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		p->it = xrealloc(p->it, *cap * sizeof *p->it);
	}
	p->it[p->n++] = (photo_item){ cesta, k, batch };
	p->counts[k]++;
}

/* Not sent yet: collecting, or sealed (ready, or paused before sending). */
static bool not_sent(const batch_info *b, photo_kind *k)
{
	batch_state s = b->state == BS_PAUSED ? b->paused_from : b->state;
	if (s == BS_COLLECTING && b->state == BS_COLLECTING)
		*k = PK_WAITING;
	else if (s == BS_READY || s == BS_COLLECTING)
		*k = PK_SEALED;
	else
		return false;
	return true;
}

static void load(ui *u)
{
	photo_list *p = u->photos;
	data_free(p);
	size_t cap = 0, nci = collect_items(u->co, &p->ci);
	cap = nci + 64;
	p->it = xmalloc(cap * sizeof *p->it);
	for (size_t i = 0; i < nci; i++)
		add_item(p, &cap, p->ci[i].cesta,
			 p->ci[i].kind == CI_CURRENT   ? PK_CURRENT
			 : p->ci[i].kind == CI_SKIPPED ? PK_SKIPPED
						       : PK_TODO,
			 NULL);
	batch_info *bs = NULL;
	size_t nb = store_list(u->st, &bs);
	p->files = xcalloc(nb ? nb : 1, sizeof *p->files);
	p->nfiles = xcalloc(nb ? nb : 1, sizeof *p->nfiles);
	p->ids = xcalloc(nb ? nb : 1, sizeof *p->ids);
	/* the collecting batch's photos first, then the sealed ones */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < nb; i++) {
			photo_kind k;
			if (!not_sent(&bs[i], &k) || (k == PK_WAITING) != (pass == 0))
				continue;
			size_t b = p->nbatches;
			if (store_files(u->st, bs[i].id, &p->files[b], &p->nfiles[b]) < 0)
				continue;
			snprintf(p->ids[b], sizeof p->ids[b], "%s", bs[i].id);
			p->nbatches++;
			for (size_t f = 0; f < p->nfiles[b]; f++)
				if (p->files[b][f].state == FS_DESCRIPTION_SAVED)
					add_item(p, &cap, p->files[b][f].cesta, k, p->ids[b]);
		}
	free(bs);
}

static int list_rows(void)
{
	int r = LINES - 4; /* title, header, status, keys */
	return r > 1 ? r : 1;
}

/* The cursor on screen: the list scrolls the least it can. */
static void keep_visible(photo_list *p)
{
	size_t rows = (size_t)list_rows();
	if (p->n && p->cur >= p->n)
		p->cur = p->n - 1;
	if (p->cur < p->top)
		p->top = p->cur;
	if (p->cur >= p->top + rows)
		p->top = p->cur - rows + 1;
	if (p->n <= rows)
		p->top = 0;
	else if (p->top > p->n - rows)
		p->top = p->n - rows;
}

void photos_view_open(ui *u)
{
	if (!u->photos)
		u->photos = xcalloc(1, sizeof *u->photos);
	photo_list *p = u->photos;
	load(u);
	p->cur = p->top = 0;
	p->finding = false;
	u->view = &photos_view;
	u->dirty = true;
}

void photos_view_close(ui *u)
{
	photo_list *p = u->photos;
	if (p) {
		data_free(p);
		free(p->picked);
		free(p);
	}
	u->photos = NULL;
	u->view = NULL;
	u->printed = NULL; /* the preview under it is drawn again */
	u->dirty = true;
}

/* Read again; the cursor stays on its photo when it is still listed. */
static void photos_refresh(ui *u)
{
	photo_list *p = u->photos;
	char *keep = p->n ? xstrdup(p->it[p->cur].cesta) : NULL;
	size_t was = p->cur;
	load(u);
	p->cur = was;
	for (size_t i = 0; keep && i < p->n; i++)
		if (!strcmp(p->it[i].cesta, keep)) {
			p->cur = i;
			break;
		}
	free(keep);
	keep_visible(p);
	u->dirty = true;
}

static void photos_layout(ui *u)
{
	keep_visible(u->photos);
	u->dirty = true;
}

const char *photos_picked(ui *u)
{
	return u->photos ? u->photos->picked : NULL;
}

static bool item_has(const photo_item *it, const char *folded)
{
	char *f = utf8_casefold(it->cesta);
	bool has = f && strstr(f, folded) != NULL;
	free(f);
	return has;
}

/* The next (dir 1) or previous (-1) photo whose path holds the search,
 * from the cursor (itself included with include), round the end. */
static bool find_next(ui *u, int dir, bool include)
{
	photo_list *p = u->photos;
	char *needle = p->find[0] ? utf8_casefold(p->find) : NULL;
	bool found = false;
	for (size_t k = include ? 0 : 1; needle && p->n && k <= p->n && !found; k++) {
		size_t i = dir > 0 ? (p->cur + k) % p->n : (p->cur + p->n * 2 - k) % p->n;
		if (item_has(&p->it[i], needle)) {
			p->cur = i;
			found = true;
		}
	}
	free(needle);
	if (!found && p->find[0])
		ui_status(u, 2, _("Not found: %s"), p->find);
	return found;
}

static void move_by(photo_list *p, long by)
{
	long c = (long)p->cur + by;
	if (c < 0)
		c = 0;
	if (p->n && c >= (long)p->n)
		c = (long)p->n - 1;
	p->cur = p->n ? (size_t)c : 0;
}

/* Enter, e, u: the photo under the cursor, for the loop. */
static view_result pick(photo_list *p, tui_action a)
{
	if (!p->n)
		return VR_OPEN;
	const photo_item *it = &p->it[p->cur];
	free(p->picked);
	p->picked = xstrdup(it->cesta);
	if (a == TA_PL_UNSKIP)
		return it->kind == PK_SKIPPED ? VR_UNSKIP : VR_OPEN;
	return it->kind == PK_WAITING || it->kind == PK_SEALED ? VR_REEDIT : VR_DESCRIBE;
}

static view_result photos_key(ui *u, int code, bool is_key)
{
	photo_list *p = u->photos;
	u->dirty = true;
	if (p->finding) {
		if (find_line_key(p->find, sizeof p->find, &p->finding, code, is_key))
			find_next(u, 1, true);
		keep_visible(p);
		return VR_OPEN;
	}
	long page = list_rows();
	tui_action a = tui_key_action(TC_PHOTOS, code, is_key);
	switch (a) {
	case TA_PG_LINE_UP: move_by(p, -1); break;
	case TA_PG_LINE_DOWN: move_by(p, 1); break;
	case TA_PG_PAGE_UP: move_by(p, -page); break;
	case TA_PG_PAGE_DOWN: move_by(p, page); break;
	case TA_PG_TOP: p->cur = 0; break;
	case TA_PG_BOTTOM: move_by(p, (long)p->n); break;
	case TA_PG_FIND:
		p->finding = true;
		p->find[0] = '\0';
		break;
	case TA_PG_NEXT: find_next(u, 1, false); break;
	case TA_PG_PREV: find_next(u, -1, false); break;
	case TA_PL_OPEN:
	case TA_PL_UNSKIP: {
		view_result r = pick(p, a);
		if (r == VR_OPEN && p->n)
			ui_status(u, 2, _("%s was not skipped: nothing to un-skip."),
				  cesta_basename(p->it[p->cur].cesta));
		return r;
	}
	case TA_PG_CLOSE: return VR_CLOSED;
	case TA_NEXT_PANE:
	case TA_PREV_PANE:
	case TA_NONE: break;
	default: return VR_PASS; /* help, quit, suspend, redraw: the program's */
	}
	keep_visible(p);
	return VR_OPEN;
}

/* "3 to describe, 1 skipped, 2 described (not sent yet)" */
static void draw_title(ui *u, const photo_list *p)
{
	attr_t a = A_REVERSE | A_BOLD;
	attron(a);
	mvhline(0, 0, ' ', COLS);
	attroff(a);
	size_t todo = p->counts[PK_CURRENT] + p->counts[PK_TODO];
	size_t sent_not = p->counts[PK_WAITING] + p->counts[PK_SEALED];
	char t[512];
	snprintf(t, sizeof t,
		 _("Photos: %zu to describe%s, %zu skipped, %zu described, not sent yet"), todo,
		 collect_counting(u->co) ? "+" : "", p->counts[PK_SKIPPED], sent_not);
	int used = ui_put(0, 1, COLS - 2, t, a);
	char right[64];
	snprintf(right, sizeof right, "%zu/%zu", p->n ? p->cur + 1 : 0, p->n);
	int rw = (int)strlen(right);
	if (used + 3 + rw < COLS)
		ui_put(0, COLS - rw - 1, rw, right, a);
}

/* s in w columns; a long path loses its start, never its end. */
static void put_cut_left(int y, int x, int w, const char *s, attr_t a)
{
	size_t len = utf8_chars(s);
	if (w < 2 || len <= (size_t)w) {
		ui_put(y, x, w, s, a);
		return;
	}
	const char *shown = s;
	for (; len > (size_t)w - 1 && *shown; len--) /* room for the ellipsis */
		do
			shown++;
		while (((unsigned char)*shown & 0xc0) == 0x80);
	char *cut = xasprintf("…%s", shown);
	ui_put(y, x, w, cut, a);
	free(cut);
}

static void draw_row(const photo_item *it, int y, int ws, int wf, bool sel)
{
	attr_t a = sel ? A_REVERSE : it->kind == PK_CURRENT ? A_BOLD : A_NORMAL;
	if (sel) {
		attron(a);
		mvhline(y, 0, ' ', COLS);
		attroff(a);
	}
	char cell[256];
	ui_put(y, 1, ws, ui_fit(cell, sizeof cell, kind_label(it->kind), ws), a);
	ui_put(y, 2 + ws, wf, ui_fit(cell, sizeof cell, cesta_basename(it->cesta), wf), a);
	char *dir = cesta_dirname(it->cesta);
	put_cut_left(y, 3 + ws + wf, COLS - 4 - ws - wf, dir, a);
	free(dir);
}

/* Above the last line the search being typed or the whole path under the
 * cursor; on the last, the status or the keys' reminder. */
static void draw_footer(ui *u, const photo_list *p)
{
	attr_t a = A_REVERSE;
	attron(a);
	mvhline(LINES - 1, 0, ' ', COLS);
	attroff(a);
	if (u->status[0])
		ui_put(LINES - 1, 1, COLS - 2, u->status, u->status_lv >= 2 ? a | A_BOLD : a);
	else
		ui_put(LINES - 1, 1, COLS - 2,
		       _("Enter describe/re-edit  u un-skip  / search  n/N next/previous  q back"),
		       a);
	int fy = LINES - 2;
	move(fy, 0);
	clrtoeol();
	if (p->finding) {
		char q[160];
		snprintf(q, sizeof q, "/%s", p->find);
		int used = ui_put(fy, 1, COLS - 2, q, A_BOLD);
		curs_set(1);
		move(fy, 1 + used);
	} else if (p->n) {
		const photo_item *it = &p->it[p->cur];
		char *line = it->batch ? xasprintf(_("%s   (batch %s)"), it->cesta, it->batch)
				       : xstrdup(it->cesta);
		put_cut_left(fy, 1, COLS - 2, line, A_NORMAL);
		free(line);
	}
}

static void photos_draw(ui *u)
{
	photo_list *p = u->photos;
	erase();
	keep_visible(p);
	draw_title(u, p);
	/* columns: state, file name, folder (the rest) */
	int ws = 0;
	for (int k = 0; k < PK__COUNT; k++) {
		int w = (int)utf8_chars(kind_label((photo_kind)k));
		ws = w > ws ? w : ws;
	}
	int wf = COLS >= 120 ? 32 : COLS >= 90 ? 24 : 18;
	char cell[256];
	ui_put(1, 1, ws, ui_fit(cell, sizeof cell, _("State"), ws), A_BOLD | A_UNDERLINE);
	ui_put(1, 2 + ws, wf, ui_fit(cell, sizeof cell, _("File"), wf), A_BOLD | A_UNDERLINE);
	ui_put(1, 3 + ws + wf, COLS - 4 - ws - wf, _("Folder"), A_BOLD | A_UNDERLINE);
	int rows = list_rows();
	if (!p->n)
		ui_put(2, 1, COLS - 2, _("No photo to describe, skipped or waiting to be sent."),
		       A_NORMAL);
	for (int i = 0; i < rows && p->top + (size_t)i < p->n; i++)
		draw_row(&p->it[p->top + (size_t)i], 2 + i, ws, wf, p->top + (size_t)i == p->cur);
	if (!p->finding)
		curs_set(0);
	draw_footer(u, p);
}

const view_ops photos_view = {
	.layout = photos_layout,
	.draw = photos_draw,
	.key = photos_key,
	.refresh = photos_refresh,
};
