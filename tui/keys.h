/* keys.h: the one key table.  The dispatcher, the help screen (`?`) and the
 * man page (checked with `stockbatch --list-keys`) all come from it. */
#ifndef SB_TUI_KEYS_H
#define SB_TUI_KEYS_H

#include <stdbool.h>
#include <stdio.h>

typedef enum tui_action {
	TA_NONE,
	/* anywhere */
	TA_QUIT,
	TA_QUIT_ASK,
	TA_SUSPEND,
	TA_HELP,
	TA_NEXT_PANE,
	TA_PREV_PANE,
	TA_REDRAW,
	/* editor */
	TA_SAVE,
	TA_SKIP,
	TA_EDITORIAL,
	TA_REJECT,
	TA_SHOW_PATH,
	TA_EXTERNAL,
	TA_FRAME_NEXT,
	TA_FRAME_PREV,
	TA_DETACH,
	TA_SPLIT,
	TA_SCOPE,
	TA_LEFT,
	TA_RIGHT,
	TA_WORD_LEFT,
	TA_WORD_RIGHT,
	TA_UP,
	TA_DOWN,
	TA_HOME,
	TA_TEXT_START,
	TA_TEXT_END,
	TA_BACKSPACE,
	TA_DELETE,
	TA_NEWLINE,
	TA_KILL_WORD_BACK,
	TA_KILL_TO_BLANK,
	TA_KILL_WORD_FWD,
	TA_KILL_LINE_BACK,
	TA_KILL_LINE_FWD,
	/* batch registry */
	TA_PAUSE,
	TA_RESUME,
	TA_CANCEL,
	TA_RETRY,
	TA_REPORT,
	TA_SEND_NOW,
	TA_POLL_NOW,
	TA_SEL_UP,
	TA_SEL_DOWN,
	TA_LOG_PAGER,
	TA_MODELS,
	TA_EXPORT,
	TA_EMBED,
	TA_SETTINGS,
	TA_PHOTOS,
	TA_REVIEW,
	/* the pager */
	TA_PG_LINE_UP,
	TA_PG_LINE_DOWN,
	TA_PG_PAGE_UP,
	TA_PG_PAGE_DOWN,
	TA_PG_TOP,
	TA_PG_BOTTOM,
	TA_PG_FIND,
	TA_PG_NEXT,
	TA_PG_PREV,
	TA_PG_CLOSE,
	/* the review view (tui/review.c) and its redo editor */
	TA_RV_NEXT,
	TA_RV_PREV,
	TA_RV_FIRST,
	TA_RV_LAST,
	TA_RV_REDO,
	TA_RV_CLOSE,
	TA_RV_QUEUE,
	TA_RV_BACK,
	/* the photo list (with the pager's moves, search and close) */
	TA_PL_OPEN,
	TA_PL_UNSKIP,
	/* re-editing a saved description */
	TA_REDO_LEAVE,
} tui_action;

/* TC_REDO: the review's redo editor (its text keys are the editor's). */
typedef enum tui_ctx {
	TC_ANY,
	TC_EDITOR,
	TC_BATCHES,
	TC_VIEW,
	TC_PAGER,
	TC_REVIEW,
	TC_REDO,
	TC_PHOTOS
} tui_ctx;

/* Synthetic codes for keys curses has no constant for: above Unicode, so
 * never a typed character. */
enum {
	TK_FIRST = 0x110000,
	TK_CTRL_LEFT = TK_FIRST,
	TK_CTRL_RIGHT,
	TK_ALT_B,
	TK_ALT_F,
	TK_ALT_ENTER,
	TK_ALT_D,
	TK_ALT_BACKSPACE
};

struct tui_key {
	int code;         /* curses key code, control char or TK_* */
	const char *name; /* as the help screen and the man page spell it */
	tui_ctx ctx;
	tui_action action;
	const char *desc; /* N_() */
};
extern const struct tui_key tui_keys[];
extern const size_t tui_nkeys;

const char *tui_ctx_name(tui_ctx c); /* translated */
/* The action of a key in a context (TC_ANY entries apply everywhere, the
 * pane's own entries first).  is_key: the code came from get_wch as a
 * function key (KEY_*), not a character. */
tui_action tui_key_action(tui_ctx ctx, int code, bool is_key);
/* The table as the man page lists it: "KEY<TAB>CONTEXT<TAB>DESCRIPTION". */
void tui_print_keys(FILE *out);

#endif
