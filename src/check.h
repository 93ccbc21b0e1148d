/* check.h: the agencies' rules (agency.c's meta_check_row) over the rows of
 * PhotoMedia.csv that the enabled agencies will see (status připraveno):
 * `stockbatch check` over the whole library, the TUI's batch report over
 * the rows of one batch.  Nothing is repaired here. */
#ifndef SB_CHECK_H
#define SB_CHECK_H

#include "agency.h"
#include "mediacsv.h"

/* The columns the checks read, found once per CSV. */
typedef struct check_cols {
	int status[META_AGENCIES], cats[META_AGENCIES], editorial;
} check_cols;
void check_cols_find(const mediacsv *m, check_cols *c);
/* Row r as the agencies see it, checked: the rules broken (fn once each),
 * or -1 when no enabled agency takes the row. */
long check_media_row(const mediacsv *m, const check_cols *c, size_t r, const agency_lists *l,
		     const settings *cfg, meta_rule_fn fn, void *ctx);

/* One broken rule of the row of paths[file] (agency -1: every agency). */
typedef void (*check_file_fn)(size_t file, int agency, const char *rule, const char *todo,
			      void *ctx);
/* The rows of the given Cesta values, from the configured CSV and the
 * lists beside it; *checked counts the rows an agency takes.  -1 with e
 * set when the CSV or the lists cannot be read. */
int check_media_files(const settings *cfg, const char *const *paths, size_t n, check_file_fn fn,
		      void *ctx, size_t *checked, sb_err *e);

#endif
