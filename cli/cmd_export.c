/* cmd_export.c: `stockbatch export-agency [AGENCY...]` writes the agencies'
 * upload CSVs (src/export.c) and names every prepared row it left out. */
#include "config.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "embed.h"
#include "export.h"
#include "i18n.h"
#include "report.h"

static void print_json(const export_result *r)
{
	json_object *o = json_object_new_object();
	report_jadd_str(o, "out_dir", r->out_dir);
	json_object *arr = json_object_new_array();
	for (size_t i = 0; i < r->n; i++) {
		const export_agency_result *a = &r->a[i];
		json_object *x = json_object_new_object();
		report_jadd_str(x, "agency", a->agency);
		report_jadd_str(x, "file", a->written ? a->path : NULL);
		report_jadd_int(x, "rows", (long long)a->rows);
		report_jadd_int(x, "prepared", (long long)a->prepared);
		report_jadd_int(x, "exported_before", (long long)a->already);
		json_object *sk = json_object_new_array();
		for (size_t k = 0; k < a->nskipped; k++) {
			json_object *s = json_object_new_object();
			report_jadd_str(s, "file", a->skipped[k].file);
			report_jadd_str(s, "cesta", a->skipped[k].cesta);
			report_jadd_int(s, "line", a->skipped[k].line);
			report_jadd_str(s, "reason", a->skipped[k].reason);
			json_object_array_add(sk, s);
		}
		json_object_object_add(x, "left_out", sk);
		json_object_array_add(arr, x);
	}
	json_object_object_add(o, "agencies", arr);
	report_json_print(o, stdout);
}

static void print_text(const export_result *r)
{
	for (size_t i = 0; i < r->n; i++) {
		const export_agency_result *a = &r->a[i];
		if (!a->prepared)
			continue;
		if (a->written)
			printf(P_("%s: %zu row -> %s\n", "%s: %zu rows -> %s\n", a->rows),
			       a->agency, a->rows, a->path);
		else if (a->already)
			printf(P_("%s: nothing new (%zu row exported before; --all lists it again)\n",
				  "%s: nothing new (%zu rows exported before; --all lists them again)\n",
				  a->already),
			       a->agency, a->already);
		else
			printf(_("%s: nothing to export\n"), a->agency);
		for (size_t k = 0; k < a->nskipped; k++)
			printf(_("  left out %s (line %ld): %s\n"), a->skipped[k].file,
			       a->skipped[k].line, a->skipped[k].reason);
	}
}

int cmd_export_agency(cli_ctx *c, int argc, char **argv)
{
	size_t n = argc > 1 ? (size_t)argc - 1 : 0;
	int *idx = xcalloc(n ? n : 1, sizeof *idx);
	for (size_t i = 0; i < n; i++) {
		idx[i] = export_agency_find(argv[1 + i]);
		if (idx[i] < 0) {
			sbuf names = { 0 };
			for (size_t k = 0; k < export_agency_count(); k++)
				sbuf_printf(&names, "%s%s", k ? ", " : "", export_agency_name(k));
			int rc = cli_usage_error(_("no upload format for agency '%s'; known: %s"),
						 argv[1 + i], names.p);
			sbuf_free(&names);
			free(idx);
			return rc;
		}
	}
	export_opts o = { idx, n, cli_opt.output, c->cfg->state_dir, cli_opt.all };
	export_result r;
	sb_err e;
	sb_err_clear(&e);
	int rc = SB_EXIT_OK;
	if (export_agencies(c->cfg, &o, &r, &e) < 0)
		rc = cli_report_err(&e);
	else if (cli_opt.json)
		print_json(&r);
	else if (!cli_opt.quiet)
		print_text(&r);
	export_result_free(&r);
	free(idx);
	return rc;
}

/* `stockbatch embed [--in-place | -o DIR]`: the metadata into the photos. */
int cmd_embed(cli_ctx *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (cli_opt.in_place && cli_opt.output)
		return cli_usage_error(_("--in-place and --output exclude each other"));
	if (cli_opt.backup && !cli_opt.in_place)
		return cli_usage_error(_("--backup goes with --in-place"));
	embed_opts o = { cli_opt.in_place, cli_opt.output, cli_opt.backup };
	embed_result r;
	sb_err e;
	sb_err_clear(&e);
	if (embed_photos(c->cfg, &o, &r, &e) < 0)
		return cli_report_err(&e);
	if (cli_opt.json) {
		json_object *j = json_object_new_object();
		report_jadd_str(j, "out_dir", r.out_dir);
		report_jadd_str(j, "backup_dir", r.backup_dir);
		report_jadd_int(j, "written", (long long)r.written);
		report_jadd_int(j, "left_out", (long long)r.left_out);
		json_object *arr = json_object_new_array();
		for (size_t i = 0; i < r.n; i++) {
			json_object *x = json_object_new_object();
			report_jadd_str(x, "file", r.items[i].file);
			report_jadd_int(x, "line", r.items[i].line);
			report_jadd_str(x, "path", r.items[i].path);
			report_jadd_str(x, "reason", r.items[i].reason);
			json_object_array_add(arr, x);
		}
		json_object_object_add(j, "items", arr);
		report_json_print(j, stdout);
	} else if (!cli_opt.quiet) {
		for (size_t i = 0; i < r.n; i++)
			if (r.items[i].reason)
				printf(_("  left out %s (line %ld): %s\n"), r.items[i].file,
				       r.items[i].line, r.items[i].reason);
		if (r.backup_dir && r.written)
			printf(_("The photos as they were: %s\n"), r.backup_dir);
		if (o.in_place)
			printf(P_("%zu photo written in place, %zu left out\n",
				  "%zu photos written in place, %zu left out\n", r.written),
			       r.written, r.left_out);
		else
			printf(P_("%zu photo written to %s, %zu left out\n",
				  "%zu photos written to %s, %zu left out\n", r.written),
			       r.written, r.out_dir, r.left_out);
	}
	/* a row left out is work not done: scripts see it (exit 5, as a failed
	 * item of a batch) */
	int code = r.left_out ? SB_EXIT_PARTIAL : SB_EXIT_OK;
	embed_result_free(&r);
	return code;
}
