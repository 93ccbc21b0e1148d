/* i18n.c: locale and text domain. */
#include "config.h"
#include "i18n.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *uninstalled_dir(void)
{
	static char dir[PATH_MAX];
	static int done;
	if (!done) {
		done = 1;
		ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
		dir[n > 0 ? n : 0] = 0;
		char *slash = strrchr(dir, '/');
		if (slash)
			*(slash == dir ? slash + 1 : slash) = 0;
		else
			dir[0] = 0;
		char bin[PATH_MAX];
		if (dir[0] &&
		    (!strcmp(dir, BINDIR) || (realpath(BINDIR, bin) && !strcmp(dir, bin))))
			dir[0] = 0;
	}
	return dir[0] ? dir : NULL;
}

const char *uninstalled_subdir(const char *sub, char *buf, size_t n)
{
	const char *dir = uninstalled_dir();
	struct stat st;
	if (!dir || (size_t)snprintf(buf, n, "%s/%s", dir, sub) >= n)
		return NULL;
	return stat(buf, &st) == 0 && S_ISDIR(st.st_mode) ? buf : NULL;
}

void i18n_init(void)
{
	setlocale(LC_ALL, "");
	/* Numbers stay C: config values, prices, JSON and HTTP headers use a dot (cs_CZ has a comma). */
	setlocale(LC_NUMERIC, "C");
	static char built[PATH_MAX];
	const char *dir = getenv("STOCKBATCH_LOCALEDIR");
	if (!dir || !*dir)
		dir = uninstalled_subdir("locale", built, sizeof built);
	bindtextdomain(PACKAGE, dir ? dir : LOCALEDIR);
	bind_textdomain_codeset(PACKAGE, "UTF-8");
	textdomain(PACKAGE);
}
