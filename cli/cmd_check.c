/* cmd_check.c: `stockbatch check` validates every row the enabled agencies
 * will see (their status column "připraveno"), written by stockbatch, by
 * hand or by another tool, with agency.c's rules (reference/agencies.md):
 * a table per agency (which row, which rule, what to do), or --json. */
#include "config.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

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

/* ---- check --fix ------------------------------------------------------------- */

typedef struct fixed_row {
	long line;
	char *file, *notes;
} fixed_row;

typedef struct fixes {
	fixed_row *r;
	size_t n;
	char *backup; /* the file as it was, beside it */
} fixes;

static char *join_keywords(char *const *kw, size_t n)
{
	sbuf b = { 0 };
	sbuf_adds(&b, "");
	for (size_t i = 0; i < n; i++) {
		if (i)
			sbuf_adds(&b, ", ");
		sbuf_adds(&b, kw[i]);
	}
	return sbuf_steal(&b);
}

/* The row's text through the validator's mechanical repairs (spaces,
 * invisible characters, a title cut at a phrase boundary, commas out of an
 * AdobeStock title, keywords deduplicated and lower-cased...).  Only when
 * nothing is left that needs the model (a name, a brand, too few keywords)
 * are the repaired fields written back; categories are never touched.
 * Returns true when the row changed. */
static bool fix_row(mediacsv *m, size_t r, const agency_lists *l, const settings *cfg,
		    bool editorial, char **notes)
{
	const char *kws = mediacsv_field(m, r, MC_KLICOVA);
	meta_record rec;
	memset(&rec, 0, sizeof rec);
	rec.title = xstrdup(mediacsv_field(m, r, MC_NAZEV));
	rec.description = xstrdup(mediacsv_field(m, r, MC_POPIS));
	char *all = xstrdup(kws), *save = NULL;
	for (char *t = strtok_r(all, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		while (*t == ' ')
			t++;
		size_t k = strlen(t);
		while (k && t[k - 1] == ' ')
			t[--k] = '\0';
		/* the commit writes Editorial first on editorial rows: kept there */
		if (!*t || (editorial && rec.nkeywords == 0 && !strcmp(t, "Editorial")))
			continue;
		rec.keywords = xrealloc(rec.keywords, (rec.nkeywords + 1) * sizeof *rec.keywords);
		rec.keywords[rec.nkeywords++] = xstrdup(t);
	}
	free(all);
	meta_opts o = { .editorial = editorial, .no_categories = true };
	meta_check chk;
	bool changed = false;
	if (meta_validate_opts(&rec, cfg, l, &o, &chk) == 0 && chk.repaired) {
		char *kw = join_keywords(rec.keywords, rec.nkeywords);
		char *k2 = editorial && !strncmp(kws, "Editorial", 9)
				   ? xasprintf("Editorial%s%s", *kw ? ", " : "", kw)
				   : xstrdup(kw);
		const char *now[3] = { rec.title, rec.description, k2 };
		const char *cols[3] = { MC_NAZEV, MC_POPIS, MC_KLICOVA };
		for (int i = 0; i < 3; i++)
			if (strcmp(mediacsv_field(m, r, cols[i]), now[i]) != 0) {
				mediacsv_set(m, r, mediacsv_col(m, cols[i]), now[i]);
				changed = true;
			}
		if (changed)
			*notes = xstrdup(chk.notes[0] ? chk.notes
						      : _("spaces and invisible characters"));
		free(kw);
		free(k2);
	}
	meta_free(&rec);
	return changed;
}

/* The fixes: each row that breaks a rule through fix_row; then, if any
 * changed, the file as it was to "<stem>_<YYYYmmdd_HHMMSS>.csv" beside it
 * (the commit's backup name, so the same rotation keeps it) and the CSV
 * replaced atomically, unchanged rows byte for byte.  Refused when the file
 * changed since it was read. */
static int fix_all(const settings *cfg, mediacsv *m, const char *orig, size_t olen,
		   const struct stat *st0, const agency_lists *l, fixes *fx, sb_err *e)
{
	check_cols cc;
	check_cols_find(m, &cc);
	int ed = cc.editorial;
	for (size_t r = 0; r < mediacsv_rows(m); r++) {
		bool any = false;
		for (int a = 0; a < META_AGENCIES; a++)
			any |= cc.status[a] >= 0 &&
			       !strcmp(mediacsv_get(m, r, cc.status[a]), MC_ST_PREPARED) &&
			       meta_agency_enabled(cfg, a);
		if (!any)
			continue;
		const char *kws = mediacsv_field(m, r, MC_KLICOVA);
		bool editorial = (ed >= 0 && !strcasecmp(mediacsv_get(m, r, ed), "ano")) ||
				 !strncmp(kws, "Editorial", 9);
		char *notes = NULL;
		if (!fix_row(m, r, l, cfg, editorial, &notes))
			continue;
		fx->r = xrealloc(fx->r, (fx->n + 1) * sizeof *fx->r);
		fx->r[fx->n++] = (fixed_row){ mediacsv_lineno(m, r),
					      xstrdup(mediacsv_field(m, r, MC_SOUBOR)), notes };
	}
	if (fx->n == 0)
		return 0;
	struct stat st1;
	if (stat(cfg->media_csv, &st1) < 0 || st1.st_ino != st0->st_ino ||
	    st1.st_size != st0->st_size || st1.st_mtim.tv_sec != st0->st_mtim.tv_sec ||
	    st1.st_mtim.tv_nsec != st0->st_mtim.tv_nsec)
		return sb_fail(e, SBE_CONFLICT,
			       _("%s changed while it was checked; nothing was repaired: run "
				 "'stockbatch check --fix' again"),
			       cfg->media_csv);
	char stamp[32];
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%d_%H%M%S", &tm);
	char *dir = path_dirname(cfg->media_csv);
	const char *base = path_basename(cfg->media_csv);
	const char *dot = strrchr(base, '.');
	char *name = xasprintf("%.*s_%s.csv", (int)(dot ? (size_t)(dot - base) : strlen(base)),
			       base, stamp);
	fx->backup = path_join(dir, name);
	free(name);
	free(dir);
	if (!file_exists(fx->backup) && atomic_write_like(fx->backup, orig, olen, st0, e) < 0)
		return -1;
	size_t len;
	char *out = mediacsv_serialize(m, &len);
	int rc = atomic_write_like(cfg->media_csv, out, len, st0, e);
	free(out);
	return rc;
}

static const char *agency_name(int a)
{
	return a < 0 ? _("all agencies") : meta_agency_label(a);
}

static void print_json(const settings *cfg, const findings *fs, size_t rows, size_t bad,
		       const fixes *fx)
{
	json_object *o = json_object_new_object();
	report_jadd_str(o, "media_csv", cfg->media_csv);
	if (cli_opt.fix) {
		json_object *arr = json_object_new_array();
		for (size_t i = 0; i < fx->n; i++) {
			json_object *j = json_object_new_object();
			report_jadd_int(j, "line", fx->r[i].line);
			report_jadd_str(j, "file", fx->r[i].file);
			report_jadd_str(j, "repairs", fx->r[i].notes);
			json_object_array_add(arr, j);
		}
		json_object_object_add(o, "repaired", arr);
		report_jadd_str(o, "backup", fx->backup);
	}
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

static void print_tables(const findings *fs, size_t rows, size_t bad, const fixes *fx)
{
	for (size_t i = 0; i < fx->n; i++)
		printf(_("repaired line %ld (%s): %s\n"), fx->r[i].line, fx->r[i].file,
		       fx->r[i].notes);
	if (fx->n)
		printf(P_("%zu row repaired; the file as it was: %s\n\n",
			  "%zu rows repaired; the file as it was: %s\n\n", fx->n),
		       fx->n, fx->backup);
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
	sb_lock *lk = NULL;
	/* --fix writes the CSV: one writer per library, as for a commit */
	if (cli_opt.fix && lock_acquire(c->cfg->state_dir, &lk, &e) < 0)
		return cli_report_err(&e);
	char *dir = path_dirname(c->cfg->media_csv);
	char *cats = path_join(dir, "PhotoCategories.csv");
	char *data = NULL;
	size_t len = 0;
	struct stat st0;
	int rc = stat(c->cfg->media_csv, &st0) < 0
			 ? sb_fail(&e, SBE_IO, _("cannot read %s: %s"), c->cfg->media_csv,
				   strerror(errno))
			 : read_whole_file(c->cfg->media_csv, &data, &len, &e);
	if (rc == 0)
		rc = mediacsv_parse(c->cfg->media_csv, data, len, &m, &e);
	if (rc == 0)
		rc = agency_lists_load(c->cfg, file_exists(cats) ? cats : NULL, &l, &e);
	free(cats);
	free(dir);
	fixes fx = { 0 };
	if (rc == 0 && cli_opt.fix)
		rc = fix_all(c->cfg, m, data, len, &st0, l, &fx, &e);
	free(data);
	if (rc < 0) {
		mediacsv_free(m);
		agency_lists_free(l);
		lock_release(lk);
		for (size_t i = 0; i < fx.n; i++) {
			free(fx.r[i].file);
			free(fx.r[i].notes);
		}
		free(fx.r);
		free(fx.backup);
		return cli_report_err(&e);
	}
	findings fs = { 0 };
	size_t rows = 0, bad = 0;
	check_all(m, l, c->cfg, &fs, &rows, &bad); /* what is left after the repairs */
	if (cli_opt.json)
		print_json(c->cfg, &fs, rows, bad, &fx);
	else
		print_tables(&fs, rows, bad, &fx);
	for (size_t i = 0; i < fx.n; i++) {
		free(fx.r[i].file);
		free(fx.r[i].notes);
	}
	free(fx.r);
	free(fx.backup);
	lock_release(lk);
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
