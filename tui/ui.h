/* ui.h: the TUI's shared state, between the loop (tui.c), the panes'
 * drawing (panes.c) and the modal dialogs (dialog.c).  UI thread only. */
#ifndef SB_TUI_UI_H
#define SB_TUI_UI_H

#include <curses.h>

#include "batchstore.h"
#include "collect.h"
#include "editor.h"
#include "engine.h"
#include "keys.h"
#include "preview.h"
#include "settings.h"

typedef enum { PANE_EDITOR, PANE_BATCHES, PANE_FILES, PANE_LOG, PANE__COUNT } pane_id;
typedef enum { MD_NONE, MD_EDITORIAL, MD_CONFIRM, MD_TEXT, MD_REVIEW } modal_kind;
typedef enum { CF_REJECT, CF_CANCEL, CF_QUIT } confirm_what;
/* What a key did to a modal dialog: still open, or closed with yes/OK or
 * no/Esc.  The loop (tui.c) acts on it; dialogs call nothing back. */
typedef enum { DR_OPEN, DR_YES, DR_NO } dlg_result;
typedef enum {
	CP_TITLE = 1,
	CP_HEAD,
	CP_HEAD_FOCUS,
	CP_OK,
	CP_WARN,
	CP_ERR,
	CP_DIM,
	CP_BAR,
	CP_SEL,
	CP__FIRST_FREE
} color_pair;

typedef struct rect {
	int y, x, h, w;
} rect;

/* What a key did to a view: nothing the loop must know, or the view
 * closed, or a redo was queued (the loop wakes the worker to send it); in
 * the photo list also: a key of the whole program for the loop (F1, F10),
 * or a photo (photos_picked) to describe now, to re-edit, or back from a
 * skip. */
typedef enum {
	VR_OPEN,
	VR_CLOSED,
	VR_QUEUED,
	VR_PASS,
	VR_DESCRIBE,
	VR_REEDIT,
	VR_UNSKIP
} view_result;
struct ui;
/* A full-screen view over the panes, as a small table of operations: lay
 * out for the screen's size, draw, take a key, look again at the store
 * (the worker moved something on). */
typedef struct view_ops {
	void (*layout)(struct ui *u);
	void (*draw)(struct ui *u);
	view_result (*key)(struct ui *u, int code, bool is_key);
	void (*refresh)(struct ui *u);
} view_ops;
struct review_view;

typedef struct progress {
	char batch_id[40];
	size_t done, total;
	double eta_s;
} progress;

#define LOG_LINES 300
/* Below this the screen says "terminal too small" and only quits. */
#define UI_MIN_W 50
#define UI_MIN_H 14

typedef struct ui {
	settings *cfg;
	store *st;
	engine *en;
	worker *wk;
	collector *co;
	previewer *pv;

	editor ed;
	bool editorial;
	editorial_info edinfo;
	bool frame_only;      /* series: skip, reject, editorial only for the frame shown */
	unsigned hashed_seen; /* previewer_hashed() when the series was last worked out */
	unsigned draft_gen;   /* ed.gen when the draft was last written */
	double last_change;   /* now_mono() of the last text change */
	double draft_written;

	batch_info *batches;
	size_t nbatches;
	size_t sel;
	file_entry *files;
	size_t nfiles;
	char files_of[40];
	size_t files_top;
	size_t fill_have, fill_size; /* the collecting batch, for the title */
	bool batches_stale;          /* the worker said the registry changed */
	double batches_read;         /* now_mono() of the last store_list */
	double scan_taken;           /* now_mono() when the photo list last grew */
	progress *prog;
	size_t nprog;

	char *log[LOG_LINES];
	int loglv[LOG_LINES];
	size_t nlog, logpos; /* ring: next write at logpos */

	char status[1024];
	int status_lv;
	double status_until;

	pane_id focus;
	bool wide;      /* side by side; else one view at a time */
	bool too_small; /* under UI_MIN_W x UI_MIN_H */
	bool dashboard; /* compact: the dashboard view is shown */
	bool colors;
	int ncolors;
	bool quit;
	bool dirty; /* redraw needed */
	bool photo_changed;

	/* modal */
	modal_kind modal;
	confirm_what confirm;
	char confirm_batch[40];
	char *confirm_text;
	editor fields[3];
	int field;
	bool date_pending; /* the editorial date waits for the photo's EXIF date */
	unsigned date_gen; /* fields[2].gen when the dialog opened */
	/* the pager (MD_TEXT, pager.c): text_src wrapped to text_w columns */
	char *text_src;
	int text_w;
	char **text_lines;
	size_t ntext, text_top;
	char *text_title;
	char find[128]; /* the search, "" = none */
	bool finding;   /* the search is being typed */
	size_t hit;     /* the line of the current match, or SIZE_MAX */
	struct review_view *rview; /* MD_REVIEW's own state (review.c) */

	rect r_title, r_status, r_keys, r_preview, r_facts, r_text, r_batches, r_files, r_cost,
		r_log;
	bool show_editor, show_dash;
	pv_protocol proto;
	const preview_img *shown;   /* what the preview pane holds */
	bool seq_pending;           /* a graphics sequence to print after refresh */
	const preview_img *printed; /* the graphics on the terminal now */
	bool kitty_on; /* a kitty picture is placed (it stays above the text until deleted) */

	const view_ops *view;      /* over the panes, or NULL */
	struct photo_list *photos; /* the photo list's state (photos.c) */
} ui;

/* panes.c */
void ui_layout(ui *u);
void ui_draw(ui *u);
void ui_status(ui *u, int lv, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void ui_log(ui *u, int lv, const char *text);
int ui_text_width(const ui *u); /* the editor's wrap width */
/* Print a UTF-8 string at y,x clipped to w columns; returns columns used. */
int ui_put(int y, int x, int w, const char *s, attr_t a);
/* s word-wrapped to w columns over at most rows lines from y,x (the
 * editor's wrap); returns the lines used.  ui_wrap_count: how many it needs. */
int ui_put_wrapped(int y, int x, int w, int rows, const char *s, attr_t a);
int ui_wrap_count(const char *s, int w);
/* A symbols preview centred in r (the editor's pane, the review view). */
void ui_draw_cells(ui *u, const preview_img *im, rect r);
/* s cut or padded to w columns into dst (printf's %-10s counts bytes) */
const char *ui_fit(char *dst, size_t cap, const char *s, int w);
void ui_setup_colors(ui *u, int colors); /* colors: term_probe()'s */
/* States in words, translated (not the store's names) */
const char *ui_batch_state_label(batch_state s);
const char *ui_file_state_label(file_state s);

/* dialog.c */
void dlg_editorial_open(ui *u);
/* The editorial date field filled in once the previewer's thread has read
 * the photo's EXIF date, unless typed in meanwhile. */
void dlg_editorial_date(ui *u);
void dlg_confirm_open(ui *u, confirm_what what, const char *batch_id, const char *text);
void dlg_text_open(ui *u, const char *title, const char *text);
void dlg_help_open(ui *u);
/* A key while a modal is open: DR_OPEN, or how it closed (u->modal is
 * MD_NONE then; the caller may open it again). */
dlg_result dlg_key(ui *u, int code, bool is_key);
void dlg_draw(ui *u);
void dlg_frame(rect r, const char *title);

/* pager.c: the MD_TEXT modal (dlg_text_open opens it) */
void pager_draw(ui *u);
dlg_result pager_key(ui *u, int code, bool is_key);
void pager_free(ui *u);
/* A search line being typed (the pager's, the photo list's): text,
 * Backspace, Esc leaves (*typing false), Enter too and returns true. */
bool find_line_key(char *find, size_t cap, bool *typing, int code, bool is_key);

/* photos.c: the photo list (u->view while open, over the panes; a dialog
 * may open above it) */
extern const view_ops photos_view;
void photos_view_open(ui *u);
void photos_view_close(ui *u);
/* The photo of the last VR_DESCRIBE, VR_REEDIT or VR_UNSKIP. */
const char *photos_picked(ui *u);

/* review.c: the review view (MD_REVIEW): each committed photo of a batch
 * beside what was written for it; r redoes one with a corrected text. */
extern const view_ops review_view;
/* Open it on the batch: false (with a status line) when it has nothing. */
bool review_view_open(ui *u, const char *batch_id);
void review_view_free(ui *u);
/* The kitty, sixel or iTerm picture its last draw left to print after the
 * refresh (at *at), or NULL. */
const preview_img *review_view_picture(const ui *u, rect *at);

#endif
