/* tsv.c: the import TSV format (see tsv.h). */
#include "config.h"

#include "tsv.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
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

struct tsv_reader {
	const char *data;
	size_t len, pos; /* pos: the start of the next line */
	long line;       /* lines consumed */
	char **cells;    /* the last record's cells */
	size_t ncells;
	char *text; /* the record's text (the fallback splits it) */
};

tsv_reader *tsv_open(const char *data, size_t len)
{
	tsv_reader *r = xcalloc(1, sizeof *r);
	r->data = data;
	r->len = strnlen(data, len);
	if (r->len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
		r->pos = 3;
	return r;
}

static void drop_record(tsv_reader *r)
{
	for (size_t i = 0; i < r->ncells; i++)
		free(r->cells[i]);
	free(r->cells);
	r->cells = NULL;
	r->ncells = 0;
	free(r->text);
	r->text = NULL;
}

void tsv_close(tsv_reader *r)
{
	if (!r)
		return;
	drop_record(r);
	free(r);
}

/* The line starting at pos: its length without and with the '\n'. */
static size_t line_at(const tsv_reader *r, size_t pos, size_t *with_nl)
{
	const char *nl = memchr(r->data + pos, '\n', r->len - pos);
	size_t n = nl ? (size_t)(nl - (r->data + pos)) : r->len - pos;
	*with_nl = nl ? n + 1 : n;
	return n;
}

typedef struct parse_ctx {
	tsv_reader *r;
	int rows; /* records ended (cb2) */
} parse_ctx;

static void on_cell(void *s, size_t n, void *arg)
{
	parse_ctx *p = arg;
	tsv_reader *r = p->r;
	if (p->rows)
		return; /* a second record on the line: not used (see below) */
	r->cells = xrealloc(r->cells, (r->ncells + 1) * sizeof *r->cells);
	r->cells[r->ncells++] = s ? xstrndup(s, n) : xstrdup("");
}

static void on_row(int c, void *arg)
{
	(void)c;
	((parse_ctx *)arg)->rows++;
}

/* libcsv, strict, from pos over as many lines as the record spans.
 * Returns the bytes it took (the record's lines), or 0 when the text is not
 * valid quoting, or holds two records on one line (a lone CR). */
static size_t parse_strict(tsv_reader *r, size_t pos, long *lines)
{
	struct csv_parser p;
	csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
	csv_set_delim(&p, '\t');
	parse_ctx ctx = { .r = r };
	size_t at = pos, took = 0;
	*lines = 0;
	while (at < r->len) {
		size_t with_nl;
		line_at(r, at, &with_nl);
		(*lines)++;
		if (csv_parse(&p, r->data + at, with_nl, on_cell, on_row, &ctx) != with_nl)
			break;
		at += with_nl;
		if (ctx.rows) {
			took = at - pos;
			break;
		}
	}
	if (!ctx.rows && at >= r->len && csv_fini(&p, on_cell, on_row, &ctx) == 0 && ctx.rows)
		took = at - pos;
	csv_free(&p);
	if (ctx.rows != 1)
		took = 0;
	return took;
}

/* Cells 2.. joined by TABs: the description, as the split at the first TAB
 * always read it (trailing empty cells trimmed away). */
static char *join_desc(tsv_reader *r)
{
	size_t n = 0;
	for (size_t i = 1; i < r->ncells; i++)
		n += strlen(r->cells[i]) + 1;
	char *d = xmalloc(n + 1), *w = d;
	for (size_t i = 1; i < r->ncells; i++) {
		if (i > 1)
			*w++ = '\t';
		size_t l = strlen(r->cells[i]);
		memcpy(w, r->cells[i], l);
		w += l;
	}
	*w = '\0';
	return d;
}

/* The record from its cells (libcsv) or its one line (the old split). */
static void fill_record(tsv_reader *r, bool parsed, tsv_record *rec)
{
	char *path, *desc;
	if (!parsed) {
		rec->kind = tsv_split_line(r->text, &path, &desc) > 0 ? TSV_ROW : TSV_NO_TAB;
		if (rec->kind == TSV_ROW) {
			rec->path = path;
			rec->desc = desc;
		}
		return;
	}
	if (r->ncells < 2) {
		rec->kind = TSV_NO_TAB;
		return;
	}
	free(r->text);
	r->text = r->ncells == 5 ? xstrdup(r->cells[1]) : join_desc(r);
	rec->kind = TSV_ROW;
	rec->path = trim(r->cells[0]);
	rec->desc = trim(r->text);
	if (r->ncells == 5) {
		rec->city = trim(r->cells[2]);
		rec->country = trim(r->cells[3]);
		rec->date = trim(r->cells[4]);
	}
}

int tsv_next(tsv_reader *r, tsv_record *rec)
{
	drop_record(r);
	memset(rec, 0, sizeof *rec);
	while (r->pos < r->len) {
		size_t with_nl, n = line_at(r, r->pos, &with_nl);
		long first = r->line + 1;
		r->text = xstrndup(r->data + r->pos, n);
		char *t = trim(r->text);
		size_t bad;
		if (!*t || *t == '#') { /* blank or a comment: its UTF-8 still checked */
			r->pos += with_nl;
			r->line++;
			if (utf8_valid(r->text, n, &bad)) {
				drop_record(r);
				continue;
			}
			rec->kind = TSV_BAD_UTF8;
			rec->line = rec->last_line = first;
			rec->bad_byte = bad + 1;
			return 1;
		}
		long lines = 1;
		size_t took = parse_strict(r, r->pos, &lines);
		bool parsed = took > 0;
		if (!parsed) {
			took = with_nl;
			lines = 1;
			drop_record(r);
			r->text = xstrndup(r->data + r->pos, n);
		}
		rec->line = first;
		rec->last_line = first + lines - 1;
		size_t span = took;
		if (span && r->data[r->pos + span - 1] == '\n')
			span--;
		bool ok = utf8_valid(r->data + r->pos, span, &bad);
		r->pos += took;
		r->line += lines;
		if (!ok) {
			rec->kind = TSV_BAD_UTF8;
			rec->bad_byte = bad + 1;
			return 1;
		}
		fill_record(r, parsed, rec);
		return 1;
	}
	return 0;
}
