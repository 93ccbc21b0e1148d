/* engine_int.h: what the engine's phases share, private to src/engine/.
 * The public API is ../engine.h; nothing outside src/engine/ includes this.
 *
 *   engine.c    the engine object, a run (the phases in order), shared helpers
 *   recover.c   phase 0: intent markers reconciled, split plans replayed, archive
 *   send.c      phase 2: select, build requests, limits and splits, budget,
 *               upload and create
 *   retrieve.c  phase 1: poll, download, judge results, live retries
 *   commit.c    results into the CSV (one commit_results for batch and live),
 *               alternatives, dead letters, rejects
 *   control.c   pause, resume, cancel, retry-failed, send now
 *   recommit.c  what each commit wrote (committed.jsonl); rows the CSV lost
 *               found and written again
 *   live.c      live mode: the request pool and the live send of a batch
 *   answers.c   the live answers journal: each paid answer kept before the
 *               next call, replayed after a kill */
#ifndef SB_ENGINE_INT_H
#define SB_ENGINE_INT_H
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>

#include "advisor.h"
#include "agency.h"
#include "imageprep.h"
#include "engine.h"
#include "live.h"
#include "lostrows.h"
#include "photomedia.h"
#include "provider.h"
#include "ratelimit.h"
#include "strmap.h"
#include "request.h"

#define LIVE_ATTEMPTS 3
/* providers a run may talk to: its own and the ones its batches went to */
#define ENG_MAX_PROVIDERS 8
/* The answer's tokens before any is known (the rate limiter's guess); an
 * estimate of cost uses eng_out_tokens(). */
#define EST_OUT_TOKENS ADV_OUT_TOKENS
/* Results committed in groups of this many while a big file is read:
 * memory stays flat on a 50,000-line result file (SPEC 12). */
#define COMMIT_GROUP 2000

struct engine {
	settings *cfg;
	store *st;
	provider *prov; /* NULL when no key: network phases fail with prov_err */
	sb_err prov_err;
	/* providers other than the run's, opened for batches sent to them
	 * (eng_batch_provider; under mu) */
	provider *sent_to[ENG_MAX_PROVIDERS];
	size_t nsent_to;
	prompt_ctx *pr;
	agency_lists *al;
	engine_progress_fn progress;
	void *pctx;
	atomic_bool interrupted;   /* a stop at the next safe point (engine_interrupt) */
	ratelimit *rl;             /* live retries */
	ratelimit *live_rl;        /* live mode (`live` setting): live_run's limiter */
	pthread_mutex_t mu;        /* rep, first error */
	pthread_mutex_t commit_mu; /* one CSV commit at a time */
	run_report rep;
	char session[32];      /* CSV backup session stamp: one backup per run */
	chunk_limits test_lim; /* engine_test_set_limits: non-zero fields override */
	char (*rej_clean)[40]; /* finished batches whose rejects are all in the CSV */
	size_t nrej_clean;
	lost_rows lost;      /* committed rows the CSV lost (recommit.c) */
	struct stat lost_st; /* the CSV they were found in */
	bool lost_valid;
	strmap prog_last; /* the highest count shown per progress label (under mu) */
};

/* ---- engine.c: helpers every phase uses ---- */

bool eng_stopping(engine *en);
void eng_progress(engine *en, const char *what, size_t done, size_t total);
void eng_rep_add(engine *en, size_t *field, size_t n);
void eng_rep_cost(engine *en, double *field, double usd);
bool eng_local_exists(engine *en, const char *cesta);
/* File state change along the shortest legal path of the store's table. */
int eng_set_fstate(engine *en, const char *bid, const char *cesta, file_state to,
		   const char *reason);
char *eng_custom_id(const file_entry *f, const char *bid);
bool eng_is_alt_kind(const char *kind);
void eng_dead_letter(engine *en, const char *bid, const file_entry *f, const char *cid,
		     const char *reason, const char *raw);
/* Delete the batch's provider files named by which (EF_* bits) and forget
 * each deleted id in batch.json at once, so neither a later run nor
 * `cleanup` deletes it again.  0 = all gone, -1 = one is still there. */
#define EF_INPUT 1u
#define EF_RESULTS 6u /* output and error files */
int eng_delete_files(engine *en, const char *bid, unsigned which);
/* 0 when a provider is open; -1 with the reason it is not. */
int eng_need_provider(engine *en, sb_err *e);
/* The provider a batch went to (its store names it), whatever provider
 * this run is configured with: the run's own, or one opened for it and kept
 * until engine_close.  NULL with e set when it cannot be opened (no key). */
provider *eng_batch_provider(engine *en, const batch_info *b, sb_err *e);

/* Nothing more happens to the file in this run: settled, or failed until
 * someone retries it. */
static inline bool eng_fstate_final(file_state s)
{
	return file_state_settled(s) || file_state_failed(s);
}

/* ---- recover.c: phase 0 ---- */

int eng_phase_recover(engine *en, sb_err *e);
char *eng_intent_path(engine *en, const char *bid);
/* The batch is at the provider (pb, or its id already known): sent. */
int eng_mark_sent(engine *en, batch_info *b, const prov_batch *pb, sb_err *e);
/* 1 = at the provider (now sent), 0 = never created, -1 = cannot tell now. */
int eng_reconcile(engine *en, batch_info *b);
char *eng_split_path(engine *en, const char *bid);
/* One entry of a split plan: move f to batch `to`. */
void eng_split_plan_line(sbuf *out, const char *to, const file_entry *f);
/* Replay a split plan if one is there.  0 = no plan or done. */
int eng_finish_split(engine *en, const char *bid, sb_err *e);
void eng_recover_splits(engine *en);

/* ---- uploads.c: the upload intent ---- */

/* The name a batch's input file is uploaded under (caller frees). */
char *eng_upload_name(const char *bid);
/* Before an upload of b's input file: the intent, naming this run's
 * provider and those of an earlier send's intent (*left: there was one). */
int eng_upload_intent(engine *en, const batch_info *b, bool *left, sb_err *e);
/* No file was made (a refused upload): the intent goes. */
void eng_upload_done(engine *en, const char *bid);
/* The store holds b's uploaded input file id: the intent goes; after an
 * earlier send's (left), first the files named for b at the providers it
 * named, other than b's input file, are deleted (kept when that fails). */
void eng_upload_saved(engine *en, const batch_info *b, bool left);

/* ---- send.c: phase 2 ---- */

typedef struct built {
	sb_request rq;
	char *cid, *user;
	prepared_image img;
	bool has_img;
	long tokens;
	file_state fail_state; /* FS_ERROR / FS_FILE_NOT_FOUND when it could not be built */
	char *why;
} built;

/* The tokens an answer of provider prov is estimated at: what the
 * library's finished batches of that provider returned per photo, else
 * ADV_OUT_TOKENS (the same rule as `plan --models`). */
long eng_out_tokens(engine *en, const char *prov);
void eng_build_one(engine *en, const batch_info *b, const file_entry *f, built *out);
void eng_built_free(built *b);
/* The run's budget cap: -1 with SBE_BUDGET if est would pass it. */
int eng_check_budget(engine *en, const batch_info *b, double est, bool live, sb_err *e);
int eng_phase_send(engine *en, sb_err *e);
/* The wait marker: the batch hit the provider's enqueued-token limit and
 * is not sent while our batches of its model run. */
char *eng_wait_path(engine *en, const char *bid);
void eng_mark_wait(engine *en, const char *bid);

/* ---- retrieve.c: phase 1, and the results of one batch ---- */

typedef struct item {
	file_entry *f;
	char *cid;
	meta_record rec;
	bool have;   /* a valid record waits for the commit */
	bool seen;   /* a result line was read */
	bool failed; /* needs a live retry or the dead-letter list */
	bool alt;    /* an alternative: text only, no categories */
	char *why, *raw;
	char *ask;   /* the rule the last answer broke, for asking again */
	char *notes; /* the repairs made to the committed answer */
	int repaired;
	bool answered; /* a live answer kept from an interrupted run (answers.c) */
} item;

typedef struct rctx {
	engine *en;
	batch_info *b;
	item *items;
	size_t n;
	size_t *order;  /* items sorted by custom id */
	provider *prov; /* live retries go here: the batch's provider */
	size_t unknown, repaired;
	long in_tokens, out_tokens; /* every answer's, batch lines and live calls */
	long live_in, live_out;     /* of those, the live calls' (paid at live prices) */
	size_t waiting;             /* valid records not committed yet */
	size_t group;               /* commit every this many (0: COMMIT_GROUP) */
	bool group_failed;
	mediacsv *csv; /* the CSV as this run found it, read on first need */
	bool csv_tried;
} rctx;

/* One item per file of the batch (files stay the caller's). */
void eng_results_init(rctx *c, engine *en, batch_info *b, file_entry *files, size_t n);
void eng_results_free(rctx *c);
/* Judge one answer: parse, validate, repair. */
void eng_judge(engine *en, item *it, const sb_result *r);
/* A live answer (live mode or a live retry) was paid for: its tokens
 * counted, its cost at the live price recorded at once in the batch
 * (batch.json), cost.jsonl ("live") and the run's report, so a kill after
 * it loses nothing and nothing adds it twice. */
void eng_paid_live(rctx *c, long in, long out);
/* The batch lines' cost (every answer not paid live), at batch prices. */
double eng_batch_part_usd(const rctx *c);
/* Live retries of one failed item; -1 with *fatal set on an auth failure. */
int eng_live_retry(engine *en, rctx *c, item *it, sb_err *fatal);
int eng_phase_retrieve(engine *en, sb_err *e);

/* ---- commit.c: results into the CSV ---- */

/* One CSV commit of every valid record waiting in c; file states follow
 * the per-row outcome.  The batch path and the live path both use it. */
int eng_commit_results(rctx *c, sb_err *e);
/* After a judged item: commit when a group is full (memory stays flat). */
void eng_commit_group(rctx *c, const item *it);
/* Settle an item after its retries (dead letter, or unresolved). */
void eng_settle_item(engine *en, const batch_info *b, item *it, bool give_up, size_t *failed,
		     size_t *unresolved);
/* The file's row was committed before this run: settle it as saved. */
bool eng_row_committed_before(const mediacsv *m, const file_entry *f);
int eng_settle_already(engine *en, const batch_info *b, const mediacsv *m, const file_entry *f);
/* Rows and text-only requests for edited copies made after their original
 * was committed (once a run, before the copies' batches are sealed). */
void eng_queue_late_copies(engine *en);
/* The engine's figures the store does not keep, into the batch's report. */
void eng_write_extra(engine *en, rctx *c, size_t failed);
int eng_commit_rejects(engine *en, sb_err *e);

/* ---- recommit.c: commits the CSV lost ---- */

/* What a commit wrote (status[i] 0 or 1), into the batch's committed.jsonl. */
void eng_record_commits(engine *en, const char *bid, const mc_update *u, const int *status,
			size_t n);
/* The CSV read again if it changed since the last look; en->lost filled,
 * a warning when rows are lost. */
void eng_check_lost(engine *en);
/* Write the lost rows again from their batches' committed.jsonl. */
int eng_recommit_lost(engine *en, sb_err *e);
/* Whether cesta's row in m (a scratch copy: its row may be changed) is as
 * batch bid's last commit of it left it: that update, applied again with
 * its date, changes nothing.  False when bid holds no such commit. */
bool eng_row_as_committed(engine *en, const char *bid, mediacsv *m, const char *cesta);

/* ---- answers.c: the live answers journal ---- */

/* A live answer that was paid for, appended to the batch's answers.jsonl
 * and fsync'd: call it first, before anything else happens to the answer. */
void eng_answer_keep(engine *en, const char *bid, const sb_result *r);
/* The batch's kept answers judged into c (after its result files): tokens
 * counted (not charged again), attempts at least the answers kept, items
 * marked answered.  Returns how many items got one. */
size_t eng_answers_replay(rctx *c);

/* ---- live.c: live mode ---- */

/* Send a ready batch's built requests live and commit the answers. */
int eng_send_live(engine *en, batch_info *b, file_entry *files, size_t n, built *bl,
		  const size_t *idx, size_t m, sb_err *e);
#endif
