/* advisor.h: what the same requests cost on every model of the price table
 * that reads images, per provider and image detail, batch and live side by
 * side, before anything is sent (the photos waiting in the plan) or after
 * (a run's own usage).  Text tokens are counted on the prompt request.c
 * builds, image tokens by each model's formula (the provider's caps) at the
 * size stockbatch sends that model, output tokens from the library's
 * history (report.json of its batches) or ADV_OUT_TOKENS.  No printing:
 * `stockbatch plan --models` and `report` print it (cli/). */
#ifndef SB_ADVISOR_H
#define SB_ADVISOR_H

#include "batchstore.h"
#include "settings.h"

struct plan;

/* Output tokens per photo when the library has no finished batch yet (a
 * title, a description, 25-50 keywords and categories as JSON). */
#define ADV_OUT_TOKENS 300
/* Output tokens per photo: the average of what the library's finished
 * batches of originals returned (of provider prov; NULL: any), else
 * ADV_OUT_TOKENS; *from (may be NULL) gets how many answers it is from. */
double advisor_out_tokens(store *st, const char *prov, size_t *from);
/* The tokens of a description not written yet (two sentences). */
#define ADV_DESC_TOKENS 40
#define ADV_PROVIDERS 4

/* Photos with an image, grouped by their oriented size. */
typedef struct adv_size {
	int w, h;
	size_t n;
} adv_size;

/* The requests compared. */
typedef struct adv_input {
	size_t requests; /* all of them, with or without an image */
	adv_size *sizes; /* those with an image */
	size_t nsizes;
	long text_tokens[ADV_PROVIDERS]; /* sum over the requests, by provider_at() index */
	double out_tokens;               /* per request */
	bool out_from_history;           /* out_tokens from finished batches, not the default */
	size_t out_history_requests;     /* how many results it comes from */
	size_t undescribed;              /* requests priced with ADV_DESC_TOKENS */
} adv_input;

typedef struct adv_row {
	const char *provider;                         /* "openai" */
	char model[64];                               /* as the price table names it */
	const char *detail;                           /* "low", "high", "default" */
	double text_tokens, image_tokens, out_tokens; /* per request */
	long in_total, out_total;                     /* all requests */
	double batch, live;                           /* USD per request */
	double batch_total, live_total;               /* USD, all requests */
	bool configured;                              /* the settings' provider, model and detail */
	bool deprecated; /* shutdown announced: never the cheapest peer */
} adv_row;

typedef struct adv_table {
	adv_input in;
	adv_row *rows; /* cheapest (batch, per request) first */
	size_t n;
	long configured; /* index of the configured row, or -1 */
} adv_table;

/* The photos waiting in p (new, or in a batch not sent yet); st may be NULL. */
int advisor_plan_input(const settings *cfg, store *st, const struct plan *p, adv_input *in,
		       sb_err *e);
/* The files of the given batches (a run's), for the comparison after it. */
int advisor_batches_input(const settings *cfg, store *st, const batch_info *bs, size_t nb,
			  adv_input *in, sb_err *e);
/* After a run: what the photos of the batches bs that have usage
 * (report.json) would have cost on every model, from that usage: the text
 * and output tokens as billed, the image tokens by each model's formula.
 * The row of the model used is the "configured" one.  out->n is 0 when no
 * batch has usage yet. */
int advisor_usage_table(const settings *cfg, store *st, const batch_info *bs, size_t nb,
			adv_table *out, sb_err *e);
/* The table for in (taken over by out). */
void advisor_table(const settings *cfg, adv_input *in, adv_table *out);
/* The cheapest row of the configured row's provider at a comparable detail
 * (high rows unless the configured detail is low) and not deprecated; -1
 * when none. */
long advisor_cheapest_peer(const adv_table *t);
/* The warning (translated, caller frees) when the configured model costs
 * more than twice the cheapest one of its provider; NULL otherwise. */
char *advisor_warning(const adv_table *t);
/* The same for one request (the engine's first of a send): its text
 * tokens and its picture's oriented size (0 x 0: none) on provider prov and
 * model; ADV_OUT_TOKENS out. */
char *advisor_request_warning(const settings *cfg, const char *prov, const char *model,
			      long text_tokens, int w, int h);
void advisor_free(adv_table *t);
#endif
