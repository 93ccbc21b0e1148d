/* review.c: the review view (SPEC 7, issue 16's "review view"): for each
 * committed photo of a batch, its preview (the previewer of preview.c)
 * beside what was written for it as the CSV holds it now (title,
 * description, keywords, categories per agency), what the engine
 * repaired in the answer and what the agencies' rules find in the row
 * today.  j/k (arrows, PgUp/PgDn) move photo to photo; r opens the
 * photographer's own description in an editor, Ctrl+S queues the redo
 * (the core's redo_queue: src/review.c), and the photo says "redo
 * queued" until its answer is committed.  A view is a table of
 * operations (view_ops); its key handler returns what happened. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "review.h"
#include "ui.h"

struct review_view {
	review *rv;
	char batch_id[40];
	size_t cur;
	rect box, pv, text; /* layout */
	bool editing;       /* the redo editor is open */
	editor ed;
	int cy, cx; /* its cursor on the screen */
	/* the kitty, sixel or iTerm picture of the last draw (the previewer's
	 * cache holds it), printed after the refresh by tui.c, and where */
	const preview_img *pic;
	rect pic_at;
};

/* The photo shown changes (or the view opens or closes): the picture is
 * sent again, and a sixel or iTerm one, text cells curses does not know
 * of, is wiped by drawing the whole screen again. */
static void picture_changes(ui *u)
{
	if (u->proto == PV_SIXEL || u->proto == PV_ITERM)
		clearok(curscr, TRUE);
	u->printed = NULL;
}

static void rv_layout(ui *u)
{
	struct review_view *v = u->rview;
	if (!v)
		return;
	v->box = (rect){ 0, 0, LINES, COLS };
	rect b = v->box;
	int inner_w = b.w - 4, body_h = b.h - 5; /* frame, header, footer */
	int pw = COLS >= 60 ? inner_w * 2 / 5 : 0;
	if (pw > 80)
		pw = 80;
	v->pv = (rect){ b.y + 3, b.x + 2, body_h > 0 ? body_h : 0, pw };
	int tx = pw ? v->pv.x + pw + 2 : b.x + 2;
	v->text = (rect){ b.y + 3, tx, body_h > 0 ? body_h : 0, b.x + b.w - 2 - tx };
	u->dirty = true;
}

bool review_view_open(ui *u, const char *batch_id)
{
	review *rv = NULL;
	sb_err e;
	sb_err_clear(&e);
	if (review_open(u->cfg, u->st, batch_id, &rv, &e) < 0) {
		ui_status(u, 3, _("No review: %s"), e.msg);
		return false;
	}
	if (review_count(rv) == 0) {
		ui_status(u, 2, _("Batch %s has no photo committed to the CSV yet: nothing to review."),
			  batch_id);
		review_close(rv);
		return false;
	}
	review_view_free(u);
	struct review_view *v = xcalloc(1, sizeof *v);
	v->rv = rv;
	snprintf(v->batch_id, sizeof v->batch_id, "%s", batch_id);
	editor_init(&v->ed);
	u->rview = v;
	u->modal = MD_REVIEW;
	picture_changes(u); /* the editor's picture goes */
	return true;
}

const preview_img *review_view_picture(const ui *u, rect *at)
{
	const struct review_view *v = u->rview;
	if (!v || !v->pic)
		return NULL;
	*at = v->pic_at;
	return v->pic;
}

void review_view_free(ui *u)
{
	struct review_view *v = u->rview;
	if (!v)
		return;
	review_close(v->rv);
	editor_free(&v->ed);
	free(v);
	u->rview = NULL;
}

/* "Label: value" wrapped over the text column from *y; false when full. */
static bool field(int *y, const rect *t, const char *label, const char *value, attr_t a)
{
	int left = t->y + t->h - *y;
	if (left <= 0)
		return false;
	char *s = xasprintf("%s %s", label, value && *value ? value : "-");
	*y += ui_put_wrapped(*y, t->x, t->w, left, s, a);
	free(s);
	return true;
}

static void draw_preview(ui *u, struct review_view *v, const review_item *it)
{
	rect r = v->pv;
	if (r.w < 4 || r.h < 2)
		return;
	/* the loop collects finished renders (and marks the view dirty) */
	const preview_img *im = u->pv && it->local ? previewer_want(u->pv, it->local, r.w, r.h) : NULL;
	if (!im) {
		ui_put(r.y + r.h / 2, r.x, r.w, u->pv ? _("Loading preview...") : _("No preview."),
		       A_DIM);
		return;
	}
	if (im->cells) {
		ui_draw_cells(u, im, r);
	} else if (im->seq) {
		v->pic = im; /* printed after the refresh, as the editor's (tui.c) */
		v->pic_at = r;
		u->seq_pending = true;
	} else {
		ui_put(r.y + 1, r.x, r.w, _("No preview:"), A_BOLD);
		ui_put_wrapped(r.y + 2, r.x, r.w, r.h - 2, im->err, A_NORMAL);
	}
	/* the next photo rendered meanwhile */
	const review_item *next = review_get(v->rv, v->cur + 1);
	if (next && next->local)
		previewer_prefetch(u->pv, next->local, r.w, r.h);
}

/* The redo editor over the top of the text column; returns its last row. */
static int draw_editor(ui *u, struct review_view *v, const review_item *it)
{
	rect t = v->text;
	int y = t.y;
	char *head = xasprintf(_("Your corrected description of %s:"), it->soubor);
	y += ui_put_wrapped(y, t.x, t.w, 2, head, A_BOLD);
	free(head);
	ed_line *L;
	size_t n = editor_layout(&v->ed, t.w, &L);
	int row, col, rows = t.h / 2 > 3 ? t.h / 2 : 3, top = 0;
	editor_cursor(&v->ed, t.w, &row, &col);
	if (row >= rows)
		top = row - rows + 1;
	for (int i = 0; i < rows && (size_t)(top + i) < n; i++) {
		char *s = xstrndup(v->ed.p + L[top + i].start, L[top + i].end - L[top + i].start);
		ui_put(y + i, t.x, t.w, s, A_NORMAL);
		free(s);
	}
	free(L);
	v->cy = y + row - top;
	v->cx = t.x + col;
	y += rows;
	int min = u->cfg->min_description > 0 ? u->cfg->min_description : 50;
	char cnt[160];
	snprintf(cnt, sizeof cnt, _("%zu/%d characters minimum; Ctrl+S queues the redo, Esc goes back"),
		 editor_count(&v->ed), min);
	y += ui_put_wrapped(y, t.x, t.w, 2, cnt, A_DIM);
	return y + 1;
}

static void rv_draw(ui *u)
{
	struct review_view *v = u->rview;
	if (!v)
		return;
	if (v->box.w != COLS || v->box.h != LINES)
		rv_layout(u);
	rect b = v->box;
	v->pic = NULL;
	for (int y = b.y; y < b.y + b.h; y++) {
		move(y, b.x);
		clrtoeol();
	}
	char title[96];
	snprintf(title, sizeof title, _("Review of %s"), v->batch_id);
	dlg_frame(b, title);
	const review_item *it = review_get(v->rv, v->cur);
	if (!it)
		return;
	char head[512];
	snprintf(head, sizeof head, _("%s   photo %zu of %zu"), it->soubor, v->cur + 1,
		 review_count(v->rv));
	int used = ui_put(b.y + 1, b.x + 2, b.w - 4, head, A_BOLD);
	if (it->redo_queued) {
		char q[128];
		snprintf(q, sizeof q, "   [%s]", _("redo queued"));
		ui_put(b.y + 1, b.x + 2 + used, b.w - 4 - used, q, A_BOLD | A_REVERSE);
	}
	draw_preview(u, v, it);
	int y = v->text.y;
	if (v->editing)
		y = draw_editor(u, v, it);
	else
		curs_set(0);
	const rect *t = &v->text;
	if (it->redo_queued && !v->editing)
		field(&y, t, _("Redo queued:"),
		      _("the corrected description goes out with the next send; its answer replaces this row."),
		      A_BOLD);
	if (!v->editing)
		field(&y, t, _("Your description:"), it->user_text, A_DIM);
	field(&y, t, _("Title:"), it->title, A_NORMAL);
	field(&y, t, _("Description:"), it->description, A_NORMAL);
	field(&y, t, _("Keywords:"), it->keywords, A_NORMAL);
	for (int a = 0; a < META_AGENCIES; a++)
		if (it->cats[a]) {
			char lab[64];
			snprintf(lab, sizeof lab, _("%s categories:"), meta_agency_label(a));
			field(&y, t, lab, it->cats[a], A_NORMAL);
		}
	if (it->repairs)
		field(&y, t, _("Repaired by the checker:"), it->repairs, A_NORMAL);
	if (it->committed)
		field(&y, t, _("Agency checks now:"),
		      it->findings ? it->findings : _("it passes every rule"), A_NORMAL);
	if (it->reason)
		field(&y, t, _("Problem:"), it->reason, A_NORMAL);
	const char *foot = u->status[0] && now_mono() < u->status_until
				   ? u->status
				   : _("j/k or PgDn/PgUp next/previous photo, r redo with a corrected description, q closes");
	ui_put(b.y + b.h - 2, b.x + 2, b.w - 4, foot, A_BOLD);
	if (v->editing) { /* the cursor back in the editor */
		curs_set(1);
		move(v->cy, v->cx);
	}
}

static view_result close_view(ui *u)
{
	review_view_free(u);
	u->modal = MD_NONE;
	picture_changes(u); /* graphics under the view are drawn again */
	curs_set(0);
	return VR_CLOSED;
}

/* Ctrl+L: the screen cleared and drawn again, the picture sent again */
static void redraw_all(ui *u)
{
	clearok(curscr, TRUE);
	u->printed = NULL;
}

static view_result redo_key(ui *u, struct review_view *v, const review_item *it, int code,
			    bool is_key)
{
	tui_action a = tui_key_action(TC_REDO, code, is_key);
	if (a == TA_REDRAW) {
		redraw_all(u);
		return VR_OPEN;
	}
	if (a == TA_RV_BACK) {
		v->editing = false;
		ui_status(u, 1, "%s", _("Nothing queued."));
		return VR_OPEN;
	}
	if (a == TA_RV_QUEUE) {
		sb_err e;
		sb_err_clear(&e);
		if (redo_queue(u->cfg, u->st, it->cesta, editor_text(&v->ed), &e) < 0) {
			ui_status(u, e.code == SBE_CONFLICT ? 2 : 3, _("Redo not queued: %s"), e.msg);
			return VR_OPEN;
		}
		v->editing = false;
		ui_status(u, 1, _("Redo of %s queued: one new request, sent now."), it->soubor);
		char *line = xasprintf(_("Redo of %s queued with a corrected description."), it->soubor);
		ui_log(u, 1, line);
		free(line);
		return VR_QUEUED;
	}
	if (editor_apply(&v->ed, tui_key_action(TC_EDITOR, code, is_key), v->text.w))
		return VR_OPEN;
	if (!is_key && code >= 0x20 && code != 0x7f && code < TK_FIRST)
		editor_insert_cp(&v->ed, (unsigned)code);
	return VR_OPEN;
}

static view_result rv_key(ui *u, int code, bool is_key)
{
	struct review_view *v = u->rview;
	if (!v)
		return close_view(u);
	u->dirty = true;
	const review_item *it = review_get(v->rv, v->cur);
	if (!it)
		return close_view(u);
	if (v->editing)
		return redo_key(u, v, it, code, is_key);
	size_t n = review_count(v->rv), was = v->cur;
	switch (tui_key_action(TC_REVIEW, code, is_key)) {
	case TA_RV_NEXT:
		if (v->cur + 1 < n)
			v->cur++;
		break;
	case TA_RV_PREV:
		if (v->cur > 0)
			v->cur--;
		break;
	case TA_RV_FIRST: v->cur = 0; break;
	case TA_RV_LAST: v->cur = n - 1; break;
	case TA_RV_REDO:
		if (it->redo_queued) {
			ui_status(u, 2, _("A redo of %s is queued already: one request per redo."),
				  it->soubor);
			break;
		}
		editor_set(&v->ed, it->user_text ? it->user_text : "");
		v->editing = true;
		break;
	case TA_RV_CLOSE:
	case TA_QUIT: return close_view(u);
	case TA_REDRAW: redraw_all(u); break;
	default: break;
	}
	if (v->cur != was)
		picture_changes(u);
	return VR_OPEN;
}

static void rv_refresh(ui *u)
{
	if (u->rview && review_refresh(u->rview->rv))
		u->dirty = true;
}

const view_ops review_view = { rv_layout, rv_draw, rv_key, rv_refresh };
