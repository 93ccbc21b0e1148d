/* review.c: the review of a batch's committed photos and the redo queue
 * (see review.h).  A review reads the batch's files from the store and
 * the CSV's bytes once (again when the file changes), and each photo's
 * row when it is shown (mediacsv_row_of: the row found in the bytes, not
 * the whole table parsed), so it opens in one read of the file whatever
 * the library's and the batch's size, and moves in a scan.  A redo is one file in a batch of kind "redo", made ready
 * at once: the store's journal makes it durable, the engine's send makes
 * it one request. */
#include "config.h"
#include "review.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "i18n.h"
#include "photomedia.h"
#include "utf8.h"

struct review {
	const settings *cfg;
	store *st;
	char batch_id[40];
	bool redo_batch;  /* the reviewed batch is itself a redo batch */
	file_entry *files; /* the batch's files (their descriptions) */
	size_t nfiles;
	size_t *idx; /* item -> files[] */
	review_item *items;
	bool *filled;
	size_t n;
	struct stat m_st; /* the CSV when the rows shown were read */
	char *csv;        /* its bytes, read once while the view is open */
	size_t csv_len;
	agency_lists *lists; /* read on the first findings */
	bool lists_tried;
	json_object *repairs; /* report.json's extra.repairs, or NULL */
};

bool redo_is_kind(const char *kind)
{
	return kind && strcmp(kind, REDO_KIND) == 0;
}

static void csv_stat(review *rv, struct stat *st)
{
	if (stat(rv->cfg->media_csv, st) < 0)
		memset(st, 0, sizeof *st);
}

/* The CSV's bytes (not parsed: each photo's row is found when shown). */
static int csv_read(review *rv, sb_err *e)
{
	free(rv->csv);
	rv->csv = NULL;
	csv_stat(rv, &rv->m_st);
	return mediacsv_read(rv->cfg->media_csv, &rv->csv, &rv->csv_len, e);
}

static json_object *read_repairs(store *st, const char *id)
{
	char *p = store_batch_path(st, id, "report.json");
	json_object *o = p && file_exists(p) ? json_object_from_file(p) : NULL, *ex, *ra = NULL;
	free(p);
	if (o && json_object_object_get_ex(o, "extra", &ex) &&
	    json_object_object_get_ex(ex, "repairs", &ra) &&
	    json_object_is_type(ra, json_type_array))
		json_object_get(ra);
	else
		ra = NULL;
	json_object_put(o);
	return ra;
}

int review_open(const settings *cfg, store *st, const char *batch_id, review **out, sb_err *e)
{
	*out = NULL;
	batch_info b;
	if (store_get(st, batch_id, &b) < 0)
		return sb_fail(e, SBE_NOTFOUND, _("no batch %s: see `stockbatch status`"), batch_id);
	review *rv = xcalloc(1, sizeof *rv);
	rv->cfg = cfg;
	rv->st = st;
	snprintf(rv->batch_id, sizeof rv->batch_id, "%s", batch_id);
	rv->redo_batch = redo_is_kind(b.kind);
	if (store_files(st, batch_id, &rv->files, &rv->nfiles) < 0) {
		review_close(rv);
		return sb_fail(e, SBE_NOTFOUND, _("no batch %s: see `stockbatch status`"), batch_id);
	}
	if (csv_read(rv, e) < 0) {
		review_close(rv);
		return -1;
	}
	rv->idx = xcalloc(rv->nfiles ? rv->nfiles : 1, sizeof *rv->idx);
	for (size_t i = 0; i < rv->nfiles; i++)
		if (rv->files[i].state == FS_SAVED_TO_CSV)
			rv->idx[rv->n++] = i;
	rv->items = xcalloc(rv->n ? rv->n : 1, sizeof *rv->items);
	rv->filled = xcalloc(rv->n ? rv->n : 1, sizeof *rv->filled);
	rv->repairs = read_repairs(st, batch_id);
	*out = rv;
	return 0;
}

static void item_clear(review_item *it)
{
	free(it->cesta);
	free(it->local);
	free(it->reason);
	free(it->title);
	free(it->description);
	free(it->keywords);
	for (int a = 0; a < META_AGENCIES; a++)
		free(it->cats[a]);
	free(it->repairs);
	free(it->findings);
	free(it->user_text);
	memset(it, 0, sizeof *it);
}

void review_close(review *rv)
{
	if (!rv)
		return;
	for (size_t i = 0; i < rv->n; i++)
		item_clear(&rv->items[i]);
	free(rv->items);
	free(rv->filled);
	free(rv->idx);
	file_entries_free(rv->files, rv->nfiles);
	free(rv->csv);
	agency_lists_free(rv->lists);
	json_object_put(rv->repairs);
	free(rv);
}

size_t review_count(const review *rv)
{
	return rv ? rv->n : 0;
}

/* The photographer's text of a file entry: a redo keeps it in its JSON. */
static char *entry_text(const file_entry *f, bool redo)
{
	if (!f->description)
		return NULL;
	if (!redo)
		return xstrdup(f->description);
	redo_req r;
	if (redo_parse(f->description, &r) < 0)
		return NULL;
	char *t = r.text;
	r.text = NULL;
	redo_req_free(&r);
	return t;
}

/* The text of the redo batch bid's entry for cesta, or NULL. */
static char *redo_text_in(store *st, const char *bid, const char *cesta)
{
	batch_info b;
	file_entry f;
	if (store_get(st, bid, &b) < 0 || !redo_is_kind(b.kind) ||
	    store_file_get(st, bid, cesta, &f) < 0)
		return NULL;
	char *t = entry_text(&f, true);
	file_entry_clear(&f);
	return t;
}

static void on_rule(int agency, const char *rule, const char *todo, void *ctx)
{
	sbuf *b = ctx;
	sbuf_printf(b, "%s%s: %s (%s)", b->len ? "\n" : "",
		    agency < 0 ? _("all agencies") : meta_agency_label(agency), rule, todo);
}

static char *findings_of(review *rv, const mediacsv *m, const check_cols *cols, size_t row)
{
	if (!rv->lists_tried) {
		rv->lists_tried = true;
		char *dir = path_dirname(rv->cfg->media_csv);
		char *cats = path_join(dir, "PhotoCategories.csv");
		sb_err e;
		sb_err_clear(&e);
		if (agency_lists_load(rv->cfg, file_exists(cats) ? cats : NULL, &rv->lists, &e) < 0)
			rv->lists = NULL;
		free(cats);
		free(dir);
	}
	if (!rv->lists)
		return NULL;
	sbuf b = { 0 };
	check_media_row(m, cols, row, rv->lists, rv->cfg, on_rule, &b);
	return b.p ? sbuf_steal(&b) : NULL;
}

static char *repairs_of(review *rv, const char *cesta)
{
	size_t n = rv->repairs ? json_object_array_length(rv->repairs) : 0;
	for (size_t i = 0; i < n; i++) {
		json_object *j = json_object_array_get_idx(rv->repairs, i), *c, *t;
		if (json_object_object_get_ex(j, "cesta", &c) &&
		    strcmp(json_object_get_string(c), cesta) == 0 &&
		    json_object_object_get_ex(j, "repairs", &t))
			return xstrdup(json_object_get_string(t));
	}
	return NULL;
}

static void fill(review *rv, size_t i)
{
	review_item *it = &rv->items[i];
	const file_entry *f = &rv->files[rv->idx[i]];
	item_clear(it);
	it->cesta = xstrdup(f->cesta);
	it->soubor = cesta_basename(it->cesta);
	it->local = settings_map_path(rv->cfg, f->cesta);
	it->state = f->state;
	/* its row alone: a big library is not read whole for one photo */
	mediacsv *m = NULL;
	long r = -1;
	sb_err e;
	sb_err_clear(&e);
	if (mediacsv_row_of(rv->cfg->media_csv, rv->csv, rv->csv_len, f->cesta, &m, &r, &e) < 0)
		it->reason = xstrdup(e.msg);
	if (r >= 0) {
		size_t row = (size_t)r;
		check_cols cols;
		check_cols_find(m, &cols);
		it->committed = !mediacsv_row_uncommitted(m, row);
		it->title = xstrdup(mediacsv_field(m, row, MC_NAZEV));
		it->description = xstrdup(mediacsv_field(m, row, MC_POPIS));
		it->keywords = xstrdup(mediacsv_field(m, row, MC_KLICOVA));
		for (int a = 0; a < META_AGENCIES; a++)
			if (cols.cats[a] >= 0 && *mediacsv_get(m, row, cols.cats[a]))
				it->cats[a] = xstrdup(mediacsv_get(m, row, cols.cats[a]));
		it->findings = findings_of(rv, m, &cols, row);
	}
	mediacsv_free(m);
	if (!it->reason && f->reason)
		it->reason = xstrdup(f->reason);
	it->repairs = repairs_of(rv, f->cesta);
	/* the latest words: a redo committed since, else this batch's own */
	char by[40];
	if (store_file_committed_by(rv->st, f->cesta, by) && strcmp(by, rv->batch_id) != 0)
		it->user_text = redo_text_in(rv->st, by, f->cesta);
	if (!it->user_text)
		it->user_text = entry_text(f, rv->redo_batch);
	rv->filled[i] = true;
}

const review_item *review_get(review *rv, size_t i)
{
	if (!rv || i >= rv->n)
		return NULL;
	if (!rv->filled[i])
		fill(rv, i);
	review_item *it = &rv->items[i];
	/* the redo's state, asked each time: the worker moves it on */
	char held[40];
	batch_info b;
	it->redo_queued = store_file_batch(rv->st, it->cesta, held) &&
			  store_get(rv->st, held, &b) == 0 && redo_is_kind(b.kind);
	snprintf(it->redo_batch, sizeof it->redo_batch, "%s", it->redo_queued ? held : "");
	if (it->redo_queued) {
		char *t = redo_text_in(rv->st, held, it->cesta);
		if (t) {
			free(it->user_text);
			it->user_text = t;
		}
	}
	return it;
}

bool review_refresh(review *rv)
{
	struct stat st;
	if (!rv || stat(rv->cfg->media_csv, &st) < 0)
		return false;
	if (st.st_mtim.tv_sec == rv->m_st.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == rv->m_st.st_mtim.tv_nsec && st.st_size == rv->m_st.st_size &&
	    st.st_ino == rv->m_st.st_ino)
		return false;
	sb_err e;
	sb_err_clear(&e);
	if (csv_read(rv, &e) < 0)
		return false; /* the rows shown stay, read again at the next change */
	json_object_put(rv->repairs);
	rv->repairs = read_repairs(rv->st, rv->batch_id);
	memset(rv->filled, 0, rv->n * sizeof *rv->filled);
	return true;
}

/* ---- the redo queue ---- */

void redo_req_free(redo_req *r)
{
	free(r->text);
	free(r->title);
	free(r->description);
	for (size_t i = 0; i < r->nkeywords; i++)
		free(r->keywords[i]);
	free(r->keywords);
	memset(r, 0, sizeof *r);
}

static char *jdup(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string)
		       ? xstrdup(json_object_get_string(v))
		       : NULL;
}

int redo_parse(const char *json, redo_req *out)
{
	memset(out, 0, sizeof *out);
	json_object *o = json ? json_tokener_parse(json) : NULL, *v;
	if (!o || !json_object_is_type(o, json_type_object) || !(out->text = jdup(o, "text"))) {
		json_object_put(o);
		return -1;
	}
	out->textonly = json_object_object_get_ex(o, "textonly", &v) && json_object_get_boolean(v);
	out->title = jdup(o, "title");
	out->description = jdup(o, "description");
	if (json_object_object_get_ex(o, "keywords", &v) && json_object_is_type(v, json_type_array)) {
		size_t n = json_object_array_length(v);
		out->keywords = xcalloc(n ? n : 1, sizeof *out->keywords);
		for (size_t i = 0; i < n; i++) {
			const char *k = json_object_get_string(json_object_array_get_idx(v, i));
			if (k && *k)
				out->keywords[out->nkeywords++] = xstrdup(k);
		}
	}
	json_object_put(o);
	return 0;
}

/* The file's redo request: the text, and the row's earlier answer when it
 * has one (then the image is not needed). */
static char *redo_json(const mediacsv *m, size_t row, const char *cesta, const char *text)
{
	const char *title = mediacsv_field(m, row, MC_NAZEV), *desc = mediacsv_field(m, row, MC_POPIS),
		   *kw = mediacsv_field(m, row, MC_KLICOVA);
	bool image = mediacsv_media_kind(cesta_basename(cesta)) == MC_IMAGE;
	json_object *o = json_object_new_object();
	json_object_object_add(o, "text", json_object_new_string(text));
	json_object_object_add(o, "textonly",
			       json_object_new_boolean(!image || (*title && *kw)));
	json_object_object_add(o, "title", json_object_new_string(title));
	json_object_object_add(o, "description", json_object_new_string(desc));
	json_object *a = json_object_new_array();
	char *all = xstrdup(kw), *save = NULL;
	for (char *k = strtok_r(all, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
		while (*k == ' ')
			k++;
		if (*k)
			json_object_array_add(a, json_object_new_string(k));
	}
	free(all);
	json_object_object_add(o, "keywords", a);
	char *s = xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

int redo_queue(const settings *cfg, store *st, const char *cesta, const char *text, sb_err *e)
{
	size_t min = cfg->min_description > 0 ? (size_t)cfg->min_description : 50;
	size_t have = text ? utf8_chars(text) : 0;
	if (have < min)
		return sb_fail(e, SBE_INPUT,
			       _("the description has %zu characters, at least %zu are needed"), have,
			       min);
	char held[40], by[40];
	batch_info hb;
	if (store_file_batch(st, cesta, held)) {
		if (store_get(st, held, &hb) == 0 && redo_is_kind(hb.kind))
			return sb_fail(e, SBE_CONFLICT, _("a redo of %s is queued already (batch %s)"),
				       cesta_basename(cesta), held);
		return sb_fail(e, SBE_CONFLICT, _("%s is in batch %s, which is not finished"),
			       cesta_basename(cesta), held);
	}
	if (!store_file_committed_by(st, cesta, by))
		return sb_fail(e, SBE_INPUT, _("%s was not committed by stockbatch: nothing to redo"),
			       cesta_basename(cesta));
	file_entry of;
	if (store_file_get(st, by, cesta, &of) < 0)
		return sb_fail(e, SBE_NOTFOUND, _("%s: not found in batch %s"), cesta, by);
	mediacsv *m = NULL;
	if (mediacsv_load_lean(cfg->media_csv, &m, e) < 0) {
		file_entry_clear(&of);
		return -1;
	}
	long r = mediacsv_find(m, cesta);
	if (r < 0) {
		mediacsv_free(m);
		file_entry_clear(&of);
		return sb_fail(e, SBE_NOTFOUND, _("the CSV has no row with Cesta %s any more"), cesta);
	}
	file_entry f;
	memset(&f, 0, sizeof f);
	f.cesta = (char *)cesta;
	f.description = redo_json(m, (size_t)r, cesta, text);
	f.state = FS_DESCRIPTION_SAVED;
	f.editorial = of.editorial;
	f.ed = of.ed;
	/* the row as it is now: someone's edit before the answer is kept */
	mediacsv_fingerprint(m, (size_t)r, f.fingerprint);
	mediacsv_free(m);
	int rc = -1;
	/* the worker may seal a collecting redo batch between our two calls:
	 * then the next one takes the file */
	for (int tries = 0; tries < 3 && rc < 0; tries++) {
		batch_info b;
		sb_err_clear(e);
		if (store_collecting(st, REDO_KIND, cfg->provider, cfg->model, &b, e) < 0)
			break;
		rc = store_add_file(st, b.id, &f, e);
		if (rc == 0) {
			/* sent at once; a batch the worker sealed meanwhile is ready already */
			sb_err se;
			sb_err_clear(&se);
			store_set_state(st, b.id, BS_READY, NULL, &se);
		} else if (store_file_batch(st, cesta, held)) {
			break; /* in a batch after all: a real conflict */
		}
	}
	free(f.description);
	file_entry_clear(&of);
	return rc;
}
