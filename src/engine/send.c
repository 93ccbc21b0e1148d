/* engine.c: the three phases of every run (SPEC 3, seed 000 "CRITICAL
 * ARCHITECTURAL DECISIONS" 3).  Phase 0 recovers interrupted sends and
 * archives old batches, phase 1 retrieves, validates and commits, phase 2
 * sends.  Crash safety rests on three rules: an intent marker is written
 * before a provider batch is created (reconciled by listing on restart), a
 * batch flips to a final state only after its commit, and the commit itself
 * is idempotent (mediacsv_commit says "already"). */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <json-c/json.h>

#include "agency.h"
#include "archive.h"
#include "cost.h"
#include "engine.h"
#include "i18n.h"
#include "imageprep.h"
#include "log.h"
#include "mediacsv.h"
#include "provider.h"
#include "ratelimit.h"
#include "report.h"
#include "request.h"
#include "tokens.h"

#define LIVE_ATTEMPTS 3
#define EST_OUT_TOKENS 350 /* a typical answer: title, description, 50 keywords */
#define RETRIEVE_THREADS 4
/* Results committed in groups of this many while a big file is read:
 * memory stays flat on a 50,000-line result file (SPEC 12). */
#define COMMIT_GROUP 2000

struct engine {
	settings *cfg;
	store *st;
	provider *prov;         /* NULL when no key: network phases fail with prov_err */
	sb_err prov_err;
	prompt_ctx *pr;
	agency_lists *al;
	engine_progress_fn progress;
	void *pctx;
	atomic_int interrupted;
	volatile bool stop_flag; /* the same, for rl_acquire */
	ratelimit *rl;          /* live retries */
	ratelimit *live_rl;     /* live mode (`live` setting): live_run's limiter */
	pthread_mutex_t mu;     /* rep, first error */
	pthread_mutex_t commit_mu; /* one CSV commit at a time */
	run_report rep;
	char session[32];       /* CSV backup session stamp: one backup per run */
	chunk_limits test_lim;  /* engine_test_set_limits: non-zero fields override */
	char (*rej_clean)[40];  /* finished batches whose rejects are all in the CSV */
	size_t nrej_clean;
};

/* ---- small helpers ---- */

static bool stopping(engine *en)
{
	return atomic_load(&en->interrupted) != 0;
}

static void progress(engine *en, const char *what, size_t done, size_t total)
{
	if (en->progress)
		en->progress(what, done, total, en->pctx);
}

static void rep_add(engine *en, size_t *field, size_t n)
{
	pthread_mutex_lock(&en->mu);
	*field += n;
	pthread_mutex_unlock(&en->mu);
}

static void rep_cost(engine *en, double *field, double usd)
{
	pthread_mutex_lock(&en->mu);
	*field += usd;
	pthread_mutex_unlock(&en->mu);
}

/* Sleep up to s seconds, waking early on interrupt. */
static void nap(engine *en, double s)
{
	double end = now_mono() + s;
	while (!stopping(en)) {
		double left = end - now_mono();
		if (left <= 0)
			break;
		usleep((useconds_t)((left > 0.1 ? 0.1 : left) * 1e6));
	}
}

static bool local_exists(engine *en, const char *cesta)
{
	char *p = settings_map_path(en->cfg, cesta);
	bool ok = p && access(p, R_OK) == 0;
	free(p);
	return ok;
}

/* File state change along the shortest legal path of the store's table:
 * a crash can leave a file a step or two behind its batch (description_saved
 * in a sent batch), and the result must still land. */
static int set_fstate(engine *en, const char *bid, const char *cesta, file_state to,
		      const char *reason)
{
	sb_err e;
	sb_err_clear(&e);
	file_entry cur;
	memset(&cur, 0, sizeof cur);
	if (store_file_get(en->st, bid, cesta, &cur) < 0) {
		sb_log(LOG_WARN, _("batch %s: %s is not in the batch"), bid, cesta);
		return -1;
	}
	file_state from = cur.state;
	file_entries_free(&cur, 1);
	if (from == to)
		return 0;
	int prev[FS__COUNT];
	file_state queue[FS__COUNT];
	size_t qh = 0, qt = 0;
	for (int i = 0; i < FS__COUNT; i++)
		prev[i] = -2;
	prev[from] = -1;
	queue[qt++] = from;
	while (qh < qt && prev[to] == -2) {
		file_state s = queue[qh++];
		for (int t = 0; t < FS__COUNT; t++)
			if (prev[t] == -2 && file_transition_ok(s, (file_state)t)) {
				prev[t] = (int)s;
				queue[qt++] = (file_state)t;
			}
	}
	if (prev[to] == -2) {
		sb_log(LOG_WARN, _("batch %s: %s cannot go from %s to %s"), bid, cesta,
		       file_state_name(from), file_state_name(to));
		return -1;
	}
	file_state path[FS__COUNT];
	size_t n = 0;
	for (int s = (int)to; s != (int)from; s = prev[s])
		path[n++] = (file_state)s;
	while (n--) {
		if (store_file_set_state(en->st, bid, cesta, path[n], n == 0 ? reason : NULL, &e) < 0) {
			sb_log(LOG_WARN, _("batch %s: cannot set %s to %s: %s"), bid, cesta,
			       file_state_name(path[n]), e.msg);
			return -1;
		}
	}
	return 0;
}

static bool fstate_final(file_state s)
{
	return s == FS_SAVED_TO_CSV || s == FS_ERROR || s == FS_FILE_NOT_FOUND ||
	       s == FS_REJECTED || s == FS_SKIPPED || s == FS_DEAD;
}

static char *custom_id_of(const file_entry *f, const char *bid)
{
	if (f->custom_id && *f->custom_id)
		return xstrdup(f->custom_id);
	return request_custom_id(f->cesta, bid);
}

static bool is_alt_kind(const char *kind)
{
	return strncmp(kind, "alt_", 4) == 0;
}

char *engine_alt_cesta(const char *cesta, const char *tag)
{
	static const struct { const char *from, *to; } dirs[] = {
		{ "Foto", "Upravené foto" }, { "Video", "Upravené video" },
	};
	for (size_t d = 0; d < sizeof dirs / sizeof dirs[0]; d++) {
		size_t fl = strlen(dirs[d].from);
		for (const char *p = cesta; (p = strstr(p, dirs[d].from)); p++) {
			bool start = p == cesta || p[-1] == '/' || p[-1] == '\\';
			bool end = p[fl] == '/' || p[fl] == '\\';
			if (!start || !end)
				continue;
			const char *base = cesta + strlen(cesta);
			while (base > cesta && base[-1] != '/' && base[-1] != '\\')
				base--;
			const char *dot = strrchr(base, '.');
			if (!dot)
				dot = base + strlen(base);
			sbuf b = { 0 };
			sbuf_add(&b, cesta, (size_t)(p - cesta));
			sbuf_adds(&b, dirs[d].to);
			sbuf_add(&b, p + fl, (size_t)(dot - (p + fl)));
			sbuf_printf(&b, "_%s%s", tag, dot);
			return sbuf_steal(&b);
		}
	}
	return NULL;
}

static void dead_letter(engine *en, const char *bid, const file_entry *f, const char *cid,
			const char *reason, const char *raw)
{
	json_object *o = json_object_new_object();
	char ts[32];
	time_iso(time(NULL), ts);
	json_object_object_add(o, "time", json_object_new_string(ts));
	json_object_object_add(o, "custom_id", json_object_new_string(cid ? cid : ""));
	json_object_object_add(o, "cesta", json_object_new_string(f->cesta));
	json_object_object_add(o, "reason", json_object_new_string(reason ? reason : ""));
	json_object_object_add(o, "attempts", json_object_new_int(f->attempts));
	if (raw)
		json_object_object_add(o, "raw", json_object_new_string(raw));
	char *path = store_batch_path(en->st, bid, "deadletter.jsonl");
	sb_err e;
	char *line = xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	log_scrub(line, strlen(line) + 1);
	if (append_line_sync(path, line, &e) < 0)
		sb_log(LOG_WARN, "%s", e.msg);
	free(line);
	free(path);
	json_object_put(o);
}

/* ---- open / close ---- */

int engine_open(settings *cfg, store *st, engine **out, sb_err *e)
{
	engine *en = xcalloc(1, sizeof *en);
	en->cfg = cfg;
	en->st = st;
	pthread_mutex_init(&en->mu, NULL);
	pthread_mutex_init(&en->commit_mu, NULL);
	en->rl = rl_new(cfg->rpm, cfg->tpm, cfg->concurrency, 0, LIVE_ATTEMPTS);
	/* live_run needs a retry queue at least as deep as its threads (16) */
	en->live_rl = rl_new(cfg->rpm, cfg->tpm, cfg->concurrency, 256, LIVE_ATTEMPTS);
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(en->session, sizeof en->session, "%Y%m%d_%H%M%S", &tm);

	sb_err_clear(&en->prov_err);
	if (provider_open(cfg, cfg->provider, &en->prov, &en->prov_err) < 0) {
		en->prov = NULL;
		if (en->prov_err.code != SBE_AUTH) {
			*e = en->prov_err;
			engine_close(en);
			return -1;
		}
	}
	if (prompt_open(cfg, &en->pr, e) < 0) {
		engine_close(en);
		return -1;
	}
	char *dir = path_dirname(cfg->media_csv ? cfg->media_csv : "PhotoMedia.csv");
	char *cats = path_join(dir, "PhotoCategories.csv");
	int rc = agency_lists_load(cfg, file_exists(cats) ? cats : NULL, &en->al, e);
	free(cats);
	free(dir);
	if (rc < 0) {
		engine_close(en);
		return -1;
	}
	sb_err w;
	if (prices_load(NULL, &w) < 0)
		sb_log(LOG_WARN, _("price table not loaded (%s): cost estimates are 0"), w.msg);
	if (tokens_init(NULL, &w) < 0)
		sb_log(LOG_WARN, _("tokenizer not loaded (%s): estimates are approximate"), w.msg);
	*out = en;
	return 0;
}

void engine_close(engine *en)
{
	if (!en)
		return;
	if (en->prov)
		provider_close(en->prov);
	if (en->pr)
		prompt_close(en->pr);
	if (en->al)
		agency_lists_free(en->al);
	if (en->rl)
		rl_free(en->rl);
	if (en->live_rl)
		rl_free(en->live_rl);
	free(en->rej_clean);
	pthread_mutex_destroy(&en->mu);
	pthread_mutex_destroy(&en->commit_mu);
	free(en);
}

void engine_set_progress(engine *en, engine_progress_fn fn, void *ctx)
{
	en->progress = fn;
	en->pctx = ctx;
}

void engine_test_set_limits(engine *en, long max_requests, long max_bytes, long max_tokens)
{
	en->test_lim.max_requests = max_requests;
	en->test_lim.max_bytes = max_bytes;
	en->test_lim.max_tokens = max_tokens;
}

void engine_interrupt(engine *en)
{
	atomic_store(&en->interrupted, 1);
	en->stop_flag = true;
}

void engine_clear_interrupt(engine *en)
{
	atomic_store(&en->interrupted, 0);
	en->stop_flag = false;
}

const settings *engine_settings(const engine *en)
{
	return en->cfg;
}

const run_report *engine_report(engine *en)
{
	return &en->rep;
}

static int need_provider(engine *en, sb_err *e)
{
	if (en->prov)
		return 0;
	if (e)
		*e = en->prov_err;
	return -1;
}

/* ---- building requests (phase 2 and live retries) ---- */

typedef struct built {
	sb_request rq;
	char *cid, *user;
	prepared_image img;
	bool has_img;
	long tokens;
	file_state fail_state; /* FS_ERROR / FS_FILE_NOT_FOUND when it could not be built */
	char *why;
} built;

static void built_free(built *b)
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
	if (o && json_object_object_get_ex(o, "keywords", &v) && json_object_is_type(v, json_type_array))
		for (size_t i = 0; i < json_object_array_length(v) && nkw < 10; i++)
			kw[nkw++] = json_object_get_string(json_object_array_get_idx(v, i));
	char *t = prompt_alternative(en->pr, kind + 4, title, desc, kw, nkw);
	json_object_put(o);
	return t;
}

static void build_one(engine *en, const batch_info *b, const file_entry *f, built *out)
{
	memset(out, 0, sizeof *out);
	out->cid = custom_id_of(f, b->id);
	out->rq.custom_id = out->cid;
	out->rq.model = b->model[0] ? b->model : en->cfg->model;
	out->rq.detail = en->cfg->image_detail ? en->cfg->image_detail : "high";
	out->rq.max_tokens = 1200;
	if (is_alt_kind(b->kind)) {
		out->user = alt_user_text(en, b->kind, f->description);
		out->rq.system_prompt = NULL;
		out->rq.schema_json = prompt_alt_schema(en->pr);
		out->rq.schema_name = "stock_metadata";
		out->rq.user_text = out->user;
		out->tokens = tokens_chat("", out->user ? out->user : "");
		if (!out->user) {
			out->fail_state = FS_ERROR;
			out->why = xstrdup(_("cannot build the alternative's prompt"));
		}
		return;
	}
	out->user = prompt_user_text(en->pr, f->description ? f->description : "", f->editorial,
				     f->ed.city, f->ed.country, f->ed.date);
	out->rq.system_prompt = prompt_system(en->pr);
	out->rq.schema_json = prompt_schema(en->pr);
	out->rq.schema_name = "stock_metadata";
	out->rq.user_text = out->user;

	char *path = settings_map_path(en->cfg, f->cesta);
	if (!path || access(path, R_OK) != 0) {
		out->fail_state = FS_FILE_NOT_FOUND;
		out->why = xasprintf(_("file not found: %s (Cesta %s); check path_map in the config"),
				     path ? path : "?", f->cesta);
		free(path);
		return;
	}
	char *img_path = NULL;
	if (mediacsv_media_kind(path_basename(path)) == MC_IMAGE) {
		img_path = xstrdup(path);
	} else {
		/* video or other: a JPEG sidecar gives a poster frame */
		char *dot = strrchr(path, '.');
		size_t stem = dot ? (size_t)(dot - path) : strlen(path);
		static const char *const ext[] = { ".jpg", ".JPG", ".jpeg" };
		for (size_t i = 0; i < 3 && !img_path; i++) {
			char *c = xasprintf("%.*s%s", (int)stem, path, ext[i]);
			if (file_exists(c))
				img_path = c;
			else
				free(c);
		}
	}
	if (img_path) {
		sb_err e;
		sb_err_clear(&e);
		if (image_prepare(img_path, provider_caps_named(b->provider), out->rq.model, out->rq.detail,
				  en->cfg->jpeg_quality, &out->img, &e) < 0) {
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
	out->tokens = tokens_chat(out->rq.system_prompt ? out->rq.system_prompt : "", out->user ? out->user : "");
	if (out->has_img)
		out->tokens += provider_caps_named(b->provider)->image_tokens(out->rq.model, out->rq.detail,
									      out->img.w, out->img.h);
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
		if (!stopping(j->en))
			build_one(j->en, j->b, &j->files[j->idx[i]], &j->out[i]);
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

/* ---- phase 0: recovery and archive ---- */

static char *intent_path(engine *en, const char *bid)
{
	return store_batch_path(en->st, bid, "intent.json");
}

static int mark_sent(engine *en, batch_info *b, const prov_batch *pb, sb_err *e)
{
	if (pb) {
		snprintf(b->provider_batch_id, sizeof b->provider_batch_id, "%s", pb->id);
		if (pb->input_file_id[0])
			snprintf(b->input_file_id, sizeof b->input_file_id, "%s", pb->input_file_id);
		if (!b->sent)
			b->sent = time(NULL);
		if (store_update(en->st, b, e) < 0)
			return -1;
	}
	if (store_set_state(en->st, b->id, BS_SENT, NULL, e) < 0)
		return -1;
	b->state = BS_SENT;
	char *ip = intent_path(en, b->id);
	unlink(ip);
	free(ip);
	return 0;
}

/* A ready batch whose create may have happened: ask the provider.
 * Returns 1 = it is at the provider (now sent), 0 = it was never created
 * (safe to send), -1 = cannot tell now (stays ready, or paused). */
static int reconcile(engine *en, batch_info *b)
{
	sb_err e;
	sb_err_clear(&e);
	if (b->provider_batch_id[0])
		return mark_sent(en, b, NULL, &e) == 0 ? 1 : -1;
	char *ip = intent_path(en, b->id);
	bool intent = file_exists(ip);
	if (!intent) {
		free(ip);
		return 0;
	}
	if (need_provider(en, &e) < 0) {
		free(ip);
		return -1;
	}
	prov_batch pb;
	memset(&pb, 0, sizeof pb);
	if (provider_find_ours(en->prov, b->id, &pb, &e) == 0) {
		sb_log(LOG_INFO, _("batch %s: found at the provider as %s after an interruption"), b->id,
		       pb.id);
		int rc = mark_sent(en, b, &pb, &e);
		prov_batch_clear(&pb);
		free(ip);
		return rc == 0 ? 1 : -1;
	}
	prov_batch_clear(&pb);
	if (e.code == SBE_NOTFOUND) {
		unlink(ip);
		free(ip);
		return 0;
	}
	free(ip);
	if (e.code == SBE_NETWORK || e.code == SBE_RATE) {
		sb_log(LOG_WARN, _("batch %s: cannot check the provider yet (%s); will retry"), b->id,
		       e.msg);
		return -1;
	}
	char note[256];
	snprintf(note, sizeof note,
		 _("interrupted while sending; could not check the provider (%s): check its dashboard, then resume"),
		 e.msg);
	sb_err e2;
	store_set_state(en->st, b->id, BS_PAUSED, note, &e2);
	sb_log(LOG_WARN, _("batch %s paused: %s"), b->id, note);
	return -1;
}

static void recover_splits(engine *en);

static int phase_recover(engine *en, sb_err *e)
{
	(void)e;
	recover_splits(en);
	batch_info *bs;
	size_t n = store_list(en->st, &bs);
	time_t now = time(NULL);
	for (size_t i = 0; i < n && !stopping(en); i++) {
		batch_info *b = &bs[i];
		if (b->state == BS_READY)
			reconcile(en, b);
		bool final = b->state == BS_COMPLETED || b->state == BS_FAILED ||
			     b->state == BS_CANCELLED || b->state == BS_EXPIRED;
		time_t done = b->completed ? b->completed : b->created;
		if (final && en->cfg->archive_days > 0 && done > 0 &&
		    now - done > (time_t)en->cfg->archive_days * 86400) {
			sb_err ae;
			if (archive_batch(en->st, b->id, &ae) < 0)
				sb_log(LOG_WARN, _("batch %s: not archived: %s"), b->id, ae.msg);
			else
				sb_log(LOG_INFO, _("batch %s archived"), b->id);
		}
	}
	free(bs);
	return 0;
}

/* ---- phase 1: retrieve, validate, commit ---- */

typedef struct item {
	file_entry *f;
	char *cid;
	meta_record rec;
	bool have;      /* a valid record waits for the commit */
	bool seen;      /* a result line was read */
	bool failed;    /* needs a live retry or the dead-letter list */
	bool alt;       /* an alternative: text only, no categories */
	char *why, *raw;
	int repaired;
} item;

typedef struct rctx {
	engine *en;
	batch_info *b;
	item *items;
	size_t n;
	size_t *order; /* items sorted by custom id */
	size_t unknown, repaired;
	long in_tokens, out_tokens;
	size_t waiting;   /* valid records not committed yet */
	bool group_failed;
	mediacsv *csv;    /* the CSV as this run found it, read on first need */
	bool csv_tried;
} rctx;

/* The file's row was committed before this run (a kill between the CSV
 * commit and its journal lines, or another tool): it changed since the
 * description was saved and waits for no agency any more. */
static bool row_committed_before(const mediacsv *m, const file_entry *f)
{
	if (!m || !f->fingerprint[0] || f->alt_of)
		return false;
	long r = mediacsv_find(m, f->cesta);
	if (r < 0)
		return false;
	char fp[17];
	mediacsv_fingerprint(m, (size_t)r, fp);
	return strcmp(fp, f->fingerprint) != 0 && !mediacsv_row_unprocessed(m, (size_t)r);
}

#define ALREADY_COMMITTED N_("already processed in the CSV (committed before an interruption, or by another tool): not sent again")

static void queue_alternative(engine *en, const batch_info *orig, const char *orig_cesta, const char *desc,
			      const char *tag, const char *alt_cesta);
static bool local_exists(engine *en, const char *cesta);
static char *record_json(const meta_record *m);

/* A file found committed before this run: its text-only alternatives are
 * queued again from the committed row (the commit queues them before the
 * journal says saved_to_csv, so a kill in between lost nothing but the
 * queueing), then the file is settled saved_to_csv. */
static int settle_already(engine *en, const batch_info *b, const mediacsv *m, const file_entry *f)
{
	long r = mediacsv_find(m, f->cesta);
	if (r >= 0 && en->cfg->nalternatives > 0) {
		/* the committed row as the original's result (a view: nothing owned) */
		char *all = xstrdup(mediacsv_field(m, (size_t)r, MC_KLICOVA)), *save = NULL;
		char **kw = xcalloc(strlen(all) / 2 + 1, sizeof *kw);
		meta_record rec = { .title = (char *)mediacsv_field(m, (size_t)r, MC_NAZEV),
				    .description = (char *)mediacsv_field(m, (size_t)r, MC_POPIS), .keywords = kw };
		for (char *t = strtok_r(all, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			while (*t == ' ')
				t++;
			if (*t)
				kw[rec.nkeywords++] = t;
		}
		char *desc = record_json(&rec);
		for (int a = 0; a < en->cfg->nalternatives; a++) {
			const char *tag = en->cfg->alternatives[a];
			char *ac = engine_alt_cesta(f->cesta, tag);
			if (ac && strcmp(tag, "sharpen") != 0 && local_exists(en, ac))
				queue_alternative(en, b, f->cesta, desc, tag, ac);
			free(ac);
		}
		free(desc);
		free(kw);
		free(all);
	}
	if (set_fstate(en, b->id, f->cesta, FS_SAVED_TO_CSV, _(ALREADY_COMMITTED)) < 0)
		return -1;
	sb_log(LOG_INFO, "%s: %s", f->cesta, _(ALREADY_COMMITTED));
	return 0;
}

static rctx *sort_ctx;
static int cmp_cid(const void *a, const void *b)
{
	const item *it = sort_ctx->items;
	return strcmp(it[*(const size_t *)a].cid, it[*(const size_t *)b].cid);
}

static item *find_item(rctx *c, const char *cid)
{
	size_t lo = 0, hi = c->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int r = strcmp(c->items[c->order[mid]].cid, cid);
		if (r == 0)
			return &c->items[c->order[mid]];
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void item_fail(item *it, char *why, const char *raw)
{
	free(it->why);
	free(it->raw);
	it->why = why;
	it->raw = raw ? xstrdup(raw) : NULL;
	it->failed = true;
}

/* Judge one answer: parse, validate, repair. */
static void judge(engine *en, item *it, const sb_result *r)
{
	it->seen = true;
	if (!r->ok) {
		item_fail(it, xasprintf(_("provider error (HTTP %d): %s"), r->http_status,
					r->error ? r->error : "?"),
			  r->error);
		return;
	}
	meta_record m;
	memset(&m, 0, sizeof m);
	sb_err e;
	sb_err_clear(&e);
	const char *content = r->content ? r->content : "";
	if (meta_parse(content, strlen(content), &m, &e) < 0) {
		meta_free(&m);
		item_fail(it, xasprintf(_("invalid JSON from the model: %s"), e.msg), content);
		return;
	}
	meta_check chk;
	memset(&chk, 0, sizeof chk);
	/* editorial facts let the validator add or fix the prefix itself */
	meta_opts mo = { .editorial = it->f->editorial, .no_categories = it->alt };
	if (it->f->editorial) {
		mo.city = it->f->ed.city[0] ? it->f->ed.city : NULL;
		mo.country = it->f->ed.country[0] ? it->f->ed.country : NULL;
		mo.date = it->f->ed.date[0] ? it->f->ed.date : NULL;
	}
	if (meta_validate_opts(&m, en->cfg, en->al, &mo, &chk) < 0) {
		meta_free(&m);
		item_fail(it, xasprintf(_("agency rules not met: %s"), chk.why), content);
		return;
	}
	if (it->have)
		meta_free(&it->rec);
	it->rec = m;
	it->have = true;
	it->failed = false;
	it->repaired = chk.repaired;
	free(it->why);
	it->why = NULL;
}

static int commit_items(engine *en, rctx *c, sb_err *e);

static int on_result(const sb_result *r, void *ctx)
{
	rctx *c = ctx;
	item *it = r->custom_id ? find_item(c, r->custom_id) : NULL;
	if (!it) {
		c->unknown++;
		sb_log(LOG_WARN, _("batch %s: result for an unknown id \"%s\" ignored"), c->b->id,
		       r->custom_id ? r->custom_id : "");
		return 0;
	}
	c->in_tokens += r->in_tokens;
	c->out_tokens += r->out_tokens;
	if (it->have || fstate_final(it->f->state))
		return 0; /* a duplicate line or already done */
	judge(c->en, it, r);
	if (it->have && ++c->waiting >= COMMIT_GROUP && !c->group_failed) {
		sb_err e;
		sb_err_clear(&e);
		if (commit_items(c->en, c, &e) < 0)
			c->group_failed = true; /* the final commit tries again and reports */
	}
	return 0;
}

/* Live retries of one failed item (seed 000 #12): up to 3 attempts in all,
 * counted in the store so a crash does not reset them. */
static int live_retry(engine *en, rctx *c, item *it, sb_err *fatal)
{
	int rate_waits = 0;
	if (it->failed && !it->alt) {
		if (!c->csv_tried) {
			sb_err le;
			sb_err_clear(&le);
			c->csv_tried = true;
			if (mediacsv_load(en->cfg->media_csv, &c->csv, &le) < 0)
				c->csv = NULL;
		}
		if (row_committed_before(c->csv, it->f) && settle_already(en, c->b, c->csv, it->f) == 0) {
			it->f->state = FS_SAVED_TO_CSV;
			it->failed = false;
			return 0;
		}
	}
	while (it->failed && it->f->attempts < LIVE_ATTEMPTS && !stopping(en)) {
		built bl;
		build_one(en, c->b, it->f, &bl);
		if (bl.fail_state) {
			it->f->attempts = LIVE_ATTEMPTS;
			item_fail(it, bl.why, NULL);
			bl.why = NULL;
			built_free(&bl);
			break;
		}
		sb_result r;
		memset(&r, 0, sizeof r);
		sb_err e;
		sb_err_clear(&e);
		/* the live limiter: rpm/tpm buckets, concurrency cap, 429 cool-down */
		long est = bl.tokens + EST_OUT_TOKENS;
		if (rl_acquire(en->rl, est, &en->stop_flag) < 0) {
			built_free(&bl);
			break;
		}
		int rc = en->prov->ops->live(en->prov, &bl.rq, &r, &e);
		rl_done(en->rl, est, rc == 0 ? r.in_tokens + r.out_tokens : est);
		built_free(&bl);
		if (rc < 0 && e.code == SBE_AUTH) {
			*fatal = e;
			sb_result_free(&r);
			return -1;
		}
		if (rc < 0 && e.code == SBE_RATE && rate_waits++ < 10) {
			sb_result_free(&r);
			rl_cooldown(en->rl, e.retry_after);
			continue;
		}
		if (rc == 0)
			rl_success(en->rl);
		it->f->attempts++;
		rep_add(en, &en->rep.retried, 1);
		if (rc < 0)
			item_fail(it, xasprintf(_("live retry failed: %s"), e.msg), NULL);
		else {
			c->in_tokens += r.in_tokens;
			c->out_tokens += r.out_tokens;
			rep_cost(en, &en->rep.actual_cost,
				 cost_usd(c->b->model, false, r.in_tokens, r.out_tokens));
			judge(en, it, &r);
		}
		sb_result_free(&r);
		sb_err ue;
		store_file_update(en->st, c->b->id, it->f, &ue);
	}
	return 0;
}

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
	item *it;        /* the item this update belongs to */
	bool is_alt;     /* an alternative's row (MCU_ALTERNATIVE) */
} upd;

/* Queue a text-only alternative for its batch of kind alt_<tag>: desc is
 * the original's result as JSON (title, description, keywords). */
static void queue_alternative(engine *en, const batch_info *orig, const char *orig_cesta, const char *desc,
			      const char *tag, const char *alt_cesta)
{
	char held[40];
	file_state known;
	if (store_file_batch(en->st, alt_cesta, held))
		return;
	if (store_file_known(en->st, alt_cesta, &known) &&
	    (known == FS_SAVED_TO_CSV || known == FS_REJECTED || known == FS_SKIPPED))
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
	f.alt_of = (char *)orig_cesta;
	if (store_add_file(en->st, ab.id, &f, &e) < 0 && e.code != SBE_CONFLICT)
		sb_log(LOG_WARN, "%s", e.msg);
	int bs = en->cfg->alt_batch_size > 0 ? en->cfg->alt_batch_size : 2000;
	store_seal_if_full(en->st, ab.id, (size_t)bs, &e);
}

/* After the retries: a final item counts as failed if it ended in error;
 * a failed one out of attempts (or given up) is dead-lettered; anything
 * else keeps the batch open. */
static void settle_item(engine *en, const batch_info *b, item *it, bool give_up, size_t *failed,
			size_t *unresolved)
{
	if (fstate_final(it->f->state)) {
		*failed += it->f->state == FS_DEAD || it->f->state == FS_ERROR;
		return;
	}
	if (!it->failed || (it->f->attempts < LIVE_ATTEMPTS && !give_up)) {
		(*unresolved)++;
		return;
	}
	dead_letter(en, b->id, it->f, it->cid, it->why, it->raw);
	if (set_fstate(en, b->id, it->f->cesta, FS_DEAD, it->why) < 0) {
		(*unresolved)++;
		return;
	}
	it->f->state = FS_DEAD;
	rep_add(en, &en->rep.failed, 1);
	(*failed)++;
}

static size_t build_updates(engine *en, const batch_info *b, item *items, size_t n, upd **out)
{
	size_t cap = n * (1 + (size_t)en->cfg->nalternatives) + 1, k = 0;
	upd *u = xcalloc(cap, sizeof *u);
	bool alt_batch = is_alt_kind(b->kind);
	for (size_t i = 0; i < n; i++) {
		item *it = &items[i];
		if (!it->have || fstate_final(it->f->state))
			continue;
		upd *x = &u[k++];
		x->it = it;
		x->u.kind = MCU_SAVE;
		x->u.cesta = it->f->cesta;
		x->u.fingerprint = it->f->fingerprint[0] && !alt_batch ? it->f->fingerprint : NULL;
		x->u.title = it->rec.title;
		x->u.description = it->rec.description;
		x->u.keywords = (const char *const *)it->rec.keywords;
		x->u.nkeywords = it->rec.nkeywords;
		x->u.editorial = it->f->editorial;
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
			if (!ac || !local_exists(en, ac)) {
				free(ac);
				continue;
			}
			upd *y = &u[k++];
			y->it = it;
			y->is_alt = true;
			y->alt_cesta = ac;
			y->alt_tag = xstrdup(tag);
			y->u.kind = MCU_ALTERNATIVE;
			y->u.cesta = ac;
			y->u.alt_of = it->f->cesta;
			y->u.alt_soubor = path_basename(ac);
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

/* One CSV commit for the batch; file states follow the per-row outcome. */
static int commit_items(engine *en, rctx *c, sb_err *e)
{
	upd *u;
	size_t k = build_updates(en, c->b, c->items, c->n, &u);
	if (k == 0) {
		free(u);
		return 0;
	}
	mc_update *arr = xcalloc(k, sizeof *arr);
	for (size_t i = 0; i < k; i++)
		arr[i] = u[i].u;
	mc_commit_opts o = { 0 };
	o.title_max = en->cfg->title_max;
	o.backups = en->cfg->backups;
	o.backup_session = en->session;
	mc_commit_result res;
	memset(&res, 0, sizeof res);
	pthread_mutex_lock(&en->commit_mu);
	int rc = mediacsv_commit(en->cfg->media_csv, arr, k, &o, &res, e);
	pthread_mutex_unlock(&en->commit_mu);
	free(arr);
	if (rc < 0) {
		free_updates(u, k);
		return -1;
	}
	/* Alternatives are queued before their original is marked saved: a kill
	 * in between re-commits the original ("already") and queues them again,
	 * where the other order would lose them for good. */
	for (size_t i = 0; i < k; i++) {
		int st = res.status ? res.status[i] : 0;
		if (u[i].is_alt && (st == 0 || st == 1) && strcmp(u[i].alt_tag, "sharpen") != 0)
		{
			char *desc = record_json(&u[i].it->rec);
			queue_alternative(en, c->b, u[i].it->f->cesta, desc, u[i].alt_tag, u[i].alt_cesta);
			free(desc);
		}
	}
	for (size_t i = 0; i < k; i++) {
		item *it = u[i].it;
		int st = res.status ? res.status[i] : 0;
		if (u[i].is_alt)
			continue;
		if (st == 0 || st == 1) {
			if (set_fstate(en, c->b->id, it->f->cesta, FS_SAVED_TO_CSV, NULL) < 0)
				continue; /* stays unresolved: the batch is not closed */
			it->f->state = FS_SAVED_TO_CSV;
			rep_add(en, &en->rep.committed, 1);
			rep_add(en, &en->rep.succeeded, 1);
			if (it->repaired)
				rep_add(en, &en->rep.repaired, 1);
		} else {
			const char *why = st == 2
				? _("the CSV row was changed by someone else since the description was saved; their edit was kept, the result is in the batch folder")
				: _("the CSV has no row with this Cesta any more");
			char *raw = record_json(&it->rec);
			dead_letter(en, c->b->id, it->f, it->cid, why, raw);
			free(raw);
			if (set_fstate(en, c->b->id, it->f->cesta, FS_ERROR, why) < 0)
				continue;
			it->f->state = FS_ERROR;
			if (st == 2)
				rep_add(en, &en->rep.conflicts, 1);
			rep_add(en, &en->rep.failed, 1);
		}
	}
	mc_commit_result_free(&res);
	free_updates(u, k);
	/* committed records are not needed any more */
	for (size_t i = 0; i < c->n; i++)
		if (c->items[i].have && fstate_final(c->items[i].f->state)) {
			meta_free(&c->items[i].rec);
			c->items[i].have = false;
		}
	c->waiting = 0;
	return 0;
}

static batch_state final_of(pb_state s)
{
	switch (s) {
	case PB_COMPLETED: return BS_COMPLETED;
	case PB_EXPIRED: return BS_EXPIRED;
	case PB_FAILED: return BS_FAILED;
	case PB_CANCELLED: return BS_CANCELLED;
	default: return BS_SENT;
	}
}

/* Download a result file into the batch folder; a local copy from an
 * earlier, interrupted run serves when the provider no longer has it. */
static int fetch(engine *en, const char *bid, const char *file_id, const char *name, char **path,
		 sb_err *e)
{
	*path = store_batch_path(en->st, bid, name);
	if (!file_id || !*file_id) {
		free(*path);
		*path = NULL;
		return 0;
	}
	if (en->prov->ops->download(en->prov, file_id, *path, e) == 0)
		return 0;
	if (file_exists(*path)) {
		sb_log(LOG_WARN, _("batch %s: using the local %s (%s)"), bid, name, e->msg);
		return 0;
	}
	return -1;
}

static void write_extra(engine *en, rctx *c, size_t failed)
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
	sb_err e;
	if (report_batch_write(en->st, c->b->id, &x, &e) < 0)
		sb_log(LOG_WARN, "%s", e.msg);
}

/* Everything for one sent batch.  Returns 0 (done or still waiting), -1 with
 * e set on a failure that should be shown (auth, CSV). */
static int retrieve_batch(engine *en, batch_info *b, sb_err *e)
{
	prov_batch pb;
	memset(&pb, 0, sizeof pb);
	if (!b->provider_batch_id[0]) {
		/* sent without an id cannot happen; reconcile by our id */
		if (provider_find_ours(en->prov, b->id, &pb, e) < 0)
			return -1;
		snprintf(b->provider_batch_id, sizeof b->provider_batch_id, "%s", pb.id);
		store_update(en->st, b, e);
		prov_batch_clear(&pb);
	}
	if (en->prov->ops->get(en->prov, b->provider_batch_id, &pb, e) < 0) {
		if (e->code == SBE_NOTFOUND) {
			char note[256];
			snprintf(note, sizeof note,
				 _("the provider does not know batch %s any more; use retry-failed to resend its files"),
				 b->provider_batch_id);
			sb_err e2;
			store_set_state(en->st, b->id, BS_PAUSED, note, &e2);
			return 0;
		}
		return -1;
	}
	batch_state to = final_of(pb.state);
	if (to == BS_SENT) {
		rep_add(en, &en->rep.still_waiting, 1);
		progress(en, b->id, (size_t)(pb.completed + pb.failed), (size_t)pb.total);
		prov_batch_clear(&pb);
		return 0;
	}
	if (pb.output_file_id[0])
		snprintf(b->output_file_id, sizeof b->output_file_id, "%s", pb.output_file_id);
	if (pb.error_file_id[0])
		snprintf(b->error_file_id, sizeof b->error_file_id, "%s", pb.error_file_id);
	store_update(en->st, b, e);

	char *outp = NULL, *errp = NULL;
	int rc = -1;
	file_entry *files = NULL;
	size_t n = 0;
	rctx c = { 0 };
	if (fetch(en, b->id, pb.output_file_id, "output.jsonl", &outp, e) < 0 ||
	    fetch(en, b->id, pb.error_file_id, "errors.jsonl", &errp, e) < 0)
		goto out;
	if (pb.inline_results && !outp) {
		outp = store_batch_path(en->st, b->id, "output.jsonl");
		if (atomic_write(outp, pb.inline_results, strlen(pb.inline_results), 0600, e) < 0)
			goto out;
	}

	store_files(en->st, b->id, &files, &n);
	c.en = en;
	c.b = b;
	c.n = n;
	c.items = xcalloc(n ? n : 1, sizeof *c.items);
	c.order = xcalloc(n ? n : 1, sizeof *c.order);
	for (size_t i = 0; i < n; i++) {
		c.items[i].f = &files[i];
		c.items[i].cid = custom_id_of(&files[i], b->id);
		c.items[i].alt = is_alt_kind(b->kind);
		c.order[i] = i;
	}
	pthread_mutex_lock(&en->commit_mu); /* qsort's comparator uses a static */
	sort_ctx = &c;
	qsort(c.order, n, sizeof *c.order, cmp_cid);
	sort_ctx = NULL;
	pthread_mutex_unlock(&en->commit_mu);

	if (outp && provider_read_results(en->prov, outp, on_result, &c, e) < 0)
		goto out;
	if (errp && provider_read_results(en->prov, errp, on_result, &c, e) < 0)
		goto out;

	/* which items need a decision */
	for (size_t i = 0; i < n; i++) {
		item *it = &c.items[i];
		if (fstate_final(it->f->state) || it->have)
			continue;
		if (!it->seen) {
			const char *why = to == BS_EXPIRED ? _("missing from the expired batch")
					  : to == BS_CANCELLED ? _("the batch was cancelled before this item ran")
					  : to == BS_FAILED ? _("the provider failed the batch")
							     : _("no result line for this item");
			item_fail(it, xstrdup(why), NULL);
		}
	}
	/* live retries: not for a cancelled batch, the user stopped it */
	sb_err fatal;
	sb_err_clear(&fatal);
	for (size_t i = 0; i < n && to != BS_CANCELLED; i++) {
		item *it = &c.items[i];
		if (it->failed && !fstate_final(it->f->state) && !local_exists(en, it->f->cesta) &&
		    !is_alt_kind(b->kind)) {
			if (set_fstate(en, b->id, it->f->cesta, FS_FILE_NOT_FOUND,
				       _("the file is gone; nothing to retry")) == 0)
				it->f->state = FS_FILE_NOT_FOUND;
			it->failed = false;
			rep_add(en, &en->rep.skipped, 1);
			continue;
		}
		if (it->failed && !fstate_final(it->f->state))
			if (live_retry(en, &c, it, &fatal) < 0)
				break;
		progress(en, b->id, i + 1, n);
	}

	if (commit_items(en, &c, e) < 0) {
		sb_log(LOG_ERROR, _("batch %s: results not committed: %s"), b->id, e->msg);
		goto out;
	}

	/* dead letters: failed and out of attempts (or cancelled) */
	size_t failed = 0, unresolved = 0;
	for (size_t i = 0; i < n; i++)
		settle_item(en, b, &c.items[i], to == BS_CANCELLED, &failed, &unresolved);
	if (fatal.code) {
		*e = fatal;
		goto out;
	}
	if (unresolved) {
		/* interrupted during live retries: the batch stays sent, done next run */
		rc = 0;
		goto out;
	}

	double usd = cost_usd(b->model, true, c.in_tokens, c.out_tokens);
	b->actual_cost = usd;
	b->completed = time(NULL);
	store_update(en->st, b, e);
	store_cost_log(en->st, b->id, "actual", usd, c.in_tokens + c.out_tokens, e);
	rep_cost(en, &en->rep.actual_cost, usd);

	char note[256] = "";
	if (to == BS_FAILED && pb.errors) {
		snprintf(note, sizeof note, _("the provider rejected the input file: %s"), pb.errors);
		for (char *p = note; *p; p++)
			if (*p == '\n')
				*p = ';';
	}
	if (store_set_state(en->st, b->id, to, note[0] ? note : NULL, e) < 0)
		goto out;
	write_extra(en, &c, failed);
	rep_add(en, &en->rep.batches_done, 1);
	size_t committed = 0;
	for (size_t i = 0; i < n; i++)
		committed += c.items[i].f->state == FS_SAVED_TO_CSV;
	sb_log(LOG_INFO, _("batch %s %s: %zu committed, %zu failed, $%.4f"), b->id,
	       batch_state_name(to), committed, failed, usd);
	/* provider files are deleted only after the commit and the flip */
	sb_err de;
	if (b->input_file_id[0])
		en->prov->ops->delete_file(en->prov, b->input_file_id, &de);
	if (pb.output_file_id[0])
		en->prov->ops->delete_file(en->prov, pb.output_file_id, &de);
	if (pb.error_file_id[0])
		en->prov->ops->delete_file(en->prov, pb.error_file_id, &de);
	rc = 0;
out:
	mediacsv_free(c.csv);
	for (size_t i = 0; i < c.n; i++) {
		free(c.items[i].cid);
		free(c.items[i].why);
		free(c.items[i].raw);
		if (c.items[i].have)
			meta_free(&c.items[i].rec);
	}
	free(c.items);
	free(c.order);
	if (files)
		file_entries_free(files, n);
	free(outp);
	free(errp);
	prov_batch_clear(&pb);
	return rc;
}

typedef struct pool {
	engine *en;
	batch_info *bs;
	size_t n, next, done;
	pthread_mutex_t mu;
	sb_err err;
	bool failed;
} pool;

static void *pool_thread(void *arg)
{
	pool *p = arg;
	for (;;) {
		pthread_mutex_lock(&p->mu);
		size_t i = p->next < p->n && !stopping(p->en) ? p->next++ : (size_t)-1;
		pthread_mutex_unlock(&p->mu);
		if (i == (size_t)-1)
			break;
		sb_err e;
		sb_err_clear(&e);
		int rc = retrieve_batch(p->en, &p->bs[i], &e);
		pthread_mutex_lock(&p->mu);
		p->done++;
		if (rc < 0) {
			sb_log(e.code == SBE_NETWORK ? LOG_WARN : LOG_ERROR, _("batch %s: %s"),
			       p->bs[i].id, e.msg);
			if (!p->failed || e.code == SBE_AUTH) {
				p->err = e;
				p->failed = true;
			}
		}
		pthread_mutex_unlock(&p->mu);
	}
	return NULL;
}

static int phase_retrieve(engine *en, sb_err *e)
{
	batch_info *all;
	size_t na = store_list(en->st, &all), n = 0;
	for (size_t i = 0; i < na; i++)
		if (all[i].state == BS_SENT)
			all[n++] = all[i];
	if (n == 0) {
		free(all);
		return 0;
	}
	if (need_provider(en, e) < 0) {
		free(all);
		return -1;
	}
	pool p = { .en = en, .bs = all, .n = n };
	pthread_mutex_init(&p.mu, NULL);
	size_t nt = n < RETRIEVE_THREADS ? n : RETRIEVE_THREADS;
	pthread_t t[RETRIEVE_THREADS];
	size_t started = 0;
	for (size_t i = 1; i < nt; i++)
		if (pthread_create(&t[started], NULL, pool_thread, &p) == 0)
			started++;
	pool_thread(&p);
	for (size_t i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	pthread_mutex_destroy(&p.mu);
	free(all);
	if (p.failed) {
		*e = p.err;
		/* a network failure is not the run's failure: the batch is polled again */
		return p.err.code == SBE_NETWORK || p.err.code == SBE_RATE ? 0 : -1;
	}
	return 0;
}

/* ---- phase 2: send ---- */

/* ---- splitting a batch too big for one provider batch ----
 * Our batch keeps the first chunk; every other chunk becomes a new ready
 * batch of ours.  A file must never be in two active batches, so a move is
 * "remove, then add", and a crash between the two would lose the file: the
 * whole plan (every moved entry with its description) is written first to
 * split.jsonl in the source batch, and finish_split replays it after a
 * crash (phase 0 and before any send) until each file is in its target. */

static char *split_path(engine *en, const char *bid)
{
	return store_batch_path(en->st, bid, "split.jsonl");
}

static void plan_line(sbuf *out, const char *to, const file_entry *f)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "to", json_object_new_string(to));
	json_object_object_add(o, "cesta", json_object_new_string(f->cesta));
	json_object_object_add(o, "description", json_object_new_string(f->description ? f->description : ""));
	json_object_object_add(o, "state", json_object_new_string(file_state_name(
		f->state == FS_PENDING ? FS_PENDING : FS_DESCRIPTION_SAVED)));
	json_object_object_add(o, "editorial", json_object_new_boolean(f->editorial));
	json_object_object_add(o, "city", json_object_new_string(f->ed.city));
	json_object_object_add(o, "country", json_object_new_string(f->ed.country));
	json_object_object_add(o, "date", json_object_new_string(f->ed.date));
	json_object_object_add(o, "fingerprint", json_object_new_string(f->fingerprint));
	if (f->alt_of)
		json_object_object_add(o, "alt_of", json_object_new_string(f->alt_of));
	sbuf_adds(out, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	sbuf_addc(out, '\n');
	json_object_put(o);
}

static const char *jstr(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string)
		? json_object_get_string(v) : "";
}

/* Move one planned entry from bid to its target (idempotent). */
static int move_planned(engine *en, const char *bid, json_object *o, sb_err *e)
{
	const char *to = jstr(o, "to"), *cesta = jstr(o, "cesta");
	if (!*to || !*cesta)
		return 0;
	char held[40];
	if (store_file_batch(en->st, cesta, held)) {
		if (strcmp(held, to) == 0)
			return 0; /* already moved */
		if (strcmp(held, bid) != 0) {
			sb_log(LOG_WARN, _("batch %s: %s is in batch %s now; not moved to %s"), bid, cesta,
			       held, to);
			return 0;
		}
		file_entry cur;
		memset(&cur, 0, sizeof cur);
		if (store_file_get(en->st, bid, cesta, &cur) == 0) {
			bool sent = cur.state == FS_BATCH_SENT;
			file_entries_free(&cur, 1);
			/* a half-done send of the whole batch (never created) */
			if (sent)
				set_fstate(en, bid, cesta, FS_DESCRIPTION_SAVED, NULL);
		}
		if (store_remove_file(en->st, bid, cesta, e) < 0)
			return -1;
	}
	file_entry f;
	memset(&f, 0, sizeof f);
	f.cesta = (char *)cesta;
	f.description = (char *)jstr(o, "description");
	if (file_state_parse(jstr(o, "state"), &f.state) < 0)
		f.state = FS_DESCRIPTION_SAVED;
	json_object *v;
	f.editorial = json_object_object_get_ex(o, "editorial", &v) && json_object_get_boolean(v);
	snprintf(f.ed.city, sizeof f.ed.city, "%s", jstr(o, "city"));
	snprintf(f.ed.country, sizeof f.ed.country, "%s", jstr(o, "country"));
	snprintf(f.ed.date, sizeof f.ed.date, "%s", jstr(o, "date"));
	snprintf(f.fingerprint, sizeof f.fingerprint, "%s", jstr(o, "fingerprint"));
	if (*jstr(o, "alt_of"))
		f.alt_of = (char *)jstr(o, "alt_of");
	if (store_add_file(en->st, to, &f, e) == 0)
		return 0;
	/* the target is gone or closed: back into the source, never lost */
	sb_err e2;
	sb_log(LOG_WARN, _("batch %s: %s could not move to %s (%s); kept here"), bid, cesta, to, e->msg);
	return store_add_file(en->st, bid, &f, &e2) == 0 ? 0 : (*e = e2, -1);
}

/* Replay a split plan if one is there.  0 = no plan or done. */
static int finish_split(engine *en, const char *bid, sb_err *e)
{
	char *sp = split_path(en, bid), *data = NULL;
	size_t len = 0;
	if (!file_exists(sp)) {
		free(sp);
		return 0;
	}
	if (read_whole_file(sp, &data, &len, e) < 0) {
		free(sp);
		return -1;
	}
	int rc = 0;
	for (char *save = NULL, *line = strtok_r(data, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		json_object *o = json_tokener_parse(line);
		if (!o)
			continue; /* cannot happen: the plan is written atomically */
		if (move_planned(en, bid, o, e) < 0)
			rc = -1;
		json_object_put(o);
		if (rc < 0)
			break;
	}
	free(data);
	if (rc == 0 && unlink(sp) < 0 && errno != ENOENT)
		sb_log(LOG_WARN, _("cannot remove %s: %s"), sp, strerror(errno));
	free(sp);
	return rc;
}

static void recover_splits(engine *en)
{
	batch_info *bs;
	size_t n = store_list(en->st, &bs);
	for (size_t i = 0; i < n; i++) {
		sb_err e;
		sb_err_clear(&e);
		if (finish_split(en, bs[i].id, &e) < 0)
			sb_log(LOG_ERROR, _("batch %s: an interrupted split could not be finished: %s"),
			       bs[i].id, e.msg);
	}
	free(bs);
}

/* Chunks 1.. of the plan go to new ready batches; chunk 0 stays. */
static int split_batch(engine *en, const batch_info *b, const file_entry *files, const size_t *gfile,
		       size_t good, const size_t *starts, size_t nchunks, sb_err *e)
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
			plan_line(&plan, nb.id, &files[gfile[g]]);
		sb_log(LOG_INFO, _("batch %s: %zu files moved to %s (too big for one provider batch)"),
		       b->id, end - starts[c], nb.id);
	}
	char *sp = split_path(en, b->id);
	int rc = atomic_write(sp, plan.p ? plan.p : "", plan.len, 0600, e);
	free(sp);
	sbuf_free(&plan);
	if (rc < 0)
		return -1;
	return finish_split(en, b->id, e);
}

/* ---- live mode (`live` setting, --live; SPEC 4.3) ----
 * Phase 2 sends a ready batch's requests through live_run (the synchronous
 * endpoints, rate-limited) and commits the answers exactly like batch
 * results: the same judge, commit, live retries and dead letters, at live
 * prices.  The batch stays ready until every file is settled, so a crash
 * resends only the files not committed yet (file states decide). */

typedef struct lctx {
	rctx *c;
	item **its;     /* per request */
} lctx;

static int on_live(size_t idx, const sb_result *r, int attempts, void *ctx)
{
	lctx *l = ctx;
	rctx *c = l->c;
	item *it = l->its[idx];
	c->in_tokens += r->in_tokens;
	c->out_tokens += r->out_tokens;
	it->f->attempts = attempts;
	judge(c->en, it, r);
	if (it->have && ++c->waiting >= COMMIT_GROUP && !c->group_failed) {
		sb_err e;
		sb_err_clear(&e);
		if (commit_items(c->en, c, &e) < 0)
			c->group_failed = true; /* the final commit tries again and reports */
	}
	return 0;
}

static int send_live(engine *en, batch_info *b, file_entry *files, size_t n, built *bl,
		     const size_t *idx, size_t m, sb_err *e)
{
	rctx c = { 0 };
	c.en = en;
	c.b = b;
	c.n = n;
	c.items = xcalloc(n ? n : 1, sizeof *c.items);
	for (size_t i = 0; i < n; i++) {
		c.items[i].f = &files[i];
		c.items[i].cid = custom_id_of(&files[i], b->id);
		c.items[i].alt = is_alt_kind(b->kind);
	}
	sb_request *rqs = xcalloc(m ? m : 1, sizeof *rqs);
	long *est = xcalloc(m ? m : 1, sizeof *est);
	item **its = xcalloc(m ? m : 1, sizeof *its);
	size_t k = 0;
	long tokens = 0;
	for (size_t i = 0; i < m; i++) {
		if (bl[i].fail_state)
			continue;
		rqs[k] = bl[i].rq;
		est[k] = bl[i].tokens + EST_OUT_TOKENS;
		its[k] = &c.items[idx[i]];
		tokens += bl[i].tokens;
		k++;
	}
	int rc = -1;
	double usd_est = cost_usd(b->model, false, tokens, (long)k * EST_OUT_TOKENS);
	if (en->cfg->budget > 0 && en->rep.est_cost + usd_est > en->cfg->budget) {
		sb_fail(e, SBE_BUDGET,
			_("batch %s not sent live: its estimate $%.4f would bring this run to $%.4f, over the budget cap $%g by $%.4f; raise `budget` in the config or send fewer photos"),
			b->id, usd_est, en->rep.est_cost + usd_est, en->cfg->budget,
			en->rep.est_cost + usd_est - en->cfg->budget);
		goto out;
	}
	rep_cost(en, &en->rep.est_cost, usd_est);
	store_cost_log(en->st, b->id, "estimate", usd_est, tokens, e);
	sb_log(LOG_INFO, _("batch %s: %zu requests sent live, estimate $%.4f"), b->id, k, usd_est);
	lctx l = { &c, its };
	sb_err fatal;
	sb_err_clear(&fatal);
	if (live_run(en->prov, en->live_rl, rqs, est, k, on_live, &l, &en->stop_flag, &fatal) < 0 &&
	    fatal.code == SBE_AUTH) {
		*e = fatal;
		commit_items(en, &c, &fatal); /* what arrived is kept */
		goto out;
	}
	sb_err_clear(&fatal);
	rep_add(en, &en->rep.sent, k);
	/* an answer that failed validation gets the same live retries as a
	 * batch result */
	for (size_t j = 0; j < k && !stopping(en); j++)
		if (its[j]->failed && !fstate_final(its[j]->f->state))
			if (live_retry(en, &c, its[j], &fatal) < 0)
				break;
	if (commit_items(en, &c, e) < 0) {
		sb_log(LOG_ERROR, _("batch %s: results not committed: %s"), b->id, e->msg);
		goto out;
	}
	double usd = cost_usd(b->model, false, c.in_tokens, c.out_tokens);
	rep_cost(en, &en->rep.actual_cost, usd);
	store_cost_log(en->st, b->id, "actual", usd, c.in_tokens + c.out_tokens, e);
	size_t failed = 0, unresolved = 0;
	for (size_t j = 0; j < k; j++)
		settle_item(en, b, its[j], false, &failed, &unresolved);
	if (fatal.code) {
		*e = fatal;
		goto out;
	}
	if (unresolved) {
		/* interrupted: the batch stays ready, the rest goes next run */
		rc = 0;
		goto out;
	}
	b->est_cost += usd_est;
	b->est_tokens += tokens;
	b->actual_cost += usd;
	b->completed = time(NULL);
	store_update(en->st, b, e);
	if (store_set_state(en->st, b->id, BS_COMPLETED, _("sent live"), e) < 0)
		goto out;
	write_extra(en, &c, failed);
	rep_add(en, &en->rep.batches_done, 1);
	sb_log(LOG_INFO, _("batch %s completed live: %zu requests, %zu failed, $%.4f"), b->id, k,
	       failed, usd);
	rc = 0;
out:
	mediacsv_free(c.csv);
	for (size_t i = 0; i < n; i++) {
		free(c.items[i].cid);
		free(c.items[i].why);
		free(c.items[i].raw);
		if (c.items[i].have)
			meta_free(&c.items[i].rec);
	}
	free(c.items);
	free(rqs);
	free(est);
	free(its);
	return rc;
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
	if (is_alt_kind(b->kind))
		return;
	bool any = false;
	for (size_t i = 0; i < n && !any; i++)
		any = (files[i].state == FS_DESCRIPTION_SAVED || files[i].state == FS_BATCH_SENT ||
		       files[i].state == FS_BATCH_COMPLETED) &&
		      files[i].fingerprint[0] && !files[i].alt_of;
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
		     f->state != FS_BATCH_COMPLETED) || !f->fingerprint[0] || f->alt_of)
			continue;
		if (row_committed_before(m, f)) {
			if (settle_already(en, b, m, f) == 0)
				f->state = FS_SAVED_TO_CSV;
		} else if (f->state == FS_BATCH_COMPLETED &&
			   set_fstate(en, b->id, f->cesta, FS_DESCRIPTION_SAVED, NULL) == 0) {
			f->state = FS_DESCRIPTION_SAVED;
		}
	}
	mediacsv_free(m);
}

static int send_batch(engine *en, batch_info *b, sb_err *e)
{
	int r = reconcile(en, b);
	if (r != 0)
		return 0; /* already out, or cannot tell now */
	if (finish_split(en, b->id, e) < 0)
		return -1;
	file_entry *files = NULL;
	size_t n = 0;
	if (store_files(en->st, b->id, &files, &n) < 0)
		return sb_fail(e, SBE_IO, _("batch %s: cannot read its files"), b->id);
	assign_custom_ids(en, b->id, files, n);
	settle_committed(en, b, files, n);
	size_t *idx = xcalloc(n ? n : 1, sizeof *idx), m = 0;
	for (size_t i = 0; i < n; i++)
		if (files[i].state == FS_DESCRIPTION_SAVED || files[i].state == FS_BATCH_SENT ||
		    files[i].state == FS_PENDING)
			idx[m++] = i;
	built *bl = xcalloc(m ? m : 1, sizeof *bl);
	build_all(en, b, files, idx, m, bl);
	int rc = -1;
	sbuf jsonl = { 0 };
	long *bytes = xcalloc(m ? m : 1, sizeof *bytes), *toks = xcalloc(m ? m : 1, sizeof *toks);
	size_t *starts = xcalloc(m ? m : 1, sizeof *starts);
	size_t *gfile = xcalloc(m ? m : 1, sizeof *gfile); /* good item -> files[] */
	bool *moved = xcalloc(m ? m : 1, sizeof *moved);
	size_t good = 0;
	long tokens = 0;
	char *reqp = store_batch_path(en->st, b->id, "requests.jsonl");
	if (stopping(en)) {
		rc = 0;
		goto out;
	}
	for (size_t i = 0; i < m; i++) {
		file_entry *f = &files[idx[i]];
		if (bl[i].fail_state) {
			/* missing file or unreadable JPEG: marked, the run goes on (#29) */
			set_fstate(en, b->id, f->cesta, bl[i].fail_state, bl[i].why);
			sb_log(LOG_WARN, "%s", bl[i].why);
			rep_add(en, &en->rep.skipped, 1);
			continue;
		}
		if (!f->custom_id || strcmp(f->custom_id, bl[i].cid) != 0) {
			free(f->custom_id);
			f->custom_id = xstrdup(bl[i].cid);
			sb_err ue;
			store_file_update(en->st, b->id, f, &ue);
		}
		size_t before = jsonl.len;
		if (!en->cfg->live) { /* live mode sends the requests themselves */
			if (en->prov->ops->format_request(en->prov, &bl[i].rq, &jsonl, e) < 0)
				goto out;
			sbuf_addc(&jsonl, '\n');
		}
		bytes[good] = (long)(jsonl.len - before);
		toks[good] = bl[i].tokens + EST_OUT_TOKENS;
		tokens += bl[i].tokens;
		gfile[good] = idx[i];
		good++;
	}
	if (good == 0) {
		/* m == 0: only rejects (committed apart) or skipped files in it */
		const char *why = m ? _("no file could be sent") : _("nothing to send");
		if (m)
			sb_log(LOG_WARN, _("batch %s: %s"), b->id, why);
		sb_err e2;
		store_set_state(en->st, b->id, BS_COMPLETED, why, &e2);
		rc = 0;
		goto out;
	}
	if (en->cfg->live) {
		rc = send_live(en, b, files, n, bl, idx, m, e);
		goto out;
	}
	chunk_limits lim;
	chunk_limits_for(b->provider, b->model, &lim);
	if (en->test_lim.max_requests > 0)
		lim.max_requests = en->test_lim.max_requests;
	if (en->test_lim.max_bytes > 0)
		lim.max_bytes = en->test_lim.max_bytes;
	if (en->test_lim.max_tokens > 0)
		lim.max_tokens = en->test_lim.max_tokens;
	size_t oversize = 0, nchunks = chunk_plan(bytes, toks, good, &lim, starts, &oversize);
	if (nchunks > 1 && !oversize) {
		/* too big: the first chunk goes now, the rest as new batches of ours */
		if (split_batch(en, b, files, gfile, good, starts, nchunks, e) < 0)
			goto out;
		size_t keep = starts[1], cut = 0;
		tokens = 0;
		for (size_t g = 0; g < keep; g++) {
			cut += (size_t)bytes[g];
			tokens += toks[g] - EST_OUT_TOKENS;
		}
		for (size_t i = 0; i < m; i++)
			for (size_t g = keep; g < good; g++)
				if (gfile[g] == idx[i])
					moved[i] = true;
		jsonl.len = cut;
		good = keep;
	}
	if (oversize) {
		char note[256];
		snprintf(note, sizeof note,
			 _("a request is too big for a provider batch on its own (%zu parts): lower image_detail, then resume"),
			 nchunks);
		sb_err e2;
		store_set_state(en->st, b->id, BS_PAUSED, note, &e2);
		sb_log(LOG_WARN, _("batch %s paused: %s"), b->id, note);
		rc = 0;
		goto out;
	}
	double est = cost_usd(b->model, true, tokens, (long)good * EST_OUT_TOKENS);
	if (en->cfg->budget > 0 && en->rep.est_cost + est > en->cfg->budget) {
		sb_fail(e, SBE_BUDGET,
			_("batch %s not sent: its estimate $%.4f would bring this run to $%.4f, over the budget cap $%g by $%.4f; raise `budget` in the config or send fewer photos"),
			b->id, est, en->rep.est_cost + est, en->cfg->budget,
			en->rep.est_cost + est - en->cfg->budget);
		goto out;
	}
	if (atomic_write(reqp, jsonl.p, jsonl.len, 0600, e) < 0)
		goto out;
	char fid[128] = "";
	if (en->prov->ops->upload(en->prov, reqp, fid, sizeof fid, e) < 0) {
		if (e->code == SBE_SIZE) {
			sb_err e2;
			char note[256];
			snprintf(note, sizeof note, _("the provider refused the input file as too big: lower batch_size, then resume"));
			store_set_state(en->st, b->id, BS_PAUSED, note, &e2);
		}
		goto out;
	}
	snprintf(b->input_file_id, sizeof b->input_file_id, "%s", fid);
	b->est_cost = est;
	b->est_tokens = tokens;
	b->attempts++;
	if (store_update(en->st, b, e) < 0)
		goto out;
	/* the intent marker: from here a crash is reconciled by listing */
	char *ip = intent_path(en, b->id);
	char *intent = xasprintf("{\"batch\":\"%s\",\"input_file_id\":\"%s\",\"time\":%lld}\n", b->id,
				 fid, (long long)time(NULL));
	int wr = atomic_write(ip, intent, strlen(intent), 0600, e);
	free(intent);
	if (wr < 0) {
		free(ip);
		goto out;
	}
	prov_batch pb;
	memset(&pb, 0, sizeof pb);
	if (en->prov->ops->create(en->prov, fid, b->id, b->model, &pb, e) < 0) {
		/* a network error leaves it unknown: keep the marker, reconcile later */
		if (e->code != SBE_NETWORK && e->code != SBE_GENERIC)
			unlink(ip);
		free(ip);
		prov_batch_clear(&pb);
		goto out;
	}
	free(ip);
	int ms = mark_sent(en, b, &pb, e);
	prov_batch_clear(&pb);
	if (ms < 0)
		goto out;
	for (size_t i = 0; i < m; i++)
		if (!bl[i].fail_state && !moved[i])
			set_fstate(en, b->id, files[idx[i]].cesta, FS_BATCH_SENT, NULL);
	store_cost_log(en->st, b->id, "estimate", est, tokens, e);
	rep_cost(en, &en->rep.est_cost, est);
	rep_add(en, &en->rep.sent, good);
	rep_add(en, &en->rep.batches_sent, 1);
	sb_log(LOG_INFO, _("batch %s sent: %zu requests, estimate $%.4f"), b->id, good, est);
	rc = 0;
out:
	for (size_t i = 0; i < m; i++)
		built_free(&bl[i]);
	free(bl);
	free(idx);
	free(bytes);
	free(toks);
	free(starts);
	free(gfile);
	free(moved);
	free(reqp);
	sbuf_free(&jsonl);
	file_entries_free(files, n);
	return rc;
}

static int phase_send(engine *en, sb_err *e)
{
	recover_splits(en);
	batch_info *bs;
	size_t n = store_list(en->st, &bs), sent = 0, total = 0;
	int rc = 0;
	for (size_t i = 0; i < n; i++)
		if (bs[i].state == BS_READY)
			total++;
	if (total && need_provider(en, e) < 0) {
		free(bs);
		return -1;
	}
	/* tried: batch ids seen in a pass; a split adds ready batches, so the
	 * list is read again until a pass finds nothing new */
	char (*tried)[40] = NULL;
	size_t ntried = 0;
	bool more = true;
	while (more && !stopping(en)) {
		more = false;
		for (size_t i = 0; i < n && !stopping(en); i++) {
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
				if (be.code == SBE_NETWORK || be.code == SBE_RATE) {
					sb_log(LOG_WARN, _("batch %s stays ready: %s"), bs[i].id, be.msg);
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
			progress(en, _("send"), sent, total > sent ? total : sent);
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

/* ---- rejects (reference: "Reject: Datum přípravy = today; every
 * nezpracováno becomes zamítnuto") ---- */

/* FS_REJECTED is terminal in the store's table, so "written to the CSV" is
 * recorded in the entry's reason: NULL/empty = still to commit. */
#define REJECT_DONE "csv: " MC_ST_REJECTED

typedef struct rej {
	char bid[40];
	file_entry f;
} rej;

/* Commit every rejected entry not committed yet, in one CSV write; needs
 * no provider.  Idempotent: a crash between the commit and the marker makes
 * the next run's commit say "already". */
static int commit_rejects(engine *en, sb_err *e)
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
			en->rej_clean = xrealloc(en->rej_clean, (en->nrej_clean + 1) * sizeof *en->rej_clean);
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
	mc_commit_opts o = { 0 };
	o.title_max = en->cfg->title_max;
	o.backups = en->cfg->backups;
	o.backup_session = en->session;
	mc_commit_result res;
	memset(&res, 0, sizeof res);
	pthread_mutex_lock(&en->commit_mu);
	int rc = mediacsv_commit(en->cfg->media_csv, u, n, &o, &res, e);
	pthread_mutex_unlock(&en->commit_mu);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		int st = res.status ? res.status[i] : 0;
		const char *why = st == 0 || st == 1 ? REJECT_DONE
				  : st == 2 ? _("reject not written to the CSV: the row was changed by someone else since; their edit was kept")
					    : _("reject not written: the CSV has no row with this Cesta any more");
		if (st == 0 || st == 1)
			rep_add(en, &en->rep.committed, 1);
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

/* Collecting alternative batches are sealed at the end of a run. */
static void seal_alternatives(engine *en)
{
	batch_info *bs;
	size_t n = store_list(en->st, &bs);
	for (size_t i = 0; i < n; i++)
		if (bs[i].state == BS_COLLECTING && is_alt_kind(bs[i].kind) && bs[i].nfiles > 0) {
			sb_err e;
			store_set_state(en->st, bs[i].id, BS_READY, NULL, &e);
		}
	free(bs);
}

static size_t count_state(engine *en, batch_state s)
{
	batch_info *bs;
	size_t n = store_list(en->st, &bs), k = 0;
	for (size_t i = 0; i < n; i++)
		k += bs[i].state == s;
	free(bs);
	return k;
}

int engine_run(engine *en, unsigned phases, int wait_s, run_report *rep, sb_err *e)
{
	double t0 = now_mono();
	sb_err first;
	sb_err_clear(&first);
	int rc = 0;
	pthread_mutex_lock(&en->mu);
	memset(&en->rep, 0, sizeof en->rep);
	pthread_mutex_unlock(&en->mu);

#define KEEP(call)                                            \
	do {                                                  \
		sb_err pe_;                                   \
		sb_err_clear(&pe_);                           \
		if ((call) < 0 && rc == 0) {                  \
			first = pe_;                          \
			rc = -1;                              \
		}                                             \
	} while (0)

	KEEP(commit_rejects(en, &pe_));
	if (phases & PH_RECOVER)
		KEEP(phase_recover(en, &pe_));
	if ((phases & PH_RETRIEVE) && !stopping(en))
		KEEP(phase_retrieve(en, &pe_));
	if (phases & PH_RETRIEVE)
		seal_alternatives(en); /* alternatives go at the end of a run, full or not */
	if ((phases & PH_SEND) && !stopping(en) && !(rc < 0 && first.code == SBE_AUTH))
		KEEP(phase_send(en, &pe_));
	double deadline = t0 + (wait_s > 0 ? wait_s : 0);
	/* a ready batch that could not go (rate, network) is tried again too */
	while (wait_s > 0 && (phases & PH_RETRIEVE) && !stopping(en) && rc == 0 &&
	       (count_state(en, BS_SENT) > 0 || ((phases & PH_SEND) && count_state(en, BS_READY) > 0)) &&
	       now_mono() < deadline) {
		double step = en->cfg->poll_interval > 0 ? en->cfg->poll_interval : 60;
		if (now_mono() + step > deadline)
			step = deadline - now_mono();
		nap(en, step);
		pthread_mutex_lock(&en->mu);
		en->rep.still_waiting = 0;
		pthread_mutex_unlock(&en->mu);
		KEEP(commit_rejects(en, &pe_));
		KEEP(phase_retrieve(en, &pe_));
		if (phases & PH_SEND) {
			seal_alternatives(en);
			KEEP(phase_send(en, &pe_));
		}
	}
#undef KEEP
	pthread_mutex_lock(&en->mu);
	en->rep.still_waiting = 0;
	en->rep.seconds = now_mono() - t0;
	pthread_mutex_unlock(&en->mu);
	en->rep.still_waiting = count_state(en, BS_SENT);
	if (rep)
		*rep = en->rep;
	if (rc < 0 && e)
		*e = first;
	return rc;
}

/* ---- batch control (seed 002) ---- */

int engine_pause(engine *en, const char *batch_id, sb_err *e)
{
	batch_info b;
	if (store_get(en->st, batch_id, &b) < 0)
		return sb_fail(e, SBE_NOTFOUND, _("no batch %s: see `stockbatch status`"), batch_id);
	if (b.state == BS_PAUSED)
		return 0;
	return store_set_state(en->st, batch_id, BS_PAUSED, _("paused by the user"), e);
}

int engine_resume(engine *en, const char *batch_id, sb_err *e)
{
	batch_info b;
	if (store_get(en->st, batch_id, &b) < 0)
		return sb_fail(e, SBE_NOTFOUND, _("no batch %s: see `stockbatch status`"), batch_id);
	if (b.state != BS_PAUSED)
		return sb_fail(e, SBE_CONFLICT, _("batch %s is %s, not paused"), batch_id,
			       batch_state_name(b.state));
	batch_state to = b.paused_from;
	if (to == BS_PAUSED || !batch_state_active(to))
		to = b.provider_batch_id[0] ? BS_SENT : BS_READY;
	/* a paused send that never got an id goes back to ready and is reconciled */
	if (to == BS_SENT && !b.provider_batch_id[0])
		to = BS_READY;
	return store_set_state(en->st, batch_id, to, "", e);
}

static void dead_all(engine *en, const char *bid, const char *why)
{
	file_entry *f;
	size_t n;
	if (store_files(en->st, bid, &f, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++)
		if (!fstate_final(f[i].state)) {
			dead_letter(en, bid, &f[i], f[i].custom_id, why, NULL);
			set_fstate(en, bid, f[i].cesta, FS_DEAD, why);
		}
	file_entries_free(f, n);
}

int engine_cancel(engine *en, const char *batch_id, sb_err *e)
{
	batch_info b;
	if (store_get(en->st, batch_id, &b) < 0)
		return sb_fail(e, SBE_NOTFOUND, _("no batch %s: see `stockbatch status`"), batch_id);
	bool at_provider = b.provider_batch_id[0] &&
			   (b.state == BS_SENT || (b.state == BS_PAUSED && b.paused_from == BS_SENT));
	if (at_provider) {
		if (need_provider(en, e) < 0)
			return -1;
		prov_batch pb;
		memset(&pb, 0, sizeof pb);
		if (en->prov->ops->cancel(en->prov, b.provider_batch_id, &pb, e) < 0 &&
		    e->code != SBE_CONFLICT) {
			prov_batch_clear(&pb);
			return -1;
		}
		prov_batch_clear(&pb);
		/* what completed is downloaded when the provider reports it cancelled */
		if (b.state == BS_PAUSED)
			store_set_state(en->st, batch_id, BS_SENT, _("cancelling"), e);
		sb_log(LOG_INFO, _("batch %s: cancel requested; finished items will be kept"), batch_id);
		return 0;
	}
	if (!batch_state_active(b.state))
		return sb_fail(e, SBE_CONFLICT, _("batch %s is already %s"), batch_id,
			       batch_state_name(b.state));
	if (store_set_state(en->st, batch_id, BS_CANCELLED, _("cancelled by the user"), e) < 0)
		return -1;
	dead_all(en, batch_id, _("the batch was cancelled before it was sent; retry-failed resends it"));
	char *ip = intent_path(en, batch_id);
	unlink(ip);
	free(ip);
	return 0;
}

int engine_retry_failed(engine *en, size_t *requeued, sb_err *e)
{
	batch_info *bs;
	size_t n = store_list(en->st, &bs), k = 0;
	char target[24][40];
	size_t ntarget = 0;
	for (size_t i = 0; i < n; i++) {
		file_entry *f;
		size_t nf;
		if (store_files(en->st, bs[i].id, &f, &nf) < 0)
			continue;
		for (size_t j = 0; j < nf; j++) {
			if (f[j].state != FS_DEAD)
				continue;
			char held[40];
			file_state known;
			if (store_file_batch(en->st, f[j].cesta, held))
				continue;
			if (store_file_known(en->st, f[j].cesta, &known) && known == FS_SAVED_TO_CSV)
				continue;
			batch_info cb;
			if (store_collecting(en->st, bs[i].kind, bs[i].provider, bs[i].model, &cb, e) < 0) {
				file_entries_free(f, nf);
				free(bs);
				return -1;
			}
			file_entry g = f[j];
			g.state = FS_DESCRIPTION_SAVED;
			g.custom_id = NULL;
			g.reason = NULL;
			g.attempts = 0;
			sb_err ae;
			if (store_add_file(en->st, cb.id, &g, &ae) == 0) {
				k++;
				bool have = false;
				for (size_t t = 0; t < ntarget; t++)
					have |= strcmp(target[t], cb.id) == 0;
				if (!have && ntarget < 24)
					snprintf(target[ntarget++], 40, "%s", cb.id);
			}
		}
		file_entries_free(f, nf);
	}
	free(bs);
	for (size_t t = 0; t < ntarget; t++) {
		sb_err se;
		store_set_state(en->st, target[t], BS_READY, NULL, &se);
	}
	if (requeued)
		*requeued = k;
	return 0;
}

int engine_seal_now(engine *en, sb_err *e)
{
	batch_info *bs;
	size_t n = store_list(en->st, &bs);
	int rc = 0;
	for (size_t i = 0; i < n; i++)
		if (bs[i].state == BS_COLLECTING && bs[i].nfiles > 0 &&
		    store_set_state(en->st, bs[i].id, BS_READY, NULL, e) < 0)
			rc = -1;
	free(bs);
	return rc;
}
