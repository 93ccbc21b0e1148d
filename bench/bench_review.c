/* bench_review.c: the review view opening on a big library.
 *
 *   bench/bench_review CORPUS_DIR [--runs R]
 *
 * CORPUS_DIR is made by /work/shared/bench/make_corpus.py (PhotoMedia.csv +
 * results.jsonl).  Setup (not timed): the CSV copied to a temp dir with
 * every result's answer applied to its row by the commit's own rule
 * (mediacsv_apply), and a state dir holding one completed batch of those
 * files, saved_to_csv (written in the store's on-disk format, as
 * bench_store does).  Timed, R runs (default 5, median and worst): what the
 * TUI does on `w` before its first draw: review_open on the batch (its
 * files, the CSV's bytes read, not parsed) and review_get of the first photo (its
 * row, the agencies' checks of it, the category lists read for them);
 * then moving to a photo on the file's last line (its row found in the
 * bytes the view holds),
 * and what w did before the view (the whole batch's text for the pager).
 * The store is open already, as in the TUI. */
#include "config.h"
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batchstore.h"
#include "photomedia.h"
#include "report.h"
#include "review.h"
#include "settings.h"

static void die(const char *what, const sb_err *e)
{
	fprintf(stderr, "bench_review: %s: %s\n", what, e ? e->msg : "failed");
	exit(1);
}

static int cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Each result's answer into the row of its stem ("<stem>_batch_..."):
 * returns the Cesta values changed (in results order). */
static size_t apply_results(mediacsv *m, const char *jsonl, char ***out)
{
	FILE *f = fopen(jsonl, "r");
	if (!f)
		die(jsonl, NULL);
	int cs = mediacsv_col(m, MC_CESTA);
	size_t rows = mediacsv_rows(m), n = 0, cap = 0;
	/* stem -> row: the corpus names rows <stem>.jpg in order */
	char **cesta = NULL, *line = NULL;
	size_t lcap = 0, next = 0;
	while (getline(&line, &lcap, f) > 0) {
		json_object *o = json_tokener_parse(line), *v, *b, *c, *msg, *ct;
		if (!o || !json_object_object_get_ex(o, "custom_id", &v))
			die("a result line without custom_id", NULL);
		const char *cid = json_object_get_string(v);
		const char *us = strstr(cid, "_batch");
		size_t sl = us ? (size_t)(us - cid) : strlen(cid);
		long row = -1;
		for (size_t k = 0; k < rows && row < 0; k++) {
			size_t r = (next + k) % rows;
			const char *base = path_basename(mediacsv_get(m, r, cs));
			if (!strncmp(base, cid, sl) && base[sl] == '.')
				row = (long)r;
		}
		if (row < 0 || !json_object_object_get_ex(o, "response", &v) ||
		    !json_object_object_get_ex(v, "body", &b) ||
		    !json_object_object_get_ex(b, "choices", &c) ||
		    !json_object_object_get_ex(json_object_array_get_idx(c, 0), "message", &msg) ||
		    !json_object_object_get_ex(msg, "content", &ct))
			die("a result line the corpus did not make", NULL);
		next = (size_t)row + 1;
		const char *content = json_object_get_string(ct);
		meta_record rec;
		sb_err e = { 0 };
		if (meta_parse(content, strlen(content), &rec, &e) < 0)
			die("meta_parse", &e);
		mc_update u = { 0 };
		u.kind = MCU_SAVE;
		u.cesta = mediacsv_get(m, (size_t)row, cs);
		u.title = rec.title;
		u.description = rec.description;
		u.keywords = (const char *const *)rec.keywords;
		u.nkeywords = rec.nkeywords;
		if (mediacsv_apply(m, (size_t)row, &u, NULL, &e) < 0)
			die("mediacsv_apply", &e);
		if (n == cap)
			cesta = xrealloc(cesta, (cap = cap ? cap * 2 : 1024) * sizeof *cesta);
		cesta[n++] = xstrdup(u.cesta);
		meta_free(&rec);
		json_object_put(o);
	}
	free(line);
	fclose(f);
	*out = cesta;
	return n;
}

/* One completed batch of the files, saved_to_csv, in the store's format. */
static void write_batch(const char *state, const char *id, char **cesta, size_t n)
{
	sb_err e = { 0 };
	char *bdir = path_join(state, "batches"), *d = path_join(bdir, id);
	if (mkdir_p(d, 0755, &e) < 0)
		die(d, &e);
	char *p = path_join(d, "batch.json");
	FILE *o = fopen(p, "w");
	if (!o)
		die(p, NULL);
	fprintf(o,
		"{ \"id\": \"%s\", \"kind\": \"originals\", \"provider\": \"openai\", \"model\": "
		"\"gpt-4o-mini\", \"state\": \"completed\", \"provider_batch_id\": \"batch_bench\", "
		"\"created\": \"2025-01-01T00:00:00Z\", \"completed\": \"2025-01-02T00:00:00Z\" }\n",
		id);
	fclose(o);
	free(p);
	p = path_join(d, "files.jsonl");
	if (!(o = fopen(p, "w")))
		die(p, NULL);
	for (size_t i = 0; i < n; i++) {
		json_object *j = json_object_new_object();
		json_object_object_add(j, "op", json_object_new_string("file"));
		json_object_object_add(j, "cesta", json_object_new_string(cesta[i]));
		json_object_object_add(j, "state", json_object_new_string("saved_to_csv"));
		json_object_object_add(j, "description",
				       json_object_new_string("Smrkový les v ranní mlze na úbočí "
							      "kopce, světlo prosvítá mezi kmeny."));
		fprintf(o, "%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
		json_object_put(j);
	}
	fclose(o);
	free(p);
	free(d);
	free(bdir);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_review CORPUS_DIR [--runs R]\n");
		return 2;
	}
	int runs = 5;
	for (int i = 2; i + 1 < argc; i += 2)
		if (!strcmp(argv[i], "--runs"))
			runs = atoi(argv[i + 1]);
	if (runs < 1)
		runs = 1;
	char tmpl[] = "/tmp/bench_review.XXXXXX";
	if (!mkdtemp(tmpl))
		die("mkdtemp", NULL);
	sb_err e = { 0 };
	char *src = path_join(argv[1], "PhotoMedia.csv"), *res = path_join(argv[1], "results.jsonl");
	char *csv = path_join(tmpl, "PhotoMedia.csv"), *state = path_join(tmpl, "state");
	mediacsv *m;
	if (mediacsv_load(src, &m, &e) < 0)
		die(src, &e);
	char **cesta;
	size_t n = apply_results(m, res, &cesta);
	if (mediacsv_save(m, csv, &e) < 0)
		die(csv, &e);
	size_t rows = mediacsv_rows(m);
	char *last = xstrdup(mediacsv_get(m, rows - 1, mediacsv_col(m, MC_CESTA)));
	mediacsv_free(m);
	const char *id = "b20250101-000000-0001";
	write_batch(state, id, cesta, n);

	settings cfg;
	settings_defaults(&cfg);
	if (settings_set(&cfg, "media_csv", csv, "bench", &e) < 0 ||
	    settings_set(&cfg, "state_dir", state, "bench", &e) < 0)
		die("settings", &e);
	settings_finish(&cfg);
	store *st;
	if (store_open(state, &st, &e) < 0)
		die("store_open", &e);
	double *t = xcalloc((size_t)(runs > 3 ? runs : 3), sizeof *t);
	size_t shown = 0;
	const char *title = "";
	char *keep = NULL;
	for (int r = 0; r < runs; r++) {
		double t0 = now_mono();
		review *rv;
		if (review_open(&cfg, st, id, &rv, &e) < 0)
			die("review_open", &e);
		const review_item *it = review_get(rv, 0);
		t[r] = now_mono() - t0;
		shown = review_count(rv);
		title = it && it->title ? it->title : "";
		free(keep);
		keep = xstrdup(title);
		review_close(rv);
	}
	qsort(t, (size_t)runs, sizeof *t, cmpd);
	printf("review view open: %zu rows, batch of %zu committed photos; first: \"%s\"\n", rows,
	       shown, keep ? keep : "");
	printf("  median %.1f ms, worst %.1f ms over %d runs (review_open + first photo)\n",
	       t[runs / 2] * 1e3, t[runs - 1] * 1e3, runs);
	/* moving to a photo in the worst place, the file's last line: the view
	 * holds the file's bytes, the move scans them all */
	char *bytes;
	size_t nbytes;
	if (mediacsv_read(csv, &bytes, &nbytes, &e) < 0)
		die(csv, &e);
	for (int r = 0; r < runs; r++) {
		double t0 = now_mono();
		mediacsv *one;
		long row;
		if (mediacsv_row_of(csv, bytes, nbytes, last, &one, &row, &e) < 0 || row < 0)
			die("mediacsv_row_of", &e);
		t[r] = now_mono() - t0;
		mediacsv_free(one);
	}
	free(bytes);
	qsort(t, (size_t)runs, sizeof *t, cmpd);
	printf("  moving to a photo on the file's last line: median %.1f ms, worst %.1f ms\n",
	       t[runs / 2] * 1e3, t[runs - 1] * 1e3);
	free(last);
	/* what w did before the view: every photo's text into the pager */
	FILE *null = fopen("/dev/null", "w");
	for (int r = 0; null && r < 3; r++) {
		double t0 = now_mono();
		if (report_batch_review(&cfg, st, id, null, &e) < 0)
			die("report_batch_review", &e);
		t[r] = now_mono() - t0;
	}
	if (null) {
		fclose(null);
		qsort(t, 3, sizeof *t, cmpd);
		printf("  before, the whole batch in the pager (report_batch_review): median %.1f ms\n",
		       t[1] * 1e3);
	}
	free(keep);
	free(t);
	store_close(st);
	settings_free(&cfg);
	for (size_t i = 0; i < n; i++)
		free(cesta[i]);
	free(cesta);
	char *cmd = xasprintf("rm -rf '%s'", tmpl);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_review: could not remove %s\n", tmpl);
	free(cmd);
	free(src);
	free(res);
	free(csv);
	free(state);
	return 0;
}
