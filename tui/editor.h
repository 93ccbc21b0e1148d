/* editor.h: the description editor's text model: a UTF-8 buffer with a
 * cursor, word wrap and motion by character, word and wrapped line.  No
 * curses here, so the unit test drives it directly (tests/test_editor.c). */
#ifndef SB_TUI_EDITOR_H
#define SB_TUI_EDITOR_H

#include <stdbool.h>
#include <stddef.h>

typedef struct editor {
	char *p; /* always NUL-terminated, valid UTF-8 */
	size_t len, cap;
	size_t cur;   /* byte offset of the cursor, on a code point boundary */
	int want_col; /* sticky column for up/down, -1 = none */
	unsigned gen; /* bumped on every text change (draft debounce) */
} editor;

/* One wrapped line: bytes [start, end) are shown; next is where the
 * following line begins (after a newline or the wrap point). */
typedef struct ed_line {
	size_t start, end, next;
} ed_line;

void editor_init(editor *ed);
void editor_free(editor *ed);
/* Replace the text (invalid UTF-8 bytes are dropped); cursor at the end. */
void editor_set(editor *ed, const char *text);
const char *editor_text(const editor *ed);
/* Characters (code points) without leading and trailing white space: what
 * the "15/50 characters minimum" counter shows. */
size_t editor_count(const editor *ed);

void editor_insert(editor *ed, const char *utf8, size_t n);
void editor_insert_cp(editor *ed, unsigned cp);
bool editor_backspace(editor *ed);
bool editor_delete(editor *ed);
void editor_left(editor *ed);
void editor_right(editor *ed);
void editor_word_left(editor *ed);
void editor_word_right(editor *ed);
/* Readline's kill keys (nothing is kept to yank back).  Back to the start
 * of the word before the cursor (to_space: of the run of non-blanks, as
 * Ctrl+W; else of letters and digits, as Alt+Backspace); forward to the end
 * of the next word (Alt+D); to the start or end of the line, newline-
 * delimited, taking the newline itself when already there (Ctrl+U, Ctrl+K:
 * pressed again, they go on clearing). */
void editor_kill_word_back(editor *ed, bool to_space);
void editor_kill_word_fwd(editor *ed);
void editor_kill_line_back(editor *ed);
void editor_kill_line_fwd(editor *ed);
/* Start and end of the whole text. */
void editor_text_start(editor *ed);
void editor_text_end(editor *ed);
/* Start/end of the wrapped line the cursor is on, and the line above or
 * below at the same column; width is the wrap width in columns. */
void editor_home(editor *ed, int width);
void editor_end(editor *ed, int width);
void editor_up(editor *ed, int width);
void editor_down(editor *ed, int width);

/* An editing action of the key table (keys.h: TA_LEFT ... TA_NEWLINE) on
 * the text; false when a is no editing action. */
bool editor_apply(editor *ed, int action, int width);

/* Wrap at word boundaries into lines of at most width columns (a word
 * longer than the line is cut).  Returns the number of lines (>= 1);
 * *lines is malloc'd, caller frees. */
size_t editor_layout(const editor *ed, int width, ed_line **lines);
/* The cursor's wrapped row and column. */
void editor_cursor(const editor *ed, int width, int *row, int *col);

#endif
