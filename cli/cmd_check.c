/* cmd_check.c: `stockbatch check` validates every row the enabled agencies
 * will see (their status column "připraveno"), written by stockbatch, by
 * hand or by another tool, with agency.c's rules (reference/agencies.md):
 * a table per agency (which row, which rule, what to do), or --json. */
#include "config.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "agency.h"
#include "check.h"
#include "cmd.h"
#include "i18n.h"
#include "mediacsv.h"
#include "photomedia.h"
#include "report.h"

typedef struct finding {
	int agency; /* -1: every agency that sees the row */
	long line;
	char *file, *rule, *todo;
} finding;

typedef struct findings {
	finding *f;
	size_t n, cap;
	long line;
	const char *file;
} findings;

static void on_rule(int agency, const char *rule, const char *todo, void *ctx)
{
	findings *fs = ctx;
	if (fs->n == fs->cap) {
		fs->cap = fs->cap ? fs->cap * 2 : 64;
		fs->f = xrealloc(fs->f, fs->cap * sizeof *fs->f);
	}
	fs->f[fs->n++] =
		(finding){ agency, fs->line, xstrdup(fs->file), xstrdup(rule), xstrdup(todo) };
}

/* Every row any enabled agency sees; rows counts those checked. */
static void check_all(const mediacsv *m, const agency_lists *l, const settings *cfg, findings *fs,
		      size_t *rows, size_t *rows_bad)
{
	check_cols c;
	check_cols_find(m, &c);
	int soubor = mediacsv_col(m, MC_SOUBOR);
	for (size_t r = 0; r < mediacsv_rows(m); r++) {
		fs->line = mediacsv_lineno(m, r);
		fs->file = mediacsv_get(m, r, soubor);
		long bad = check_media_row(m, &c, r, l, cfg, on_rule, fs);
		if (bad < 0)
			continue;
		(*rows)++;
		if (bad > 0)
			(*rows_bad)++;
	}
}

static const char *agency_name(int a)
{
	return a < 0 ? _("all agencies") : meta_agency_label(a);
}

static void print_json(const settings *cfg, const findings *fs, size_t rows, size_t bad)
{
	json_object *o = json_object_new_object();
	report_jadd_str(o, "media_csv", cfg->media_csv);
	report_jadd_int(o, "rows_checked", (long long)rows);
	report_jadd_int(o, "rows_breaking", (long long)bad);
	json_object *ag = json_object_new_object();
	for (int a = -1; a < META_AGENCIES; a++) {
		if (a >= 0 && !meta_agency_enabled(cfg, a))
			continue;
		json_object *arr = json_object_new_array();
		for (size_t i = 0; i < fs->n; i++) {
			if (fs->f[i].agency != a)
				continue;
			json_object *j = json_object_new_object();
			report_jadd_int(j, "line", fs->f[i].line);
			report_jadd_str(j, "file", fs->f[i].file);
			report_jadd_str(j, "rule", fs->f[i].rule);
			report_jadd_str(j, "todo", fs->f[i].todo);
			json_object_array_add(arr, j);
		}
		json_object_object_add(ag, a < 0 ? "all" : meta_agency_key(a), arr);
	}
	json_object_object_add(o, "findings", ag);
	report_json_print(o, stdout);
}

static void print_tables(const findings *fs, size_t rows, size_t bad)
{
	for (int a = -1; a < META_AGENCIES; a++) {
		size_t n = 0;
		for (size_t i = 0; i < fs->n; i++)
			n += fs->f[i].agency == a;
		if (!n)
			continue;
		printf("%s (%zu)\n", agency_name(a), n);
		report_pad(stdout, _("LINE"), 6, true);
		fputs("  ", stdout);
		report_pad(stdout, _("FILE"), 20, false);
		fputc(' ', stdout);
		report_pad(stdout, _("RULE"), 50, false);
		fputc(' ', stdout);
		fputs(_("WHAT TO DO"), stdout);
		fputc('\n', stdout);
		for (size_t i = 0; i < fs->n; i++) {
			if (fs->f[i].agency != a)
				continue;
			char num[24];
			snprintf(num, sizeof num, "%ld", fs->f[i].line);
			report_pad(stdout, num, 6, true);
			fputs("  ", stdout);
			report_pad(stdout, fs->f[i].file, 20, false);
			fputc(' ', stdout);
			report_pad(stdout, fs->f[i].rule, 50, false);
			fputc(' ', stdout);
			fputs(fs->f[i].todo, stdout);
			fputc('\n', stdout);
		}
		fputc('\n', stdout);
	}
	printf(_("%zu rows checked, %zu break an agency rule.\n"), rows, bad);
}

int cmd_check(cli_ctx *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	sb_err e;
	sb_err_clear(&e);
	mediacsv *m = NULL;
	agency_lists *l = NULL;
	char *dir = path_dirname(c->cfg->media_csv);
	char *cats = path_join(dir, "PhotoCategories.csv");
	int rc = mediacsv_load(c->cfg->media_csv, &m, &e);
	if (rc == 0)
		rc = agency_lists_load(c->cfg, file_exists(cats) ? cats : NULL, &l, &e);
	free(cats);
	free(dir);
	if (rc < 0) {
		mediacsv_free(m);
		return cli_report_err(&e);
	}
	findings fs = { 0 };
	size_t rows = 0, bad = 0;
	check_all(m, l, c->cfg, &fs, &rows, &bad);
	if (cli_opt.json)
		print_json(c->cfg, &fs, rows, bad);
	else
		print_tables(&fs, rows, bad);
	for (size_t i = 0; i < fs.n; i++) {
		free(fs.f[i].file);
		free(fs.f[i].rule);
		free(fs.f[i].todo);
	}
	free(fs.f);
	agency_lists_free(l);
	mediacsv_free(m);
	return bad ? SB_EXIT_PARTIAL : SB_EXIT_OK;
}
