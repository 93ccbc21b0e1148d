/* lostrows.c: committed rows the CSV lost (see lostrows.h). */
#include "config.h"

#include "lostrows.h"

#include <stdlib.h>
#include <string.h>

#include "i18n.h"

void lost_rows_find(store *st, const mediacsv *m, lost_rows *r)
{
	memset(r, 0, sizeof *r);
	size_t cap = 0, bcap = 0;
	for (size_t i = 0; st && m && i < mediacsv_rows(m); i++) {
		char bid[40];
		/* the store first: it rules out most rows without parsing them
		 * (a lean CSV parses a row on demand) */
		if (!store_file_committed_by(st, mediacsv_field(m, i, MC_CESTA), bid) ||
		    !mediacsv_row_uncommitted(m, i))
			continue;
		if (r->n == cap) {
			cap = cap ? cap * 2 : 16;
			r->cesta = xrealloc(r->cesta, cap * sizeof *r->cesta);
			r->bid = xrealloc(r->bid, cap * sizeof *r->bid);
		}
		r->cesta[r->n] = xstrdup(mediacsv_field(m, i, MC_CESTA));
		memcpy(r->bid[r->n++], bid, sizeof bid);
		size_t b = 0;
		while (b < r->nb && strcmp(r->batch[b], bid) != 0)
			b++;
		if (b == r->nb) {
			if (r->nb == bcap) {
				bcap = bcap ? bcap * 2 : 4;
				r->batch = xrealloc(r->batch, bcap * sizeof *r->batch);
				r->per_batch = xrealloc(r->per_batch, bcap * sizeof *r->per_batch);
			}
			memcpy(r->batch[r->nb], bid, sizeof bid);
			r->per_batch[r->nb++] = 0;
		}
		r->per_batch[b]++;
	}
}

void lost_rows_free(lost_rows *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->cesta[i]);
	free(r->cesta);
	free(r->bid);
	free(r->batch);
	free(r->per_batch);
	memset(r, 0, sizeof *r);
}

bool lost_rows_in_batch(const lost_rows *r, const char *batch_id)
{
	for (size_t b = 0; b < r->nb; b++)
		if (strcmp(r->batch[b], batch_id) == 0)
			return true;
	return false;
}

char *lost_rows_message(const lost_rows *r, const char *csv_path)
{
	if (!r->n)
		return NULL;
	sbuf b = { 0 };
	for (size_t i = 0; i < r->nb; i++) {
		if (i)
			sbuf_adds(&b, ", ");
		sbuf_printf(&b, "%s: %zu", r->batch[i], r->per_batch[i]);
	}
	char *where = xasprintf(P_("batch %s", "batches %s", r->nb), b.p);
	char *m = xasprintf(
		P_("%zu committed row is missing from %s (%s): an older copy of the file was "
		   "saved over the commit; the next `stockbatch retrieve` writes it again from the "
		   "results kept in the batch folder, and cleanup keeps them until then",
		   "%zu committed rows are missing from %s (%s): an older copy of the file was "
		   "saved over the commit; the next `stockbatch retrieve` writes them again from the "
		   "results kept in the batch folder, and cleanup keeps them until then",
		   r->n),
		r->n, csv_path, where);
	free(where);
	sbuf_free(&b);
	return m;
}

char *lost_rows_notice(store *st, const mediacsv *m, const char *csv_path, size_t *n)
{
	lost_rows r;
	lost_rows_find(st, m, &r);
	char *msg = lost_rows_message(&r, csv_path);
	if (n)
		*n = r.n;
	lost_rows_free(&r);
	return msg;
}

int lost_rows_check(const settings *cfg, store *st, char **msg, size_t *n, sb_err *e)
{
	*msg = NULL;
	if (n)
		*n = 0;
	mediacsv *m;
	if (mediacsv_load(cfg->media_csv, &m, e) < 0)
		return -1;
	*msg = lost_rows_notice(st, m, cfg->media_csv, n);
	mediacsv_free(m);
	return 0;
}
