/* collect.c: phase 3's rules for both front ends (see collect.h). */
#include "config.h"

#include "collect.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "i18n.h"
#include "imageprep.h"
#include "request.h"

collect_why collect_eligibility(const settings *cfg, store *st, const char *cesta, char *batch,
				file_state *fs)
{
	char bid[40];
	file_state known;
	if (st && store_file_batch(st, cesta, bid)) {
		if (batch)
			snprintf(batch, 40, "%s", bid);
		return COLLECT_IN_BATCH;
	}
	char *local = settings_map_path(cfg, cesta);
	bool present = local && file_exists(local);
	free(local);
	if (!present)
		return COLLECT_MISSING;
	/* settled: rejected, skipped, dead-lettered or committed */
	if (st && store_file_known(st, cesta, &known) && file_state_settled(known)) {
		if (fs)
			*fs = known;
		return COLLECT_SETTLED;
	}
	return COLLECT_ELIGIBLE;
}

collect_why collect_row_eligibility(const settings *cfg, store *st, const mediacsv *m, size_t row,
				    char *batch, file_state *fs)
{
	collect_why why = collect_eligibility(cfg, st, mediacsv_field(m, row, MC_CESTA), batch, fs);
	/* The CSV remembers a commit the state forgot (an archived batch, another
	 * state directory): an editorial row keeps some 'nezpracováno'. */
	if (why == COLLECT_ELIGIBLE && mediacsv_row_prepared(m, row)) {
		if (fs)
			*fs = FS_SAVED_TO_CSV;
		return COLLECT_SETTLED;
	}
	return why;
}

const char *collect_settled_reason(file_state fs)
{
	return fs == FS_REJECTED  ? _("rejected")
	       : fs == FS_SKIPPED ? _("skipped by you")
	       : fs == FS_DEAD    ? _("dead (why: 'stockbatch report'; "
					 "again: 'stockbatch retry-failed')")
				  : _("already committed to the CSV");
}

size_t collect_eligible_rows(const settings *cfg, store *st, const mediacsv *m, size_t **out)
{
	size_t *rows = NULL;
	size_t n = mediacsv_unprocessed(m, NULL, NULL, &rows), k = 0;
	for (size_t i = 0; i < n; i++) {
		if (collect_row_eligibility(cfg, st, m, rows[i], NULL, NULL) == COLLECT_ELIGIBLE)
			rows[k++] = rows[i];
	}
	*out = rows;
	return k;
}

/* Whether the photo at k of ord (folder and time order, times from the
 * CSV) has a neighbour within gap, or its time is not known yet. */
static bool may_have_partner(const series_photo *ph, const size_t *ord, size_t n, size_t k, int gap)
{
	const series_photo *p = &ph[ord[k]];
	if (!p->has_t)
		return true;
	for (int d = -1; d <= 1; d += 2) {
		if ((d < 0 && k == 0) || (d > 0 && k + 1 >= n))
			continue;
		const series_photo *q = &ph[ord[k + (size_t)(ssize_t)d]];
		if (series_same_folder(p, q) && (!q->has_t || llabs(q->t - p->t) <= gap))
			return true;
	}
	return false;
}

size_t collect_series(const settings *cfg, series_cache *hc, const series_edits *se,
		      const mediacsv *m, const size_t *rows, size_t n, bool compute, size_t *group,
		      bool *pending, size_t *rank)
{
	series_photo *ph = xcalloc(n ? n : 1, sizeof *ph);
	size_t *ord = xmalloc(sizeof(size_t) * (n ? n : 1));
	for (size_t i = 0; i < n; i++) {
		ph[i].cesta = mediacsv_field(m, rows[i], MC_CESTA);
		ph[i].has_t = series_time_of(mediacsv_field(m, rows[i], MC_DATUM_VYTVORENI), NULL,
					     &ph[i].t);
		ph[i].edits = series_edits_of(se, ph[i].cesta);
		if (pending)
			pending[i] = false;
	}
	series_sort(ph, n, ord);
	for (size_t k = 0; k < n && cfg->series_gap > 0; k++) {
		size_t i = ord[k];
		if (!may_have_partner(ph, ord, n, k, cfg->series_gap))
			continue; /* alone whatever it shows: not looked at */
		char *local = settings_map_path(cfg, ph[i].cesta);
		series_facts f;
		bool have = false;
		if (local && compute) {
			sb_err e;
			have = series_cache_hash(hc, local, &f, &e) == 0;
		} else if (local) {
			/* no file system call: the previewer's thread checks the file */
			have = series_cache_peek(hc, local, &f);
			if (!have && pending)
				pending[i] = true;
		}
		free(local);
		if (!have)
			continue;
		ph[i].hash = f.hash;
		ph[i].has_hash = f.has_hash;
		if (!ph[i].has_t && f.has_t) {
			ph[i].t = f.t;
			ph[i].has_t = true;
		}
	}
	size_t r = series_group(ph, n, cfg->series_gap, cfg->series_distance, group);
	if (rank) {
		/* the EXIF times found above count too */
		series_sort(ph, n, ord);
		for (size_t k = 0; k < n; k++)
			rank[ord[k]] = k;
	}
	free(ord);
	free(ph);
	return r;
}

bool collect_editorial_in_csv(const mediacsv *m, size_t row)
{
	int ced = mediacsv_col(m, MC_EDITORIAL);
	return ced >= 0 && !strcasecmp(mediacsv_get(m, row, ced), "ano");
}

bool collect_editorial_fill(editorial_info *ed, const char *city, const char *country,
			    const char *date, const char **why)
{
	char d[11];
	const char *bad = NULL;
	if (!city || !*city || !country || !*country || !date || !*date)
		bad = _("Editorial needs a city, a country and a date.");
	else if (!date_norm_ddmmyyyy(date, d))
		bad = _("The date is not a valid DD MM YYYY date.");
	if (why)
		*why = bad;
	if (bad)
		return false;
	snprintf(ed->city, sizeof ed->city, "%s", city);
	snprintf(ed->country, sizeof ed->country, "%s", country);
	snprintf(ed->date, sizeof ed->date, "%s", d);
	return true;
}

bool collect_editorial_date(const char *datum, const series_facts *facts, char out[16])
{
	char day[32];
	/* Datum vytvoření: "DD.MM.YYYY" or "DD.MM.YYYY HH:MM:SS" */
	snprintf(day, sizeof day, "%s", datum ? datum : "");
	day[strcspn(day, " ")] = '\0';
	if (date_norm_ddmmyyyy(day, out))
		return true;
	out[0] = '\0';
	if (!facts)
		return false; /* the file not looked at yet: no guess */
	struct tm tm;
	time_t t = (time_t)facts->t; /* seconds of the civil date, read as UTC */
	if (facts->has_t && gmtime_r(&t, &tm)) {
		snprintf(day, sizeof day, "%02d %02d %04d", tm.tm_mday, tm.tm_mon + 1,
			 tm.tm_year + 1900);
		if (date_norm_ddmmyyyy(day, out))
			return true;
	}
	today_ddmmyyyy(day);
	if (!date_norm_ddmmyyyy(day, out))
		out[0] = '\0';
	return true;
}

/* The draft goes with its photo (a draft of another photo stays). */
static void drop_draft_of(store *st, const char *cesta)
{
	sb_err e2;
	store_drop_draft(st, cesta, &e2);
}

/* Where an entry stands in its series: frame i of n (n 0: alone). */
typedef struct frame_of {
	int i, n;
} frame_of;

/* One entry into the collecting batch; a saved description may seal it. */
static int add_entry(const settings *cfg, store *st, const mediacsv *m, size_t row,
		     const char *text, file_state state, bool editorial, const editorial_info *ed,
		     frame_of fr, char *batch_id, bool *sealed, sb_err *e)
{
	if (sealed)
		*sealed = false;
	batch_info b;
	if (store_collecting(st, COLLECT_KIND, cfg->provider, cfg->model, &b, e) < 0)
		return -1;
	const char *cesta = mediacsv_field(m, row, MC_CESTA);
	file_entry f;
	memset(&f, 0, sizeof f);
	f.cesta = (char *)cesta;
	f.description = (char *)(text ? text : "");
	f.state = state;
	f.editorial = editorial;
	if (editorial && ed)
		f.ed = *ed;
	f.series_n = fr.n;
	f.series_i = fr.i;
	mediacsv_fingerprint(m, row, f.fingerprint);
	f.custom_id = request_custom_id(cesta, b.id);
	int rc = store_add_file(st, b.id, &f, e);
	free(f.custom_id);
	if (rc < 0)
		return -1;
	if (batch_id)
		snprintf(batch_id, 40, "%s", b.id);
	if (state == FS_DESCRIPTION_SAVED) {
		if (store_seal_if_full(st, b.id, (size_t)cfg->batch_size, e) < 0)
			return -1;
		batch_info after;
		if (sealed && store_get(st, b.id, &after) == 0 && after.state != BS_COLLECTING)
			*sealed = true;
	}
	drop_draft_of(st, cesta);
	return 0;
}

int collect_save_description(const settings *cfg, store *st, const mediacsv *m, size_t row,
			     const char *text, bool editorial, const editorial_info *ed,
			     char *batch_id, bool *sealed, sb_err *e)
{
	frame_of alone = { 0, 0 };
	return add_entry(cfg, st, m, row, text, FS_DESCRIPTION_SAVED, editorial, ed, alone,
			 batch_id, sealed, e);
}

int collect_save_series(const settings *cfg, store *st, const mediacsv *m, const size_t *rows,
			size_t n, const char *text, const bool *editorial, const editorial_info *ed,
			bool *sealed, sb_err *e)
{
	if (sealed)
		*sealed = false;
	for (size_t i = 0; i < n; i++) {
		frame_of fr = { n > 1 ? (int)i + 1 : 0, n > 1 ? (int)n : 0 };
		bool ed_i = editorial && editorial[i], s = false;
		if (add_entry(cfg, st, m, rows[i], text, FS_DESCRIPTION_SAVED, ed_i, ed, fr, NULL,
			      &s, e) < 0)
			return -1;
		if (sealed && s)
			*sealed = true;
	}
	return 0;
}

int collect_reject_photo(const settings *cfg, store *st, const mediacsv *m, size_t row, sb_err *e)
{
	frame_of alone = { 0, 0 };
	return add_entry(cfg, st, m, row, "", FS_REJECTED, false, NULL, alone, NULL, NULL, e);
}

void collect_skip_photo(store *st)
{
	sb_err e2;
	store_clear_draft(st, &e2);
}

int collect_draft_save(store *st, const char *cesta, const char *text, sb_err *e)
{
	return store_save_draft(st, cesta, text, e);
}

char *collect_draft_load(const settings *cfg, store *st, char **cesta)
{
	*cesta = NULL;
	char *path = NULL;
	char *text = store_load_draft(st, &path);
	if (text && path && collect_eligibility(cfg, st, path, NULL, NULL) == COLLECT_ELIGIBLE) {
		*cesta = path;
		return text;
	}
	free(text);
	free(path);
	return NULL;
}

char *collect_saved_description(store *st, const char *cesta, char *batch_id, sb_err *e)
{
	char id[40];
	file_entry f;
	if (!store_file_batch(st, cesta, id)) {
		sb_fail(e, SBE_NOTFOUND, _("%s is in no batch waiting to be sent"), cesta);
		return NULL;
	}
	if (store_file_redescribe(st, id, cesta, NULL, e) < 0)
		return NULL;
	if (store_file_get(st, id, cesta, &f) < 0) {
		sb_fail(e, SBE_NOTFOUND, _("%s is in no batch waiting to be sent"), cesta);
		return NULL;
	}
	char *text = f.description;
	f.description = NULL;
	file_entry_clear(&f);
	if (batch_id)
		snprintf(batch_id, 40, "%s", id);
	return text;
}

int collect_redescribe(store *st, const char *cesta, const char *text, sb_err *e)
{
	char id[40];
	if (!store_file_batch(st, cesta, id))
		return sb_fail(e, SBE_NOTFOUND, _("%s is in no batch waiting to be sent"), cesta);
	return store_file_redescribe(st, id, cesta, text, e);
}
