/* collect.h: phase 3 in the TUI, collecting descriptions (SPEC 3): this
 * session's list of eligible photos, the current one, and the editor's keys
 * (save, reject, skip, draft) through the core's rules, src/collect.h.  No
 * curses here. */
#ifndef SB_TUI_COLLECT_H
#define SB_TUI_COLLECT_H

#include "../src/collect.h" /* the core's rules; this header has the same name */
#include "batchstore.h"
#include "settings.h"

typedef struct collector collector;

typedef struct collect_photo {
	const char *cesta; /* the CSV's Cesta (the row key) */
	char *local;       /* mapped to this box (path mapping) */
	const char *soubor, *kategorie, *datum, *sirka, *vyska;
	size_t row;
	size_t pos, total; /* 1-based place in this session's list */
	bool counting;     /* the list is still filling in: total grows */
	size_t frame, frames; /* its series: the frame shown (1-based) of frames; 1 of 1: alone */
} collect_photo;

/* Loads the media CSV once (errors name the file and line) and starts
 * finding the photos to describe in the background. */
int collect_open(settings *cfg, store *st, collector **out, sb_err *e);
void collect_close(collector *c);
/* Committed rows the CSV as opened lacks (src/lostrows.h): the notice for
 * the activity log, or NULL. */
char *collect_lost_notice(collector *c);
/* Readable when the background scan found more photos or ended; -1 once
 * it has ended. */
int collect_fd(collector *c);
/* Takes what the scan found; true when the list or its state changed. */
bool collect_poll(collector *c);
/* More photos may still come. */
bool collect_counting(collector *c);
/* The photo being described (of a series: the frame shown); false when
 * none is left. */
bool collect_current(collector *c, collect_photo *out);
/* Local path of the photo n places after the current one and its series
 * (prefetch; 0: the one shown), or NULL. */
const char *collect_ahead(collector *c, size_t n);

/* Series (SPEC 13): the current photo's series is worked out from the
 * photos of its folder a little ahead, with the hashes known so far.
 * Frame k (0-based) of the current series; false past its end. */
bool collect_frame(collector *c, size_t k, collect_photo *out);
/* Show another frame (delta: -1 the previous, +1 the next). */
void collect_select(collector *c, int delta);
/* The hash cache the previewer's thread fills. */
series_cache *collect_hash_cache(collector *c);
/* Local paths (at most max) of photos whose hash the series still needs. */
size_t collect_hash_wanted(collector *c, const char **paths, size_t max);
/* Hashes arrived: the series is worked out again. */
void collect_hashes_changed(collector *c);
/* Take the frame shown out of its series (it gets a description of its
 * own, right after the series) or split the series before it; both kept
 * in the state dir. */
int collect_detach(collector *c, sb_err *e);
int collect_split(collector *c, sb_err *e);
/* The draft left by the last session for the current photo (caller frees). */
char *collect_take_draft(collector *c);
/* The description goes to every frame of the current series (each its
 * own request); editorial for all of them, or with editorial_frame_only
 * for the frame shown.  Durable before returning; then the next photo is
 * current.  The hash cache is not written here (a file on the library's
 * share): previewer_save_hashes() has the previewer's thread write it, and
 * collect_close() writes what is left.  *sealed is set when the collecting batch became ready. */
int collect_save(collector *c, const char *text, bool editorial, const editorial_info *ed,
		 bool editorial_frame_only, bool *sealed, sb_err *e);
/* Reject or skip the whole series, or with frame_only the frame shown. */
int collect_reject(collector *c, bool frame_only, sb_err *e);
size_t collect_skip(collector *c, bool frame_only);
/* Keep the draft: handed to a writer thread (the fsync never stalls typing);
 * on disk by the next save, skip or collect_close().  Reports the previous
 * write's failure, if any. */
int collect_draft(collector *c, const char *text, sb_err *e);
/* The photo list (tui/photos.c): this session's photos, the one being
 * described (with its series' frames) first, then those still to describe
 * in the order offered, then those skipped; *out is the caller's to free.
 * cesta points into the CSV as loaded: valid while the collector is. */
typedef enum { CI_CURRENT, CI_TODO, CI_SKIPPED } collect_item_kind;
typedef struct collect_item {
	const char *cesta;
	collect_item_kind kind;
} collect_item;
size_t collect_items(collector *c, collect_item **out);
/* Describe cesta (to describe or skipped) now: it becomes the current
 * photo; the photos passed over stay next in the list, and text (typed for
 * the photo left) is kept for when it is current again.  false when cesta
 * is not open in this session. */
bool collect_jump(collector *c, const char *cesta, const char *text);
/* A photo skipped this session back to the front of those to describe,
 * right after the current one. */
bool collect_unskip(collector *c, const char *cesta);
/* The text kept for the current photo when it was passed over (caller
 * frees), or NULL. */
char *collect_take_kept(collector *c);
/* Re-edit a saved description: until collect_redo_end the photo cesta is
 * the current one (facts, preview, no draft written); text typed for the
 * photo left is kept as with a jump.  false when the CSV lacks it. */
bool collect_redo_begin(collector *c, const char *cesta, const char *text);
void collect_redo_end(collector *c);
/* The Cesta being re-edited, or NULL. */
const char *collect_redoing(collector *c);
/* The current photo's Datum vytvoření, else its EXIF date, else today,
 * as "DD MM YYYY", without opening the photo: the EXIF date comes from the
 * hash cache, which the previewer's thread fills from its read of the file.
 * false (out empty) while that is still to come. */
bool collect_default_date(collector *c, char out[16]);

#endif
