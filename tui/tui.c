/* tui.c: the full-screen program (SPEC 7): start the core (lock, store,
 * CSV, worker), then one poll() loop over the terminal, the worker's pipe
 * and the previewer's pipe.  Keys become actions through the key table;
 * the worker and the previewer never draw. */
#include "config.h"
#include "tui.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "advisor.h"
#include "check.h"
#include "exitcode.h"
#include "cost.h"
#include "i18n.h"
#include "lock.h"
#include "log.h"
#include "photomedia.h"
#include "plan.h"
#include "report.h"
#include "term.h"
#include "ui.h"

#define DRAFT_IDLE 1.0 /* seconds of no typing before the draft is written */
#define DRAFT_MAX 3.0  /* ... or at the latest this long after a change */
#define REFRESH_S 2.0  /* registry re-read when the worker is quiet */
#define SCAN_REDRAW 0.1 /* seconds between two redraws for photos found */

static int ctrl_left_code = -1, ctrl_right_code = -1;

static void refresh_files(ui *u)
{
	if (u->nbatches == 0) {
		file_entries_free(u->files, u->nfiles);
		u->files = NULL;
		u->nfiles = 0;
		u->files_of[0] = '\0';
		return;
	}
	const char *id = u->batches[u->sel].id;
	file_entry *f = NULL;
	size_t n = 0;
	if (store_files(u->st, id, &f, &n) < 0)
		return;
	file_entries_free(u->files, u->nfiles);
	u->files = f;
	u->nfiles = n;
	if (strcmp(u->files_of, id) != 0)
		u->files_top = 0;
	snprintf(u->files_of, sizeof u->files_of, "%s", id);
}

/* Newest first, so what moves is on top; the selection follows its id. */
static int by_created_desc(const void *a, const void *b)
{
	const batch_info *x = a, *y = b;
	if (x->created != y->created)
		return x->created < y->created ? 1 : -1;
	return strcmp(y->id, x->id);
}

static void refresh_batches(ui *u)
{
	char keep[40] = "";
	if (u->nbatches)
		snprintf(keep, sizeof keep, "%s", u->batches[u->sel].id);
	free(u->batches);
	u->batches = NULL;
	u->nbatches = store_list(u->st, &u->batches);
	u->batches_read = now_mono();
	u->batches_stale = false;
	u->fill_have = 0;
	u->fill_size = (size_t)u->cfg->batch_size;
	for (size_t i = 0; i < u->nbatches; i++)
		if (u->batches[i].state == BS_COLLECTING &&
		    strcmp(u->batches[i].kind, "originals") == 0)
			u->fill_have = u->batches[i].counts[FS_DESCRIPTION_SAVED];
	qsort(u->batches, u->nbatches, sizeof *u->batches, by_created_desc);
	u->sel = 0;
	for (size_t i = 0; i < u->nbatches; i++)
		if (strcmp(u->batches[i].id, keep) == 0)
			u->sel = i;
	refresh_files(u);
	if (u->modal == MD_REVIEW)
		(review_view.refresh)(u); /* (curses has a refresh macro) */
	if (u->view)
		(u->view->refresh)(u);
	u->dirty = true;
}

static void write_draft(ui *u)
{
	sb_err e;
	sb_err_clear(&e);
	if (collect_draft(u->co, editor_text(&u->ed), &e) < 0)
		ui_status(u, 3, _("Could not keep the draft: %s"), e.msg);
	u->draft_gen = u->ed.gen;
	u->draft_written = now_mono();
}

/* A new photo: its draft (if the last session left one), editorial off. */
static void load_photo(ui *u, bool take_draft)
{
	editor_set(&u->ed, "");
	u->editorial = false;
	memset(&u->edinfo, 0, sizeof u->edinfo);
	{
		/* the last session's draft, or the text typed before a jump */
		char *d = take_draft ? collect_take_draft(u->co) : collect_take_kept(u->co);
		if (d) {
			editor_set(&u->ed, d);
			free(d);
			ui_status(u, 1, "%s", _("Your unsaved text for this photo is back."));
		}
	}
	u->draft_gen = u->ed.gen;
	u->shown = NULL;
	u->photo_changed = true;
	u->dirty = true;
}

static void preview_update(ui *u)
{
	collect_photo p;
	if (!u->pv || !collect_current(u->co, &p) || !u->show_editor) {
		u->shown = NULL; /* the cache may drop it meanwhile */
		return;
	}
	rect r = u->r_preview;
	if (r.w < 4 || r.h < 2)
		return;
	/* the series: hashes arrived, or photos near this one still need one */
	unsigned hashed = previewer_hashed(u->pv);
	if (hashed != u->hashed_seen) {
		u->hashed_seen = hashed;
		collect_hashes_changed(u->co);
		if (!collect_current(u->co, &p))
			return;
		u->dirty = true;
	}
	const char *want[16];
	size_t nw = collect_hash_wanted(u->co, want, 16);
	for (size_t i = 0; i < nw; i++)
		previewer_hash(u->pv, want[i]);
	const preview_img *im = previewer_get(u->pv, p.local, r.w, r.h);
	if (im != u->shown) {
		u->shown = im;
		u->dirty = true;
	}
	/* Render the next photo while this one is being described. */
	const char *next = collect_ahead(u->co, 1);
	if (im && next)
		previewer_prefetch(u->pv, next, r.w, r.h);
}

/* More photos found by the background scan: the count in the title, and
 * the first photo as soon as there is one. */
static void take_photos(ui *u)
{
	bool had = collect_ahead(u->co, 0) != NULL;
	if (!collect_poll(u->co))
		return;
	u->scan_taken = now_mono();
	if (!had && collect_ahead(u->co, 0))
		u->photo_changed = true;
	else
		preview_update(u); /* the next photo may be known now: prefetch it */
	if (u->view)
		(u->view->refresh)(u);
	u->dirty = true;
}

static void next_photo(ui *u)
{
	load_photo(u, false);
	preview_update(u);
}

/* Another frame of the series is shown: the text typed stays. */
static void frame_changed(ui *u)
{
	u->shown = NULL;
	u->photo_changed = true;
	u->dirty = true;
}

/* After a skip or reject: the series goes on (text kept) or the next photo. */
static void after_taking(ui *u, size_t frames_before, size_t taken)
{
	if (taken < frames_before)
		frame_changed(u);
	else
		next_photo(u);
}

/* The editor in front (a view closed, the dashboard flipped away). */
static void show_editor(ui *u)
{
	if (u->view)
		photos_view_close(u);
	u->dashboard = false;
	u->focus = PANE_EDITOR;
	ui_layout(u);
}

/* The photo list's Enter and e (a re-edit holds the editor until saved or
 * left); the text typed for the photo left is kept (and on disk as the
 * draft) for when it comes back. */
static bool editor_free_for(ui *u, const char *cesta)
{
	const char *redo = collect_redoing(u->co);
	if (redo) {
		ui_status(u, 2,
			  _("Still re-editing %s: Ctrl+S saves it, Esc in the editor leaves it; "
			    "then %s."),
			  cesta_basename(redo), cesta_basename(cesta));
		return false;
	}
	if (u->ed.gen != u->draft_gen)
		write_draft(u);
	return true;
}

static void describe_now(ui *u, const char *cesta)
{
	if (!editor_free_for(u, cesta))
		return;
	if (!collect_jump(u->co, cesta, editor_text(&u->ed))) {
		ui_status(u, 2, _("%s is no longer to describe."), cesta_basename(cesta));
		(u->view->refresh)(u);
		return;
	}
	show_editor(u);
	next_photo(u);
	ui_status(u, 1, _("Describing %s; the photos passed over come after it (o lists them)."),
		  cesta_basename(cesta));
}

static void redo_begin(ui *u, const char *cesta)
{
	if (!editor_free_for(u, cesta))
		return;
	sb_err e;
	sb_err_clear(&e);
	char batch[40];
	char *text = collect_saved_description(u->st, cesta, batch, &e);
	if (!text || !collect_redo_begin(u->co, cesta, editor_text(&u->ed))) {
		ui_status(u, 2, _("Not re-edited: %s"), text ? cesta : e.msg);
		free(text);
		(u->view->refresh)(u);
		return;
	}
	show_editor(u);
	next_photo(u);
	editor_set(&u->ed, text);
	u->draft_gen = u->ed.gen;
	free(text);
	ui_status(
		u, 1,
		_("Re-editing %s (batch %s): Ctrl+S saves the new text, Esc leaves it as it was."),
		cesta_basename(cesta), batch);
}

/* Back from a re-edit to the photo being described, its text back. */
static void redo_end(ui *u, bool saved)
{
	char *name = xstrdup(cesta_basename(collect_redoing(u->co)));
	collect_redo_end(u->co);
	next_photo(u);
	if (saved)
		ui_status(u, 1, _("Saved the new description of %s."), name);
	else
		ui_status(u, 1, _("Left the re-edit: the saved description of %s is unchanged."),
			  name);
	free(name);
}

static void redo_save(ui *u)
{
	sb_err e;
	sb_err_clear(&e);
	if (collect_redescribe(u->st, collect_redoing(u->co), editor_text(&u->ed), &e) < 0) {
		ui_status(u, 3, _("Not saved: %s"), e.msg);
		return;
	}
	redo_end(u, true);
	refresh_batches(u);
}

/* What the photo list's key did (photos.c returns it). */
static void view_done(ui *u, view_result r)
{
	char *pick = photos_picked(u) ? xstrdup(photos_picked(u)) : NULL;
	switch (r) {
	case VR_CLOSED: photos_view_close(u); break;
	case VR_DESCRIBE: describe_now(u, pick); break;
	case VR_REEDIT: redo_begin(u, pick); break;
	case VR_UNSKIP:
		if (collect_unskip(u->co, pick))
			ui_status(u, 1, _("%s is back: it comes next."), cesta_basename(pick));
		(u->view->refresh)(u);
		break;
	case VR_OPEN:
	case VR_QUEUED:
	case VR_PASS: break;
	}
	free(pick);
}

/* While a saved description is re-edited, the keys for the photo being
 * described wait. */
static bool redo_holds(ui *u, tui_action a)
{
	const char *redo = collect_redoing(u->co);
	if (!redo || !(a == TA_SKIP || a == TA_REJECT || a == TA_EDITORIAL || a == TA_DETACH ||
		       a == TA_SPLIT || a == TA_SCOPE || a == TA_FRAME_NEXT || a == TA_FRAME_PREV))
		return false;
	ui_status(u, 2, _("Re-editing %s: Ctrl+S saves the new text, Esc leaves it as it was."),
		  cesta_basename(redo));
	return true;
}

static void act_save(ui *u)
{
	collect_photo p;
	if (!collect_current(u->co, &p)) {
		ui_status(u, 2, "%s", _("There is no photo left to describe."));
		return;
	}
	size_t n = editor_count(&u->ed);
	int min = u->cfg->min_description > 0 ? u->cfg->min_description : 50;
	if (n < (size_t)min) {
		ui_status(
			u, 2,
			_("Not saved: the description has %zu characters, at least %d are needed."),
			n, min);
		return;
	}
	if (collect_redoing(u->co)) {
		redo_save(u);
		return;
	}
	sb_err e;
	sb_err_clear(&e);
	bool sealed = false;
	if (collect_save(u->co, editor_text(&u->ed), u->editorial, &u->edinfo, u->frame_only,
			 &sealed, &e) < 0) {
		ui_status(u, 3, _("Not saved: %s"), e.msg);
		return;
	}
	if (u->pv)
		previewer_save_hashes(u->pv); /* the hashes made so far, off this thread */
	if (p.frames > 1)
		ui_status(u, 1,
			  P_("Saved for the %zu photo of the series.",
			     "Saved for the %zu photos of the series.", p.frames),
			  p.frames);
	else
		ui_status(u, 1, _("Saved %s."), p.soubor);
	if (sealed) {
		ui_log(u, 1, _("The collecting batch is full: it is ready and goes out now."));
		if (u->wk)
			worker_command(u->wk, WC_POLL_NOW, NULL);
	}
	refresh_batches(u);
	next_photo(u);
}

static void do_reject(ui *u)
{
	collect_photo p;
	if (!collect_current(u->co, &p))
		return;
	char *name = xstrdup(p.soubor);
	sb_err e;
	sb_err_clear(&e);
	bool one = u->frame_only || p.frames < 2;
	if (collect_reject(u->co, one, &e) < 0)
		ui_status(u, 3, _("Not rejected: %s"), e.msg);
	else {
		if (one)
			ui_status(u, 1, _("Rejected %s."), name);
		else
			ui_status(u, 1,
				  P_("Rejected the %zu photo of the series.",
				     "Rejected the %zu photos of the series.", p.frames),
				  p.frames);
		refresh_batches(u);
		after_taking(u, p.frames, one ? 1 : p.frames);
	}
	free(name);
}

static void do_cancel(ui *u, const char *batch_id)
{
	if (!u->wk) {
		ui_status(u, 3, "%s", _("The background worker is not running."));
		return;
	}
	worker_command(u->wk, WC_CANCEL, batch_id);
	ui_status(u, 1, _("Cancelling %s..."), batch_id);
}

static void editorial_done(ui *u, bool ok)
{
	if (!ok) {
		ui_status(u, 1, "%s", _("Editorial unchanged."));
		return;
	}
	const char *c = editor_text(&u->fields[0]), *k = editor_text(&u->fields[1]),
		   *d = editor_text(&u->fields[2]), *why = NULL;
	if (!collect_editorial_fill(&u->edinfo, c, k, d, &why)) {
		/* the dialog stays open with the reason, the typed facts kept */
		ui_status(u, 2, "%s", why);
		u->modal = MD_EDITORIAL;
		u->dirty = true;
		return;
	}
	u->editorial = true;
	ui_status(u, 1, _("Editorial: %s, %s, %s"), c, k, u->edinfo.date);
}

static void act_show_path(ui *u)
{
	collect_photo p;
	if (collect_current(u->co, &p))
		ui_status(u, 1, "%s  (%s)", p.local, p.cesta);
}

/* $VISUAL/$EDITOR on a temp file; the UI is suspended meanwhile. */
static void act_external(ui *u)
{
	const char *ed = getenv("VISUAL");
	if (!ed || !*ed)
		ed = getenv("EDITOR");
	if (!ed || !*ed)
		ed = "vi";
	const char *tmp = getenv("TMPDIR");
	char *path = xasprintf("%s/stockbatch-XXXXXX.txt", tmp && *tmp ? tmp : "/tmp");
	int fd = mkstemps(path, 4);
	if (fd < 0) {
		ui_status(u, 3, _("Cannot create a temporary file in %s: %s"), tmp ? tmp : "/tmp",
			  strerror(errno));
		free(path);
		return;
	}
	const char *t = editor_text(&u->ed);
	size_t n = strlen(t);
	if (write(fd, t, n) != (ssize_t)n || close(fd) < 0) {
		ui_status(u, 3, _("Cannot write %s: %s"), path, strerror(errno));
		unlink(path);
		free(path);
		return;
	}
	def_prog_mode();
	endwin();
	pid_t pid = fork();
	int st = -1;
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", "exec $0 \"$1\"", ed, path, (char *)NULL);
		_exit(127);
	} else if (pid > 0) {
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
		}
	}
	reset_prog_mode();
	clearok(curscr, TRUE);
	u->printed = NULL;
	char *data = NULL;
	size_t len = 0;
	sb_err e;
	sb_err_clear(&e);
	if (pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 &&
	    read_whole_file(path, &data, &len, &e) == 0) {
		while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
			data[--len] = '\0';
		editor_set(&u->ed, data);
		write_draft(u);
		ui_status(u, 1, "%s", _("Text taken back from the editor."));
	} else
		ui_status(u, 2, _("The editor (%s) did not finish cleanly; the text is unchanged."),
			  ed);
	free(data);
	unlink(path);
	free(path);
	u->dirty = true;
}

struct check_out {
	FILE *f;
	const file_entry *files;
	size_t n;
};

static void on_finding(size_t file, int agency, const char *rule, const char *todo, void *ctx)
{
	struct check_out *o = ctx;
	o->n++;
	fprintf(o->f, "  %s: %s: %s (%s)\n", cesta_basename(o->files[file].cesta),
		agency < 0 ? _("all agencies") : meta_agency_label(agency), rule, todo);
}

/* The agencies' rules over the batch's rows in the CSV, as `check` applies
 * them (the core's check_media_files). */
static void report_checks(ui *u, FILE *f)
{
	if (!u->nfiles)
		return;
	const char **paths = xmalloc(u->nfiles * sizeof *paths);
	for (size_t i = 0; i < u->nfiles; i++)
		paths[i] = u->files[i].cesta;
	fprintf(f, "\n%s\n", _("Agency checks of its rows in the CSV (as stockbatch check):"));
	struct check_out o = { f, u->files, 0 };
	size_t checked = 0;
	sb_err e;
	sb_err_clear(&e);
	if (check_media_files(u->cfg, paths, u->nfiles, on_finding, &o, &checked, &e) < 0)
		fprintf(f, "  %s\n", e.msg);
	else if (!o.n)
		fprintf(f,
			P_("  %zu row ready for an agency: it passes every rule.\n",
			   "  %zu rows ready for an agency: they pass every rule.\n", checked),
			checked);
	free(paths);
}

/* The selected batch's text (fill writes it) in the pager, titled by fmt. */
static void batch_pager(ui *u, void (*fill)(ui *, const batch_info *, FILE *), const char *fmt,
			...) __attribute__((format(printf, 3, 4)));
static void batch_pager(ui *u, void (*fill)(ui *, const batch_info *, FILE *), const char *fmt,
			...)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return;
	fill(u, &u->batches[u->sel], f);
	fclose(f);
	char title[96];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(title, sizeof title, fmt, ap);
	va_end(ap);
	dlg_text_open(u, title, buf ? buf : "");
	free(buf);
}

static void fill_report(ui *u, const batch_info *b, FILE *f)
{
	if (report_batch(u->st, b->id, false, f) < 0)
		fprintf(f, _("No report for %s yet.\n"), b->id);
	/* the dead letters with their reasons, for review here */
	bool head = false;
	for (size_t i = 0; i < u->nfiles; i++)
		if (u->files[i].reason) {
			if (!head)
				fprintf(f, "\n%s\n", _("Items with a problem:"));
			head = true;
			fprintf(f, "  %s: %s (%s)\n", cesta_basename(u->files[i].cesta),
				ui_file_state_label(u->files[i].state), u->files[i].reason);
		}
	report_checks(u, f);
}

static void act_report(ui *u)
{
	if (u->nbatches)
		batch_pager(u, fill_report, _("Report of %s"), u->batches[u->sel].id);
}

/* The activity log, oldest first, each line whole, in the pager. */
static void act_log_pager(ui *u)
{
	sbuf b = { 0 };
	for (size_t i = 0; i < u->nlog; i++)
		sbuf_printf(&b, "%s\n", u->log[(u->logpos + LOG_LINES - u->nlog + i) % LOG_LINES]);
	dlg_text_open(u, _("Activity"), b.p ? b.p : "");
	sbuf_free(&b);
}

/* The cost of the photos waiting on every model (the core's advisor, as
 * `plan --models`), cheapest first, in the pager. */
static void act_models(ui *u)
{
	sb_err e;
	sb_err_clear(&e);
	plan *p = NULL;
	adv_input in;
	if (prices_load(NULL, &e) < 0 || plan_build(u->cfg, u->st, &p, &e) < 0 ||
	    advisor_plan_input(u->cfg, u->st, p, &in, &e) < 0) {
		ui_status(u, 3, _("No cost table: %s"), e.msg);
		plan_free(p);
		return;
	}
	adv_table t;
	advisor_table(u->cfg, &in, &t);
	sbuf b = { 0 };
	sbuf_printf(&b,
		    P_("What the %zu photo waiting would cost on each model that reads images:",
		       "What the %zu photos waiting would cost on each model that reads images:",
		       t.in.requests),
		    t.in.requests);
	sbuf_printf(&b, "\n%s\n\n", _("(USD per photo and for all of them, batch and live; * is the configured model)"));
	char c[6][48];
	sbuf_printf(&b, "  %s %s %s %s %s %s\n", ui_fit(c[0], sizeof c[0], _("Provider"), 8),
		    ui_fit(c[1], sizeof c[1], _("Model"), 22), ui_fit(c[2], sizeof c[2], _("Detail"), 7),
		    ui_fit(c[3], sizeof c[3], _("Per photo"), 10),
		    ui_fit(c[4], sizeof c[4], _("Batch total"), 11), _("Live total"));
	for (size_t i = 0; i < t.n; i++) {
		const adv_row *r = &t.rows[i];
		char v[3][32];
		snprintf(v[0], sizeof v[0], "$%.5f", r->batch);
		snprintf(v[1], sizeof v[1], "$%.4f", r->batch_total);
		snprintf(v[2], sizeof v[2], "$%.4f", r->live_total);
		sbuf_printf(&b, "%s %s %s %s %10s %11s %s%s\n", r->configured ? "*" : " ",
			    ui_fit(c[0], sizeof c[0], r->provider, 8),
			    ui_fit(c[1], sizeof c[1], r->model, 22), ui_fit(c[2], sizeof c[2], r->detail, 7),
			    v[0], v[1], v[2], r->deprecated ? _("  deprecated") : "");
	}
	char *w = advisor_warning(&t);
	if (w)
		sbuf_printf(&b, "\n%s\n", w);
	free(w);
	dlg_text_open(u, _("Cost on every model"), b.p ? b.p : "");
	sbuf_free(&b);
	advisor_free(&t);
	plan_free(p);
}

/* The selected batch's committed photos, each beside what was written
 * for it (review.c). */
static void act_review(ui *u)
{
	if (u->nbatches && review_view_open(u, u->batches[u->sel].id))
		review_view.layout(u);
}

/* The settings in effect (as settings_dump writes them), read-only, each
 * with its origin: the default, FILE:LINE, or the command line. */
static void act_settings(ui *u)
{
	char *dump = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&dump, &len);
	if (!f)
		return;
	settings_dump(u->cfg, f);
	fclose(f);
	sbuf b = { 0 };
	for (char *line = dump, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		char key[64];
		size_t kl = strcspn(line, " =");
		snprintf(key, sizeof key, "%.*s", (int)(kl < sizeof key ? kl : sizeof key - 1),
			 line);
		const char *o = settings_origin(u->cfg, key);
		sbuf_printf(&b, "%s   [%s]\n", line, o ? o : _("default"));
	}
	free(dump);
	dlg_text_open(u, _("Settings in effect (read-only)"), b.p ? b.p : "");
	sbuf_free(&b);
}

static void batch_cmd(ui *u, wcmd c, const char *what)
{
	if (!u->nbatches)
		return;
	if (!u->wk) {
		ui_status(u, 3, "%s", _("The background worker is not running."));
		return;
	}
	worker_command(u->wk, c, u->batches[u->sel].id);
	ui_status(u, 1, "%s %s", what, u->batches[u->sel].id);
}

/* A batch key that cannot apply to the selected batch's state says so at
 * once, instead of asking first or failing in the worker. */
static bool batch_key_applies(ui *u, tui_action a)
{
	if (!u->nbatches)
		return false;
	const batch_info *b = &u->batches[u->sel];
	const char *st = ui_batch_state_label(b->state);
	if (a == TA_RESUME && b->state != BS_PAUSED) {
		ui_status(u, 2, _("Batch %s is %s, not paused: nothing to resume."), b->id, st);
		return false;
	}
	if (!batch_state_active(b->state)) {
		ui_status(u, 2,
			  a == TA_CANCEL ? _("Batch %s is %s: there is nothing to cancel.")
					 : _("Batch %s is %s: there is nothing to pause."),
			  b->id, st);
		return false;
	}
	if (a == TA_PAUSE && b->state == BS_PAUSED) {
		ui_status(u, 2, _("Batch %s is paused already."), b->id);
		return false;
	}
	return true;
}

/* Sent or about to be: what goes on at the provider after a quit. */
static size_t batches_out(const ui *u)
{
	size_t n = 0;
	for (size_t i = 0; i < u->nbatches; i++) {
		batch_state s = u->batches[i].state;
		if (s == BS_READY || s == BS_SENT ||
		    (s == BS_PAUSED && u->batches[i].paused_from == BS_SENT))
			n++;
	}
	return n;
}

static char *out_note(const ui *u)
{
	size_t n = batches_out(u);
	if (!n)
		return NULL;
	return xasprintf(P_("%zu batch is out at the provider: it goes on there and its results "
			    "are collected at the next start.",
			    "%zu batches are out at the provider: they go on there and their "
			    "results are collected at the next start.",
			    n),
			 n);
}

static void ask_quit(ui *u)
{
	char *note = out_note(u);
	char *q = xasprintf("%s%s%s", _("Quit stockbatch? Your unsaved text is kept as a draft."),
			    note ? " " : "", note ? note : "");
	dlg_confirm_open(u, CF_QUIT, NULL, q);
	free(q);
	free(note);
}

/* kitty pictures stay above the text until deleted */
static void kitty_delete(void)
{
	static const char del[] = "\033_Ga=d\033\\";
	term_put(del, sizeof del - 1);
}

/* Ctrl+Z: the draft first, then the shell; back on fg. */
static void suspend(ui *u)
{
	if (u->ed.gen != u->draft_gen)
		write_draft(u);
	if (u->kitty_on) {
		kitty_delete();
		u->kitty_on = false;
	}
	term_suspend();
	u->printed = NULL;
	ui_layout(u); /* the terminal may have another size now */
	preview_update(u);
}

static void dialog_done(ui *u, modal_kind m, dlg_result r)
{
	if (m == MD_EDITORIAL) {
		editorial_done(u, r == DR_YES);
		return;
	}
	if (m != MD_CONFIRM)
		return;
	if (r != DR_YES) {
		ui_status(u, 1, "%s", _("Nothing done."));
		return;
	}
	switch (u->confirm) {
	case CF_REJECT: do_reject(u); break;
	case CF_CANCEL: do_cancel(u, u->confirm_batch); break;
	case CF_QUIT: u->quit = true; break;
	}
}

static void focus_next(ui *u, int dir)
{
	if (!u->wide) {
		/* one view at a time: Tab flips editor and dashboard */
		u->dashboard = !u->dashboard;
		u->focus = u->dashboard ? PANE_BATCHES : PANE_EDITOR;
		ui_layout(u);
		preview_update(u);
		return;
	}
	static const pane_id cycle[] = { PANE_EDITOR, PANE_BATCHES, PANE_FILES, PANE_LOG };
	int i = 0;
	for (int k = 0; k < 4; k++)
		if (cycle[k] == u->focus)
			i = k;
	u->focus = cycle[(i + 4 + dir) % 4];
	u->dirty = true;
}

/* Ctrl+N: the photo, or its series, is passed over this session. */
static void act_skip(ui *u)
{
	collect_photo p;
	if (!collect_current(u->co, &p))
		return;
	size_t n = collect_skip(u->co, u->frame_only);
	ui_status(u, 1, "%s",
		  n > 1 ? _("Skipped the series; nothing saved.") : _("Skipped; nothing saved."));
	after_taking(u, p.frames, n);
}

/* Ctrl+D, Ctrl+T: the frame shown taken out of its series, or a split. */
static void act_series_edit(ui *u, tui_action a)
{
	sb_err e;
	sb_err_clear(&e);
	collect_photo p;
	bool have = collect_current(u->co, &p);
	int rc = a == TA_DETACH ? collect_detach(u->co, &e) : collect_split(u->co, &e);
	if (rc < 0)
		ui_status(u, 2, "%s", e.msg);
	else if (have && a == TA_DETACH)
		ui_status(u, 1, _("%s is out of the series; it comes next, on its own."), p.soubor);
	else if (have)
		ui_status(u, 1, _("Split: %s starts a new series, described later."), p.soubor);
	frame_changed(u);
}

/* A command for the whole worker (not one batch), said on the last line. */
static void worker_ask(ui *u, wcmd c, const char *what)
{
	if (!u->wk)
		return;
	worker_command(u->wk, c, NULL);
	ui_status(u, 1, "%s", what);
}

/* Ctrl+R: asks first, for the series or the frame shown. */
static void act_reject(ui *u)
{
	collect_photo p;
	if (!collect_current(u->co, &p))
		return;
	char *q = p.frames > 1 && !u->frame_only
			  ? xasprintf(P_("Reject the %zu photo of this series? It is "
					 "not offered again.",
					 "Reject the %zu photos of this series? They "
					 "are not offered again.",
					 p.frames),
				      p.frames)
			  : xasprintf(_("Reject %s? It is not offered again."), p.soubor);
	dlg_confirm_open(u, CF_REJECT, NULL, q);
	free(q);
}

/* Up and Down in the batch view: the files pane scrolls, the batch list
 * moves its selection. */
static void act_select(ui *u, int delta)
{
	if (u->focus == PANE_FILES) {
		if (delta < 0 && u->files_top)
			u->files_top--;
		else if (delta > 0 && u->files_top + 1 < u->nfiles)
			u->files_top++;
	} else if (delta < 0 && u->sel > 0) {
		u->sel--;
		refresh_files(u);
	} else if (delta > 0 && u->sel + 1 < u->nbatches) {
		u->sel++;
		refresh_files(u);
	}
}

static void handle_action(ui *u, tui_action a)
{
	int w = ui_text_width(u);
	u->dirty = true;
	if (redo_holds(u, a))
		return;
	switch (a) {
	case TA_NONE: break;
	case TA_QUIT: u->quit = true; break;
	case TA_QUIT_ASK: ask_quit(u); break;
	case TA_SUSPEND: suspend(u); break;
	case TA_HELP: dlg_help_open(u); break;
	case TA_NEXT_PANE: focus_next(u, 1); break;
	case TA_PREV_PANE: focus_next(u, -1); break;
	case TA_REDRAW:
		clearok(curscr, TRUE);
		u->printed = NULL;
		break;
	case TA_SAVE: act_save(u); break;
	case TA_SKIP: act_skip(u); break;
	case TA_FRAME_NEXT:
	case TA_FRAME_PREV:
		collect_select(u->co, a == TA_FRAME_NEXT ? 1 : -1);
		frame_changed(u);
		break;
	case TA_DETACH:
	case TA_SPLIT: act_series_edit(u, a); break;
	case TA_SCOPE:
		u->frame_only = !u->frame_only;
		ui_status(u, 1, "%s",
			  u->frame_only ? _("Skip, reject and editorial: the frame shown only.")
					: _("Skip, reject and editorial: the whole series."));
		break;
	case TA_EDITORIAL:
		if (u->editorial) {
			u->editorial = false;
			ui_status(u, 1, "%s", _("Editorial off."));
		} else
			dlg_editorial_open(u);
		break;
	case TA_REJECT: act_reject(u); break;
	case TA_SHOW_PATH: act_show_path(u); break;
	case TA_EXTERNAL: act_external(u); break;
	case TA_SEL_UP: act_select(u, -1); break;
	case TA_SEL_DOWN: act_select(u, 1); break;
	case TA_PAUSE:
		if (batch_key_applies(u, a))
			batch_cmd(u, WC_PAUSE, _("Pausing"));
		break;
	case TA_RESUME:
		if (batch_key_applies(u, a))
			batch_cmd(u, WC_RESUME, _("Resuming"));
		break;
	case TA_CANCEL:
		if (batch_key_applies(u, a)) {
			char *q =
				xasprintf(_("Cancel batch %s? Results already completed are kept."),
					  u->batches[u->sel].id);
			dlg_confirm_open(u, CF_CANCEL, u->batches[u->sel].id, q);
			free(q);
		}
		break;
	case TA_RETRY:
		worker_ask(u, WC_RETRY_FAILED, _("Retrying the failed items..."));
		break;
	case TA_REPORT: act_report(u); break;
	case TA_LOG_PAGER: act_log_pager(u); break;
	case TA_EXPORT:
		worker_ask(u, WC_EXPORT, _("Writing the agencies' upload CSVs (see the activity log)..."));
		break;
	case TA_EMBED:
		worker_ask(u, WC_EMBED, _("Writing the metadata into copies of the photos (see the activity log)..."));
		break;
	case TA_PG_LINE_UP:
	case TA_PG_LINE_DOWN:
	case TA_PG_PAGE_UP:
	case TA_PG_PAGE_DOWN:
	case TA_PG_TOP:
	case TA_PG_BOTTOM:
	case TA_PG_FIND:
	case TA_PG_NEXT:
	case TA_PG_PREV:
	case TA_PG_CLOSE:
	case TA_PL_OPEN:
	case TA_PL_UNSKIP: break; /* the pager's and the photo list's own */
	default: editor_apply(&u->ed, a, w); break; /* the editing keys */
	case TA_MODELS: act_models(u); break;
	case TA_SETTINGS: act_settings(u); break;
	case TA_PHOTOS: photos_view_open(u); break;
	case TA_REDO_LEAVE:
		if (collect_redoing(u->co))
			redo_end(u, false);
		break;
	case TA_REVIEW: act_review(u); break;
	case TA_SEND_NOW:
		worker_ask(u, WC_SEND_NOW, _("Sending the collecting batch now..."));
		break;
	case TA_POLL_NOW:
		worker_ask(u, WC_POLL_NOW, _("Checking the sent batches..."));
		break;
	}
}

static tui_ctx ctx_of(const ui *u)
{
	if (u->view)
		return TC_PHOTOS;
	switch (u->focus) {
	case PANE_EDITOR: return TC_EDITOR;
	case PANE_BATCHES:
	case PANE_FILES: return TC_BATCHES;
	default: return TC_VIEW;
	}
}

/* Swallow the rest of an escape sequence curses did not decode (a function
 * key its terminfo entry lacks, a mouse report): CSI parameters and
 * intermediates up to the final byte; an X10 mouse report's three bytes. */
static void swallow_x10_mouse(void)
{
	wint_t wc;
	timeout(0);
	for (int i = 0; i < 3 && get_wch(&wc) != ERR; i++) {
	}
}

static void swallow_sequence(wint_t intro)
{
	wint_t wc;
	int r = get_wch(&wc);
	if (intro == 'O' || r == ERR)
		return; /* SS3: one final character */
	if (r == OK && wc == 'M') {
		swallow_x10_mouse();
		return;
	}
	while (r == OK && wc >= 0x20 && wc <= 0x3f) /* up to the final byte, read too */
		r = get_wch(&wc);
}

/* An ESC with more input behind it: Alt+key (the terminal sends ESC first),
 * a sequence curses did not decode, or ESC then a key pressed at once.
 * Nothing of it is ever text.  Returns false when there is nothing to do;
 * else *code and *is_key are what to act on (ESC alone stays ESC). */
static bool after_escape(int *code, bool *is_key)
{
	wint_t wc;
	timeout(0);
	int r = get_wch(&wc);
	if (r == ERR)
		return true;
	if (r == KEY_CODE_YES) {
		if (wc == KEY_RESIZE) {
			/* a resize noticed just now: Esc alone, the resize after it */
			ungetch(KEY_RESIZE);
			return true;
		}
		if (wc == KEY_BACKSPACE)
			*code = TK_ALT_BACKSPACE, *is_key = false;
		else
			*code = (int)wc, *is_key = true; /* Esc then Left is Left */
		if (wc == KEY_MOUSE)
			swallow_x10_mouse();
		return wc != KEY_MOUSE;
	}
	switch (wc) {
	case 'b': *code = TK_ALT_B; return true;
	case 'f': *code = TK_ALT_F; return true;
	case 'd': *code = TK_ALT_D; return true;
	case 0x7f:
	case 8: *code = TK_ALT_BACKSPACE; return true;
	case 27: return true; /* Esc pressed twice: Esc */
	case '[':
	case 'O': swallow_sequence(wc); return false;
	default: return false; /* Alt with a key that means nothing here */
	}
}

static void handle_key(ui *u, int code, bool is_key)
{
	if (is_key && code == KEY_RESIZE) {
		ui_layout(u);
		if (u->modal == MD_REVIEW)
			review_view.layout(u);
		if (u->view)
			u->view->layout(u);
		clearok(curscr, TRUE);
		u->printed = NULL;
		preview_update(u);
		return;
	}
	if (is_key && code == ctrl_left_code)
		code = TK_CTRL_LEFT;
	else if (is_key && code == ctrl_right_code)
		code = TK_CTRL_RIGHT;
	if (!is_key && code == 27 && !after_escape(&code, &is_key))
		return;
	if (is_key && code == KEY_MOUSE) {
		/* the terminfo's kmous prefix, mouse reporting left on by
		 * another program: its three bytes are no text */
		swallow_x10_mouse();
		return;
	}
	tui_ctx c = ctx_of(u);
	tui_action a = tui_key_action(c, code, is_key);
	if (u->too_small) {
		/* nothing is shown: nothing typed goes anywhere */
		if (a == TA_QUIT || a == TA_REDRAW)
			handle_action(u, a);
		return;
	}
	if (u->modal != MD_NONE && a == TA_SUSPEND) {
		handle_action(u, a); /* Ctrl+Z is the shell's, whatever is open */
		return;
	}
	if (u->modal == MD_REVIEW) {
		view_result r = review_view.key(u, code, is_key);
		if (r == VR_QUEUED && u->wk)
			worker_command(u->wk, WC_POLL_NOW, NULL); /* sent now */
		return;
	}
	if (u->modal != MD_NONE) {
		modal_kind m = u->modal;
		dlg_result r = dlg_key(u, code, is_key);
		if (r != DR_OPEN)
			dialog_done(u, m, r);
		return;
	}
	if (u->view) {
		view_result r = u->view->key(u, code, is_key);
		if (r != VR_PASS) {
			view_done(u, r);
			return;
		}
	}
	if (a != TA_NONE) {
		handle_action(u, a);
		return;
	}
	if (c == TC_EDITOR && !is_key && code >= 0x20 && code != 0x7f && code < TK_FIRST) {
		editor_insert_cp(&u->ed, (unsigned)code);
		u->last_change = now_mono();
		u->dirty = true;
	}
}

static void drain_worker(ui *u)
{
	wmsg m;
	bool batches = false;
	int n = 0;
	while (u->wk && n++ < 500 && worker_next(u->wk, &m)) {
		switch (m.kind) {
		case WM_LOG:
		case WM_ERROR:
			ui_log(u, m.kind == WM_ERROR ? 3 : m.level, m.text);
			if (m.kind == WM_ERROR)
				ui_status(u, 3, "%s", m.text);
			break;
		case WM_PROGRESS: {
			progress *p = NULL;
			for (size_t i = 0; i < u->nprog; i++)
				if (strcmp(u->prog[i].batch_id, m.batch_id) == 0)
					p = &u->prog[i];
			if (!p) {
				u->prog = xrealloc(u->prog, (u->nprog + 1) * sizeof *u->prog);
				p = &u->prog[u->nprog++];
				snprintf(p->batch_id, sizeof p->batch_id, "%s", m.batch_id);
			}
			p->done = m.done;
			p->total = m.total;
			p->eta_s = m.eta_s;
			u->dirty = true;
			break;
		}
		case WM_COST:
			if (m.text[0])
				ui_log(u, 1, m.text);
			batches = true;
			break;
		case WM_BATCHES: batches = true; break;
		}
	}
	/* re-read at most twice a second: a commit sends many of these */
	if (batches)
		u->batches_stale = true;
}

/* Graphics protocols bypass curses: print the picture after the refresh. */
static void print_graphics(ui *u)
{
	/* the editor pane's picture, or the review view's over everything */
	const preview_img *im = NULL;
	rect r = u->r_preview;
	if (u->too_small)
		im = NULL;
	else if (u->modal == MD_REVIEW)
		im = review_view_picture(u, &r);
	else if (u->modal == MD_NONE && !u->view && u->show_editor)
		im = u->shown;
	bool want = im && im->seq;
	/* A kitty picture is drawn above the text until it is deleted: take it
	 * off before another one and whenever a dialog or the other view covers
	 * the preview (sixel and iTerm pixels are text cells: curses redraws them). */
	if (u->kitty_on && (!want || u->printed != im)) {
		kitty_delete();
		u->kitty_on = false;
		if (!want)
			u->printed = NULL;
	}
	/* sent once per picture: kitty and sixel data are large */
	if (!want || !u->seq_pending || u->printed == im)
		return;
	u->printed = im;
	int ox = r.x + (r.w - im->w) / 2, oy = r.y + (r.h - im->h) / 2;
	/* cursor saved, moved, the picture, cursor back: one write */
	char *out = xasprintf("\0337\033[%d;%dH%s\0338", oy + 1, ox + 1, im->seq);
	term_put(out, strlen(out));
	free(out);
	u->kitty_on = !strncmp(im->seq, "\033_G", 3);
	u->seq_pending = false;
}

static void setup_keys(void)
{
	/* Ctrl+arrows: the code terminfo gave them, or ours for xterm's sequence */
	int c = key_defined("\033[1;5D");
	if (c <= 0) {
		define_key("\033[1;5D", KEY_MAX + 1);
		c = KEY_MAX + 1;
	}
	ctrl_left_code = c;
	c = key_defined("\033[1;5C");
	if (c <= 0) {
		define_key("\033[1;5C", KEY_MAX + 2);
		c = KEY_MAX + 2;
	}
	ctrl_right_code = c;
}

/* Returns the signal that ended it, or 0. */
static int loop(ui *u, int sig_fd)
{
	int sig = 0;
	while (!u->quit) {
		if (u->photo_changed) {
			preview_update(u);
			u->photo_changed = false;
		}
		if (u->dirty) {
			ui_draw(u);
			refresh();
			print_graphics(u);
		}
		struct pollfd fds[5];
		int nf = 0;
		fds[nf++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
		int pv_i = -1, wk_i = -1, sig_i = -1, co_i = -1;
		int tmo = 500;
		/* the photo count fills in ten times a second, not on every find */
		double scan_wait = u->scan_taken + SCAN_REDRAW - now_mono();
		if (collect_fd(u->co) >= 0 && scan_wait <= 0) {
			co_i = nf;
			fds[nf++] = (struct pollfd){ .fd = collect_fd(u->co), .events = POLLIN };
		} else if (collect_fd(u->co) >= 0) {
			tmo = (int)(scan_wait * 1000) + 1;
		}
		if (sig_fd >= 0) {
			sig_i = nf;
			fds[nf++] = (struct pollfd){ .fd = sig_fd, .events = POLLIN };
		}
		if (u->pv) {
			pv_i = nf;
			fds[nf++] = (struct pollfd){ .fd = previewer_fd(u->pv), .events = POLLIN };
		}
		if (u->wk && worker_fd(u->wk) >= 0) {
			wk_i = nf;
			fds[nf++] = (struct pollfd){ .fd = worker_fd(u->wk), .events = POLLIN };
		}
		if (u->ed.gen != u->draft_gen && tmo > 200)
			tmo = 200;
		int r = poll(fds, nf, tmo);
		if (r < 0 && errno != EINTR)
			break;
		/* Ask curses after a timeout too: only get_wch turns a SIGWINCH
		 * into KEY_RESIZE, and one that came outside poll() did not
		 * interrupt it. */
		if (r <= 0 || (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			wint_t wc;
			int kr;
			timeout(0);
			int got = 0;
			while ((kr = get_wch(&wc)) != ERR) {
				handle_key(u, (int)wc, kr == KEY_CODE_YES);
				got++;
				if (u->quit)
					break;
			}
			if (r > 0 && got == 0 && (fds[0].revents & (POLLHUP | POLLERR)))
				u->quit = true; /* the terminal went away */
			if (u->ed.gen != u->draft_gen && u->last_change == 0)
				u->last_change = now_mono();
		}
		/* SIGHUP, SIGTERM: the keys read above are in the draft */
		if (sig_i >= 0 && (fds[sig_i].revents & POLLIN)) {
			sig = term_signal_taken();
			u->quit = true;
		}
		/* a keystroke is drawn before anything else is looked at */
		if (u->dirty && !u->quit) {
			ui_draw(u);
			refresh();
			print_graphics(u);
		}
		if (pv_i >= 0 && (fds[pv_i].revents & POLLIN)) {
			if (previewer_collect(u->pv) || previewer_hashed(u->pv) != u->hashed_seen) {
				preview_update(u);
				u->dirty = true; /* the series strip's pictures too */
			}
			u->dirty |= u->modal == MD_REVIEW; /* its preview may be in */
		}
		if (u->modal == MD_EDITORIAL && u->date_pending)
			dlg_editorial_date(u); /* the photo's EXIF date, once read */
		if (wk_i >= 0 && (fds[wk_i].revents & POLLIN))
			drain_worker(u);
		if ((co_i >= 0 && (fds[co_i].revents & POLLIN)) ||
		    (co_i < 0 && collect_fd(u->co) >= 0 && r == 0))
			take_photos(u);
		double now = now_mono();
		/* the draft: written when typing pauses, or every few seconds */
		if (u->ed.gen != u->draft_gen &&
		    (now - u->last_change >= DRAFT_IDLE || now - u->draft_written >= DRAFT_MAX))
			write_draft(u);
		if (now - u->batches_read >= REFRESH_S ||
		    (u->batches_stale && now - u->batches_read >= 0.5))
			refresh_batches(u);
		if (u->status[0] && now >= u->status_until) {
			u->status[0] = '\0';
			u->dirty = true;
		}
	}
	return sig;
}

static void log_sink_none(log_level lv, const char *line, void *ctx)
{
	(void)lv, (void)line, (void)ctx;
}

/* curses on, keys and colours set, the previewer started: a note to show
 * when the preview setting had to give way (caller frees), else NULL. */
static char *screen_start(ui *u)
{
	if (!getenv("ESCDELAY"))
		set_escdelay(25);
	initscr();
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	term_frames_whole();
	setup_keys();
	term_caps tc = term_probe();
	ui_setup_colors(u, tc.colors);
	preview_set_symbols(tc.symbols);
	pv_colors pc = !u->colors         ? PV_MONO
		       : tc.colors >= 256 ? PV_256
		       : tc.colors >= 16  ? PV_16
					  : PV_8;
	u->proto = preview_detect(u->cfg->preview);
	/* an explicit kitty/sixel/iterm inside tmux would leave the pane blank */
	const char *mux = u->proto != PV_SYMBOLS ? preview_multiplexer() : NULL;
	char *pv_note = NULL;
	if (mux) {
		pv_note = xasprintf(
			_("The %s preview cannot pass through %s: the preview is drawn with symbols."),
			u->cfg->preview, mux);
		u->proto = PV_SYMBOLS;
	}
	u->pv = previewer_new(u->proto, pc);
	if (u->pv)
		previewer_set_hash_cache(u->pv, collect_hash_cache(u->co));
	return pv_note;
}

/* Everything the program holds, after the screen is gone. */
static void ui_free(ui *u)
{
	if (u->en)
		engine_close(u->en);
	collect_close(u->co);
	editor_free(&u->ed);
	for (int i = 0; i < 3; i++)
		editor_free(&u->fields[i]);
	for (size_t i = 0; i < LOG_LINES; i++)
		free(u->log[i]);
	free(u->batches);
	file_entries_free(u->files, u->nfiles);
	free(u->prog);
	free(u->confirm_text);
	pager_free(u);
	review_view_free(u);
	photos_view_close(u);
	if (u->st)
		store_close(u->st);
}

int tui_run(settings *cfg)
{
	if (!cfg->state_dir)
		settings_finish(cfg);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "%s\n",
			_("stockbatch: the full-screen interface needs a terminal; for scripts use a "
			  "subcommand (see stockbatch --help)."));
		return SB_EXIT_USAGE;
	}
	/* Before any thread starts: setlocale is not thread-safe. */
	char locale_note[512];
	if (term_utf8_locale(locale_note, sizeof locale_note) < 0) {
		fprintf(stderr, "%s\n",
			_("stockbatch: the full-screen interface needs a UTF-8 locale and none is "
			  "installed: export LANG=C.UTF-8 (Debian: apt-get install locales), or use a "
			  "subcommand (see stockbatch --help)."));
		return SB_EXIT_USAGE;
	}
	sb_err e;
	sb_err_clear(&e);
	if (mkdir_p(cfg->state_dir, 0700, &e) < 0) {
		fprintf(stderr, "stockbatch: %s\n", e.msg);
		return SB_EXIT_ERROR;
	}
	sb_lock *lk = NULL;
	if (lock_acquire(cfg->state_dir, &lk, &e) < 0) {
		fprintf(stderr, "stockbatch: %s\n", e.msg);
		return e.code == SBE_LOCKED ? SB_EXIT_LOCKED : SB_EXIT_ERROR;
	}
	if (cfg->media_csv && cfg->media_csv[0])
		mediacsv_remove_dead_temps(cfg->media_csv); /* a crashed run's temp files */
	char *logpath = path_join(cfg->state_dir, "stockbatch.log");
	if (log_open(logpath, &e) < 0)
		sb_err_clear(&e); /* the activity pane still works */
	free(logpath);
	log_set_stderr(LOG_ERROR + 1); /* never write over the screen */

	ui U;
	memset(&U, 0, sizeof U);
	ui *u = &U;
	u->cfg = cfg;
	int rc = SB_EXIT_OK;
	if (store_open(cfg->state_dir, &u->st, &e) < 0) {
		fprintf(stderr, "stockbatch: %s\n", e.msg);
		rc = SB_EXIT_ERROR;
		goto out;
	}
	if (collect_open(cfg, u->st, &u->co, &e) < 0) {
		fprintf(stderr, "stockbatch: %s\n", e.msg);
		rc = e.code == SBE_INPUT ? SB_EXIT_USAGE : SB_EXIT_ERROR;
		goto out;
	}
	sb_err pe;
	sb_err_clear(&pe);
	prices_load(NULL, &pe);
	char werr[1024] = "";
	if (engine_open(cfg, u->st, &u->en, &e) < 0 || worker_start(u->en, &u->wk, &e) < 0) {
		snprintf(werr, sizeof werr, "%s", e.msg);
		u->wk = NULL;
	}

	editor_init(&u->ed);
	for (int i = 0; i < 3; i++)
		editor_init(&u->fields[i]);
	int sig_fd = term_signals_catch();
	char *pv_note = screen_start(u);
	u->focus = PANE_EDITOR;
	ui_layout(u);
	ui_log(u, 1, _("Started; type a description for the photo shown."));
	if (locale_note[0])
		ui_log(u, 1, locale_note);
	char *lost = collect_lost_notice(u->co);
	if (lost) /* a stale copy of the CSV was saved over a commit */
		ui_log(u, 2, lost);
	free(lost);
	if (pv_note) {
		ui_log(u, 2, pv_note);
		ui_status(u, 2, "%s", pv_note);
		free(pv_note);
	}
	if (werr[0]) {
		ui_log(u, 3, werr);
		ui_status(u, 3, _("Background worker not running: %s"), werr);
	}
	refresh_batches(u);
	load_photo(u, true);
	int sig = loop(u, sig_fd);

	/* Quit: the draft first (nothing typed is lost), then the worker. */
	if (u->ed.gen != u->draft_gen || editor_count(&u->ed) > 0)
		write_draft(u);
	if (sig) {
		sb_log(LOG_INFO, "%s: the draft is kept; stopping", strsignal(sig));
		rc = 128 + sig;
	}
	ui_status(u, 1, "%s", _("Stopping the background worker at a safe point..."));
	ui_draw(u);
	refresh();
	endwin();
	char *note = sig ? NULL : out_note(u);
	if (note)
		printf("stockbatch: %s\n", note);
	free(note);
	if (u->wk)
		worker_stop(u->wk);
	previewer_free(u->pv);
	term_signals_release();
out:
	ui_free(u);
	log_set_sink(log_sink_none, NULL);
	log_close();
	lock_release(lk);
	return rc;
}
