/* ptyread.h: reading a program's terminal output in the benchmarks that
 * drive the real TUI in a pseudo-terminal (bench_keys, bench_firstscreen). */
#ifndef SB_BENCH_PTYREAD_H
#define SB_BENCH_PTYREAD_H

#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* Read pty output until needle shows up or the deadline passes; a match
 * straddling two reads is found through the kept tail. */
static inline bool read_until(int fd, const char *needle, double deadline, FILE *log)
{
	static char tail[256];
	static size_t ntail;
	size_t nl = strlen(needle);
	for (;;) {
		double left = deadline - now_mono();
		if (left <= 0)
			return false;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, (int)(left * 1000) + 1);
		if (r <= 0)
			continue;
		char buf[65536 + 256];
		memcpy(buf, tail, ntail);
		ssize_t n = read(fd, buf + ntail, 65536);
		if (n <= 0)
			return false;
		if (log)
			fwrite(buf + ntail, 1, (size_t)n, log);
		size_t tot = ntail + (size_t)n;
		bool hit = memmem(buf, tot, needle, nl) != NULL;
		ntail = tot < nl ? tot : nl - 1;
		memcpy(tail, buf + tot - ntail, ntail);
		if (hit) {
			ntail = 0;
			return true;
		}
	}
}

#endif
