/* collect.c: phase 3's rules for both front ends (see collect.h). */
#include "config.h"

#include "collect.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
	collect_why why =
		collect_eligibility(cfg, st, mediacsv_field(m, row, MC_CESTA), batch, fs);
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

void collect_editorial_date(const char *datum, const char *local, char out[16])
{
	char day[32];
	/* Datum vytvoření: "DD.MM.YYYY" or "DD.MM.YYYY HH:MM:SS" */
	snprintf(day, sizeof day, "%s", datum ? datum : "");
	day[strcspn(day, " ")] = '\0';
	if (date_norm_ddmmyyyy(day, out))
		return;
	FILE *f = local ? fopen(local, "rb") : NULL;
	if (f) {
		/* EXIF sits in the first kilobytes: do not read a 24 MP file whole. */
		unsigned char *buf = xmalloc(256 * 1024);
		size_t n = fread(buf, 1, 256 * 1024, f);
		fclose(f);
		bool ok = exif_date(buf, n, day) && date_norm_ddmmyyyy(day, out);
		free(buf);
		if (ok)
			return;
	}
	today_ddmmyyyy(day);
	if (!date_norm_ddmmyyyy(day, out))
		out[0] = '\0';
}

/* The draft goes with its photo (a draft of another photo stays). */
static void drop_draft_of(store *st, const char *cesta)
{
	char *path = NULL;
	char *text = store_load_draft(st, &path);
	if (text && path && !strcmp(path, cesta)) {
		sb_err e2;
		store_clear_draft(st, &e2);
	}
	free(text);
	free(path);
}

/* One entry into the collecting batch; a saved description may seal it. */
static int add_entry(const settings *cfg, store *st, const mediacsv *m, size_t row,
		     const char *text, file_state state, bool editorial, const editorial_info *ed,
		     char *batch_id, bool *sealed, sb_err *e)
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
	return add_entry(cfg, st, m, row, text, FS_DESCRIPTION_SAVED, editorial, ed, batch_id,
			 sealed, e);
}

int collect_reject_photo(const settings *cfg, store *st, const mediacsv *m, size_t row, sb_err *e)
{
	return add_entry(cfg, st, m, row, "", FS_REJECTED, false, NULL, NULL, NULL, e);
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
