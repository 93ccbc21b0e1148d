/* lostrows.h: commits the CSV lost (SPEC 6.3).  A spreadsheet that had
 * PhotoMedia.csv open while stockbatch committed saves its older copy over
 * ours: rows the store calls saved_to_csv are empty and nezpracováno
 * again.  One pass over a parsed CSV against the store's registry of
 * committed files finds them (no file read per row); the engine writes
 * them again from the results stored in their batch folders, cleanup and
 * archiving keep those batches meanwhile, and plan, status and the TUI say
 * so. */
#ifndef SB_LOSTROWS_H
#define SB_LOSTROWS_H

#include "batchstore.h"
#include "photomedia.h"
#include "settings.h"

typedef struct lost_rows {
	size_t n;          /* committed rows the CSV no longer holds */
	char **cesta;      /* their Cesta, in the CSV's order */
	char (*bid)[40];   /* the batch that committed each */
	size_t nb;         /* the batches concerned */
	char (*batch)[40]; /* in order of first appearance */
	size_t *per_batch; /* rows per batch */
} lost_rows;

/* Fill r (cleared first) from the parsed CSV m and the store. */
void lost_rows_find(store *st, const mediacsv *m, lost_rows *r);
void lost_rows_free(lost_rows *r);
bool lost_rows_in_batch(const lost_rows *r, const char *batch_id);
/* The notice for people (translated), naming the CSV, the count and the
 * batches; NULL when nothing is lost.  Caller frees. */
char *lost_rows_message(const lost_rows *r, const char *csv_path);
/* Find and tell in one call, for a front end holding the parsed CSV (the
 * TUI at start): the notice or NULL. */
char *lost_rows_notice(store *st, const mediacsv *m, const char *csv_path, size_t *n);
/* Read the CSV of cfg and tell (plan and status, the TUI at start): 0 with
 * *msg NULL when nothing is lost, -1 with e set when the CSV cannot be
 * read.  n (may be NULL) receives the count. */
int lost_rows_check(const settings *cfg, store *st, char **msg, size_t *n, sb_err *e);

#endif
