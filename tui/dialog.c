/* dialog.c: the modal dialogs: editorial facts (city, country, date), yes/no
 * confirmation; the help text, shown in the pager (pager.c).  Each has a
 * draw and a key function, like the panes. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "ui.h"

static const char *const field_names[3] = { N_("City:"), N_("Country:"), N_("Date (DD MM YYYY):") };

/* The date field set by the program (no longer waiting); "": today's. */
static void set_date(ui *u, const char *date)
{
	char today[16];
	if (!date[0] && collect_editorial_date(NULL, &(series_facts){ 0 }, today))
		date = today;
	editor_set(&u->fields[2], date);
	u->date_gen = u->fields[2].gen;
	u->date_pending = false;
	u->dirty = true;
}

void dlg_editorial_open(ui *u)
{
	for (int i = 0; i < 3; i++) {
		editor_free(&u->fields[i]);
		editor_init(&u->fields[i]);
	}
	editor_set(&u->fields[0], u->edinfo.city);
	editor_set(&u->fields[1],
		   u->edinfo.country[0] ? u->edinfo.country : u->cfg->editorial_country);
	char date[16];
	u->date_pending = false;
	if (u->edinfo.date[0])
		snprintf(date, sizeof date, "%s", u->edinfo.date);
	else
		u->date_pending = !collect_default_date(u->co, date);
	editor_set(&u->fields[2], date);
	u->date_gen = u->fields[2].gen;
	u->field = 0;
	u->modal = MD_EDITORIAL;
	u->dirty = true;
	/* never the file here (a network round trip on a share): the
	 * previewer's thread reads it, first thing; without one, today */
	collect_photo p;
	if (u->date_pending && u->pv && collect_current(u->co, &p) && p.local)
		previewer_hash_now(u->pv, p.local);
	else if (u->date_pending)
		set_date(u, "");
}

void dlg_editorial_date(ui *u)
{
	char date[16];
	if (!u->date_pending)
		return;
	if (u->fields[2].gen != u->date_gen)
		u->date_pending = false; /* typed in: the user's date */
	else if (collect_default_date(u->co, date))
		set_date(u, date);
	/* else the file could not be read yet (or at all): the field stays
	 * empty for the user to type in */
}

void dlg_confirm_open(ui *u, confirm_what what, const char *batch_id, const char *text)
{
	u->confirm = what;
	snprintf(u->confirm_batch, sizeof u->confirm_batch, "%s", batch_id ? batch_id : "");
	free(u->confirm_text);
	u->confirm_text = xstrdup(text);
	u->modal = MD_CONFIRM;
	u->dirty = true;
}

/* The help screen comes from the key table, grouped by context (the
 * focused pane's first), one line per action with all its keys. */
void dlg_help_open(ui *u)
{
	sbuf b = { 0 };
	tui_ctx first = u->focus == PANE_EDITOR ? TC_EDITOR : TC_BATCHES;
	tui_ctx order[] = { first,  first == TC_EDITOR ? TC_BATCHES : TC_EDITOR,
			    TC_ANY, TC_VIEW,
			    TC_PAGER, TC_REVIEW,
			    TC_REDO, TC_PHOTOS };
	for (size_t o = 0; o < sizeof order / sizeof order[0]; o++) {
		sbuf_printf(&b, "%s\n", tui_ctx_name(order[o]));
		for (size_t i = 0; i < tui_nkeys; i++) {
			const struct tui_key *k = &tui_keys[i];
			if (k->ctx != order[o] || !k->desc)
				continue;
			bool seen = false;
			for (size_t j = 0; j < i && !seen; j++)
				seen = tui_keys[j].ctx == k->ctx &&
				       tui_keys[j].action == k->action && tui_keys[j].desc;
			if (seen)
				continue;
			sbuf names = { 0 };
			for (size_t j = i; j < tui_nkeys; j++)
				if (tui_keys[j].ctx == k->ctx && tui_keys[j].action == k->action &&
				    tui_keys[j].desc)
					sbuf_printf(&names, "%s%s", names.len ? ", " : "",
						    tui_keys[j].name);
			int pad = 22 - (int)utf8_chars(names.p);
			sbuf_printf(&b, "  %s%*s %s\n", names.p, pad > 0 ? pad : 0, "", _(k->desc));
			sbuf_free(&names);
		}
		sbuf_adds(&b, "\n");
	}
	sbuf_printf(&b, "%s\n",
		    _("In the editor, printable keys are text; use F1, F10 or Ctrl+Q there."));
	dlg_text_open(u, _("Keys"), b.p ? b.p : "");
	sbuf_free(&b);
}

static rect centre_box(int h, int w)
{
	if (w > COLS - 2)
		w = COLS - 2;
	if (h > LINES - 2)
		h = LINES - 2;
	rect r = { (LINES - h) / 2, (COLS - w) / 2, h, w };
	return r;
}

void dlg_frame(rect r, const char *title)
{
	for (int y = r.y; y < r.y + r.h; y++)
		mvhline(y, r.x, ' ', r.w);
	attron(A_BOLD);
	mvhline(r.y, r.x + 1, ACS_HLINE, r.w - 2);
	mvhline(r.y + r.h - 1, r.x + 1, ACS_HLINE, r.w - 2);
	mvvline(r.y + 1, r.x, ACS_VLINE, r.h - 2);
	mvvline(r.y + 1, r.x + r.w - 1, ACS_VLINE, r.h - 2);
	mvaddch(r.y, r.x, ACS_ULCORNER);
	mvaddch(r.y, r.x + r.w - 1, ACS_URCORNER);
	mvaddch(r.y + r.h - 1, r.x, ACS_LLCORNER);
	mvaddch(r.y + r.h - 1, r.x + r.w - 1, ACS_LRCORNER);
	attroff(A_BOLD);
	char t[256];
	snprintf(t, sizeof t, " %s ", title);
	ui_put(r.y, r.x + 2, r.w - 4, t, A_BOLD);
}

void dlg_draw(ui *u)
{
	if (u->modal == MD_CONFIRM) {
		/* the question wrapped at words, never cut */
		int w = (int)utf8_chars(u->confirm_text) + 6;
		if (w < 40)
			w = 40;
		if (w > 72)
			w = 72;
		if (w > COLS - 2)
			w = COLS - 2;
		int nl = ui_wrap_count(u->confirm_text, w - 4);
		rect r = centre_box(4 + nl, w);
		dlg_frame(r, _("Confirm"));
		ui_put_wrapped(r.y + 1, r.x + 2, r.w - 4, r.h - 4, u->confirm_text, A_NORMAL);
		ui_put(r.y + r.h - 2, r.x + 2, r.w - 4, _("y = yes, n or Esc = no"), A_BOLD);
		curs_set(0);
	} else if (u->modal == MD_TEXT) {
		pager_draw(u);
	} else if (u->modal == MD_REVIEW) {
		review_view.draw(u);
	} else if (u->modal == MD_EDITORIAL) {
		rect r = centre_box(9, 60);
		dlg_frame(r, _("Editorial"));
		int cy = r.y + 1, cx = r.x + 2;
		for (int i = 0; i < 3; i++) {
			int y = r.y + 1 + i * 2;
			int used = ui_put(y, r.x + 2, 20, _(field_names[i]), A_BOLD);
			(void)used;
			int fx = r.x + 22, fw = r.w - 24;
			attr_t a = i == u->field ? A_UNDERLINE | A_BOLD : A_UNDERLINE;
			attron(a);
			mvhline(y, fx, ' ', fw);
			attroff(a);
			ui_put(y, fx, fw, editor_text(&u->fields[i]), a);
			if (i == u->field) {
				int rr, cc;
				editor_cursor(&u->fields[i], 1000, &rr, &cc);
				cy = y;
				cx = fx + (cc < fw ? cc : fw - 1);
			}
		}
		ui_put(r.y + r.h - 2, r.x + 2, r.w - 4, _("Tab next field, Enter OK, Esc cancel"),
		       A_BOLD);
		curs_set(1);
		move(cy, cx);
	}
}

static dlg_result editorial_key(ui *u, int code, bool is_key)
{
	editor *f = &u->fields[u->field];
	if (!is_key && code == 27)
		return DR_NO;
	if ((!is_key && (code == '\n' || code == '\r')) || (is_key && code == KEY_ENTER))
		return DR_YES;
	if ((!is_key && code == '\t') || (is_key && code == KEY_DOWN)) {
		u->field = (u->field + 1) % 3;
	} else if (is_key && (code == KEY_BTAB || code == KEY_UP)) {
		u->field = (u->field + 2) % 3;
	} else if (is_key && code == KEY_LEFT) {
		editor_left(f);
	} else if (is_key && code == KEY_RIGHT) {
		editor_right(f);
	} else if (is_key && code == KEY_HOME) {
		f->cur = 0;
	} else if (is_key && code == KEY_END) {
		f->cur = f->len;
	} else if ((is_key && code == KEY_BACKSPACE) || (!is_key && (code == 0x7f || code == 8))) {
		editor_backspace(f);
	} else if (is_key && code == KEY_DC) {
		editor_delete(f);
	} else if (!is_key && code >= 0x20 && code != 0x7f) {
		if (utf8_chars(editor_text(f)) < 60)
			editor_insert_cp(f, (unsigned)code);
	}
	return DR_OPEN;
}

static dlg_result dlg_key1(ui *u, int code, bool is_key);

dlg_result dlg_key(ui *u, int code, bool is_key)
{
	dlg_result r = dlg_key1(u, code, is_key);
	if (r != DR_OPEN) {
		u->modal = MD_NONE;
		u->printed = NULL; /* graphics under the dialog are drawn again */
	}
	return r;
}

static dlg_result dlg_key1(ui *u, int code, bool is_key)
{
	u->dirty = true;
	switch (u->modal) {
	case MD_NONE: return DR_NO;
	case MD_EDITORIAL: return editorial_key(u, code, is_key);
	case MD_CONFIRM:
		if (!is_key && (code == 'y' || code == 'Y'))
			return DR_YES;
		if (!is_key && (code == 'n' || code == 'N' || code == 27 || code == 'q'))
			return DR_NO;
		return DR_OPEN;
	case MD_TEXT: return pager_key(u, code, is_key);
	case MD_REVIEW: return DR_NO; /* tui.c gives it its keys (review_view.key) */
	}
	return DR_OPEN;
}
