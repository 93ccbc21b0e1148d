/* check.c: the agencies' rules over PhotoMedia rows (see check.h). */
#include "config.h"
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "photomedia.h"

/* The column of an agency's status or categories ("ShutterStock status"). */
static int bank_col(const mediacsv *m, int a, const char *suffix)
{
	char name[64];
	snprintf(name, sizeof name, "%s %s", meta_agency_label(a), suffix);
	return mediacsv_col(m, name);
}

void check_cols_find(const mediacsv *m, check_cols *c)
{
	for (int a = 0; a < META_AGENCIES; a++) {
		c->status[a] = bank_col(m, a, "status");
		c->cats[a] = bank_col(m, a, "kategorie");
	}
	c->editorial = mediacsv_col(m, MC_EDITORIAL);
}

long check_media_row(const mediacsv *m, const check_cols *c, size_t r, const agency_lists *l,
		     const settings *cfg, meta_rule_fn fn, void *ctx)
{
	meta_row_in in = { 0 };
	bool any = false;
	for (int a = 0; a < META_AGENCIES; a++) {
		in.sees[a] = c->status[a] >= 0 &&
			     !strcmp(mediacsv_get(m, r, c->status[a]), MC_ST_PREPARED) &&
			     meta_agency_enabled(cfg, a);
		in.cats[a] = mediacsv_get(m, r, c->cats[a]);
		any |= in.sees[a];
	}
	if (!any)
		return -1;
	in.title = mediacsv_field(m, r, MC_NAZEV);
	in.description = mediacsv_field(m, r, MC_POPIS);
	in.keywords = mediacsv_field(m, r, MC_KLICOVA);
	in.editorial = (c->editorial >= 0 && !strcasecmp(mediacsv_get(m, r, c->editorial), "ano")) ||
		       !strncmp(in.keywords, "Editorial", 9);
	return (long)meta_check_row(l, cfg, &in, fn, ctx);
}

struct file_ctx {
	check_file_fn fn;
	void *ctx;
	size_t file;
};

static void on_file_rule(int agency, const char *rule, const char *todo, void *ctx)
{
	struct file_ctx *f = ctx;
	f->fn(f->file, agency, rule, todo, f->ctx);
}

int check_media_files(const settings *cfg, const char *const *paths, size_t n, check_file_fn fn,
		      void *ctx, size_t *checked, sb_err *e)
{
	*checked = 0;
	mediacsv *m = NULL;
	agency_lists *l = NULL;
	char *dir = path_dirname(cfg->media_csv);
	char *cats = path_join(dir, "PhotoCategories.csv");
	int rc = mediacsv_load(cfg->media_csv, &m, e);
	if (rc == 0)
		rc = agency_lists_load(cfg, file_exists(cats) ? cats : NULL, &l, e);
	free(cats);
	free(dir);
	check_cols c;
	if (rc == 0)
		check_cols_find(m, &c);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		long r = mediacsv_find(m, paths[i]);
		struct file_ctx f = { fn, ctx, i };
		if (r >= 0 && check_media_row(m, &c, (size_t)r, l, cfg, on_file_rule, &f) >= 0)
			(*checked)++;
	}
	agency_lists_free(l);
	mediacsv_free(m);
	return rc;
}
