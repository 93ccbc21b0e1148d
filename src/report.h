/* report.h: batch and run reports (SPEC 6.5; seed 001 final summary, seed
 * 004 FR-R5): counts, percentages, estimated vs actual cost, durations, as
 * text or JSON (--json).  The one place that formats them: `stockbatch
 * report`, the run summary of send/retrieve and the TUI's report popup. */
#ifndef SB_REPORT_H
#define SB_REPORT_H
#include <stdio.h>
#include "batchstore.h"
#include "engine.h"

struct json_object;

/* Per-batch figures the store does not keep (written by the engine into
 * report.json at completion; zero when unknown). */
typedef struct batch_extra {
	size_t succeeded, repaired, retried, failed, unknown_ids, conflicts;
	long in_tokens, out_tokens;
	/* what was repaired or refused in each answer, and why: notes[i] for
	 * the file cesta[i] (both borrowed) */
	const char *const *repair_cesta, *const *repair_notes;
	size_t nrepairs;
} batch_extra;

/* The reports of batches bs[0..nb) as `stockbatch report [BATCH]` prints
 * them (text, or JSON with totals); st may be NULL when nb is 0.  Returns
 * the number of failed items. */
size_t report_batches(store *st, const batch_info *bs, size_t nb, bool json, FILE *out);
/* The same, then (cfg not NULL) what the photos of the batches with usage
 * would have cost on the other models (advisor_usage_table): a few lines,
 * or the JSON's "other_models" (null before any usage). */
size_t report_batches_models(store *st, const batch_info *bs, size_t nb, const settings *cfg,
			     bool json, FILE *out);
/* The advisor's rows as a JSON array (plan --models, report). */
struct adv_table;
struct json_object *report_models_json(const struct adv_table *t);
/* One batch's report, as `stockbatch report BATCH`; -1 (nothing printed)
 * when there is no such batch. */
int report_batch(store *st, const char *batch_id, bool json, FILE *out);
/* What was written for each photo of the batch, as the CSV holds it now:
 * title, description, keywords and the categories, with the reason of a
 * photo that failed; -1 with e set when the CSV cannot be read. */
int report_batch_review(const settings *cfg, store *st, const char *batch_id, FILE *out,
			sb_err *e);
/* The run summary: counts, percentages, costs, duration, what to do next;
 * code is the exit status the run ends with. */
void report_run(const run_report *r, bool interrupted, int code, bool json, FILE *out);
/* The succeeded count and the tokens of BATCH/report.json (x zeroed, false
 * when there is none). */
bool report_batch_extra(store *st, const char *id, batch_extra *x);
/* Write BATCH/report.json (atomic): the batch's report with the extras. */
int report_batch_write(store *st, const char *batch_id, const batch_extra *x, sb_err *e);

/* Shared by the command line's other outputs (status, plan, ...). */
/* A batch's fields as one JSON object (status, pause/resume/cancel). */
struct json_object *report_batch_info_json(const batch_info *b);
size_t report_count_done(const batch_info *b);
size_t report_count_failed(const batch_info *b);
/* The version of the --json shapes (stockbatch(1), JSON OUTPUT): raised
 * when a key is removed or changes its type, not when one is added. */
#define REPORT_JSON_SCHEMA 1
/* Print o (pretty, slashes unescaped) and a newline, with "schema" as its
 * first key, then release it. */
void report_json_print(struct json_object *o, FILE *out);
/* How many documents report_json_print printed in this process. */
unsigned report_json_printed(void);
void report_jadd_str(struct json_object *o, const char *k, const char *v); /* NULL: null */
void report_jadd_int(struct json_object *o, const char *k, long long v);
/* Numbers rounded as a reader wants them: costs (USD) to 6 decimals,
 * seconds to 3, ratios to 4. */
void report_jadd_cost(struct json_object *o, const char *k, double usd);
void report_jadd_seconds(struct json_object *o, const char *k, double s);
void report_jadd_ratio(struct json_object *o, const char *k, double r);
/* Any other number: 10 significant digits (per-photo estimates). */
void report_jadd_dbl(struct json_object *o, const char *k, double v);
void report_jadd_time(struct json_object *o, const char *k, time_t t); /* ISO; <= 0: null */
/* Print s padded to width columns (code points, so Czech text aligns). */
void report_pad(FILE *out, const char *s, int width, bool right);
/* 42s, 3m05s, 2h10m, 3d; "?" when s < 0. */
void report_fmt_duration(double s, char *out, size_t cap);
/* How long ago t was, as report_fmt_duration; "-" when t <= 0. */
void report_fmt_age(time_t t, char *out, size_t cap);
#endif
