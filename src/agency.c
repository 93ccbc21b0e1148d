/* agency.c: category lists, strict parsing of the model's answer and the
 * agencies' rules with mechanical repairs (reference/agencies.md, SPEC 6.2). */
#include "config.h"
#include "agency_int.h"
#include "i18n.h"
#include "photomedia.h"
#include "strmap.h"

#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <json-c/json.h>

/* The three agencies whose rules we enforce, with their limits. */
enum { AG_SS, AG_AS, AG_DS, AG_N };
static const char *const ag_key[AG_N] = { "shutterstock", "adobestock", "dreamstime" };
static const char *const ag_label[AG_N] = { "ShutterStock", "AdobeStock", "Dreamstime" };
static const size_t ag_max[AG_N] = { 2, 1, 3 };

#define DESC_MAX 200
#define KW_MIN 7
#define KW_MAX 50
#define KW_MAX_ADOBE 49

/* ---------------------------------------------------------------- text */

static void ascii_lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* Cut s to at most max characters, at a sentence end when one lies in the
 * second half of the kept text (prefer_sentence), else at a word boundary,
 * never inside a UTF-8 sequence.  Trailing separators are dropped.
 * Returns true if s was cut. */
static bool cut_text(char *s, size_t max, bool prefer_sentence)
{
	if (utf8_chars(s) <= max)
		return false;
	size_t lb = utf8_prefix_bytes(s, max);
	size_t cut = 0;
	if (s[lb] == ' ')
		cut = lb; /* the limit falls exactly between two words */
	if (prefer_sentence) {
		for (size_t i = lb; i-- > lb / 2;) {
			if ((s[i] == '.' || s[i] == '!' || s[i] == '?') &&
			    (i + 1 == lb || s[i + 1] == ' ')) {
				cut = i + 1;
				goto done;
			}
		}
	}
	if (!cut)
		for (size_t i = lb; i-- > 0;)
			if (s[i] == ' ') {
				cut = i;
				break;
			}
	if (!cut)
		cut = lb; /* one long word: cut at a character boundary */
	while (cut > 0 && strchr(" ,;:-(/&", s[cut - 1]))
		cut--;
	if (cut == 0)
		cut = lb;
done:
	s[cut] = 0;
	return true;
}

/* Where a title may end when it is too long: before one of these, the
 * words kept still read as a title ("Old beech forest with a path covered in
 * moss" from "... in moss and fallen leaves in autumn").  Never before "of"
 * ("a bunch | of flowers" would not read). */
/* clang-format off */
static const char *const phrase_breaks[] = {
	", ", "; ", ": ", " - ", " \xE2\x80\x93 ", " \xE2\x80\x94 ", " with ", " and ", " in ", " at ",
	" on ", " near ", " during ", " under ", " over ", " from ", " by ", " for ", " while ",
	" against ", " between ", " behind ", " beside ", " into ", " through ", " along ",
	" across ", " around ", " among ", " after ", " before ", " above ", " below ", " or ", NULL
};
/* clang-format on */

/* Cut a too long title at the last phrase boundary that keeps at least
 * half of max.  Returns 0 when s fits, 1 when cut, -1 when there is no
 * such boundary (s unchanged: the model is asked again with the limit). */
static int cut_title(char *s, size_t max)
{
	if (utf8_chars(s) <= max)
		return 0;
	size_t lb = utf8_prefix_bytes(s, max), best = 0;
	/* the main subject comes first: a clause list ("Spruce forest in mist,
	 * morning, hills, ...") ends at its first comma that keeps enough */
	for (size_t i = 1; i <= lb && !best; i++)
		if ((s[i] == ',' || s[i] == ';') && s[i + 1] == ' ') {
			char save = s[i];
			s[i] = 0;
			if (utf8_chars(s) * 2 >= max)
				best = i;
			s[i] = save;
		}
	for (size_t i = best ? lb + 1 : 1; i <= lb; i++)
		for (size_t k = 0; phrase_breaks[k]; k++)
			if (!strncasecmp(s + i, phrase_breaks[k], strlen(phrase_breaks[k]))) {
				best = i;
				break;
			}
	if (best) {
		char save = s[best];
		s[best] = 0;
		size_t kept = utf8_chars(s);
		s[best] = save;
		if (kept * 2 < max)
			best = 0;
	}
	if (!best)
		return -1;
	while (best > 0 && strchr(" ,;:-", s[best - 1]))
		best--;
	s[best] = 0;
	return 1;
}

/* A copy for whole-word matching: lower case, hyphens and underscores as
 * spaces, apostrophes dropped, padded with spaces at both ends. */
static char *match_form(const char *s)
{
	sbuf b = { 0 };
	sbuf_addc(&b, ' ');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\'')
			continue;
		if (c == '-' || c == '_' || c < 0x20)
			c = ' ';
		sbuf_addc(&b, (char)tolower(c));
	}
	sbuf_addc(&b, ' ');
	return sbuf_steal(&b);
}

static bool word_char(unsigned char c)
{
	return isalnum(c) || c >= 0x80;
}

/* ----------------------------------------------------------------- lists */

/* Matching key: lower case, no spaces, every arrow form ("->", "→", ">")
 * as '>', so "Nature > Sea & Ocean" finds "Nature -> Sea & Ocean". */
static char *cat_key(const char *s)
{
	sbuf b = { 0 };
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (isspace(c))
			continue;
		if (c == '-' && s[1] == '>') {
			sbuf_addc(&b, '>');
			s++;
			continue;
		}
		if (c == 0xE2 && (unsigned char)s[1] == 0x86 && (unsigned char)s[2] == 0x92) {
			sbuf_addc(&b, '>'); /* U+2192 RIGHTWARDS ARROW */
			s += 2;
			continue;
		}
		sbuf_addc(&b, (char)tolower(c));
	}
	if (!b.p)
		return xstrdup("");
	return sbuf_steal(&b);
}

static agency_list *list_find(const agency_lists *l, const char *agency)
{
	if (!l || !agency)
		return NULL;
	for (size_t i = 0; i < l->n; i++)
		if (!strcasecmp(l->a[i].agency, agency))
			return &l->a[i];
	return NULL;
}

static void list_clear(agency_list *al)
{
	for (size_t i = 0; i < al->n; i++) {
		free(al->e[i].name);
		free(al->e[i].id);
		free(al->e[i].value);
		free(al->e[i].key);
	}
	free(al->e);
	free(al->names);
	al->e = NULL;
	al->names = NULL;
	al->n = al->cap = 0;
}

static agency_list *list_get(agency_lists *l, const char *agency)
{
	agency_list *al = list_find(l, agency);
	if (al)
		return al;
	l->a = xrealloc(l->a, (l->n + 1) * sizeof *l->a);
	al = &l->a[l->n++];
	memset(al, 0, sizeof *al);
	al->agency = xstrdup(agency);
	ascii_lower(al->agency);
	return al;
}

/* Add one entry: "name", or "id=name" (AdobeStock, Dreamstime).  An
 * AdobeStock name without an id takes the id from `ids` (the shipped list)
 * when it is there, so the CSV still gets the number. */
static void list_add(agency_list *al, const char *line, const agency_list *ids)
{
	const char *eq = line;
	while (isdigit((unsigned char)*eq))
		eq++;
	char *id = NULL, *name;
	if (eq > line && *eq == '=') {
		id = xstrndup(line, (size_t)(eq - line));
		name = xstrdup(eq + 1);
	} else {
		name = xstrdup(line);
	}
	text_squeeze_spaces(name);
	if (!*name) {
		free(id);
		free(name);
		return;
	}
	char *key = cat_key(name);
	for (size_t i = 0; i < al->n; i++)
		if (!strcmp(al->e[i].key, key)) { /* duplicate line */
			free(id);
			free(name);
			free(key);
			return;
		}
	if (!id && ids && !strcmp(al->agency, "adobestock"))
		for (size_t i = 0; i < ids->n; i++)
			if (ids->e[i].id && !strcmp(ids->e[i].key, key)) {
				id = xstrdup(ids->e[i].id);
				break;
			}
	if (al->n == al->cap) {
		al->cap = al->cap ? al->cap * 2 : 32;
		al->e = xrealloc(al->e, al->cap * sizeof *al->e);
	}
	cat_ent *c = &al->e[al->n++];
	c->name = name;
	c->id = id;
	c->key = key;
	c->value = xstrdup(!strcmp(al->agency, "adobestock") && id ? id : name);
	free(al->names);
	al->names = NULL;
}

static int load_txt(agency_lists *l, const char *agency, const char *path, sb_err *e)
{
	char *data = NULL;
	size_t len;
	sb_err why = { 0 };
	if (read_whole_file(path, &data, &len, &why) < 0)
		return sb_fail(
			e, SBE_IO,
			_("%s: cannot read the %s category list (%s); reinstall stockbatch or set STOCKBATCH_DATADIR"),
			path, agency, why.msg);
	agency_list *al = list_get(l, agency);
	list_clear(al);
	char *save = NULL;
	for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t n = strlen(line);
		while (n && (line[n - 1] == '\r' || line[n - 1] == ' '))
			line[--n] = 0;
		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line || *line == '#')
			continue;
		list_add(al, line, NULL);
	}
	free(data);
	return 0;
}

static void load_brands(agency_lists *l, const char *path)
{
	char *data;
	size_t len;
	if (read_whole_file(path, &data, &len, NULL) < 0)
		return; /* optional: no list, no brand check */
	char *save = NULL;
	for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (*line == '#')
			continue;
		char *f = utf8_fold(line), *m = match_form(f); /* "Škoda" is "skoda" */
		free(f);
		text_squeeze_spaces(m);
		if (*m) {
			l->brands = xrealloc(l->brands, (l->nbrands + 1) * sizeof *l->brands);
			l->brands[l->nbrands++] = m;
		} else {
			free(m);
		}
	}
	free(data);
}

static void load_names(agency_lists *l, const char *path)
{
	char *data;
	size_t len;
	if (read_whole_file(path, &data, &len, NULL) < 0)
		return; /* optional: no list, no name check */
	agency_lists_add_names(l, data);
	free(data);
}

/* PhotoCategories.csv through libcsv: row 1 names the banks, each column
 * lists that bank's categories; empty cells are skipped. */
typedef struct csv_ctx {
	agency_lists *l;
	const agency_lists *shipped; /* AdobeStock ids by name */
	char **cols;                 /* bank key per column */
	size_t ncols, col;
	long row;
	bool *cleared;
	bool too_many;
} csv_ctx;

static void csv_field(void *data, size_t len, void *vctx)
{
	csv_ctx *c = vctx;
	char *s = xstrndup(data ? data : "", len);
	if (c->row == 0) {
		char *k = s;
		if (!strncmp(k, "\xEF\xBB\xBF", 3) && c->ncols == 0)
			k += 3; /* the BOM the existing tools write */
		text_squeeze_spaces(k);
		ascii_lower(k);
		c->cols = xrealloc(c->cols, (c->ncols + 1) * sizeof *c->cols);
		c->cols[c->ncols++] = xstrdup(k);
	} else if (c->col >= c->ncols) {
		if (len)
			c->too_many = true;
	} else {
		text_squeeze_spaces(s);
		const char *bank = c->cols[c->col];
		if (*s && *bank) {
			agency_list *al = list_get(c->l, bank);
			if (!c->cleared[c->col]) { /* the user's column replaces ours */
				list_clear(al);
				c->cleared[c->col] = true;
			}
			list_add(al, s, list_find(c->shipped, bank));
		}
	}
	free(s);
	c->col++;
}

static void csv_row(int ch, void *vctx)
{
	(void)ch;
	csv_ctx *c = vctx;
	if (c->row == 0) {
		c->cleared = xcalloc(c->ncols ? c->ncols : 1, sizeof *c->cleared);
	}
	c->row++;
	c->col = 0;
}

static long line_of(const char *data, size_t upto)
{
	long line = 1;
	for (size_t i = 0; i < upto; i++)
		if (data[i] == '\n')
			line++;
	return line;
}

int agency_lists_parse_csv(agency_lists **lp, const char *name, const char *data, size_t len,
			   sb_err *e)
{
	if (!*lp)
		*lp = xcalloc(1, sizeof **lp);
	agency_lists *l = *lp;
	size_t bad;
	if (!utf8_valid(data, len, &bad))
		return sb_fail(e, SBE_INPUT, _("%s:%ld: invalid UTF-8; save the file as UTF-8"),
			       name, line_of(data, bad));
	/* Keep a copy of the AdobeStock ids before the user's columns replace them. */
	agency_lists shipped = { 0 };
	agency_list *as = list_find(l, "adobestock");
	if (as) {
		shipped.a = xcalloc(1, sizeof *shipped.a);
		shipped.n = 1;
		shipped.a[0].agency = xstrdup("adobestock");
		for (size_t i = 0; i < as->n; i++)
			if (as->e[i].id) {
				char *line = xasprintf("%s=%s", as->e[i].id, as->e[i].name);
				list_add(&shipped.a[0], line, NULL);
				free(line);
			}
	}
	struct csv_parser p;
	csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL);
	csv_ctx c = { .l = l, .shipped = &shipped };
	int rc = 0;
	size_t done = csv_parse(&p, data, len, csv_field, csv_row, &c);
	if (done != len || csv_fini(&p, csv_field, csv_row, &c) != 0) {
		rc = sb_fail(e, SBE_INPUT,
			     _("%s:%ld: malformed CSV (%s); fix the quoting in this line"), name,
			     line_of(data, done), csv_strerror(csv_error(&p)));
	} else if (c.too_many) {
		rc = sb_fail(
			e, SBE_INPUT,
			_("%s: a row has more cells than the header names banks; add the bank name to the first row"),
			name);
	}
	csv_free(&p);
	for (size_t i = 0; i < c.ncols; i++)
		free(c.cols[i]);
	free(c.cols);
	free(c.cleared);
	for (size_t i = 0; i < shipped.n; i++) {
		list_clear(&shipped.a[i]);
		free(shipped.a[i].agency);
	}
	free(shipped.a);
	return rc;
}

int agency_lists_load(const settings *cfg, const char *photocategories_csv, agency_lists **out,
		      sb_err *e)
{
	*out = NULL;
	const char *dir = cfg && cfg->data_dir && *cfg->data_dir ? cfg->data_dir : data_dir();
	agency_lists *l = xcalloc(1, sizeof *l);
	for (int a = 0; a < AG_N; a++) {
		char *base = xasprintf("%s-categories.txt", ag_key[a]);
		char *path = path_join(dir, base);
		int rc = load_txt(l, ag_key[a], path, e);
		free(base);
		free(path);
		if (rc < 0) {
			agency_lists_free(l);
			return -1;
		}
	}
	char *tm = path_join(dir, "trademarks.txt");
	load_brands(l, tm);
	free(tm);
	char *gn = path_join(dir, "given-names.txt");
	load_names(l, gn);
	free(gn);
	if (photocategories_csv && file_exists(photocategories_csv)) {
		char *data = NULL;
		size_t len = 0;
		int rc = read_whole_file(photocategories_csv, &data, &len, e);
		if (rc == 0)
			rc = agency_lists_parse_csv(&l, photocategories_csv, data, len, e);
		free(data);
		if (rc < 0) {
			agency_lists_free(l);
			return -1;
		}
	}
	*out = l;
	return 0;
}

void agency_lists_free(agency_lists *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		list_clear(&l->a[i]);
		free(l->a[i].agency);
	}
	free(l->a);
	for (size_t i = 0; i < l->nbrands; i++)
		free(l->brands[i]);
	free(l->brands);
	strmap_free(&l->names);
	free(l);
}

const char *const *agency_categories(const agency_lists *l, const char *agency, size_t *n)
{
	agency_list *al = list_find(l, agency);
	if (n)
		*n = al ? al->n : 0;
	if (!al)
		return NULL;
	if (!al->names) {
		al->names = xcalloc(al->n + 1, sizeof *al->names);
		for (size_t i = 0; i < al->n; i++)
			al->names[i] = al->e[i].name;
	}
	return al->names;
}

static const char *match_key(const agency_list *al, const char *key)
{
	for (size_t i = 0; i < al->n; i++)
		if (!strcmp(al->e[i].key, key))
			return al->e[i].value;
	return NULL;
}

const char *agency_match_category(const agency_lists *l, const char *agency, const char *answer)
{
	agency_list *al = list_find(l, agency);
	if (!al || !answer)
		return NULL;
	/* the name itself first, so every listed name finds its entry */
	char *key = cat_key(answer);
	const char *hit = match_key(al, key);
	/* "7", "7=Food" or "Food (7)": the id decides when it is on the list. */
	const char *p = answer;
	while (*p == ' ')
		p++;
	size_t nd = strspn(p, "0123456789");
	if (!hit && nd && nd < 12 && (p[nd] == 0 || p[nd] == '=' || p[nd] == ' ')) {
		for (size_t i = 0; i < al->n && !hit; i++)
			if (al->e[i].id && strlen(al->e[i].id) == nd &&
			    !strncmp(al->e[i].id, p, nd))
				hit = al->e[i].value;
	}
	if (!hit && nd && p[nd] == '=') {
		free(key);
		key = cat_key(p + nd + 1);
		hit = match_key(al, key);
	}
	/* "Food (7)" */
	if (!hit) {
		char *par = strrchr(key, '(');
		if (par && par > key) {
			*par = 0;
			hit = match_key(al, key);
		}
	}
	/* A part that names exactly one entry: "Mountains" for "Nature ->
	 * Mountains", "Animals" for "Animals/Wildlife". */
	if (!hit && *key && !strchr(key, '>')) {
		size_t kl = strlen(key);
		for (size_t i = 0; i < al->n; i++) {
			const char *ek = al->e[i].key;
			bool part = false;
			for (const char *q = ek; (q = strstr(q, key)); q++) {
				bool start = q == ek || q[-1] == '>' || q[-1] == '/';
				bool end = q[kl] == 0 || q[kl] == '>' || q[kl] == '/';
				if (start && end) {
					part = true;
					break;
				}
			}
			if (part) {
				if (hit) { /* ambiguous */
					hit = NULL;
					break;
				}
				hit = al->e[i].value;
			}
		}
	}
	free(key);
	return hit;
}

const char *agency_category_id(const agency_lists *l, const char *agency, const char *value)
{
	const char *hit = agency_match_category(l, agency, value);
	agency_list *al = hit ? list_find(l, agency) : NULL;
	for (size_t i = 0; al && i < al->n; i++)
		if (al->e[i].value == hit)
			return al->e[i].id;
	return NULL;
}

/* ----------------------------------------------------------------- parse */

void meta_free(meta_record *m)
{
	if (!m)
		return;
	free(m->title);
	free(m->description);
	for (size_t i = 0; i < m->nkeywords; i++)
		free(m->keywords[i]);
	free(m->keywords);
	for (size_t i = 0; i < m->ncats && i < 4; i++)
		for (size_t j = 0; j < m->cats[i].n; j++)
			free(m->cats[i].cats[j]);
	memset(m, 0, sizeof *m);
}

static int get_string(json_object *o, const char *what, char **out, sb_err *e)
{
	if (!o || !json_object_is_type(o, json_type_string))
		return sb_fail(e, SBE_INPUT, _("model answer: \"%s\" is missing or not a string"),
			       what);
	const char *s = json_object_get_string(o);
	size_t n = (size_t)json_object_get_string_len(o);
	if (memchr(s, 0, n))
		return sb_fail(e, SBE_INPUT, _("model answer: \"%s\" contains a NUL character"),
			       what);
	if (!utf8_valid(s, n, NULL))
		return sb_fail(e, SBE_INPUT, _("model answer: \"%s\" is not valid UTF-8"), what);
	*out = xstrndup(s, n);
	return 0;
}

/* The answer without surrounding white space and without the Markdown
 * fence (```json ... ```) some models wrap the object in. */
static int unfence(const char **sp, const char **endp, sb_err *e)
{
	const char *s = *sp, *end = *endp;
	while (s < end && isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	/* Some models wrap the object in a Markdown fence: ```json ... ``` */
	if (end - s >= 3 && !memcmp(s, "```", 3)) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl || end - nl < 4 || memcmp(end - 3, "```", 3))
			return sb_fail(e, SBE_INPUT,
				       _("model answer: a ``` fence that is not closed"));
		for (const char *t = s + 3; t < nl; t++)
			if (!isalnum((unsigned char)*t) && !isspace((unsigned char)*t))
				return sb_fail(e, SBE_INPUT,
					       _("model answer: text after the opening ``` fence"));
		s = nl + 1;
		end -= 3;
		while (end > s && isspace((unsigned char)end[-1]))
			end--;
	}
	*sp = s;
	*endp = end;
	return 0;
}

/* The fields of the answer's object into out (freed by the caller on an
 * error). */
static int read_fields(json_object *root, meta_record *out, sb_err *e)
{
	json_object *v;
	if (get_string(json_object_object_get_ex(root, "title", &v) ? v : NULL, "title",
		       &out->title, e) < 0 ||
	    get_string(json_object_object_get_ex(root, "description", &v) ? v : NULL, "description",
		       &out->description, e) < 0)
		return -1;
	if (!json_object_object_get_ex(root, "keywords", &v) ||
	    !json_object_is_type(v, json_type_array)) {
		sb_fail(e, SBE_INPUT, _("model answer: \"keywords\" is missing or not an array"));
		return -1;
	}
	size_t nk = json_object_array_length(v);
	out->keywords = xcalloc(nk ? nk : 1, sizeof *out->keywords);
	for (size_t i = 0; i < nk; i++) {
		if (get_string(json_object_array_get_idx(v, i), "keywords", &out->keywords[i], e) <
		    0)
			return -1;
		out->nkeywords++;
	}
	if (json_object_object_get_ex(root, "categories", &v)) {
		if (!json_object_is_type(v, json_type_object)) {
			sb_fail(e, SBE_INPUT, _("model answer: \"categories\" is not an object"));
			return -1;
		}
		json_object_object_foreach(v, key, arr)
		{
			if (!json_object_is_type(arr, json_type_array)) {
				sb_fail(e, SBE_INPUT,
					_("model answer: categories of \"%.40s\" are not an array"),
					key);
				return -1;
			}
			if (out->ncats == 4 || strlen(key) >= sizeof out->cats[0].agency) {
				sb_fail(e, SBE_INPUT,
					_("model answer: unexpected category group \"%.40s\""),
					key);
				return -1;
			}
			size_t g = out->ncats++;
			snprintf(out->cats[g].agency, sizeof out->cats[g].agency, "%s", key);
			ascii_lower(out->cats[g].agency);
			size_t na = json_object_array_length(arr);
			for (size_t i = 0; i < na; i++) {
				char *c;
				if (get_string(json_object_array_get_idx(arr, i), "categories", &c,
					       e) < 0)
					return -1;
				if (out->cats[g].n < META_MAX_CATS)
					out->cats[g].cats[out->cats[g].n++] = c;
				else {
					free(c);
					out->parse_dropped++;
				}
			}
		}
	}
	return 0;
}

int meta_parse(const char *json, size_t len, meta_record *out, sb_err *e)
{
	memset(out, 0, sizeof *out);
	if (!json)
		return sb_fail(e, SBE_INPUT, _("model answer: empty"));
	if (memchr(json, 0, len))
		return sb_fail(e, SBE_INPUT, _("model answer: contains a NUL byte"));
	const char *s = json, *end = json + len;
	if (unfence(&s, &end, e) < 0)
		return -1;
	if (s == end)
		return sb_fail(e, SBE_INPUT, _("model answer: empty"));
	if (end - s > INT_MAX / 2)
		return sb_fail(e, SBE_INPUT, _("model answer: too large"));
	json_tokener *tok = json_tokener_new_ex(32);
	if (!tok)
		return sb_fail(e, SBE_GENERIC, _("out of memory"));
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	json_object *root = json_tokener_parse_ex(tok, s, (int)(end - s));
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t used = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	int rc = -1;
	if (jerr == json_tokener_continue || (!root && jerr == json_tokener_success)) {
		sb_fail(e, SBE_INPUT, _("model answer: the JSON is cut short (%zu bytes)"),
			(size_t)(end - s));
		goto out;
	}
	if (jerr != json_tokener_success) {
		sb_fail(e, SBE_INPUT, _("model answer: invalid JSON at byte %zu: %s"), used,
			json_tokener_error_desc(jerr));
		goto out;
	}
	for (const char *t = s + used; t < end; t++)
		if (!isspace((unsigned char)*t)) {
			sb_fail(e, SBE_INPUT,
				_("model answer: text after the JSON object at byte %zu"),
				(size_t)(t - s));
			goto out;
		}
	if (!json_object_is_type(root, json_type_object)) {
		sb_fail(e, SBE_INPUT, _("model answer: not a JSON object"));
		goto out;
	}
	if (read_fields(root, out, e) < 0)
		goto out;
	rc = 0;
out:
	json_object_put(root);
	if (rc < 0)
		meta_free(out);
	return rc;
}

/* -------------------------------------------------------------- validate */

static bool enabled(const settings *cfg, int a)
{
	if (!cfg || cfg->nagencies <= 0)
		return true; /* no configuration: hold the record to every rule */
	for (int i = 0; i < cfg->nagencies && i < SB_MAX_AGENCIES; i++)
		if (cfg->agencies[i] && !strcasecmp(cfg->agencies[i], ag_key[a]))
			return true;
	return false;
}

int agency_title_max(const settings *cfg)
{
	if (cfg && cfg->title_max > 0)
		return cfg->title_max > DESC_MAX ? DESC_MAX : cfg->title_max;
	return enabled(cfg, AG_AS) ? 70 : 80;
}

static const char *find_brand(const agency_lists *l, const char *text)
{
	if (!l || !l->nbrands)
		return NULL;
	char *f = utf8_fold(text), *m = match_form(f);
	free(f);
	const char *hit = NULL;
	for (size_t i = 0; i < l->nbrands && !hit; i++) {
		size_t bl = strlen(l->brands[i]);
		for (const char *p = m; (p = strstr(p, l->brands[i])); p++)
			if (!word_char((unsigned char)p[-1]) && !word_char((unsigned char)p[bl])) {
				hit = l->brands[i];
				break;
			}
	}
	free(m);
	return hit;
}

static void fail(meta_check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(meta_check *c, const char *fmt, ...)
{
	if (c->why[0])
		return; /* keep the first problem */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->why, sizeof c->why, fmt, ap);
	va_end(ap);
}

/* fail() with the English words the model is asked again with. */
static void fail_ask(meta_check *c, const char *ask, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail_ask(meta_check *c, const char *ask, const char *fmt, ...)
{
	if (c->why[0])
		return;
	snprintf(c->ask, sizeof c->ask, "%s", ask);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->why, sizeof c->why, fmt, ap);
	va_end(ap);
}

/* One repair for the report: "field: what". */
static void note(meta_check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(meta_check *c, const char *fmt, ...)
{
	size_t have = strlen(c->notes);
	if (have + 8 >= sizeof c->notes)
		return;
	if (have) {
		snprintf(c->notes + have, sizeof c->notes - have, "; ");
		have += 2;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->notes + have, sizeof c->notes - have, fmt, ap);
	va_end(ap);
}

/* A "CITY, COUNTRY - DATE: " prefix (any of the formats) at the start of s. */
static size_t editorial_prefix_len(const char *s)
{
	return mc_editorial_prefix_len(s);
}

char *meta_editorial_prefix(const char *city, const char *country, const char *date, int fmt)
{
	return mc_editorial_prefix(city, country ? country : "", date, fmt);
}

/* The title: spaces, then cut at a phrase boundary or asked again. */
static void check_title(char **ps, size_t max, meta_check *c)
{
	if (text_squeeze_spaces(*ps))
		c->repaired++;
	if (!**ps)
		fail(c, _("%s is empty"), _("the title"));
	size_t was = utf8_chars(*ps);
	int cut = cut_title(*ps, max);
	if (cut > 0) {
		c->repaired++;
		note(c,
		     _("title: cut at a phrase boundary to the limit of %zu characters (was %zu)"),
		     max, was);
	} else if (cut < 0) {
		char ask[200];
		snprintf(
			ask, sizeof ask,
			"the title has %zu characters; write a complete title of at most %zu characters",
			was, max);
		fail_ask(
			c, ask,
			_("the title has %zu characters, over the limit of %zu, with no phrase boundary to cut at"),
			was, max);
	}
}

/* Room kept in the description for a prefix the commit will add when the
 * validation does not know the place and date: "CESKE BUDEJOVICE, CZECH -
 * 23 11 2026: " is 44 characters. */
#define EDITORIAL_ROOM 48

static void check_editorial(meta_record *m, const settings *cfg, const meta_opts *o, meta_check *c)
{
	size_t have = editorial_prefix_len(m->description);
	if (o->city && *o->city && o->date && *o->date) {
		/* the origin's dialog prefills the country "Czech", as mediacsv does */
		const char *country = o->country && *o->country ? o->country : "Czech";
		char *want = meta_editorial_prefix(o->city, country, o->date,
						   cfg ? cfg->editorial_format : MC_ED_ORIGIN);
		if (strncmp(m->description, want, strlen(want))) {
			char *body = m->description + have;
			char *d = xasprintf("%s%s", want, body);
			free(m->description);
			m->description = d;
			c->repaired++;
		}
		free(want);
	} else if (have) {
		/* place names upper case, as the origin writes them */
		char save = m->description[have];
		m->description[have] = 0;
		char *up = utf8_upper(m->description); /* ß becomes SS: may grow */
		m->description[have] = save;
		if (strncmp(up, m->description, have) || strlen(up) != have) {
			char *d = xasprintf("%s%s", up, m->description + have);
			free(m->description);
			m->description = d;
			c->repaired++;
		}
		free(up);
	}
	/* else: the place and date are not known here; the commit adds the
	 * prefix from the file's editorial facts (mediacsv_apply) and the
	 * caller leaves room for it (EDITORIAL_ROOM). */
}

/* A keyword's form: lower case, no hyphens, underscores, quotes or hashes
 * (reference: Prompts), no punctuation at either end.  A new string. */
static char *keyword_form(const char *k)
{
	char *w = utf8_lower(k);
	for (char *p = w; *p; p++)
		if (*p == '-' || *p == '_' || *p == '"' || *p == '#')
			*p = ' ';
	text_squeeze_spaces(w);
	size_t wl = strlen(w);
	while (wl && strchr(".!?:'()[]{}* ", w[wl - 1]))
		w[--wl] = 0;
	size_t lead = strspn(w, ".!?:'()[]{}* ");
	memmove(w, w + lead, strlen(w + lead) + 1);
	text_squeeze_spaces(w);
	return w;
}

/* Split, clean, dedupe and cap the keywords. */
static void check_keywords(meta_record *m, const settings *cfg, const agency_lists *l,
			   const meta_opts *o, meta_check *c)
{
	size_t max = enabled(cfg, AG_AS) ? KW_MAX_ADOBE : KW_MAX;
	char **kw = xcalloc(m->nkeywords + 2, sizeof *kw);
	size_t n = 0, cap = m->nkeywords + 2;
	bool changed = false, dropped = false, cut = false;
	if (o->editorial)
		kw[n++] = xstrdup("Editorial");
	for (size_t i = 0; i < m->nkeywords; i++) {
		if (o->editorial && i == 0 && !strcmp(m->keywords[0], "Editorial"))
			continue; /* already in place */
		if (n >= max) {   /* the rest would be dropped: spare the dedupe scan */
			cut = true;
			break;
		}
		char *save = NULL;
		char *copy = xstrdup(m->keywords[i]);
		if (strpbrk(copy, ",;"))
			changed = true; /* "a, b" is two keywords: the CSV joins them by ", " */
		for (char *k = strtok_r(copy, ",;", &save); k; k = strtok_r(NULL, ",;", &save)) {
			char *w = keyword_form(k);
			/* the form can leave what cleaning removes ("x[M]" is
			 * "x[m", an escape's remains): both until neither changes,
			 * so a second validation repairs nothing */
			for (;;) {
				bool more;
				char *cl = meta_clean_text(w, &more);
				free(w);
				if (!more) {
					w = cl;
					break;
				}
				w = keyword_form(cl);
				free(cl);
			}
			char *orig = xstrdup(k);
			char *t = orig;
			text_squeeze_spaces(t);
			if (strcmp(w, t))
				changed = true;
			free(orig);
			const char *brand = !o->editorial && *w ? find_brand(l, w) : NULL;
			char who[80] = "";
			bool url = text_has_url(w),
			     person = !o->editorial && *w && !brand && !url &&
				      agency_find_name(l, w, true, who, sizeof who);
			bool bad = !*w || url || brand || person ||
				   (o->editorial && !strcmp(w, "editorial"));
			for (size_t j = 0; j < n && !bad; j++)
				if (!utf8_casecmp(kw[j], w)) /* "straße" is "strasse" */
					bad = true;
			if (bad) {
				dropped = true;
				if (brand)
					note(c, _("keyword \"%s\": dropped, a brand"), w);
				else if (person)
					note(c, _("keyword \"%s\": dropped, a name of a person"),
					     w);
				else if (url)
					note(c, _("keyword \"%s\": dropped, a URL"), w);
				free(w);
				continue;
			}
			if (n == cap) {
				cap *= 2;
				kw = xrealloc(kw, cap * sizeof *kw);
			}
			kw[n++] = w;
		}
		free(copy);
	}
	while (n > max) { /* a split "a, b" may overshoot by a few */
		free(kw[--n]);
		cut = true;
	}
	c->repaired += changed + dropped + cut;
	if (changed)
		note(c, _("keywords: lower case, split at commas, punctuation removed"));
	if (dropped)
		note(c, _("keywords: duplicates and invalid ones removed"));
	if (cut)
		note(c, _("keywords: cut to %zu"), max);
	for (size_t i = 0; i < m->nkeywords; i++)
		free(m->keywords[i]);
	free(m->keywords);
	m->keywords = kw;
	m->nkeywords = n;
	if (n < KW_MIN)
		fail(c,
		     _("only %zu usable keywords after removing duplicates and invalid ones; at least %d are needed"),
		     n, KW_MIN);
}

static void check_categories(meta_record *m, const settings *cfg, const agency_lists *l,
			     const meta_opts *o, meta_check *c)
{
	meta_record out = { 0 };
	if (m->parse_dropped)
		c->repaired++;
	for (int a = 0; a < AG_N && !o->no_categories; a++) {
		if (!enabled(cfg, a) || (a == AG_AS && o->editorial))
			continue; /* AdobeStock takes no editorial content */
		size_t g = out.ncats++;
		snprintf(out.cats[g].agency, sizeof out.cats[g].agency, "%s", ag_key[a]);
		const char *first_bad = NULL;
		for (size_t i = 0; i < m->ncats && i < 4; i++) {
			if (strcasecmp(m->cats[i].agency, ag_key[a]))
				continue;
			for (size_t j = 0; j < m->cats[i].n; j++) {
				const char *ans = m->cats[i].cats[j];
				const char *v = l ? agency_match_category(l, ag_key[a], ans) : ans;
				if (!v) {
					if (!first_bad)
						first_bad = ans;
					c->repaired++;
					note(c,
					     _("%s category \"%.80s\": dropped, not on the list"),
					     ag_label[a], ans);
					continue;
				}
				bool dup = false;
				for (size_t k = 0; k < out.cats[g].n; k++)
					dup |= !strcmp(out.cats[g].cats[k], v);
				if (dup || out.cats[g].n >= ag_max[a]) {
					c->repaired++;
					continue;
				}
				if (strcmp(v, ans))
					c->repaired++; /* "Food" -> "7", "Nature > Forests" -> ... */
				out.cats[g].cats[out.cats[g].n++] = xstrdup(v);
			}
		}
		if (out.cats[g].n == 0) {
			if (first_bad)
				fail(c, _("no valid %s category: \"%.80s\" is not on its list"),
				     ag_label[a], first_bad);
			else
				fail(c, _("no %s category in the answer"), ag_label[a]);
		}
	}
	for (size_t i = 0; i < m->ncats && i < 4; i++)
		for (size_t j = 0; j < m->cats[i].n; j++)
			free(m->cats[i].cats[j]);
	memcpy(m->cats, out.cats, sizeof m->cats);
	m->ncats = out.ncats;
	m->parse_dropped = 0;
}

/* Every model string through meta_clean_text. */
static void clean_fields(meta_record *m, meta_check *c)
{
	char **f[] = { &m->title, &m->description };
	const char *what[] = { _("title"), _("description") };
	for (size_t i = 0; i < 2; i++) {
		bool ch = false;
		char *t = meta_clean_text(*f[i], &ch);
		free(*f[i]);
		*f[i] = t;
		if (ch) {
			c->repaired++;
			note(c,
			     _("%s: control characters, escape sequences, bidi or zero-width characters removed, NFC"),
			     what[i]);
		}
	}
	bool any = false;
	for (size_t i = 0; i < m->nkeywords; i++) {
		bool ch = false;
		char *t = meta_clean_text(m->keywords[i], &ch);
		free(m->keywords[i]);
		m->keywords[i] = t;
		any |= ch;
	}
	if (any) {
		c->repaired++;
		note(c,
		     _("%s: control characters, escape sequences, bidi or zero-width characters removed, NFC"),
		     _("keywords"));
	}
}

/* Names of people in the title or description: asked again (SPEC 6.2,
 * reference/agencies.md; editorial captions may name people). */
static void check_names(const meta_record *m, const agency_lists *l, meta_check *c)
{
	char who[80];
	const char *field = NULL;
	if (agency_find_name(l, m->title, false, who, sizeof who))
		field = "title";
	else if (agency_find_name(l, m->description, false, who, sizeof who))
		field = "description";
	if (!field)
		return;
	char ask[300];
	snprintf(
		ask, sizeof ask,
		"the %s names a person (\"%s\"); stock agencies refuse names of people: describe the person without a name",
		field, who);
	fail_ask(
		c, ask,
		_("the %s names a person (\"%s\"); agencies refuse names of people outside editorial"),
		!strcmp(field, "title") ? _("title") : _("description"), who);
}

static int validate_once(meta_record *m, const settings *cfg, const agency_lists *l,
			 const meta_opts *o, meta_check *c);

/* One validation's repairs can leave what another repair takes (a cut that
 * ends a description in "[m", the remains of an escape): validated again
 * while something was repaired, so that the record it returns passes a
 * second validation untouched.  Each round only shortens or settles the
 * text; four rounds are far more than any record needs. */
int meta_validate_opts(meta_record *m, const settings *cfg, const agency_lists *l,
		       const meta_opts *o, meta_check *check)
{
	meta_check local;
	meta_check *c = check ? check : &local;
	meta_opts none = { 0 };
	if (!o)
		o = &none;
	int rc = validate_once(m, cfg, l, o, c);
	for (int round = 0; round < 4 && rc == 0 && c->repaired; round++) {
		meta_check again;
		rc = validate_once(m, cfg, l, o, &again);
		if (rc < 0) {
			snprintf(c->why, sizeof c->why, "%s", again.why);
			snprintf(c->ask, sizeof c->ask, "%s", again.ask);
		}
		if (!again.repaired)
			break;
		c->repaired += again.repaired;
		if (again.notes[0])
			note(c, "%s", again.notes);
	}
	return rc;
}

static int validate_once(meta_record *m, const settings *cfg, const agency_lists *l,
			 const meta_opts *o, meta_check *c)
{
	memset(c, 0, sizeof *c);
	if (!m->title)
		m->title = xstrdup("");
	if (!m->description)
		m->description = xstrdup("");
	clean_fields(m, c);

	/* title: cut first (its commas are phrase boundaries), then no commas */
	check_title(&m->title, (size_t)agency_title_max(cfg), c);
	if (enabled(cfg, AG_AS) && strchr(m->title, ',')) {
		for (char *p = m->title; *p; p++)
			if (*p == ',')
				*p = ' '; /* AdobeStock: no commas in titles */
		text_squeeze_spaces(m->title);
		c->repaired++;
		note(c, _("title: commas removed (AdobeStock)"));
	}
	if (enabled(cfg, AG_DS) && islower((unsigned char)m->title[0])) {
		m->title[0] = (char)toupper((unsigned char)m->title[0]);
		c->repaired++;
		note(c, _("title: first letter capitalised (Dreamstime)"));
	}
	/* description */
	if (text_squeeze_spaces(m->description))
		c->repaired++;
	if (o->editorial)
		check_editorial(m, cfg, o, c);
	size_t pre = o->editorial ? editorial_prefix_len(m->description) : 0;
	size_t prechars = 0;
	if (pre) {
		char save = m->description[pre];
		m->description[pre] = 0;
		prechars = utf8_chars(m->description);
		m->description[pre] = save;
	}
	if (o->editorial && !pre)
		prechars = EDITORIAL_ROOM;
	size_t dmax = DESC_MAX > prechars ? DESC_MAX - prechars : 1;
	if (!m->description[pre])
		fail(c, _("the description is empty"));
	else if (cut_text(m->description + pre, dmax, true)) {
		c->repaired++;
		note(c, _("description: cut at a sentence or word boundary to %zu characters"),
		     dmax);
	}
	/* what no agency takes outside editorial */
	if (text_has_url(m->title) || text_has_url(m->description))
		fail_ask(c, "the title or description contains a URL; write it without one",
			 _("the title or description contains a URL"));
	if (!o->editorial) {
		const char *b = find_brand(l, m->title);
		if (!b)
			b = find_brand(l, m->description);
		if (b) {
			char ask[200];
			snprintf(
				ask, sizeof ask,
				"the title or description names a brand (\"%s\"); write it without brands",
				b);
			fail_ask(
				c, ask,
				_("the title or description names a brand (\"%s\"); agencies refuse trademarks outside editorial"),
				b);
		}
		check_names(m, l, c);
	}
	check_keywords(m, cfg, l, o, c);
	check_categories(m, cfg, l, o, c);
	if (c->why[0] && !c->ask[0])
		snprintf(c->ask, sizeof c->ask, "%s", c->why);
	return c->why[0] ? -1 : 0;
}

int meta_validate(meta_record *m, const settings *cfg, const agency_lists *l, bool editorial,
		  meta_check *check)
{
	meta_opts o = { .editorial = editorial };
	return meta_validate_opts(m, cfg, l, &o, check);
}

char *meta_categories_joined(const meta_record *m, const char *agency)
{
	for (size_t i = 0; i < m->ncats && i < 4; i++) {
		if (strcasecmp(m->cats[i].agency, agency) || !m->cats[i].n)
			continue;
		sbuf b = { 0 };
		for (size_t j = 0; j < m->cats[i].n; j++) {
			if (j)
				sbuf_adds(&b, ", ");
			sbuf_adds(&b, m->cats[i].cats[j]);
		}
		return sbuf_steal(&b);
	}
	return NULL;
}

/* ------------------------------------------------------- check any row */

const char *meta_agency_key(int a)
{
	return a >= 0 && a < AG_N ? ag_key[a] : "";
}

const char *meta_agency_label(int a)
{
	return a >= 0 && a < AG_N ? ag_label[a] : "";
}

bool meta_agency_enabled(const settings *cfg, int a)
{
	return a >= 0 && a < AG_N && enabled(cfg, a);
}

typedef struct rowchk {
	meta_rule_fn fn;
	void *ctx;
	size_t n;
} rowchk;

static void broke(rowchk *k, int a, const char *todo, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void broke(rowchk *k, int a, const char *todo, const char *fmt, ...)
{
	char rule[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rule, sizeof rule, fmt, ap);
	va_end(ap);
	k->n++;
	if (k->fn)
		k->fn(a, rule, todo, k->ctx);
}

/* Keywords split at ", " (the CSV's join). */
static size_t split_keywords(const char *s, char ***out)
{
	char **kw = NULL;
	size_t n = 0;
	char *copy = xstrdup(s ? s : ""), *p = copy;
	while (*p) {
		char *e = strstr(p, ", ");
		if (e)
			*e = 0;
		kw = xrealloc(kw, (n + 1) * sizeof *kw);
		kw[n++] = xstrdup(p);
		if (!e)
			break;
		p = e + 2;
	}
	free(copy);
	*out = kw;
	return n;
}

static void check_row_text(const agency_lists *l, const meta_row_in *r, char **kw, size_t nkw,
			   rowchk *k)
{
	const char *what[] = { _("title"), _("description") };
	const char *txt[] = { r->title, r->description };
	for (int i = 0; i < 2; i++) {
		bool ch = false;
		free(meta_clean_text(txt[i], &ch));
		if (ch)
			broke(k, -1, _("retype it, or let stockbatch describe the photo again"),
			      _("the %s has control, escape, bidi or zero-width characters, or is not NFC"),
			      what[i]);
	}
	bool ch = false;
	free(meta_clean_text(r->keywords, &ch));
	if (ch)
		broke(k, -1, _("retype them, or let stockbatch describe the photo again"),
		      _("the keywords have control, escape, bidi or zero-width characters, or are not NFC"));
	if (!*r->title)
		broke(k, -1, _("write a title"), _("the title is empty"));
	if (!*r->description)
		broke(k, -1, _("write a description"), _("the description is empty"));
	size_t dl = utf8_chars(r->description);
	if (dl > DESC_MAX)
		broke(k, -1, _("shorten it at a sentence end"),
		      _("the description has %zu characters, over %d"), dl, DESC_MAX);
	if (text_has_url(r->title) || text_has_url(r->description))
		broke(k, -1, _("remove the address"), _("the title or description contains a URL"));
	if (r->editorial) {
		if (!editorial_prefix_len(r->description))
			broke(k, -1,
			      _("start the description with the city, the country and the date"),
			      _("the editorial description lacks \"CITY, COUNTRY - DD MM YYYY: \""));
		return; /* editorial captions may name people and brands */
	}
	char who[80];
	for (int i = 0; i < 2; i++) {
		if (agency_find_name(l, txt[i], false, who, sizeof who))
			broke(k, -1, _("describe the person without a name"),
			      _("the %s names a person (\"%s\")"), what[i], who);
		const char *b = find_brand(l, txt[i]);
		if (b)
			broke(k, -1, _("remove the brand"), _("the %s names a brand (\"%s\")"),
			      what[i], b);
	}
	bool brands = find_brand(l, r->keywords) != NULL; /* one scan, then which */
	for (size_t i = 0; i < nkw; i++) {
		if (agency_find_name(l, kw[i], true, NULL, 0))
			broke(k, -1, _("remove the keyword"),
			      _("the keyword \"%s\" is a name of a person"), kw[i]);
		if (brands && find_brand(l, kw[i]))
			broke(k, -1, _("remove the keyword"), _("the keyword \"%s\" is a brand"),
			      kw[i]);
	}
}

static void check_row_keywords(const meta_row_in *r, char **kw, size_t nkw, rowchk *k)
{
	for (size_t i = 0; i < nkw; i++) {
		if (!*kw[i]) {
			broke(k, -1, _("remove the empty keyword"), _("an empty keyword"));
			continue;
		}
		if (r->editorial && i == 0 && !strcmp(kw[i], "Editorial"))
			continue;
		char *low = utf8_lower(kw[i]);
		if (strcmp(low, kw[i]))
			broke(k, -1, _("write it in lower case"),
			      _("the keyword \"%s\" is not lower case"), kw[i]);
		for (size_t j = 0; j < i; j++)
			if (!strcasecmp(kw[j], kw[i])) {
				broke(k, -1, _("remove the duplicate"),
				      _("the keyword \"%s\" is there twice"), kw[i]);
				break;
			}
		free(low);
	}
}

static bool cat_listed(const agency_lists *l, int a, const char *v)
{
	const char *m = agency_match_category(l, ag_key[a], v);
	return m && !strcmp(m, v);
}

static void check_row_agency(const agency_lists *l, const meta_row_in *r, int a, size_t nkw,
			     rowchk *k)
{
	size_t tl = utf8_chars(r->title);
	size_t kmax = a == AG_AS ? KW_MAX_ADOBE : KW_MAX;
	if (a == AG_AS && r->editorial)
		broke(k, a,
		      _("set its AdobeStock status back; AdobeStock takes no editorial content"),
		      _("an editorial row"));
	if (a == AG_AS && tl > 70)
		broke(k, a, _("shorten it at a phrase boundary"),
		      _("the title has %zu characters, over %d"), tl, 70);
	if (a == AG_SS && tl > DESC_MAX)
		broke(k, a, _("shorten it at a phrase boundary"),
		      _("the title has %zu characters, over %d"), tl, DESC_MAX);
	if (a == AG_AS && strchr(r->title, ','))
		broke(k, a, _("remove the commas"), _("the title has a comma"));
	if (a == AG_DS && *r->title && !utf8_starts_upper(r->title) &&
	    islower((unsigned char)r->title[0]))
		broke(k, a, _("capitalise the first letter"),
		      _("the title does not start with a capital"));
	if (nkw < KW_MIN || nkw > kmax)
		broke(k, a, nkw < KW_MIN ? _("add keywords") : _("remove the weakest keywords"),
		      _("%zu keywords, want %d to %zu"), nkw, KW_MIN, kmax);
	if (a == AG_AS && r->editorial)
		return;
	char **cats;
	size_t nc = split_keywords(r->cats[a], &cats);
	size_t want_min = 1, want_max = ag_max[a];
	if (nc < want_min || nc > want_max)
		broke(k, a, _("choose from the agency's category list"),
		      _("%zu categories, want %zu to %zu"), nc, want_min, want_max);
	for (size_t i = 0; i < nc; i++) {
		if (*cats[i] && !cat_listed(l, a, cats[i]))
			broke(k, a, _("choose from the agency's category list"),
			      _("the category \"%s\" is not on its list"), cats[i]);
		free(cats[i]);
	}
	free(cats);
}

size_t meta_check_row(const agency_lists *l, const settings *cfg, const meta_row_in *r,
		      meta_rule_fn fn, void *ctx)
{
	rowchk k = { fn, ctx, 0 };
	bool any = false;
	for (int a = 0; a < AG_N; a++)
		any |= r->sees[a] && enabled(cfg, a);
	if (!any)
		return 0;
	meta_row_in rr = *r;
	rr.title = r->title ? r->title : "";
	rr.description = r->description ? r->description : "";
	rr.keywords = r->keywords ? r->keywords : "";
	char **kw = NULL;
	size_t nkw = *rr.keywords ? split_keywords(rr.keywords, &kw) : 0;
	check_row_text(l, &rr, kw, nkw, &k);
	check_row_keywords(&rr, kw, nkw, &k);
	for (int a = 0; a < AG_N; a++)
		if (r->sees[a] && enabled(cfg, a))
			check_row_agency(l, &rr, a, nkw, &k);
	for (size_t i = 0; i < nkw; i++)
		free(kw[i]);
	free(kw);
	return k.n;
}
