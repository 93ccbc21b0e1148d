/* cmd_import.c: descriptions from a spreadsheet's TSV (path<TAB>description)
 * into the collecting batch; every rejected line named with its number. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <json-c/json.h>

#include "cmd.h"
#include "i18n.h"
#include "mediacsv.h"
#include "report.h"
#include "tsv.h"

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

typedef struct seen_path {
	char *cesta;
	long line;
} seen_path;

int cmd_import(cli_ctx *c, int argc, char **argv)
{
	const char *tsv = argv[1];
	(void)argc;
	sb_err e;
	sb_err_clear(&e);
	char *data = NULL;
	size_t len = 0;
	if (read_whole_file(tsv, &data, &len, &e) < 0)
		return cli_report_err(&e);
	mediacsv *m = NULL;
	if (mediacsv_load(c->cfg->media_csv, &m, &e) < 0) {
		free(data);
		return cli_report_err(&e);
	}
	int ccesta = mediacsv_col(m, MC_CESTA), ced = mediacsv_col(m, MC_EDITORIAL);
	size_t imported = 0, bad = 0, lines = 0;
	seen_path *seen = NULL;
	size_t nseen = 0;
	char last_batch[40] = "";
	int rc = SB_EXIT_OK;
	char *p = data;
	if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
		p += 3;
	long lineno = 0;
	while (p && *p && !term_interrupted()) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		char *line = p;
		p = nl ? nl + 1 : NULL;
		lineno++;
		char *path, *desc;
		int kind = tsv_split_line(line, &path, &desc);
		if (kind == -2) {
			size_t bad_off = 0;
			utf8_valid(line, strlen(line), &bad_off);
			fprintf(stderr, _("%s:%ld: invalid UTF-8 at byte %zu; save the file as UTF-8\n"),
				tsv, lineno, bad_off + 1);
			bad++;
			continue;
		}
		if (kind == 0)
			continue;
		if (kind < 0) {
			fprintf(stderr, _("%s:%ld: no TAB between the path and the description; "
					  "write 'path<TAB>description'\n"), tsv, lineno);
			bad++;
			continue;
		}
		/* A header row from the spreadsheet. */
		if (lines == 0 && (!strcasecmp(path, "path") || !strcasecmp(path, "cesta"))) {
			lines++;
			continue;
		}
		lines++;
		long row = find_row(c->cfg, m, path);
		if (row < 0) {
			fprintf(stderr, _("%s:%ld: unknown path '%s': it is not in the Cesta column of "
					  "%s; copy the path from there\n"),
				tsv, lineno, path, c->cfg->media_csv);
			bad++;
			continue;
		}
		const char *cesta = mediacsv_get(m, (size_t)row, ccesta);
		size_t k;
		for (k = 0; k < nseen && strcmp(seen[k].cesta, cesta); k++)
			;
		if (k < nseen) {
			fprintf(stderr, _("%s:%ld: duplicate of line %ld (%s); keep one of them\n"), tsv,
				lineno, seen[k].line, path);
			bad++;
			continue;
		}
		seen = xrealloc(seen, (nseen + 1) * sizeof *seen);
		seen[nseen].cesta = xstrdup(cesta);
		seen[nseen++].line = lineno;
		size_t nch = utf8_chars(desc);
		if ((int)nch < c->cfg->min_description) {
			fprintf(stderr, _("%s:%ld: the description has %zu characters, at least %d are "
					  "needed; say more about the photo\n"),
				tsv, lineno, nch, c->cfg->min_description);
			bad++;
			continue;
		}
		char held[40];
		if (store_file_batch(c->st, cesta, held)) {
			batch_info hb;
			const char *hs = store_get(c->st, held, &hb) == 0 ? batch_state_name(hb.state) : "?";
			fprintf(stderr, _("%s:%ld: %s is already in batch %s (%s); it was not imported "
					  "again\n"), tsv, lineno, path, held, hs);
			bad++;
			continue;
		}
		if (!mediacsv_row_unprocessed(m, (size_t)row)) {
			fprintf(stderr, _("%s:%ld: %s is not waiting for processing in %s (no status "
					  "'%s', or Originál is not 'ano'); nothing to do\n"),
				tsv, lineno, path, c->cfg->media_csv, MC_ST_UNPROCESSED);
			bad++;
			continue;
		}
		char *local = settings_map_path(c->cfg, cesta);
		bool present = local && file_exists(local);
		if (!present) {
			fprintf(stderr, _("%s:%ld: the file %s does not exist; check path_map in the "
					  "configuration\n"), tsv, lineno, local ? local : cesta);
			free(local);
			bad++;
			continue;
		}
		free(local);
		batch_info b;
		if (store_collecting(c->st, "originals", c->cfg->provider, c->cfg->model, &b, &e) < 0) {
			rc = cli_report_err(&e);
			break;
		}
		file_entry f;
		memset(&f, 0, sizeof f);
		f.cesta = (char *)cesta;
		f.description = desc;
		f.state = FS_DESCRIPTION_SAVED;
		f.editorial = ced >= 0 && !strcasecmp(mediacsv_get(m, (size_t)row, ced), "ano");
		mediacsv_fingerprint(m, (size_t)row, f.fingerprint);
		if (store_add_file(c->st, b.id, &f, &e) < 0) {
			fprintf(stderr, "%s:%ld: %s\n", tsv, lineno, e.msg);
			bad++;
			continue;
		}
		imported++;
		snprintf(last_batch, sizeof last_batch, "%s", b.id);
		if (store_seal_if_full(c->st, b.id, (size_t)c->cfg->batch_size, &e) < 0) {
			rc = cli_report_err(&e);
			break;
		}
	}
	for (size_t k = 0; k < nseen; k++)
		free(seen[k].cesta);
	free(seen);
	free(data);
	mediacsv_free(m);

	batch_info lb;
	bool have_lb = last_batch[0] && store_get(c->st, last_batch, &lb) == 0;
	if (cli_opt.json) {
		json_object *o = json_object_new_object();
		report_jadd_str(o, "file", tsv);
		report_jadd_int(o, "imported", (long long)imported);
		report_jadd_int(o, "rejected", (long long)bad);
		report_jadd_str(o, "batch", have_lb ? lb.id : NULL);
		report_jadd_str(o, "batch_state", have_lb ? batch_state_name(lb.state) : NULL);
		report_jadd_int(o, "batch_files", have_lb ? (long long)lb.nfiles : 0);
		json_object_object_add(o, "interrupted", json_object_new_boolean(term_interrupted()));
		report_json_print(o, stdout);
	} else {
		printf(P_("Imported %zu description from %s", "Imported %zu descriptions from %s",
			  imported), imported, tsv);
		if (have_lb)
			printf(_(" (last into batch %s: %s, %zu/%d)"), lb.id,
			       batch_state_name(lb.state), lb.nfiles, c->cfg->batch_size);
		printf(".\n");
		if (bad)
			printf(P_("%zu line was rejected (see the messages above).\n",
				  "%zu lines were rejected (see the messages above).\n", bad), bad);
		if (have_lb && lb.state == BS_COLLECTING)
			printf(_("The batch is sent when it is full, or now with 'stockbatch send "
				 "--all'.\n"));
		if (term_interrupted())
			printf(_("Interrupted: the lines after %ld were not read.\n"), lineno);
	}
	if (term_interrupted())
		return SB_EXIT_INTERRUPTED;
	if (rc != SB_EXIT_OK)
		return rc;
	if (bad)
		return imported ? SB_EXIT_PARTIAL : SB_EXIT_ERROR;
	return SB_EXIT_OK;
}
