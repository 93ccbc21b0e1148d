/* provider.h: one small interface for the Batch APIs and the live endpoints.
 * OpenAI (openai.c) and Gemini (gemini.c) implement it; a third provider is
 * one new file plus a line in provider.c.  Facts: reference/apis.md. */
#ifndef SB_PROVIDER_H
#define SB_PROVIDER_H

#include "settings.h"
#include "util.h"

/* A provider-neutral request (built by request.c). */
typedef struct sb_request {
	const char *custom_id; /* "<stem>_<batch id>" */
	const char *model;
	const char *system_prompt;
	const char *user_text;     /* fenced description + instructions */
	const unsigned char *jpeg; /* model-sized image, or NULL (text-only) */
	size_t jpeg_len;
	const char *detail;      /* "high", "low", "auto" */
	const char *schema_json; /* JSON schema of the answer (strict) */
	const char *schema_name; /* "stock_metadata" */
	int max_tokens;
} sb_request;

/* A provider-neutral result line. */
typedef struct sb_result {
	char *custom_id;
	bool ok;
	char *content;   /* the model's answer (JSON text), when ok */
	char *error;     /* provider's per-line error, when !ok */
	int http_status; /* per-line status (200, 400, ...) */
	long in_tokens, out_tokens;
} sb_result;
void sb_result_free(sb_result *r);

typedef enum {
	PB_VALIDATING,
	PB_IN_PROGRESS,
	PB_FINALIZING,
	PB_COMPLETED,
	PB_FAILED,
	PB_EXPIRED,
	PB_CANCELLING,
	PB_CANCELLED,
	PB_UNKNOWN
} pb_state;
const char *pb_state_name(pb_state s);

typedef struct prov_batch {
	char id[128];
	pb_state state;
	char raw_status[48]; /* as the provider said it */
	char our_id[64];     /* metadata carrying our batch id, or "" */
	char input_file_id[128];
	char output_file_id[128]; /* "" when none (all failed, or Gemini inline) */
	char error_file_id[128];
	long total, completed, failed;
	time_t created;
	char *errors;         /* validation errors, one per line with line numbers; or NULL */
	char *inline_results; /* Gemini inline responses as JSONL, or NULL */
} prov_batch;
void prov_batch_clear(prov_batch *b);

/* One HTTP answer of the provider, parsed.  Answers are untrusted input:
 * the calls and the fuzz target provider_answer go through the same
 * parse_answer of each provider. */
typedef enum { PA_BATCH, PA_LIST, PA_FILE, PA_LIVE, PA_FILES } prov_answer_kind;
/* A file at the provider, as a file list names it. */
typedef struct prov_file {
	char id[256];   /* OpenAI's id, Gemini's name ("files/x") */
	char name[256]; /* the name it was uploaded under (filename, displayName) */
} prov_file;
typedef struct prov_answer {
	prov_batch batch; /* PA_BATCH: the batch; its id is never empty */
	prov_batch *list; /* PA_LIST: the batches of this page */
	size_t n;
	char *next;        /* PA_LIST, PA_FILES: the next page's cursor, or NULL on the last */
	prov_file *files;  /* PA_FILES: the files of this page (nfiles) */
	size_t nfiles;
	char file_id[256]; /* PA_FILE: the uploaded file's id (OpenAI) or name (Gemini) */
	time_t expires;    /* PA_FILE: when the provider deletes the file, or 0 */
	sb_result result;  /* PA_LIVE: the answer to a live request (custom_id NULL) */
} prov_answer;
void prov_answer_clear(prov_answer *a);

typedef struct provider provider;

/* What differs between providers beyond the calls: data and pure
 * functions, filled by openai.c and gemini.c.  Callers ask the provider
 * (provider_caps_named) instead of comparing names. */
typedef struct provider_caps {
	const char *default_model; /* the model when the settings name none */
	const char *default_base_url;
	const char *base_url_setting; /* the setting that overrides it (--base-url sets this one) */
	const char *(*base_url)(
		const settings *cfg); /* that setting's value in cfg (NULL or "": default) */
	const char *key_env;          /* the environment variable holding the key */
	/* Authentication header: name, and the scheme before the key ("Bearer ") or "". */
	const char *auth_header, *auth_scheme;
	const char *probe_path; /* a cheap authenticated GET below the base URL (doctor) */
	long max_requests;      /* requests per batch (LONG_MAX: none documented) */
	long max_bytes;         /* bytes per batch input file */
	long inline_max;        /* input under this many bytes goes inline at create (0 = never) */
	long max_download;      /* the largest file it serves: a result download's cap */
	/* The size the model looks at for a w x h image: what we send. */
	void (*image_size)(const char *model, const char *detail, int w, int h, int *tw, int *th);
	/* The tokens the provider bills for an image of w x h (already model-sized or not). */
	long (*image_tokens)(const char *model, const char *detail, int w, int h);
	/* Whether model is one of this provider's that read images (the
	 * advisor compares those of the price table). */
	bool (*reads_images)(const char *model);
	/* The image details the model bills differently ("low", "high"; one
	 * entry when detail changes nothing): up to cap into out, the count. */
	int (*image_details)(const char *model, const char **out, int cap);
	/* Whether the provider has announced model's shutdown (the advisor
	 * neither recommends it nor compares with it); may be NULL. */
	bool (*deprecated)(const char *model);
	/* The input tokens of a request's text: system and user message. */
	long (*text_tokens)(const char *system_text, const char *user_text);
} provider_caps;

struct json_object;
struct http_resp;
typedef struct provider_ops {
	const char *name;
	const provider_caps *caps;
	/* Set up p->priv after the generic fields are filled (optional). */
	int (*init)(provider *p, sb_err *e);
	/* Write one request as a JSONL line (no trailing newline) into out. */
	int (*format_request)(provider *p, const sb_request *rq, sbuf *out, sb_err *e);
	/* Parse one output or error file line. */
	int (*parse_result)(provider *p, const char *line, size_t len, sb_result *out, sb_err *e);
	/* Upload a batch input file under name (NULL: the path's base name),
	 * which a file list shows (list_files). */
	int (*upload)(provider *p, const char *jsonl_path, const char *name, char *file_id,
		      size_t cap, sb_err *e);
	int (*create)(provider *p, const char *input_file_id, const char *our_id, const char *model,
		      prov_batch *out, sb_err *e);
	int (*get)(provider *p, const char *batch_id, prov_batch *out, sb_err *e);
	int (*cancel)(provider *p, const char *batch_id, prov_batch *out, sb_err *e);
	/* Batches created recently (for reconcile); caller frees with prov_batch_clear each. */
	int (*list)(provider *p, prov_batch **out, size_t *n, sb_err *e);
	/* The batch input files held at the provider (every page); caller frees *out. */
	int (*list_files)(provider *p, prov_file **out, size_t *n, sb_err *e);
	int (*download)(provider *p, const char *file_id, const char *dest_path, sb_err *e);
	int (*delete_file)(provider *p, const char *file_id, sb_err *e);
	/* Read one answer (a JSON object) into out (zeroed); -1 with
	 * SBE_NETWORK when it lacks what the kind needs.  Called through
	 * prov_parse_answer(). */
	int (*parse_answer)(prov_answer_kind kind, struct json_object *j, prov_answer *out,
			    sb_err *e);
	/* One authenticated HTTP call; path is below the base URL (or a full
	 * URL); no_resend: not idempotent (see http_req). */
	int (*call)(provider *p, const char *method, const char *path, const char *body,
		    bool no_resend, struct http_resp *resp, sb_err *e);
	/* One synchronous request: the answer as a result. */
	int (*live)(provider *p, const sb_request *rq, sb_result *out, sb_err *e);
	void (*destroy)(provider *p);
} provider_ops;

struct provider {
	const provider_ops *ops;
	const settings *cfg;
	char *base_url;
	char *key;             /* never logged: registered with log_add_secret() */
	void *priv;            /* the implementation's own state (ops->init, ops->destroy) */
	long inline_max;       /* caps->inline_max for this instance (tests lower or raise it) */
	const char *auth_hint; /* which variable or file to set, for SBE_AUTH messages */
};

/* The implementations (openai.c, gemini.c). */
extern const provider_ops openai_ops, gemini_ops;

/* The provider called name; NULL when name is NULL, empty or unknown. */
const provider_ops *provider_lookup(const char *name);
/* The i-th provider (0, 1, ...); NULL past the last. */
const provider_ops *provider_at(size_t i);
/* The capabilities of the provider called name; the default provider's
 * when name is NULL, empty or unknown (a batch written by an older version). */
const provider_caps *provider_caps_named(const char *name);
/* The known names, joined by sep ("openai, gemini"); caller frees. */
char *provider_names(const char *sep);

/* The configured provider; fails with SBE_AUTH naming the variable or key
 * file to set when no key is found. */
int provider_open(const settings *cfg, const char *name, provider **out, sb_err *e);
void provider_close(provider *p);
/* The key from $OPENAI_API_KEY / $GEMINI_API_KEY, else a systemd credential
 * (see provider_credential_file), else the key file (refused when group- or
 * world-readable). Caller frees. */
int provider_load_key(const settings *cfg, const char *name, char **key, sb_err *e);
/* $CREDENTIALS_DIRECTORY/openai_api_key (gemini_api_key), which a unit's
 * LoadCredential= provides, when it exists; NULL otherwise.  Caller frees. */
char *provider_credential_file(const char *name);

/* Read a result file line by line (flat memory); calls fn for each parsed line. */
int provider_read_results(provider *p, const char *path, int (*fn)(const sb_result *r, void *ctx),
			  void *ctx, sb_err *e);

/* A call whose answer is a batch (create, get, cancel), through ops->call
 * and ops->parse_answer; out owns the batch's strings. */
int provider_batch_call(provider *p, const char *method, const char *path, const char *body,
			bool no_resend, prov_batch *out, sb_err *e);
/* POST a batch create.  A create is not idempotent: after a
 * lost reply (SBE_NETWORK) the batch may exist, so look for it by our id
 * (provider_find_ours) before sending it again; up to 6 tries with backoff. */
int provider_create_batch(provider *p, const char *path, const char *body, const char *our_id,
			  prov_batch *out, sb_err *e);

/* Find our batch at the provider by the id in its metadata (reconcile). */
int provider_find_ours(provider *p, const char *our_id, prov_batch *out, sb_err *e);

/* Open a provider with an explicit key and base URL (tests, doctor). */
int provider_open_with(const settings *cfg, const char *name, const char *key, const char *base_url,
		       provider **out, sb_err *e);

/* An answer body (len bytes, need not end in NUL) through ops->parse_answer;
 * on failure SBE_NETWORK and out holds nothing to free. */
int prov_parse_answer(const provider_ops *ops, prov_answer_kind kind, const char *body, size_t len,
		      prov_answer *out, sb_err *e);
/* Helpers shared by openai.c and gemini.c. */
struct http_req;
/* The end of every live call: hr (method, URL, headers, body; the live
 * timeout, rate pass-through and auth hint are set here) sent, the answer
 * read as PA_LIVE (what names the call in messages).  A rejection of this
 * one request (provider_live_rejected) is a failed result and 0, not a
 * failed call; out->custom_id is rq's. */
int provider_live_call(provider *p, const sb_request *rq, struct http_req *hr, const char *what,
		       sb_result *out, sb_err *e);
/* Whether a failed live call rejected its request rather than the run:
 * 400 (a bad key is SBE_AUTH, not this), 404, 413, 422. */
bool provider_live_rejected(const sb_err *e);
/* o[k] when o is an object and k is there and not null, else NULL. */
struct json_object *prov_jget(struct json_object *o, const char *k);
/* o[k] when it is a string, else NULL. */
const char *prov_jstr(struct json_object *o, const char *k);
/* s (NULL: "") into dst, cut to cap. */
void prov_copy(char *dst, size_t cap, const char *s);
struct http_resp;
/* An untrusted token count: 0 .. 2^40 (no negative cost, no overflow in sums). */
long prov_tokens(long long v);
/* Move a PA_LIST page's batches to the end of *out (a->list is freed,
 * a->next stays with the caller); free a list built so. */
void prov_list_take(prov_batch **out, size_t *n, size_t *cap, prov_answer *a);
void prov_list_free(prov_batch **out, size_t *n);
/* The same for a PA_FILES page's files. */
void prov_files_take(prov_file **out, size_t *n, size_t *cap, prov_answer *a);
/* A file list, page after page (at most max_pages) through ops->call:
 * page_path(cursor) is a page's path (cursor NULL: the first page's; the
 * caller frees it); what names the call in messages.  Caller frees *out. */
int provider_file_pages(provider *p, char *(*page_path)(const char *cursor), const char *what,
			int max_pages, prov_file **out, size_t *n, sb_err *e);
/* resp's body through p->ops->parse_answer; errors name what and the HTTP status. */
int provider_parse_http(provider *p, prov_answer_kind kind, const char *what,
			const struct http_resp *resp, prov_answer *out, sb_err *e);
void prov_json_str(sbuf *b, const char *s); /* appends "..." */

#endif
