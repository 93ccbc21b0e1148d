/* ptyread.h: starting the real TUI in a pseudo-terminal, reading its
 * output and quitting it, for the benchmarks that drive it (bench_keys,
 * bench_firstscreen, bench_view). */
#ifndef SB_BENCH_PTYREAD_H
#define SB_BENCH_PTYREAD_H

#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
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

/* bin --config conf in a rows x cols pseudo-terminal (TERM xterm-256color;
 * LD_PRELOAD=preload unless NULL): its pid, the terminal in *fd.  Exits
 * with status 1 when no terminal can be had. */
static inline pid_t pty_start(const char *bin, const char *conf, int rows, int cols,
			      const char *preload, int *fd)
{
	struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };
	pid_t pid = forkpty(fd, NULL, NULL, &ws);
	if (pid < 0) {
		perror("forkpty");
		exit(1);
	}
	if (pid == 0) {
		setenv("TERM", "xterm-256color", 1);
		if (preload)
			setenv("LD_PRELOAD", preload, 1);
		execl(bin, bin, "--config", conf, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* Quit it with Ctrl+Q, reading what it writes meanwhile (into log unless
 * NULL); killed when it has not ended in 60 s.  Its wait status. */
static inline int pty_quit(int fd, pid_t pid, FILE *log)
{
	if (write(fd, "\x11", 1) < 0) { /* Ctrl+Q */
	}
	double dl = now_mono() + 60;
	int st = 0;
	while (waitpid(pid, &st, WNOHANG) == 0) {
		if (now_mono() > dl) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			break;
		}
		read_until(fd, "\x01\x02never", now_mono() + 0.1, log);
	}
	return st;
}

#endif
