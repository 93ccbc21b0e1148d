/* agency.h: the agencies' metadata rules (reference/agencies.md), the
 * category lists, and the model's answer: parse, validate, repair what is
 * mechanical (SPEC 6.2). */
#ifndef SB_AGENCY_H
#define SB_AGENCY_H
#include "settings.h"

#define META_MAX_CATS 3
typedef struct meta_record {
	char *title, *description;
	char **keywords;
	size_t nkeywords;
	/* categories per agency key ("shutterstock", "adobestock", "dreamstime").
	 * After meta_validate they hold the values the media CSV takes:
	 * ShutterStock names as listed, the AdobeStock id ("7"), Dreamstime
	 * "Main -> Sub"; only groups of enabled agencies remain. */
	struct {
		char agency[16];
		char *cats[META_MAX_CATS];
		size_t n;
	} cats[4];
	size_t ncats;
	int parse_dropped; /* categories beyond META_MAX_CATS dropped by meta_parse */
} meta_record;
void meta_free(meta_record *m);

/* Parse the model's JSON answer strictly: one JSON object (an optional
 * ```json fence around it is stripped), nothing after it, valid UTF-8, no NUL;
 * "title", "description" strings and "keywords" an array of strings are
 * required; "categories", when present, an object of arrays of strings.
 * Unknown top-level keys are ignored.  Errors are SBE_INPUT. */
int meta_parse(const char *json, size_t len, meta_record *out, sb_err *e);

typedef struct agency_lists agency_lists;
/* Shipped lists from cfg->data_dir or data_dir(), overridden per bank by the
 * user's PhotoCategories.csv when that path is given and the file exists (a
 * missing file means "use the shipped lists").  Also loads the optional
 * brand list data/trademarks.txt.  cfg may be NULL. */
int agency_lists_load(const settings *cfg, const char *photocategories_csv, agency_lists **out,
		      sb_err *e);
/* Parse a PhotoCategories.csv held in memory over the lists in *l (created
 * empty when *l is NULL); name is used in messages (fuzzing, tests). */
int agency_lists_parse_csv(agency_lists **l, const char *name, const char *data, size_t len,
			   sb_err *e);
void agency_lists_free(agency_lists *l);
/* Category names of an agency (for the prompt); NULL if unknown.  AdobeStock
 * gives names (the model may answer a name or an id), Dreamstime "Main -> Sub". */
const char *const *agency_categories(const agency_lists *l, const char *agency, size_t *n);
/* The CSV value of a category the model answered (name, id or "id=name"),
 * matched case-insensitively; NULL when it is not on the agency's list. */
const char *agency_match_category(const agency_lists *l, const char *agency, const char *answer);
/* The numeric id of a category value (name or id, as agency_match_category
 * takes it) where the list gives ids (AdobeStock, Dreamstime); NULL when the
 * value is not on the list or its entry has no id. */
const char *agency_category_id(const agency_lists *l, const char *agency, const char *value);

typedef struct meta_check {
	int repaired;     /* number of mechanical repairs made */
	char why[512];    /* first unrepairable problem, "" if valid */
	char ask[512];    /* the same in English, for asking the model again */
	char notes[1024]; /* the repairs made, "field: what was done; ..." */
} meta_check;
/* Validate against every enabled agency; repair what is mechanical (cut at a
 * sentence/word boundary, dedupe and lowercase keywords, drop unknown
 * categories, add editorial prefix/keyword).  Returns 0 if the record is
 * valid after repair, -1 otherwise (check->why says why).  With editorial
 * but no place/date known (this function), a prefix the model wrote is kept
 * (upper-cased); without one, the description is cut to leave room for the
 * prefix the commit adds.  Prefer meta_validate_opts with the facts. */
int meta_validate(meta_record *m, const settings *cfg, const agency_lists *l, bool editorial,
		  meta_check *check);

/* The editorial facts of a photo (batchstore's editorial_info). */
typedef struct meta_opts {
	bool editorial;
	const char *city, *country, *date; /* date "DD MM YYYY"; NULL = unknown */
	bool no_categories;                /* alternatives: text-only, no categories */
} meta_opts;
/* meta_validate with the editorial facts (the prefix is then added or
 * corrected) and the alternatives' no-category mode. */
int meta_validate_opts(meta_record *m, const settings *cfg, const agency_lists *l,
		       const meta_opts *o, meta_check *check);
/* "CITY, COUNTRY - DD MM YYYY: " (place names upper-cased, the date
 * normalised), or in ShutterStock's or Pond5's format (fmt: the setting
 * editorial_format, MC_ED_* of photomedia.h); caller frees. */
char *meta_editorial_prefix(const char *city, const char *country, const char *date, int fmt);
/* The validated categories of an agency joined by ", " for the CSV, or NULL
 * when the record has none for it; caller frees. */
char *meta_categories_joined(const meta_record *m, const char *agency);
/* Model text made safe for the CSV: escape sequences and their leftovers
 * ("[31m"), control characters, bidi overrides and isolates, zero-width
 * characters removed, then NFC.  A new string; *changed (may be NULL) is
 * set when anything was removed or recomposed. */
char *meta_clean_text(const char *s, bool *changed);
/* Whether text names a person: a listed given name followed by a
 * capitalised word ("Anna Novakova"), not a place ("Charles Bridge",
 * "St. Vitus"); keyword: lower-case text, a listed name that is not also an
 * ordinary word counts alone.  The words found go to out. */
bool agency_find_name(const agency_lists *l, const char *text, bool keyword, char *out,
		      size_t outsz);
/* Add given names (the format of data/given-names.txt) to the lists. */
void agency_lists_add_names(agency_lists *l, const char *data);
/* The agencies whose rules are enforced: 0 ShutterStock, 1 AdobeStock,
 * 2 Dreamstime. */
#define META_AGENCIES 3
const char *meta_agency_key(int a);   /* "shutterstock" */
const char *meta_agency_label(int a); /* "ShutterStock" */
bool meta_agency_enabled(const settings *cfg, int a);

/* A committed row as the agencies see it (check any library, not only
 * what stockbatch wrote). */
typedef struct meta_row_in {
	const char *title, *description, *keywords; /* keywords joined by ", " */
	const char *cats[META_AGENCIES];            /* the CSV's category values */
	bool sees[META_AGENCIES];                   /* the agency takes the row */
	bool editorial;
} meta_row_in;
/* One broken rule: the agency (-1: every agency that sees the row), the
 * rule and what to do, both translated. */
typedef void (*meta_rule_fn)(int agency, const char *rule, const char *todo, void *ctx);
/* Every rule of reference/agencies.md the row breaks for the agencies that
 * see it and are enabled, without repairing anything; returns how many. */
size_t meta_check_row(const agency_lists *l, const settings *cfg, const meta_row_in *r,
		      meta_rule_fn fn, void *ctx);
/* Title limit in characters for these settings (title_max, else 70 when
 * AdobeStock is enabled, else 80). */
int agency_title_max(const settings *cfg);
#endif
