/* editor.c: the description editor's text model (see editor.h).  Columns
 * are code points: the texts are Czech and English, one column each. */
#include "config.h"
#include "editor.h"

#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "util.h"

static bool is_cont(unsigned char c)
{
	return (c & 0xC0) == 0x80;
}

void editor_init(editor *ed)
{
	memset(ed, 0, sizeof *ed);
	ed->cap = 64;
	ed->p = xcalloc(1, ed->cap);
	ed->want_col = -1;
}

void editor_free(editor *ed)
{
	free(ed->p);
	memset(ed, 0, sizeof *ed);
}

static void reserve(editor *ed, size_t extra)
{
	if (ed->len + extra + 1 <= ed->cap)
		return;
	while (ed->len + extra + 1 > ed->cap)
		ed->cap *= 2;
	ed->p = xrealloc(ed->p, ed->cap);
}

const char *editor_text(const editor *ed)
{
	return ed->p;
}

void editor_set(editor *ed, const char *text)
{
	ed->len = 0;
	ed->p[0] = '\0';
	ed->cur = 0;
	if (text)
		editor_insert(ed, text, strlen(text));
	ed->cur = ed->len;
	ed->want_col = -1;
	ed->gen++;
}

static bool is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

size_t editor_count(const editor *ed)
{
	size_t a = 0, b = ed->len, n = 0;
	while (a < b && is_ws((unsigned char)ed->p[a]))
		a++;
	while (b > a && is_ws((unsigned char)ed->p[b - 1]))
		b--;
	for (size_t i = a; i < b; i++)
		if (!is_cont((unsigned char)ed->p[i]))
			n++;
	return n;
}

/* Insert only valid UTF-8 and no control characters but newline and tab
 * (tab becomes a space): pasted text must not corrupt the buffer. */
void editor_insert(editor *ed, const char *s, size_t n)
{
	reserve(ed, n);
	size_t i = 0;
	while (i < n) {
		uint32_t cp;
		size_t k = utf8_decode(s + i, n - i, &cp);
		if (k == 0) {
			i++;
			continue;
		}
		char c = s[i];
		if (k == 1 && (unsigned char)c < 0x20 && c != '\n' && c != '\t') {
			i++;
			continue;
		}
		if (k == 1 && c == 0x7F) {
			i++;
			continue;
		}
		memmove(ed->p + ed->cur + k, ed->p + ed->cur, ed->len - ed->cur + 1);
		if (c == '\t')
			ed->p[ed->cur] = ' ';
		else
			memcpy(ed->p + ed->cur, s + i, k);
		ed->cur += k;
		ed->len += k;
		i += k;
	}
	ed->want_col = -1;
	ed->gen++;
}

void editor_insert_cp(editor *ed, unsigned cp)
{
	char b[4];
	size_t k = utf8_encode_cp(cp, b);
	if (k)
		editor_insert(ed, b, k);
}

static size_t prev_cp(const editor *ed, size_t off)
{
	if (off == 0)
		return 0;
	off--;
	while (off > 0 && is_cont((unsigned char)ed->p[off]))
		off--;
	return off;
}

static size_t next_cp(const editor *ed, size_t off)
{
	if (off >= ed->len)
		return ed->len;
	off++;
	while (off < ed->len && is_cont((unsigned char)ed->p[off]))
		off++;
	return off;
}

static void cut(editor *ed, size_t a, size_t b)
{
	memmove(ed->p + a, ed->p + b, ed->len - b + 1);
	ed->len -= b - a;
	ed->cur = a;
	ed->want_col = -1;
	ed->gen++;
}

bool editor_backspace(editor *ed)
{
	if (ed->cur == 0)
		return false;
	cut(ed, prev_cp(ed, ed->cur), ed->cur);
	return true;
}

bool editor_delete(editor *ed)
{
	if (ed->cur >= ed->len)
		return false;
	cut(ed, ed->cur, next_cp(ed, ed->cur));
	return true;
}

void editor_left(editor *ed)
{
	ed->cur = prev_cp(ed, ed->cur);
	ed->want_col = -1;
}

void editor_right(editor *ed)
{
	ed->cur = next_cp(ed, ed->cur);
	ed->want_col = -1;
}

/* Letters of any script count as word characters (bytes >= 0x80). */
static bool is_word(unsigned char c)
{
	return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '_' || c == '-' || c == '\'';
}

static bool not_space(unsigned char c)
{
	return !is_ws(c);
}

/* From o, back over what is not in the class, then over what is: the start
 * of the word before o. */
static size_t word_back(const editor *ed, size_t o, bool (*in)(unsigned char))
{
	while (o > 0 && !in((unsigned char)ed->p[prev_cp(ed, o)]))
		o = prev_cp(ed, o);
	while (o > 0 && in((unsigned char)ed->p[prev_cp(ed, o)]))
		o = prev_cp(ed, o);
	return o;
}

/* From o, forward over what is (first) or is not in the class, then the
 * other way. */
static size_t word_fwd(const editor *ed, size_t o, bool first)
{
	while (o < ed->len && is_word((unsigned char)ed->p[o]) == first)
		o = next_cp(ed, o);
	while (o < ed->len && is_word((unsigned char)ed->p[o]) != first)
		o = next_cp(ed, o);
	return o;
}

void editor_word_left(editor *ed)
{
	ed->cur = word_back(ed, ed->cur, is_word);
	ed->want_col = -1;
}

void editor_word_right(editor *ed)
{
	ed->cur = word_fwd(ed, ed->cur, true);
	ed->want_col = -1;
}

void editor_kill_word_back(editor *ed, bool to_space)
{
	size_t o = word_back(ed, ed->cur, to_space ? not_space : is_word);
	if (o < ed->cur)
		cut(ed, o, ed->cur);
}

void editor_kill_word_fwd(editor *ed)
{
	size_t o = word_fwd(ed, ed->cur, false);
	if (o > ed->cur)
		cut(ed, ed->cur, o);
}

void editor_kill_line_back(editor *ed)
{
	size_t o = ed->cur;
	while (o > 0 && ed->p[o - 1] != '\n')
		o--;
	if (o == ed->cur && o > 0)
		o--; /* at the line's start: the newline before */
	if (o < ed->cur)
		cut(ed, o, ed->cur);
}

void editor_kill_line_fwd(editor *ed)
{
	size_t o = ed->cur;
	while (o < ed->len && ed->p[o] != '\n')
		o++;
	if (o == ed->cur && o < ed->len)
		o++; /* at the line's end: the newline */
	if (o > ed->cur)
		cut(ed, ed->cur, o);
}

void editor_text_start(editor *ed)
{
	ed->cur = 0;
	ed->want_col = -1;
}

void editor_text_end(editor *ed)
{
	ed->cur = ed->len;
	ed->want_col = -1;
}

size_t editor_layout(const editor *ed, int width, ed_line **lines)
{
	if (width < 2)
		width = 2;
	size_t n = 0, cap = 16;
	ed_line *L = xmalloc(cap * sizeof *L);
	size_t start = 0;
	for (;;) {
		size_t o = start, brk = 0, brk_next = 0;
		int col = 0;
		ed_line ln = { start, ed->len, ed->len };
		bool done = false;
		for (;;) {
			if (o >= ed->len) {
				ln.end = ln.next = ed->len;
				done = true;
				break;
			}
			if (ed->p[o] == '\n') {
				ln.end = o;
				ln.next = o + 1;
				break;
			}
			if (col == width) {
				/* A space at the edge hangs: it ends this line unseen. */
				if (ed->p[o] == ' ') {
					ln.end = o;
					ln.next = o + 1;
				} else if (brk > start) {
					ln.end = brk;
					ln.next = brk_next;
				} else {
					ln.end = ln.next = o;
				}
				break;
			}
			size_t nx = next_cp(ed, o);
			if (ed->p[o] == ' ') {
				brk = nx;
				brk_next = nx;
			}
			col++;
			o = nx;
		}
		if (n == cap) {
			cap *= 2;
			L = xrealloc(L, cap * sizeof *L);
		}
		L[n++] = ln;
		if (done)
			break;
		start = ln.next;
	}
	*lines = L;
	return n;
}

static int cols_between(const editor *ed, size_t a, size_t b)
{
	int c = 0;
	for (size_t i = a; i < b; i++)
		if (!is_cont((unsigned char)ed->p[i]))
			c++;
	return c;
}

/* The row holding offset off: the last line whose start <= off, except
 * that an offset at a wrap point belongs to the next line. */
static size_t row_of(const ed_line *L, size_t n, size_t off)
{
	size_t r = 0;
	for (size_t i = 0; i < n; i++)
		if (L[i].start <= off)
			r = i;
	return r;
}

void editor_cursor(const editor *ed, int width, int *row, int *col)
{
	ed_line *L;
	size_t n = editor_layout(ed, width, &L);
	size_t r = row_of(L, n, ed->cur);
	size_t o = ed->cur < L[r].end ? ed->cur : L[r].end;
	*row = (int)r;
	*col = cols_between(ed, L[r].start, o);
	free(L);
}

/* Offset in line ln at column col (clamped to the line's end). */
static size_t off_at(const editor *ed, const ed_line *ln, int col)
{
	size_t o = ln->start;
	for (int c = 0; c < col && o < ln->end; c++)
		o = next_cp(ed, o);
	return o;
}

static void vertical(editor *ed, int width, int dir)
{
	ed_line *L;
	size_t n = editor_layout(ed, width, &L);
	size_t r = row_of(L, n, ed->cur);
	int col = cols_between(ed, L[r].start, ed->cur < L[r].end ? ed->cur : L[r].end);
	if (ed->want_col < 0)
		ed->want_col = col;
	if (dir < 0 && r == 0)
		ed->cur = 0;
	else if (dir > 0 && r + 1 >= n)
		ed->cur = ed->len;
	else
		ed->cur = off_at(ed, &L[dir < 0 ? r - 1 : r + 1], ed->want_col);
	free(L);
}

void editor_up(editor *ed, int width)
{
	vertical(ed, width, -1);
}

void editor_down(editor *ed, int width)
{
	vertical(ed, width, 1);
}

void editor_home(editor *ed, int width)
{
	ed_line *L;
	size_t n = editor_layout(ed, width, &L);
	ed->cur = L[row_of(L, n, ed->cur)].start;
	ed->want_col = -1;
	free(L);
}

void editor_end(editor *ed, int width)
{
	ed_line *L;
	size_t n = editor_layout(ed, width, &L);
	size_t r = row_of(L, n, ed->cur);
	ed->cur = L[r].end;
	/* The end of a wrapped line is the next line's start: stay before it
	 * unless the wrap point was a hidden space. */
	if (r + 1 < n && L[r].next == L[r].end && L[r].end > L[r].start)
		ed->cur = prev_cp(ed, L[r].end);
	ed->want_col = -1;
	free(L);
}

bool editor_apply(editor *ed, int action, int w)
{
	switch ((tui_action)action) {
	case TA_LEFT: editor_left(ed); break;
	case TA_RIGHT: editor_right(ed); break;
	case TA_WORD_LEFT: editor_word_left(ed); break;
	case TA_WORD_RIGHT: editor_word_right(ed); break;
	case TA_UP: editor_up(ed, w); break;
	case TA_DOWN: editor_down(ed, w); break;
	case TA_HOME: editor_home(ed, w); break;
	case TA_TEXT_START: editor_text_start(ed); break;
	case TA_TEXT_END: editor_text_end(ed); break;
	case TA_KILL_WORD_BACK: editor_kill_word_back(ed, false); break;
	case TA_KILL_TO_BLANK: editor_kill_word_back(ed, true); break;
	case TA_KILL_WORD_FWD: editor_kill_word_fwd(ed); break;
	case TA_KILL_LINE_BACK: editor_kill_line_back(ed); break;
	case TA_KILL_LINE_FWD: editor_kill_line_fwd(ed); break;
	case TA_BACKSPACE: editor_backspace(ed); break;
	case TA_DELETE: editor_delete(ed); break;
	case TA_NEWLINE: editor_insert(ed, "\n", 1); break;
	default: return false;
	}
	return true;
}
