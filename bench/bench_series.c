/* bench_series: series detection against a corpus's ground truth, and the
 * cost of the hash.
 *
 *   bench/bench_series [--gap S] [--distance D] [--sweep] TRUTH.tsv
 *     TRUTH.tsv: path, Datum vytvoření (empty: EXIF), series id or "-"
 *     (bench/series_corpus.py writes it).  Prints pairwise precision and
 *     recall (a pair of photos put in one series is right when the truth
 *     has them in one series), exact series found, and the descriptions
 *     typed before (one a photo) and after (one a series or single photo).
 *   bench/bench_series --time [--runs N] PHOTO...
 *     Per photo: the 1/8 DCT-scaled decode, the hash on top of it, and the
 *     preview-sized decode for comparison (median of N runs, ms).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "series.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_d);
	return v[n / 2];
}

static int time_photos(char **paths, int n, int runs)
{
	printf("photo\tpixels\tdecode_1/8_ms\thash_ms\tpreview_decode_ms\n");
	double *dec = calloc((size_t)runs, sizeof *dec), *hsh = calloc((size_t)runs, sizeof *hsh),
	       *pre = calloc((size_t)runs, sizeof *pre);
	for (int i = 0; i < n; i++) {
		char *data = NULL;
		size_t len = 0;
		sb_err e;
		if (read_whole_file(paths[i], &data, &len, &e) < 0) {
			fprintf(stderr, "%s\n", e.msg);
			return 1;
		}
		int w = 0, h = 0;
		image_file_size(paths[i], &w, &h, &e);
		volatile uint64_t sink = 0;
		for (int r = 0; r < runs; r++) {
			image_rgb im = { 0 };
			double t0 = now_ms();
			if (image_decode_scaled((unsigned char *)data, len, 32, 32, &im, &e) < 0) {
				fprintf(stderr, "%s: %s\n", paths[i], e.msg);
				return 1;
			}
			double t1 = now_ms();
			sink ^= series_hash_image(&im);
			double t2 = now_ms();
			image_free(&im);
			/* the preview pane's decode (80 x 40 cells of 4 x 8 pixels) */
			double t3 = now_ms();
			image_decode_scaled((unsigned char *)data, len, 320, 320, &im, &e);
			double t4 = now_ms();
			image_free(&im);
			dec[r] = t1 - t0;
			hsh[r] = t2 - t1;
			pre[r] = t4 - t3;
		}
		(void)sink;
		printf("%s\t%dx%d\t%.2f\t%.3f\t%.2f\n", path_basename(paths[i]), w, h,
		       median(dec, runs), median(hsh, runs), median(pre, runs));
		free(data);
	}
	free(dec);
	free(hsh);
	free(pre);
	return 0;
}

typedef struct row {
	char *path, *datum, *truth;
} row;

static void score(const row *rows, const series_photo *ph, size_t n, int gap, int dist,
		  bool verbose)
{
	size_t *g = malloc(sizeof(size_t) * n);
	size_t found = series_group(ph, n, gap, dist, g);
	long tp = 0, fp = 0, fn = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			bool same_truth = strcmp(rows[i].truth, "-") != 0 &&
					  strcmp(rows[i].truth, rows[j].truth) == 0;
			bool same_found = g[i] == g[j];
			tp += same_truth && same_found;
			fp += !same_truth && same_found;
			fn += same_truth && !same_found;
		}
	/* series found exactly: the same set of photos as a true series */
	size_t exact = 0, truth_series = 0, after = 0;
	for (size_t i = 0; i < n; i++) {
		if (g[i] == i)
			after++;
		bool first_of_truth = strcmp(rows[i].truth, "-") != 0;
		for (size_t j = 0; j < i && first_of_truth; j++)
			if (!strcmp(rows[j].truth, rows[i].truth))
				first_of_truth = false;
		if (!first_of_truth)
			continue;
		truth_series++;
		bool ok = true;
		for (size_t j = 0; j < n && ok; j++) {
			bool in_t = !strcmp(rows[j].truth, rows[i].truth);
			ok = in_t == (g[j] == g[i]);
		}
		exact += ok;
	}
	double prec = tp + fp ? 100.0 * tp / (tp + fp) : 100,
	       rec = tp + fn ? 100.0 * tp / (tp + fn) : 100;
	if (verbose && getenv("BENCH_SERIES_ERRORS"))
		for (size_t i = 0; i < n; i++) {
			if (g[i] != i)
				continue;
			bool mixed = false, split = false;
			for (size_t j = 0; j < n; j++) {
				if (g[j] == i && strcmp(rows[j].truth, rows[i].truth))
					mixed = true;
				if (g[j] != i && !strcmp(rows[j].truth, rows[i].truth) &&
				    strcmp(rows[i].truth, "-"))
					split = true;
			}
			if (!mixed && !split)
				continue;
			printf("%s%s:", mixed ? "mixed" : "", split ? " split" : "");
			for (size_t j = 0; j < n; j++)
				if (g[j] == i || (!strcmp(rows[j].truth, rows[i].truth) &&
						  strcmp(rows[i].truth, "-")))
					printf(" %s%s(%d)", rows[j].truth, g[j] == i ? "" : "*",
					       series_distance(ph[i].hash, ph[j].hash));
			printf("\n");
		}
	if (verbose) {
		printf("photos %zu, true series %zu, series found %zu\n", n, truth_series, found);
		printf("pairs: right %ld, wrong %ld, missed %ld\n", tp, fp, fn);
		printf("precision %.1f %%, recall %.1f %%\n", prec, rec);
		printf("true series found exactly: %zu of %zu\n", exact, truth_series);
		printf("descriptions to type: before %zu, after %zu (%.0f %% fewer)\n", n, after,
		       100.0 * (double)(n - after) / (double)n);
	} else {
		printf("%d\t%.1f\t%.1f\t%zu\t%zu\n", dist, prec, rec, exact, after);
	}
	free(g);
}

int main(int argc, char **argv)
{
	int gap = 180, dist = 18, runs = 5;
	bool sweep = false, timing = false;
	int a = 1;
	for (; a < argc && argv[a][0] == '-'; a++) {
		if (!strcmp(argv[a], "--gap") && a + 1 < argc)
			gap = atoi(argv[++a]);
		else if (!strcmp(argv[a], "--distance") && a + 1 < argc)
			dist = atoi(argv[++a]);
		else if (!strcmp(argv[a], "--runs") && a + 1 < argc)
			runs = atoi(argv[++a]);
		else if (!strcmp(argv[a], "--sweep"))
			sweep = true;
		else if (!strcmp(argv[a], "--time"))
			timing = true;
		else
			break;
	}
	if (a >= argc) {
		fprintf(stderr,
			"usage: %s [--gap S] [--distance D] [--sweep] TRUTH.tsv\n"
			"       %s --time [--runs N] PHOTO...\n",
			argv[0], argv[0]);
		return 2;
	}
	if (timing)
		return time_photos(argv + a, argc - a, runs < 1 ? 1 : runs);
	FILE *f = fopen(argv[a], "r");
	if (!f) {
		perror(argv[a]);
		return 1;
	}
	row *rows = NULL;
	size_t n = 0, cap = 0;
	char *line = NULL;
	size_t lcap = 0;
	bool header = true;
	while (getline(&line, &lcap, f) > 0) {
		line[strcspn(line, "\r\n")] = '\0';
		if (header) {
			header = false;
			continue;
		}
		char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
		if (!t2)
			continue;
		*t1 = *t2 = '\0';
		if (n == cap)
			rows = realloc(rows, sizeof *rows * (cap = cap ? cap * 2 : 256));
		rows[n++] = (row){ xstrdup(line), xstrdup(t1 + 1), xstrdup(t2 + 1) };
	}
	free(line);
	fclose(f);
	series_photo *ph = calloc(n, sizeof *ph);
	double t0 = now_ms();
	for (size_t i = 0; i < n; i++) {
		sb_err e;
		ph[i].cesta = rows[i].path;
		ph[i].has_t = series_time_of(rows[i].datum, rows[i].path, &ph[i].t);
		ph[i].has_hash = series_hash_file(rows[i].path, &ph[i].hash, &e) == 0;
		if (!ph[i].has_t || !ph[i].has_hash)
			fprintf(stderr, "%s: no %s\n", rows[i].path, ph[i].has_t ? "hash" : "time");
	}
	double t1 = now_ms();
	printf("hashed %zu photos in %.0f ms (read, 1/8 decode, hash)\n", n, t1 - t0);
	if (sweep) {
		printf("distance\tprecision\trecall\texact\tdescriptions\n");
		for (int d = 0; d <= 24; d += 2)
			score(rows, ph, n, gap, d, false);
	} else {
		printf("gap %d s, distance %d\n", gap, dist);
		score(rows, ph, n, gap, dist, true);
	}
	for (size_t i = 0; i < n; i++) {
		free(rows[i].path);
		free(rows[i].datum);
		free(rows[i].truth);
	}
	free(rows);
	free(ph);
	return 0;
}
