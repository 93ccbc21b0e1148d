/* swapsave.c: an LD_PRELOAD shim for tests/csv_swap.sh.  It puts another
 * program's save of the CSV in the last instant of a commit: right before
 * each of the first SWAPSAVE_COUNT (default 1) renameat2(RENAME_EXCHANGE)
 * calls whose target is SWAPSAVE_FILE, it appends "s<k>." to the field
 * starting with "MARKS:" in that file, saved the way SWAPSAVE_MODE says:
 * "rename" (a new file renamed over it) or "inplace" (truncated and
 * rewritten).  Then the real call runs.
 *
 *   make tests/swapsave.so
 *   SWAPSAVE_FILE=PhotoMedia.csv SWAPSAVE_MODE=inplace LD_PRELOAD=tests/swapsave.so PROGRAM */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int saves;

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0, r;
	char *b = malloc(cap);
	while (b && (r = fread(b + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap)
			b = realloc(b, cap *= 2);
	}
	fclose(f);
	*len = n;
	return b;
}

static void save(const char *path, const char *mode)
{
	size_t len;
	char *d = slurp(path, &len);
	char *m = d ? memmem(d, len, "MARKS:", 6) : NULL;
	if (!m) {
		free(d);
		return;
	}
	size_t at = (size_t)(m - d) + strcspn(m, ",\r\n");
	char tok[32];
	int tl = snprintf(tok, sizeof tok, "s%d.", ++saves);
	char *tmp = NULL;
	if (strcmp(mode, "inplace") != 0 && asprintf(&tmp, "%s.sheet~", path) < 0)
		tmp = NULL;
	FILE *f = fopen(tmp ? tmp : path, "wb");
	if (f) {
		fwrite(d, 1, at, f);
		fwrite(tok, 1, (size_t)tl, f);
		fwrite(d + at, 1, len - at, f);
		fclose(f);
		if (tmp)
			rename(tmp, path);
	}
	free(tmp);
	free(d);
}

int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
	      unsigned int flags)
{
	static int (*real)(int, const char *, int, const char *, unsigned int);
	if (!real)
		real = (int (*)(int, const char *, int, const char *, unsigned int))dlsym(
			RTLD_NEXT, "renameat2");
	const char *file = getenv("SWAPSAVE_FILE"), *count = getenv("SWAPSAVE_COUNT");
	const char *mode = getenv("SWAPSAVE_MODE");
	if ((flags & RENAME_EXCHANGE) && file && strcmp(newpath, file) == 0 &&
	    saves < (count ? atoi(count) : 1))
		save(file, mode ? mode : "rename");
	return real(olddirfd, oldpath, newdirfd, newpath, flags);
}
