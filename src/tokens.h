/* tokens.h: token counts as the providers bill them (SPEC 5.4).
 * Text: o200k_base BPE over the published ranks (data/o200k_base.tiktoken),
 * exact; chat message overhead included.  Images: the per-model formula of
 * reference/apis.md section 2. */
#ifndef SB_TOKENS_H
#define SB_TOKENS_H
#include "util.h"
/* Load the ranks once (thread-safe); path NULL = DATA_DIR/o200k_base.tiktoken. */
int tokens_init(const char *ranks_path, sb_err *e);
long tokens_count(const char *text);
/* A chat request: system + user text, with the message overhead. */
long tokens_chat(const char *system_text, const char *user_text);
/* Image tokens for an OpenAI model at the given (already oriented) size;
 * a provider's rule is its caps->image_tokens (provider.h). */
long tokens_image(const char *model, const char *detail, int w, int h);
/* The size the model looks at (what we should send), and whether the
 * model uses the patch rule; for tile models "low" means the 512 px box. */
bool tokens_image_size(const char *model, const char *detail, int w, int h, int *tw, int *th);
/* Whether the table of image rules knows model (an OpenAI model that reads
 * images), and whether its rule is the patch one (detail changes nothing). */
bool tokens_image_known(const char *model);
bool tokens_image_patch(const char *model);
/* Whether the vision guide (apis.md 2, V3) marks model deprecated. */
bool tokens_image_deprecated(const char *model);
/* The formulas of reference/apis.md 2.1 and 2.2 (exposed for tests). */
void tokens_tile_size(int w, int h, int *tw, int *th);
long tokens_patch_size(int w, int h, long budget, int maxdim, int *pw, int *ph);
/* Gemini's formulas (gemini.c's caps): approximate text tokens (chars/4)
 * and images (258 per tile). */
long tokens_gemini_text(const char *text);
long tokens_gemini_chat(const char *system_text, const char *user_text);
long tokens_gemini_image(int w, int h);
#endif
