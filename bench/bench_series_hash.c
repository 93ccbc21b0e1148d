/* bench_series_hash.c: what the series hash costs on top of the decode the
 * preview does anyway (tui/preview.c): the file decoded as the editor pane
 * needs it (preview_decode: the DCT scale for the pane, or the embedded
 * preview), then what the previewer's thread adds to it for the series
 * (series_cache_put_image: the hash of that decode, the EXIF time from the
 * same bytes and the file's size and mtime for the cache key).
 *
 *   bench/bench_series_hash [--size 80x40] [--runs 7] PHOTO...
 *
 * One line per photo (medians; "bits off": how far that hash is from the
 * hash of the 1/8 decode that plan and import make) and the median over
 * the photos. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imageprep.h"
#include "median.h"
#include "preview.h"
#include "series.h"

int main(int argc, char **argv)
{
	int w = 80, h = 40, runs = 7, i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--size") && i + 1 < argc)
			sscanf(argv[++i], "%dx%d", &w, &h);
		else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			runs = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: %s [--size WxH] [--runs N] PHOTO...\n", argv[0]);
			return 2;
		}
	}
	int n = argc - i;
	if (n < 1 || runs < 1) {
		fprintf(stderr, "usage: %s [--size WxH] [--runs N] PHOTO...\n", argv[0]);
		return 2;
	}
	char dir[] = "/tmp/sb_bench_hash_XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	series_cache *hc = series_cache_open(dir); /* never saved */
	double *dec = calloc((size_t)runs, sizeof *dec), *hsh = calloc((size_t)runs, sizeof *hsh);
	double *mdec = calloc((size_t)n, sizeof *mdec), *mhsh = calloc((size_t)n, sizeof *mhsh);
	printf("%-24s %11s %12s %12s %9s  %s\n", "photo", "pixels", "decode ms", "hash ms",
	       "bits off", "decoded at");
	for (int k = 0; k < n; k++) {
		const char *path = argv[i + k];
		int dw = 0, dh = 0, off = -1;
		bool emb = false;
		for (int r = 0; r < runs; r++) {
			image_rgb im = { 0 };
			char *data = NULL;
			size_t len = 0;
			sb_err e;
			double t0 = now_mono();
			if (preview_decode(path, w, h, PV_SYMBOLS, &im, &emb, &data, &len, &e) < 0) {
				fprintf(stderr, "%s: %s\n", path, e.msg);
				return 1;
			}
			double t1 = now_mono();
			series_facts f;
			if (series_cache_put_image(hc, path, &im, (const unsigned char *)data, len,
						   &f) < 0) {
				fprintf(stderr, "%s: cannot look at the file\n", path);
				return 1;
			}
			double t2 = now_mono();
			dec[r] = (t1 - t0) * 1e3;
			hsh[r] = (t2 - t1) * 1e3;
			dw = im.w;
			dh = im.h;
			uint64_t h8;
			if (r == 0 && data &&
			    series_hash_jpeg((const unsigned char *)data, len, &h8, &e) == 0)
				off = series_distance(h8, f.hash);
			image_free(&im);
			free(data);
		}
		int fw = 0, fh = 0;
		sb_err e;
		image_file_size(path, &fw, &fh, &e);
		mdec[k] = median(dec, runs);
		mhsh[k] = median(hsh, runs);
		char px[32], at[64];
		snprintf(px, sizeof px, "%dx%d", fw, fh);
		snprintf(at, sizeof at, "%dx%d%s", dw, dh, emb ? " (embedded preview)" : "");
		printf("%-24.24s %11s %12.2f %12.3f %9d  %s\n", path_basename(path), px, mdec[k],
		       mhsh[k], off, at);
		fflush(stdout);
	}
	printf("\nmedian over %d photos (%d runs each), pane %dx%d cells, symbols:\n", n, runs, w, h);
	printf("  the preview's decode  %9.2f ms\n", median(mdec, n));
	printf("  the hash on top of it %9.3f ms\n", median(mhsh, n));
	series_cache_free(hc);
	rmdir(dir);
	free(dec);
	free(hsh);
	free(mdec);
	free(mhsh);
	return 0;
}
