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
/* The photo being described; false when none is left. */
bool collect_current(collector *c, collect_photo *out);
/* Local path of the photo n places ahead (prefetch), or NULL. */
const char *collect_ahead(collector *c, size_t n);
/* The draft left by the last session for the current photo (caller frees). */
char *collect_take_draft(collector *c);
/* Durable before returning; then the next photo is current.  *sealed is
 * set when the collecting batch became ready. */
int collect_save(collector *c, const char *text, bool editorial, const editorial_info *ed,
		 bool *sealed, sb_err *e);
int collect_reject(collector *c, sb_err *e);
void collect_skip(collector *c);
/* Keep the draft: handed to a writer thread (the fsync never stalls typing);
 * on disk by the next save, skip or collect_close().  Reports the previous
 * write's failure, if any. */
int collect_draft(collector *c, const char *text, sb_err *e);
/* The collecting batch's fill, for the title line. */
void collect_fill(collector *c, size_t *have, size_t *size);
/* The current photo's Datum vytvoření, else its EXIF date, else today,
 * as "DD MM YYYY". */
void collect_default_date(collector *c, char out[16]);

#endif
