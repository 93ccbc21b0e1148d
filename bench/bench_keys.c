/* bench_keys.c: keystroke-to-screen latency of the real TUI while its
 * worker is busy (SPEC 12: "a keystroke is on screen within one frame").
 * Runs stockbatch in a pseudo-terminal, types a character every interval
 * and times how long until the terminal output carries it back.
 *
 *   bench/bench_keys [--keys N] [--every MS] STOCKBATCH_BIN CONFIG
 *   bench/bench_keys --save N STOCKBATCH_BIN CONFIG
 *
 * bench/run_keys.sh prepares a library with a large ready batch, so the
 * worker sends, polls, downloads and commits while we type.  With --save,
 * N photos are described one after another instead: for each, the time
 * from Ctrl+E to the editorial dialog on screen (Esc closes it) and from
 * Ctrl+S to "Saved" on screen (bench/run_save_keys.sh: a library on a slow
 * share). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ptyread.h"
#include "util.h"

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Let what the last key started (a preview) land. */
static void settle(int fd, double s, FILE *log)
{
	read_until(fd, "\x01\x02never", now_mono() + s, log);
}

/* The time from writing key until needle is on the terminal, or -1. */
static double timed(int fd, const char *key, const char *needle, FILE *log)
{
	double t0 = now_mono();
	if (write(fd, key, strlen(key)) < 0)
		return -1;
	return read_until(fd, needle, t0 + 30.0, log) ? now_mono() - t0 : -1;
}

static void report(const char *what, double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_d);
	printf("%s: %d, median %.1f ms, min %.1f ms, max %.1f ms\n", what, n, v[n / 2] * 1e3,
	       v[0] * 1e3, v[n - 1] * 1e3);
}

/* --save: describe n photos; the editorial dialog's and the save's times. */
static int saves(int fd, int n, FILE *log)
{
	double *dlg = calloc((size_t)n, sizeof *dlg), *sav = calloc((size_t)n, sizeof *sav);
	int got = 0;
	for (int k = 0; k < n; k++) {
		settle(fd, 1.5, log); /* the photo's preview (and hash) made */
		const char *text = "Smrkový les v ranní mlze na úbočí kopce, světlo mezi kmeny.";
		if (write(fd, text, strlen(text)) < 0 || !read_until(fd, "kmeny.", now_mono() + 10, log))
			break;
		dlg[got] = timed(fd, "\x05", "YYYY):", log); /* Ctrl+E */
		settle(fd, 0.3, log);
		if (write(fd, "\x1b", 1) < 0) /* Esc: no editorial */
			break;
		settle(fd, 0.3, log);
		sav[got] = timed(fd, "\x13", "Saved", log); /* Ctrl+S */
		if (dlg[got] < 0 || sav[got] < 0)
			break;
		got++;
	}
	if (got) {
		report("editorial dialog on screen after Ctrl+E", dlg, got);
		report("\"Saved\" on screen after Ctrl+S", sav, got);
	}
	free(dlg);
	free(sav);
	return got == n ? 0 : 1;
}

int main(int argc, char **argv)
{
	int nkeys = 300, every_ms = 30, nsave = 0;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--keys") && i + 1 < argc)
			nkeys = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--every") && i + 1 < argc)
			every_ms = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--save") && i + 1 < argc)
			nsave = atoi(argv[++i]);
	}
	if (argc - i != 2 || nkeys < 1) {
		fprintf(stderr,
			"usage: %s [--keys N] [--every MS] [--save N] STOCKBATCH_BIN CONFIG\n",
			argv[0]);
		return 2;
	}
	const char *bin = argv[i], *conf = argv[i + 1];
	int fd;
	unsetenv("NO_COLOR"); /* the colours the terminal has */
	pid_t pid = pty_start(bin, conf, 30, 100, NULL, &fd);
	FILE *log = getenv("BENCH_KEYS_LOG") ? fopen(getenv("BENCH_KEYS_LOG"), "w") : NULL;
	if (!read_until(fd, "characters minimum", now_mono() + 60, log)) {
		fprintf(stderr, "the TUI did not come up\n");
		kill(pid, SIGTERM);
		return 1;
	}
	if (nsave > 0) {
		int rc = saves(fd, nsave, log);
		pty_quit(fd, pid, log);
		if (rc)
			fprintf(stderr, "a key did not reach the screen in 30 s\n");
		return rc;
	}
	/* Let the first preview land, then type 'ů' (in no path or message). */
	settle(fd, 1.0, log);
	double *lat = calloc((size_t)nkeys, sizeof *lat);
	int got = 0, lost = 0;
	double start = now_mono();
	for (int k = 0; k < nkeys; k++) {
		const char *key = "ů";
		double t0 = now_mono();
		if (write(fd, key, strlen(key)) < 0)
			break;
		if (read_until(fd, key, t0 + 2.0, log))
			lat[got++] = now_mono() - t0;
		else
			lost++;
		/* every 40 keys, erase them again so the editor stays small */
		if (k % 40 == 39) {
			for (int b = 0; b < 40; b++)
				if (write(fd, "\x7f", 1) < 0)
					break;
			read_until(fd, "\x01\x02never", now_mono() + 0.2, log);
		}
		double next = t0 + every_ms / 1000.0;
		while (now_mono() < next)
			read_until(fd, "\x01\x02never", next, log);
	}
	double span = now_mono() - start;
	pty_quit(fd, pid, log);
	if (log)
		fclose(log);
	qsort(lat, (size_t)got, sizeof *lat, cmp_d);
	if (!got) {
		fprintf(stderr, "no keystroke came back\n");
		return 1;
	}
	double p50 = lat[got / 2], p95 = lat[(int)(got * 0.95)], mx = lat[got - 1];
	int within = 0;
	for (int k = 0; k < got; k++)
		within += lat[k] <= 1.0 / 60;
	printf("keystrokes: %d typed over %.1f s, %d echoed, %d lost\n", nkeys, span, got, lost);
	printf("latency: median %.2f ms, p95 %.2f ms, max %.2f ms; %d of %d (%.1f%%) within one "
	       "60 Hz frame (16.7 ms)\n",
	       p50 * 1e3, p95 * 1e3, mx * 1e3, within, got, 100.0 * within / got);
	free(lat);
	return 0;
}
