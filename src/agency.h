/* agency.h: the agencies' metadata rules (reference/agencies.md), the
 * category lists, and the model's answer: parse, validate, repair what is
 * mechanical (SPEC 6.2). */
#ifndef SB_AGENCY_H
#define SB_AGENCY_H
#include "settings.h"

#define META_MAX_CATS 3
typedef struct meta_record {
	char *title, *description;
	char **keywords; size_t nkeywords;
	/* categories per agency key ("shutterstock", "adobestock", "dreamstime") */
	struct { char agency[16]; char *cats[META_MAX_CATS]; size_t n; } cats[4];
	size_t ncats;
} meta_record;
void meta_free(meta_record *m);

/* Parse the model's JSON answer (strictly: unknown shapes are errors). */
int meta_parse(const char *json, size_t len, meta_record *out, sb_err *e);

typedef struct agency_lists agency_lists;
/* Shipped lists from DATA_DIR, or the user's PhotoCategories.csv (path may be NULL). */
int agency_lists_load(const settings *cfg, const char *photocategories_csv, agency_lists **out,
		      sb_err *e);
void agency_lists_free(agency_lists *l);
/* Category names of an agency (for the prompt); NULL if unknown. */
const char *const *agency_categories(const agency_lists *l, const char *agency, size_t *n);

typedef struct meta_check {
	int repaired;     /* number of mechanical repairs made */
	char why[512];    /* first unrepairable problem, "" if valid */
} meta_check;
/* Validate against every enabled agency; repair what is mechanical (cut at a
 * sentence/word boundary, dedupe and lowercase keywords, drop unknown
 * categories, add editorial prefix/keyword).  Returns 0 if the record is
 * valid after repair, -1 otherwise (check->why says why). */
int meta_validate(meta_record *m, const settings *cfg, const agency_lists *l, bool editorial,
		  meta_check *check);
#endif
