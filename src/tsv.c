/* tsv.c: the import TSV format (see tsv.h). */
#include "config.h"

#include "tsv.h"

#include <string.h>

#include "util.h"

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

/* A spreadsheet quotes a cell holding quotes: "a ""b"" c". */
static void unquote(char *s)
{
	size_t n = strlen(s);
	if (n < 2 || s[0] != '"' || s[n - 1] != '"')
		return;
	char *w = s;
	for (size_t i = 1; i < n - 1; i++) {
		if (s[i] == '"' && s[i + 1] == '"' && i + 1 < n - 1)
			i++;
		*w++ = s[i];
	}
	*w = '\0';
}

int tsv_split_line(char *line, char **path, char **desc)
{
	*path = *desc = NULL;
	size_t bad_off;
	if (!utf8_valid(line, strlen(line), &bad_off))
		return -2;
	char *t = trim(line);
	if (!*t || *t == '#')
		return 0;
	char *tab = strchr(t, '\t');
	if (!tab)
		return -1;
	*tab = '\0';
	*path = trim(t);
	*desc = trim(tab + 1);
	unquote(*path);
	unquote(*desc);
	return 1;
}
