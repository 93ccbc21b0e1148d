/* commit.c: results into the CSV (SPEC 6).  One eng_commit_results() for
 * the batch path (retrieve.c) and the live path (live.c): every valid
 * record of a batch in one idempotent CSV commit, with the alternatives'
 * rows created in the same commit and their text-only batches queued; file
 * states follow each row's outcome.  Here too: what settles an item after
 * its retries (dead letters), files found committed before this run, the
 * batch's extra figures, and the rejects' CSV commit. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <json-c/json.h>

#include "engine_int.h"
#include "i18n.h"
#include "log.h"
#include "review.h"
#include "report.h"

static char *join_cats(char *const *v, size_t n)
{
	sbuf b = { 0 };
	for (size_t i = 0; i < n; i++) {
		if (i)
			sbuf_adds(&b, ", ");
		sbuf_adds(&b, v[i]);
	}
	return sbuf_steal(&b);
}

/* The original's answer, kept as the alternative's "description". */
static char *record_json(const meta_record *m)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "title", json_object_new_string(m->title ? m->title : ""));
	json_object_object_add(o, "description",
			       json_object_new_string(m->description ? m->description : ""));
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < m->nkeywords; i++)
		json_object_array_add(a, json_object_new_string(m->keywords[i]));
	json_object_object_add(o, "keywords", a);
	char *s = xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

typedef struct upd {
	mc_update u;
	mc_category cats[4];
	char *catv[4];
	char *alt_cesta, *alt_tag;
	item *it;    /* the item this update belongs to */
	bool is_alt; /* an alternative's row (MCU_ALTERNATIVE) */
} upd;

/* Queue a text-only alternative for its batch of kind alt_<tag>: desc is
 * the original's result as JSON (title, description, keywords).  The copy
 * of an editorial original stays editorial (its place and date too).  fp:
 * the copy's row as the commit left it (NULL or "": unknown), so a hand
 * edit of that row before its result returns is kept, as for originals.
 * again: the original was redone (review.h), so a copy committed from its
 * earlier answer is asked again from the new one. */
static void queue_alternative(engine *en, const batch_info *orig, const file_entry *of,
			      const char *desc, const char *tag, const char *alt_cesta,
			      const char *fp, bool again)
{
	char held[40];
	file_state known;
	if (store_file_batch(en->st, alt_cesta, held))
		return;
	/* settled already; a dead-lettered one is queued again */
	if (!again && store_file_known(en->st, alt_cesta, &known) && file_state_settled(known) &&
	    known != FS_DEAD)
		return;
	char kind[24];
	snprintf(kind, sizeof kind, "alt_%s", tag);
	batch_info ab;
	sb_err e;
	sb_err_clear(&e);
	if (store_collecting(en->st, kind, orig->provider, orig->model, &ab, &e) < 0) {
		sb_log(LOG_WARN, "%s", e.msg);
		return;
	}
	file_entry f;
	memset(&f, 0, sizeof f);
	f.cesta = (char *)alt_cesta;
	f.description = (char *)desc;
	f.state = FS_DESCRIPTION_SAVED;
	f.alt_of = of->cesta;
	if (fp)
		snprintf(f.fingerprint, sizeof f.fingerprint, "%s", fp);
	f.editorial = of->editorial;
	f.ed = of->ed;
	if (store_add_file(en->st, ab.id, &f, &e) < 0 && e.code != SBE_CONFLICT)
		sb_log(LOG_WARN, "%s", e.msg);
	int bs = en->cfg->alt_batch_size > 0 ? en->cfg->alt_batch_size : 2000;
	store_seal_if_full(en->st, ab.id, (size_t)bs, &e);
}

/* The file's row was committed before this run (a kill between the CSV
 * commit and its journal lines, or another tool): it changed since the
 * description was saved and waits for no agency any more. */
bool eng_row_committed_before(const mediacsv *m, const file_entry *f)
{
	if (!m)
		return false;
	if (f->alt_of) {
		/* An edited copy's row is written by its own commit: a row that
		 * holds metadata means a kill came between that commit and its
		 * journal line (or the user wrote it by hand: kept).  With the
		 * row's fingerprint, only a change since the row was made. */
		long r = mediacsv_find(m, f->cesta);
		if (r < 0 || !mediacsv_field(m, (size_t)r, MC_NAZEV)[0] ||
		    !mediacsv_field(m, (size_t)r, MC_POPIS)[0])
			return false;
		char fp[17];
		mediacsv_fingerprint(m, (size_t)r, fp);
		return !f->fingerprint[0] || strcmp(fp, f->fingerprint) != 0;
	}
	if (!f->fingerprint[0])
		return false;
	long r = mediacsv_find(m, f->cesta);
	if (r < 0)
		return false;
	char fp[17];
	mediacsv_fingerprint(m, (size_t)r, fp);
	return strcmp(fp, f->fingerprint) != 0 && !mediacsv_row_unprocessed(m, (size_t)r);
}

#define ALREADY_COMMITTED \
	N_("already processed in the CSV (committed before an interruption, or by another tool): not sent again")

/* A file found committed before this run: its text-only alternatives are
 * queued again from the committed row (the commit queues them before the
 * journal says saved_to_csv, so a kill in between lost nothing but the
 * queueing), then the file is settled saved_to_csv. */
/* A committed row as the original's result, for its copies' requests. */
static char *row_json(const mediacsv *m, size_t r)
{
	/* a view of the row: nothing owned but the split keywords */
	char *all = xstrdup(mediacsv_field(m, r, MC_KLICOVA)), *save = NULL;
	char **kw = xcalloc(strlen(all) / 2 + 1, sizeof *kw);
	meta_record rec = { .title = (char *)mediacsv_field(m, r, MC_NAZEV),
			    .description = (char *)mediacsv_field(m, r, MC_POPIS),
			    .keywords = kw };
	for (char *t = strtok_r(all, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		while (*t == ' ')
			t++;
		if (*t)
			kw[rec.nkeywords++] = t;
	}
	char *desc = record_json(&rec);
	free(kw);
	free(all);
	return desc;
}

int eng_settle_already(engine *en, const batch_info *b, const mediacsv *m, const file_entry *f)
{
	long r = mediacsv_find(m, f->cesta);
	if (r >= 0 && en->cfg->nalternatives > 0 && !f->alt_of) {
		char *desc = row_json(m, (size_t)r);
		for (int a = 0; a < en->cfg->nalternatives; a++) {
			const char *tag = en->cfg->alternatives[a];
			char *ac = engine_alt_cesta(f->cesta, tag);
			if (ac && strcmp(tag, "sharpen") != 0 && eng_local_exists(en, ac)) {
				long ar = mediacsv_find(m, ac);
				char afp[17] = "";
				if (ar >= 0)
					mediacsv_fingerprint(m, (size_t)ar, afp);
				queue_alternative(en, b, f, desc, tag, ac, afp, false);
			}
			free(ac);
		}
		free(desc);
	}
	if (eng_set_fstate(en, b->id, f->cesta, FS_SAVED_TO_CSV, _(ALREADY_COMMITTED)) < 0)
		return -1;
	sb_log(LOG_INFO, "%s: %s", f->cesta, _(ALREADY_COMMITTED));
	return 0;
}

static int csv_commit(engine *en, const mc_update *u, size_t n, mc_commit_result *res, sb_err *e);

/* An editorial original's place and date, for its late copy's caption:
 * from the store's entry of the batch that committed it (none when another
 * tool committed it: the copy's answer then writes its own prefix). */
static void original_place(engine *en, file_entry *of)
{
	char bid[40];
	file_entry oe;
	if (!of->editorial || !store_file_committed_by(en->st, of->cesta, bid) ||
	    store_file_get(en->st, bid, of->cesta, &oe) < 0)
		return;
	of->ed = oe.ed;
	file_entries_free(&oe, 1);
}

/* Copies that appeared after their original was committed (engine/copies.c
 * finds them): their rows are made from the original's row as the CSV has
 * it, and their text-only requests queued from that row. */
void eng_queue_late_copies(engine *en)
{
	if (en->cfg->nalternatives <= 0)
		return;
	mediacsv *m = NULL;
	sb_err e;
	sb_err_clear(&e);
	if (mediacsv_load(en->cfg->media_csv, &m, &e) < 0)
		return; /* the commit reports what is wrong with the CSV */
	late_copy *lc;
	size_t n = engine_late_copies(en->cfg, en->st, m, &lc);
	if (n == 0) {
		mediacsv_free(m);
		return;
	}
	mc_update *u = xcalloc(n, sizeof *u);
	for (size_t i = 0; i < n; i++) {
		size_t r = lc[i].orig_row;
		bool sharpen = strcmp(lc[i].tag, "sharpen") == 0;
		u[i].kind = MCU_ALTERNATIVE;
		u[i].cesta = lc[i].cesta;
		u[i].alt_of = mediacsv_field(m, r, MC_CESTA);
		u[i].alt_soubor = cesta_basename(lc[i].cesta);
		u[i].editorial = mediacsv_row_editorial(m, r);
		u[i].alt_status = sharpen ? MC_ST_BACKUP : MC_ST_UNPROCESSED;
	}
	mc_commit_result res;
	if (csv_commit(en, u, n, &res, &e) < 0) {
		sb_log(LOG_WARN, "%s", e.msg);
	} else {
		batch_info bi;
		memset(&bi, 0, sizeof bi);
		snprintf(bi.provider, sizeof bi.provider, "%s", en->cfg->provider);
		snprintf(bi.model, sizeof bi.model, "%s", en->cfg->model);
		for (size_t i = 0; i < n; i++) {
			int st = res.status[i];
			if ((st != 0 && st != 1) || strcmp(lc[i].tag, "sharpen") == 0)
				continue;
			file_entry of;
			memset(&of, 0, sizeof of);
			of.cesta = (char *)u[i].alt_of;
			of.editorial = u[i].editorial;
			original_place(en, &of);
			char *desc = row_json(m, lc[i].orig_row);
			queue_alternative(en, &bi, &of, desc, lc[i].tag, lc[i].cesta, res.fp[i],
					  false);
			free(desc);
			sb_log(LOG_INFO,
			       _("%s: an edited copy made after its original was committed: "
				 "its row is added and its text-only request queued"),
			       lc[i].cesta);
		}
		mc_commit_result_free(&res);
	}
	free(u);
	late_copies_free(lc, n);
	mediacsv_free(m);
}

/* After the retries: a final item counts as failed if it ended in error;
 * a failed one out of attempts (or given up) is dead-lettered; anything
 * else keeps the batch open. */
void eng_settle_item(engine *en, const batch_info *b, item *it, bool give_up, size_t *failed,
		     size_t *unresolved)
{
	if (eng_fstate_final(it->f->state)) {
		*failed += it->f->state == FS_DEAD || it->f->state == FS_ERROR;
		return;
	}
	if (!it->failed || (it->f->attempts < LIVE_ATTEMPTS && !give_up)) {
		(*unresolved)++;
		return;
	}
	eng_dead_letter(en, b->id, it->f, it->cid, it->why, it->raw);
	if (eng_set_fstate(en, b->id, it->f->cesta, FS_DEAD, it->why) < 0) {
		(*unresolved)++;
		return;
	}
	it->f->state = FS_DEAD;
	eng_rep_add(en, &en->rep.failed, 1);
	(*failed)++;
}

static size_t build_updates(engine *en, const batch_info *b, item *items, size_t n, upd **out)
{
	size_t cap = n * (1 + (size_t)en->cfg->nalternatives) + 1, k = 0;
	upd *u = xcalloc(cap, sizeof *u);
	bool alt_batch = eng_is_alt_kind(b->kind);
	for (size_t i = 0; i < n; i++) {
		item *it = &items[i];
		if (!it->have || eng_fstate_final(it->f->state))
			continue;
		upd *x = &u[k++];
		x->it = it;
		x->u.kind = MCU_SAVE;
		x->u.cesta = it->f->cesta;
		x->u.fingerprint = it->f->fingerprint[0] ? it->f->fingerprint : NULL;
		x->u.title = it->rec.title;
		x->u.description = it->rec.description;
		x->u.keywords = (const char *const *)it->rec.keywords;
		x->u.nkeywords = it->rec.nkeywords;
		x->u.editorial = it->f->editorial;
		if (alt_batch && it->f->editorial) {
			/* the edit's text-only answer gets the original's prefix */
			x->u.ed_city = it->f->ed.city[0] ? it->f->ed.city : NULL;
			x->u.ed_country = it->f->ed.country[0] ? it->f->ed.country : NULL;
			x->u.ed_date = it->f->ed.date[0] ? it->f->ed.date : NULL;
		}
		if (!alt_batch) {
			for (size_t c = 0; c < it->rec.ncats && c < 4; c++) {
				x->catv[c] = join_cats(it->rec.cats[c].cats, it->rec.cats[c].n);
				x->cats[c].bank = it->rec.cats[c].agency;
				x->cats[c].value = x->catv[c];
			}
			x->u.cats = x->cats;
			x->u.ncats = it->rec.ncats < 4 ? it->rec.ncats : 4;
		}
		if (alt_batch)
			continue;
		/* alternatives whose edited file exists: rows created in the same commit */
		for (int a = 0; a < en->cfg->nalternatives; a++) {
			const char *tag = en->cfg->alternatives[a];
			char *ac = engine_alt_cesta(it->f->cesta, tag);
			if (!ac || !eng_local_exists(en, ac)) {
				free(ac);
				continue;
			}
			upd *y = &u[k++];
			y->it = it;
			y->is_alt = true;
			y->alt_cesta = ac;
			y->alt_tag = xstrdup(tag);
			y->u.kind = MCU_ALTERNATIVE;
			y->u.depends_on = (size_t)(x - u) + 1; /* only from a kept result */
			y->u.cesta = ac;
			y->u.alt_of = it->f->cesta;
			y->u.alt_soubor = cesta_basename(ac);
			y->u.editorial = it->f->editorial;
			if (strcmp(tag, "sharpen") == 0) {
				y->u.alt_status = MC_ST_BACKUP;
				y->u.title = it->rec.title;
				y->u.description = it->rec.description;
				y->u.keywords = (const char *const *)it->rec.keywords;
				y->u.nkeywords = it->rec.nkeywords;
			} else {
				y->u.alt_status = MC_ST_UNPROCESSED;
			}
		}
	}
	*out = u;
	return k;
}

static void free_updates(upd *u, size_t k)
{
	for (size_t i = 0; i < k; i++) {
		for (int c = 0; c < 4; c++)
			free(u[i].catv[c]);
		free(u[i].alt_cesta);
		free(u[i].alt_tag);
	}
	free(u);
}

/* An original's row after the commit: saved (0 written, 1 already there),
 * or an error with the result kept as a dead letter (2 changed by someone
 * else, 3 no such row).  A state that cannot be set leaves the item
 * unresolved: the batch is not closed. */
static void record_outcome(engine *en, const batch_info *b, item *it, int st)
{
	if (st == 0 || st == 1) {
		if (eng_set_fstate(en, b->id, it->f->cesta, FS_SAVED_TO_CSV, NULL) < 0)
			return;
		it->f->state = FS_SAVED_TO_CSV;
		eng_rep_add(en, &en->rep.committed, 1);
		eng_rep_add(en, &en->rep.succeeded, 1);
		if (it->repaired)
			eng_rep_add(en, &en->rep.repaired, 1);
		return;
	}
	const char *why =
		st == 2 ? _("the CSV row was changed by someone else since the description was saved; their edit was kept and the description is kept: 'stockbatch retry-failed' sends it again for the row as it is now")
			: _("the CSV has no row with this Cesta any more");
	char *raw = record_json(&it->rec);
	eng_dead_letter(en, b->id, it->f, it->cid, why, raw);
	free(raw);
	/* A changed row keeps its description as a dead letter, which
	 * retry-failed queues again (and the photo is not offered as new). */
	file_state to = st == 2 ? FS_DEAD : FS_ERROR;
	if (eng_set_fstate(en, b->id, it->f->cesta, to, why) < 0)
		return;
	it->f->state = to;
	if (st == 2)
		eng_rep_add(en, &en->rep.conflicts, 1);
	eng_rep_add(en, &en->rep.failed, 1);
}

/* The CSV commit itself, for results and rejects alike: the run's backup
 * session, one commit at a time.  res->status[i]: 0 written, 1 already
 * there, 2 changed by someone else, 3 no such row. */
static int csv_commit(engine *en, const mc_update *u, size_t n, mc_commit_result *res, sb_err *e)
{
	mc_commit_opts o = { 0 };
	o.title_max = en->cfg->title_max;
	o.backups = en->cfg->backups;
	o.backup_session = en->session;
	o.ed_format = en->cfg->editorial_format;
	memset(res, 0, sizeof *res);
	pthread_mutex_lock(&en->commit_mu);
	int rc = mediacsv_commit(en->cfg->media_csv, u, n, &o, res, e);
	pthread_mutex_unlock(&en->commit_mu);
	return rc;
}

/* A redone original's edited copy may be asked again from the new answer
 * when its row is as its own last commit left it (a hand edit is kept);
 * *m: the CSV, read on the first call. */
static bool copy_unedited(engine *en, mediacsv **m, const char *cesta)
{
	char bid[40];
	if (!store_file_committed_by(en->st, cesta, bid))
		return true; /* never committed: queued as any copy */
	sb_err e;
	sb_err_clear(&e);
	if (!*m && mediacsv_load(en->cfg->media_csv, m, &e) < 0)
		return false;
	return eng_row_as_committed(en, bid, *m, cesta);
}

int eng_commit_results(rctx *c, sb_err *e)
{
	engine *en = c->en;
	upd *u;
	size_t k = build_updates(en, c->b, c->items, c->n, &u);
	if (k == 0) {
		free(u);
		return 0;
	}
	/* the date goes with each update, so what committed.jsonl keeps writes
	 * the same row again */
	char today[16];
	today_ddmmyyyy(today);
	mc_update *arr = xcalloc(k, sizeof *arr);
	for (size_t i = 0; i < k; i++) {
		arr[i] = u[i].u;
		arr[i].today = today;
	}
	mc_commit_result res;
	int rc = csv_commit(en, arr, k, &res, e);
	if (rc == 0)
		eng_record_commits(en, c->b->id, arr, res.status, k);
	free(arr);
	if (rc < 0) {
		free_updates(u, k);
		return -1;
	}
	/* Alternatives are queued before their original is marked saved: a kill
	 * in between re-commits the original ("already") and queues them again,
	 * where the other order would lose them for good. */
	bool redo = redo_is_kind(c->b->kind);
	mediacsv *scratch = NULL;
	for (size_t i = 0; i < k; i++) {
		int st = res.status ? res.status[i] : 0;
		if (!u[i].is_alt || (st != 0 && st != 1) || strcmp(u[i].alt_tag, "sharpen") == 0)
			continue;
		if (redo && !copy_unedited(en, &scratch, u[i].alt_cesta)) {
			sb_log(LOG_INFO,
			       _("%s: its row was edited since its commit, so it is kept as it is, not asked again after the redo of %s"),
			       u[i].alt_cesta, u[i].it->f->cesta);
			continue;
		}
		char *desc = record_json(&u[i].it->rec);
		queue_alternative(en, c->b, u[i].it->f, desc, u[i].alt_tag, u[i].alt_cesta,
				  res.fp ? res.fp[i] : NULL, redo);
		free(desc);
	}
	mediacsv_free(scratch);
	for (size_t i = 0; i < k; i++)
		if (!u[i].is_alt)
			record_outcome(en, c->b, u[i].it, res.status ? res.status[i] : 0);
	mc_commit_result_free(&res);
	free_updates(u, k);
	/* committed records are not needed any more */
	for (size_t i = 0; i < c->n; i++)
		if (c->items[i].have && eng_fstate_final(c->items[i].f->state)) {
			meta_free(&c->items[i].rec);
			c->items[i].have = false;
		}
	c->waiting = 0;
	return 0;
}

void eng_commit_group(rctx *c, const item *it)
{
	if (it->have && ++c->waiting >= (c->group ? c->group : COMMIT_GROUP) && !c->group_failed) {
		sb_err e;
		sb_err_clear(&e);
		if (eng_commit_results(c, &e) < 0)
			c->group_failed = true; /* the final commit tries again and reports */
	}
}

void eng_write_extra(engine *en, rctx *c, size_t failed)
{
	batch_extra x = { 0 };
	for (size_t i = 0; i < c->n; i++) {
		file_state s = c->items[i].f->state;
		if (s == FS_SAVED_TO_CSV)
			x.succeeded++;
		if (c->items[i].repaired && s == FS_SAVED_TO_CSV)
			x.repaired++;
		if (c->items[i].f->attempts > 0)
			x.retried++;
	}
	x.failed = failed;
	x.unknown_ids = c->unknown;
	x.in_tokens = c->in_tokens;
	x.out_tokens = c->out_tokens;
	const char **rc = xcalloc(c->n ? c->n : 1, sizeof *rc),
		   **rn = xcalloc(c->n ? c->n : 1, sizeof *rn);
	for (size_t i = 0; i < c->n; i++)
		if (c->items[i].notes) {
			rc[x.nrepairs] = c->items[i].f->cesta;
			rn[x.nrepairs++] = c->items[i].notes;
		}
	x.repair_cesta = rc;
	x.repair_notes = rn;
	sb_err e;
	if (report_batch_write(en->st, c->b->id, &x, &e) < 0)
		sb_log(LOG_WARN, "%s", e.msg);
	free(rc);
	free(rn);
}

/* ---- rejects (reference: "Reject: Datum přípravy = today; every
 * nezpracováno becomes zamítnuto") ---- */

/* FS_REJECTED is terminal in the store's table, so "written to the CSV" is
 * recorded in the entry's reason: NULL/empty = still to commit. */
#define REJECT_DONE "csv: " MC_ST_REJECTED

typedef struct rej {
	char bid[40];
	file_entry f;
} rej;

/* Every rejected entry not committed yet, with its batch (entries moved
 * out of the store's copy: the caller clears them). */
static size_t pending_rejects(engine *en, rej **out)
{
	batch_info *bs;
	size_t nb = store_list(en->st, &bs), n = 0, cap = 0;
	rej *r = NULL;
	for (size_t i = 0; i < nb; i++) {
		if (bs[i].counts[FS_REJECTED] == 0)
			continue;
		bool clean = false;
		for (size_t c = 0; c < en->nrej_clean && !clean; c++)
			clean = strcmp(en->rej_clean[c], bs[i].id) == 0;
		if (clean)
			continue; /* the worker runs this every loop: no re-reading */
		file_entry *f;
		size_t nf;
		if (store_files(en->st, bs[i].id, &f, &nf) < 0)
			continue;
		size_t pending = 0;
		for (size_t j = 0; j < nf; j++)
			pending += f[j].state == FS_REJECTED && !(f[j].reason && *f[j].reason);
		if (pending == 0 && !batch_state_active(bs[i].state)) {
			/* nothing can be added to a finished batch any more */
			en->rej_clean = xrealloc(en->rej_clean,
						 (en->nrej_clean + 1) * sizeof *en->rej_clean);
			snprintf(en->rej_clean[en->nrej_clean++], 40, "%s", bs[i].id);
		}
		for (size_t j = 0; j < nf; j++) {
			if (f[j].state != FS_REJECTED || (f[j].reason && *f[j].reason))
				continue;
			if (n == cap)
				r = xrealloc(r, (cap = cap ? cap * 2 : 16) * sizeof *r);
			snprintf(r[n].bid, sizeof r[n].bid, "%s", bs[i].id);
			r[n].f = f[j];
			memset(&f[j], 0, sizeof f[j]); /* moved */
			n++;
		}
		file_entries_free(f, nf);
	}
	free(bs);
	*out = r;
	return n;
}

/* Commit every rejected entry not committed yet, in one CSV write; needs
 * no provider.  Idempotent: a crash between the commit and the marker makes
 * the next run's commit say "already". */
int eng_commit_rejects(engine *en, sb_err *e)
{
	rej *r = NULL;
	size_t n = pending_rejects(en, &r);
	if (n == 0) {
		free(r);
		return 0;
	}
	mc_update *u = xcalloc(n, sizeof *u);
	for (size_t i = 0; i < n; i++) {
		u[i].kind = MCU_REJECT;
		u[i].cesta = r[i].f.cesta;
		u[i].fingerprint = r[i].f.fingerprint[0] ? r[i].f.fingerprint : NULL;
	}
	mc_commit_result res;
	int rc = csv_commit(en, u, n, &res, e);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		int st = res.status ? res.status[i] : 0;
		const char *why =
			st == 0 || st == 1 ? REJECT_DONE
			: st == 2
				? _("reject not written to the CSV: the row was changed by someone else since; their edit was kept")
				: _("reject not written: the CSV has no row with this Cesta any more");
		if (st == 0 || st == 1)
			eng_rep_add(en, &en->rep.committed, 1);
		else
			sb_log(LOG_WARN, "%s: %s", r[i].f.cesta, why);
		free(r[i].f.reason);
		r[i].f.reason = xstrdup(why);
		sb_err ue;
		if (store_file_update(en->st, r[i].bid, &r[i].f, &ue) < 0)
			sb_log(LOG_WARN, "%s", ue.msg);
	}
	if (rc < 0)
		sb_log(LOG_ERROR, _("rejects not written to the CSV: %s"), e->msg);
	mc_commit_result_free(&res);
	for (size_t i = 0; i < n; i++)
		file_entry_clear(&r[i].f);
	free(r);
	free(u);
	return rc;
}
