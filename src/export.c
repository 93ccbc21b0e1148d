/* export.c: the agencies' upload CSVs (export.h). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "agency.h"
#include "export.h"
#include "i18n.h"
#include "photomedia.h"
#include "utf8.h"

/* What goes into a column. */
enum {
	X_CONST,   /* the text in val */
	X_FILE,    /* Soubor */
	X_TITLE,   /* Název */
	X_DESC,    /* Popis */
	X_KW,      /* Klíčová slova as the CSV has them */
	X_KW10,    /* the first 10 keywords (Alamy's Super Tags) */
	X_CATS,    /* the agency's kategorie column as it is */
	X_CATID,   /* the n-th category's numeric id (AdobeStock, Dreamstime) */
	X_CATNAME, /* the n-th category's name (Alamy) */
	X_CREATED, /* Datum vytvoření */
	X_ED,      /* editorial: val = "yes/no" form, as "Y|N" */
};

typedef struct ex_col {
	const char *head;
	int what;
	int n;           /* X_CATID, X_CATNAME: 0-based category */
	const char *val; /* X_CONST: the text; X_ED: "when editorial|otherwise" */
} ex_col;

#define EX_MAXCOLS 18
typedef struct ex_format {
	const char *agency;   /* as in PhotoMedia's "<Agency> status" */
	const char *cat_list; /* agency_lists key for X_CATID, or NULL */
	char delim;
	bool editorial; /* takes editorial content */
	int title_max;  /* characters; 0 = no limit checked here */
	int keywords_max;
	ex_col cols[EX_MAXCOLS];
} ex_format;

/* clang-format off */
#define C_(h, w) { h, w, 0, NULL }
/* clang-format on */
/* clang-format off */
#define K_(h, v) { h, X_CONST, 0, v }
/* clang-format on */
/* clang-format off */
static const ex_format formats[] = {
	{ "ShutterStock", NULL, ',', true, 200, 50,
	  { C_("Filename", X_FILE), C_("Description", X_DESC), C_("Keywords", X_KW),
	    C_("Categories", X_CATS), { "Editorial", X_ED, 0, "yes|no" }, K_("Mature content", "no"),
	    K_("illustration", "no") } },
	{ "BigStockPhoto", NULL, ',', true, 0, 50,
	  { C_("filename", X_FILE), C_("description", X_DESC), C_("keywords", X_KW),
	    C_("categories", X_CATS), K_("illustration", "no"), { "editorial", X_ED, 0, "yes|no" } } },
	{ "AdobeStock", "adobestock", ',', false, 70, 49,
	  { C_("Filename", X_FILE), C_("Title", X_TITLE), C_("Keywords", X_KW),
	    { "Category", X_CATID, 0, NULL }, K_("Releases", "") } },
	{ "DepositPhotos", NULL, ',', true, 0, 50,
	  { C_("Filename", X_FILE), C_("description", X_DESC), C_("Keywords", X_KW),
	    K_("Nudity", "no"), { "Editorial", X_ED, 0, "yes|no" } } },
	{ "123RF", NULL, ',', true, 0, 50,
	  { C_("oldfilename", X_FILE), K_("123rf_filename", ""), C_("description", X_DESC),
	    C_("keywords", X_KW), K_("country", "") } },
	{ "Alamy", NULL, ',', true, 0, 50,
	  { C_("Filename", X_FILE), C_("Caption", X_TITLE), C_("Tags", X_KW),
	    { "License type", X_ED, 0, "RF-E|RF" }, K_("Username", ""), C_("Super Tags", X_KW10),
	    K_("Location", ""), C_("Date taken", X_CREATED), K_("Number of People", ""),
	    K_("Model release", ""), K_("Is there property in this image", ""),
	    K_("Property release ", ""), { "Primary category", X_CATNAME, 0, NULL },
	    { "Secondary category", X_CATNAME, 1, NULL }, K_("Image Type", ""),
	    K_("Exclusive to Alamy", ""), C_("Additional Info", X_DESC) } },
	{ "GettyImages", NULL, ',', false, 0, 50,
	  { C_("file name", X_FILE), C_("created date", X_CREATED), C_("description", X_DESC),
	    K_("country", ""), K_("brief code", ""), C_("title", X_TITLE), C_("keywords", X_KW) } },
	{ "Dreamstime", "dreamstime", ',', true, 0, 50,
	  { C_("Filename", X_FILE), C_("Image Name", X_TITLE), C_("Description", X_DESC),
	    { "Category 1", X_CATID, 0, NULL }, { "Category 2", X_CATID, 1, NULL },
	    { "Category 3", X_CATID, 2, NULL }, C_("keywords", X_KW), K_("Free", "0"),
	    K_("W-EL", "0"), K_("P-EL", "0"), K_("SR-EL", "0"), K_("SR-Price", "0"),
	    { "Editorial", X_ED, 0, "1|0" }, K_("MR doc Ids", ""), K_("Pr Docs", "") } },
	{ "CanStockPhoto", NULL, '\t', true, 0, 50,
	  { C_("filename", X_FILE), C_("title", X_TITLE), C_("description", X_DESC),
	    C_("keywords", X_KW) } },
	{ "Pond5", NULL, ',', true, 80, 50,
	  { C_("originalfilename", X_FILE), C_("title", X_TITLE), C_("description", X_DESC),
	    C_("keywords", X_KW), K_("location", ""), K_("specifysource", ""), K_("copyright", ""),
	    K_("price", ""), K_("imagetype", "") } },
	{ "Pixta", NULL, ',', true, 0, 50,
	  { C_("Filename", X_FILE), C_("Title", X_TITLE), C_("Comment", X_DESC),
	    C_("Keywords", X_KW) } },
	{ "Freepik", NULL, ',', false, 0, 50,
	  { C_("Filename", X_FILE), C_("Title", X_TITLE), C_("Description", X_DESC),
	    C_("Keywords", X_KW) } },
	{ "Vecteezy", NULL, ',', true, 0, 50,
	  { C_("Filename", X_FILE), C_("Title", X_TITLE), C_("Description", X_DESC),
	    C_("Keywords", X_KW) } },
	{ "StoryBlocks", NULL, ',', true, 0, 50,
	  { C_("Headline", X_TITLE), C_("Description", X_DESC), C_("Keywords", X_KW) } },
};
/* clang-format on */
#undef C_
#undef K_
#define N_FORMATS (sizeof formats / sizeof formats[0])

size_t export_agency_count(void)
{
	return N_FORMATS;
}

const char *export_agency_name(size_t i)
{
	return i < N_FORMATS ? formats[i].agency : NULL;
}

int export_agency_find(const char *name)
{
	for (size_t i = 0; name && i < N_FORMATS; i++)
		if (!strcasecmp(formats[i].agency, name))
			return (int)i;
	return -1;
}

char *export_file_name(size_t agency)
{
	return xasprintf("%s.csv", formats[agency].agency);
}

/* ---- values ---------------------------------------------------------------- */

/* The n-th item of a ", "-joined list (trimmed); "" past the end. */
static char *list_item(const char *list, int n)
{
	const char *p = list;
	for (int i = 0; i < n && p; i++) {
		p = strchr(p, ',');
		if (p)
			p++;
	}
	if (!p)
		return xstrdup("");
	while (*p == ' ')
		p++;
	const char *end = strchr(p, ',');
	size_t len = end ? (size_t)(end - p) : strlen(p);
	while (len && p[len - 1] == ' ')
		len--;
	return xstrndup(p, len);
}

static size_t list_count(const char *list)
{
	size_t n = 0;
	for (int i = 0;; i++) {
		char *it = list_item(list, i);
		bool empty = !*it;
		free(it);
		if (empty)
			return n;
		n++;
	}
}

/* The first 10 keywords, joined as the CSV joins them. */
static char *first_keywords(const char *kw, int max)
{
	sbuf b = { 0 };
	for (int i = 0; i < max; i++) {
		char *it = list_item(kw, i);
		if (!*it) {
			free(it);
			break;
		}
		if (i)
			sbuf_adds(&b, ", ");
		sbuf_adds(&b, it);
		free(it);
	}
	return b.len ? sbuf_steal(&b) : xstrdup("");
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* One field as the format's delimiter wants it (Python's csv, minimal). */
static void add_field(sbuf *b, const char *v, char delim)
{
	if (!strchr(v, delim) && !strpbrk(v, "\"\r\n")) {
		sbuf_adds(b, v);
		return;
	}
	sbuf_addc(b, '"');
	for (; *v; v++) {
		if (*v == '"')
			sbuf_addc(b, '"');
		sbuf_addc(b, *v);
	}
	sbuf_addc(b, '"');
}

typedef struct row_ctx {
	const mediacsv *m;
	size_t row;
	const char *cats; /* the agency's kategorie column */
	bool editorial;
	const agency_lists *al;
} row_ctx;

/* The category id of column c, or NULL with *why set (caller frees both). */
static char *cat_id(const ex_format *f, const ex_col *c, const row_ctx *r, char **why)
{
	char *name = list_item(r->cats, c->n);
	if (!*name) {
		if (c->n == 0)
			*why = xasprintf(_("no %s category"), f->agency);
		free(name);
		return c->n == 0 ? NULL : xstrdup("");
	}
	const char *id = all_digits(name) ? name : agency_category_id(r->al, f->cat_list, name);
	if (!id) {
		*why = xasprintf(_("%s category \"%s\" is not on its list"), f->agency, name);
		free(name);
		return NULL;
	}
	char *out = xstrdup(id);
	free(name);
	return out;
}

/* The row's line for the format, or NULL with *why (caller frees). */
static char *row_line(const ex_format *f, const row_ctx *r, char **why)
{
	const mediacsv *m = r->m;
	sbuf b = { 0 };
	for (int i = 0; i < EX_MAXCOLS && f->cols[i].head; i++) {
		const ex_col *c = &f->cols[i];
		char *v = NULL;
		switch (c->what) {
		case X_CONST: v = xstrdup(c->val); break;
		case X_FILE: v = xstrdup(mediacsv_field(m, r->row, MC_SOUBOR)); break;
		case X_TITLE: v = xstrdup(mediacsv_field(m, r->row, MC_NAZEV)); break;
		case X_DESC: v = xstrdup(mediacsv_field(m, r->row, MC_POPIS)); break;
		case X_KW: v = xstrdup(mediacsv_field(m, r->row, MC_KLICOVA)); break;
		case X_KW10: v = first_keywords(mediacsv_field(m, r->row, MC_KLICOVA), 10); break;
		case X_CATS: v = xstrdup(r->cats); break;
		case X_CATNAME: v = list_item(r->cats, c->n); break;
		case X_CREATED: v = xstrdup(mediacsv_field(m, r->row, MC_DATUM_VYTVORENI)); break;
		case X_CATID:
			v = cat_id(f, c, r, why);
			if (!v) {
				sbuf_free(&b);
				return NULL;
			}
			break;
		case X_ED: {
			const char *bar = strchr(c->val, '|');
			v = r->editorial ? xstrndup(c->val, (size_t)(bar - c->val))
					 : xstrdup(bar + 1);
			break;
		}
		}
		if (i)
			sbuf_addc(&b, f->delim);
		add_field(&b, v, f->delim);
		free(v);
	}
	sbuf_adds(&b, "\r\n");
	return sbuf_steal(&b);
}

static char *header_line(const ex_format *f)
{
	sbuf b = { 0 };
	for (int i = 0; i < EX_MAXCOLS && f->cols[i].head; i++) {
		if (i)
			sbuf_addc(&b, f->delim);
		add_field(&b, f->cols[i].head, f->delim);
	}
	sbuf_adds(&b, "\r\n");
	return sbuf_steal(&b);
}

/* Why a prepared row cannot go to the agency, or NULL (caller frees). */
static char *row_refused(const ex_format *f, const row_ctx *r)
{
	const mediacsv *m = r->m;
	const char *title = mediacsv_field(m, r->row, MC_NAZEV);
	const char *desc = mediacsv_field(m, r->row, MC_POPIS);
	const char *kw = mediacsv_field(m, r->row, MC_KLICOVA);
	if (!*title || !*desc || !*kw)
		return xstrdup(_("metadata missing (title, description or keywords empty)"));
	if (r->editorial && !f->editorial)
		return xasprintf(_("editorial: %s takes no editorial content"), f->agency);
	if (f->title_max && utf8_chars(title) > (size_t)f->title_max)
		return xasprintf(_("title of %zu characters, %s takes up to %d"), utf8_chars(title),
				 f->agency, f->title_max);
	size_t nkw = list_count(kw);
	if (f->keywords_max && nkw > (size_t)f->keywords_max)
		return xasprintf(_("%zu keywords, %s takes up to %d"), nkw, f->agency,
				 f->keywords_max);
	return NULL;
}

/* ---- the record of what was exported -------------------------------------- */

static char *record_path(const char *state_dir)
{
	return path_join(state_dir, "exported.json");
}

static int record_load(const char *state_dir, json_object **out, sb_err *e)
{
	char *p = record_path(state_dir);
	*out = NULL;
	if (!file_exists(p)) {
		free(p);
		*out = json_object_new_object();
		return 0;
	}
	char *data = NULL;
	size_t len = 0;
	int rc = read_whole_file(p, &data, &len, e);
	if (rc == 0) {
		json_object *o = json_tokener_parse(data);
		if (!o || !json_object_is_type(o, json_type_object)) {
			json_object_put(o);
			rc = sb_fail(
				e, SBE_INPUT,
				_("%s: not a JSON object; move it away to export every prepared row again"),
				p);
		} else {
			*out = o;
		}
	}
	free(data);
	free(p);
	return rc;
}

static int record_save(const char *state_dir, json_object *rec, sb_err *e)
{
	if (mkdir_p(state_dir, 0700, e) < 0)
		return -1;
	char *p = record_path(state_dir);
	const char *s = json_object_to_json_string_ext(rec, JSON_C_TO_STRING_PRETTY |
								    JSON_C_TO_STRING_NOSLASHESCAPE);
	char *text = xasprintf("%s\n", s);
	int rc = atomic_write(p, text, strlen(text), 0600, e);
	free(text);
	free(p);
	return rc;
}

/* ---- one agency ------------------------------------------------------------ */

static void add_skip(export_agency_result *ar, const mediacsv *m, size_t row, char *reason)
{
	ar->skipped = xrealloc(ar->skipped, (ar->nskipped + 1) * sizeof *ar->skipped);
	export_skip *s = &ar->skipped[ar->nskipped++];
	s->file = xstrdup(mediacsv_field(m, row, MC_SOUBOR));
	s->cesta = xstrdup(mediacsv_field(m, row, MC_CESTA));
	s->line = mediacsv_lineno(m, row);
	s->reason = reason;
}

static int export_one(const ex_format *f, const mediacsv *m, const agency_lists *al,
		      json_object *rec, bool all, const struct stat *like, export_agency_result *ar,
		      bool *rec_changed, sb_err *e)
{
	char *stcol = xasprintf("%s status", f->agency),
	     *catcol = xasprintf("%s kategorie", f->agency);
	int sc = mediacsv_col(m, stcol), cc = mediacsv_col(m, catcol);
	free(stcol);
	free(catcol);
	json_object *seen = NULL;
	if (json_object_object_get_ex(rec, f->agency, &seen) &&
	    !json_object_is_type(seen, json_type_object))
		seen = NULL;
	sbuf body = { 0 };
	json_object *listed = json_object_new_object();
	for (size_t row = 0; sc >= 0 && row < mediacsv_rows(m); row++) {
		if (strcmp(mediacsv_get(m, row, sc), MC_ST_PREPARED))
			continue;
		ar->prepared++;
		row_ctx r = { m, row, mediacsv_get(m, row, cc), mediacsv_row_editorial(m, row), al };
		char *why = row_refused(f, &r), *line = NULL;
		if (!why)
			line = row_line(f, &r, &why);
		if (!line) {
			add_skip(ar, m, row, why);
			continue;
		}
		char hash[17];
		snprintf(hash, sizeof hash, "%016llx", fnv1a64(line, strlen(line)));
		const char *cesta = mediacsv_get(m, row, mediacsv_col(m, MC_CESTA));
		json_object *was = NULL;
		if (seen && json_object_object_get_ex(seen, cesta, &was) &&
		    !strcmp(json_object_get_string(was), hash)) {
			ar->already++;
			if (!all) {
				free(line);
				continue;
			}
		}
		sbuf_adds(&body, line);
		json_object_object_add(listed, cesta, json_object_new_string(hash));
		ar->rows++;
		free(line);
	}
	int rc = 0;
	if (ar->rows) {
		char *head = header_line(f);
		sbuf file = { 0 };
		sbuf_adds(&file, head);
		sbuf_add(&file, body.p, body.len);
		free(head);
		rc = atomic_write_like(ar->path, file.p, file.len, like, e);
		sbuf_free(&file);
		if (rc == 0) {
			ar->written = true;
			if (!seen) {
				seen = json_object_new_object();
				json_object_object_add(rec, f->agency, seen);
			}
			json_object_object_foreach(listed, k, v)
			{
				json_object_object_add(seen, k, json_object_get(v));
				*rec_changed = true;
			}
		}
	}
	json_object_put(listed);
	sbuf_free(&body);
	return rc;
}

int export_agencies(const settings *cfg, const export_opts *o, export_result *res, sb_err *e)
{
	memset(res, 0, sizeof *res);
	const char *csv = cfg->media_csv;
	struct stat st;
	if (stat(csv, &st) < 0)
		return sb_fail(e, SBE_IO, "%s: %s", csv, strerror(errno));
	mediacsv *m = NULL;
	if (mediacsv_load(csv, &m, e) < 0)
		return -1;
	char *dir = path_dirname(csv);
	char *cats = path_join(dir, "PhotoCategories.csv");
	agency_lists *al = NULL;
	json_object *rec = NULL;
	int rc = agency_lists_load(cfg, file_exists(cats) ? cats : NULL, &al, e);
	free(cats);
	res->out_dir = o->out_dir ? xstrdup(o->out_dir) : path_join(dir, "export");
	free(dir);
	/* the files keep the CSV's mode, never more than its owner's bits for a
	 * file written somewhere else: 0600 at most for a private library */
	st.st_mode &= 0777;
	if (rc == 0)
		rc = record_load(o->state_dir, &rec, e);
	if (rc == 0)
		rc = mkdir_p(res->out_dir, 0755, e);
	bool changed = false;
	size_t n = o->nagencies ? o->nagencies : N_FORMATS;
	res->a = xcalloc(n, sizeof *res->a);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		size_t fi = o->nagencies ? (size_t)o->agencies[i] : i;
		export_agency_result *ar = &res->a[res->n++];
		ar->agency = formats[fi].agency;
		char *base = export_file_name(fi);
		ar->path = path_join(res->out_dir, base);
		free(base);
		rc = export_one(&formats[fi], m, al, rec, o->all, &st, ar, &changed, e);
	}
	if (changed && record_save(o->state_dir, rec, rc == 0 ? e : &(sb_err){ 0 }) < 0)
		rc = -1;
	json_object_put(rec);
	agency_lists_free(al);
	mediacsv_free(m);
	return rc;
}

void export_result_free(export_result *r)
{
	for (size_t i = 0; i < r->n; i++) {
		export_agency_result *a = &r->a[i];
		for (size_t k = 0; k < a->nskipped; k++) {
			free(a->skipped[k].file);
			free(a->skipped[k].cesta);
			free(a->skipped[k].reason);
		}
		free(a->skipped);
		free(a->path);
	}
	free(r->a);
	free(r->out_dir);
	memset(r, 0, sizeof *r);
}
