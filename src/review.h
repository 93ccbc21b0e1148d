/* review.h: what was written for each committed photo of a batch (SPEC 7,
 * the review view), and a redo: one photo asked again with a corrected
 * description.  The front end shows a review and calls redo_queue; the
 * engine builds and commits the redo like any request (a batch of kind
 * "redo", sent at once, its result replacing the row's metadata).
 * No curses here. */
#ifndef SB_REVIEW_H
#define SB_REVIEW_H

#include "agency.h"
#include "batchstore.h"
#include "settings.h"

/* The batch kind of redos. */
#define REDO_KIND "redo"
bool redo_is_kind(const char *kind);

/* One photo of the review.  Strings are owned by the review. */
typedef struct review_item {
	char *cesta;
	const char *soubor; /* basename of cesta */
	char *local;        /* the file on this box (path_map), for the preview */
	file_state state;   /* in the reviewed batch */
	char *reason;       /* why it failed, or NULL */
	bool committed;     /* the CSV row holds a commit */
	char *title, *description, *keywords;
	char *cats[META_AGENCIES]; /* the CSV's category value per agency, or NULL */
	char *repairs;             /* what the engine repaired in its answer, or NULL */
	char *findings;            /* the agencies' rules it breaks now (as check), or NULL */
	char *user_text;           /* the photographer's description (latest redo's first) */
	bool redo_queued;          /* a redo of it waits or is out */
	char redo_batch[40];
} review_item;

typedef struct review review;

/* The committed photos of the batch (saved_to_csv, in the batch's order),
 * with the CSV as it is now.  A photo's row is read when it is asked for
 * (its row alone: mediacsv_load_row).  -1 with e set when the batch or the CSV cannot be read. */
int review_open(const settings *cfg, store *st, const char *batch_id, review **out, sb_err *e);
void review_close(review *rv);
size_t review_count(const review *rv);
/* Item i, its row and findings read on first access (NULL past the end). */
const review_item *review_get(review *rv, size_t i);
/* Look again: the CSV re-read if it changed, every redo state asked
 * again.  Returns true when anything shown may have changed. */
bool review_refresh(review *rv);

/* Queue a redo of the committed photo cesta with the corrected text: a
 * batch of kind "redo" made ready at once, durable when this returns 0.
 * It is text-only when the image is not needed (the row holds the
 * model's earlier answer, or the file is no image): the model gets that
 * answer and the corrected description; else the photo goes as for an
 * original.  A redo already queued for the photo is SBE_CONFLICT
 * (one request per redo); a text under min_description is SBE_INPUT. */
int redo_queue(const settings *cfg, store *st, const char *cesta, const char *text, sb_err *e);

/* A redo's request, as the redo batch's file keeps it (JSON in its
 * description): the corrected text and the earlier answer. */
typedef struct redo_req {
	char *text;
	bool textonly;
	char *title, *description;
	char **keywords;
	size_t nkeywords;
} redo_req;
int redo_parse(const char *json, redo_req *out); /* -1 when it is no redo */
void redo_req_free(redo_req *r);

#endif
