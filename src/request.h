/* request.h: prompts (data/prompt-*.txt templates with the enabled agencies'
 * category lists), the strict JSON schema of the answer, the user's text
 * sanitised and fenced, and chunking of a run into provider batches under
 * every limit at once (SPEC 5.2, 5.3). */
#ifndef SB_REQUEST_H
#define SB_REQUEST_H
#include "photomedia.h"
#include "provider.h"
#include "settings.h"

typedef struct prompt_ctx prompt_ctx;
/* Loads templates and category lists (PhotoCategories.csv beside the media
 * CSV overrides the shipped lists). */
int prompt_open(const settings *cfg, prompt_ctx **out, sb_err *e);
void prompt_close(prompt_ctx *p);
const char *prompt_system(prompt_ctx *p); /* the originals' system prompt */
const char *prompt_schema(prompt_ctx *p); /* JSON schema for the answer */
/* The user message for one file: instructions + fenced, sanitised text.  The
 * prompt names the media kind; a file the model does not see (a video, an
 * unknown type) is said to be described by its text alone. */
char *prompt_user_text(prompt_ctx *p, mc_media media, const char *description, bool editorial,
		       const char *ed_city, const char *ed_country, const char *ed_date);
/* For a frame of a series described once (frame 1..count): the note that
 * asks for a title of its own (agencies refuse duplicates); NULL when the
 * file is alone.  Appended to prompt_user_text's message. */
char *prompt_series_note(prompt_ctx *p, mc_media media, int frame, int count);
/* Alternatives: text-only prompt per edit tag ("bw", "negative", ...). */
char *prompt_alternative(prompt_ctx *p, const char *tag, const char *title, const char *desc,
			 const char *const *keywords, size_t nkw);
const char *prompt_alt_schema(prompt_ctx *p);
/* A redo without the image: the earlier answer (fenced as data) and the
 * photographer's corrected text, for the originals' system prompt and
 * schema (categories too). */
char *prompt_redo(prompt_ctx *p, mc_media media, const char *text, bool editorial,
		  const char *ed_city, const char *ed_country, const char *ed_date,
		  const char *title, const char *desc, const char *const *keywords, size_t nkw);
/* The same two schemas as Gemini's responseSchema (OpenAPI subset,
 * upper-case types, string enums with "format":"enum"). */
const char *prompt_schema_gemini(prompt_ctx *p);
const char *prompt_alt_schema_gemini(prompt_ctx *p);
/* Sanitise the user's text: strip control characters, neutralise the fence. */
char *prompt_sanitize(const char *text);

/* Deterministic custom id: "<stem>_<batch id>" (stem of the file name,
 * made unique within the batch with a short content hash if two collide). */
char *request_custom_id(const char *cesta, const char *batch_id);
/* The ids of a whole batch: stems that occur twice (same name in two
 * folders) get "-<8 hex of SHA-256(cesta)>", so ids stay unique and
 * deterministic.  out[i] are malloc'd. */
void request_custom_ids(const char *const *cestas, size_t n, const char *batch_id, char **out);
/* Task key: SHA-256 of model + prompt + image bytes (seed 004 5.2). */
void request_task_key(const sb_request *rq, char out[65]);

/* Chunking: split n items of the given sizes into provider batches. */
typedef struct chunk_limits {
	long max_requests; /* per batch (caps->max_requests) */
	long max_bytes;    /* input file bytes (caps->max_bytes) */
	long max_tokens;   /* enqueued tokens per model */
} chunk_limits;
/* The limits of the batch's provider (by name: its caps; the default's when
 * unknown) and model (the price table's queue column). */
void chunk_limits_for(const char *provider, const char *model, chunk_limits *out);
/* Fills starts[] (first item of each chunk); returns the number of chunks;
 * an item larger than a limit alone gets a chunk of its own and *oversize++. */
size_t chunk_plan(const long *bytes, const long *tokens, size_t n, const chunk_limits *lim,
		  size_t *starts, size_t *oversize);
#endif
