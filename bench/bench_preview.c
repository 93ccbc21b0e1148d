/* bench_preview.c: from the "next photo" key to its preview in the editor
 * pane, as the TUI does it (tui/preview.c: prefetch thread, DCT-scaled
 * decode or the embedded EXIF/MPF preview, chafa canvas to cells), side by
 * side with the anchor `chafa -s WxH --format symbols PHOTO` on the same
 * file and size; and the cold path (no prefetch: decode + canvas on the key).
 *
 *   bench/bench_preview [--size 80x40] [--runs 5] [--chafa /usr/bin/chafa] PHOTO...
 *
 * Prints one line per photo and the medians; ratios are what to report. */
#include "config.h"

#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include "median.h"
#include "preview.h"

extern char **environ;

static double run_chafa(const char *chafa, const char *size, const char *photo)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	char *argv[] = { (char *)chafa, "-s", (char *)size, "--format", "symbols", (char *)photo, NULL };
	double t0 = now_mono();
	pid_t pid;
	if (posix_spawn(&pid, chafa, &fa, NULL, argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	int st;
	waitpid(pid, &st, 0);
	posix_spawn_file_actions_destroy(&fa);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return -1;
	return now_mono() - t0;
}

/* Wait for the previewer to hand over path's render; returns it. */
static const preview_img *wait_for(previewer *pv, const char *path, int w, int h)
{
	const preview_img *p;
	while (!(p = previewer_get(pv, path, w, h))) {
		struct pollfd fd = { .fd = previewer_fd(pv), .events = POLLIN };
		poll(&fd, 1, 1000);
	}
	return p;
}

int main(int argc, char **argv)
{
	int w = 80, h = 40, runs = 5;
	const char *chafa = "/usr/bin/chafa";
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--size") && i + 1 < argc)
			sscanf(argv[++i], "%dx%d", &w, &h);
		else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			runs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--chafa") && i + 1 < argc)
			chafa = argv[++i];
		else {
			fprintf(stderr, "usage: %s [--size WxH] [--runs N] [--chafa PATH] PHOTO...\n", argv[0]);
			return 2;
		}
	}
	int n = argc - i;
	if (n < 2 || runs < 1) {
		fprintf(stderr, "%s: give at least two photos (the next one is prefetched)\n", argv[0]);
		return 2;
	}
	char **photos = argv + i;
	char size[32];
	snprintf(size, sizeof size, "%dx%d", w, h);
	double *anchor = calloc((size_t)n, sizeof *anchor), *cold = calloc((size_t)n, sizeof *cold),
	       *next = calloc((size_t)n, sizeof *next), *tmp = calloc((size_t)runs, sizeof *tmp);
	int embedded = 0;

	printf("%-28s %10s %10s %10s  %s\n", "photo", "chafa ms", "cold ms", "next ms", "source");
	/* The product: photo k is on screen, k+1 renders in the prefetch thread
	 * while the user types; the key then finds it ready. */
	previewer *pv = previewer_new(PV_SYMBOLS, PV_256);
	wait_for(pv, photos[0], w, h);
	for (int k = 0; k < n; k++) {
		for (int r = 0; r < runs; r++)
			tmp[r] = run_chafa(chafa, size, photos[k]);
		anchor[k] = median(tmp, runs);
		bool emb = false;
		for (int r = 0; r < runs; r++) {
			double t0 = now_mono();
			preview_img *p = preview_render(photos[k], w, h, PV_SYMBOLS, PV_256);
			tmp[r] = now_mono() - t0;
			emb = p->from_embedded;
			if (!p->cells) {
				fprintf(stderr, "%s: %s\n", photos[k], p->err);
				return 1;
			}
			preview_img_free(p);
		}
		cold[k] = median(tmp, runs);
		embedded += emb;
		/* next-photo key: k-1 shown, k prefetched during "typing" */
		if (k > 0) {
			previewer_prefetch(pv, photos[k], w, h);
			/* the typing: a 50-character description takes seconds */
			while (!previewer_collect(pv)) {
				struct pollfd fd = { .fd = previewer_fd(pv), .events = POLLIN };
				poll(&fd, 1, 1000);
			}
			double t0 = now_mono();
			const preview_img *p = wait_for(pv, photos[k], w, h);
			/* ... and the cells the pane draws from are there */
			volatile unsigned sink = 0;
			for (int c = 0; c < p->w * p->h; c++)
				sink += p->cells[c].ch;
			next[k] = now_mono() - t0;
		} else
			next[k] = -1;
		char nx[32] = "-";
		if (k)
			snprintf(nx, sizeof nx, "%.4f", next[k] * 1e3);
		printf("%-28.28s %10.2f %10.2f %10s  %s\n", path_basename(photos[k]), anchor[k] * 1e3,
		       cold[k] * 1e3, nx, emb ? "embedded preview" : "scaled decode");
		fflush(stdout);
	}
	previewer_free(pv);
	double ma = median(anchor, n), mc = median(cold, n), mn = median(next + 1, n - 1);
	printf("\nmedian over %d photos (%d runs each), %s cells, symbols, 256 colours:\n", n, runs, size);
	printf("  chafa command      %8.2f ms\n", ma * 1e3);
	printf("  cold (no prefetch) %8.2f ms   %6.1fx faster than chafa\n", mc * 1e3, ma / mc);
	printf("  next-photo key     %8.4f ms   %6.0fx faster than chafa (prefetched)\n", mn * 1e3,
	       ma / mn);
	printf("  photos whose embedded preview was used: %d of %d\n", embedded, n);
	free(anchor);
	free(cold);
	free(next);
	free(tmp);
	return 0;
}
