/* collectscan.h: the photos still to describe, found in the background, so
 * that a front end shows the first one at once on a big library or a
 * network share (where every file lookup is a round trip).  The CSV is
 * read and its unprocessed rows put in the reference order when the scan
 * starts (a malformed CSV is reported then); threads then check each row
 * with collect_eligibility() (the store, then the file on disk), several
 * lookups at a time, and hand the eligible rows over in that order. */
#ifndef SB_COLLECTSCAN_H
#define SB_COLLECTSCAN_H

#include "batchstore.h"
#include "mediacsv.h"
#include "settings.h"

typedef struct collect_scan collect_scan;

/* Load the media CSV (lean: Cesta parsed, a row's other fields on first
 * use), order its unprocessed rows and start checking them.  cfg and st
 * must outlive the scan. */
int collect_scan_start(const settings *cfg, store *st, collect_scan **out, sb_err *e);
/* The CSV the rows index (lives as long as the scan). */
const mediacsv *collect_scan_csv(const collect_scan *s);
/* Readable when more rows were found or the scan ended. */
int collect_scan_fd(const collect_scan *s);
/* Append the rows found since the last call, in order, to *rows (*n rows,
 * room for *cap; both grow).  Returns true once the scan has ended and
 * everything it found is handed over. */
bool collect_scan_take(collect_scan *s, size_t **rows, size_t *n, size_t *cap);
/* How many unprocessed rows there are, and how many are checked. */
void collect_scan_progress(collect_scan *s, size_t *checked, size_t *candidates);
/* Stop (a lookup under way finishes first) and free, the CSV with it. */
void collect_scan_free(collect_scan *s);

#endif
