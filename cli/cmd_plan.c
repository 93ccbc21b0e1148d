/* cmd_plan.c: `stockbatch plan` prints the pre-flight plan (src/plan.c):
 * what send and retrieve would do, file by file, without API calls. */
#include "config.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "advisor.h"
#include "cmd.h"
#include "cost.h"
#include "i18n.h"
#include "plan.h"
#include "provider.h"
#include "report.h"

static json_object *row_json(const plan_row *it)
{
	json_object *j = json_object_new_object();
	report_jadd_int(j, "line", it->line);
	report_jadd_str(j, "file", it->file);
	report_jadd_str(j, "cesta", it->cesta);
	report_jadd_str(j, "media", plan_media_name(it->media));
	report_jadd_str(j, "action", plan_action_name(it->action));
	report_jadd_str(j, "batch", it->batch[0] ? it->batch : NULL);
	report_jadd_str(j, "batch_state", it->batch[0] ? batch_state_name(it->bstate) : NULL);
	report_jadd_str(j, "file_state", file_state_name(it->fstate));
	report_jadd_str(j, "reason", it->reason);
	if (it->series) {
		report_jadd_int(j, "series", (long long)it->series);
		report_jadd_int(j, "frame", (long long)it->frame);
		report_jadd_int(j, "frames", (long long)it->frames);
	} else {
		json_object_object_add(j, "series", NULL);
		json_object_object_add(j, "frame", NULL);
		json_object_object_add(j, "frames", NULL);
	}
	return j;
}

/* The series among the new photos: number and frames' Cesta, in frame
 * (time) order. */
static json_object *series_json(const plan *p)
{
	json_object *arr = json_object_new_array();
	const char **by = xcalloc(p->n ? p->n : 1, sizeof *by);
	for (size_t s = 1; s <= p->sum.series; s++) {
		json_object *x = json_object_new_object(), *fr = json_object_new_array();
		report_jadd_int(x, "series", (long long)s);
		size_t nf = 0;
		for (size_t i = 0; i < p->n; i++)
			if (p->rows[i].series == s && p->rows[i].frame >= 1 &&
			    p->rows[i].frame <= p->n) {
				by[p->rows[i].frame - 1] = p->rows[i].cesta;
				nf++;
			}
		for (size_t f = 0; f < nf; f++)
			json_object_array_add(fr, json_object_new_string(by[f] ? by[f] : ""));
		json_object_object_add(x, "frames", fr);
		json_object_array_add(arr, x);
	}
	free(by);
	return arr;
}

static void print_json(const settings *cfg, const plan *p)
{
	const plan_summary *s = &p->sum;
	json_object *o = json_object_new_object();
	report_jadd_str(o, "media_csv", cfg->media_csv);
	report_jadd_str(o, "state_dir", cfg->state_dir);
	json_object *arr = json_object_new_array();
	for (size_t i = 0; i < p->n; i++)
		json_object_array_add(arr, row_json(&p->rows[i]));
	json_object_object_add(o, "items", arr);
	json_object_object_add(o, "series", series_json(p));
	json_object *bj = json_object_new_object();
	for (int st = 0; st < BS__COUNT; st++) {
		json_object *x = json_object_new_object();
		report_jadd_int(x, "batches", (long long)s->bcount[st]);
		report_jadd_int(x, "files", (long long)s->bfiles[st]);
		json_object_object_add(bj, batch_state_name((batch_state)st), x);
	}
	json_object_object_add(o, "batches", bj);
	json_object *t = json_object_new_object();
	report_jadd_int(t, "unprocessed", (long long)s->unprocessed);
	report_jadd_int(t, "new", (long long)s->n_new);
	report_jadd_int(t, "in_batch", (long long)s->in_batch);
	report_jadd_int(t, "skip", (long long)s->skip);
	report_jadd_int(t, "missing", (long long)s->missing);
	report_jadd_int(t, "missing_commits", (long long)s->missing_commits);
	report_jadd_int(t, "late_copies", (long long)s->late_copies);
	report_jadd_int(t, "series", (long long)s->series);
	report_jadd_int(t, "descriptions", (long long)s->descriptions);
	report_jadd_int(t, "to_send", (long long)s->bfiles[BS_READY]);
	report_jadd_cost(t, "to_send_est_cost", s->ready_cost);
	report_jadd_int(t, "to_check", (long long)s->bfiles[BS_SENT]);
	json_object_object_add(o, "totals", t);
	report_json_print(o, stdout);
}

static void print_header(void)
{
	report_pad(stdout, "#", 5, true);
	fputs("  ", stdout);
	report_pad(stdout, _("LINE"), 6, true);
	fputs("  ", stdout);
	report_pad(stdout, _("FILE"), 24, false);
	fputc(' ', stdout);
	report_pad(stdout, _("ACTION"), 10, false);
	fputc(' ', stdout);
	fputs(_("DETAILS"), stdout);
	fputc('\n', stdout);
}

static void print_row(size_t i, const plan_row *it)
{
	char num[32], det[512];
	snprintf(num, sizeof num, "%zu", i + 1);
	report_pad(stdout, num, 5, true);
	fputs("  ", stdout);
	snprintf(num, sizeof num, "%ld", it->line);
	report_pad(stdout, num, 6, true);
	fputs("  ", stdout);
	report_pad(stdout, it->file, 24, false);
	fputc(' ', stdout);
	const char *act = it->action == PLAN_NEW    ? _("new")
			  : it->action == PLAN_SKIP ? _("skip")
			  : it->action == PLAN_COPY ? _("copy")
						    : _("in batch");
	report_pad(stdout, act, 10, false);
	fputc(' ', stdout);
	if (it->batch[0])
		snprintf(det, sizeof det, _("%s (batch %s, file %s)"), it->batch,
			 batch_state_name(it->bstate), file_state_name(it->fstate));
	else if (it->series)
		snprintf(det, sizeof det, _("%s (series %zu: frame %zu of %zu, described once)"),
			 it->reason ? it->reason : "", it->series, it->frame, it->frames);
	else
		snprintf(det, sizeof det, "%s", it->reason ? it->reason : "");
	puts(det);
}

static void print_totals(const settings *cfg, const plan_summary *s)
{
	printf(_("Totals: %zu unprocessed: %zu new, %zu in batches, %zu skipped "
		 "(%zu file not found)\n"),
	       s->unprocessed, s->n_new, s->in_batch, s->skip, s->missing);
	printf(_("Next send:     %zu ready, %zu files, estimated $%.4f\n"), s->bcount[BS_READY],
	       s->bfiles[BS_READY], s->ready_cost);
	printf(_("Collecting:    %zu files (sent when the batch holds %d)\n"),
	       s->bfiles[BS_COLLECTING], cfg->batch_size);
	printf(_("Next retrieve: %zu sent, %zu files\n"), s->bcount[BS_SENT], s->bfiles[BS_SENT]);
	if (s->late_copies)
		printf(_("Edited copies: %zu made after their original was committed (the next run "
			 "adds their rows and queues them)\n"),
		       s->late_copies);
	if (s->bcount[BS_PAUSED])
		printf(_("Paused:        %zu (see 'stockbatch status')\n"), s->bcount[BS_PAUSED]);
	if (s->series)
		printf(P_("Series:        %zu series of similar photos: the %zu new files need %zu "
			  "description\n",
			  "Series:        %zu series of similar photos: the %zu new files need %zu "
			  "descriptions\n",
			  s->descriptions),
		       s->series, s->n_new, s->descriptions);
}

static void print_table(const settings *cfg, const plan *p)
{
	printf(_("Pre-flight plan for %s (no API calls)\n\n"), cfg->media_csv);
	print_header();
	size_t shown_new = 0, hidden = 0;
	for (size_t i = 0; i < p->n; i++) {
		/* A big library: the first new files stand for the rest. */
		if (p->rows[i].action == PLAN_NEW && !cli_opt.verbose && ++shown_new > 30) {
			hidden++;
			continue;
		}
		print_row(i, &p->rows[i]);
	}
	if (hidden)
		printf(P_("  ... and %zu more new file (--verbose or --json lists all)\n",
			  "  ... and %zu more new files (--verbose or --json lists all)\n", hidden),
		       hidden);
	fputc('\n', stdout);
	print_totals(cfg, &p->sum);
	if (p->lost_msg)
		printf(_("Warning: %s.\n"), p->lost_msg);
}

/* ---- plan --models: the advisor's table ---- */

static json_object *models_json(const settings *cfg, const adv_table *t, const char *warning)
{
	const adv_input *in = &t->in;
	json_object *o = json_object_new_object();
	report_jadd_str(o, "media_csv", cfg->media_csv);
	report_jadd_int(o, "requests", (long long)in->requests);
	report_jadd_int(o, "undescribed", (long long)in->undescribed);
	report_jadd_int(o, "description_tokens_default", ADV_DESC_TOKENS);
	report_jadd_dbl(o, "out_tokens_per_request", in->out_tokens);
	report_jadd_str(o, "out_tokens_source", in->out_from_history ? "history" : "default");
	report_jadd_int(o, "out_tokens_history_requests", (long long)in->out_history_requests);
	json_object *tt = json_object_new_object();
	const provider_ops *ops;
	for (size_t i = 0; i < ADV_PROVIDERS && (ops = provider_at(i)); i++)
		report_jadd_int(tt, ops->name, in->text_tokens[i]);
	json_object_object_add(o, "text_tokens", tt);
	json_object *sz = json_object_new_array();
	for (size_t i = 0; i < in->nsizes; i++) {
		json_object *x = json_object_new_object();
		report_jadd_int(x, "width", in->sizes[i].w);
		report_jadd_int(x, "height", in->sizes[i].h);
		report_jadd_int(x, "photos", (long long)in->sizes[i].n);
		json_object_array_add(sz, x);
	}
	json_object_object_add(o, "image_sizes", sz);
	json_object_object_add(o, "models", report_models_json(t));
	report_jadd_str(o, "warning", warning);
	return o;
}

static void models_header(void)
{
	fputs("  ", stdout);
	report_pad(stdout, _("PROVIDER"), 8, false);
	fputc(' ', stdout);
	report_pad(stdout, _("MODEL"), 22, false);
	fputc(' ', stdout);
	report_pad(stdout, _("DETAIL"), 7, false);
	report_pad(stdout, _("IN/PHOTO"), 10, true);
	report_pad(stdout, _("OUT/PHOTO"), 10, true);
	report_pad(stdout, _("BATCH/1000"), 12, true);
	report_pad(stdout, _("LIVE/1000"), 11, true);
	report_pad(stdout, _("BATCH TOTAL"), 13, true);
	report_pad(stdout, _("LIVE TOTAL"), 12, true);
	fputc('\n', stdout);
}

void cli_print_models(const adv_table *t)
{
	models_header();
	for (size_t i = 0; i < t->n; i++) {
		const adv_row *r = &t->rows[i];
		char v[32];
		fputs(r->configured ? "* " : "  ", stdout);
		report_pad(stdout, r->provider, 8, false);
		fputc(' ', stdout);
		report_pad(stdout, r->model, 22, false);
		fputc(' ', stdout);
		report_pad(stdout, r->detail, 7, false);
		snprintf(v, sizeof v, "%.0f", r->text_tokens + r->image_tokens);
		report_pad(stdout, v, 10, true);
		snprintf(v, sizeof v, "%.0f", r->out_tokens);
		report_pad(stdout, v, 10, true);
		snprintf(v, sizeof v, "$%.3f", r->batch * 1000);
		report_pad(stdout, v, 12, true);
		snprintf(v, sizeof v, "$%.3f", r->live * 1000);
		report_pad(stdout, v, 11, true);
		snprintf(v, sizeof v, "$%.4f", r->batch_total);
		report_pad(stdout, v, 13, true);
		snprintf(v, sizeof v, "$%.4f", r->live_total);
		report_pad(stdout, v, 12, true);
		if (r->deprecated)
			printf("  %s", _("deprecated"));
		fputc('\n', stdout);
	}
}

static void print_models(const settings *cfg, const adv_table *t)
{
	const adv_input *in = &t->in;
	printf(P_("What the %zu photo waiting would cost on each model that reads images (no API calls)\n",
		  "What the %zu photos waiting would cost on each model that reads images (no API calls)\n",
		  in->requests),
	       in->requests);
	if (in->out_from_history)
		printf(_("Output: %.0f tokens a photo, the average of %zu results of this library.\n"),
		       in->out_tokens, in->out_history_requests);
	else
		printf(_("Output: %.0f tokens a photo (the default: no finished batch yet).\n"),
		       in->out_tokens);
	if (in->undescribed)
		printf(P_("%zu photo has no description yet: %d tokens are counted for it.\n",
			  "%zu photos have no description yet: %d tokens are counted for each.\n",
			  in->undescribed),
		       in->undescribed, ADV_DESC_TOKENS);
	fputc('\n', stdout);
	cli_print_models(t);
	fputc('\n', stdout);
	printf(_("USD per 1,000 photos and for all of them; '*' is the configured model "
		 "(%s, %s, image_detail %s); 'deprecated': the provider has announced its shutdown.\n"),
	       cfg->provider && *cfg->provider ? cfg->provider : provider_default_name, cfg->model,
	       cfg->image_detail ? cfg->image_detail : "high");
}

/* The table of the photos waiting, and its warning once on stderr. */
static int plan_models(const settings *cfg, store *st, const plan *p, bool show)
{
	sb_err e;
	sb_err_clear(&e);
	adv_input in;
	/* a broken price table is said, not read as an empty one */
	if (prices_load(NULL, &e) < 0 || advisor_plan_input(cfg, st, p, &in, &e) < 0)
		return cli_report_err(&e);
	adv_table t;
	advisor_table(cfg, &in, &t);
	char *w = advisor_warning(&t);
	if (w && !cli_opt.quiet)
		fprintf(stderr, _("%s: warning: %s\n"), cli_prog, w);
	if (show && cli_opt.json)
		report_json_print(models_json(cfg, &t, w), stdout);
	else if (show)
		print_models(cfg, &t);
	free(w);
	advisor_free(&t);
	return SB_EXIT_OK;
}

int cmd_plan(cli_ctx *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	sb_err e;
	sb_err_clear(&e);
	plan *p = NULL;
	if (plan_build(c->cfg, c->st, &p, &e) < 0)
		return cli_report_err(&e);
	int rc = SB_EXIT_OK;
	if (!cli_opt.models && cli_opt.json)
		print_json(c->cfg, p);
	else if (!cli_opt.models)
		print_table(c->cfg, p);
	rc = plan_models(c->cfg, c->st, p, cli_opt.models);
	plan_free(p);
	return rc;
}
