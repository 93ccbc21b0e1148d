/* request.c: what we ask the model.  Prompts come from data/prompt-*.txt
 * with the enabled agencies' category lists filled in; the answer is forced
 * by a strict schema whose category fields are enums of those lists; the
 * user's text is sanitised and fenced so it stays data.  Also the custom
 * ids, task keys and the chunking of a run under the providers' limits. */
#include "config.h"
#include "request.h"
#include "agency.h"
#include "cost.h"
#include "i18n.h"

#include <json.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Longest description we pass on: far above any real one, bounds the cost. */
#define DESC_MAX_CHARS 4000

struct prompt_ctx {
	const settings *cfg;
	agency_lists *lists;
	char *system;
	char *user_tpl, *ed_tpl, *ed_unknown_tpl, *alt_tpl, *textonly_tpl, *series_tpl, *redo_tpl;
	char *schema, *schema_gemini, *alt_schema, *alt_schema_gemini;
	struct alt_tag {
		char *tag, *edit, *rules;
	} * tags;
	size_t ntags;
	int title_max;
};

/* The agencies we can ask categories for, with the reference's rules
 * (prompt text for the model: English, never translated). */
/* clang-format off */
static const struct { const char *key, *label, *rule; } cat_agencies[] = {
	{ "shutterstock", "shutterstock", "1 required, 1 optional" },
	{ "adobestock", "adobestock", "exactly 1" },
	{ "dreamstime", "dreamstime", "up to 3, written Main -> Sub" },
};
/* clang-format on */
#define NCAT (sizeof cat_agencies / sizeof cat_agencies[0])

/* ---- templates ---- */

typedef struct kv {
	const char *k, *v;
} kv;

/* Replace {name} for the given names; anything else stays as written (JSON
 * braces in the templates).  Values are never rescanned. */
static char *fill(const char *tpl, const kv *vars, size_t nv)
{
	sbuf b = { 0 };
	for (const char *p = tpl; *p;) {
		if (*p == '{') {
			bool done = false;
			for (size_t i = 0; i < nv; i++) {
				size_t l = strlen(vars[i].k);
				if (strncmp(p + 1, vars[i].k, l) == 0 && p[1 + l] == '}') {
					sbuf_adds(&b, vars[i].v ? vars[i].v : "");
					p += l + 2;
					done = true;
					break;
				}
			}
			if (done)
				continue;
		}
		sbuf_addc(&b, *p++);
	}
	return sbuf_steal(&b);
}

static char *tpl_path(const settings *cfg, const char *name)
{
	const char *dir = cfg && cfg->data_dir && *cfg->data_dir ? cfg->data_dir : data_dir();
	return path_join(dir, name);
}

static int load_tpl(const settings *cfg, const char *name, char **out, sb_err *e)
{
	char *path = tpl_path(cfg, name);
	size_t len;
	sb_err why = { 0 };
	int rc = read_whole_file(path, out, &len, &why);
	if (rc < 0)
		sb_fail(e, why.code ? why.code : SBE_IO,
			_("prompt template missing or unreadable (%s); reinstall stockbatch or set data_dir"),
			why.msg);
	free(path);
	return rc;
}

static void trim_right(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		s[--n] = '\0';
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	trim_right(s);
	return s;
}

static int load_tags(prompt_ctx *p, sb_err *e)
{
	char *data = NULL;
	if (load_tpl(p->cfg, "prompt-alt-tags.txt", &data, e) < 0)
		return -1;
	int lineno = 0, rc = 0;
	for (char *line = data, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		char *s = trim(line);
		if (!*s || *s == '#')
			continue;
		char *eq = strchr(s, '='), *bar = eq ? strchr(eq, '|') : NULL;
		if (!eq || !bar) {
			char *path = tpl_path(p->cfg, "prompt-alt-tags.txt");
			rc = sb_fail(e, SBE_INPUT,
				     _("%s:%d: expected \"tag = edit | rules\"; fix the line"),
				     path, lineno);
			free(path);
			break;
		}
		*eq = *bar = '\0';
		p->tags = xrealloc(p->tags, (p->ntags + 1) * sizeof *p->tags);
		p->tags[p->ntags].tag = xstrdup(trim(s));
		p->tags[p->ntags].edit = xstrdup(trim(eq + 1));
		p->tags[p->ntags].rules = xstrdup(trim(bar + 1));
		p->ntags++;
	}
	free(data);
	return rc;
}

/* ---- schema ---- */

static json_object *jstr_type(bool gemini)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "type", json_object_new_string(gemini ? "STRING" : "string"));
	return o;
}

static json_object *jarray_of(json_object *items, bool gemini)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "type", json_object_new_string(gemini ? "ARRAY" : "array"));
	json_object_object_add(o, "items", items);
	return o;
}

/* Strict (OpenAI): every property required, no extra properties.  Gemini's
 * responseSchema is the OpenAPI subset with upper-case types. */
static json_object *jobject(json_object *props, json_object *required, bool gemini)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "type", json_object_new_string(gemini ? "OBJECT" : "object"));
	json_object_object_add(o, "properties", props);
	json_object_object_add(o, "required", required);
	if (!gemini)
		json_object_object_add(o, "additionalProperties", json_object_new_boolean(0));
	return o;
}

static bool agency_on(const settings *cfg, const char *key)
{
	if (!cfg || cfg->nagencies == 0)
		return true;
	for (int i = 0; i < cfg->nagencies; i++)
		if (cfg->agencies[i] && strcasecmp(cfg->agencies[i], key) == 0)
			return true;
	return false;
}

static char *build_schema(prompt_ctx *p, bool with_categories, bool gemini)
{
	json_object *props = json_object_new_object(), *req = json_object_new_array();
	json_object_object_add(props, "title", jstr_type(gemini));
	json_object_object_add(props, "description", jstr_type(gemini));
	json_object_object_add(props, "keywords", jarray_of(jstr_type(gemini), gemini));
	json_object_array_add(req, json_object_new_string("title"));
	json_object_array_add(req, json_object_new_string("description"));
	json_object_array_add(req, json_object_new_string("keywords"));
	if (with_categories) {
		json_object *cp = json_object_new_object(), *creq = json_object_new_array();
		for (size_t a = 0; a < NCAT; a++) {
			size_t n = 0;
			const char *const *names =
				agency_on(p->cfg, cat_agencies[a].key) && p->lists
					? agency_categories(p->lists, cat_agencies[a].key, &n)
					: NULL;
			if (!names || n == 0)
				continue;
			json_object *item = jstr_type(gemini), *en = json_object_new_array();
			for (size_t i = 0; i < n; i++)
				json_object_array_add(en, json_object_new_string(names[i]));
			json_object_object_add(item, "enum", en);
			if (gemini)
				json_object_object_add(item, "format",
						       json_object_new_string("enum"));
			json_object_object_add(cp, cat_agencies[a].key, jarray_of(item, gemini));
			json_object_array_add(creq, json_object_new_string(cat_agencies[a].key));
		}
		if (json_object_array_length(creq) > 0) {
			json_object_object_add(props, "categories", jobject(cp, creq, gemini));
			json_object_array_add(req, json_object_new_string("categories"));
		} else {
			json_object_put(cp);
			json_object_put(creq);
		}
	}
	json_object *root = jobject(props, req, gemini);
	char *s = xstrdup(json_object_to_json_string_ext(
		root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return s;
}

/* ---- the system prompt ---- */

static char *build_system(prompt_ctx *p, const char *tpl, const char *cat_tpl)
{
	sbuf cats = { 0 }, keys = { 0 };
	for (size_t a = 0; a < NCAT; a++) {
		size_t n = 0;
		const char *const *names =
			agency_on(p->cfg, cat_agencies[a].key) && p->lists
				? agency_categories(p->lists, cat_agencies[a].key, &n)
				: NULL;
		if (!names || n == 0)
			continue;
		sbuf list = { 0 };
		for (size_t i = 0; i < n; i++)
			sbuf_printf(&list, "    %s\n", names[i]);
		trim_right(list.p);
		kv v[] = { { "agency", cat_agencies[a].label },
			   { "rule", cat_agencies[a].rule },
			   { "list", list.p } };
		char *blk = fill(cat_tpl, v, 3);
		sbuf_adds(&cats, blk);
		free(blk);
		sbuf_free(&list);
		sbuf_printf(&keys, "%s\"%s\": [\"...\"]", keys.len ? ", " : "",
			    cat_agencies[a].key);
	}
	char tmax[16];
	snprintf(tmax, sizeof tmax, "%d", p->title_max);
	kv v[] = { { "title_max", tmax },
		   { "categories", cats.p ? cats.p : "" },
		   { "category_keys", keys.p ? keys.p : "" } };
	char *s = fill(tpl, v, 3);
	sbuf_free(&cats);
	sbuf_free(&keys);
	trim_right(s);
	return s;
}

int prompt_open(const settings *cfg, prompt_ctx **out, sb_err *e)
{
	*out = NULL;
	prompt_ctx *p = xcalloc(1, sizeof *p);
	p->cfg = cfg;
	p->title_max = cfg ? agency_title_max(cfg) : 70;
	char *dir = path_dirname(cfg && cfg->media_csv ? cfg->media_csv : "PhotoMedia.csv");
	char *cats = path_join(dir, "PhotoCategories.csv");
	int rc = agency_lists_load(cfg, file_exists(cats) ? cats : NULL, &p->lists, e);
	free(cats);
	free(dir);
	char *sys_tpl = NULL, *cat_tpl = NULL;
	if (rc == 0)
		rc = load_tpl(cfg, "prompt-system.txt", &sys_tpl, e);
	if (rc == 0)
		rc = load_tpl(cfg, "prompt-categories.txt", &cat_tpl, e);
	if (rc == 0)
		rc = load_tpl(cfg, "prompt-user.txt", &p->user_tpl, e);
	if (rc == 0)
		rc = load_tpl(cfg, "prompt-editorial.txt", &p->ed_tpl, e);
	if (rc == 0)
		rc = load_tpl(cfg, "prompt-editorial-unknown.txt", &p->ed_unknown_tpl, e);
	if (rc == 0)
		rc = load_tpl(cfg, "prompt-alternative.txt", &p->alt_tpl, e);
	if (rc == 0)
		rc = load_tpl(cfg, "prompt-textonly.txt", &p->textonly_tpl, e);
	if (rc == 0)
		rc = load_tpl(cfg, "prompt-series.txt", &p->series_tpl, e);
	if (rc == 0)
		rc = load_tpl(cfg, "prompt-redo.txt", &p->redo_tpl, e);
	if (rc == 0)
		rc = load_tags(p, e);
	if (rc < 0) {
		free(sys_tpl);
		free(cat_tpl);
		prompt_close(p);
		return -1;
	}
	p->system = build_system(p, sys_tpl, cat_tpl);
	free(sys_tpl);
	free(cat_tpl);
	p->schema = build_schema(p, true, false);
	p->schema_gemini = build_schema(p, true, true);
	p->alt_schema = build_schema(p, false, false);
	p->alt_schema_gemini = build_schema(p, false, true);
	*out = p;
	return 0;
}

void prompt_close(prompt_ctx *p)
{
	if (!p)
		return;
	if (p->lists)
		agency_lists_free(p->lists);
	free(p->system);
	free(p->user_tpl);
	free(p->ed_tpl);
	free(p->ed_unknown_tpl);
	free(p->textonly_tpl);
	free(p->series_tpl);
	free(p->redo_tpl);
	free(p->alt_tpl);
	free(p->schema);
	free(p->schema_gemini);
	free(p->alt_schema);
	free(p->alt_schema_gemini);
	for (size_t i = 0; i < p->ntags; i++) {
		free(p->tags[i].tag);
		free(p->tags[i].edit);
		free(p->tags[i].rules);
	}
	free(p->tags);
	free(p);
}

const char *prompt_system(prompt_ctx *p)
{
	return p->system;
}
const char *prompt_schema(prompt_ctx *p)
{
	return p->schema;
}
const char *prompt_schema_gemini(prompt_ctx *p)
{
	return p->schema_gemini;
}
const char *prompt_alt_schema(prompt_ctx *p)
{
	return p->alt_schema;
}
const char *prompt_alt_schema_gemini(prompt_ctx *p)
{
	return p->alt_schema_gemini;
}

/* ---- sanitising ---- */

/* The code point at s (NUL-terminated: the decoder stops at the NUL, a
 * non-continuation byte); UINT_MAX and length 1 for an invalid byte. */
static unsigned next_cp(const unsigned char *s, size_t *len)
{
	uint32_t cp;
	*len = utf8_decode((const char *)s, 4, &cp);
	if (*len == 0) {
		*len = 1;
		return UINT_MAX;
	}
	return cp;
}

/* Characters that could hide text or reorder it on screen. */
static bool invisible(unsigned cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff ||
	       (cp >= 0xe0000 && cp <= 0xe007f);
}

char *prompt_sanitize(const char *text)
{
	sbuf b = { 0 };
	sbuf_adds(&b, "");
	if (!text)
		return sbuf_steal(&b);
	const unsigned char *s = (const unsigned char *)text;
	size_t chars = 0;
	bool space = true; /* drops leading spaces and collapses runs */
	while (*s && chars < DESC_MAX_CHARS) {
		size_t l;
		unsigned cp = next_cp(s, &l);
		s += l;
		if (cp == UINT_MAX || invisible(cp) || cp == 0x7f)
			continue;
		if (cp < 0x20 || cp == 0x2028 || cp == 0x2029 || cp == 0xa0) {
			/* line breaks and tabs: one space; the fence stays on its lines */
			if (!space)
				sbuf_addc(&b, ' ');
			space = true;
			chars++;
			continue;
		}
		if (cp == ' ') {
			if (!space)
				sbuf_addc(&b, ' ');
			space = true;
			chars++;
			continue;
		}
		space = false;
		chars++;
		/* The fence is "<<<NAME" / "NAME>>>": no '<' or '>' may reach it. */
		if (cp == '<')
			sbuf_adds(&b, "\u2039");
		else if (cp == '>')
			sbuf_adds(&b, "\u203a");
		else
			sbuf_add(&b, s - l, l);
	}
	while (b.len && b.p[b.len - 1] == ' ')
		b.p[--b.len] = '\0';
	return sbuf_steal(&b);
}

/* Short fields outside the fence (editorial city/country/date): sanitised,
 * quotes out, at most 60 characters. */
static char *short_field(const char *s)
{
	char *t = prompt_sanitize(s);
	char *o = t;
	for (char *q = t; *q; q++)
		if (*q != '"')
			*o++ = *q;
	*o = '\0';
	t[utf8_prefix_bytes(t, 60)] = '\0';
	return t;
}

char *prompt_user_text(prompt_ctx *p, mc_media media, const char *description, bool editorial,
		       const char *ed_city, const char *ed_country, const char *ed_date)
{
	const char *noun = media == MC_IMAGE ? "photo" : media == MC_VIDEO ? "video" : "file";
	char *desc = prompt_sanitize(description);
	char *ed = NULL;
	if (editorial) {
		char *c = short_field(ed_city), *k = short_field(ed_country),
		     *d = short_field(ed_date);
		if (*c && *k && *d) {
			char *prefix = meta_editorial_prefix(c, k, d, p->cfg ? p->cfg->editorial_format : 0);
			kv v[] = { { "prefix", prefix }, { "media", noun } };
			ed = fill(p->ed_tpl, v, 2);
			free(prefix);
		} else {
			kv v[] = { { "media", noun } };
			ed = fill(p->ed_unknown_tpl, v, 1);
		}
		free(c);
		free(k);
		free(d);
	}
	kv tv[] = { { "media", noun } };
	char *textonly = media == MC_IMAGE ? NULL : fill(p->textonly_tpl, tv, 1);
	kv v[] = { { "description", desc },
		   { "editorial", ed ? ed : "" },
		   { "media", noun },
		   { "textonly", textonly ? textonly : "" } };
	char *s = fill(p->user_tpl, v, 4);
	trim_right(s);
	free(desc);
	free(ed);
	free(textonly);
	return s;
}

char *prompt_series_note(prompt_ctx *p, mc_media media, int frame, int count)
{
	if (count < 2 || frame < 1 || frame > count)
		return NULL;
	const char *noun = media == MC_IMAGE ? "photo" : media == MC_VIDEO ? "video" : "file";
	char f[16], n[16];
	snprintf(f, sizeof f, "%d", frame);
	snprintf(n, sizeof n, "%d", count);
	kv v[] = { { "media", noun }, { "frame", f }, { "count", n } };
	char *s = fill(p->series_tpl, v, 3);
	trim_right(s);
	return s;
}

/* The earlier answer's keywords, sanitised, ", " between them. */
static void join_keywords(sbuf *kw, const char *const *keywords, size_t n)
{
	sbuf_adds(kw, "");
	for (size_t i = 0; i < n; i++) {
		char *k = prompt_sanitize(keywords[i]);
		if (*k)
			sbuf_printf(kw, "%s%s", kw->len ? ", " : "", k);
		free(k);
	}
}

char *prompt_alternative(prompt_ctx *p, const char *tag, const char *title, const char *desc,
			 const char *const *keywords, size_t nkw)
{
	if (!tag || !*tag)
		return NULL;
	if (*tag == '_')
		tag++;
	const char *edit = NULL, *rules = NULL;
	for (size_t i = 0; i < p->ntags; i++)
		if (strcasecmp(p->tags[i].tag, tag) == 0) {
			edit = p->tags[i].edit;
			rules = p->tags[i].rules;
		}
	char *gen_edit = NULL, *st = prompt_sanitize(tag);
	if (!edit) {
		gen_edit = xasprintf("the \"%s\" edit", st);
		edit = gen_edit;
		rules = "Describe the photo as the edit changes it; keep the facts of the original.";
	}
	sbuf kw = { 0 };
	join_keywords(&kw, keywords, nkw < 10 ? nkw : 10);
	char *t = prompt_sanitize(title), *d = prompt_sanitize(desc), tmax[16];
	snprintf(tmax, sizeof tmax, "%d", p->title_max);
	kv v[] = { { "edit", edit }, { "rules", rules },   { "title_max", tmax },
		   { "title", t },   { "description", d }, { "keywords", kw.p } };
	char *s = fill(p->alt_tpl, v, 6);
	trim_right(s);
	free(t);
	free(d);
	free(st);
	free(gen_edit);
	sbuf_free(&kw);
	return s;
}

char *prompt_redo(prompt_ctx *p, mc_media media, const char *text, bool editorial,
		  const char *ed_city, const char *ed_country, const char *ed_date,
		  const char *title, const char *desc, const char *const *keywords, size_t nkw)
{
	const char *noun = media == MC_IMAGE ? "photo" : media == MC_VIDEO ? "video" : "file";
	sbuf kw = { 0 };
	join_keywords(&kw, keywords, nkw);
	char *t = prompt_sanitize(title ? title : ""), *d = prompt_sanitize(desc ? desc : "");
	kv v[] = { { "media", noun }, { "title", t }, { "description", d }, { "keywords", kw.p } };
	char *earlier = fill(p->redo_tpl, v, 4);
	/* the corrected words fenced as any description */
	char *user = prompt_user_text(p, media, text, editorial, ed_city, ed_country, ed_date);
	char *s = xasprintf("%s%s", earlier, user);
	free(earlier);
	free(user);
	free(t);
	free(d);
	sbuf_free(&kw);
	return s;
}

/* ---- ids and keys ---- */

/* Czech and Slovak letters to ASCII; anything else outside [A-Za-z0-9._-]
 * becomes '_' (custom ids travel in URLs and file names). */
static void id_char(sbuf *b, unsigned cp)
{
	static const struct {
		unsigned cp;
		char a;
	} tr[] = {
		{ 0xe1, 'a' },  { 0xe4, 'a' }, { 0x10d, 'c' }, { 0x10f, 'd' }, { 0xe9, 'e' },
		{ 0x11b, 'e' }, { 0xed, 'i' }, { 0x13a, 'l' }, { 0x13e, 'l' }, { 0x148, 'n' },
		{ 0xf3, 'o' },  { 0xf4, 'o' }, { 0x155, 'r' }, { 0x159, 'r' }, { 0x161, 's' },
		{ 0x165, 't' }, { 0xfa, 'u' }, { 0x16f, 'u' }, { 0xfd, 'y' },  { 0x17e, 'z' },
		{ 0xc1, 'A' },  { 0xc4, 'A' }, { 0x10c, 'C' }, { 0x10e, 'D' }, { 0xc9, 'E' },
		{ 0x11a, 'E' }, { 0xcd, 'I' }, { 0x139, 'L' }, { 0x13d, 'L' }, { 0x147, 'N' },
		{ 0xd3, 'O' },  { 0xd4, 'O' }, { 0x154, 'R' }, { 0x158, 'R' }, { 0x160, 'S' },
		{ 0x164, 'T' }, { 0xda, 'U' }, { 0x16e, 'U' }, { 0xdd, 'Y' },  { 0x17d, 'Z' },
	};
	if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ||
	    cp == '.' || cp == '-' || cp == '_') {
		sbuf_addc(b, (char)cp);
		return;
	}
	for (size_t i = 0; i < sizeof tr / sizeof tr[0]; i++)
		if (tr[i].cp == cp) {
			sbuf_addc(b, tr[i].a);
			return;
		}
	sbuf_addc(b, '_');
}

/* The stem of a Windows or POSIX path, as an id-safe ASCII string. */
static char *id_stem(const char *cesta)
{
	const char *base = cesta_basename(cesta ? cesta : "");
	const char *dot = strrchr(base, '.');
	size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	sbuf b = { 0 };
	sbuf_adds(&b, "");
	const unsigned char *s = (const unsigned char *)base;
	for (size_t i = 0; i < n && b.len < 48;) {
		size_t l;
		unsigned cp = next_cp(s + i, &l);
		if (i + l > n)
			break;
		id_char(&b, cp);
		i += l;
	}
	if (b.len == 0)
		sbuf_adds(&b, "file");
	return sbuf_steal(&b);
}

char *request_custom_id(const char *cesta, const char *batch_id)
{
	char *stem = id_stem(cesta);
	char *id = xasprintf("%s_%s", stem, batch_id ? batch_id : "");
	free(stem);
	return id;
}

void request_custom_ids(const char *const *cestas, size_t n, const char *batch_id, char **out)
{
	char **stems = xcalloc(n ? n : 1, sizeof *stems);
	for (size_t i = 0; i < n; i++)
		stems[i] = id_stem(cestas[i]);
	for (size_t i = 0; i < n; i++) {
		bool dup = false;
		for (size_t j = 0; j < n && !dup; j++)
			dup = j != i && strcmp(stems[i], stems[j]) == 0;
		if (dup) {
			/* Same stem in two folders: the path's hash tells them apart. */
			char h[65];
			sha256_hex(cestas[i], strlen(cestas[i]), h);
			out[i] = xasprintf("%s-%.8s_%s", stems[i], h, batch_id ? batch_id : "");
		} else {
			out[i] = xasprintf("%s_%s", stems[i], batch_id ? batch_id : "");
		}
	}
	for (size_t i = 0; i < n; i++)
		free(stems[i]);
	free(stems);
}

void request_task_key(const sb_request *rq, char out[65])
{
	/* Length-prefixed fields, so no two different requests hash alike. */
	sbuf b = { 0 };
	const char *f[] = { rq->model, rq->system_prompt, rq->user_text, rq->detail,
			    rq->schema_json };
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		size_t l = f[i] ? strlen(f[i]) : 0;
		sbuf_printf(&b, "%zu:", l);
		if (l)
			sbuf_add(&b, f[i], l);
	}
	sbuf_printf(&b, "%zu:", rq->jpeg ? rq->jpeg_len : 0);
	if (rq->jpeg && rq->jpeg_len)
		sbuf_add(&b, rq->jpeg, rq->jpeg_len);
	sha256_hex(b.p, b.len, out);
	sbuf_free(&b);
}

/* ---- chunking ---- */

void chunk_limits_for(const char *prov_name, const char *model, chunk_limits *out)
{
	const provider_caps *caps = provider_caps_named(prov_name);
	out->max_requests = caps->max_requests;
	out->max_bytes = caps->max_bytes;
	/* Enqueued tokens per model are tier-dependent: the price table's
	 * queue column, else the tier-1 figure of gpt-4o-mini. */
	price p;
	out->max_tokens = price_of(model, &p) && p.queue_tokens > 0 ? p.queue_tokens : 2000000;
}

size_t chunk_plan(const long *bytes, const long *tokens, size_t n, const chunk_limits *lim,
		  size_t *starts, size_t *oversize)
{
	long mr = lim->max_requests > 0 ? lim->max_requests : LONG_MAX;
	long mb = lim->max_bytes > 0 ? lim->max_bytes : LONG_MAX;
	long mt = lim->max_tokens > 0 ? lim->max_tokens : LONG_MAX;
	size_t nch = 0;
	long cr = 0, cb = 0, ct = 0;
	for (size_t i = 0; i < n; i++) {
		long b = bytes ? bytes[i] : 0, t = tokens ? tokens[i] : 0;
		bool alone_too_big = b > mb || t > mt;
		bool fits = cr > 0 && cr < mr && b <= mb - cb && t <= mt - ct && !alone_too_big;
		if (!fits) {
			starts[nch++] = i;
			cr = cb = ct = 0;
		}
		if (alone_too_big && oversize)
			(*oversize)++;
		cr++;
		cb += b;
		ct += t;
		if (alone_too_big)
			cr = mr; /* nothing joins an oversize item */
	}
	return nch;
}
