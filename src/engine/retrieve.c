/* retrieve.c: phase 1 (SPEC 3): every sent batch is polled; a finished one
 * has its result files downloaded and every answer judged (parsed,
 * validated against the agencies' rules, repaired); a failed item gets
 * live retries; then the results are committed (commit.c) and the batch
 * flips to its final state, only after its commit.  Up to
 * RETRIEVE_THREADS batches at a time. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cost.h"
#include "engine_int.h"
#include "i18n.h"
#include "log.h"

#define RETRIEVE_THREADS 4

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
	free(it->ask);
	it->why = why;
	it->raw = raw ? xstrdup(raw) : NULL;
	it->ask = NULL;
	it->failed = true;
}

/* The report's account of an item: refused answers, then the repairs of
 * the one committed (takes over note). */
static void add_note(item *it, char *note)
{
	if (!it->notes) {
		it->notes = note;
		return;
	}
	char *n = xasprintf("%s; %s", it->notes, note);
	free(it->notes);
	free(note);
	it->notes = n;
}

/* Judge one answer: parse, validate, repair. */
void eng_judge(engine *en, item *it, const sb_result *r)
{
	it->seen = true;
	if (!r->ok) {
		/* a line without an HTTP status (cancelled, expired) has none to say */
		item_fail(it,
			  r->http_status
				  ? xasprintf(_("provider error (HTTP %d): %s"), r->http_status,
					      r->error ? r->error : "?")
				  : xasprintf(_("provider error: %s"), r->error ? r->error : "?"),
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
		it->ask = xstrdup(chk.ask);
		add_note(it, xasprintf(_("answer refused: %s"), chk.why));
		return;
	}
	if (it->have)
		meta_free(&it->rec);
	it->rec = m;
	it->have = true;
	it->failed = false;
	it->repaired = chk.repaired;
	if (chk.notes[0])
		add_note(it, xstrdup(chk.notes));
	free(it->why);
	it->why = NULL;
}

/* A retry after an answer that broke a rule says which, so the model
 * repairs it instead of answering the same again. */
static void ask_again(item *it, built *bl)
{
	if (!it->ask || !*it->ask || !bl->user)
		return;
	char *u = xasprintf("%s\n\nYour previous answer for this photo was refused: %s. "
			    "Answer again with the whole JSON object and fix this.",
			    bl->user, it->ask);
	free(bl->user);
	bl->user = u;
	bl->rq.user_text = u;
	bl->tokens += (long)(strlen(it->ask) / 4 + 24);
}

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
	if (it->have || eng_fstate_final(it->f->state))
		return 0; /* a duplicate line or already done */
	eng_judge(c->en, it, r);
	eng_commit_group(c, it);
	return 0;
}

/* A failed original whose row was committed before this run (a kill after
 * an earlier run's live retry committed it) is settled, not paid for
 * again.  The CSV is read once per batch, on first need. */
static bool settled_before(engine *en, rctx *c, item *it)
{
	if (!c->csv_tried) {
		sb_err le;
		sb_err_clear(&le);
		c->csv_tried = true;
		if (mediacsv_load(en->cfg->media_csv, &c->csv, &le) < 0)
			c->csv = NULL;
	}
	if (!eng_row_committed_before(c->csv, it->f) ||
	    eng_settle_already(en, c->b, c->csv, it->f) != 0)
		return false;
	it->f->state = FS_SAVED_TO_CSV;
	it->failed = false;
	return true;
}

void eng_paid_live(rctx *c, long in, long out)
{
	engine *en = c->en;
	batch_info *b = c->b;
	double usd = cost_usd(b->model, false, in, out);
	c->in_tokens += in;
	c->out_tokens += out;
	c->live_in += in;
	c->live_out += out;
	b->actual_cost += usd;
	sb_err e;
	if (store_update(en->st, b, &e) < 0)
		sb_log(LOG_WARN, "%s", e.msg);
	store_cost_log(en->st, b->id, "live", usd, in + out, &e);
	eng_rep_cost(en, &en->rep.actual_cost, usd);
}

double eng_batch_part_usd(const rctx *c)
{
	return cost_usd(c->b->model, true, c->in_tokens - c->live_in, c->out_tokens - c->live_out);
}

/* Live retries of one failed item (seed 000 #12): up to 3 attempts in all,
 * counted in the store so a crash does not reset them. */
int eng_live_retry(engine *en, rctx *c, item *it, sb_err *fatal)
{
	int rate_waits = 0;
	if (it->failed && !it->alt && settled_before(en, c, it))
		return 0;
	while (it->failed && it->f->attempts < LIVE_ATTEMPTS && !eng_stopping(en)) {
		built bl;
		eng_build_one(en, c->b, it->f, &bl);
		ask_again(it, &bl);
		if (bl.fail_state) {
			it->f->attempts = LIVE_ATTEMPTS;
			item_fail(it, bl.why, NULL);
			bl.why = NULL;
			eng_built_free(&bl);
			break;
		}
		sb_result r;
		memset(&r, 0, sizeof r);
		sb_err e;
		sb_err_clear(&e);
		/* the live limiter: rpm/tpm buckets, concurrency cap, 429 cool-down */
		long est = bl.tokens + EST_OUT_TOKENS;
		if (rl_acquire(en->rl, est, &en->interrupted) < 0) {
			eng_built_free(&bl);
			break;
		}
		int rc = c->prov->ops->live(c->prov, &bl.rq, &r, &e);
		rl_done(en->rl, est, rc == 0 ? r.in_tokens + r.out_tokens : est);
		eng_built_free(&bl);
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
		eng_rep_add(en, &en->rep.retried, 1);
		if (rc < 0)
			item_fail(it, xasprintf(_("live retry failed: %s"), e.msg), NULL);
		else {
			eng_answer_keep(en, c->b->id, &r);
			eng_paid_live(c, r.in_tokens, r.out_tokens);
			eng_judge(en, it, &r);
		}
		sb_result_free(&r);
		sb_err ue;
		store_file_update(en->st, c->b->id, it->f, &ue);
	}
	return 0;
}

void eng_results_init(rctx *c, engine *en, batch_info *b, file_entry *files, size_t n)
{
	memset(c, 0, sizeof *c);
	c->en = en;
	c->b = b;
	c->prov = en->prov;
	c->n = n;
	c->items = xcalloc(n ? n : 1, sizeof *c->items);
	c->order = xcalloc(n ? n : 1, sizeof *c->order);
	for (size_t i = 0; i < n; i++) {
		c->items[i].f = &files[i];
		c->items[i].cid = eng_custom_id(&files[i], b->id);
		c->items[i].alt = eng_is_alt_kind(b->kind);
		c->order[i] = i;
	}
}

void eng_results_free(rctx *c)
{
	mediacsv_free(c->csv);
	for (size_t i = 0; i < c->n; i++) {
		free(c->items[i].cid);
		free(c->items[i].why);
		free(c->items[i].raw);
		free(c->items[i].ask);
		free(c->items[i].notes);
		if (c->items[i].have)
			meta_free(&c->items[i].rec);
	}
	free(c->items);
	free(c->order);
	memset(c, 0, sizeof *c);
}

/* Items sorted by custom id, for find_item. */
static void sort_items(engine *en, rctx *c)
{
	pthread_mutex_lock(&en->commit_mu); /* qsort's comparator uses a static */
	sort_ctx = c;
	qsort(c->order, c->n, sizeof *c->order, cmp_cid);
	sort_ctx = NULL;
	pthread_mutex_unlock(&en->commit_mu);
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
static int fetch(engine *en, provider *prov, const char *bid, const char *file_id, const char *name,
		 char **path, sb_err *e)
{
	*path = store_batch_path(en->st, bid, name);
	if (!file_id || !*file_id) {
		free(*path);
		*path = NULL;
		return 0;
	}
	if (prov->ops->download(prov, file_id, *path, e) == 0)
		return 0;
	if (file_exists(*path)) {
		sb_log(LOG_WARN, _("batch %s: using the local %s (%s)"), bid, name, e->msg);
		return 0;
	}
	return -1;
}

/* Ask the provider how a sent batch is doing.  1 = finished (pb filled,
 * *to its final state, the result file ids stored), 0 = still running or
 * paused here, -1 with e set. */
static int poll_batch(engine *en, provider *prov, batch_info *b, prov_batch *pb, batch_state *to,
		      sb_err *e)
{
	if (!b->provider_batch_id[0]) {
		/* sent without an id cannot happen; reconcile by our id */
		if (provider_find_ours(prov, b->id, pb, e) < 0)
			return -1;
		snprintf(b->provider_batch_id, sizeof b->provider_batch_id, "%s", pb->id);
		store_update(en->st, b, e);
		prov_batch_clear(pb);
	}
	if (prov->ops->get(prov, b->provider_batch_id, pb, e) < 0) {
		if (e->code == SBE_NOTFOUND) {
			/* expired and deleted, or sent with another key or base URL:
			 * paused (never given up silently), and said */
			char note[512];
			snprintf(
				note, sizeof note,
				_("the provider (%s) does not know batch %s any more (expired or deleted, or sent with another key or base URL); if it is gone: 'stockbatch cancel %s', then 'stockbatch retry-failed' sends its photos again; else fix the setting and 'stockbatch resume %s'"),
				b->provider, b->provider_batch_id, b->id, b->id);
			sb_err e2;
			store_set_state(en->st, b->id, BS_PAUSED, note, &e2);
			sb_log(LOG_ERROR, _("batch %s paused: %s"), b->id, note);
			eng_rep_add(en, &en->rep.paused, 1);
			return 0;
		}
		return -1;
	}
	*to = final_of(pb->state);
	if (*to == BS_SENT) {
		eng_rep_add(en, &en->rep.still_waiting, 1);
		eng_progress(en, b->id, (size_t)(pb->completed + pb->failed), (size_t)pb->total);
		return 0;
	}
	if (pb->output_file_id[0])
		snprintf(b->output_file_id, sizeof b->output_file_id, "%s", pb->output_file_id);
	if (pb->error_file_id[0])
		snprintf(b->error_file_id, sizeof b->error_file_id, "%s", pb->error_file_id);
	store_update(en->st, b, e);
	return 1;
}

/* The result files of a finished batch into its folder (the caller frees
 * the paths, NULL when there is no such file). */
static int download_results(engine *en, provider *prov, batch_info *b, const prov_batch *pb,
			    char **outp, char **errp, sb_err *e)
{
	if (fetch(en, prov, b->id, pb->output_file_id, "output.jsonl", outp, e) < 0 ||
	    fetch(en, prov, b->id, pb->error_file_id, "errors.jsonl", errp, e) < 0)
		return -1;
	if (pb->inline_results && !*outp) {
		*outp = store_batch_path(en->st, b->id, "output.jsonl");
		if (atomic_write(*outp, pb->inline_results, strlen(pb->inline_results), 0600, e) <
		    0)
			return -1;
	}
	return 0;
}

/* An item without a result line fails with the batch's reason. */
static void judge_missing(rctx *c, batch_state to)
{
	for (size_t i = 0; i < c->n; i++) {
		item *it = &c->items[i];
		if (eng_fstate_final(it->f->state) || it->have || it->seen)
			continue;
		const char *why = to == BS_EXPIRED ? _("missing from the expired batch")
				  : to == BS_CANCELLED
					  ? _("the batch was cancelled before this item ran")
				  : to == BS_FAILED ? _("the provider failed the batch")
						    : _("no result line for this item");
		item_fail(it, xstrdup(why), NULL);
	}
}

/* Live retries of the failed items; a file gone from the disk is not
 * retried.  Stops at an auth failure (*fatal set). */
static void retry_failed(engine *en, rctx *c, sb_err *fatal)
{
	const batch_info *b = c->b;
	for (size_t i = 0; i < c->n; i++) {
		item *it = &c->items[i];
		if (it->failed && !eng_fstate_final(it->f->state) &&
		    !eng_local_exists(en, it->f->cesta) && !eng_is_alt_kind(b->kind)) {
			if (eng_set_fstate(en, b->id, it->f->cesta, FS_FILE_NOT_FOUND,
					   _("the file is gone; nothing to retry")) == 0)
				it->f->state = FS_FILE_NOT_FOUND;
			it->failed = false;
			eng_rep_add(en, &en->rep.skipped, 1);
			continue;
		}
		if (it->failed && !eng_fstate_final(it->f->state))
			if (eng_live_retry(en, c, it, fatal) < 0)
				break;
		eng_progress(en, b->id, i + 1, c->n);
	}
}

/* Every item settled and committed: the batch's cost, its final state
 * (only now, after the commit), its report, and the provider's files
 * deleted (only after the commit and the flip). */
static int close_batch(engine *en, rctx *c, const prov_batch *pb, batch_state to, size_t failed,
		       sb_err *e)
{
	batch_info *b = c->b;
	/* the live retries' cost is in b already (eng_paid_live): the batch
	 * lines' is added once, here */
	double usd = eng_batch_part_usd(c);
	b->actual_cost += usd;
	b->completed = time(NULL);
	store_update(en->st, b, e);
	store_cost_log(en->st, b->id, "actual", usd,
		       c->in_tokens - c->live_in + c->out_tokens - c->live_out, e);
	eng_rep_cost(en, &en->rep.actual_cost, usd);

	char note[256] = "";
	if (to == BS_FAILED && pb->errors) {
		snprintf(note, sizeof note, _("the provider rejected the input file: %s"),
			 pb->errors);
		for (char *p = note; *p; p++)
			if (*p == '\n')
				*p = ';';
	}
	if (store_set_state(en->st, b->id, to, note[0] ? note : NULL, e) < 0)
		return -1;
	eng_write_extra(en, c, failed);
	eng_rep_add(en, &en->rep.batches_done, 1);
	size_t committed = 0;
	for (size_t i = 0; i < c->n; i++)
		committed += c->items[i].f->state == FS_SAVED_TO_CSV;
	sb_log(LOG_INFO, _("batch %s %s: %zu committed, %zu failed, $%.4f"), b->id,
	       batch_state_name(to), committed, failed, b->actual_cost);
	/* the result files' ids were stored by poll_batch */
	eng_delete_files(en, b->id, EF_INPUT | EF_RESULTS);
	return 0;
}

/* OpenAI failed the batch for the enqueued-token limit
 * (token_limit_exceeded): no answer was paid for, so nothing goes live
 * at full price.  Its files go back to be sent, the batch back to ready
 * with the wait marker: it is sent again, at batch price, once our
 * running batches of its model have finished (send.c). */
static bool token_limited(const prov_batch *pb)
{
	return pb->state == PB_FAILED && pb->errors && strstr(pb->errors, "token_limit_exceeded");
}

static int requeue_batch(engine *en, batch_info *b, sb_err *e)
{
	file_entry *files = NULL;
	size_t n = 0;
	if (store_files(en->st, b->id, &files, &n) < 0)
		return sb_fail(e, SBE_IO, _("batch %s: cannot read its files"), b->id);
	size_t back = 0;
	for (size_t i = 0; i < n; i++)
		if (files[i].state == FS_BATCH_SENT &&
		    eng_set_fstate(en, b->id, files[i].cesta, FS_DESCRIPTION_SAVED, NULL) == 0)
			back++;
	file_entries_free(files, n);
	eng_mark_wait(en, b->id);
	/* its input file (no results: nothing ran) is deleted and forgotten */
	eng_delete_files(en, b->id, EF_INPUT | EF_RESULTS);
	batch_info cur;
	if (store_get(en->st, b->id, &cur) < 0)
		return sb_fail(e, SBE_IO, _("batch %s: cannot read its files"), b->id);
	cur.provider_batch_id[0] = '\0';
	const char *why =
		_("the provider's enqueued-token limit was reached: sent again at batch price when the running batches finish");
	if (store_update(en->st, &cur, e) < 0 ||
	    store_set_state(en->st, b->id, BS_PAUSED, why, e) < 0 ||
	    store_set_state(en->st, b->id, BS_READY, why, e) < 0)
		return -1;
	sb_log(LOG_WARN,
	       P_("batch %s: the provider's enqueued-token limit was reached (token_limit_exceeded); its %zu request waits for the running batches and goes again at batch price, not live",
		  "batch %s: the provider's enqueued-token limit was reached (token_limit_exceeded); its %zu requests wait for the running batches and go again at batch price, not live",
		  back),
	       b->id, back);
	return 0;
}

/* Everything for one sent batch.  Returns 0 (done or still waiting), -1 with
 * e set on a failure that should be shown (auth, CSV). */
static int retrieve_batch(engine *en, batch_info *b, sb_err *e)
{
	/* the provider the batch went to, not necessarily this run's */
	provider *prov = eng_batch_provider(en, b, e);
	if (!prov)
		return -1;
	prov_batch pb;
	memset(&pb, 0, sizeof pb);
	batch_state to = BS_SENT;
	int polled = poll_batch(en, prov, b, &pb, &to, e);
	if (polled <= 0) {
		prov_batch_clear(&pb);
		return polled;
	}
	if (token_limited(&pb)) {
		int q = requeue_batch(en, b, e);
		prov_batch_clear(&pb);
		return q;
	}
	char *outp = NULL, *errp = NULL;
	int rc = -1;
	file_entry *files = NULL;
	size_t n = 0;
	rctx c = { 0 };
	if (download_results(en, prov, b, &pb, &outp, &errp, e) < 0)
		goto out;
	store_files(en->st, b->id, &files, &n);
	eng_results_init(&c, en, b, files, n);
	c.prov = prov;
	sort_items(en, &c);
	if (outp && provider_read_results(prov, outp, on_result, &c, e) < 0)
		goto out;
	if (errp && provider_read_results(prov, errp, on_result, &c, e) < 0)
		goto out;
	eng_answers_replay(&c); /* live retries of an interrupted run: not paid again */
	judge_missing(&c, to);
	sb_err fatal;
	sb_err_clear(&fatal);
	if (to != BS_CANCELLED) /* no live retries: the user stopped the batch */
		retry_failed(en, &c, &fatal);
	if (eng_commit_results(&c, e) < 0) {
		sb_log(LOG_ERROR, _("batch %s: results not committed: %s"), b->id, e->msg);
		goto out;
	}
	/* dead letters: failed and out of attempts (or cancelled) */
	size_t failed = 0, unresolved = 0;
	for (size_t i = 0; i < n; i++)
		eng_settle_item(en, b, &c.items[i], to == BS_CANCELLED, &failed, &unresolved);
	if (fatal.code) {
		*e = fatal;
		goto out;
	}
	/* unresolved: interrupted during live retries, the batch stays sent
	 * and is done next run */
	rc = unresolved ? 0 : close_batch(en, &c, &pb, to, failed, e);
out:
	eng_results_free(&c);
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
	size_t n, next, done, unreached; /* unreached: polls failed on the network */
	pthread_mutex_t mu;
	sb_err err;
	bool failed, unreachable;
} pool;

static void *pool_thread(void *arg)
{
	pool *p = arg;
	for (;;) {
		pthread_mutex_lock(&p->mu);
		size_t i = p->next < p->n && !eng_stopping(p->en) && !p->unreachable ? p->next++
											: (size_t)-1;
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
			if (!p->failed || e.code == SBE_AUTH || e.code == SBE_NETWORK) {
				p->err = e;
				p->failed = true;
			}
			/* the endpoint is unreachable: no other batch is polled */
			p->unreachable |= e.code == SBE_NETWORK;
			p->unreached += e.code == SBE_NETWORK;
		}
		pthread_mutex_unlock(&p->mu);
	}
	return NULL;
}

int eng_phase_retrieve(engine *en, sb_err *e)
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
	/* every batch's provider opened before the threads share them: a
	 * missing key stops the run as before any poll */
	for (size_t i = 0; i < n; i++) {
		if (!eng_batch_provider(en, &all[i], e)) {
			free(all);
			return -1;
		}
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
	if (p.failed && p.err.code == SBE_NETWORK) {
		size_t left = p.unreached + (n - p.next);
		sb_fail(e, SBE_NETWORK,
			P_("the provider could not be reached, so the run stopped (%zu sent batch not checked; nothing is lost): %s",
			   "the provider could not be reached, so the run stopped (%zu sent batches not checked; nothing is lost): %s",
			   left),
			left, p.err.msg);
		return -1;
	}
	if (p.failed) {
		*e = p.err;
		/* a rate limit is not the run's failure: the batch is polled again */
		return p.err.code == SBE_RATE ? 0 : -1;
	}
	return 0;
}
