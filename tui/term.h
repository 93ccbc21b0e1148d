/* term.h: the locale and the terminal as the full-screen program finds
 * them: a UTF-8 character set whatever the locale says (Czech typed over
 * SSH arrives whole), and what the terminal can draw (line drawing,
 * colours, the preview's symbols). */
#ifndef SB_TUI_TERM_H
#define SB_TUI_TERM_H

#include <stdbool.h>
#include <stddef.h>

#include "preview.h"

/* Make LC_CTYPE UTF-8 (before curses starts and before any thread), and
 * have ncursesw draw lines as Unicode box characters.
 * Returns 0 when it already was, 1 when it was switched (note then says
 * so, for the activity log), -1 when no UTF-8 locale is installed. */
int term_utf8_locale(char *note, size_t cap);
/* The UTF-8 locale names to try for the current LC_CTYPE name and the
 * environment's (the user's language first, then C.UTF-8); the first for
 * which try() succeeds is kept.  Returns it, or NULL.  Unit-tested. */
const char *term_pick_utf8(const char *current, const char *env_lang,
			   bool (*try)(const char *name, void *ctx), void *ctx);

/* After initscr: what the terminal shows (ASCII lines where its terminfo
 * entry has no line drawing at all). */
typedef struct term_caps {
	int colors;         /* 0 (none or NO_COLOR), 8, 16, 256 */
	pv_symbols symbols; /* the preview's character set */
} term_caps;
term_caps term_probe(void);

/* SIGHUP (the SSH link dropped) and SIGTERM end the program as a quit
 * does (the draft written, the worker stopped at a safe point, the
 * terminal restored): the handler only writes to a pipe whose read end the
 * poll() loop watches.  Returns that fd, or -1.  Before initscr, so that
 * curses leaves SIGTERM to us. */
int term_signals_catch(void);
/* The signal that arrived (0: none); empties the pipe. */
int term_signal_taken(void);
void term_signals_release(void);
/* Ctrl+Z: the terminal restored as it was before curses, the process
 * stopped (SIGTSTP, as the shell's job control expects), and on SIGCONT
 * the screen taken back.  The caller redraws everything afterwards. */
void term_suspend(void);

/* Right after initscr(): each later refresh() reaches the terminal in one
 * write(2) (or as few as curses' buffer of about a screenful allows).
 * ncurses 6.4 flushes its output after every cursor move until the
 * program has left curses once (endwin, then a refresh): a frame went out
 * in dozens of small writes, and a slow link or a tmux capture showed it
 * half drawn.  Leaves curses and comes back before anything is drawn. */
void term_frames_whole(void);

/* Text for the terminal that does not go through curses (the kitty, sixel
 * and iTerm pictures): written after what curses and stdio hold, in one
 * write(2) when the terminal takes it whole. */
void term_put(const char *s, size_t n);

#endif
