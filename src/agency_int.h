/* agency_int.h: what agency.c and names.c share: the loaded lists and the
 * text helpers of names.c.  Not for other files: they use agency.h. */
#ifndef SB_AGENCY_INT_H
#define SB_AGENCY_INT_H
#include "agency.h"
#include "strmap.h"
#include "utf8.h"

typedef struct cat_ent {
	char *name;  /* as shown to the model */
	char *id;    /* numeric id, or NULL */
	char *value; /* what the media CSV takes */
	char *key;   /* normalised for matching */
} cat_ent;

typedef struct agency_list {
	char *agency; /* lower-case key */
	cat_ent *e;
	size_t n, cap;
	const char **names; /* NULL-terminated view for agency_categories */
} agency_list;

struct agency_lists {
	agency_list *a;
	size_t n;
	char **brands; /* in match_form, without the padding */
	size_t nbrands;
	strmap names; /* folded given names; aux 1: also an ordinary word */
};

/* Control characters become spaces, runs of spaces one space, ends trimmed;
 * true if anything changed.  In place. */
bool text_squeeze_spaces(char *s);
/* An address in the text (http://, https://, www.). */
bool text_has_url(const char *s);
#endif
