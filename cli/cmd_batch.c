/* cmd_batch.c: the commands about batches as they stand: status, pause,
 * resume, cancel, retry-failed and report. */
#include "config.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "i18n.h"
#include "lostrows.h"
#include "report.h"

static void status_json(cli_ctx *c, const batch_info *bs, size_t n, size_t lost)
{
	json_object *o = json_object_new_object();
	report_jadd_str(o, "media_csv", c->cfg->media_csv);
	report_jadd_str(o, "state_dir", c->cfg->state_dir);
	report_jadd_str(o, "provider", c->cfg->provider);
	report_jadd_str(o, "model", c->cfg->model);
	json_object *arr = json_object_new_array();
	size_t per_state[BS__COUNT] = { 0 };
	double est = 0, act = 0;
	for (size_t i = 0; i < n; i++) {
		json_object_array_add(arr, report_batch_info_json(&bs[i]));
		per_state[bs[i].state]++;
		est += bs[i].est_cost;
		act += bs[i].actual_cost;
	}
	json_object_object_add(o, "batches", arr);
	json_object *states = json_object_new_object();
	for (int s = 0; s < BS__COUNT; s++) /* every state, zeros too */
		report_jadd_int(states, batch_state_name((batch_state)s), (long long)per_state[s]);
	json_object_object_add(o, "states", states);
	json_object *t = json_object_new_object();
	report_jadd_int(t, "batches", (long long)n);
	report_jadd_cost(t, "est_cost", est);
	report_jadd_cost(t, "actual_cost", act);
	report_jadd_int(t, "missing_commits", (long long)lost);
	json_object_object_add(o, "totals", t);
	report_json_print(o, stdout);
}

static void status_header(void)
{
	fputc('\n', stdout);
	report_pad(stdout, _("BATCH"), 22, false);
	fputc(' ', stdout);
	report_pad(stdout, _("STATE"), 11, false);
	fputc(' ', stdout);
	report_pad(stdout, _("KIND"), 12, false);
	fputc(' ', stdout);
	report_pad(stdout, _("PROVIDER"), 8, false);
	report_pad(stdout, _("FILES"), 7, true);
	report_pad(stdout, _("DONE"), 6, true);
	report_pad(stdout, _("FAILED"), 8, true);
	report_pad(stdout, _("AGE"), 8, true);
	report_pad(stdout, _("COST"), 11, true);
	fputc('\n', stdout);
}

static void status_row(const batch_info *b)
{
	char num[32], age[32], cost[32];
	report_pad(stdout, b->id, 22, false);
	fputc(' ', stdout);
	report_pad(stdout, batch_state_name(b->state), 11, false);
	fputc(' ', stdout);
	report_pad(stdout, b->kind, 12, false);
	fputc(' ', stdout);
	report_pad(stdout, b->provider, 8, false);
	snprintf(num, sizeof num, "%zu", b->nfiles);
	report_pad(stdout, num, 7, true);
	snprintf(num, sizeof num, "%zu", report_count_done(b));
	report_pad(stdout, num, 6, true);
	snprintf(num, sizeof num, "%zu", report_count_failed(b));
	report_pad(stdout, num, 8, true);
	report_fmt_age(b->created, age, sizeof age);
	report_pad(stdout, age, 8, true);
	if (b->actual_cost > 0)
		snprintf(cost, sizeof cost, "$%.4f", b->actual_cost);
	else if (b->est_cost > 0)
		snprintf(cost, sizeof cost, "~$%.4f", b->est_cost);
	else
		snprintf(cost, sizeof cost, "-");
	report_pad(stdout, cost, 11, true);
	fputc('\n', stdout);
	if (b->note[0])
		printf(_("    note: %s\n"), b->note);
}

static void status_table(const batch_info *bs, size_t n)
{
	status_header();
	size_t per_state[BS__COUNT] = { 0 };
	double est = 0, act = 0;
	for (size_t i = 0; i < n; i++) {
		per_state[bs[i].state]++;
		est += bs[i].est_cost;
		act += bs[i].actual_cost;
		status_row(&bs[i]);
	}
	fputc('\n', stdout);
	printf(P_("%zu batch:", "%zu batches:", n), n);
	const char *sep = " ";
	for (int s = 0; s < BS__COUNT; s++) {
		if (!per_state[s])
			continue;
		printf("%s%zu %s", sep, per_state[s], batch_state_name((batch_state)s));
		sep = ", ";
	}
	printf(_("; cost estimated $%.4f, actual $%.4f\n"), est, act);
}

int cmd_status(cli_ctx *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	batch_info *bs = NULL;
	size_t n = c->st ? store_list(c->st, &bs) : 0;
	/* committed rows the CSV lost (a stale copy saved over it) */
	char *lost_msg = NULL;
	size_t lost = 0;
	sb_err le;
	if (n && lost_rows_check(c->cfg, c->st, &lost_msg, &lost, &le) < 0)
		lost_msg = NULL; /* status works without a readable CSV */
	if (cli_opt.json) {
		status_json(c, bs, n, lost);
	} else {
		printf(_("Media CSV:  %s\n"), c->cfg->media_csv ? c->cfg->media_csv : "-");
		printf(_("State dir:  %s\n"), c->cfg->state_dir ? c->cfg->state_dir : "-");
		printf(_("Provider:   %s (%s)\n"), c->cfg->provider ? c->cfg->provider : "-",
		       c->cfg->model ? c->cfg->model : "-");
		if (!n)
			printf(_(
				"No batches yet: describe photos in the full-screen program or with "
				"'stockbatch import'.\n"));
		else
			status_table(bs, n);
		if (lost_msg)
			printf(_("Warning: %s.\n"), lost_msg);
	}
	free(lost_msg);
	free(bs);
	return SB_EXIT_OK;
}

int cmd_control(cli_ctx *c, int argc, char **argv)
{
	(void)argc;
	const char *cmd = argv[0], *id = argv[1];
	batch_info b;
	if (cli_check_batch(c, id, &b) < 0)
		return SB_EXIT_ERROR;
	sb_err e;
	sb_err_clear(&e);
	int r;
	const char *done;
	if (!strcmp(cmd, "pause")) {
		r = engine_pause(c->en, id, &e);
		done = _("paused");
	} else if (!strcmp(cmd, "resume")) {
		r = engine_resume(c->en, id, &e);
		done = _("resumed");
	} else {
		r = engine_cancel(c->en, id, &e);
		done = _("cancelled");
	}
	if (r < 0)
		return cli_report_err(&e);
	batch_info after;
	if (store_get(c->st, id, &after) < 0)
		after = b;
	if (cli_opt.json) {
		report_json_print(report_batch_info_json(&after), stdout);
	} else {
		if (!strcmp(cmd, "cancel") && after.state == BS_SENT)
			printf(_("The cancel of batch %s was requested at the provider; what it "
				 "finished is kept: 'stockbatch retrieve' downloads it.\n"),
			       id);
		else
			printf(_("Batch %s %s: now %s.\n"), id, done, batch_state_name(after.state));
		if (!strcmp(cmd, "cancel") && report_count_done(&after))
			printf(_("%zu results that completed before the cancel were kept.\n"),
			       report_count_done(&after));
	}
	return SB_EXIT_OK;
}

int cmd_retry(cli_ctx *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	sb_err e;
	sb_err_clear(&e);
	size_t n = 0;
	if (engine_retry_failed(c->en, &n, &e) < 0)
		return cli_report_err(&e);
	if (cli_opt.json) {
		json_object *o = json_object_new_object();
		report_jadd_int(o, "requeued", (long long)n);
		report_json_print(o, stdout);
	} else if (n)
		printf(P_("%zu failed item is queued again; 'stockbatch send' sends it.\n",
			  "%zu failed items are queued again; 'stockbatch send' sends them.\n", n),
		       n);
	else
		printf(_("No failed items.\n"));
	return SB_EXIT_OK;
}

/* ---- report ------------------------------------------------------------------------ */

int cmd_report(cli_ctx *c, int argc, char **argv)
{
	batch_info *bs = NULL;
	size_t nb = 0;
	if (argc > 1) {
		batch_info b;
		if (cli_check_batch(c, argv[1], &b) < 0)
			return SB_EXIT_ERROR;
		bs = xmalloc(sizeof *bs);
		bs[0] = b;
		nb = 1;
	} else if (c->st)
		nb = store_list(c->st, &bs);
	size_t failed = report_batches_models(c->st, bs, nb, c->cfg, cli_opt.json, stdout);
	free(bs);
	return failed ? SB_EXIT_PARTIAL : SB_EXIT_OK;
}
