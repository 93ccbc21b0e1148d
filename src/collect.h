/* collect.h: phase 3's rules (SPEC 3), the same for both front ends: which
 * photos are still to be described, and what saving, rejecting, skipping,
 * marking editorial and keeping a draft do to the store.  The TUI's session
 * (tui/collect.c) and `stockbatch import` (cli/cmd_import.c) call these; no
 * terminal and no threads here. */
#ifndef SB_COLLECT_H
#define SB_COLLECT_H

#include "batchstore.h"
#include "photomedia.h"
#include "series.h"
#include "settings.h"

/* The kind of batch descriptions are collected into. */
#define COLLECT_KIND "originals"

/* Why a photo is, or is not, offered for a description. */
typedef enum {
	COLLECT_ELIGIBLE, /* on this box, in no active batch, never settled by us */
	COLLECT_IN_BATCH, /* in an active batch */
	COLLECT_MISSING,  /* the file is not on this box (path_map) */
	COLLECT_SETTLED,  /* rejected, skipped, dead-lettered or committed by us */
} collect_why;

/* The one eligibility rule (also `plan`'s): a photo in an active batch, or
 * one that we rejected, skipped, dead-lettered or committed, or whose file
 * is missing, is not offered.  The CSV row's own status is the caller's
 * first filter (mediacsv_unprocessed, mediacsv_row_unprocessed).  st may be
 * NULL (no state yet); batch (40 bytes) gets the active batch and fs the
 * settled state, when not NULL. */
collect_why collect_eligibility(const settings *cfg, store *st, const char *cesta, char *batch,
				file_state *fs);
/* The same rule for CSV row `row` of m: a row the CSV shows committed
 * (mediacsv_row_prepared: an editorial row still has 'nezpracováno' for the
 * agencies that take no editorial) is settled as committed (FS_SAVED_TO_CSV)
 * even when the state no longer knows it (its batch was archived). */
collect_why collect_row_eligibility(const settings *cfg, store *st, const mediacsv *m, size_t row,
				    char *batch, file_state *fs);
/* Why a settled photo is not offered, in words (translated). */
const char *collect_settled_reason(file_state fs);
/* The unprocessed rows still eligible, in CSV order (caller frees *rows). */
size_t collect_eligible_rows(const settings *cfg, store *st, const mediacsv *m, size_t **rows);

/* Series (SPEC 13) among rows[0..n) of m: group[i] as series_group()
 * says, with the times of Datum vytvoření (else EXIF), the hashes of the
 * cache hc and the user's corrections se (may be NULL).  Only a photo that
 * may have a partner (no date in the CSV, or a photo of its folder within
 * series_gap) is looked at.  With compute, its hash and EXIF time are
 * checked against the file and made (and cached) when missing; without, no
 * file is touched (the UI thread): what this process has not checked yet is
 * left out and pending[i] (when pending is not NULL) says so.  rank (when
 * not NULL) gets each photo's place in folder and time order (the order of
 * rows among equal times): a series' frames are numbered by it, as the
 * camera took them.  Returns the number of series of two or more. */
size_t collect_series(const settings *cfg, series_cache *hc, const series_edits *se,
		      const mediacsv *m, const size_t *rows, size_t n, bool compute, size_t *group,
		      bool *pending, size_t *rank);

/* Editorial: the CSV's own mark (Editorial = "ano"), for imports. */
bool collect_editorial_in_csv(const mediacsv *m, size_t row);
/* Editorial facts typed by the user: complete only with a city, a country
 * and a valid date (normalised to "DD MM YYYY"); fills *ed and returns true
 * then, else sets *why (translated, when why is not NULL). */
bool collect_editorial_fill(editorial_info *ed, const char *city, const char *country,
			    const char *date, const char **why);

/* The date an editorial dialog starts from, as "DD MM YYYY", from what is
 * known without opening the photo: the CSV's Datum vytvoření, else the EXIF
 * time of facts (read from the file by a background thread, the series
 * hash cache's; NULL while not known yet), else today.  false, out empty,
 * when the date waits for the facts. */
bool collect_editorial_date(const char *datum, const series_facts *facts, char out[16]);

/* Save the description of CSV row `row` into the collecting batch: durable
 * before returning; the batch is sealed when it holds batch_size.  ed holds
 * an editorial photo's facts, or is NULL when they are unknown.  batch_id
 * (40 bytes) gets the batch and *sealed whether it was sealed now, when not
 * NULL.  The photo's draft is cleared. */
int collect_save_description(const settings *cfg, store *st, const mediacsv *m, size_t row,
			     const char *text, bool editorial, const editorial_info *ed,
			     char *batch_id, bool *sealed, sb_err *e);
/* One description for the frames of a series (rows[0..n), in time order):
 * each frame gets its own entry, told it is frame i of n, so that each gets
 * its own request, image and title.  editorial[i] says whether frame i is
 * editorial (editorial NULL: none is).  Durable before returning; *sealed
 * says whether a batch was sealed on the way. */
int collect_save_series(const settings *cfg, store *st, const mediacsv *m, const size_t *rows,
			size_t n, const char *text, const bool *editorial, const editorial_info *ed,
			bool *sealed, sb_err *e);
/* Reject the photo: a rejected entry in the collecting batch, never offered
 * again; writing "zamítnuto" into the CSV is the engine's. */
int collect_reject_photo(const settings *cfg, store *st, const mediacsv *m, size_t row, sb_err *e);
/* Skip the photo for this session: nothing is stored but the draft goes. */
void collect_skip_photo(store *st);

/* Re-edit before sending: the description saved for cesta while its batch
 * still collects (caller frees; batch_id, 40 bytes, gets the batch when
 * not NULL), else NULL with e saying why (sealed, sent, in no batch). */
char *collect_saved_description(store *st, const char *cesta, char *batch_id, sb_err *e);
/* Replace that description: durable before returning, the batch's journal
 * still one entry for the photo; refused, saying why, once its batch is
 * sealed or sent (store_file_redescribe). */
int collect_redescribe(store *st, const char *cesta, const char *text, sb_err *e);

/* The draft of the photo being described (survives quit and crash). */
int collect_draft_save(store *st, const char *cesta, const char *text, sb_err *e);
/* The draft left by the last session, when its photo is still eligible:
 * the text, and its Cesta in *cesta (caller frees both); else NULL. */
char *collect_draft_load(const settings *cfg, store *st, char **cesta);
#endif
