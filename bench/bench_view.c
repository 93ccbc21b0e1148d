/* bench_view.c: time from a key to a view on screen (issue: the photo list
 * opens in under 100 ms on a 100,000-row library).  Runs stockbatch in a
 * pseudo-terminal, waits for its first screen (READY) and SETTLE seconds
 * more (the background scan of the library ends), types PREP (e.g. Tab, to
 * the batch view), then RUNS times: types KEY and times until the output
 * carries NEEDLE, types CLOSE and waits until it carries BACK.
 *
 *   bench/bench_view [--runs R] [--size COLSxLINES] [--settle S] [--ready TEXT]
 *                    [--prep KEYS] [--key KEY] [--needle TEXT] [--close KEY]
 *                    [--back TEXT] STOCKBATCH_BIN CONFIG
 *
 * The defaults time the photo list: Tab, then o until "Photos: ", q until
 * the panes are back.  Prints each run, the median and the maximum. */
#include "config.h"

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

static void type(int fd, const char *keys)
{
	if (write(fd, keys, strlen(keys)) < 0) {
		perror("write");
		exit(1);
	}
}

/* What the program prints for SECONDS, read and dropped. */
static void drain(int fd, double seconds)
{
	read_until(fd, "\x01\x02never", now_mono() + seconds, NULL);
}

int main(int argc, char **argv)
{
	int runs = 20, cols = 100, lines = 30;
	double settle = 5;
	const char *ready = "photo 1/", *prep = "\t", *key = "o", *needle = "Photos: ",
		   *close_key = "q", *back = "Collecting descriptions";
	int i = 1;
	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		const char *o = argv[i], *v = argv[i + 1];
		if (!strcmp(o, "--runs"))
			runs = atoi(v);
		else if (!strcmp(o, "--size") && sscanf(v, "%dx%d", &cols, &lines) == 2) {
		} else if (!strcmp(o, "--settle"))
			settle = atof(v);
		else if (!strcmp(o, "--ready"))
			ready = v;
		else if (!strcmp(o, "--prep"))
			prep = v;
		else if (!strcmp(o, "--key"))
			key = v;
		else if (!strcmp(o, "--needle"))
			needle = v;
		else if (!strcmp(o, "--close"))
			close_key = v;
		else if (!strcmp(o, "--back"))
			back = v;
		else
			break;
	}
	if (argc - i != 2 || runs < 1) {
		fprintf(stderr,
			"usage: %s [--runs R] [--size COLSxLINES] [--settle S] [--ready TEXT] "
			"[--prep KEYS] [--key KEY] [--needle TEXT] [--close KEY] [--back TEXT] "
			"STOCKBATCH_BIN CONFIG\n",
			argv[0]);
		return 2;
	}
	int fd;
	pid_t pid = pty_start(argv[i], argv[i + 1], lines, cols, NULL, &fd);
	int rc = 0;
	double *t = calloc((size_t)runs, sizeof *t);
	int got = 0;
	if (!read_until(fd, ready, now_mono() + 600, NULL)) {
		fprintf(stderr, "no first screen (%s)\n", ready);
		rc = 1;
		goto out;
	}
	drain(fd, settle);
	type(fd, prep);
	drain(fd, 0.5);
	for (int r = 0; r < runs; r++) {
		double t0 = now_mono();
		type(fd, key);
		bool seen = read_until(fd, needle, t0 + 60, NULL);
		double s = now_mono() - t0;
		printf("run %d: %s%.1f ms\n", r + 1, seen ? "" : "no view after ", s * 1000);
		fflush(stdout);
		if (seen)
			t[got++] = s;
		drain(fd, 0.2); /* the rest of the view's screen */
		type(fd, close_key);
		if (!read_until(fd, back, now_mono() + 60, NULL)) {
			fprintf(stderr, "the view did not close (%s)\n", back);
			rc = 1;
			break;
		}
		drain(fd, 0.2);
	}
	if (got) {
		qsort(t, (size_t)got, sizeof *t, cmp_d);
		printf("key to view: median %.1f ms (min %.1f, max %.1f) over %d runs\n",
		       t[got / 2] * 1000, t[0] * 1000, t[got - 1] * 1000, got);
	} else
		rc = 1;
out:
	pty_quit(fd, pid, NULL);
	close(fd);
	free(t);
	return rc;
}
