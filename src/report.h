/* report.h: batch and run reports (SPEC 6.5; seed 001 final summary, seed
 * 004 FR-R5): counts, percentages, estimated vs actual cost, durations, as
 * text or JSON (--json). */
#ifndef SB_REPORT_H
#define SB_REPORT_H
#include <stdio.h>
#include "batchstore.h"
#include "engine.h"

/* Per-batch figures the store does not keep (written by the engine into
 * report.json at completion; zero when unknown). */
typedef struct batch_extra {
	size_t succeeded, repaired, retried, failed, unknown_ids, conflicts;
	long in_tokens, out_tokens;
} batch_extra;

/* Print one batch's report (reads report.json's extras when present). */
int report_batch(store *st, const char *batch_id, bool json, FILE *out);
/* Every batch, one line (text) or an array (json). */
int report_all(store *st, bool json, FILE *out);
/* The run summary: counts, percentages, costs, duration. */
void report_run(const run_report *r, bool json, FILE *out);
/* Write BATCH/report.json (atomic) with the extras. */
int report_batch_write(store *st, const char *batch_id, const batch_extra *x, sb_err *e);
#endif
