/* preview.h: the photo preview of the editor pane (SPEC 7).  A JPEG is
 * decoded at the smallest DCT scale the pane needs (or its embedded EXIF /
 * MPF preview when that is big enough), oriented, and turned into a chafa
 * canvas of terminal cells.  A small thread renders ahead (the next photo)
 * so paging is instant; the UI thread owns the cache.  No curses here. */
#ifndef SB_TUI_PREVIEW_H
#define SB_TUI_PREVIEW_H

#include <stdbool.h>
#include "util.h"

typedef enum { PV_SYMBOLS, PV_KITTY, PV_SIXEL, PV_ITERM } pv_protocol;
typedef enum { PV_MONO, PV_16, PV_256, PV_8 } pv_colors;
/* The characters the terminal can show: every block and border symbol,
 * the Linux console font's blocks and shades, or ASCII (a VT100). */
typedef enum { PV_SYM_FULL, PV_SYM_BLOCKS, PV_SYM_ASCII } pv_symbols;

typedef struct pv_cell {
	unsigned ch;  /* code point, one column */
	short fg, bg; /* palette index, -1 = the terminal's default */
} pv_cell;

typedef struct preview_img {
	char *path;
	int req_w, req_h;   /* the pane size asked for (cells) */
	int w, h;           /* canvas size (cells), fits in req */
	pv_cell *cells;     /* w*h, symbols mode */
	char *seq;          /* kitty/sixel/iTerm: the escape sequence to print */
	int src_w, src_h;   /* the decoded image's size (pixels) */
	bool from_embedded; /* came from the EXIF/MPF preview */
	char err[1024];     /* why there is no picture (not a JPEG, missing...) */
} preview_img;

void preview_img_free(preview_img *p);
/* Limit the symbols of every render from now on (before previewer_new). */
void preview_set_symbols(pv_symbols s);
/* The picture a render of path at w x h cells starts from, oriented: its
 * embedded preview when big enough (*embedded; *data NULL), else the file
 * read whole (*data, *len: the caller frees) and decoded at the smallest
 * DCT scale the pane needs.  The bench measures the series hash on it. */
struct image_rgb;
int preview_decode(const char *path, int w, int h, pv_protocol proto, struct image_rgb *im,
		   bool *embedded, char **data, size_t *len, sb_err *e);
/* Render synchronously (the cold path; the bench's baseline). */
preview_img *preview_render(const char *path, int w, int h, pv_protocol proto, pv_colors colors);

/* The protocol for this terminal: the `preview` setting ("auto" looks at
 * KITTY_WINDOW_ID, TERM_PROGRAM, TERM; tmux and screen get symbols). */
pv_protocol preview_detect(const char *setting);
/* "tmux" or "screen" when the program runs inside one (TMUX, STY, TERM):
 * graphics sequences do not reach the terminal there, so even an explicit
 * kitty, sixel or iterm setting falls back to symbols (tui.c says so). */
const char *preview_multiplexer(void);

typedef struct previewer previewer;
previewer *previewer_new(pv_protocol proto, pv_colors colors);
void previewer_free(previewer *pv);
/* Readable when a render finished; previewer_collect() drains it. */
int previewer_fd(const previewer *pv);
/* Move finished renders into the cache; true if any arrived. */
bool previewer_collect(previewer *pv);
/* The cached render of path at w x h, or NULL (then it is queued first). */
const preview_img *previewer_get(previewer *pv, const char *path, int w, int h);
/* The same without collecting: the cache as the loop last filled it.  A
 * view drawn over the editor pane asks this way, so that no render comes
 * in (and pushes the pane's picture out of the cache) between the loop's
 * collect and its preview_update. */
const preview_img *previewer_want(previewer *pv, const char *path, int w, int h);
/* Queue a render behind the current one (the next photo). */
void previewer_prefetch(previewer *pv, const char *path, int w, int h);
/* Series: the hashes go into this cache (thread-safe).  A render that
 * decodes its photo hashes it from that decode; previewer_hash() queues a
 * photo the series still needs behind the renders (a 1/8 decode, which also
 * makes its strip picture).  previewer_hashed() counts the hashes made, so
 * the UI knows to look. */
struct series_cache;
void previewer_set_hash_cache(previewer *pv, struct series_cache *hc);
void previewer_hash(previewer *pv, const char *path);
unsigned previewer_hashed(previewer *pv);
/* The same for a photo a dialog waits on (its EXIF date): queued first. */
void previewer_hash_now(previewer *pv, const char *path);
/* Have the thread write the hash cache (series_cache_save, a file in the
 * library's state dir, so on its share), behind the renders queued: asks
 * made before it gets to it make one write.  An ask not written when the
 * previewer is freed is left to the cache's owner (collect_close). */
void previewer_save_hashes(previewer *pv);
/* The series strip's small picture of path, w x h cells, in symbols
 * whatever the protocol (several on one line), or NULL (then queued behind
 * the renders).  Kept apart from the renders' cache, so the strip never
 * pushes out the next photo's prefetch; every render of a decoded photo
 * makes its strip picture too, at the last size asked.  Like
 * previewer_want, the cache as the loop last filled it. */
const preview_img *previewer_thumb(previewer *pv, const char *path, int w, int h);

#endif
