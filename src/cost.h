/* cost.h: the editable price table (data/prices.conf, overridable in the
 * user's config dir) and estimates; batch prices apart from live. */
#ifndef SB_COST_H
#define SB_COST_H
#include "util.h"
typedef struct price {
	char model[64];
	double in, cached_in, out; /* USD per 1M tokens, live */
	double batch_in, batch_cached_in, batch_out;
	long queue_tokens; /* optional 8th column: enqueued-token limit of a batch, 0 = default */
} price;
/* Replaces the table whole (thread-safe); on an error the table is empty.
 * NULL: DATA_DIR/prices.conf, then the user's file over it. */
int prices_load(const char *path, sb_err *e);
/* The price of model (longest prefix match) copied into *out (may be
 * NULL); false if unknown.  The first call loads the table if no
 * prices_load() came before. */
bool price_of(const char *model, price *out);
/* When the table's prices were last compared with their source (its
 * "checked = YYYY-MM-DD" line; "" when none) and that source ("source =
 * ..."); the user's file overrides both. */
void prices_info(char checked[16], char *source, size_t cap);
/* Every model of the table, in file order; caller frees *out. */
size_t prices_all(price **out);
/* USD for the tokens; 0 when the model has no price (price_of() says false). */
double cost_usd(const char *model, bool batch, long in_tokens, long out_tokens);
#endif
