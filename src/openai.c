/* openai.c: the OpenAI Batch API and chat completions (reference/apis.md
 * sections 1 and 4.1): JSONL lines in, batch objects and result lines out. */
#include "config.h"
#include "base64.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "provider.h"
#include "tokens.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#define OAI_ENDPOINT "/v1/chat/completions"
#define OAI_AUTH_HEADER "Authorization"
#define OAI_AUTH_SCHEME "Bearer "
#define OAI_FILE_MAX 512000000L /* the Files API's largest file (apis.md 1.x, /files) */

/* Newer models take max_completion_tokens; the 4o family max_tokens. */
static bool wants_completion_tokens(const char *model)
{
	return model && (!strncmp(model, "gpt-5", 5) ||
			 (model[0] == 'o' && model[1] >= '1' && model[1] <= '9'));
}

/* The chat completions body, shared by the batch line and live calls. */
static int format_body(const sb_request *rq, sbuf *out, sb_err *e)
{
	if (!rq->model || !rq->user_text)
		return sb_fail(e, SBE_INPUT, _("request %s: model and user text are required"),
			       rq->custom_id ? rq->custom_id : "?");
	sbuf_adds(out, "{\"model\":");
	prov_json_str(out, rq->model);
	sbuf_adds(out, ",\"messages\":[");
	if (rq->system_prompt && *rq->system_prompt) {
		sbuf_adds(out, "{\"role\":\"system\",\"content\":");
		prov_json_str(out, rq->system_prompt);
		sbuf_adds(out, "},");
	}
	sbuf_adds(out, "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":");
	prov_json_str(out, rq->user_text);
	sbuf_addc(out, '}');
	if (rq->jpeg && rq->jpeg_len) {
		sbuf_adds(
			out,
			",{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/jpeg;base64,");
		base64_append(out, rq->jpeg, rq->jpeg_len);
		sbuf_adds(out, "\",\"detail\":");
		prov_json_str(out, rq->detail && *rq->detail ? rq->detail : "high");
		sbuf_adds(out, "}}");
	}
	sbuf_adds(out, "]}]");
	if (rq->max_tokens > 0)
		sbuf_printf(out, ",\"%s\":%d",
			    wants_completion_tokens(rq->model) ? "max_completion_tokens"
							       : "max_tokens",
			    rq->max_tokens);
	if (rq->schema_json && *rq->schema_json) {
		json_object *sch = json_tokener_parse(rq->schema_json);
		if (!sch || !json_object_is_type(sch, json_type_object)) {
			json_object_put(sch);
			return sb_fail(e, SBE_INPUT,
				       _("request %s: the answer schema is not a JSON object"),
				       rq->custom_id ? rq->custom_id : "?");
		}
		sbuf_adds(
			out,
			",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":");
		prov_json_str(out, rq->schema_name && *rq->schema_name ? rq->schema_name
								       : "stock_metadata");
		sbuf_adds(out, ",\"strict\":true,\"schema\":");
		sbuf_adds(out,
			  json_object_to_json_string_ext(
				  sch, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		sbuf_adds(out, "}}");
		json_object_put(sch);
	}
	sbuf_addc(out, '}');
	return 0;
}

static int oai_format_request(provider *p, const sb_request *rq, sbuf *out, sb_err *e)
{
	(void)p;
	if (!rq->custom_id || !*rq->custom_id)
		return sb_fail(e, SBE_INPUT, _("a request without a custom id"));
	sbuf_adds(out, "{\"custom_id\":");
	prov_json_str(out, rq->custom_id);
	sbuf_adds(out, ",\"method\":\"POST\",\"url\":\"" OAI_ENDPOINT "\",\"body\":");
	if (format_body(rq, out, e) != 0)
		return -1;
	sbuf_addc(out, '}');
	return 0;
}

/* A chat.completion object (a 200 body) into a result. */
static void completion_to_result(json_object *body, sb_result *out)
{
	json_object *usage = prov_jget(body, "usage");
	if (usage) {
		json_object *v;
		if ((v = prov_jget(usage, "prompt_tokens")))
			out->in_tokens = prov_tokens(json_object_get_int64(v));
		if ((v = prov_jget(usage, "completion_tokens")))
			out->out_tokens = prov_tokens(json_object_get_int64(v));
	}
	json_object *choices = prov_jget(body, "choices");
	json_object *c0 = choices && json_object_is_type(choices, json_type_array) &&
					  json_object_array_length(choices) > 0
				  ? json_object_array_get_idx(choices, 0)
				  : NULL;
	json_object *msg = prov_jget(c0, "message");
	const char *content = prov_jstr(msg, "content");
	const char *refusal = prov_jstr(msg, "refusal");
	const char *finish = prov_jstr(c0, "finish_reason");
	if (refusal) {
		out->ok = false;
		out->error = xasprintf(_("the model refused: %s"), refusal);
	} else if (!content) {
		out->ok = false;
		out->error = xstrdup(_("the answer holds no content"));
	} else if (finish && !strcmp(finish, "length")) {
		out->ok = false;
		out->content = xstrdup(content);
		out->error =
			xstrdup(_("the answer was cut off at max_tokens (finish_reason length)"));
	} else if (finish && !strcmp(finish, "content_filter")) {
		out->ok = false;
		out->error = xstrdup(_("the answer was blocked by the content filter"));
	} else {
		out->ok = true;
		out->content = xstrdup(content);
	}
}

static char *error_text(json_object *err)
{
	const char *code = prov_jstr(err, "code"), *msg = prov_jstr(err, "message");
	if (code && msg)
		return xasprintf("%s: %s", code, msg);
	return xstrdup(msg ? msg : code ? code : _("unknown error"));
}

static int oai_parse_result(provider *p, const char *line, size_t len, sb_result *out, sb_err *e)
{
	(void)p;
	memset(out, 0, sizeof *out);
	json_tokener *tok = json_tokener_new();
	json_object *o = json_tokener_parse_ex(tok, line, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	json_tokener_free(tok);
	if (!o || jerr != json_tokener_success || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return sb_fail(e, SBE_INPUT, _("not a valid JSON result line"));
	}
	const char *cid = prov_jstr(o, "custom_id");
	if (!cid) {
		json_object_put(o);
		return sb_fail(e, SBE_INPUT, _("result line without custom_id"));
	}
	out->custom_id = xstrdup(cid);
	json_object *resp = prov_jget(o, "response"), *err = prov_jget(o, "error");
	if (resp) {
		json_object *sc = prov_jget(resp, "status_code");
		out->http_status = sc ? json_object_get_int(sc) : 0;
		json_object *body = prov_jget(resp, "body");
		if (out->http_status == 200 && body) {
			completion_to_result(body, out);
		} else {
			out->ok = false;
			json_object *be = prov_jget(body, "error");
			char *t = be ? error_text(be) : xstrdup(_("no body"));
			out->error = xasprintf(_("HTTP %d: %s"), out->http_status, t);
			free(t);
		}
	} else if (err) {
		out->ok = false;
		out->error = error_text(err);
	} else {
		out->ok = false;
		out->error = xstrdup(_("result line with neither response nor error"));
	}
	if (err && out->ok) {
		out->ok = false;
		free(out->error);
		out->error = error_text(err);
	}
	json_object_put(o);
	return 0;
}

/* Headers: Authorization (the key stays inside curl, never in a message). */
typedef struct oreq {
	http_header h[3];
	char *auth;
} oreq;

static void oreq_init(provider *p, oreq *r, bool json)
{
	r->auth = xasprintf(OAI_AUTH_SCHEME "%s", p->key);
	r->h[0] = (http_header){ OAI_AUTH_HEADER, r->auth };
	r->h[1] = (http_header){ "Content-Type", json ? "application/json" : NULL };
}

static void oreq_free(oreq *r)
{
	if (r->auth) {
		memset(r->auth, 0, strlen(r->auth));
		free(r->auth);
	}
}

static int call_ex(provider *p, const char *method, const char *path, const char *body,
		   bool no_resend, http_resp *resp, sb_err *e)
{
	oreq o = { 0 };
	oreq_init(p, &o, body != NULL);
	char *url = xasprintf("%s%s", p->base_url, path);
	http_req rq = { .method = method,
			.url = url,
			.headers = o.h,
			.nheaders = body ? 2 : 1,
			.body = body,
			.body_len = body ? strlen(body) : 0,
			.auth_hint = p->auth_hint,
			.timeout_s = 300,
			.no_resend = no_resend };
	int rc = http_do(&rq, resp, e);
	free(url);
	oreq_free(&o);
	return rc;
}

static int call(provider *p, const char *method, const char *path, const char *body,
		http_resp *resp, sb_err *e)
{
	return call_ex(p, method, path, body, false, resp, e);
}

static pb_state state_of(const char *s)
{
	static const struct {
		const char *n;
		pb_state s;
	} t[] = {
		{ "validating", PB_VALIDATING }, { "in_progress", PB_IN_PROGRESS },
		{ "finalizing", PB_FINALIZING }, { "completed", PB_COMPLETED },
		{ "failed", PB_FAILED },         { "expired", PB_EXPIRED },
		{ "cancelling", PB_CANCELLING }, { "cancelled", PB_CANCELLED },
	};
	for (size_t i = 0; s && i < sizeof t / sizeof t[0]; i++)
		if (!strcmp(s, t[i].n))
			return t[i].s;
	return PB_UNKNOWN;
}

static void batch_from_json(json_object *o, prov_batch *b)
{
	memset(b, 0, sizeof *b);
	prov_copy(b->id, sizeof b->id, prov_jstr(o, "id"));
	const char *st = prov_jstr(o, "status");
	prov_copy(b->raw_status, sizeof b->raw_status, st);
	b->state = state_of(st);
	prov_copy(b->our_id, sizeof b->our_id,
		  prov_jstr(prov_jget(o, "metadata"), "stockbatch_batch_id"));
	prov_copy(b->input_file_id, sizeof b->input_file_id, prov_jstr(o, "input_file_id"));
	prov_copy(b->output_file_id, sizeof b->output_file_id, prov_jstr(o, "output_file_id"));
	prov_copy(b->error_file_id, sizeof b->error_file_id, prov_jstr(o, "error_file_id"));
	json_object *rc = prov_jget(o, "request_counts"), *v;
	if ((v = prov_jget(rc, "total")))
		b->total = json_object_get_int64(v);
	if ((v = prov_jget(rc, "completed")))
		b->completed = json_object_get_int64(v);
	if ((v = prov_jget(rc, "failed")))
		b->failed = json_object_get_int64(v);
	if ((v = prov_jget(o, "created_at")))
		b->created = (time_t)json_object_get_int64(v);
	json_object *errs = prov_jget(prov_jget(o, "errors"), "data");
	if (errs && json_object_is_type(errs, json_type_array) &&
	    json_object_array_length(errs) > 0) {
		sbuf t = { 0 };
		for (size_t i = 0; i < json_object_array_length(errs); i++) {
			json_object *it = json_object_array_get_idx(errs, i),
				    *ln = prov_jget(it, "line");
			const char *code = prov_jstr(it, "code"), *msg = prov_jstr(it, "message");
			if (ln)
				sbuf_printf(&t, _("line %d: %s (%s)\n"), json_object_get_int(ln),
					    msg ? msg : "", code ? code : "?");
			else
				sbuf_printf(&t, "%s (%s)\n", msg ? msg : "", code ? code : "?");
		}
		b->errors = sbuf_steal(&t);
	}
}

static int oai_parse_answer(prov_answer_kind kind, struct json_object *j, prov_answer *out,
			    sb_err *e)
{
	int rc = 0;
	switch (kind) {
	case PA_BATCH:
		batch_from_json(j, &out->batch);
		if (!out->batch.id[0])
			rc = sb_fail(e, SBE_NETWORK, _("no batch id in the answer"));
		break;
	case PA_LIST: {
		json_object *data = prov_jget(j, "data");
		size_t dn = data && json_object_is_type(data, json_type_array)
				    ? json_object_array_length(data)
				    : 0;
		out->list = dn ? xcalloc(dn, sizeof *out->list) : NULL;
		for (size_t i = 0; i < dn; i++)
			batch_from_json(json_object_array_get_idx(data, i), &out->list[out->n++]);
		json_object *hm = prov_jget(j, "has_more");
		if (hm && json_object_get_boolean(hm) && dn > 0) {
			const char *last = prov_jstr(j, "last_id");
			if (!last || !*last)
				last = out->list[dn - 1].id;
			out->next = *last ? xstrdup(last) : NULL;
		}
		break;
	}
	case PA_FILE: {
		const char *id = prov_jstr(j, "id");
		if (!id || !*id || strlen(id) >= sizeof out->file_id)
			rc = sb_fail(e, SBE_NETWORK, _("no file id in the answer"));
		else
			prov_copy(out->file_id, sizeof out->file_id, id);
		json_object *ex = prov_jget(j, "expires_at");
		int64_t t = ex ? json_object_get_int64(ex) : 0;
		out->expires = t > 0 ? (time_t)t : 0;
		break;
	}
	case PA_LIVE:
		out->result.http_status = 200;
		completion_to_result(j, &out->result);
		break;
	case PA_FILES: {
		/* {"object":"list","data":[File...],"has_more","last_id"} (apis.md 1.2, 1.3) */
		json_object *data = prov_jget(j, "data");
		size_t dn = data && json_object_is_type(data, json_type_array)
				    ? json_object_array_length(data)
				    : 0;
		out->files = dn ? xcalloc(dn, sizeof *out->files) : NULL;
		const char *last = NULL;
		for (size_t i = 0; i < dn; i++) {
			json_object *f = json_object_array_get_idx(data, i);
			const char *id = prov_jstr(f, "id");
			if (!id || !*id || strlen(id) >= sizeof out->files->id)
				continue; /* nothing to delete by */
			prov_file *pf = &out->files[out->nfiles++];
			prov_copy(pf->id, sizeof pf->id, id);
			prov_copy(pf->name, sizeof pf->name, prov_jstr(f, "filename"));
			last = id;
		}
		json_object *hm = prov_jget(j, "has_more");
		if (hm && json_object_get_boolean(hm) && dn > 0) {
			const char *l = prov_jstr(j, "last_id");
			if (l && *l)
				last = l;
			out->next = last ? xstrdup(last) : NULL;
		}
		break;
	}
	}
	return rc;
}

static int oai_upload(provider *p, const char *jsonl_path, const char *name, char *file_id,
		      size_t cap, sb_err *e)
{
	oreq o = { 0 };
	oreq_init(p, &o, false);
	char *url = xasprintf("%s/files", p->base_url);
	http_header form[] = { { "purpose", "batch" } };
	http_req rq = { .method = "POST",
			.url = url,
			.headers = o.h,
			.nheaders = 1,
			.upload_path = jsonl_path,
			.multipart_field = "file",
			.multipart_filename = name,
			.form = form,
			.nform = 1,
			.auth_hint = p->auth_hint };
	http_resp resp;
	int rc = http_do(&rq, &resp, e);
	free(url);
	oreq_free(&o);
	if (rc == 0) {
		prov_answer a;
		rc = provider_parse_http(p, PA_FILE, "POST /files", &resp, &a, e);
		if (rc == 0)
			prov_copy(file_id, cap, a.file_id);
	} else if (e && e->code == SBE_IO) { /* the path only for a local error */
		size_t l = strlen(e->msg);
		snprintf(e->msg + l, sizeof e->msg - l, " (%s)", jsonl_path);
	}
	http_resp_free(&resp);
	return rc;
}

static int oai_create(provider *p, const char *input_file_id, const char *our_id, const char *model,
		      prov_batch *out, sb_err *e)
{
	(void)model; /* the model is in every line of the input file */
	memset(out, 0, sizeof *out);
	sbuf b = { 0 };
	sbuf_adds(&b, "{\"input_file_id\":");
	prov_json_str(&b, input_file_id);
	sbuf_adds(&b, ",\"endpoint\":\"" OAI_ENDPOINT
		      "\",\"completion_window\":\"24h\",\"metadata\":{\"stockbatch_batch_id\":");
	prov_json_str(&b, our_id ? our_id : "");
	sbuf_adds(&b, "}}");
	int rc = provider_create_batch(p, "/batches", b.p, our_id, out, e);
	sbuf_free(&b);
	return rc;
}

static int oai_get(provider *p, const char *batch_id, prov_batch *out, sb_err *e)
{
	char *id = http_escape(batch_id);
	char *path = xasprintf("/batches/%s", id);
	int rc = provider_batch_call(p, "GET", path, NULL, false, out, e);
	free(path);
	free(id);
	return rc;
}

static int oai_cancel(provider *p, const char *batch_id, prov_batch *out, sb_err *e)
{
	char *id = http_escape(batch_id);
	char *path = xasprintf("/batches/%s/cancel", id);
	int rc = provider_batch_call(p, "POST", path, NULL, false, out, e);
	free(path);
	free(id);
	if (rc != 0 && e && e->code == SBE_CONFLICT) {
		/* 409: already finished; what completed is kept: report its state. */
		sb_log(LOG_INFO, "cancel %s: the batch had already finished", batch_id);
		return oai_get(p, batch_id, out, e);
	}
	return rc;
}

static int oai_list(provider *p, prov_batch **out, size_t *n, sb_err *e)
{
	*out = NULL;
	*n = 0;
	size_t cap = 0;
	char *after = NULL;
	/* Bounded: reconcile only needs recent batches (2,000 creations/hour cap). */
	for (int page = 0; page < 50; page++) {
		char *path;
		if (after) {
			char *esc = http_escape(after);
			path = xasprintf("/batches?limit=100&after=%s", esc);
			free(esc);
		} else
			path = xasprintf("/batches?limit=100");
		http_resp resp;
		int rc = call(p, "GET", path, NULL, &resp, e);
		free(path);
		prov_answer a;
		if (rc == 0)
			rc = provider_parse_http(p, PA_LIST, "GET /batches", &resp, &a, e);
		http_resp_free(&resp);
		if (rc != 0) {
			free(after);
			prov_list_free(out, n);
			return -1;
		}
		prov_list_take(out, n, &cap, &a);
		free(after);
		after = a.next;
		if (!after)
			break;
	}
	free(after);
	return 0;
}

/* A page of GET /files?purpose=batch: 10,000 files a page, the most it
 * serves (apis.md 1.2 (9)), newest first. */
static char *files_page(const char *after)
{
	if (!after)
		return xstrdup("/files?purpose=batch&limit=10000&order=desc");
	char *esc = http_escape(after);
	char *path = xasprintf("/files?purpose=batch&limit=10000&order=desc&after=%s", esc);
	free(esc);
	return path;
}

static int oai_list_files(provider *p, prov_file **out, size_t *n, sb_err *e)
{
	return provider_file_pages(p, files_page, "GET /files", 100, out, n, e);
}

static int oai_download(provider *p, const char *file_id, const char *dest_path, sb_err *e)
{
	oreq o = { 0 };
	oreq_init(p, &o, false);
	o.h[1] = (http_header){ "Accept", "application/binary" };
	char *id = http_escape(file_id);
	char *url = xasprintf("%s/files/%s/content", p->base_url, id);
	http_req rq = { .method = "GET",
			.url = url,
			.headers = o.h,
			.nheaders = 2,
			.download_path = dest_path,
			.max_body = OAI_FILE_MAX,
			.auth_hint = p->auth_hint };
	http_resp resp;
	int rc = http_do(&rq, &resp, e);
	http_resp_free(&resp);
	free(url);
	free(id);
	oreq_free(&o);
	return rc;
}

static int oai_delete_file(provider *p, const char *file_id, sb_err *e)
{
	char *id = http_escape(file_id);
	char *path = xasprintf("/files/%s", id);
	http_resp resp;
	int rc = call(p, "DELETE", path, NULL, &resp, e);
	http_resp_free(&resp);
	free(path);
	free(id);
	if (rc != 0 && e && e->code == SBE_NOTFOUND) {
		sb_err_clear(e);
		return 0; /* already gone: what we wanted */
	}
	return rc;
}

static int oai_live(provider *p, const sb_request *rq, sb_result *out, sb_err *e)
{
	memset(out, 0, sizeof *out);
	sbuf b = { 0 };
	if (format_body(rq, &b, e) != 0) {
		sbuf_free(&b);
		return -1;
	}
	oreq o = { 0 };
	oreq_init(p, &o, true);
	char *url = xasprintf("%s/chat/completions", p->base_url);
	http_req hr = { .method = "POST",
			.url = url,
			.headers = o.h,
			.nheaders = 2,
			.body = b.p,
			.body_len = b.len };
	int rc = provider_live_call(p, rq, &hr, "POST /chat/completions", out, e);
	free(url);
	oreq_free(&o);
	sbuf_free(&b);
	return rc;
}

/* Images: the per-model tile or patch rule of tokens.c (apis.md 2). */
static void oai_image_size(const char *model, const char *detail, int w, int h, int *tw, int *th)
{
	tokens_image_size(model, detail, w, h, tw, th);
}

/* Tile models bill low and high apart; patch models size both alike (V3). */
static int oai_image_details(const char *model, const char **out, int cap)
{
	int n = 0;
	if (!tokens_image_patch(model) && n < cap)
		out[n++] = "low";
	if (n < cap)
		out[n++] = "high";
	return n;
}

static const char *oai_base_url(const settings *cfg)
{
	return cfg->openai_base_url;
}

/* clang-format off */
static const provider_caps oai_caps = {
	/* The cheapest at high detail of the models apis.md does not mark
	 * deprecated, by `stockbatch plan --models` on the shipped prices
	 * (README, "Choosing a model"). */
	.default_model = "gpt-4.1-mini",
	.default_base_url = "https://api.openai.com/v1",
	.base_url_setting = "openai_base_url",
	.base_url = oai_base_url,
	.key_env = "OPENAI_API_KEY",
	.auth_header = OAI_AUTH_HEADER,
	.auth_scheme = OAI_AUTH_SCHEME,
	.probe_path = "/models",
	.max_requests = 50000,       /* apis.md 1.10 */
	.max_bytes = 200000000L,     /* 200 MB, read as decimal: the safe side */
	.inline_max = 0,             /* every batch is an uploaded file */
	.max_download = OAI_FILE_MAX,
	.image_size = oai_image_size,
	.image_tokens = tokens_image,
	.reads_images = tokens_image_known,
	.image_details = oai_image_details,
	.deprecated = tokens_image_deprecated,
	.text_tokens = tokens_chat,
};
/* clang-format on */

/* clang-format off */
const provider_ops openai_ops = {
	.name = "openai",
	.caps = &oai_caps,
	.format_request = oai_format_request,
	.parse_result = oai_parse_result,
	.parse_answer = oai_parse_answer,
	.call = call_ex,
	.upload = oai_upload,
	.create = oai_create,
	.get = oai_get,
	.cancel = oai_cancel,
	.list = oai_list,
	.download = oai_download,
	.delete_file = oai_delete_file,
	.list_files = oai_list_files,
	.live = oai_live,
	.destroy = NULL,
};
/* clang-format on */
