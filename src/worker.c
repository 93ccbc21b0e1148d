/* worker.c: the engine in a background pthread for the TUI (SPEC 7).
 * Phase 0 once, then phases 1 and 2 every poll_interval or on a command.
 * The UI never blocks here: messages go through a queue (queue.h) and one
 * byte in a self-pipe wakes the UI's poll loop; commands come the other way
 * through a second queue, whose timed wait is the poll interval. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "embed.h"
#include "engine.h"
#include "export.h"
#include "i18n.h"
#include "log.h"
#include "queue.h"
#include "report.h"

#define QCAP 1024 /* messages kept; a full queue drops progress, then log lines */

typedef struct cmd {
	wcmd c;
	char id[40];
} cmd;

struct worker {
	engine *en;
	pthread_t th;
	int pipe[2];
	sbq *msgs;          /* to the UI */
	sbq *cmds;          /* from the UI; stopped by worker_stop */
	pthread_mutex_t mu; /* the ETA's series, below */
	double t0;          /* ETA: start of the current progress series */
	char pwhat[40];
};

int wmsg_drop_rank(const void *item)
{
	const wmsg *m = item;
	switch (m->kind) {
	case WM_PROGRESS: return 3;                        /* the next one says more */
	case WM_LOG: return m->level >= LOG_ERROR ? 0 : 2; /* an error line stays */
	case WM_BATCHES:
	case WM_COST: return 1; /* refreshes: a later one redoes it */
	case WM_ERROR: return 0;
	}
	return 0;
}

static void push(worker *w, const wmsg *m)
{
	if (sbq_push(w->msgs, m) == 1) {
		char c = 1;
		ssize_t r = write(w->pipe[1], &c, 1);
		(void)r; /* a full pipe already wakes the UI */
	}
}

static void post(worker *w, wmsg_kind k, int level, const char *bid, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void post(worker *w, wmsg_kind k, int level, const char *bid, const char *fmt, ...)
{
	wmsg m;
	memset(&m, 0, sizeof m);
	m.kind = k;
	m.level = level;
	m.eta_s = -1;
	if (bid)
		snprintf(m.batch_id, sizeof m.batch_id, "%s", bid);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m.text, sizeof m.text, fmt, ap);
	va_end(ap);
	push(w, &m);
}

static void on_log(log_level lv, const char *line, void *ctx)
{
	post(ctx, WM_LOG, lv, NULL, "%s", line);
}

static void on_progress(const char *what, size_t done, size_t total, void *ctx)
{
	worker *w = ctx;
	wmsg m;
	memset(&m, 0, sizeof m);
	m.kind = WM_PROGRESS;
	m.done = done;
	m.total = total;
	m.eta_s = -1;
	snprintf(m.text, sizeof m.text, "%s", what);
	snprintf(m.batch_id, sizeof m.batch_id, "%s", what);
	/* ETA from the rate so far in this series (retrieve threads call this too) */
	double now = now_mono();
	pthread_mutex_lock(&w->mu);
	if (strcmp(w->pwhat, what) != 0 || done <= 1) {
		snprintf(w->pwhat, sizeof w->pwhat, "%s", what);
		w->t0 = now;
	} else if (done > 0 && total >= done) {
		m.eta_s = (now - w->t0) / (double)done * (double)(total - done);
	}
	pthread_mutex_unlock(&w->mu);
	push(w, &m);
}

/* A CLI line (a msgid ending in a newline, shared with cli/) as a log line. */
static void post_line(worker *w, int level, char *line)
{
	size_t n = strlen(line);
	while (n && line[n - 1] == '\n')
		line[--n] = '\0';
	post(w, WM_LOG, level, NULL, "%s", line);
	free(line);
}

static int run_export(worker *w, sb_err *e)
{
	const settings *cfg = engine_settings(w->en);
	export_opts o = { 0 };
	o.state_dir = cfg->state_dir;
	export_result r;
	if (export_agencies(cfg, &o, &r, e) < 0)
		return -1;
	size_t said = 0;
	for (size_t i = 0; i < r.n; i++) {
		const export_agency_result *a = &r.a[i];
		if (!a->prepared)
			continue;
		said++;
		if (a->written)
			post_line(w, LOG_INFO,
				  xasprintf(P_("%s: %zu row -> %s\n", "%s: %zu rows -> %s\n", a->rows),
					    a->agency, a->rows, a->path));
		else if (a->already)
			post_line(w, LOG_INFO,
				  xasprintf(P_("%s: nothing new (%zu row exported before; --all lists it again)\n",
					       "%s: nothing new (%zu rows exported before; --all lists them again)\n",
					       a->already),
					    a->agency, a->already));
		else
			post_line(w, LOG_INFO, xasprintf(_("%s: nothing to export\n"), a->agency));
		for (size_t k = 0; k < a->nskipped; k++)
			post_line(w, LOG_WARN,
				  xasprintf(_("  left out %s (line %ld): %s\n"), a->skipped[k].file,
					    a->skipped[k].line, a->skipped[k].reason));
	}
	if (!said)
		post(w, WM_LOG, LOG_INFO, NULL, "%s",
		     _("No row is ready for an agency yet: nothing to export."));
	export_result_free(&r);
	return 0;
}

static int run_embed(worker *w, sb_err *e)
{
	embed_opts o = { 0 };
	embed_result r;
	if (embed_photos(engine_settings(w->en), &o, &r, e) < 0)
		return -1;
	for (size_t i = 0; i < r.n; i++)
		if (r.items[i].reason)
			post_line(w, LOG_WARN,
				  xasprintf(_("  left out %s (line %ld): %s\n"), r.items[i].file,
					    r.items[i].line, r.items[i].reason));
	post_line(w, LOG_INFO,
		  xasprintf(P_("%zu photo written to %s, %zu left out\n",
			       "%zu photos written to %s, %zu left out\n", r.written),
			    r.written, r.out_dir, r.left_out));
	embed_result_free(&r);
	return 0;
}

static void run_cmd(worker *w, const cmd *c)
{
	sb_err e;
	sb_err_clear(&e);
	int rc = 0;
	size_t n = 0;
	switch (c->c) {
	case WC_PAUSE: rc = engine_pause(w->en, c->id, &e); break;
	case WC_RESUME: rc = engine_resume(w->en, c->id, &e); break;
	case WC_CANCEL: rc = engine_cancel(w->en, c->id, &e); break;
	case WC_RETRY_FAILED:
		rc = engine_retry_failed(w->en, &n, &e);
		if (rc == 0)
			post(w, WM_LOG, LOG_INFO, NULL, _("%zu failed items queued again"), n);
		break;
	case WC_SEND_NOW: rc = engine_seal_now(w->en, &e); break;
	case WC_POLL_NOW: break;
	case WC_EXPORT: rc = run_export(w, &e); break;
	case WC_EMBED: rc = run_embed(w, &e); break;
	}
	if (rc < 0)
		post(w, WM_ERROR, LOG_ERROR, c->id, "%s", e.msg);
	post(w, WM_BATCHES, LOG_INFO, c->id, "%s", "");
}

static void *worker_main(void *arg)
{
	worker *w = arg;
	unsigned phases = PH_ALL;
	int wait_ms = 0; /* the first run at once */
	for (;;) {
		/* commands first: a pause must not wait for a long poll; a
		 * command ends the wait at once (CLOCK_MONOTONIC: sbq_pop) */
		cmd c;
		int got = sbq_pop(w->cmds, &c, wait_ms);
		if (got < 0 || sbq_stopped(w->cmds))
			break;
		if (got > 0) {
			if (c.c != WC_POLL_NOW)
				run_cmd(w, &c);
			wait_ms = 0; /* the other commands, then a run */
			continue;
		}

		run_report rep;
		sb_err e;
		sb_err_clear(&e);
		if (engine_run(w->en, phases, 0, &rep, &e) < 0)
			post(w, WM_ERROR, LOG_ERROR, NULL, "%s", e.msg);
		phases = PH_RETRIEVE | PH_SEND;
		post(w, WM_BATCHES, LOG_INFO, NULL, "%s", "");
		/* a run that cost nothing has nothing to say: only the refresh */
		if (rep.est_cost > 0 || rep.actual_cost > 0)
			post(w, WM_COST, LOG_INFO, NULL, _("estimate $%.4f, actual $%.4f"),
			     rep.est_cost, rep.actual_cost);
		else
			post(w, WM_COST, LOG_INFO, NULL, "%s", "");

		int iv = 60;
		const settings *cfg = engine_settings(w->en);
		if (cfg && cfg->poll_interval > 0)
			iv = cfg->poll_interval;
		wait_ms = iv > INT_MAX / 1000 ? INT_MAX : iv * 1000;
	}
	return NULL;
}

int worker_start(engine *en, worker **out, sb_err *e)
{
	worker *w = xcalloc(1, sizeof *w);
	w->en = en;
	if (pipe2(w->pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		free(w);
		return sb_fail(e, SBE_IO, _("cannot create the worker's pipe: %s"),
			       strerror(errno));
	}
	w->msgs = sbq_new(sizeof(wmsg), QCAP, wmsg_drop_rank, NULL);
	w->cmds = sbq_new(sizeof(cmd), 64, NULL, NULL);
	pthread_mutex_init(&w->mu, NULL);
	engine_set_progress(en, on_progress, w);
	log_set_sink(on_log, w);
	int rc = pthread_create(&w->th, NULL, worker_main, w);
	if (rc != 0) {
		log_set_sink(NULL, NULL);
		engine_set_progress(en, NULL, NULL);
		close(w->pipe[0]);
		close(w->pipe[1]);
		sbq_free(w->msgs);
		sbq_free(w->cmds);
		pthread_mutex_destroy(&w->mu);
		free(w);
		return sb_fail(e, SBE_GENERIC, _("cannot start the background worker: %s"),
			       strerror(rc));
	}
	*out = w;
	return 0;
}

int worker_fd(worker *w)
{
	return w->pipe[0];
}

bool worker_next(worker *w, wmsg *out)
{
	char buf[256];
	while (read(w->pipe[0], buf, sizeof buf) > 0)
		;
	return sbq_pop(w->msgs, out, 0) > 0;
}

void worker_command(worker *w, wcmd c, const char *batch_id)
{
	cmd k;
	memset(&k, 0, sizeof k);
	k.c = c;
	snprintf(k.id, sizeof k.id, "%s", batch_id ? batch_id : "");
	sbq_push(w->cmds, &k); /* 64 waiting: the UI is far ahead, dropped */
}

void worker_stop(worker *w)
{
	if (!w)
		return;
	sbq_stop(w->cmds);
	engine_interrupt(w->en);
	pthread_join(w->th, NULL);
	engine_clear_interrupt(w->en);
	log_set_sink(NULL, NULL);
	engine_set_progress(w->en, NULL, NULL);
	close(w->pipe[0]);
	close(w->pipe[1]);
	sbq_free(w->msgs);
	sbq_free(w->cmds);
	pthread_mutex_destroy(&w->mu);
	free(w);
}
