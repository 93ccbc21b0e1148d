/* photomedia.c: PhotoMedia's rules over PhotoMedia.csv (photomedia.h): the
 * fingerprint of what stockbatch writes, row selection, a save, a reject or
 * an edited copy applied to a row, and the commit (merge by Cesta, backup
 * per session, rotate, replace atomically). */
#include "config.h"
#include "mediacsv_int.h"
#include "photomedia.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"

/* ---------- fingerprint ---------- */

/* qsort_r: the retrieve threads load CSVs at once (no shared sort state) */
static int cmp_colname(const void *a, const void *b, void *ctx)
{
	const mediacsv *m = ctx;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int r = strcmp(m->colnames[x], m->colnames[y]);
	return r ? r : (x > y) - (x < y);
}

static void build_fp_cols(mediacsv *m)
{
	m->fp_cols = xcalloc(m->ncols ? m->ncols : 1, sizeof *m->fp_cols);
	m->nfp = 0;
	for (size_t c = 0; c < m->ncols; c++)
		if ((int)c == m->c_nazev || (int)c == m->c_popis || (int)c == m->c_klic ||
		    (int)c == m->c_datum || mc_is_status_col(m, c) || mc_is_cat_col(m, c))
			m->fp_cols[m->nfp++] = c;
	qsort_r(m->fp_cols, m->nfp, sizeof *m->fp_cols, cmp_colname, m);
}

void mediacsv_fingerprint(const mediacsv *cm, size_t row, char out[17])
{
	mediacsv *m = (mediacsv *)cm; /* the column list is a cache */
	if (!m->fp_cols)
		build_fp_cols(m);
	/* FNV-1a over name=value of the written columns in name order, so a
	 * column reorder by another tool does not look like an edit. */
	unsigned long long h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < m->nfp; i++) {
		size_t c = m->fp_cols[i];
		const char *parts[2] = { m->colnames[c], mediacsv_get(m, row, (int)c) };
		for (int k = 0; k < 2; k++) {
			for (const unsigned char *s = (const unsigned char *)parts[k]; *s; s++) {
				h ^= *s;
				h *= 0x100000001b3ULL;
			}
			h ^= 0x1f + (unsigned)k;
			h *= 0x100000001b3ULL;
		}
	}
	snprintf(out, 17, "%016llx", h);
}

mc_media mediacsv_media_kind(const char *filename)
{
	static const char *const img[] = { "jpg",  "jpeg", "png",  "tif", "tiff", "gif", "bmp",
					   "webp", "heic", "heif", "dng", "cr2",  "cr3", "nef",
					   "arw",  "orf",  "raf",  "rw2", NULL };
	static const char *const vid[] = { "mp4",  "mov", "avi",  "mkv", "wmv",
					   "m4v",  "mpg", "mpeg", "mts", "m2ts",
					   "webm", "3gp", "flv",  "mxf", NULL };
	const char *dot = filename ? strrchr(filename, '.') : NULL;
	if (!dot)
		return MC_OTHER;
	for (int i = 0; img[i]; i++)
		if (strcasecmp(dot + 1, img[i]) == 0)
			return MC_IMAGE;
	for (int i = 0; vid[i]; i++)
		if (strcasecmp(dot + 1, vid[i]) == 0)
			return MC_VIDEO;
	return MC_OTHER;
}

static const char *col_of(const char *const *f, int col)
{
	return col >= 0 ? f[col] : "";
}

/* Has one of the row's agency status columns this value? */
static bool fields_have_status(const mediacsv *m, const char *const *f, const char *status)
{
	for (size_t i = 0; i < m->nstatus; i++)
		if (strcmp(f[m->status_cols[i]], status) == 0)
			return true;
	return false;
}

static bool fields_unprocessed(const mediacsv *m, const char *const *f)
{
	return strcasecmp(col_of(f, m->c_original), "ano") == 0 &&
	       fields_have_status(m, f, MC_ST_UNPROCESSED);
}

bool mediacsv_row_unprocessed(const mediacsv *m, size_t row)
{
	if (row >= m->nrows)
		return false;
	mc_scratch s = { 0 };
	bool r = fields_unprocessed(m, mc_row_fields(m, row, &s));
	mc_scratch_free(&s);
	return r;
}

bool mediacsv_row_editorial(const mediacsv *m, size_t row)
{
	if (row >= m->nrows)
		return false;
	if (strcasecmp(mediacsv_field(m, row, MC_EDITORIAL), "ano") == 0)
		return true;
	const char *k = mediacsv_field(m, row, MC_KLICOVA);
	while (*k == ' ')
		k++;
	size_t n = strcspn(k, ",");
	while (n > 0 && k[n - 1] == ' ')
		n--;
	return n == 9 && strncasecmp(k, "editorial", 9) == 0;
}

bool mediacsv_row_prepared(const mediacsv *m, size_t row)
{
	if (row >= m->nrows)
		return false;
	mc_scratch s = { 0 };
	const char *const *f = mc_row_fields(m, row, &s);
	bool r = col_of(f, m->c_datum)[0] && fields_have_status(m, f, MC_ST_PREPARED);
	mc_scratch_free(&s);
	return r;
}

bool mediacsv_row_uncommitted(const mediacsv *m, size_t row)
{
	if (row >= m->nrows)
		return false;
	mc_scratch s = { 0 };
	const char *const *f = mc_row_fields(m, row, &s);
	bool r = !(*col_of(f, m->c_nazev) && *col_of(f, m->c_popis)) &&
		 fields_have_status(m, f, MC_ST_UNPROCESSED);
	mc_scratch_free(&s);
	return r;
}

/* "DD.MM.YYYY[ HH:MM:SS]" -> YYYYMMDDHHMMSS; unparseable sorts last. */
/* n digits at s, or -1 */
static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static unsigned long long date_key(const char *s)
{
	int d, mo, y, h = 0, mi = 0, se = 0;
	/* the form every PhotoMedia row has, without sscanf (100,000 rows) */
	size_t n = strlen(s);
	bool fast = (n == 10 || (n == 19 && s[10] == ' ' && s[13] == ':' && s[16] == ':')) &&
		    s[2] == '.' && s[5] == '.' && (d = digits(s, 2)) >= 0 &&
		    (mo = digits(s + 3, 2)) >= 0 && (y = digits(s + 6, 4)) >= 0 &&
		    (n == 10 || ((h = digits(s + 11, 2)) >= 0 && (mi = digits(s + 14, 2)) >= 0 &&
				 (se = digits(s + 17, 2)) >= 0));
	if (!fast) {
		h = mi = se = 0;
		if (sscanf(s, "%d.%d.%d %d:%d:%d", &d, &mo, &y, &h, &mi, &se) < 3)
			return ~0ULL;
	}
	return ((((((unsigned long long)y * 100 + (unsigned)mo) * 100 + (unsigned)d) * 100 +
		  (unsigned)h) *
			 100 +
		 (unsigned)mi) *
		100) +
	       (unsigned)se;
}

typedef struct sel_item {
	int kind;
	unsigned long long date;
	const char *name;
	size_t name_off, row; /* name_off: in the names buffer, while it grows */
} sel_item;

static int cmp_sel(const void *a, const void *b)
{
	const sel_item *x = a, *y = b;
	if (x->kind != y->kind)
		return x->kind - y->kind;
	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	int r = strcmp(x->name, y->name);
	if (r)
		return r;
	return (x->row > y->row) - (x->row < y->row);
}

size_t mediacsv_unprocessed(const mediacsv *m, mc_exists_fn exists, void *ctx, size_t **rows)
{
	sel_item *it = xcalloc(m->nrows ? m->nrows : 1, sizeof *it);
	size_t n = 0;
	/* One pass that keeps nothing of a row but its sort key: a lean CSV's
	 * rows are split in passing, not cached (the names go to one buffer). */
	mc_scratch s = { 0 };
	sbuf names = { 0 };
	sbuf_adds(&names, "");
	for (size_t i = 0; i < m->nrows; i++) {
		const char *const *f = mc_row_fields(m, i, &s);
		if (!fields_unprocessed(m, f))
			continue;
		if (exists && !exists(col_of(f, m->c_cesta), ctx))
			continue;
		const char *name = col_of(f, m->c_soubor);
		it[n++] = (sel_item){ (int)mediacsv_media_kind(name),
				      date_key(col_of(f, m->c_vytvoreni)), NULL, names.len, i };
		sbuf_add(&names, name, strlen(name) + 1);
	}
	mc_scratch_free(&s);
	for (size_t i = 0; i < n; i++)
		it[i].name = names.p + it[i].name_off;
	qsort(it, n, sizeof *it, cmp_sel);
	*rows = xcalloc(n ? n : 1, sizeof **rows);
	for (size_t i = 0; i < n; i++)
		(*rows)[i] = it[i].row;
	free(it);
	sbuf_free(&names);
	return n;
}

/* ---------- applying updates ---------- */

static const char *const no_editorial_banks[] = { "AdobeStock", "GettyImages", "Freepik", NULL };

static bool col_is_bank(const char *colname, const char *bank, const char *suffix)
{
	size_t bl = strlen(bank), sl = strlen(suffix), cl = strlen(colname);
	return cl == bl + sl && strncasecmp(colname, bank, bl) == 0 &&
	       strcmp(colname + bl, suffix) == 0;
}

static bool bank_takes_editorial(const char *statuscol)
{
	for (int i = 0; no_editorial_banks[i]; i++)
		if (col_is_bank(statuscol, no_editorial_banks[i], " status"))
			return false;
	return true;
}

static char *cut_chars(const char *s, int max)
{
	return xstrndup(s, utf8_prefix_bytes(s, (size_t)max));
}

static void set_today(mediacsv *m, size_t row, const mc_update *u, const mc_commit_opts *o)
{
	char today[16];
	if (u->today)
		snprintf(today, sizeof today, "%s", u->today);
	else if (o && o->today)
		snprintf(today, sizeof today, "%s", o->today);
	else
		today_ddmmyyyy(today);
	mediacsv_set(m, row, m->c_datum, today);
}

static void flip_statuses(mediacsv *m, size_t row, const char *to, bool editorial)
{
	for (size_t c = 0; c < m->ncols; c++) {
		if (!mc_is_status_col(m, c) ||
		    strcmp(mediacsv_get(m, row, (int)c), MC_ST_UNPROCESSED))
			continue;
		if (editorial && !bank_takes_editorial(m->colnames[c]))
			continue;
		mediacsv_set(m, row, (int)c, to);
	}
}

static void apply_save(mediacsv *m, size_t row, const mc_update *u, const mc_commit_opts *o)
{
	int tmax = o && o->title_max > 0 ? o->title_max : 80;
	int dmax = o && o->desc_max > 0 ? o->desc_max : 200;
	int kmax = o && o->keywords_max > 0 ? o->keywords_max : 50;
	char *t = cut_chars(u->title ? u->title : "", tmax);
	mediacsv_set(m, row, m->c_nazev, t);
	free(t);

	sbuf d = { 0 };
	const char *desc = u->description ? u->description : "";
	/* without place or date the description is taken as already prefixed
	 * (the prompt asks the model for it, the validator checks it) */
	if (u->editorial && (u->ed_city || u->ed_date)) {
		char *pre = mc_editorial_prefix(u->ed_city, u->ed_country, u->ed_date,
						o ? o->ed_format : MC_ED_ORIGIN);
		if (strncmp(desc, pre, strlen(pre)) != 0) /* else the model already wrote it */
			sbuf_adds(&d, pre);
		free(pre);
	}
	sbuf_adds(&d, desc);
	char *dc = cut_chars(d.p ? d.p : "", dmax);
	mediacsv_set(m, row, m->c_popis, dc);
	free(dc);
	sbuf_free(&d);

	sbuf k = { 0 };
	int nk = 0;
	if (u->editorial) {
		sbuf_adds(&k, "Editorial");
		nk++;
	}
	for (size_t i = 0; i < u->nkeywords && nk < kmax; i++) {
		if (u->editorial && strcasecmp(u->keywords[i], "editorial") == 0)
			continue;
		if (nk)
			sbuf_adds(&k, ", ");
		sbuf_adds(&k, u->keywords[i]);
		nk++;
	}
	mediacsv_set(m, row, m->c_klic, k.p ? k.p : "");
	sbuf_free(&k);

	set_today(m, row, u, o);
	for (size_t i = 0; i < u->ncats; i++)
		for (size_t c = 0; c < m->ncols; c++)
			if (u->cats[i].bank &&
			    col_is_bank(m->colnames[c], u->cats[i].bank, " kategorie"))
				mediacsv_set(m, row, (int)c,
					     u->cats[i].value ? u->cats[i].value : "");
	flip_statuses(m, row, MC_ST_PREPARED, u->editorial);
}

/* The alternative's row: the original's with new Soubor/Cesta, Originál=ne;
 * copied values are taken as they are (no second formula escape). */
static size_t alt_create(mediacsv *m, size_t orig, const mc_update *u)
{
	bool sharpen = u->alt_status && strcmp(u->alt_status, MC_ST_BACKUP) == 0;
	const char **f = xcalloc(m->ncols ? m->ncols : 1, sizeof *f);
	for (size_t c = 0; c < m->ncols; c++) {
		int ci = (int)c;
		f[c] = mediacsv_get(m, orig, ci);
		if (ci == m->c_soubor)
			f[c] = u->alt_soubor ? u->alt_soubor : cesta_basename(u->cesta);
		else if (ci == m->c_cesta)
			f[c] = u->cesta;
		else if (ci == m->c_original)
			f[c] = "ne";
		else if (mc_is_status_col(m, c))
			f[c] = sharpen ? MC_ST_BACKUP : MC_ST_UNPROCESSED;
		else if (!sharpen && (mc_is_cat_col(m, c) || ci == m->c_nazev || ci == m->c_popis ||
				      ci == m->c_klic || ci == m->c_datum))
			f[c] = "";
	}
	size_t r = mediacsv_add_row(m, f);
	free(f);
	return r;
}

int mediacsv_apply(mediacsv *m, size_t row, const mc_update *u, const mc_commit_opts *o, sb_err *e)
{
	if (row >= m->nrows)
		return sb_fail(e, SBE_GENERIC, "%s: no row %zu", m->name, row);
	switch (u->kind) {
	case MCU_SAVE: apply_save(m, row, u, o); break;
	case MCU_REJECT:
		set_today(m, row, u, o);
		flip_statuses(m, row, MC_ST_REJECTED, false);
		break;
	case MCU_ALTERNATIVE: {
		bool sharpen = u->alt_status && strcmp(u->alt_status, MC_ST_BACKUP) == 0;
		if (!sharpen && u->title)
			apply_save(m, row, u, o);
		break;
	}
	}
	return 0;
}

/* ---------- the editorial prefix ---------- */

static void squeeze(char *s)
{
	char *w = s;
	for (const char *r = s; *r; r++)
		if (*r != ' ' || (w > s && w[-1] != ' '))
			*w++ = *r;
	while (w > s && w[-1] == ' ')
		w--;
	*w = '\0';
}

static const char *const months[] = { "JANUARY",   "FEBRUARY", "MARCH",    "APRIL",
				      "MAY",       "JUNE",     "JULY",     "AUGUST",
				      "SEPTEMBER", "OCTOBER",  "NOVEMBER", "DECEMBER" };

char *mc_editorial_prefix(const char *city, const char *country, const char *date, int fmt)
{
	/* place names upper case, diacritics kept, as Python's str.upper() */
	char *c = utf8_upper(city ? city : ""), *k = utf8_upper(country ? country : "Czech");
	squeeze(c);
	squeeze(k);
	char day[11], when[40];
	unsigned dd, mm, yy;
	if (date_norm_ddmmyyyy(date, day) && sscanf(day, "%u %u %u", &dd, &mm, &yy) == 3) {
		if (fmt == MC_ED_SHUTTERSTOCK)
			snprintf(when, sizeof when, "%s %u, %u", months[mm - 1], dd, yy);
		else if (fmt == MC_ED_POND5)
			snprintf(when, sizeof when, "%02u/%02u/%04u", mm, dd, yy);
		else
			snprintf(when, sizeof when, "%s", day); /* "3.8.2024" -> "03 08 2024" */
	} else {
		snprintf(when, sizeof when, "%s", date ? date : "");
		for (char *p = when; *p; p++)
			if (*p == '.' || *p == '/' || *p == '-')
				*p = ' ';
		squeeze(when);
	}
	char *r = xasprintf("%s, %s - %s: ", c, k, when);
	free(c);
	free(k);
	return r;
}

/* "DD MM YYYY: ", "MM/DD/YYYY: " or "MONTH D, YYYY: " at d: its length, or 0 */
static size_t date_part_len(const char *d)
{
	static const char *const pats[] = { "99 99 9999: ", "99/99/9999: " };
	for (int k = 0; k < 2; k++) {
		size_t i = 0;
		for (; pats[k][i]; i++)
			if (pats[k][i] == '9' ? !isdigit((unsigned char)d[i]) : d[i] != pats[k][i])
				break;
		if (!pats[k][i])
			return i;
	}
	for (int m = 0; m < 12; m++) {
		size_t ml = strlen(months[m]);
		if (strncmp(d, months[m], ml) != 0 || d[ml] != ' ')
			continue;
		const char *p = d + ml + 1;
		int n = 0;
		while (isdigit((unsigned char)*p) && n < 2)
			p++, n++;
		if (!n || strncmp(p, ", ", 2) != 0)
			return 0;
		p += 2;
		for (n = 0; n < 4; n++, p++)
			if (!isdigit((unsigned char)*p))
				return 0;
		return strncmp(p, ": ", 2) == 0 ? (size_t)(p + 2 - d) : 0;
	}
	return 0;
}

size_t mc_editorial_prefix_len(const char *s)
{
	const char *comma = strstr(s, ", ");
	if (!comma || comma == s || comma - s > 80 || memchr(s, ':', (size_t)(comma - s)))
		return 0;
	const char *dash = strstr(comma + 2, " - ");
	if (!dash || dash == comma + 2 || dash - comma > 80 ||
	    memchr(comma, ':', (size_t)(dash - comma)))
		return 0;
	size_t dl = date_part_len(dash + 3);
	return dl ? (size_t)(dash + 3 - s) + dl : 0;
}

/* ---------- commit ---------- */

static char **row_snapshot(const mediacsv *m, size_t row)
{
	char **s = xcalloc(m->ncols ? m->ncols : 1, sizeof *s);
	for (size_t c = 0; c < m->ncols; c++)
		s[c] = xstrdup(mediacsv_get(m, row, (int)c));
	return s;
}

static void snapshot_free(const mediacsv *m, char **s)
{
	for (size_t c = 0; c < m->ncols; c++)
		free(s[c]);
	free(s);
}

static bool row_equals(const mediacsv *m, size_t row, char **s, int skip)
{
	for (size_t c = 0; c < m->ncols; c++)
		if ((int)c != skip && strcmp(s[c], mediacsv_get(m, row, (int)c)) != 0)
			return false;
	return true;
}

/* Put a row back as it was: unmodified rows go back to their raw bytes. */
static void row_restore(mediacsv *m, size_t row, char **snap, bool was_mod)
{
	mc_row *r = &m->rows[row];
	for (size_t c = 0; r->mod && c < m->ncols; c++)
		free(r->mod[c]);
	free(r->mod);
	r->mod = NULL;
	if (was_mod)
		r->mod = snap;
	else
		snapshot_free(m, snap);
}

/* 0 applied, 1 already, 2 conflict, 3 unknown; fp_out: the row's
 * fingerprint after it */
static int commit_one(mediacsv *m, const mc_update *u, const mc_commit_opts *o, char fp_out[17])
{
	fp_out[0] = '\0';
	if (!u->cesta)
		return 3;
	long row = mediacsv_find(m, u->cesta);
	if (u->kind == MCU_ALTERNATIVE && row < 0) {
		long orig = u->alt_of ? mediacsv_find(m, u->alt_of) : -1;
		if (orig < 0)
			return 3;
		size_t r = alt_create(m, (size_t)orig, u);
		mediacsv_apply(m, r, u, o, NULL);
		mediacsv_fingerprint(m, r, fp_out);
		return 0;
	}
	if (row < 0)
		return 3;
	bool was_mod = m->rows[row].mod != NULL;
	char **snap = row_snapshot(m, (size_t)row);
	char fp[17];
	mediacsv_fingerprint(m, (size_t)row, fp);
	mediacsv_apply(m, (size_t)row, u, o, NULL);
	int st;
	if (row_equals(m, (size_t)row, snap, m->c_datum))
		st = 1;
	else if (u->fingerprint && strcmp(u->fingerprint, fp) != 0)
		st = 2;
	else
		st = 0;
	if (st == 0)
		snapshot_free(m, snap);
	else
		row_restore(m, (size_t)row, snap, was_mod);
	mediacsv_fingerprint(m, (size_t)row, fp_out);
	return st;
}

static bool is_backup_name(const char *name, const char *stem)
{
	size_t sl = strlen(stem);
	if (strncmp(name, stem, sl) != 0 || name[sl] != '_')
		return false;
	const char *p = name + sl + 1;
	for (int i = 0; i < 15; i++) {
		if (i == 8 ? p[i] != '_' : !isdigit((unsigned char)p[i]))
			return false;
	}
	p += 15;
	while (*p == '_' || isdigit((unsigned char)*p))
		p++; /* the origin's stamps carry microseconds */
	return strcmp(p, ".csv") == 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void rotate_backups(const char *dir, const char *stem, int keep)
{
	DIR *dp = opendir(dir);
	if (!dp)
		return;
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(dp))) {
		if (!is_backup_name(de->d_name, stem))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			names = xrealloc(names, cap * sizeof *names);
		}
		names[n++] = xstrdup(de->d_name);
	}
	closedir(dp);
	qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i + (size_t)keep < n; i++) {
		char *p = path_join(dir, names[i]);
		unlink(p);
		free(p);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* The file about to be replaced becomes the backup as it is: a second name
 * for its inode costs nothing, where a copy is the file's size written and
 * fsync'd again.  Only if the name still holds what was read (orig);
 * false when the file system has no hard links or the file changed. */
static bool link_backup(const char *path, const char *bpath, const struct stat *orig)
{
	struct stat st;
	if (linkat(AT_FDCWD, path, AT_FDCWD, bpath, AT_SYMLINK_FOLLOW) < 0)
		return false;
	if (stat(bpath, &st) == 0 && st.st_ino == orig->st_ino && st.st_dev == orig->st_dev &&
	    st.st_size == orig->st_size && st.st_mtim.tv_sec == orig->st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == orig->st_mtim.tv_nsec)
		return true;
	unlink(bpath);
	return false;
}

/* The backup keeps the original's mode and owner (a private CSV stays
 * private).  *made: the backup made now (caller frees), else NULL. */
static int make_backup(const char *path, const char *data, size_t len, const struct stat *orig,
		       const mc_commit_opts *o, char **made, sb_err *e)
{
	char stamp[32];
	if (o && o->backup_session) {
		snprintf(stamp, sizeof stamp, "%s", o->backup_session);
	} else {
		time_t t = time(NULL);
		struct tm tm;
		localtime_r(&t, &tm);
		strftime(stamp, sizeof stamp, "%Y%m%d_%H%M%S", &tm);
	}
	char *dir = path_dirname(path);
	const char *base = path_basename(path);
	const char *dot = strrchr(base, '.');
	char *stem = dot ? xstrndup(base, (size_t)(dot - base)) : xstrdup(base);
	char *bname = xasprintf("%s_%s.csv", stem, stamp);
	char *bpath = path_join(dir, bname);
	int r = 0;
	if (!file_exists(bpath)) {
		if (!link_backup(path, bpath, orig))
			r = atomic_write_like(bpath, data, len, orig, e);
		if (r == 0)
			rotate_backups(dir, stem, o && o->backups > 0 ? o->backups : 10);
	}
	*made = r == 0 ? bpath : NULL;
	if (!*made)
		free(bpath);
	free(bname);
	free(stem);
	free(dir);
	return r;
}

size_t mediacsv_remove_dead_temps(const char *path)
{
	char *dir = path_dirname(path);
	const char *base = path_basename(path);
	const char *dot = strrchr(base, '.');
	/* "NAME.csv.tmp.*" and the backups' "NAME_STAMP.csv.tmp.*" */
	char *stem = dot ? xstrndup(base, (size_t)(dot - base)) : xstrdup(base);
	size_t n = util_remove_dead_temps(dir, stem);
	free(stem);
	free(dir);
	return n;
}

/* A CSV the user made read-only (or in a read-only folder) is not replaced
 * behind their back: say which and what to do; the results wait. */
static int refuse_read_only(const char *path, const struct stat *st, sb_err *e)
{
	if (!(st->st_mode & 0222) || faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) < 0)
		return sb_fail(e, SBE_IO,
			       _("%s is read-only, so stockbatch does not replace it; the results "
				 "are kept: make it writable (chmod u+w %s) and run `stockbatch "
				 "retrieve` to commit them"),
			       path, path);
	char *dir = path_dirname(path);
	int r = 0;
	struct stat dst;
	if ((stat(dir, &dst) == 0 && !(dst.st_mode & 0222)) ||
	    faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) < 0)
		r = sb_fail(
			e, SBE_IO,
			_("the folder %s is read-only, so stockbatch cannot replace %s in it; "
			  "the results are kept: make the folder writable (chmod u+w %s) and run "
			  "`stockbatch retrieve` to commit them"),
			dir, path_basename(path), dir);
	free(dir);
	return r;
}

/* A stat of the file is the one we read: inode, size, modification time
 * (not the change time: the backup's hard link and a rename set it). */
static bool same_stat(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* name holds exactly the file we read: the same inode, untouched since (its
 * times, and its bytes, for a clock too coarse to tell two saves apart). */
static bool still_as_read(const char *name, const struct stat *st0, const char *data, size_t len)
{
	int fd = open(name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct stat st;
	bool same = fstat(fd, &st) == 0 && same_stat(&st, st0) && (size_t)st.st_size == len;
	char buf[65536];
	for (size_t off = 0; same;) {
		ssize_t r = read(fd, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			same = r == 0 && off == len;
			break;
		}
		same = off + (size_t)r <= len && memcmp(buf, data + off, (size_t)r) == 0;
		off += (size_t)r;
	}
	close(fd);
	return same;
}

/* Our new file (tmp, written and fsync'ed) in place of path, unless path
 * changed since we read it (st0, data).  The last check and the swap are
 * two system calls apart; the swap is a RENAME_EXCHANGE, so the file it
 * replaced comes back under tmp's name: a save that slipped in between (a
 * new file renamed over path, or path rewritten in place) is seen there, is
 * put back in place, and the caller merges again.  Where the file system
 * cannot exchange, a plain rename.  0 installed, 1 path changed (nothing
 * of ours left behind), -1 with e set. */
static int install(const char *path, const char *tmp, const struct stat *st0, const char *data,
		   size_t len, sb_err *e)
{
	struct stat mine, st1, link;
	if (lstat(tmp, &mine) < 0 || stat(path, &st1) < 0 || !same_stat(&st1, st0)) {
		unlink(tmp);
		return 1;
	}
	/* a CSV reached through a symbolic link is replaced as before: renamed over */
	bool swap = lstat(path, &link) == 0 && S_ISREG(link.st_mode);
	if (!swap || util_rename_exchange(tmp, path) < 0) {
		bool cannot_swap =
			!swap || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP;
		if (!cannot_swap || rename(tmp, path) < 0) {
			sb_fail(e, SBE_IO, _("cannot rename %s to %s: %s"), tmp, path,
				strerror(errno));
			unlink(tmp);
			return -1;
		}
		fsync_dir_of(path);
		return 0;
	}
	if (still_as_read(tmp, st0, data, len)) {
		unlink(tmp);
		fsync_dir_of(path);
		return 0;
	}
	/* saved by someone else after our read: their file goes back */
	if (util_rename_exchange(tmp, path) < 0)
		return sb_fail(
			e, SBE_IO,
			_("%s was saved by another program while stockbatch committed into "
			  "it, and that save could not be put back: it is %s (the file as it "
			  "was before the commit is in the backup beside it)"),
			path, tmp);
	struct stat now;
	if (lstat(tmp, &now) == 0 && now.st_ino != mine.st_ino)
		util_rename_exchange(tmp, path); /* ours was replaced meanwhile: the newest back */
	unlink(tmp);
	fsync_dir_of(path);
	return 1;
}

static int write_csv(int fd, void *m)
{
	return mediacsv_write_fd(m, fd);
}

static int commit_merge(const char *path, const mc_update *u, size_t n, const mc_commit_opts *o,
			mc_commit_result *res, sb_err *e)
{
	/* If another writer saves the file while we merge, merge again. */
	for (int attempt = 0; attempt < 8; attempt++) {
		struct stat st0, st1;
		mediacsv *m;
		if (mediacsv_load_stat(path, &m, &st0, true, e) < 0)
			return -1;
		memset(res, 0, offsetof(mc_commit_result, status));
		for (size_t i = 0; i < n; i++) {
			size_t d = u[i].depends_on;
			res->fp[i][0] = '\0';
			int s = d && d <= i && res->status[d - 1] > 1
					? 4
					: commit_one(m, &u[i], o, res->fp[i]);
			res->status[i] = s;
			if (s == 0)
				res->applied++;
			else if (s == 1)
				res->already++;
			else if (s == 2)
				res->conflicts++;
			else if (s == 3)
				res->unknown++;
		}
		if (res->applied == 0) {
			mediacsv_free(m);
			return 0;
		}
		if (refuse_read_only(path, &st0, e) < 0) {
			mediacsv_free(m);
			return -1;
		}
		if (stat(path, &st1) < 0 || !same_stat(&st1, &st0)) {
			mediacsv_free(m);
			continue; /* changed already: no need to write */
		}
		char *tmp = NULL, *made = NULL;
		int r = make_backup(path, m->data, m->len, &st0, o, &made, e);
		if (r == 0) /* streamed: the new file is never a second copy in memory */
			r = util_write_temp_like_with(path, write_csv, m, &st0, &tmp, e);
		if (r == 0)
			r = install(path, tmp, &st0, m->data, m->len, e);
		/* a backup that is still the live file's second name would change
		 * with it: it goes when the file was not replaced */
		if (r != 0 && made)
			unlink(made);
		free(made);
		free(tmp);
		mediacsv_free(m);
		if (r != 1)
			return r;
	}
	return sb_fail(e, SBE_CONFLICT,
		       _("%s keeps changing while stockbatch merges its results; close the program "
			 "editing it and commit again"),
		       path);
}

int mediacsv_commit(const char *path, const mc_update *u, size_t n, const mc_commit_opts *o,
		    mc_commit_result *res, sb_err *e)
{
	memset(res, 0, sizeof *res);
	res->status = xcalloc(n ? n : 1, sizeof *res->status);
	res->fp = xcalloc(n ? n : 1, sizeof *res->fp);
	mediacsv_remove_dead_temps(path);
	int r = commit_merge(path, u, n, o, res, e);
	if (r < 0)
		mc_commit_result_free(res); /* nothing to report on an error */
	return r;
}

void mc_commit_result_free(mc_commit_result *r)
{
	if (!r)
		return;
	free(r->status);
	r->status = NULL;
	free(r->fp);
	r->fp = NULL;
}
