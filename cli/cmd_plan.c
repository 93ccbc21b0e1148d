/* cmd_plan.c: the pre-flight plan: what send and retrieve would do, file by
 * file, without API calls. */
#include "config.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "i18n.h"
#include "mediacsv.h"
#include "report.h"

static const char *media_name(mc_media k)
{
	return k == MC_IMAGE ? "image" : k == MC_VIDEO ? "video" : "other";
}

typedef struct plan_item {
	size_t row;
	const char *action; /* "new", "in_batch", "skip" */
	char batch[40];
	batch_state bstate;
	file_state fstate;
	char *reason;       /* skip: why; new: what is needed */
} plan_item;

int cmd_plan(cli_ctx *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	sb_err e;
	sb_err_clear(&e);
	mediacsv *m = NULL;
	if (mediacsv_load(c->cfg->media_csv, &m, &e) < 0)
		return cli_report_err(&e);
	size_t *rows = NULL;
	size_t n = mediacsv_unprocessed(m, NULL, NULL, &rows);
	plan_item *items = xcalloc(n ? n : 1, sizeof *items);
	size_t n_new = 0, n_in = 0, n_skip = 0, n_missing = 0;
	int ccesta = mediacsv_col(m, MC_CESTA);
	for (size_t i = 0; i < n; i++) {
		plan_item *it = &items[i];
		it->row = rows[i];
		const char *cesta = mediacsv_get(m, rows[i], ccesta);
		char *local = settings_map_path(c->cfg, cesta);
		file_state fs;
		if (c->st && store_file_batch(c->st, cesta, it->batch)) {
			batch_info b;
			it->action = "in_batch";
			it->bstate = store_get(c->st, it->batch, &b) == 0 ? b.state : BS_COLLECTING;
			file_entry fe;
			memset(&fe, 0, sizeof fe);
			it->fstate = FS_DESCRIPTION_SAVED;
			if (store_file_get(c->st, it->batch, cesta, &fe) == 0) {
				it->fstate = fe.state;
				file_entries_free(&fe, 1);
			}
			n_in++;
		} else if (!local || !file_exists(local)) {
			it->action = "skip";
			it->fstate = FS_FILE_NOT_FOUND;
			it->reason = xasprintf(_("file not found: %s"), local ? local : cesta);
			n_skip++;
			n_missing++;
		} else if (c->st && store_file_known(c->st, cesta, &fs) &&
			   (fs == FS_REJECTED || fs == FS_SKIPPED || fs == FS_DEAD ||
			    fs == FS_SAVED_TO_CSV)) {
			it->action = "skip";
			it->fstate = fs;
			it->reason = fs == FS_REJECTED ? xstrdup(_("rejected"))
				   : fs == FS_SKIPPED ? xstrdup(_("skipped by you"))
				   : fs == FS_DEAD ? xstrdup(_("failed 3 times (see 'stockbatch report', "
							       "'stockbatch retry-failed')"))
						  : xstrdup(_("already committed to the CSV"));
			n_skip++;
		} else {
			it->action = "new";
			it->fstate = FS_PENDING;
			it->reason = mediacsv_media_kind(mediacsv_field(m, rows[i], MC_SOUBOR)) == MC_IMAGE
					     ? xstrdup(_("needs a description"))
					     : xstrdup(_("needs a description (text-only request)"));
			n_new++;
		}
		free(local);
	}

	/* Batches: what send and retrieve would do next. */
	batch_info *bs = NULL;
	size_t nb = c->st ? store_list(c->st, &bs) : 0;
	size_t bcount[BS__COUNT] = { 0 }, bfiles[BS__COUNT] = { 0 };
	double ready_cost = 0;
	for (size_t i = 0; i < nb; i++) {
		bcount[bs[i].state]++;
		bfiles[bs[i].state] += bs[i].nfiles;
		if (bs[i].state == BS_READY)
			ready_cost += bs[i].est_cost;
	}

	if (cli_opt.json) {
		json_object *o = json_object_new_object();
		report_jadd_str(o, "media_csv", c->cfg->media_csv);
		report_jadd_str(o, "state_dir", c->cfg->state_dir);
		json_object *arr = json_object_new_array();
		for (size_t i = 0; i < n; i++) {
			plan_item *it = &items[i];
			json_object *j = json_object_new_object();
			const char *soubor = mediacsv_field(m, it->row, MC_SOUBOR);
			report_jadd_int(j, "line", mediacsv_lineno(m, it->row));
			report_jadd_str(j, "file", soubor);
			report_jadd_str(j, "cesta", mediacsv_get(m, it->row, ccesta));
			report_jadd_str(j, "media", media_name(mediacsv_media_kind(soubor)));
			report_jadd_str(j, "action", it->action);
			report_jadd_str(j, "batch", it->batch[0] ? it->batch : NULL);
			report_jadd_str(j, "batch_state",
					it->batch[0] ? batch_state_name(it->bstate) : NULL);
			report_jadd_str(j, "file_state", file_state_name(it->fstate));
			report_jadd_str(j, "reason", it->reason);
			json_object_array_add(arr, j);
		}
		json_object_object_add(o, "items", arr);
		json_object *bj = json_object_new_object();
		for (int s = 0; s < BS__COUNT; s++) {
			json_object *x = json_object_new_object();
			report_jadd_int(x, "batches", (long long)bcount[s]);
			report_jadd_int(x, "files", (long long)bfiles[s]);
			json_object_object_add(bj, batch_state_name((batch_state)s), x);
		}
		json_object_object_add(o, "batches", bj);
		json_object *t = json_object_new_object();
		report_jadd_int(t, "unprocessed", (long long)n);
		report_jadd_int(t, "new", (long long)n_new);
		report_jadd_int(t, "in_batch", (long long)n_in);
		report_jadd_int(t, "skip", (long long)n_skip);
		report_jadd_int(t, "missing", (long long)n_missing);
		report_jadd_int(t, "to_send", (long long)bfiles[BS_READY]);
		report_jadd_dbl(t, "to_send_est_cost", ready_cost);
		report_jadd_int(t, "to_check", (long long)bfiles[BS_SENT]);
		json_object_object_add(o, "totals", t);
		report_json_print(o, stdout);
	} else {
		printf(_("Pre-flight plan for %s (no API calls)\n\n"), c->cfg->media_csv);
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
		size_t shown_new = 0, hidden = 0;
		for (size_t i = 0; i < n; i++) {
			plan_item *it = &items[i];
			/* A big library: the first new files stand for the rest. */
			if (!strcmp(it->action, "new") && !cli_opt.verbose && ++shown_new > 30) {
				hidden++;
				continue;
			}
			char num[32], det[512];
			snprintf(num, sizeof num, "%zu", i + 1);
			report_pad(stdout, num, 5, true);
			fputs("  ", stdout);
			snprintf(num, sizeof num, "%ld", mediacsv_lineno(m, it->row));
			report_pad(stdout, num, 6, true);
			fputs("  ", stdout);
			report_pad(stdout, mediacsv_field(m, it->row, MC_SOUBOR), 24, false);
			fputc(' ', stdout);
			const char *act = !strcmp(it->action, "new") ? _("new")
					: !strcmp(it->action, "skip") ? _("skip") : _("in batch");
			report_pad(stdout, act, 10, false);
			fputc(' ', stdout);
			if (it->batch[0])
				snprintf(det, sizeof det, _("%s (batch %s, file %s)"), it->batch,
					 batch_state_name(it->bstate), file_state_name(it->fstate));
			else
				snprintf(det, sizeof det, "%s", it->reason ? it->reason : "");
			puts(det);
		}
		if (hidden)
			printf(P_("  ... and %zu more new file (--verbose or --json lists all)\n",
				  "  ... and %zu more new files (--verbose or --json lists all)\n", hidden),
			       hidden);
		fputc('\n', stdout);
		printf(_("Totals: %zu unprocessed: %zu new, %zu in batches, %zu skipped "
			 "(%zu file not found)\n"),
		       n, n_new, n_in, n_skip, n_missing);
		printf(_("Next send:     %zu ready, %zu files, estimated $%.4f\n"), bcount[BS_READY],
		       bfiles[BS_READY], ready_cost);
		printf(_("Collecting:    %zu files (sent when the batch holds %d)\n"),
		       bfiles[BS_COLLECTING], c->cfg->batch_size);
		printf(_("Next retrieve: %zu sent, %zu files\n"), bcount[BS_SENT], bfiles[BS_SENT]);
		if (bcount[BS_PAUSED])
			printf(_("Paused:        %zu (see 'stockbatch status')\n"), bcount[BS_PAUSED]);
	}
	for (size_t i = 0; i < n; i++)
		free(items[i].reason);
	free(items);
	free(rows);
	free(bs);
	mediacsv_free(m);
	return SB_EXIT_OK;
}
