/* send.c: phase 2 (SPEC 3): every ready batch goes to the provider.  Its
 * files are selected (a row committed already is settled, not paid for
 * again), their requests built (images prepared on 2 threads), written as
 * the provider's JSONL, fitted to the provider's limits (a batch too big
 * is split into new batches of ours), checked against the run's budget,
 * uploaded and created behind an intent marker; or, in live mode, sent
 * through live.c. */
#include "config.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>

#include "advisor.h"
#include "cost.h"
#include "engine_int.h"
#include "i18n.h"
#include "imageprep.h"
#include "log.h"
#include "review.h"

/* ---- building requests (phase 2 and live retries) ---- */

void eng_built_free(built *b)
{
	free(b->cid);
	free(b->user);
	if (b->has_img)
		prepared_image_free(&b->img);
	free(b->why);
	memset(b, 0, sizeof *b);
}

/* Alternatives keep the original's answer as JSON in the description. */
static char *alt_user_text(engine *en, const char *kind, const char *desc_json)
{
	json_object *o = json_tokener_parse(desc_json ? desc_json : "");
	const char *title = "", *desc = "";
	const char *kw[10];
	size_t nkw = 0;
	json_object *v;
	if (o && json_object_object_get_ex(o, "title", &v))
		title = json_object_get_string(v);
	if (o && json_object_object_get_ex(o, "description", &v))
		desc = json_object_get_string(v);
	if (o && json_object_object_get_ex(o, "keywords", &v) &&
	    json_object_is_type(v, json_type_array))
		for (size_t i = 0; i < json_object_array_length(v) && nkw < 10; i++)
			kw[nkw++] = json_object_get_string(json_object_array_get_idx(v, i));
	char *t = prompt_alternative(en->pr, kind + 4, title, desc, kw, nkw);
	json_object_put(o);
	return t;
}

static void build_file(engine *en, const batch_info *b, const file_entry *f, built *out);

/* What every request of the file starts with: its id, model, detail. */
static void build_start(engine *en, const batch_info *b, const file_entry *f, built *out)
{
	memset(out, 0, sizeof *out);
	out->cid = eng_custom_id(f, b->id);
	out->rq.custom_id = out->cid;
	out->rq.model = b->model[0] ? b->model : en->cfg->model;
	out->rq.detail = en->cfg->image_detail ? en->cfg->image_detail : "high";
	out->rq.max_tokens = 1200;
}

/* A redo (review.h): text-only from the earlier answer when the image is
 * not needed, else the photo as for an original, with the corrected text. */
static void build_redo(engine *en, const batch_info *b, const file_entry *f, built *out)
{
	redo_req r;
	if (redo_parse(f->description, &r) < 0) {
		build_start(en, b, f, out);
		out->fail_state = FS_ERROR;
		out->why = xstrdup(_("cannot read the redo's request"));
		return;
	}
	file_entry g = *f;
	g.description = r.text;
	if (!r.textonly) {
		build_file(en, b, &g, out);
		redo_req_free(&r);
		return;
	}
	build_start(en, b, f, out);
	out->user = prompt_redo(en->pr, mediacsv_media_kind(cesta_basename(f->cesta)), r.text,
				f->editorial, f->ed.city, f->ed.country, f->ed.date, r.title,
				r.description, (const char *const *)r.keywords, r.nkeywords);
	out->rq.system_prompt = prompt_system(en->pr);
	out->rq.schema_json = prompt_schema(en->pr);
	out->rq.schema_name = "stock_metadata";
	out->rq.user_text = out->user;
	out->tokens = provider_caps_named(b->provider)->text_tokens(out->rq.system_prompt, out->user);
	redo_req_free(&r);
}

void eng_build_one(engine *en, const batch_info *b, const file_entry *f, built *out)
{
	if (redo_is_kind(b->kind))
		build_redo(en, b, f, out);
	else
		build_file(en, b, f, out);
}

static void build_file(engine *en, const batch_info *b, const file_entry *f, built *out)
{
	build_start(en, b, f, out);
	if (eng_is_alt_kind(b->kind)) {
		out->user = alt_user_text(en, b->kind, f->description);
		out->rq.system_prompt = NULL;
		out->rq.schema_json = prompt_alt_schema(en->pr);
		out->rq.schema_name = "stock_metadata";
		out->rq.user_text = out->user;
		out->tokens = provider_caps_named(b->provider)->text_tokens("", out->user ? out->user : "");
		if (!out->user) {
			out->fail_state = FS_ERROR;
			out->why = xstrdup(_("cannot build the alternative's prompt"));
		}
		return;
	}
	mc_media media = mediacsv_media_kind(cesta_basename(f->cesta));
	out->user = prompt_user_text(en->pr, media, f->description ? f->description : "",
				     f->editorial, f->ed.city, f->ed.country, f->ed.date);
	char *note = prompt_series_note(en->pr, media, f->series_i, f->series_n);
	if (note) {
		char *both = xasprintf("%s\n%s", out->user, note);
		free(out->user);
		free(note);
		out->user = both;
	}
	out->rq.system_prompt = prompt_system(en->pr);
	out->rq.schema_json = prompt_schema(en->pr);
	out->rq.schema_name = "stock_metadata";
	out->rq.user_text = out->user;

	char *path = settings_map_path(en->cfg, f->cesta);
	if (!path || access(path, R_OK) != 0) {
		out->fail_state = FS_FILE_NOT_FOUND;
		out->why =
			xasprintf(_("file not found: %s (Cesta %s); check path_map in the config"),
				  path ? path : "?", f->cesta);
		free(path);
		return;
	}
	char *img_path = image_jpeg_of(path);
	if (img_path) {
		sb_err e;
		sb_err_clear(&e);
		if (image_prepare(img_path, provider_caps_named(b->provider), out->rq.model,
				  out->rq.detail, en->cfg->jpeg_quality, &out->img, &e) < 0) {
			out->fail_state = FS_ERROR;
			out->why = xasprintf(_("cannot read the image %s: %s"), img_path, e.msg);
		} else {
			out->has_img = true;
			out->rq.jpeg = out->img.jpeg;
			out->rq.jpeg_len = out->img.len;
		}
		free(img_path);
	}
	free(path);
	/* what the provider bills: its tokenizer, the image at the size sent */
	out->tokens = provider_caps_named(b->provider)
			      ->text_tokens(out->rq.system_prompt ? out->rq.system_prompt : "",
					    out->user ? out->user : "");
	if (out->has_img)
		out->tokens += provider_caps_named(b->provider)
				       ->image_tokens(out->rq.model, out->rq.detail, out->img.w,
						      out->img.h);
}

typedef struct prep_job {
	engine *en;
	const batch_info *b;
	const file_entry *files;
	built *out;
	const size_t *idx;
	size_t n, start, step;
} prep_job;

static void *prep_thread(void *arg)
{
	prep_job *j = arg;
	for (size_t i = j->start; i < j->n; i += j->step)
		if (!eng_stopping(j->en))
			eng_build_one(j->en, j->b, &j->files[j->idx[i]], &j->out[i]);
	return NULL;
}

/* image_prepare on 2 threads: decoding dominates a send. */
static void build_all(engine *en, const batch_info *b, const file_entry *files, const size_t *idx,
		      size_t n, built *out)
{
	prep_job j[2];
	pthread_t t;
	for (int k = 0; k < 2; k++)
		j[k] = (prep_job){ en, b, files, out, idx, n, (size_t)k, 2 };
	bool threaded = n > 1 && pthread_create(&t, NULL, prep_thread, &j[1]) == 0;
	if (!threaded)
		j[0].step = 1;
	prep_thread(&j[0]);
	if (threaded)
		pthread_join(t, NULL);
}

/* Once a process: when the batch's model costs more than twice the
 * cheapest of its provider for its first photo, the activity log says so. */
static void warn_model_once(engine *en, const batch_info *b, const built *bl, size_t n)
{
	static atomic_bool warned;
	for (size_t i = 0; i < n; i++) {
		if (!bl[i].has_img || atomic_load(&warned))
			continue;
		const provider_caps *caps = provider_caps_named(b->provider);
		long text = bl[i].tokens - caps->image_tokens(bl[i].rq.model, bl[i].rq.detail,
							      bl[i].img.w, bl[i].img.h);
		char *w = advisor_request_warning(en->cfg, b->provider, bl[i].rq.model, text,
						  bl[i].img.orig_w, bl[i].img.orig_h);
		if (w && !atomic_exchange(&warned, true))
			sb_log(LOG_WARN, "%s", w);
		free(w);
		return;
	}
}

/* A batch too big for one provider batch: chunks 1.. of the plan go to new
 * ready batches of ours, chunk 0 stays.  The moves are written as a plan
 * first and replayed by eng_finish_split (recover.c), so a crash half-way
 * loses no file. */
static int split_batch(engine *en, const batch_info *b, const file_entry *files,
		       const size_t *gfile, size_t good, const size_t *starts, size_t nchunks,
		       sb_err *e)
{
	sbuf plan = { 0 };
	for (size_t c = 1; c < nchunks; c++) {
		batch_info nb;
		if (store_new_batch(en->st, b->kind, b->provider, b->model, BS_READY, &nb, e) < 0) {
			sbuf_free(&plan);
			return -1; /* the ones made stay empty: "no file could be sent" */
		}
		size_t end = c + 1 < nchunks ? starts[c + 1] : good;
		for (size_t g = starts[c]; g < end; g++)
			eng_split_plan_line(&plan, nb.id, &files[gfile[g]]);
		sb_log(LOG_INFO,
		       _("batch %s: %zu files moved to %s (too big for one provider batch)"), b->id,
		       end - starts[c], nb.id);
	}
	char *sp = eng_split_path(en, b->id);
	int rc = atomic_write(sp, plan.p ? plan.p : "", plan.len, 0600, e);
	free(sp);
	sbuf_free(&plan);
	if (rc < 0)
		return -1;
	return eng_finish_split(en, b->id, e);
}

/* The custom ids of a whole batch at once (request_custom_ids): two
 * IMG_0101.jpg from different folders must not share an id, or OpenAI
 * fails the whole batch.  Stored before the send, so results match them;
 * deterministic, so a crash and a resend give the same ids. */
static void assign_custom_ids(engine *en, const char *bid, file_entry *files, size_t n)
{
	if (n == 0)
		return;
	const char **cs = xcalloc(n, sizeof *cs);
	char **ids = xcalloc(n, sizeof *ids);
	for (size_t i = 0; i < n; i++)
		cs[i] = files[i].cesta;
	request_custom_ids(cs, n, bid, ids);
	for (size_t i = 0; i < n; i++) {
		if (!files[i].custom_id || strcmp(files[i].custom_id, ids[i]) != 0) {
			free(files[i].custom_id);
			files[i].custom_id = ids[i];
			ids[i] = NULL;
			sb_err ue;
			if (store_file_update(en->st, bid, &files[i], &ue) < 0)
				sb_log(LOG_WARN, "%s", ue.msg);
		}
		free(ids[i]);
	}
	free(ids);
	free(cs);
}

/* Before a (re)send: a file whose CSV row was committed already is settled,
 * not sent and paid for again.  Live mode walks a file description_saved ->
 * batch_sent -> batch_completed -> saved_to_csv after its commit, so a kill
 * in between leaves a committed row behind any of those states (and another
 * tool may have processed the row meanwhile).  The row changed since the
 * description was saved and no longer waits for processing: it is done.
 * A batch_completed file whose row is not committed goes back to be sent. */
static void settle_committed(engine *en, batch_info *b, file_entry *files, size_t n)
{
	bool any = false;
	for (size_t i = 0; i < n && !any; i++)
		any = (files[i].state == FS_DESCRIPTION_SAVED || files[i].state == FS_BATCH_SENT ||
		       files[i].state == FS_BATCH_COMPLETED) &&
		      (files[i].fingerprint[0] || files[i].alt_of);
	if (!any)
		return;
	mediacsv *m = NULL;
	sb_err le;
	sb_err_clear(&le);
	if (mediacsv_load(en->cfg->media_csv, &m, &le) < 0)
		return; /* the commit reports what is wrong with the CSV */
	for (size_t i = 0; i < n; i++) {
		file_entry *f = &files[i];
		if ((f->state != FS_DESCRIPTION_SAVED && f->state != FS_BATCH_SENT &&
		     f->state != FS_BATCH_COMPLETED) ||
		    (!f->fingerprint[0] && !f->alt_of))
			continue;
		if (eng_row_committed_before(m, f)) {
			if (eng_settle_already(en, b, m, f) == 0)
				f->state = FS_SAVED_TO_CSV;
		} else if (f->state == FS_BATCH_COMPLETED &&
			   eng_set_fstate(en, b->id, f->cesta, FS_DESCRIPTION_SAVED, NULL) == 0) {
			f->state = FS_DESCRIPTION_SAVED;
		}
	}
	mediacsv_free(m);
}

/* One send of a ready batch: the files, the ones to send and their built
 * requests, and what goes to the provider. */
typedef struct sendjob {
	batch_info *b;
	file_entry *files;
	size_t n;
	size_t *idx, m; /* files to send: files[idx[i]], built as bl[i] */
	built *bl;
	sbuf jsonl;         /* the batch's input file (batch mode) */
	long *bytes, *toks; /* per good request: its JSONL bytes; its tokens with the answer */
	size_t *gfile;      /* good request -> files[] */
	size_t *starts;     /* chunk_plan's chunk starts */
	bool *moved;        /* bl[i] moved to another batch by a split */
	size_t good;        /* requests that could be built */
	long tokens;        /* their prompt tokens */
	long out;           /* the tokens of an answer (eng_out_tokens) */
} sendjob;

/* Which files go (description saved, or a half-done send), their custom
 * ids fixed first, the ones committed already settled; then built. */
static void select_items(engine *en, sendjob *j)
{
	assign_custom_ids(en, j->b->id, j->files, j->n);
	settle_committed(en, j->b, j->files, j->n);
	size_t n = j->n, m = 0;
	j->idx = xcalloc(n ? n : 1, sizeof *j->idx);
	for (size_t i = 0; i < n; i++)
		if (j->files[i].state == FS_DESCRIPTION_SAVED ||
		    j->files[i].state == FS_BATCH_SENT || j->files[i].state == FS_PENDING)
			j->idx[m++] = i;
	j->m = m;
	j->bl = xcalloc(m ? m : 1, sizeof *j->bl);
	build_all(en, j->b, j->files, j->idx, m, j->bl);
	warn_model_once(en, j->b, j->bl, m);
	j->bytes = xcalloc(m ? m : 1, sizeof *j->bytes);
	j->toks = xcalloc(m ? m : 1, sizeof *j->toks);
	j->starts = xcalloc(m ? m : 1, sizeof *j->starts);
	j->gfile = xcalloc(m ? m : 1, sizeof *j->gfile);
	j->moved = xcalloc(m ? m : 1, sizeof *j->moved);
}

static void sendjob_free(sendjob *j)
{
	for (size_t i = 0; i < j->m; i++)
		eng_built_free(&j->bl[i]);
	free(j->bl);
	free(j->idx);
	free(j->bytes);
	free(j->toks);
	free(j->starts);
	free(j->gfile);
	free(j->moved);
	sbuf_free(&j->jsonl);
	file_entries_free(j->files, j->n);
}

/* The good requests into the JSONL (batch mode) with their sizes; a file
 * that could not be built is marked and the run goes on. */
static int build_jsonl(engine *en, sendjob *j, sb_err *e)
{
	batch_info *b = j->b;
	j->out = eng_out_tokens(en, b->provider);
	for (size_t i = 0; i < j->m; i++) {
		file_entry *f = &j->files[j->idx[i]];
		built *bl = &j->bl[i];
		if (bl->fail_state) {
			/* missing file or unreadable JPEG: marked, the run goes on (#29) */
			eng_set_fstate(en, b->id, f->cesta, bl->fail_state, bl->why);
			sb_log(LOG_WARN, "%s", bl->why);
			eng_rep_add(en, &en->rep.skipped, 1);
			continue;
		}
		if (!f->custom_id || strcmp(f->custom_id, bl->cid) != 0) {
			free(f->custom_id);
			f->custom_id = xstrdup(bl->cid);
			sb_err ue;
			store_file_update(en->st, b->id, f, &ue);
		}
		size_t before = j->jsonl.len;
		if (!en->cfg->live) { /* live mode sends the requests themselves */
			if (en->prov->ops->format_request(en->prov, &bl->rq, &j->jsonl, e) < 0)
				return -1;
			sbuf_addc(&j->jsonl, '\n');
		}
		j->bytes[j->good] = (long)(j->jsonl.len - before);
		j->toks[j->good] = bl->tokens + j->out;
		j->tokens += bl->tokens;
		j->gfile[j->good] = j->idx[i];
		j->good++;
	}
	return 0;
}

/* The provider's limits (requests, bytes, tokens per batch): a batch too
 * big is split, its first chunk goes now.  1 = go, 0 = paused (one
 * request alone is too big), -1 = the split failed. */
static void batch_limits(engine *en, const batch_info *b, chunk_limits *lim)
{
	chunk_limits_for(b->provider, b->model, lim);
	if (en->test_lim.max_requests > 0)
		lim->max_requests = en->test_lim.max_requests;
	if (en->test_lim.max_bytes > 0)
		lim->max_bytes = en->test_lim.max_bytes;
	if (en->test_lim.max_tokens > 0)
		lim->max_tokens = en->test_lim.max_tokens;
}

/* After a split: the job keeps its first keep good requests; the others
 * moved to other batches. */
static void keep_first(sendjob *j, size_t keep)
{
	size_t cut = 0;
	j->tokens = 0;
	for (size_t g = 0; g < keep; g++) {
		cut += (size_t)j->bytes[g];
		j->tokens += j->toks[g] - j->out;
	}
	for (size_t i = 0; i < j->m; i++)
		for (size_t g = keep; g < j->good; g++)
			if (j->gfile[g] == j->idx[i])
				j->moved[i] = true;
	j->jsonl.len = cut;
	j->good = keep;
}

static int fit_limits(engine *en, sendjob *j, sb_err *e)
{
	batch_info *b = j->b;
	chunk_limits lim;
	batch_limits(en, b, &lim);
	size_t oversize = 0,
	       nchunks = chunk_plan(j->bytes, j->toks, j->good, &lim, j->starts, &oversize);
	if (nchunks > 1 && !oversize) {
		/* too big: the first chunk goes now, the rest as new batches of ours */
		if (split_batch(en, b, j->files, j->gfile, j->good, j->starts, nchunks, e) < 0)
			return -1;
		keep_first(j, j->starts[1]);
	}
	if (oversize) {
		char note[256];
		snprintf(
			note, sizeof note,
			_("a request is too big for a provider batch on its own (%zu parts): lower image_detail, then resume"),
			nchunks);
		sb_err e2;
		store_set_state(en->st, b->id, BS_PAUSED, note, &e2);
		sb_log(LOG_WARN, _("batch %s paused: %s"), b->id, note);
		return 0;
	}
	return 1;
}

/* Upload the JSONL, write the intent marker, create the provider batch,
 * mark ours sent.  A crash after the marker is reconciled by listing. */
static int upload_and_create(engine *en, sendjob *j, double est, sb_err *e)
{
	batch_info *b = j->b;
	/* An input file of an earlier send that never became a batch (a kill
	 * before the create, a refused create): deleted before a new upload. */
	if (b->input_file_id[0]) {
		sb_log(LOG_INFO, _("batch %s: deleting the input file %s of an earlier send"), b->id,
		       b->input_file_id);
		if (eng_delete_files(en, b->id, EF_INPUT) == 0)
			b->input_file_id[0] = '\0';
	}
	char *reqp = store_batch_path(en->st, b->id, "requests.jsonl");
	int wr = atomic_write(reqp, j->jsonl.p, j->jsonl.len, 0600, e);
	char fid[128] = "";
	bool left = false; /* an earlier send's upload intent */
	if (wr == 0)
		wr = eng_upload_intent(en, b, &left, e);
	char *name = eng_upload_name(b->id);
	if (wr == 0 && en->prov->ops->upload(en->prov, reqp, name, fid, sizeof fid, e) < 0) {
		/* a lost answer may have left the file there: the intent stays */
		if (e->code != SBE_NETWORK && e->code != SBE_GENERIC && !left)
			eng_upload_done(en, b->id);
		if (e->code == SBE_SIZE) {
			sb_err e2;
			char note[256];
			snprintf(
				note, sizeof note,
				_("the provider refused the input file as too big: lower batch_size, then resume"));
			store_set_state(en->st, b->id, BS_PAUSED, note, &e2);
		}
		wr = -1;
	}
	free(name);
	free(reqp);
	if (wr < 0)
		return -1;
	snprintf(b->input_file_id, sizeof b->input_file_id, "%s", fid);
	b->est_cost = est;
	b->est_tokens = j->tokens;
	b->attempts++;
	if (store_update(en->st, b, e) < 0)
		return -1;
	/* an upload of an earlier send whose id was never saved (a kill while
	 * it was answered) is found by its name and deleted */
	eng_upload_saved(en, b, left);
	/* the intent marker: from here a crash is reconciled by listing */
	char *ip = eng_intent_path(en, b->id);
	char *intent = xasprintf("{\"batch\":\"%s\",\"input_file_id\":\"%s\",\"time\":%lld}\n",
				 b->id, fid, (long long)time(NULL));
	wr = atomic_write(ip, intent, strlen(intent), 0600, e);
	free(intent);
	if (wr < 0) {
		free(ip);
		return -1;
	}
	prov_batch pb;
	memset(&pb, 0, sizeof pb);
	if (en->prov->ops->create(en->prov, fid, b->id, b->model, &pb, e) < 0) {
		/* a network error leaves it unknown: keep the marker, reconcile later;
		 * a refused create made no batch: its input file goes now */
		if (e->code != SBE_NETWORK && e->code != SBE_GENERIC) {
			unlink(ip);
			if (eng_delete_files(en, b->id, EF_INPUT) == 0)
				b->input_file_id[0] = '\0';
		}
		free(ip);
		prov_batch_clear(&pb);
		return -1;
	}
	free(ip);
	int ms = eng_mark_sent(en, b, &pb, e);
	prov_batch_clear(&pb);
	return ms;
}

int eng_check_budget(engine *en, const batch_info *b, double est, bool live, sb_err *e)
{
	double run = en->rep.est_cost + est, cap = en->cfg->budget;
	if (cap <= 0 || run <= cap)
		return 0;
	return sb_fail(
		e, SBE_BUDGET,
		live ? _("batch %s not sent live: its estimate $%.4f would bring this run to $%.4f, over the budget cap $%g by $%.4f; raise `budget` in the config or send fewer photos")
		     : _("batch %s not sent: its estimate $%.4f would bring this run to $%.4f, over the budget cap $%g by $%.4f; raise `budget` in the config or send fewer photos"),
		b->id, est, run, cap, run - cap);
}

/* A ready batch collected under another provider (the user switched
 * --provider since): it goes to the provider of this run, so it is built
 * for it (its model, request format and image size follow b->provider and
 * b->model), and the batch says so from now on. */
static int rebind_provider(engine *en, batch_info *b, sb_err *e)
{
	const char *to = en->prov->ops->name, *model = en->cfg->model;
	if (!strcmp(b->provider, to))
		return 0;
	sb_log(LOG_INFO, _("batch %s: collected for %s (%s), sent to %s (%s): built for %s"), b->id,
	       b->provider, b->model, to, model, to);
	snprintf(b->provider, sizeof b->provider, "%s", to);
	snprintf(b->model, sizeof b->model, "%s", model);
	return store_update(en->st, b, e);
}

/* ---- the provider's enqueued-token limit (SPEC 5.3; apis.md 1.10, 3.7) ----
 * A provider counts the prompt tokens of a model's unfinished batches
 * against a per-model limit: OpenAI fails a batch over it
 * (token_limit_exceeded, retrieve.c), Gemini refuses its create (429).  A
 * batch then waits, ready, for our running batches of the model to finish
 * and goes at batch price; with none running, a refused create is split in
 * half.  The log says which. */

char *eng_wait_path(engine *en, const char *bid)
{
	return store_batch_path(en->st, bid, "queue-wait");
}

void eng_mark_wait(engine *en, const char *bid)
{
	char *wp = eng_wait_path(en, bid);
	sb_err e;
	if (atomic_write(wp, "enqueued-token limit\n", 21, 0600, &e) < 0)
		sb_log(LOG_WARN, "%s", e.msg);
	free(wp);
}

/* The prompt tokens of our batches of b's provider and model at the
 * provider now (sent, not finished); *nrun how many. */
static long enqueued_tokens(engine *en, const batch_info *b, size_t *nrun)
{
	const char *model = b->model[0] ? b->model : en->cfg->model;
	batch_info *bs;
	size_t n = store_list(en->st, &bs);
	long q = 0;
	*nrun = 0;
	for (size_t i = 0; i < n; i++) {
		const char *m = bs[i].model[0] ? bs[i].model : en->cfg->model;
		if (bs[i].state != BS_SENT || strcmp(bs[i].id, b->id) == 0 ||
		    strcmp(bs[i].provider, b->provider) != 0 || strcmp(m, model) != 0)
			continue;
		q += bs[i].est_tokens;
		(*nrun)++;
	}
	free(bs);
	return q;
}

/* Whether the batch must wait for running batches: it was refused for the
 * limit (the wait marker), or its tokens with those enqueued would pass it. */
static bool must_wait(engine *en, const batch_info *b, long tokens)
{
	size_t nrun;
	long q = enqueued_tokens(en, b, &nrun);
	if (nrun == 0)
		return false;
	const char *model = b->model[0] ? b->model : en->cfg->model;
	char *wp = eng_wait_path(en, b->id);
	bool marked = file_exists(wp);
	free(wp);
	chunk_limits lim;
	batch_limits(en, b, &lim);
	if (marked)
		sb_log(LOG_INFO,
		       P_("batch %s waits for %zu running batch of %s to finish (the provider's enqueued-token limit); it is sent then, at batch price",
			  "batch %s waits for %zu running batches of %s to finish (the provider's enqueued-token limit); it is sent then, at batch price",
			  nrun),
		       b->id, nrun, model);
	else if (q + tokens > lim.max_tokens)
		sb_log(LOG_INFO,
		       _("batch %s waits: %ld tokens of %s are enqueued at the provider and its %ld would pass the limit of %ld (queue_tokens in prices.conf); it is sent when running batches finish"),
		       b->id, q, model, tokens, lim.max_tokens);
	else
		return false;
	return true;
}

/* A create refused for the enqueued-token limit: wait for our running
 * batches (1), or, with none running, split the batch in half and keep the
 * first half to try again (0); -1 when neither is possible (paused). */
static int over_queue_limit(engine *en, sendjob *j, sb_err *e)
{
	batch_info *b = j->b;
	size_t nrun;
	enqueued_tokens(en, b, &nrun);
	if (nrun > 0) {
		eng_mark_wait(en, b->id);
		sb_log(LOG_WARN,
		       _("batch %s: the provider's enqueued-token limit is reached (%s); it waits for the running batches to finish"),
		       b->id, e->msg);
		return 1;
	}
	if (j->good < 2) {
		char note[256];
		snprintf(
			note, sizeof note,
			_("one request alone passes the provider's enqueued-token limit: lower image_detail, then resume"));
		sb_err e2;
		store_set_state(en->st, b->id, BS_PAUSED, note, &e2);
		sb_log(LOG_WARN, _("batch %s paused: %s"), b->id, note);
		return -1;
	}
	size_t starts[2] = { 0, j->good / 2 };
	if (split_batch(en, b, j->files, j->gfile, j->good, starts, 2, e) < 0)
		return -1;
	sb_log(LOG_WARN,
	       _("batch %s: the provider's enqueued-token limit is reached and none of our batches runs: split in half, %zu requests go now"),
	       b->id, starts[1]);
	keep_first(j, starts[1]);
	return 0;
}

/* One ready batch: reconciled first (it may be out already), then its
 * files selected and built, fitted to the provider's limits, checked
 * against the budget, uploaded and created; or sent live. */
static int send_batch(engine *en, batch_info *b, sb_err *e)
{
	int r = eng_reconcile(en, b);
	if (r != 0)
		return 0; /* already out, or cannot tell now */
	if (eng_finish_split(en, b->id, e) < 0 || rebind_provider(en, b, e) < 0)
		return -1;
	sendjob j = { .b = b };
	if (store_files(en->st, b->id, &j.files, &j.n) < 0)
		return sb_fail(e, SBE_IO, _("batch %s: cannot read its files"), b->id);
	select_items(en, &j);
	int rc = -1;
	if (eng_stopping(en)) {
		rc = 0;
		goto out;
	}
	if (build_jsonl(en, &j, e) < 0)
		goto out;
	if (j.good == 0) {
		/* m == 0: only rejects (committed apart) or skipped files in it */
		const char *why = j.m ? _("no file could be sent") : _("nothing to send");
		if (j.m)
			sb_log(LOG_WARN, _("batch %s: %s"), b->id, why);
		sb_err e2;
		store_set_state(en->st, b->id, BS_COMPLETED, why, &e2);
		rc = 0;
		goto out;
	}
	if (en->cfg->live) {
		rc = eng_send_live(en, b, j.files, j.n, j.bl, j.idx, j.m, e);
		goto out;
	}
	int fit = fit_limits(en, &j, e);
	if (fit <= 0) {
		rc = fit;
		goto out;
	}
	if (must_wait(en, b, j.tokens)) {
		/* a wait on purpose: marked, so send's exit status does not
		 * count it as left behind (engine.c count_ready_stuck) */
		eng_mark_wait(en, b->id);
		rc = 0;
		goto out;
	}
	double est;
	for (;;) {
		est = cost_usd(b->model, true, j.tokens, (long)j.good * j.out);
		if (eng_check_budget(en, b, est, false, e) < 0)
			goto out;
		if (upload_and_create(en, &j, est, e) == 0)
			break;
		if (e->code != SBE_SIZE || e->http_status != 429)
			goto out;
		int q = over_queue_limit(en, &j, e);
		if (q != 0) {
			rc = 0;
			goto out;
		}
	}
	char *wp = eng_wait_path(en, b->id);
	unlink(wp);
	free(wp);
	for (size_t i = 0; i < j.m; i++)
		if (!j.bl[i].fail_state && !j.moved[i])
			eng_set_fstate(en, b->id, j.files[j.idx[i]].cesta, FS_BATCH_SENT, NULL);
	store_cost_log(en->st, b->id, "estimate", est, j.tokens, e);
	eng_rep_cost(en, &en->rep.est_cost, est);
	eng_rep_add(en, &en->rep.sent, j.good);
	eng_rep_add(en, &en->rep.batches_sent, 1);
	sb_log(LOG_INFO,
	       P_("batch %s sent: %zu request, estimate $%.4f",
		  "batch %s sent: %zu requests, estimate $%.4f", j.good),
	       b->id, j.good, est);
	rc = 0;
out:
	sendjob_free(&j);
	return rc;
}

int eng_phase_send(engine *en, sb_err *e)
{
	eng_recover_splits(en);
	batch_info *bs;
	size_t n = store_list(en->st, &bs), sent = 0, total = 0;
	int rc = 0;
	for (size_t i = 0; i < n; i++)
		if (bs[i].state == BS_READY)
			total++;
	if (total && eng_need_provider(en, e) < 0) {
		free(bs);
		return -1;
	}
	/* tried: batch ids seen in a pass; a split adds ready batches, so the
	 * list is read again until a pass finds nothing new */
	char(*tried)[40] = NULL;
	size_t ntried = 0;
	bool more = true;
	while (more && !eng_stopping(en)) {
		more = false;
		for (size_t i = 0; i < n && !eng_stopping(en); i++) {
			if (bs[i].state != BS_READY)
				continue;
			bool seen = false;
			for (size_t t = 0; t < ntried && !seen; t++)
				seen = strcmp(tried[t], bs[i].id) == 0;
			if (seen)
				continue;
			tried = xrealloc(tried, (ntried + 1) * sizeof *tried);
			snprintf(tried[ntried++], 40, "%s", bs[i].id);
			more = true;
			sb_err be;
			sb_err_clear(&be);
			if (send_batch(en, &bs[i], &be) < 0) {
				if (be.code == SBE_NETWORK) {
					/* the endpoint is unreachable: the other ready
					 * batches would each wait out the same retries */
					size_t left = total > sent ? total - sent : 1;
					sb_fail(e, SBE_NETWORK,
						P_("the provider could not be reached, so the run stopped (%zu batch stays ready; nothing is lost): %s",
						   "the provider could not be reached, so the run stopped (%zu batches stay ready; nothing is lost): %s",
						   left),
						left, be.msg);
					rc = -1;
					more = false;
					break;
				}
				if (be.code == SBE_RATE) {
					sb_log(LOG_WARN, _("batch %s stays ready: %s"), bs[i].id,
					       be.msg);
				} else {
					sb_log(LOG_ERROR, "%s", be.msg);
					if (rc == 0 || be.code == SBE_AUTH) {
						*e = be;
						rc = -1;
					}
					if (be.code == SBE_AUTH) {
						more = false;
						break;
					}
				}
			}
			sent++;
			eng_progress(en, _("send"), sent, total > sent ? total : sent);
		}
		if (more) {
			free(bs);
			n = store_list(en->st, &bs);
		}
	}
	free(tried);
	free(bs);
	return rc;
}
