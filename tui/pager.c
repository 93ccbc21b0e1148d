/* pager.c: the pager, a modal view of a long text (help, a batch report,
 * the activity log, the cost of every model): every line whole (wrapped to
 * the box), scrolled by line or page, searched with / and n/N as less, tig
 * and mutt do.  Its keys come from the key table (TC_PAGER); a key returns
 * what happened (dlg_result), the loop acts on it. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "ui.h"
#include "utf8.h"

static void lines_free(ui *u)
{
	for (size_t i = 0; i < u->ntext; i++)
		free(u->text_lines[i]);
	free(u->text_lines);
	u->text_lines = NULL;
	u->ntext = 0;
}

void pager_free(ui *u)
{
	lines_free(u);
	free(u->text_src);
	u->text_src = NULL;
	free(u->text_title);
	u->text_title = NULL;
}

void dlg_text_open(ui *u, const char *title, const char *text)
{
	pager_free(u);
	u->text_src = xstrdup(text);
	u->text_title = xstrdup(title);
	u->text_w = 0; /* wrapped when drawn, to the box's width */
	u->text_top = 0;
	u->find[0] = '\0';
	u->finding = false;
	u->hit = SIZE_MAX;
	u->modal = MD_TEXT;
	u->dirty = true;
}

/* The source text wrapped to w columns (again after a resize). */
static void wrap(ui *u, int w)
{
	lines_free(u);
	editor t;
	editor_init(&t);
	editor_set(&t, u->text_src);
	ed_line *L;
	size_t n = editor_layout(&t, w, &L);
	/* a text ending in a newline has no empty last line to show */
	if (n > 1 && L[n - 1].start == t.len)
		n--;
	u->text_lines = xmalloc((n ? n : 1) * sizeof *u->text_lines);
	for (size_t i = 0; i < n; i++)
		u->text_lines[i] = xstrndup(t.p + L[i].start, L[i].end - L[i].start);
	u->ntext = n;
	free(L);
	editor_free(&t);
	u->text_w = w;
	if (u->text_top >= u->ntext)
		u->text_top = u->ntext ? u->ntext - 1 : 0;
	u->hit = SIZE_MAX;
}

static rect pager_box(void)
{
	int w = COLS - 4 < 160 ? COLS - 4 : 160, h = LINES - 2;
	return (rect){ (LINES - h) / 2, (COLS - w) / 2, h, w };
}

static int page_rows(void)
{
	int r = pager_box().h - 3;
	return r > 1 ? r : 1;
}

static bool line_has(const char *line, const char *folded_needle)
{
	char *f = utf8_casefold(line);
	bool has = f && strstr(f, folded_needle) != NULL;
	free(f);
	return has;
}

/* The next (dir 1) or previous (-1) line holding the search, from the
 * current hit or the top, round the end; SIZE_MAX when none does. */
static size_t find_from(ui *u, int dir, bool include_start)
{
	if (!u->find[0] || !u->ntext)
		return SIZE_MAX;
	char *needle = utf8_casefold(u->find);
	if (!needle)
		return SIZE_MAX;
	size_t start = u->hit != SIZE_MAX ? u->hit : u->text_top, found = SIZE_MAX;
	for (size_t k = include_start ? 0 : 1; k <= u->ntext; k++) {
		size_t i = dir > 0 ? (start + k) % u->ntext : (start + u->ntext * 2 - k) % u->ntext;
		if (line_has(u->text_lines[i], needle)) {
			found = i;
			break;
		}
	}
	free(needle);
	return found;
}

/* Which match the hit is, and how many there are (for the footer). */
static void hit_count(const ui *u, size_t *nth, size_t *all)
{
	*nth = *all = 0;
	char *needle = utf8_casefold(u->find);
	for (size_t i = 0; needle && i < u->ntext; i++)
		if (line_has(u->text_lines[i], needle)) {
			(*all)++;
			if (i <= u->hit)
				*nth = *all;
		}
	free(needle);
}

static void show_hit(ui *u, size_t hit)
{
	u->hit = hit;
	if (hit == SIZE_MAX) {
		ui_status(u, 2, _("Not found: %s"), u->find);
		return;
	}
	size_t rows = (size_t)page_rows();
	if (hit < u->text_top || hit >= u->text_top + rows)
		u->text_top = hit > rows / 3 ? hit - rows / 3 : 0;
}

static void pager_scroll(ui *u, long by)
{
	size_t rows = (size_t)page_rows();
	size_t last = u->ntext > rows ? u->ntext - rows : 0;
	long t = (long)u->text_top + by;
	if (t < 0)
		t = 0;
	if ((size_t)t > last)
		t = (long)last;
	u->text_top = (size_t)t;
}

void pager_draw(ui *u)
{
	rect r = pager_box();
	if (r.w < 8 || r.h < 4)
		return;
	if (u->text_w != r.w - 4)
		wrap(u, r.w - 4);
	dlg_frame(r, u->text_title);
	int rows = r.h - 3;
	for (int i = 0; i < rows && u->text_top + i < u->ntext; i++) {
		size_t li = u->text_top + (size_t)i;
		ui_put(r.y + 1 + i, r.x + 2, r.w - 4, u->text_lines[li],
		       li == u->hit ? A_REVERSE : A_NORMAL);
	}
	int fy = r.y + r.h - 2;
	if (u->finding) {
		char q[160];
		snprintf(q, sizeof q, "/%s", u->find);
		int used = ui_put(fy, r.x + 2, r.w - 4, q, A_BOLD);
		curs_set(1);
		move(fy, r.x + 2 + used);
		return;
	}
	/* the search's place first: the keys' reminder may be cut */
	char where[200] = "";
	if (u->find[0]) {
		size_t nth, all;
		hit_count(u, &nth, &all);
		if (all)
			snprintf(where, sizeof where, _("\"%s\": %zu of %zu"), u->find, nth, all);
		else
			snprintf(where, sizeof where, _("\"%s\": not found"), u->find);
	}
	char foot[512];
	snprintf(foot, sizeof foot, "%s%s%s", where, where[0] ? "  " : "",
		 _("Up/Down/PgUp/PgDn scroll, / search, n/N next/previous, q or Esc closes"));
	ui_put(fy, r.x + 2, r.w - 4, foot, A_BOLD);
	curs_set(0);
}

bool find_line_key(char *find, size_t cap, bool *typing, int code, bool is_key)
{
	size_t n = strlen(find);
	if (!is_key && code == 27) {
		*typing = false;
	} else if ((!is_key && (code == '\n' || code == '\r')) || (is_key && code == KEY_ENTER)) {
		*typing = false;
		return true;
	} else if ((is_key && code == KEY_BACKSPACE) || (!is_key && (code == 0x7f || code == 8))) {
		while (n > 0 && ((unsigned char)find[n - 1] & 0xc0) == 0x80)
			n--; /* a whole UTF-8 character */
		if (n > 0)
			find[n - 1] = '\0';
	} else if (!is_key && code >= 0x20 && code != 0x7f && code < TK_FIRST) {
		char enc[4];
		size_t k = utf8_encode_cp((unsigned)code, enc);
		if (k && n + k < cap) {
			memcpy(find + n, enc, k);
			find[n + k] = '\0';
		}
	}
	return false;
}

dlg_result pager_key(ui *u, int code, bool is_key)
{
	if (u->finding) {
		if (find_line_key(u->find, sizeof u->find, &u->finding, code, is_key)) {
			u->hit = SIZE_MAX;
			show_hit(u, find_from(u, 1, true));
		}
		return DR_OPEN;
	}
	long page = page_rows();
	switch (tui_key_action(TC_PAGER, code, is_key)) {
	case TA_PG_LINE_UP: pager_scroll(u, -1); break;
	case TA_PG_LINE_DOWN: pager_scroll(u, 1); break;
	case TA_PG_PAGE_UP: pager_scroll(u, -page); break;
	case TA_PG_PAGE_DOWN: pager_scroll(u, page); break;
	case TA_PG_TOP: u->text_top = 0; break;
	case TA_PG_BOTTOM: pager_scroll(u, (long)u->ntext); break;
	case TA_PG_FIND:
		u->finding = true;
		u->find[0] = '\0';
		break;
	case TA_PG_NEXT:
		if (u->find[0])
			show_hit(u, find_from(u, 1, false));
		break;
	case TA_PG_PREV:
		if (u->find[0])
			show_hit(u, find_from(u, -1, false));
		break;
	case TA_PG_CLOSE:
	case TA_HELP:
	case TA_QUIT: return DR_NO;
	default: break;
	}
	return DR_OPEN;
}
