/* plan.h: the pre-flight plan as data (SPEC 8): for every unprocessed file
 * of the CSV what would happen to it (new, in a batch, skipped and why), and
 * what the next send and retrieve would do.  No API calls, no printing:
 * `stockbatch plan` prints it (cli/cmd_plan.c); the TUI can show it. */
#ifndef SB_PLAN_H
#define SB_PLAN_H

#include "batchstore.h"
#include "lostrows.h"
#include "photomedia.h"
#include "settings.h"

/* PLAN_COPY: an edited copy made after its original was committed: no row
 * yet; the next run adds its row and queues its text-only request */
typedef enum { PLAN_NEW, PLAN_IN_BATCH, PLAN_SKIP, PLAN_COPY } plan_action;

typedef struct plan_row {
	size_t row;               /* in the CSV */
	long line;                /* the CSV line, for people */
	const char *file, *cesta; /* Soubor and Cesta (owned by the plan's CSV) */
	mc_media media;
	plan_action action;
	char batch[40]; /* PLAN_IN_BATCH: the batch, its state, the file's state */
	batch_state bstate;
	file_state fstate;
	char *reason; /* PLAN_SKIP: why; PLAN_NEW: what is needed (translated) */
	char *own;    /* PLAN_COPY: the copy's Cesta and file name (cesta, file point here) */
	size_t series;        /* PLAN_NEW in a series: its number (1..), else 0 */
	size_t frame, frames; /* ... its frame (1..) of frames */
} plan_row;

typedef struct plan_summary {
	size_t unprocessed, n_new, in_batch, skip, missing;
	size_t missing_commits;                      /* committed rows the CSV lost (lostrows.h) */
	size_t late_copies;                          /* PLAN_COPY rows */
	size_t series, descriptions; /* series among the new; descriptions still to type */
	size_t bcount[BS__COUNT], bfiles[BS__COUNT]; /* batches and files per state */
	double ready_cost;                           /* estimated, of the batches ready to send */
} plan_summary;

typedef struct plan {
	mediacsv *m;
	plan_row *rows;
	size_t n;
	plan_summary sum;
	char *lost_msg; /* what the CSV lost, for people; NULL when nothing */
} plan;

/* Reads the CSV (cfg->media_csv) and the store (st may be NULL: no state
 * yet).  The new photos are grouped in series (SPEC 13; hashes from, and
 * into, the state dir's cache).  Errors name the CSV's file and line. */
int plan_build(const settings *cfg, store *st, plan **out, sb_err *e);
void plan_free(plan *p);
/* "new", "in_batch", "skip", "copy" (the JSON's words) */
const char *plan_action_name(plan_action a);
/* "image", "video", "other" */
const char *plan_media_name(mc_media k);
#endif
