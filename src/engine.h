/* engine.h: the three phases (SPEC 3) and the background worker.
 * Phase 0 recovers interrupted work, reconciles with the provider and
 * archives old batches; phase 1 checks sent batches, downloads, validates,
 * commits; phase 2 sends ready batches.  The CLI runs them once
 * (engine_run); the TUI runs them continuously in a pthread (worker_*),
 * which reports through a message queue woken by a pipe. */
#ifndef SB_ENGINE_H
#define SB_ENGINE_H
#include "batchstore.h"
#include "settings.h"

typedef struct engine engine;

/* Run counters (SPEC 6.5). */
typedef struct run_report {
	size_t sent, succeeded, repaired, retried, failed, skipped, committed, conflicts;
	size_t batches_sent, batches_done, still_waiting;
	size_t still_ready; /* after a send: ready batches that could not go (network, rate) */
	size_t paused;      /* batches paused by this run: the provider no longer knows them */
	double est_cost, actual_cost;
	double seconds;
} run_report;

enum { PH_RECOVER = 1, PH_RETRIEVE = 2, PH_SEND = 4, PH_ALL = 7 };

/* Progress callback for CLI progress bars: what, done, total. */
typedef void (*engine_progress_fn)(const char *what, size_t done, size_t total, void *ctx);

int engine_open(settings *cfg, store *st, engine **out, sb_err *e);
void engine_close(engine *en);
void engine_set_progress(engine *en, engine_progress_fn fn, void *ctx);
/* Run the phases once.  wait_s > 0: keep polling sent batches until they
 * finish or wait_s passes. */
int engine_run(engine *en, unsigned phases, int wait_s, run_report *rep, sb_err *e);
/* Batch control (seed 002). */
int engine_pause(engine *en, const char *batch_id, sb_err *e);
int engine_resume(engine *en, const char *batch_id, sb_err *e);
int engine_cancel(engine *en, const char *batch_id, sb_err *e);
int engine_retry_failed(engine *en, size_t *requeued, sb_err *e);
/* Make the collecting batch ready now (the "send now" command). */
int engine_seal_now(engine *en, sb_err *e);
/* Seal the collecting batches of edited copies (text-only, any size), and
 * a redo batch a kill left collecting (review.h): done
 * by every run after retrieve and before send; `send` calls it first so
 * that it counts them as ready. */
void engine_seal_alternatives(engine *en);
/* Request a stop at the next safe point (Ctrl+C); thread-safe. */
void engine_interrupt(engine *en);
const run_report *engine_report(engine *en);
/* Does the CSV lack rows this batch committed (as of the run's last look)?
 * Cleanup and archiving keep such a batch's files until they are back. */
bool engine_batch_lost(engine *en, const char *batch_id);
/* Clear a served stop request (the worker, after worker_stop's join). */
void engine_clear_interrupt(engine *en);
const settings *engine_settings(const engine *en);
/* Tests only: provider batch limits lower than the real ones (0 = the
 * provider's), to drive the split of a big batch with a few photos. */
void engine_test_set_limits(engine *en, long max_requests, long max_bytes, long max_tokens);
/* The edited copy's Cesta for an alternative tag: `Foto` -> `Upravené foto`
 * (`Video` -> `Upravené video`), `<stem>_<tag><ext>`; NULL if no such
 * folder in the path.  Caller frees. */
char *engine_alt_cesta(const char *cesta, const char *tag);
/* Edited copies that appeared after their original was committed: copies
 * of committed originals whose file exists but which have no row and no
 * batch yet (engine/copies.c).  Every run makes their rows and queues them;
 * `plan` lists them. */
struct mediacsv;
typedef struct late_copy {
	size_t orig_row; /* the original's row */
	const char *tag; /* the alternative tag (the settings' string) */
	char *cesta;     /* the copy's Cesta */
} late_copy;
size_t engine_late_copies(const settings *cfg, store *st, const struct mediacsv *m,
			  late_copy **out);
void late_copies_free(late_copy *c, size_t n);

/* Worker: the engine in a pthread. */
typedef enum { WM_LOG, WM_PROGRESS, WM_BATCHES, WM_COST, WM_ERROR } wmsg_kind;
typedef struct wmsg {
	wmsg_kind kind;
	int level; /* log_level for WM_LOG/WM_ERROR */
	char text[512];
	char batch_id[40];
	size_t done, total; /* WM_PROGRESS */
	double eta_s;       /* -1 unknown */
} wmsg;
/* WC_EXPORT and WC_EMBED: export-agency and embed with their defaults (every
 * agency; copies beside the media CSV), the outcome as log lines. */
typedef enum {
	WC_PAUSE,
	WC_RESUME,
	WC_CANCEL,
	WC_RETRY_FAILED,
	WC_SEND_NOW,
	WC_POLL_NOW,
	WC_EXPORT,
	WC_EMBED
} wcmd;

typedef struct worker worker;
int worker_start(engine *en, worker **out, sb_err *e);
/* Readable when messages wait; the UI polls it with the terminal. */
int worker_fd(worker *w);
/* Next message; false when the queue is empty (drains the pipe). */
bool worker_next(worker *w, wmsg *out);
void worker_command(worker *w, wcmd cmd, const char *batch_id);
/* Which message a full queue drops first (queue.h's rank): progress, then
 * log lines; an error (WM_ERROR, an error-level line) never. */
int wmsg_drop_rank(const void *wmsg_item);
/* Stop at the next safe point and join. */
void worker_stop(worker *w);
#endif
