/* engine.c: the engine object and one run of its phases (SPEC 3, seed 000
 * "CRITICAL ARCHITECTURAL DECISIONS" 3): phase 0 recovers interrupted sends
 * and archives old batches (recover.c), phase 1 retrieves, validates and
 * commits (retrieve.c, commit.c), phase 2 sends (send.c, live.c).  Crash
 * safety rests on three rules: an intent marker is written before a
 * provider batch is created (reconciled by listing on restart), a batch
 * flips to a final state only after its commit, and the commit itself is
 * idempotent (mediacsv_commit says "already").  Here too: the helpers every
 * phase uses (report counters, file-state moves, dead letters). */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>

#include "cost.h"
#include "engine_int.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "review.h"

#include <math.h>

/* ---- small helpers ---- */

bool eng_stopping(engine *en)
{
	return atomic_load(&en->interrupted);
}

void eng_progress(engine *en, const char *what, size_t done, size_t total)
{
	if (!en->progress)
		return;
	/* A batch's count never goes back: the provider's count while it runs,
	 * then its results as they are judged, start again from 1. */
	pthread_mutex_lock(&en->mu);
	sm_entry *last = strmap_add(&en->prog_last, what ? what : "", NULL);
	bool back = (size_t)last->aux > done && last->num == total;
	if (!back) {
		last->aux = (int)(done < INT_MAX ? done : INT_MAX);
		last->num = total;
	}
	pthread_mutex_unlock(&en->mu);
	if (!back)
		en->progress(what, done, total, en->pctx);
}

void eng_rep_add(engine *en, size_t *field, size_t n)
{
	pthread_mutex_lock(&en->mu);
	*field += n;
	pthread_mutex_unlock(&en->mu);
}

void eng_rep_cost(engine *en, double *field, double usd)
{
	pthread_mutex_lock(&en->mu);
	*field += usd;
	pthread_mutex_unlock(&en->mu);
}

/* Sleep up to s seconds, waking early on interrupt. */
static void nap(engine *en, double s)
{
	double end = now_mono() + s;
	while (!eng_stopping(en)) {
		double left = end - now_mono();
		if (left <= 0)
			break;
		usleep((useconds_t)((left > 0.1 ? 0.1 : left) * 1e6));
	}
}

bool eng_local_exists(engine *en, const char *cesta)
{
	char *p = settings_map_path(en->cfg, cesta);
	bool ok = p && access(p, R_OK) == 0;
	free(p);
	return ok;
}

/* File state change along the shortest legal path of the store's table:
 * a crash can leave a file a step or two behind its batch (description_saved
 * in a sent batch), and the result must still land. */
int eng_set_fstate(engine *en, const char *bid, const char *cesta, file_state to,
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
		if (store_file_set_state(en->st, bid, cesta, path[n], n == 0 ? reason : NULL, &e) <
		    0) {
			sb_log(LOG_WARN, _("batch %s: cannot set %s to %s: %s"), bid, cesta,
			       file_state_name(path[n]), e.msg);
			return -1;
		}
	}
	return 0;
}

char *eng_custom_id(const file_entry *f, const char *bid)
{
	if (f->custom_id && *f->custom_id)
		return xstrdup(f->custom_id);
	return request_custom_id(f->cesta, bid);
}

bool eng_is_alt_kind(const char *kind)
{
	return strncmp(kind, "alt_", 4) == 0;
}

char *engine_alt_cesta(const char *cesta, const char *tag)
{
	static const struct {
		const char *from, *to;
	} dirs[] = {
		{ "Foto", "Upravené foto" },
		{ "Video", "Upravené video" },
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

void eng_dead_letter(engine *en, const char *bid, const file_entry *f, const char *cid,
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
	strmap_init(&en->prog_last, true);
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
	/* the tokenizer's ranks load on first use (tokens_count) */
	*out = en;
	return 0;
}

void engine_close(engine *en)
{
	if (!en)
		return;
	if (en->prov)
		provider_close(en->prov);
	for (size_t i = 0; i < en->nsent_to; i++)
		provider_close(en->sent_to[i]);
	if (en->pr)
		prompt_close(en->pr);
	if (en->al)
		agency_lists_free(en->al);
	strmap_free(&en->prog_last);
	if (en->rl)
		rl_free(en->rl);
	if (en->live_rl)
		rl_free(en->live_rl);
	free(en->rej_clean);
	lost_rows_free(&en->lost);
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
	atomic_store(&en->interrupted, true);
	http_interrupt(true); /* the provider's retry waits end too */
}

void engine_clear_interrupt(engine *en)
{
	atomic_store(&en->interrupted, false);
	http_interrupt(false);
}

const settings *engine_settings(const engine *en)
{
	return en->cfg;
}

const run_report *engine_report(engine *en)
{
	return &en->rep;
}

int eng_need_provider(engine *en, sb_err *e)
{
	if (en->prov)
		return 0;
	if (e)
		*e = en->prov_err;
	return -1;
}

provider *eng_batch_provider(engine *en, const batch_info *b, sb_err *e)
{
	const char *name = b->provider;
	if (!*name || !strcmp(name, en->cfg->provider))
		return eng_need_provider(en, e) == 0 ? en->prov : NULL;
	provider *p = NULL;
	pthread_mutex_lock(&en->mu);
	for (size_t i = 0; i < en->nsent_to && !p; i++)
		if (!strcmp(en->sent_to[i]->ops->name, name))
			p = en->sent_to[i];
	if (!p && en->nsent_to < ENG_MAX_PROVIDERS && provider_open(en->cfg, name, &p, e) == 0)
		en->sent_to[en->nsent_to++] = p;
	pthread_mutex_unlock(&en->mu);
	return p;
}

int eng_delete_files(engine *en, const char *bid, unsigned which)
{
	batch_info cur;
	if (store_get(en->st, bid, &cur) < 0)
		return -1;
	sb_err pe;
	provider *prov = eng_batch_provider(en, &cur, &pe);
	if (!prov)
		return -1;
	char *ids[3] = { cur.input_file_id, cur.output_file_id, cur.error_file_id };
	int rc = 0;
	bool forgot = false;
	for (int k = 0; k < 3; k++) {
		if (!(which & (1u << k)) || !ids[k][0])
			continue;
		sb_err de;
		sb_err_clear(&de);
		/* a file already gone (404; Gemini's 403 "may not exist") is 0 */
		if (prov->ops->delete_file(prov, ids[k], &de) < 0) {
			sb_log(LOG_WARN, _("batch %s: provider file %s not deleted: %s"), bid, ids[k],
			       de.msg);
			rc = -1;
			continue;
		}
		ids[k][0] = '\0';
		forgot = true;
	}
	sb_err ue;
	if (forgot && store_update(en->st, &cur, &ue) < 0) {
		sb_log(LOG_WARN, "%s", ue.msg);
		rc = -1;
	}
	return rc;
}

/* Collecting alternative batches are sealed after every retrieve and
 * before every send: a copy's text-only request waits for no batch size;
 * so is a redo batch a kill left collecting (review.c seals its own). */
void engine_seal_alternatives(engine *en)
{
	batch_info *bs;
	size_t n = store_list(en->st, &bs);
	for (size_t i = 0; i < n; i++)
		if (bs[i].state == BS_COLLECTING &&
		    (eng_is_alt_kind(bs[i].kind) || redo_is_kind(bs[i].kind)) &&
		    bs[i].nfiles > 0) {
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

/* Ready batches a send left behind, but for those waiting on purpose for
 * our running batches under the provider's enqueued-token limit (their
 * queue-wait marker: a create refused for it, or held by queue_tokens). */
static size_t count_ready_stuck(engine *en)
{
	batch_info *bs;
	size_t n = store_list(en->st, &bs), k = 0;
	for (size_t i = 0; i < n; i++)
		if (bs[i].state == BS_READY) {
			char *wp = store_batch_path(en->st, bs[i].id, "queue-wait");
			k += !file_exists(wp);
			free(wp);
		}
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

#define KEEP(call)                           \
	do {                                 \
		sb_err pe_;                  \
		sb_err_clear(&pe_);          \
		if ((call) < 0 && rc == 0) { \
			first = pe_;         \
			rc = -1;             \
		}                            \
	} while (0)

	KEEP(eng_commit_rejects(en, &pe_));
	eng_check_lost(en); /* before archiving: a batch whose rows the CSV lost stays */
	if ((phases & PH_RETRIEVE) && !eng_stopping(en))
		KEEP(eng_recommit_lost(en, &pe_));
	if (phases & PH_RECOVER)
		KEEP(eng_phase_recover(en, &pe_));
	if ((phases & PH_RETRIEVE) && !eng_stopping(en))
		KEEP(eng_phase_retrieve(en, &pe_));
	if ((phases & (PH_RETRIEVE | PH_SEND)) && !eng_stopping(en))
		eng_queue_late_copies(en); /* edits made after their original was committed */
	if (phases & (PH_RETRIEVE | PH_SEND))
		engine_seal_alternatives(en); /* alternatives go with the next send, full or not */
	if ((phases & PH_SEND) && !eng_stopping(en) &&
	    !(rc < 0 && (first.code == SBE_AUTH || first.code == SBE_NETWORK)))
		KEEP(eng_phase_send(en, &pe_));
	double deadline = t0 + (wait_s > 0 ? wait_s : 0);
	/* a ready batch that could not go (rate, network) is tried again too */
	while (wait_s > 0 && (phases & PH_RETRIEVE) && !eng_stopping(en) && rc == 0 &&
	       (count_state(en, BS_SENT) > 0 ||
		((phases & PH_SEND) && count_state(en, BS_READY) > 0)) &&
	       now_mono() < deadline) {
		double step = en->cfg->poll_interval > 0 ? en->cfg->poll_interval : 60;
		if (now_mono() + step > deadline)
			step = deadline - now_mono();
		nap(en, step);
		pthread_mutex_lock(&en->mu);
		en->rep.still_waiting = 0;
		pthread_mutex_unlock(&en->mu);
		KEEP(eng_commit_rejects(en, &pe_));
		KEEP(eng_phase_retrieve(en, &pe_));
		engine_seal_alternatives(en); /* copies queued by this retrieve too */
		if (phases & PH_SEND)
			KEEP(eng_phase_send(en, &pe_));
	}
#undef KEEP
	pthread_mutex_lock(&en->mu);
	en->rep.still_waiting = 0;
	en->rep.seconds = now_mono() - t0;
	pthread_mutex_unlock(&en->mu);
	en->rep.still_waiting = count_state(en, BS_SENT);
	if (phases & PH_SEND)
		en->rep.still_ready = count_ready_stuck(en);
	if (rep)
		*rep = en->rep;
	if (rc < 0 && e)
		*e = first;
	return rc;
}

long eng_out_tokens(engine *en, const char *prov)
{
	return lround(advisor_out_tokens(en->st, prov, NULL));
}
