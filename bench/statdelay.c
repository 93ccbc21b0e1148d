/* statdelay.c: an LD_PRELOAD shim that makes every file lookup a network
 * round trip, to measure the TUI's first screen on a library kept on an
 * SMB or NFS share.  Each stat, lstat, fstatat, statx, access, faccessat
 * and open of a path starting with STATDELAY_PREFIX (default: every path)
 * sleeps STATDELAY_MS milliseconds (default 5) first.
 *
 * STATDELAY_HOLD=FILE and STATDELAY_HOLD_NAME=NAME: a lookup of a path
 * ending in NAME (NAME*: whose file name starts with NAME, a temp file
 * beside it too) also waits for as long as FILE exists (a share that stalls
 * on one file until the caller says so; tests/tui_scan.sh keeps the count
 * of photos unfinished that way for as long as it needs, whatever the
 * machine's speed).  STATDELAY_HOLD_OPENS=1: only an open waits there (a
 * share that lists a photo but stalls reading it: tests/tui_share.sh).
 *
 *   make bench/statdelay.so
 *   STATDELAY_MS=5 STATDELAY_PREFIX=/srv/photos LD_PRELOAD=bench/statdelay.so PROGRAM
 *
 * glibc 2.33 and later export stat() and friends as functions of their
 * own, and call the kernel from inside without going through these names,
 * so each exported name is wrapped. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void sleep_ns(long ns)
{
	struct timespec ts = { ns / 1000000000L, ns % 1000000000L };
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* STATDELAY_HOLD_NAME: a path ending in NAME, or NAME* */
static bool held_name(const char *path, const char *name)
{
	size_t pl = strlen(path), nl = name ? strlen(name) : 0;
	if (nl > 1 && name[nl - 1] == '*') { /* a file name starting with NAME */
		const char *base = strrchr(path, '/');
		return strncmp(base ? base + 1 : path, name, nl - 1) == 0;
	}
	return nl && pl >= nl && strcmp(path + pl - nl, name) == 0;
}

/* STATDELAY_HOLD: wait while the hold file exists (looked up with the
 * kernel's faccessat, not through this shim's own wrappers) */
static void hold(const char *path)
{
	const char *file = getenv("STATDELAY_HOLD");
	if (!file || !*file || !held_name(path, getenv("STATDELAY_HOLD_NAME")))
		return;
	while (syscall(SYS_faccessat, AT_FDCWD, file, F_OK, 0) == 0)
		sleep_ns(10000000L);
}

static void delay_call(const char *path, bool is_open)
{
	static long ns = -1;
	static const char *prefix;
	if (ns < 0) {
		const char *ms = getenv("STATDELAY_MS");
		prefix = getenv("STATDELAY_PREFIX");
		ns = (long)((ms ? atof(ms) : 5.0) * 1e6);
	}
	if (!path || ns <= 0 || (prefix && strncmp(path, prefix, strlen(prefix)) != 0))
		return;
	sleep_ns(ns);
	const char *opens = getenv("STATDELAY_HOLD_OPENS");
	if (is_open || !opens || !*opens)
		hold(path);
}

static void delay(const char *path)
{
	delay_call(path, false);
}

static void delay_open(const char *path)
{
	delay_call(path, true);
}

/* the next definition of name (the C library's), looked up once */
#define REAL(name)                                                                 \
	static __typeof__(name) *real_##name;                                      \
	if (!real_##name)                                                          \
	real_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

int stat(const char *p, struct stat *st)
{
	REAL(stat);
	delay(p);
	return real_stat(p, st);
}

int stat64(const char *p, struct stat64 *st)
{
	REAL(stat64);
	delay(p);
	return real_stat64(p, st);
}

int lstat(const char *p, struct stat *st)
{
	REAL(lstat);
	delay(p);
	return real_lstat(p, st);
}

int lstat64(const char *p, struct stat64 *st)
{
	REAL(lstat64);
	delay(p);
	return real_lstat64(p, st);
}

int fstatat(int dirfd, const char *p, struct stat *st, int flags)
{
	REAL(fstatat);
	delay(p);
	return real_fstatat(dirfd, p, st, flags);
}

int fstatat64(int dirfd, const char *p, struct stat64 *st, int flags)
{
	REAL(fstatat64);
	delay(p);
	return real_fstatat64(dirfd, p, st, flags);
}

int statx(int dirfd, const char *p, int flags, unsigned mask, struct statx *st)
{
	REAL(statx);
	delay(p);
	return real_statx(dirfd, p, flags, mask, st);
}

int access(const char *p, int mode)
{
	REAL(access);
	delay(p);
	return real_access(p, mode);
}

int faccessat(int dirfd, const char *p, int mode, int flags)
{
	REAL(faccessat);
	delay(p);
	return real_faccessat(dirfd, p, mode, flags);
}

/* open's mode argument is there only with O_CREAT or O_TMPFILE */
static mode_t mode_arg(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char *p, int flags, ...)
{
	REAL(open);
	va_list ap;
	va_start(ap, flags);
	mode_t m = mode_arg(flags, ap);
	va_end(ap);
	delay_open(p);
	return real_open(p, flags, m);
}

int open64(const char *p, int flags, ...)
{
	REAL(open64);
	va_list ap;
	va_start(ap, flags);
	mode_t m = mode_arg(flags, ap);
	va_end(ap);
	delay_open(p);
	return real_open64(p, flags, m);
}

int openat(int dirfd, const char *p, int flags, ...)
{
	REAL(openat);
	va_list ap;
	va_start(ap, flags);
	mode_t m = mode_arg(flags, ap);
	va_end(ap);
	delay_open(p);
	return real_openat(dirfd, p, flags, m);
}

int openat64(int dirfd, const char *p, int flags, ...)
{
	REAL(openat64);
	va_list ap;
	va_start(ap, flags);
	mode_t m = mode_arg(flags, ap);
	va_end(ap);
	delay_open(p);
	return real_openat64(dirfd, p, flags, m);
}
