/* bench_firstscreen.c: time from starting the TUI to its first photo on
 * screen (issue: a 100,000-row library, local or on a network share).
 * Runs stockbatch in a pseudo-terminal and times until the output carries
 * NEEDLE (default "photo 1/", the title's place in the list), then quits
 * with Ctrl+Q.  With --preload LIB the program runs under that LD_PRELOAD
 * (bench/statdelay.so: every file lookup a round trip).
 *
 *   bench/bench_firstscreen [--runs R] [--preload LIB] [--needle TEXT] STOCKBATCH_BIN CONFIG
 *
 * Prints each run and the median. */
#include "config.h"

#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ptyread.h"
#include "util.h"

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* One start: seconds until the needle, or -1. */
static double one_run(const char *bin, const char *conf, const char *preload, const char *needle)
{
	int fd;
	double t0 = now_mono();
	pid_t pid = pty_start(bin, conf, 30, 100, preload, &fd);
	double t = read_until(fd, needle, t0 + 600, NULL) ? now_mono() - t0 : -1;
	pty_quit(fd, pid, NULL);
	close(fd);
	return t;
}

int main(int argc, char **argv)
{
	int runs = 5;
	const char *preload = NULL, *needle = "photo 1/";
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			runs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--preload") && i + 1 < argc)
			preload = argv[++i];
		else if (!strcmp(argv[i], "--needle") && i + 1 < argc)
			needle = argv[++i];
	}
	if (argc - i != 2 || runs < 1) {
		fprintf(stderr,
			"usage: %s [--runs R] [--preload LIB] [--needle TEXT] STOCKBATCH_BIN "
			"CONFIG\n",
			argv[0]);
		return 2;
	}
	double *t = calloc((size_t)runs, sizeof *t);
	int got = 0;
	for (int r = 0; r < runs; r++) {
		double s = one_run(argv[i], argv[i + 1], preload, needle);
		printf("run %d: %s%.3f s\n", r + 1, s < 0 ? "no first screen after " : "", s < 0 ? 600.0 : s);
		fflush(stdout);
		if (s >= 0)
			t[got++] = s;
	}
	if (!got)
		return 1;
	qsort(t, (size_t)got, sizeof *t, cmp_d);
	printf("first screen: median %.3f s (min %.3f, max %.3f) over %d runs\n", t[got / 2], t[0],
	       t[got - 1], got);
	free(t);
	return 0;
}
