/* mediacsv.c: PhotoMedia.csv read and written as the existing tools do.
 * libcsv tokenizes; we feed it one physical line at a time so that every
 * record's raw bytes (body + terminator + blank lines) are known, and an
 * unchanged record is written back from those bytes, byte-identical. */
#include "config.h"
#include "mediacsv_int.h"

#include <csv.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"
#include "log.h"
#include "strmap.h"

/* ---------- parsing ---------- */

/* Large buffers (a 100,000-row file is ~40 MB): ask for huge pages, since
 * first-touch page faults otherwise cost as much as the parsing itself. */
static void *big_alloc(void *old, size_t n)
{
	void *p = xrealloc(old, n);
#ifdef MADV_HUGEPAGE
	if (n >= (4u << 20)) {
		uintptr_t a = ((uintptr_t)p + 4095) & ~(uintptr_t)4095;
		uintptr_t b = ((uintptr_t)p + n) & ~(uintptr_t)4095;
		if (b > a)
			madvise((void *)a, b - a, MADV_HUGEPAGE);
	}
#endif
	return p;
}

typedef struct parse_ctx {
	mediacsv *m;
	char *arena; /* field bytes, NUL-terminated each */
	size_t alen, acap;
	uint32_t *fo; /* offsets of the current record */
	size_t nf, fcap;
	uint32_t *offs; /* all records' offsets */
	size_t olen, ocap;
	bool header_done;
	bool lean;
	long keep;  /* lean: the one field kept per record (Cesta), -1 none */
	bool ended; /* a record ended in the last chunk */
	bool overflow;
} parse_ctx;

static int no_space(unsigned char c)
{
	(void)c;
	return 0;
}

static bool is_term(unsigned char c)
{
	return c == '\r' || c == '\n';
}

static void cb_field(void *s, size_t len, void *data)
{
	parse_ctx *c = data;
	if (c->lean && c->header_done && (long)c->nf != c->keep) {
		c->nf++; /* counted for the field-count check, not stored */
		return;
	}
	if (c->alen + len + 1 > UINT32_MAX) {
		c->overflow = true;
		return;
	}
	if (c->nf >= c->fcap) {
		while (c->nf >= c->fcap)
			c->fcap = c->fcap ? c->fcap * 2 : 64;
		c->fo = xrealloc(c->fo, c->fcap * sizeof *c->fo);
	}
	if (c->alen + len + 1 > c->acap) {
		while (c->alen + len + 1 > c->acap)
			c->acap = c->acap * 2 + 4096;
		c->arena = big_alloc(c->arena, c->acap);
	}
	c->fo[c->nf++] = (uint32_t)c->alen;
	if (len)
		memcpy(c->arena + c->alen, s, len);
	c->alen += len;
	c->arena[c->alen++] = '\0';
}

static void cb_record(int t, void *data)
{
	(void)t;
	parse_ctx *c = data;
	c->ended = true;
}

/* Line/column (1-based, column in characters) of byte offset off. */
static void locate(const char *d, size_t off, long *line, long *col)
{
	long ln = 1;
	size_t ls = 0, i0 = 0;
	if (off >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0)
		ls = i0 = 3; /* the BOM is not a column */
	for (size_t i = i0; i < off; i++) {
		if (d[i] == '\n' || (d[i] == '\r' && d[i + 1] != '\n')) {
			ln++;
			ls = i + 1;
		}
	}
	long cl = 1;
	for (size_t i = ls; i < off; i++)
		if (((unsigned char)d[i] & 0xC0) != 0x80)
			cl++;
	*line = ln;
	*col = cl;
}

static int input_error(sb_err *e, const mediacsv *m, size_t off, const char *what)
{
	long line, col;
	locate(m->data, off, &line, &col);
	return sb_fail(e, SBE_INPUT, "%s:%ld:%ld: %s", m->name, line, col, what);
}

/* Where the quote that never closes opened, scanning one record; *open
 * (may be NULL): whether a quoted field is still open at to. */
static size_t open_quote_at(const char *d, size_t from, size_t to, bool *open)
{
	bool field_start = true, inq = false;
	size_t at = from;
	for (size_t i = from; i < to; i++) {
		char ch = d[i];
		if (inq) {
			if (ch == '"') {
				if (i + 1 < to && d[i + 1] == '"')
					i++;
				else
					inq = false;
			}
			continue;
		}
		if (field_start && ch == '"') {
			inq = true;
			at = i;
		}
		field_start = ch == ',' || ch == '\r' || ch == '\n';
	}
	if (open)
		*open = inq;
	return at;
}

static void idx_build(mediacsv *m);

/* ---------- what went wrong, in words the user can act on ---------- */

/* Czech letters in Windows-1250 (where they are not valid UTF-8 alone). */
static const struct {
	unsigned char b;
	const char *u;
} cp1250_cz[] = {
	{ 0xE1, "á" }, { 0xE8, "č" }, { 0xEF, "ď" }, { 0xE9, "é" }, { 0xEC, "ě" }, { 0xED, "í" },
	{ 0xF2, "ň" }, { 0xF3, "ó" }, { 0xF8, "ř" }, { 0x9A, "š" }, { 0x9D, "ť" }, { 0xFA, "ú" },
	{ 0xF9, "ů" }, { 0xFD, "ý" }, { 0x9E, "ž" }, { 0xC1, "Á" }, { 0xC8, "Č" }, { 0xCF, "Ď" },
	{ 0xC9, "É" }, { 0xCC, "Ě" }, { 0xCD, "Í" }, { 0xD2, "Ň" }, { 0xD3, "Ó" }, { 0xD8, "Ř" },
	{ 0x8A, "Š" }, { 0x8D, "Ť" }, { 0xDA, "Ú" }, { 0xD9, "Ů" }, { 0xDD, "Ý" }, { 0x8E, "Ž" },
};

static const char *cp1250_letter(unsigned char b)
{
	for (size_t i = 0; i < sizeof cp1250_cz / sizeof *cp1250_cz; i++)
		if (cp1250_cz[i].b == b)
			return cp1250_cz[i].u;
	return NULL;
}

/* Not UTF-8: say which encoding it likely is and how to convert it. */
static int encoding_error(sb_err *e, const mediacsv *m, size_t bad)
{
	const unsigned char *d = (const unsigned char *)m->data;
	size_t czech = 0, other = 0;
	const char *example = NULL;
	for (size_t i = 0; i < m->len; i++)
		if (d[i] >= 0x80 && cp1250_letter(d[i])) {
			czech++;
			if (!example)
				example = cp1250_letter(d[i]);
		} else if (d[i] >= 0x80) {
			other++;
		}
	char *what;
	if (czech && czech >= 4 * other)
		what = xasprintf(_("not UTF-8: the file looks like Windows-1250 (\"%s\" in that "
				   "encoding); convert it with iconv -f WINDOWS-1250 -t UTF-8 '%s' "
				   ">'%s.utf8' && mv '%s.utf8' '%s', or save it as UTF-8 in your "
				   "spreadsheet"),
				 example, m->name, m->name, m->name, m->name);
	else
		what = xstrdup(
			_("invalid UTF-8; save the file as UTF-8 (with BOM) in your spreadsheet"));
	int r = input_error(e, m, bad, what);
	free(what);
	return r;
}

/* UTF-16 (a byte order mark, or a zero in every other byte of the text). */
static int utf16_error(sb_err *e, const mediacsv *m, const char *enc)
{
	char *what =
		xasprintf(_("the file is %s, not UTF-8; convert it with iconv -f %s -t UTF-8 "
			    "'%s' >'%s.utf8' && mv '%s.utf8' '%s', or save it as UTF-8 in your "
			    "spreadsheet"),
			  enc, enc, m->name, m->name, m->name, m->name);
	int r = input_error(e, m, 0, what);
	free(what);
	return r;
}

static const char *utf16_kind(const unsigned char *d, size_t len)
{
	if (len >= 2 && ((d[0] == 0xFF && d[1] == 0xFE) || (d[0] == 0xFE && d[1] == 0xFF)))
		return "UTF-16";
	if (len >= 4 && d[0] && !d[1] && d[2] && !d[3])
		return "UTF-16LE";
	if (len >= 4 && !d[0] && d[1] && !d[2] && d[3])
		return "UTF-16BE";
	return NULL;
}

/* The header line uses ';' and no ',' (Czech Excel's default). */
static bool semicolon_header(const char *d, size_t from, size_t len)
{
	size_t semi = 0, comma = 0;
	bool inq = false;
	for (size_t i = from; i < len && (inq || (d[i] != '\n' && d[i] != '\r')); i++) {
		if (d[i] == '"')
			inq = !inq;
		else if (!inq && d[i] == ';')
			semi++;
		else if (!inq && d[i] == ',')
			comma++;
	}
	return semi >= 2 && comma == 0;
}

/* Spreadsheet column letters of a 0-based column: A, ..., Z, AA, ... */
static void col_letters(size_t c, char out[16])
{
	char tmp[16];
	size_t n = 0;
	for (c++; c && n < sizeof tmp - 1; c = (c - 1) / 26)
		tmp[n++] = (char)('A' + (c - 1) % 26);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = 0;
}

/* Two columns of one name: stockbatch would read and write only the first. */
static int duplicate_columns(sb_err *e, const mediacsv *m)
{
	for (size_t i = 0; i < m->ncols; i++) {
		if (!m->colnames[i][0])
			continue;
		for (size_t j = i + 1; j < m->ncols; j++) {
			if (strcmp(m->colnames[i], m->colnames[j]) != 0)
				continue;
			char a[16], b[16];
			col_letters(i, a);
			col_letters(j, b);
			char *what =
				xasprintf(_("the header has two \"%s\" columns (%s, column %zu, "
					    "and %s, column %zu); stockbatch would use only the "
					    "first: rename or delete one of them"),
					  m->colnames[i], a, i + 1, b, j + 1);
			int r = input_error(e, m, m->bom ? 3 : 0, what);
			free(what);
			return r;
		}
	}
	return 0;
}

static void locate_columns(mediacsv *m)
{
	m->c_soubor = mediacsv_col(m, MC_SOUBOR);
	m->c_nazev = mediacsv_col(m, MC_NAZEV);
	m->c_popis = mediacsv_col(m, MC_POPIS);
	m->c_datum = mediacsv_col(m, MC_DATUM_PRIPRAVY);
	m->c_klic = mediacsv_col(m, MC_KLICOVA);
	m->c_vytvoreni = mediacsv_col(m, MC_DATUM_VYTVORENI);
	m->c_original = mediacsv_col(m, MC_ORIGINAL);
	m->c_cesta = mediacsv_col(m, MC_CESTA);
}

static bool ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && memcmp(s + a - b, suf, b) == 0;
}

bool mc_is_status_col(const mediacsv *m, size_t c)
{
	return ends_with(m->colnames[c], " status");
}

bool mc_is_cat_col(const mediacsv *m, size_t c)
{
	return ends_with(m->colnames[c], " kategorie");
}

static int finish_record(mediacsv *m, parse_ctx *c, size_t start, size_t end, long line, sb_err *e)
{
	if (!c->header_done) {
		m->ncols = c->nf;
		m->colnames = xcalloc(c->nf ? c->nf : 1, sizeof *m->colnames);
		for (size_t i = 0; i < c->nf; i++)
			m->colnames[i] = xstrdup(c->arena + c->fo[i]);
		c->alen = 0;
		c->header_done = true;
		c->keep = -1;
		for (size_t i = 0; i < m->ncols && c->keep < 0; i++)
			if (strcmp(m->colnames[i], MC_CESTA) == 0)
				c->keep = (long)i;
		m->pre_len = end - m->pre_off;
		c->nf = 0;
		return duplicate_columns(e, m);
	}
	if (c->nf != m->ncols) {
		char *what = xasprintf(_("the record has %zu fields but the header has %zu; "
					 "fix the quoting or the number of commas on that line"),
				       c->nf, m->ncols);
		int r = input_error(e, m, start, what);
		free(what);
		return r;
	}
	size_t keepn = c->lean ? (c->keep >= 0 ? 1 : 0) : c->nf;
	const uint32_t *src = c->lean ? c->fo + (c->keep >= 0 ? c->keep : 0) : c->fo;
	if (c->olen + keepn > c->ocap) {
		while (c->olen + keepn > c->ocap)
			c->ocap = c->ocap * 2 + 1024;
		c->offs = big_alloc(c->offs, c->ocap * sizeof *c->offs);
	}
	if (keepn)
		memcpy(c->offs + c->olen, src, keepn * sizeof *c->offs);
	c->olen += keepn;
	if (m->nrows == m->rows_cap) {
		m->rows_cap = m->rows_cap ? m->rows_cap * 2 : 256;
		m->rows = xrealloc(m->rows, m->rows_cap * sizeof *m->rows);
	}
	mc_row *r = &m->rows[m->nrows++];
	memset(r, 0, sizeof *r);
	r->body_off = start;
	r->body_len = end - start;
	r->tail_off = end;
	r->line = line;
	c->nf = 0;
	return 0;
}

/* data: len + 1 bytes, NUL-terminated, owned by the result from here on. */
/* What makes a file unreadable before any field: UTF-16, bytes that are
 * not UTF-8, a NUL, a ';' separator.  pos: after the BOM. */
static int check_text(mediacsv *m, size_t pos, sb_err *e)
{
	const char *d = m->data;
	size_t len = m->len;
	size_t bad;
	const char *u16 = utf16_kind((const unsigned char *)d, len);
	if (u16) {
		utf16_error(e, m, u16);
		return -1;
	}
	if (!utf8_valid(d + pos, len - pos, &bad)) {
		encoding_error(e, m, pos + bad);
		return -1;
	}
	const char *nul = memchr(d, '\0', len);
	if (nul)
		return input_error(
			e, m, (size_t)(nul - d),
			_("a NUL byte; this is not a text CSV, restore it from a backup"));
	if (semicolon_header(d, pos, len))
		return input_error(
			e, m, pos,
			_("this file uses ';' as separator (the default of Czech Excel), "
			  "stockbatch reads ','; save it again as CSV with ',' as the field "
			  "separator (in LibreOffice: Save As, Text CSV, Edit filter settings)"));
	return 0;
}

/* The records, one physical line at a time through libcsv (so that each
 * record's raw bytes are known), into c's arena and offsets. */
static int read_records(mediacsv *m, size_t pos, parse_ctx *c, sb_err *e)
{
	const char *d = m->data;
	size_t len = m->len;
	bool lean = m->lean;
	struct csv_parser p;
	csv_init(&p, CSV_STRICT | CSV_STRICT_FINI);
	csv_set_space_func(&p, no_space);
	/* the fields take about the file's size: one allocation up front */
	c->acap = lean ? len / 4 + 4096 : len + len / 8 + 64;
	c->arena = big_alloc(NULL, c->acap);
	/* and the offsets: about one field per 8 bytes in real files */
	c->ocap = lean ? len / 64 + 1024 : len / 8 + 1024;
	c->offs = big_alloc(NULL, c->ocap * sizeof *c->offs);
	bool in_rec = false, eol_seen = false;
	size_t rec_start = 0;
	long line = 1, rec_line = 1;
	int rc = 0;
	m->pre_off = 0;

	while (pos < len) {
		size_t end = pos;
		while (end < len && d[end] != '\r' && d[end] != '\n')
			end++;
		if (end < len)
			end++; /* include the terminator */
		size_t n = end - pos;
		bool lone_term = n == 1 && is_term((unsigned char)d[pos]);
		if (!in_rec && !lone_term) {
			in_rec = true;
			rec_start = pos;
			rec_line = line;
		}
		c->ended = false;
		size_t got = csv_parse(&p, d + pos, n, cb_field, cb_record, c);
		if (got != n || csv_error(&p) != CSV_SUCCESS) {
			/* a quote opened on an earlier line and never closed runs on
			 * until a later quote trips the parser: point at the opening */
			bool open;
			size_t at = open_quote_at(d, rec_start, pos, &open);
			if (open && rec_line < line)
				rc = input_error(
					e, m, at,
					_("a quoted field is never closed; add the closing "
					  "quote"));
			else
				rc = input_error(
					e, m, pos + got,
					_("a stray quote; a field containing quotes must be "
					  "enclosed in quotes with inner quotes doubled, fix it "
					  "in a text editor"));
			break;
		}
		if (c->overflow) {
			rc = input_error(e, m, pos, _("the file is too large (over 4 GB of text)"));
			break;
		}
		if (c->ended) {
			size_t body_end = end - 1;
			if (!eol_seen) {
				eol_seen = true;
				m->eol = d[body_end] == '\n'             ? "\n"
					 : (end < len && d[end] == '\n') ? "\r\n"
									 : "\r";
			}
			if (finish_record(m, c, rec_start, body_end, rec_line, e) < 0) {
				rc = -1;
				break;
			}
			in_rec = false;
		}
		/* a lone terminator outside a record (blank line, LF of CRLF) just
		 * extends the previous record's tail */
		if (end > pos) {
			char t = d[end - 1];
			if (t == '\n' || (t == '\r' && !(end < len && d[end] == '\n')))
				line++;
		}
		pos = end;
	}
	if (rc == 0) {
		c->ended = false;
		if (csv_fini(&p, cb_field, cb_record, c) != 0) {
			rc = input_error(
				e, m, open_quote_at(d, rec_start, len, NULL),
				_("a quoted field is never closed; add the closing quote"));
		} else if (c->ended) {
			if (finish_record(m, c, rec_start, len, rec_line, e) < 0)
				rc = -1;
		}
	}
	csv_free(&p);
	if (rc == 0 && !c->header_done)
		rc = input_error(e, m, 0,
				 _("no header line; the file is empty, restore it from a backup"));
	return rc;
}

/* Bytes that end or open an unquoted field. */
static const unsigned char field_stop[256] = { [','] = 1, ['"'] = 1, ['\r'] = 1, ['\n'] = 1 };

/* A quoted field's value: the bytes between the quotes with "" as one quote
 * (collapsed in the arena when the field was kept). */
static void quoted_field(parse_ctx *c, const char *s, size_t len, bool doubled)
{
	size_t before = c->nf;
	bool stored = !(c->lean && c->header_done && (long)c->nf != c->keep);
	cb_field((void *)s, len, c);
	if (!doubled || !stored || c->overflow || c->nf == before)
		return;
	char *f = c->arena + c->fo[c->nf - 1], *w = f;
	for (const char *r = f; *r; r++) {
		*w++ = *r;
		if (*r == '"' && r[1] == '"')
			r++;
	}
	*w = '\0';
	c->alen = (size_t)(w - c->arena) + 1;
}

/* A line break at i (CRLF counts once, at its LF). */
static bool line_break_at(const char *d, size_t i, size_t len)
{
	return d[i] == '\n' || (d[i] == '\r' && !(i + 1 < len && d[i + 1] == '\n'));
}

/* The records without libcsv, by the same strict rules (a quote only opens
 * or closes a field; "" inside quotes is one quote; blank lines are no
 * records): several times faster on a 100,000-row file.  Returns 1 when the
 * whole file is read, 0 at anything else (a stray quote, an unclosed one,
 * a wrong field count), -1 on a header error: at 0 the caller rereads the
 * file through libcsv, whose messages say what is wrong and where. */
static int fast_records(mediacsv *m, size_t pos, parse_ctx *c, sb_err *e)
{
	const char *d = m->data;
	size_t len = m->len;
	bool eol_seen = false;
	long line = 1;
	m->pre_off = 0;
	while (pos < len) {
		if (d[pos] == '\r' || d[pos] == '\n') { /* a blank line: the tail */
			line += line_break_at(d, pos, len);
			pos++;
			continue;
		}
		size_t rec_start = pos;
		long rec_line = line;
		c->nf = 0;
		for (;;) {
			if (pos < len && d[pos] == '"') {
				size_t fs = ++pos;
				bool doubled = false;
				for (;;) {
					while (pos < len && d[pos] != '"') {
						line += line_break_at(d, pos, len);
						pos++;
					}
					if (pos >= len)
						return 0; /* never closed */
					if (pos + 1 < len && d[pos + 1] == '"') {
						doubled = true;
						pos += 2;
						continue;
					}
					break;
				}
				size_t fe = pos++;
				if (pos < len && d[pos] != ',' && !is_term((unsigned char)d[pos]))
					return 0; /* text after the closing quote */
				quoted_field(c, d + fs, fe - fs, doubled);
			} else {
				size_t fs = pos;
				while (pos < len && !field_stop[(unsigned char)d[pos]])
					pos++;
				if (pos < len && d[pos] == '"')
					return 0; /* a quote inside an unquoted field */
				cb_field((void *)(d + fs), pos - fs, c);
			}
			if (c->overflow)
				return 0;
			if (pos >= len || d[pos] != ',')
				break;
			pos++;
		}
		if (c->header_done && c->nf != m->ncols)
			return 0;
		if (!eol_seen && pos < len) {
			eol_seen = true;
			m->eol = d[pos] == '\n' ? "\n" : (pos + 1 < len && d[pos + 1] == '\n') ? "\r\n" : "\r";
		}
		if (finish_record(m, c, rec_start, pos, rec_line, e) < 0)
			return -1;
	}
	if (!c->header_done)
		return 0;
	return 1;
}

/* Undo what fast_records built, for the libcsv pass. */
static void fast_reset(mediacsv *m, parse_ctx *c)
{
	free(c->arena);
	free(c->offs);
	free(c->fo);
	for (size_t i = 0; i < m->ncols && m->colnames; i++)
		free(m->colnames[i]);
	free(m->colnames);
	m->colnames = NULL;
	m->ncols = 0;
	free(m->rows);
	m->rows = NULL;
	m->nrows = m->rows_cap = 0;
	m->eol = "\r\n";
	m->pre_len = 0;
	*c = (parse_ctx){ .m = m, .lean = m->lean };
}

bool mediacsv_libcsv_only;

/* The records into c: the fast reader, else libcsv for the exact error. */
static int records(mediacsv *m, size_t pos, parse_ctx *c, sb_err *e)
{
	size_t len = m->len;
	c->acap = m->lean ? len / 4 + 4096 : len + len / 8 + 64;
	c->arena = big_alloc(NULL, c->acap);
	c->ocap = m->lean ? len / 64 + 1024 : len / 8 + 1024;
	c->offs = big_alloc(NULL, c->ocap * sizeof *c->offs);
	int r = mediacsv_libcsv_only ? 0 : fast_records(m, pos, c, e);
	if (r != 0)
		return r > 0 ? 0 : -1;
	fast_reset(m, c);
	return read_records(m, pos, c, e);
}

/* Each row's tail (terminator and blank lines up to the next record), the
 * preamble, the final newline; the parsed fields move from c to m. */
static void finish_layout(mediacsv *m, parse_ctx *c)
{
	const char *d = m->data;
	size_t len = m->len;
	/* tails: from each body end to the next record's start */
	for (size_t i = 0; i < m->nrows; i++) {
		mc_row *r = &m->rows[i];
		size_t next = i + 1 < m->nrows ? m->rows[i + 1].body_off : len;
		r->tail_len = next - r->tail_off;
	}
	if (m->nrows)
		m->pre_len = m->rows[0].body_off;
	else
		m->pre_len = len;
	const char *lastc = len ? &d[len - 1] : NULL;
	m->final_nl = lastc && (*lastc == '\n' || *lastc == '\r');
	m->arena = c->arena;
	m->arena_len = c->alen;
	m->offs = c->offs;
	free(c->fo);
}

/* The columns every PhotoMedia.csv has: Soubor, Cesta, Originál, a status. */
static int check_header(mediacsv *m, sb_err *e)
{
	locate_columns(m);
	const char *miss = m->c_soubor < 0     ? MC_SOUBOR
			   : m->c_cesta < 0    ? MC_CESTA
			   : m->c_original < 0 ? MC_ORIGINAL
					       : NULL;
	m->status_cols = xcalloc(m->ncols ? m->ncols : 1, sizeof *m->status_cols);
	for (size_t i = 0; i < m->ncols; i++)
		if (mc_is_status_col(m, i))
			m->status_cols[m->nstatus++] = i;
	bool any_status = m->nstatus > 0;
	if (miss || !any_status) {
		char *what =
			miss ? xasprintf(_("the header has no \"%s\" column; this is not a "
					   "PhotoMedia.csv, or its header line was edited"),
					 miss)
			     : xstrdup(_("the header has no \"<Bank> status\" column; this is not "
					 "a PhotoMedia.csv, or its header line was edited"));
		input_error(e, m, m->bom ? 3 : 0, what);
		free(what);
		return -1;
	}
	return 0;
}

static int parse_owned(const char *name, char *data, size_t len, bool lean, mediacsv **out,
		       sb_err *e)
{
	*out = NULL;
	mediacsv *m = xcalloc(1, sizeof *m);
	m->name = xstrdup(name ? name : "PhotoMedia.csv");
	m->data = data;
	m->len = len;
	m->eol = "\r\n";
	m->lean = lean;
	size_t pos = 0;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
		m->bom = true;
		pos = 3;
	}
	parse_ctx c = { .m = m, .lean = lean };
	if (check_text(m, pos, e) < 0 || records(m, pos, &c, e) < 0) {
		free(c.arena);
		free(c.offs);
		free(c.fo);
		mediacsv_free(m);
		return -1;
	}
	finish_layout(m, &c);
	if (check_header(m, e) < 0) {
		mediacsv_free(m);
		return -1;
	}
	if (m->c_cesta >= 0) {
		m->warn_dups = true;
		idx_build(m);
	}
	*out = m;
	return 0;
}

int mediacsv_parse(const char *name, const char *data, size_t len, mediacsv **out, sb_err *e)
{
	char *copy = xmalloc(len + 1);
	if (len)
		memcpy(copy, data, len);
	copy[len] = '\0';
	return parse_owned(name, copy, len, false, out, e);
}

int mediacsv_parse_lean(const char *name, const char *data, size_t len, mediacsv **out, sb_err *e)
{
	char *copy = xmalloc(len + 1);
	if (len)
		memcpy(copy, data, len);
	copy[len] = '\0';
	return parse_owned(name, copy, len, true, out, e);
}

/* One read into a buffer of the file's size; st is what was read. */
static int read_file(const char *path, char **data, size_t *len, struct stat *st, sb_err *e)
{
	int fd = open_regular(path);
	if (fd < 0)
		return sb_fail(e, errno == ENOENT ? SBE_NOTFOUND : SBE_IO, _("cannot open %s: %s"),
			       path, open_error(errno));
	if (fstat(fd, st) < 0) {
		int saved = errno;
		close(fd);
		return sb_fail(e, SBE_IO, _("cannot read %s: %s"), path, strerror(saved));
	}
	size_t cap = (size_t)st->st_size + 1, n = 0;
	char *b = big_alloc(NULL, cap + 1);
	for (;;) {
		if (n == cap) {
			cap *= 2;
			b = xrealloc(b, cap + 1);
		}
		ssize_t r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int saved = errno;
			close(fd);
			free(b);
			return sb_fail(e, SBE_IO, _("cannot read %s: %s"), path, strerror(saved));
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	b[n] = '\0';
	*data = b;
	*len = n;
	return 0;
}

int mediacsv_load_stat(const char *path, mediacsv **out, struct stat *st, bool lean, sb_err *e)
{
	char *data;
	size_t len;
	*out = NULL;
	if (read_file(path, &data, &len, st, e) < 0)
		return -1;
	return parse_owned(path, data, len, lean, out, e);
}

/* The record holding data[at]: from the last newline before it that is
 * outside quotes (an even count of quotes from the start: "" keeps the
 * parity) to the next one.  quotes: the quotes in data[0, at). */
static void record_around(const char *data, size_t len, size_t at, size_t quotes, size_t *start,
			  size_t *end)
{
	size_t q = quotes, i = at;
	while (i > 0 && !(data[i - 1] == '\n' && q % 2 == 0)) {
		i--;
		q -= data[i] == '"';
	}
	*start = i;
	q = quotes;
	for (i = at; i < len && !(data[i] == '\n' && q % 2 == 0); i++)
		q += data[i] == '"';
	*end = i < len ? i + 1 : len;
}

static size_t count_quotes(const char *p, size_t n)
{
	size_t q = 0;
	for (const char *end = p + n; (p = memchr(p, '"', (size_t)(end - p))); p++)
		q++;
	return q;
}

/* The one-row table of cesta from the mapped file, or NULL. */
static mediacsv *row_from_data(const char *path, const char *data, size_t len, const char *cesta)
{
	size_t cl = strlen(cesta), hs, he;
	if (!cl || strpbrk(cesta, "\",\r\n"))
		return NULL; /* quoted in the file: the whole load says */
	record_around(data, len, 0, 0, &hs, &he); /* the header */
	size_t quotes = count_quotes(data, he), from = he;
	const char *hit;
	while ((hit = memmem(data + from, len - from, cesta, cl))) {
		size_t at = (size_t)(hit - data);
		quotes += count_quotes(data + from, at - from);
		from = at + 1;
		/* a whole field: after a comma, before a comma or the line's end */
		char after = at + cl < len ? data[at + cl] : '\n';
		if (data[at - 1] != ',' || (after != ',' && after != '\r' && after != '\n') ||
		    quotes % 2)
			continue;
		size_t rs, re;
		record_around(data, len, at, quotes, &rs, &re);
		char *buf = xmalloc(he + (re - rs) + 1);
		memcpy(buf, data, he);
		memcpy(buf + he, data + rs, re - rs);
		buf[he + re - rs] = '\0';
		mediacsv *m = NULL;
		sb_err e;
		sb_err_clear(&e);
		if (parse_owned(path, buf, he + re - rs, true, &m, &e) == 0 && m->nrows == 1 &&
		    strcmp(mediacsv_get(m, 0, m->c_cesta), cesta) == 0)
			return m;
		mediacsv_free(m);
	}
	return NULL;
}

int mediacsv_read(const char *path, char **data, size_t *len, sb_err *e)
{
	struct stat st;
	return read_file(path, data, len, &st, e);
}

int mediacsv_row_of(const char *name, const char *data, size_t len, const char *cesta,
		    mediacsv **out, long *row, sb_err *e)
{
	*row = -1;
	if ((*out = row_from_data(name, data, len, cesta))) {
		*row = 0;
		return 0;
	}
	if (mediacsv_parse_lean(name, data, len, out, e) < 0)
		return -1;
	*row = mediacsv_find(*out, cesta);
	return 0;
}

int mediacsv_load_row(const char *path, const char *cesta, mediacsv **out, long *row, sb_err *e)
{
	*out = NULL;
	*row = -1;
	/* read, not mapped: another program may rewrite the file in place */
	char *data;
	size_t len;
	struct stat st;
	if (read_file(path, &data, &len, &st, e) < 0)
		return -1;
	int rc = mediacsv_row_of(path, data, len, cesta, out, row, e);
	free(data);
	return rc;
}

int mediacsv_load(const char *path, mediacsv **out, sb_err *e)
{
	struct stat st;
	return mediacsv_load_stat(path, out, &st, false, e);
}

int mediacsv_load_lean(const char *path, mediacsv **out, sb_err *e)
{
	struct stat st;
	return mediacsv_load_stat(path, out, &st, true, e);
}

void mediacsv_free(mediacsv *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nrows; i++) {
		if (m->rows[i].mod) {
			for (size_t c = 0; c < m->ncols; c++)
				free(m->rows[i].mod[c]);
			free(m->rows[i].mod);
		}
		free(m->rows[i].cache); /* one block */
	}
	for (size_t c = 0; c < m->ncols && m->colnames; c++)
		free(m->colnames[c]);
	free(m->colnames);
	free(m->rows);
	free(m->offs);
	free(m->arena);
	free(m->fp_cols);
	free(m->status_cols);
	strmap_free(&m->idx);
	free(m->data);
	free(m->name);
	free(m);
}

/* ---------- access ---------- */

size_t mediacsv_rows(const mediacsv *m)
{
	return m->nrows;
}

size_t mediacsv_cols(const mediacsv *m)
{
	return m->ncols;
}

const char *mediacsv_colname(const mediacsv *m, size_t col)
{
	return col < m->ncols ? m->colnames[col] : "";
}

int mediacsv_col(const mediacsv *m, const char *name)
{
	for (size_t c = 0; c < m->ncols; c++)
		if (strcmp(m->colnames[c], name) == 0)
			return (int)c;
	return -1;
}

/* Split a record read at load (so well-formed, ncols fields) into fields:
 * out holds len + ncols bytes, f ncols pointers into it. */
static void split_record(const char *d, size_t len, size_t ncols, char *out, char **f)
{
	size_t i = 0, k = 0;
	while (k < ncols) {
		f[k++] = out;
		if (i < len && d[i] == '"') {
			for (i++; i < len; i++) {
				if (d[i] == '"') {
					if (i + 1 < len && d[i + 1] == '"')
						i++;
					else
						break;
				}
				*out++ = d[i];
			}
			i++; /* the closing quote */
		} else {
			while (i < len && d[i] != ',')
				*out++ = d[i++];
		}
		*out++ = '\0';
		i++; /* the comma */
	}
}

/* Lean mode: parse one record's raw bytes (validated at load) on demand,
 * into one block: the field pointers, then the fields. */
static void row_parse_cache(mediacsv *m, size_t row)
{
	mc_row *r = &m->rows[row];
	size_t nc = m->ncols ? m->ncols : 1;
	char **f = xmalloc(nc * sizeof *f + r->body_len + nc);
	split_record(m->data + r->body_off, r->body_len, m->ncols, (char *)(f + nc), f);
	r->cache = f;
}

const char *const *mc_row_fields(const mediacsv *m, size_t row, mc_scratch *s)
{
	const mc_row *r = &m->rows[row];
	if (r->mod)
		return (const char *const *)r->mod;
	if (r->cache)
		return (const char *const *)r->cache;
	size_t nc = m->ncols ? m->ncols : 1;
	if (s->nf < nc) {
		s->f = xrealloc(s->f, nc * sizeof *s->f);
		s->nf = nc;
	}
	if (!m->lean) {
		for (size_t c = 0; c < m->ncols; c++)
			s->f[c] = m->arena + m->offs[row * m->ncols + c];
		return (const char *const *)s->f;
	}
	if (s->cap < r->body_len + nc) {
		s->cap = r->body_len + nc + 256;
		s->buf = xrealloc(s->buf, s->cap);
	}
	split_record(m->data + r->body_off, r->body_len, m->ncols, s->buf, s->f);
	return (const char *const *)s->f;
}

void mc_scratch_free(mc_scratch *s)
{
	free(s->f);
	free(s->buf);
}

const char *mediacsv_get(const mediacsv *m, size_t row, int col)
{
	if (col < 0 || (size_t)col >= m->ncols || row >= m->nrows)
		return "";
	const mc_row *r = &m->rows[row];
	if (r->mod)
		return r->mod[col];
	if (!m->lean)
		return m->arena + m->offs[row * m->ncols + (size_t)col];
	if (col == m->c_cesta)
		return m->arena + m->offs[row];
	if (!r->cache)
		row_parse_cache((mediacsv *)m, row); /* a cache: logically const */
	return r->cache[col];
}

const char *mediacsv_field(const mediacsv *m, size_t row, const char *colname)
{
	return mediacsv_get(m, row, mediacsv_col(m, colname));
}

long mediacsv_lineno(const mediacsv *m, size_t row)
{
	return row < m->nrows ? m->rows[row].line : 0;
}

/* Index one row; a duplicate Cesta keeps the first row. */
static void idx_insert(mediacsv *m, size_t row)
{
	const char *k = mediacsv_get(m, row, m->c_cesta);
	bool added;
	sm_entry *en = strmap_add(&m->idx, k, &added);
	if (added) {
		en->num = row;
	} else if (m->warn_dups && k[0]) {
		/* duplicate Cesta: the first row wins */
		long first = mediacsv_lineno(m, en->num);
		sb_log(LOG_WARN,
		       _("%s: lines %ld and %ld have the same Cesta %s; only line %ld "
			 "is ever committed: delete the duplicate row or correct its "
			 "Cesta"),
		       m->name, first, mediacsv_lineno(m, row), k, first);
	}
}

static void idx_build(mediacsv *m)
{
	strmap_free(&m->idx);
	strmap_reserve(&m->idx, m->nrows);
	for (size_t i = 0; i < m->nrows; i++)
		idx_insert(m, i);
	m->idx_valid = true;
	m->warn_dups = false;
}

long mediacsv_find(const mediacsv *cm, const char *cesta)
{
	mediacsv *m = (mediacsv *)cm; /* the index is a cache */
	if (!cesta || m->c_cesta < 0)
		return -1;
	if (!m->idx_valid)
		idx_build(m);
	sm_entry *en = strmap_find(&m->idx, cesta);
	return en ? (long)en->num : -1;
}

/* A value starting with = + - @ TAB CR LF is read as a formula by
 * spreadsheets: the existing tools prefix it with a quote. */
static char *formula_escape(const char *v)
{
	if (v[0] && strchr("=+-@\t\r\n", v[0]))
		return xasprintf("'%s", v);
	return xstrdup(v);
}

static void row_materialize(mediacsv *m, size_t row)
{
	mc_row *r = &m->rows[row];
	if (r->mod)
		return;
	char **f = xcalloc(m->ncols ? m->ncols : 1, sizeof *f);
	for (size_t c = 0; c < m->ncols; c++)
		f[c] = xstrdup(mediacsv_get(m, row, (int)c));
	r->mod = f;
	free(r->cache); /* the copies supersede it */
	r->cache = NULL;
}

void mediacsv_set(mediacsv *m, size_t row, int col, const char *value)
{
	if (col < 0 || (size_t)col >= m->ncols || row >= m->nrows)
		return;
	row_materialize(m, row);
	mc_row *r = &m->rows[row];
	free(r->mod[col]);
	r->mod[col] = formula_escape(value ? value : "");
	if (col == m->c_cesta)
		m->idx_valid = false;
}

size_t mediacsv_add_row(mediacsv *m, const char *const *fields)
{
	if (m->nrows == m->rows_cap) {
		m->rows_cap = m->rows_cap ? m->rows_cap * 2 : 256;
		m->rows = xrealloc(m->rows, m->rows_cap * sizeof *m->rows);
	}
	size_t row = m->nrows++;
	mc_row *r = &m->rows[row];
	memset(r, 0, sizeof *r);
	r->mod = xcalloc(m->ncols ? m->ncols : 1, sizeof *r->mod);
	for (size_t c = 0; c < m->ncols; c++)
		r->mod[c] = xstrdup(fields && fields[c] ? fields[c] : "");
	if (m->idx_valid)
		idx_insert(m, row);
	return row;
}

/* ---------- writing ---------- */

/* Python's QUOTE_MINIMAL: quote when the field holds a comma, a quote or a
 * line break (or is the only, empty field of a record). */
static void put_field(sbuf *b, const char *v, bool lone)
{
	if (strpbrk(v, ",\"\r\n") == NULL && !(lone && !*v)) {
		sbuf_adds(b, v);
		return;
	}
	sbuf_addc(b, '"');
	for (const char *s = v; *s; s++) {
		if (*s == '"')
			sbuf_addc(b, '"');
		sbuf_addc(b, *s);
	}
	sbuf_addc(b, '"');
}

/* Where the serialised bytes go: a buffer, or a file through a small
 * buffer (a 40 MB file is not built in memory first, page by new page). */
typedef struct sink {
	sbuf *b; /* serialize: all of it here */
	int fd;  /* else: written to fd */
	char *buf;
	size_t len, cap;
	int err;
} sink;

static void sink_flush(sink *k)
{
	if (k->len && !k->err && util_write_all(k->fd, k->buf, k->len) < 0)
		k->err = errno;
	k->len = 0;
}

static void sink_add(sink *k, const char *p, size_t n)
{
	if (k->b) {
		sbuf_add(k->b, p, n);
		return;
	}
	if (k->len + n > k->cap) {
		sink_flush(k);
		if (n >= k->cap) {
			if (!k->err && util_write_all(k->fd, p, n) < 0)
				k->err = errno;
			return;
		}
	}
	memcpy(k->buf + k->len, p, n);
	k->len += n;
}

static void emit(const mediacsv *m, sink *k)
{
	sbuf row = { 0 };
	sink_add(k, m->data + m->pre_off, m->pre_len);
	if (m->nrows && m->pre_len > 0) {
		/* a header without a terminator followed by added rows */
		char t = m->data[m->pre_off + m->pre_len - 1];
		if (t != '\n' && t != '\r')
			sink_add(k, m->eol, strlen(m->eol));
	}
	for (size_t i = 0; i < m->nrows; i++) {
		const mc_row *r = &m->rows[i];
		bool last = i + 1 == m->nrows;
		if (!r->mod) {
			sink_add(k, m->data + r->body_off, r->body_len);
		} else {
			sbuf_reset(&row);
			for (size_t c = 0; c < m->ncols; c++) {
				if (c)
					sbuf_addc(&row, ',');
				put_field(&row, r->mod[c], m->ncols == 1);
			}
			sink_add(k, row.p, row.len);
		}
		if (r->tail_len)
			sink_add(k, m->data + r->tail_off, r->tail_len);
		else if (!last || m->final_nl)
			sink_add(k, m->eol, strlen(m->eol));
	}
	sbuf_free(&row);
}

char *mediacsv_serialize(const mediacsv *m, size_t *len)
{
	sbuf b = { 0 };
	size_t guess = m->len + 64;
	b.p = big_alloc(NULL, guess);
	b.cap = guess;
	b.p[0] = '\0';
	sink k = { .b = &b };
	emit(m, &k);
	*len = b.len;
	return sbuf_steal(&b);
}

int mediacsv_write_fd(const mediacsv *m, int fd)
{
	sink k = { .fd = fd, .cap = 1u << 20 };
	k.buf = xmalloc(k.cap);
	emit(m, &k);
	sink_flush(&k);
	free(k.buf);
	errno = k.err;
	return k.err ? -1 : 0;
}

int mediacsv_save(const mediacsv *m, const char *path, sb_err *e)
{
	size_t n;
	char *s = mediacsv_serialize(m, &n);
	struct stat st;
	int r = stat(path, &st) == 0 ? atomic_write_like(path, s, n, &st, e)
				     : atomic_write(path, s, n, 0644, e);
	free(s);
	return r;
}
