/* cmd_import.c: descriptions from a spreadsheet's TSV (path<TAB>description,
 * src/tsv.c) into the collecting batch through the core's rules
 * (src/collect.c); every rejected record is named with its first line. */
#include "config.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "collect.h"
#include "i18n.h"
#include "photomedia.h"
#include "report.h"
#include "tsv.h"
#include "utf8.h"

typedef struct seen_path {
	char *cesta;
	long line;
} seen_path;

/* One import: the TSV, the CSV, what was done so far. */
typedef struct import_run {
	cli_ctx *c;
	const char *tsv; /* its name, for the messages */
	mediacsv *m;
	seen_path *seen;
	size_t nseen;
	size_t imported, bad, records;
	long last_line; /* the last line read */
	char last_batch[40];
	/* --series: the eligible rows, their series (collect_series) and
	 * their indices in time order */
	size_t *elig, nelig, *group, *bytime;
} import_run;

/* Find a TSV path among the CSV rows: as written in Cesta, else as the
 * local path it maps to (the user may paste either). */
static long find_row(const settings *cfg, const mediacsv *m, const char *path)
{
	long r = mediacsv_find(m, path);
	if (r >= 0)
		return r;
	int cc = mediacsv_col(m, MC_CESTA);
	for (size_t i = 0; i < mediacsv_rows(m); i++) {
		char *local = settings_map_path(cfg, mediacsv_get(m, i, cc));
		bool same = local && !strcmp(local, path);
		free(local);
		if (same)
			return (long)i;
	}
	return -1;
}

/* A path named twice: the line of the first, else 0 (and remembered). */
static long seen_before(import_run *ir, const char *cesta, long line)
{
	for (size_t k = 0; k < ir->nseen; k++)
		if (!strcmp(ir->seen[k].cesta, cesta))
			return ir->seen[k].line;
	ir->seen = xrealloc(ir->seen, (ir->nseen + 1) * sizeof *ir->seen);
	ir->seen[ir->nseen].cesta = xstrdup(cesta);
	ir->seen[ir->nseen++].line = line;
	return 0;
}

/* The record as such: its form, a header, the path, a duplicate, the
 * length.  The CSV row, or -1 (reported, or a header). */
static long check_record(import_run *ir, const tsv_record *rec)
{
	const settings *cfg = ir->c->cfg;
	const char *tsv = ir->tsv;
	if (rec->kind == TSV_BAD_UTF8) {
		fprintf(stderr, _("%s:%ld: invalid UTF-8 at byte %zu; save the file as UTF-8\n"),
			tsv, rec->line, rec->bad_byte);
		ir->bad++;
		return -1;
	}
	if (rec->kind == TSV_NO_TAB) {
		fprintf(stderr,
			_("%s:%ld: no TAB between the path and the description; "
			  "write 'path<TAB>description'\n"),
			tsv, rec->line);
		ir->bad++;
		return -1;
	}
	/* A header row from the spreadsheet. */
	if (ir->records++ == 0 &&
	    (!strcasecmp(rec->path, "path") || !strcasecmp(rec->path, "cesta")))
		return -1;
	long row = find_row(cfg, ir->m, rec->path);
	if (row < 0) {
		fprintf(stderr,
			_("%s:%ld: unknown path '%s': it is not in the Cesta column of "
			  "%s; copy the path from there\n"),
			tsv, rec->line, rec->path, cfg->media_csv);
		ir->bad++;
		return -1;
	}
	long first = seen_before(ir, mediacsv_field(ir->m, (size_t)row, MC_CESTA), rec->line);
	if (first) {
		fprintf(stderr, _("%s:%ld: duplicate of line %ld (%s); keep one of them\n"), tsv,
			rec->line, first, rec->path);
		ir->bad++;
		return -1;
	}
	size_t nch = utf8_chars(rec->desc);
	if ((int)nch < cfg->min_description) {
		fprintf(stderr,
			_("%s:%ld: the description has %zu characters, at least %d are "
			  "needed; say more about the photo\n"),
			tsv, rec->line, nch, cfg->min_description);
		ir->bad++;
		return -1;
	}
	return row;
}

/* The photo: still to be described (the CSV's status, then collect.c's
 * one eligibility rule)?  false when not (reported). */
static bool check_photo(import_run *ir, const tsv_record *rec, size_t row)
{
	const settings *cfg = ir->c->cfg;
	const char *tsv = ir->tsv, *path = rec->path;
	const char *cesta = mediacsv_field(ir->m, row, MC_CESTA);
	char held[40] = "";
	file_state fs = FS_PENDING;
	collect_why why = collect_row_eligibility(cfg, ir->c->st, ir->m, row, held, &fs);
	bool committed = why == COLLECT_SETTLED && fs == FS_SAVED_TO_CSV;
	if (committed && cli_opt.force && mediacsv_row_unprocessed(ir->m, row))
		return true; /* described again on purpose: the commit overwrites */
	if (why == COLLECT_IN_BATCH) {
		batch_info hb;
		const char *hs =
			store_get(ir->c->st, held, &hb) == 0 ? batch_state_name(hb.state) : "?";
		fprintf(stderr,
			_("%s:%ld: %s is already in batch %s (%s); it was not imported "
			  "again\n"),
			tsv, rec->line, path, held, hs);
	} else if (!mediacsv_row_unprocessed(ir->m, row)) {
		fprintf(stderr,
			_("%s:%ld: %s is not waiting for processing in %s (no status "
			  "'%s', or Originál is not 'ano'); nothing to do\n"),
			tsv, rec->line, path, cfg->media_csv, MC_ST_UNPROCESSED);
	} else if (why == COLLECT_MISSING) {
		char *local = settings_map_path(cfg, cesta);
		fprintf(stderr,
			_("%s:%ld: the file %s does not exist; check path_map in the "
			  "configuration\n"),
			tsv, rec->line, local ? local : cesta);
		free(local);
	} else if (committed) {
		fprintf(stderr,
			_("%s:%ld: %s was committed to the CSV before; it was not imported "
			  "again (import --force describes it again and overwrites its "
			  "metadata)\n"),
			tsv, rec->line, path);
	} else if (why == COLLECT_SETTLED) {
		fprintf(stderr, _("%s:%ld: %s is not offered for a description: %s\n"), tsv,
			rec->line, path, collect_settled_reason(fs));
	} else
		return true;
	ir->bad++;
	return false;
}

/* --series: the frames (CSV rows, in time order, at most max) described by
 * the line naming row: its series among the eligible rows, less the frames
 * other lines described (which are then this line's duplicates).  Just row
 * without --series or when it is alone. */
static size_t series_frames(import_run *ir, size_t row, long line, size_t *out, size_t max)
{
	out[0] = row;
	if (!cli_opt.series)
		return 1;
	const settings *cfg = ir->c->cfg;
	if (!ir->group) {
		ir->nelig = collect_eligible_rows(cfg, ir->c->st, ir->m, &ir->elig);
		ir->group = xmalloc(sizeof(size_t) * (ir->nelig ? ir->nelig : 1));
		series_cache *hc = series_cache_open(cfg->state_dir);
		series_edits *se = series_edits_open(cfg->state_dir);
		size_t *rank = xmalloc(sizeof(size_t) * (ir->nelig ? ir->nelig : 1));
		collect_series(cfg, hc, se, ir->m, ir->elig, ir->nelig, true, ir->group, NULL,
			       rank);
		ir->bytime = xmalloc(sizeof(size_t) * (ir->nelig ? ir->nelig : 1));
		for (size_t j = 0; j < ir->nelig; j++)
			ir->bytime[rank[j]] = j;
		free(rank);
		sb_err e;
		series_cache_save(hc, &e); /* a cache: a failure costs only time */
		series_cache_free(hc);
		series_edits_free(se);
	}
	size_t k = 0;
	while (k < ir->nelig && ir->elig[k] != row)
		k++;
	if (k == ir->nelig)
		return 1;
	size_t n = 0;
	for (size_t t = 0; t < ir->nelig && n < max; t++) {
		size_t j = ir->bytime[t];
		if (ir->group[j] != ir->group[k])
			continue;
		const char *cesta = mediacsv_field(ir->m, ir->elig[j], MC_CESTA);
		/* the named frame was registered by check_record */
		if (ir->elig[j] != row && seen_before(ir, cesta, line))
			continue;
		out[n++] = ir->elig[j];
	}
	return n ? n : 1;
}

/* Into the collecting batch.  0, or the exit code of a store failure that
 * stops the import (reported). */
static int save_record(import_run *ir, const tsv_record *rec, size_t row)
{
	sb_err e;
	sb_err_clear(&e);
	char bid[40];
	/* editorial: marked so in the CSV, or given city, country and date */
	editorial_info ed;
	memset(&ed, 0, sizeof ed);
	bool given = rec->city && (*rec->city || *rec->country || *rec->date);
	bool editorial = given || collect_editorial_in_csv(ir->m, row);
	const char *why = NULL;
	if (!given && editorial) {
		fprintf(stderr,
			_("%s:%ld: %s is editorial; add its city, country and date: "
			  "'path<TAB>description<TAB>city<TAB>country<TAB>date'\n"),
			ir->tsv, rec->line, rec->path);
		ir->bad++;
		return 0;
	}
	if (given && !collect_editorial_fill(&ed, rec->city, rec->country, rec->date, &why)) {
		fprintf(stderr, _("%s:%ld: %s (city '%s', country '%s', date '%s')\n"), ir->tsv,
			rec->line, why, rec->city, rec->country, rec->date);
		ir->bad++;
		return 0;
	}
	size_t frames[256], n = series_frames(ir, row, rec->line, frames, 256);
	bool edf[256];
	for (size_t k = 0; k < n; k++)
		edf[k] = editorial;
	if (n > 1 ? collect_save_series(ir->c->cfg, ir->c->st, ir->m, frames, n, rec->desc, edf,
					editorial ? &ed : NULL, NULL, &e) < 0
		  : collect_save_description(ir->c->cfg, ir->c->st, ir->m, row, rec->desc,
					     editorial, editorial ? &ed : NULL, bid, NULL,
					     &e) < 0) {
		if (e.code != SBE_INPUT && e.code != SBE_CONFLICT)
			return cli_report_err(&e); /* the store failed: stop */
		fprintf(stderr, "%s:%ld: %s\n", ir->tsv, rec->line, e.msg);
		ir->bad++;
		return 0;
	}
	ir->imported += n;
	if (n > 1 &&
	    !store_file_batch(ir->c->st, mediacsv_field(ir->m, frames[n - 1], MC_CESTA), bid))
		bid[0] = '\0';
	snprintf(ir->last_batch, sizeof ir->last_batch, "%s", bid);
	return 0;
}

static void print_summary(import_run *ir)
{
	cli_ctx *c = ir->c;
	bool intr = cli_term_interrupted();
	batch_info lb;
	bool have_lb = ir->last_batch[0] && store_get(c->st, ir->last_batch, &lb) == 0;
	if (cli_opt.json) {
		json_object *o = json_object_new_object();
		report_jadd_str(o, "file", ir->tsv);
		report_jadd_int(o, "imported", (long long)ir->imported);
		report_jadd_int(o, "rejected", (long long)ir->bad);
		report_jadd_str(o, "batch", have_lb ? lb.id : NULL);
		report_jadd_str(o, "batch_state", have_lb ? batch_state_name(lb.state) : NULL);
		report_jadd_int(o, "batch_files", have_lb ? (long long)lb.nfiles : 0);
		json_object_object_add(o, "interrupted", json_object_new_boolean(intr));
		report_json_print(o, stdout);
		return;
	}
	printf(P_("Imported %zu description from %s", "Imported %zu descriptions from %s",
		  ir->imported),
	       ir->imported, ir->tsv);
	if (have_lb)
		printf(_(" (last into batch %s: %s, %zu/%d)"), lb.id, batch_state_name(lb.state),
		       lb.nfiles, c->cfg->batch_size);
	printf(".\n");
	if (ir->bad)
		printf(P_("%zu line was rejected (see the messages above).\n",
			  "%zu lines were rejected (see the messages above).\n", ir->bad),
		       ir->bad);
	if (have_lb && lb.state == BS_COLLECTING)
		printf(_(
			"The batch is sent when it is full, or now with 'stockbatch send --all'.\n"));
	if (intr)
		printf(_("Interrupted: the lines after %ld were not read.\n"), ir->last_line);
}

/* Every record of the TSV; SB_EXIT_OK, or the code of the error that
 * stopped it. */
static int import_records(import_run *ir, const char *data, size_t len)
{
	tsv_reader *r = tsv_open(data, len);
	tsv_record rec;
	int rc = SB_EXIT_OK;
	while (!cli_term_interrupted() && tsv_next(r, &rec)) {
		ir->last_line = rec.last_line;
		long row = check_record(ir, &rec);
		if (row < 0 || !check_photo(ir, &rec, (size_t)row))
			continue;
		if ((rc = save_record(ir, &rec, (size_t)row)) != SB_EXIT_OK)
			break;
	}
	tsv_close(r);
	return rc;
}

int cmd_import(cli_ctx *c, int argc, char **argv)
{
	(void)argc;
	import_run ir;
	memset(&ir, 0, sizeof ir);
	ir.c = c;
	ir.tsv = argv[1];
	sb_err e;
	sb_err_clear(&e);
	char *data = NULL;
	size_t len = 0;
	if (read_whole_file(ir.tsv, &data, &len, &e) < 0)
		return cli_report_err(&e);
	if (mediacsv_load(c->cfg->media_csv, &ir.m, &e) < 0) {
		free(data);
		return cli_report_err(&e);
	}
	int rc = import_records(&ir, data, len);
	for (size_t k = 0; k < ir.nseen; k++)
		free(ir.seen[k].cesta);
	free(ir.seen);
	free(ir.elig);
	free(ir.group);
	free(ir.bytime);
	free(data);
	if (cli_opt.json || !cli_opt.quiet) /* -q: the rejected lines were the errors */
		print_summary(&ir);
	mediacsv_free(ir.m);
	if (cli_term_interrupted())
		return SB_EXIT_INTERRUPTED;
	if (rc != SB_EXIT_OK)
		return rc;
	if (ir.bad)
		return ir.imported ? SB_EXIT_PARTIAL : SB_EXIT_ERROR;
	return SB_EXIT_OK;
}
