/* bench_commit.c: commit an OpenAI batch output file into PhotoMedia.csv.
 *
 *   bench/bench_commit CORPUS_DIR [--group N] [--runs R]
 *
 * CORPUS_DIR is made by /work/shared/bench/make_corpus.py (PhotoMedia.csv +
 * results.jsonl).  Each run copies the CSV to a temp dir (not timed), then
 * times: read results.jsonl with json-c and map custom ids to Cesta, and
 * mediacsv_commit of all results in groups of N (default: all in one).
 * Prints the median over R runs (default 3). */
#include "config.h"
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "photomedia.h"
#include "util.h"

typedef struct item {
	char *cesta, *title, *desc;
	char **kw;
	size_t nkw;
	mc_category cats[3];
	size_t ncats;
} item;

static const char *str_of(json_object *o, const char *key)
{
	json_object *v;
	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static char *join_array(json_object *a)
{
	sbuf b = {0};
	size_t n = json_object_array_length(a);
	for (size_t i = 0; i < n; i++) {
		if (i)
			sbuf_adds(&b, ", ");
		sbuf_adds(&b, json_object_get_string(json_object_array_get_idx(a, i)));
	}
	return b.p ? sbuf_steal(&b) : xstrdup("");
}

/* stem of custom id "<stem>_batch_<x>" -> Cesta, through one lean load of
 * the CSV (the engine knows each item's Cesta from its store; here the
 * file name at the end of Cesta is the stem's file, as make_corpus.py makes
 * them). */
static size_t read_results(const char *csv, const char *jsonl, item **out)
{
	mediacsv *m;
	sb_err e = {0};
	if (mediacsv_load_lean(csv, &m, &e) < 0) {
		fprintf(stderr, "%s\n", e.msg);
		exit(1);
	}
	/* index stems: the file name in Cesta without extension -> row */
	size_t rows = mediacsv_rows(m), cap = 1;
	while (cap < rows * 2 + 2)
		cap *= 2;
	size_t *tab = xcalloc(cap, sizeof *tab);
	int cs = mediacsv_col(m, MC_CESTA);
	for (size_t r = 0; r < rows; r++) {
		const char *s = path_basename(mediacsv_get(m, r, cs));
		const char *dot = strrchr(s, '.');
		size_t n = dot ? (size_t)(dot - s) : strlen(s);
		size_t h = (size_t)fnv1a64(s, n) & (cap - 1);
		while (tab[h])
			h = (h + 1) & (cap - 1);
		tab[h] = r + 1;
	}
	FILE *f = fopen(jsonl, "r");
	if (!f) {
		perror(jsonl);
		exit(1);
	}
	item *it = NULL;
	size_t n = 0, icap = 0;
	char *line = NULL;
	size_t lcap = 0;
	while (getline(&line, &lcap, f) > 0) {
		json_object *o = json_tokener_parse(line), *resp, *body, *ch, *msg;
		if (!o)
			continue;
		const char *cid = str_of(o, "custom_id");
		const char *content = NULL;
		if (json_object_object_get_ex(o, "response", &resp) &&
		    json_object_object_get_ex(resp, "body", &body) &&
		    json_object_object_get_ex(body, "choices", &ch) &&
		    (msg = json_object_array_get_idx(ch, 0)) &&
		    json_object_object_get_ex(msg, "message", &msg))
			content = str_of(msg, "content");
		const char *us = cid ? strstr(cid, "_batch_") : NULL;
		json_object *meta = content ? json_tokener_parse(content) : NULL;
		long row = -1;
		if (us && meta) {
			size_t sl = (size_t)(us - cid);
			size_t h = (size_t)fnv1a64(cid, sl) & (cap - 1);
			for (; tab[h]; h = (h + 1) & (cap - 1)) {
				const char *s = path_basename(mediacsv_get(m, tab[h] - 1, cs));
				if (strncmp(s, cid, sl) == 0 && (s[sl] == '.' || !s[sl])) {
					row = (long)tab[h] - 1;
					break;
				}
			}
		}
		if (row >= 0) {
			if (n == icap) {
				icap = icap ? icap * 2 : 1024;
				it = xrealloc(it, icap * sizeof *it);
			}
			item *x = &it[n++];
			memset(x, 0, sizeof *x);
			x->cesta = xstrdup(mediacsv_get(m, (size_t)row, cs));
			x->title = xstrdup(str_of(meta, "title") ? str_of(meta, "title") : "");
			x->desc = xstrdup(str_of(meta, "description") ? str_of(meta, "description") : "");
			json_object *kw, *cats;
			if (json_object_object_get_ex(meta, "keywords", &kw)) {
				x->nkw = json_object_array_length(kw);
				x->kw = xcalloc(x->nkw + 1, sizeof *x->kw);
				for (size_t i = 0; i < x->nkw; i++)
					x->kw[i] = xstrdup(json_object_get_string(json_object_array_get_idx(kw, i)));
			}
			if (json_object_object_get_ex(meta, "categories", &cats)) {
				json_object_object_foreach(cats, k, v)
				{
					if (x->ncats < 3) {
						x->cats[x->ncats].bank = xstrdup(k);
						x->cats[x->ncats].value = join_array(v);
						x->ncats++;
					}
				}
			}
		}
		json_object_put(meta);
		json_object_put(o);
	}
	free(line);
	fclose(f);
	free(tab);
	mediacsv_free(m);
	*out = it;
	return n;
}

static void items_free(item *it, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(it[i].cesta);
		free(it[i].title);
		free(it[i].desc);
		for (size_t k = 0; k < it[i].nkw; k++)
			free(it[i].kw[k]);
		free(it[i].kw);
		for (size_t c = 0; c < it[i].ncats; c++) {
			free((char *)it[i].cats[c].bank);
			free((char *)it[i].cats[c].value);
		}
	}
	free(it);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR [--group N] [--runs R]\n", argv[0]);
		return 2;
	}
	size_t group = 0;
	int runs = 3;
	for (int i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--group"))
			group = (size_t)atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--runs"))
			runs = atoi(argv[i + 1]);
	}
	char *src = path_join(argv[1], "PhotoMedia.csv");
	char *jsonl = path_join(argv[1], "results.jsonl");
	char *orig;
	size_t olen;
	sb_err e = {0};
	char tmpl[] = "/tmp/bench_commitXXXXXX";
	if (!mkdtemp(tmpl))
		return 1;
	char *csv = path_join(tmpl, "PhotoMedia.csv");
	double *t_read = xcalloc((size_t)runs, sizeof(double));
	double *t_commit = xcalloc((size_t)runs, sizeof(double));
	double *t_total = xcalloc((size_t)runs, sizeof(double));
	size_t nres = 0, applied = 0;
	for (int r = 0; r < runs; r++) {
		/* a fresh copy, read again each run so it is not in our peak RSS */
		if (read_whole_file(src, &orig, &olen, &e) < 0 ||
		    atomic_write(csv, orig, olen, 0644, &e) < 0) {
			fprintf(stderr, "%s\n", e.msg);
			return 1;
		}
		free(orig);
		double t0 = now_mono();
		item *it;
		nres = read_results(csv, jsonl, &it);
		double t1 = now_mono();
		mc_update *u = xcalloc(nres ? nres : 1, sizeof *u);
		for (size_t i = 0; i < nres; i++)
			u[i] = (mc_update){.kind = MCU_SAVE, .cesta = it[i].cesta, .title = it[i].title,
					   .description = it[i].desc,
					   .keywords = (const char *const *)it[i].kw,
					   .nkeywords = it[i].nkw, .cats = it[i].cats,
					   .ncats = it[i].ncats};
		mc_commit_opts o = {.backups = 2, .backup_session = "20260101_000000"};
		size_t g = group ? group : nres;
		applied = 0;
		for (size_t i = 0; i < nres; i += g) {
			mc_commit_result res;
			size_t k = nres - i < g ? nres - i : g;
			if (mediacsv_commit(csv, u + i, k, &o, &res, &e) < 0) {
				fprintf(stderr, "%s\n", e.msg);
				return 1;
			}
			applied += res.applied;
			mc_commit_result_free(&res);
		}
		double t2 = now_mono();
		t_read[r] = t1 - t0;
		t_commit[r] = t2 - t1;
		t_total[r] = t2 - t0;
		free(u);
		items_free(it, nres);
		char *bk = path_join(tmpl, "PhotoMedia_20260101_000000.csv");
		unlink(bk);
		free(bk);
	}
	qsort(t_read, (size_t)runs, sizeof(double), cmp_d);
	qsort(t_commit, (size_t)runs, sizeof(double), cmp_d);
	qsort(t_total, (size_t)runs, sizeof(double), cmp_d);
	double tot = t_total[runs / 2];
	printf("results %zu applied %zu group %zu runs %d median_read_s %.3f median_commit_s %.3f "
	       "median_total_s %.3f results_per_s %.1f\n",
	       nres, applied, group ? group : nres, runs, t_read[runs / 2], t_commit[runs / 2], tot,
	       tot > 0 ? (double)nres / tot : 0.0);
	unlink(csv);
	rmdir(tmpl);
	free(csv);
	free(src);
	free(jsonl);
	free(t_read);
	free(t_commit);
	free(t_total);
	return applied == nres ? 0 : 1;
}
