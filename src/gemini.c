/* gemini.c: the Gemini Batch API and generateContent (reference/apis.md
 * sections 3 and 4.2): resumable uploads with a SHA-256 upload cache
 * (seed 004 FR-S1..S5), file or inline batches, BATCH_STATE_* polling. */
#include "config.h"
#include "base64.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "provider.h"
#include "tokens.h"

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define GEM_API "/v1beta"
#define GEM_KEY_HEADER "x-goog-api-key" /* the key, as it is */
#define INLINE_PREFIX "inline:"
#define CACHE_FILE "gemini-uploads.json"
#define FILE_TTL (48 * 3600)
#define GEM_FILE_MAX 2000000000L /* the File API's largest file, 2 GB (apis.md 3.7) */
#define CACHE_MARGIN 3600        /* never hand out a file that expires within the hour */

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;

/* Gemini's own state behind provider.priv. */
typedef struct gem_state {
	char *cache_dir; /* the upload cache's directory: the settings' state_dir, or NULL (no cache file) */
} gem_state;

static const provider_caps gem_caps;

/* int64 fields come as strings ("3"), int32 ones as numbers. */
static long jlong(json_object *o, const char *k)
{
	json_object *v = prov_jget(o, k);
	if (!v)
		return 0;
	if (json_object_is_type(v, json_type_string))
		return strtol(json_object_get_string(v), NULL, 10);
	return (long)json_object_get_int64(v);
}

/* JSON Schema (as OpenAI takes it) to the OpenAPI subset of responseSchema:
 * upper-case types, ["string","null"] as nullable, no additionalProperties. */
static json_object *to_gemini_schema(json_object *s)
{
	if (!s || !json_object_is_type(s, json_type_object))
		return json_object_get(s);
	json_object *out = json_object_new_object();
	json_object_object_foreach(s, k, v)
	{
		if (!strcmp(k, "additionalProperties") || !strcmp(k, "$schema") ||
		    !strcmp(k, "strict") || !strcmp(k, "title") || !strcmp(k, "$defs") ||
		    !strcmp(k, "uniqueItems"))
			continue;
		if (!strcmp(k, "type")) {
			const char *t = NULL;
			bool nullable = false;
			if (json_object_is_type(v, json_type_array)) {
				for (size_t i = 0; i < json_object_array_length(v); i++) {
					const char *x = json_object_get_string(
						json_object_array_get_idx(v, i));
					if (x && !strcmp(x, "null"))
						nullable = true;
					else if (!t)
						t = x;
				}
			} else
				t = json_object_get_string(v);
			if (t) {
				char up[32];
				size_t i = 0;
				for (; t[i] && i < sizeof up - 1; i++)
					up[i] = (char)(t[i] >= 'a' && t[i] <= 'z' ? t[i] - 32
										  : t[i]);
				up[i] = 0;
				json_object_object_add(out, "type", json_object_new_string(up));
			}
			if (nullable)
				json_object_object_add(out, "nullable", json_object_new_boolean(1));
		} else if (!strcmp(k, "properties") && json_object_is_type(v, json_type_object)) {
			json_object *props = json_object_new_object();
			json_object_object_foreach(v, pk, pv)
				json_object_object_add(props, pk, to_gemini_schema(pv));
			json_object_object_add(out, "properties", props);
		} else if (!strcmp(k, "items")) {
			json_object_object_add(out, "items", to_gemini_schema(v));
		} else if ((!strcmp(k, "minItems") || !strcmp(k, "maxItems") ||
			    !strcmp(k, "minLength") || !strcmp(k, "maxLength")) &&
			   !json_object_is_type(v, json_type_string)) {
			/* int64 in the proto: a string in JSON. */
			char n[32];
			snprintf(n, sizeof n, "%lld", (long long)json_object_get_int64(v));
			json_object_object_add(out, k, json_object_new_string(n));
		} else {
			json_object_object_add(out, k, json_object_get(v));
		}
	}
	return out;
}

/* The GenerateContentRequest, shared by batch lines and live calls. */
static int format_gcr(const sb_request *rq, sbuf *out, sb_err *e)
{
	if (!rq->user_text)
		return sb_fail(e, SBE_INPUT, _("request %s: the user text is required"),
			       rq->custom_id ? rq->custom_id : "?");
	sbuf_adds(out, "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":");
	prov_json_str(out, rq->user_text);
	sbuf_addc(out, '}');
	if (rq->jpeg && rq->jpeg_len) {
		sbuf_adds(out, ",{\"inlineData\":{\"mimeType\":\"image/jpeg\",\"data\":\"");
		base64_append(out, rq->jpeg, rq->jpeg_len);
		sbuf_adds(out, "\"}}");
	}
	sbuf_adds(out, "]}]");
	if (rq->system_prompt && *rq->system_prompt) {
		sbuf_adds(out, ",\"systemInstruction\":{\"parts\":[{\"text\":");
		prov_json_str(out, rq->system_prompt);
		sbuf_adds(out, "}]}");
	}
	sbuf_adds(out, ",\"generationConfig\":{");
	bool comma = false;
	if (rq->max_tokens > 0) {
		sbuf_printf(out, "\"maxOutputTokens\":%d", rq->max_tokens);
		comma = true;
	}
	if (rq->schema_json && *rq->schema_json) {
		json_object *sch = json_tokener_parse(rq->schema_json);
		if (!sch || !json_object_is_type(sch, json_type_object)) {
			json_object_put(sch);
			return sb_fail(e, SBE_INPUT,
				       _("request %s: the answer schema is not a JSON object"),
				       rq->custom_id ? rq->custom_id : "?");
		}
		json_object *g = to_gemini_schema(sch);
		sbuf_adds(out, comma ? "," : "");
		sbuf_adds(out, "\"responseMimeType\":\"application/json\",\"responseSchema\":");
		sbuf_adds(out, json_object_to_json_string_ext(
				       g, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(g);
		json_object_put(sch);
	}
	sbuf_adds(out, "}}");
	return 0;
}

static int gem_format_request(provider *p, const sb_request *rq, sbuf *out, sb_err *e)
{
	(void)p;
	if (!rq->custom_id || !*rq->custom_id)
		return sb_fail(e, SBE_INPUT, _("a request without a custom id"));
	sbuf_adds(out, "{\"key\":");
	prov_json_str(out, rq->custom_id);
	sbuf_adds(out, ",\"request\":");
	if (format_gcr(rq, out, e) != 0)
		return -1;
	sbuf_addc(out, '}');
	return 0;
}

/* A GenerateContentResponse into a result. */
static void gcr_to_result(json_object *resp, sb_result *out)
{
	json_object *um = prov_jget(resp, "usageMetadata");
	out->in_tokens = prov_tokens(jlong(um, "promptTokenCount"));
	/* Thinking tokens are billed as output; untrusted counts are clamped
	 * before adding (no signed overflow). */
	out->out_tokens = prov_tokens(jlong(um, "candidatesTokenCount")) +
			  prov_tokens(jlong(um, "thoughtsTokenCount"));
	json_object *cands = prov_jget(resp, "candidates");
	json_object *c0 = cands && json_object_is_type(cands, json_type_array) &&
					  json_object_array_length(cands)
				  ? json_object_array_get_idx(cands, 0)
				  : NULL;
	if (!c0) {
		const char *br = prov_jstr(prov_jget(resp, "promptFeedback"), "blockReason");
		out->ok = false;
		out->error = br ? xasprintf(_("the prompt was blocked (%s)"), br)
				: xstrdup(_("the answer holds no candidates"));
		return;
	}
	sbuf t = { 0 };
	json_object *parts = prov_jget(prov_jget(c0, "content"), "parts");
	for (size_t i = 0; parts && json_object_is_type(parts, json_type_array) &&
			   i < json_object_array_length(parts);
	     i++) {
		json_object *pt = json_object_array_get_idx(parts, i), *th;
		/* Thought summaries are not the answer. */
		if (json_object_object_get_ex(pt, "thought", &th) && json_object_get_boolean(th))
			continue;
		const char *s = prov_jstr(pt, "text");
		if (s)
			sbuf_adds(&t, s);
	}
	const char *fr = prov_jstr(c0, "finishReason");
	if (fr && strcmp(fr, "STOP")) {
		out->ok = false;
		out->error = xasprintf(_("the answer stopped early (finishReason %s)"), fr);
		if (t.p)
			out->content = sbuf_steal(&t);
	} else if (!t.p) {
		out->ok = false;
		out->error = xstrdup(_("the answer holds no text"));
	} else {
		out->ok = true;
		out->content = sbuf_steal(&t);
	}
	sbuf_free(&t);
}

/* google.rpc.Status code (gRPC) to an HTTP-like status. */
static int grpc_http(int code)
{
	switch (code) {
	case 3: return 400;
	case 5: return 404;
	case 7: return 403;
	case 8: return 429;
	case 16: return 401;
	case 4: return 504;
	default: return code >= 100 ? code : 500;
	}
}

static int gem_parse_result(provider *p, const char *line, size_t len, sb_result *out, sb_err *e)
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
	const char *key = prov_jstr(o, "key");
	if (!key)
		key = prov_jstr(prov_jget(o, "metadata"), "key");
	if (!key) {
		json_object_put(o);
		return sb_fail(e, SBE_INPUT, _("result line without key"));
	}
	out->custom_id = xstrdup(key);
	json_object *err = prov_jget(o, "error"), *resp = prov_jget(o, "response");
	if (err) {
		int code = (int)jlong(err, "code");
		out->http_status = grpc_http(code);
		const char *msg = prov_jstr(err, "message");
		out->error = xasprintf(_("error %d: %s"), code, msg ? msg : "");
	} else if (resp) {
		out->http_status = 200;
		gcr_to_result(resp, out);
	} else {
		out->error = xstrdup(_("result line with neither response nor error"));
	}
	json_object_put(o);
	return 0;
}

/* ---- HTTP */

static int gcall(provider *p, const char *method, const char *url_or_path, const char *body,
		 bool no_resend, http_resp *resp, sb_err *e)
{
	http_header h[2] = { { GEM_KEY_HEADER, p->key }, { "Content-Type", "application/json" } };
	char *url = url_or_path[0] == '/' ? xasprintf("%s%s", p->base_url, url_or_path)
					  : xstrdup(url_or_path);
	http_req rq = { .method = method,
			.url = url,
			.headers = h,
			.nheaders = body ? 2 : 1,
			.body = body,
			.body_len = body ? strlen(body) : 0,
			.auth_hint = p->auth_hint,
			.timeout_s = 300,
			.no_resend = no_resend };
	int rc = http_do(&rq, resp, e);
	free(url);
	return rc;
}

/* ---- upload cache: sha256 -> {name, expires}; a missing or expired entry is uploaded again */

static char *cache_path(provider *p)
{
	const gem_state *g = p->priv;
	return g && g->cache_dir && *g->cache_dir ? path_join(g->cache_dir, CACHE_FILE) : NULL;
}

static json_object *cache_load(provider *p)
{
	char *cp = cache_path(p);
	json_object *c = NULL;
	if (cp && file_exists(cp))
		c = json_object_from_file(cp);
	free(cp);
	if (!c || !json_object_is_type(c, json_type_object)) {
		json_object_put(c);
		c = json_object_new_object();
	}
	return c;
}

static void cache_save(provider *p, json_object *c)
{
	char *cp = cache_path(p);
	if (!cp)
		return;
	/* Drop what expired so the file stays small. */
	time_t now = time(NULL);
	json_object *keep = json_object_new_object();
	json_object_object_foreach(c, k, v) if (jlong(v, "expires") > now)
		json_object_object_add(keep, k, json_object_get(v));
	const char *s = json_object_to_json_string_ext(
		keep, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	sb_err e = { 0 };
	char *dir = path_dirname(cp);
	if (mkdir_p(dir, 0700, &e) != 0 || atomic_write(cp, s, strlen(s), 0600, &e) != 0)
		sb_log(LOG_WARN, "Gemini upload cache %s: %s", cp, e.msg);
	free(dir);
	json_object_put(keep);
	free(cp);
}

static int file_sha256(const char *path, char out[65], long *size, sb_err *e)
{
	char *data;
	size_t len;
	if (read_whole_file(path, &data, &len, e) != 0)
		return -1;
	sha256_hex(data, len, out);
	*size = (long)len;
	free(data);
	return 0;
}

static int resumable_upload(provider *p, const char *path, const char *display, long size,
			    const char *mime, char *name, size_t cap, time_t *expires, sb_err *e)
{
	char lenbuf[32];
	snprintf(lenbuf, sizeof lenbuf, "%ld", size);
	http_header h[] = {
		{ GEM_KEY_HEADER, p->key },
		{ "X-Goog-Upload-Protocol", "resumable" },
		{ "X-Goog-Upload-Command", "start" },
		{ "X-Goog-Upload-Header-Content-Length", lenbuf },
		{ "X-Goog-Upload-Header-Content-Type", mime },
		{ "Content-Type", "application/json" },
	};
	sbuf body = { 0 };
	sbuf_adds(&body, "{\"file\":{\"display_name\":");
	prov_json_str(&body, display ? display : path_basename(path));
	sbuf_adds(&body, "}}");
	char *url = xasprintf("%s/upload" GEM_API "/files", p->base_url);
	http_req rq = { .method = "POST",
			.url = url,
			.headers = h,
			.nheaders = 6,
			.body = body.p,
			.body_len = body.len,
			.auth_hint = p->auth_hint,
			.timeout_s = 120 };
	http_resp resp;
	int rc = http_do(&rq, &resp, e);
	free(url);
	sbuf_free(&body);
	if (rc == 0 && !resp.upload_url)
		rc = sb_fail(e, SBE_NETWORK,
			     _("Gemini upload of %s: no x-goog-upload-url in the answer"), path);
	if (rc != 0) {
		http_resp_free(&resp);
		return -1;
	}
	char *session = xstrdup(resp.upload_url);
	http_resp_free(&resp);
	/* One shot: upload and finalize.  The session URL carries its own auth. */
	http_header h2[] = { { "X-Goog-Upload-Offset", "0" },
			     { "X-Goog-Upload-Command", "upload, finalize" },
			     { "Content-Type", mime } };
	http_req rq2 = { .method = "POST",
			 .url = session,
			 .headers = h2,
			 .nheaders = 3,
			 .upload_path = path,
			 .auth_hint = p->auth_hint };
	rc = http_do(&rq2, &resp, e);
	free(session);
	if (rc == 0 && (!resp.upload_status || strcasecmp(resp.upload_status, "final")))
		rc = sb_fail(e, SBE_NETWORK,
			     _("Gemini upload of %s did not finish (x-goog-upload-status %s)"),
			     path, resp.upload_status ? resp.upload_status : "missing");
	if (rc == 0) {
		prov_answer a;
		char *what = xasprintf(_("Gemini upload of %s"), path);
		rc = provider_parse_http(p, PA_FILE, what, &resp, &a, e);
		free(what);
		if (rc == 0) {
			prov_copy(name, cap, a.file_id);
			*expires = a.expires > 0 ? a.expires : time(NULL) + FILE_TTL;
		}
	}
	http_resp_free(&resp);
	return rc;
}

/* Upload through the cache (FR-S2, S3): skip a file whose SHA-256 is
 * cached, still alive at the provider and not about to expire. */
static int upload_cached(provider *p, const char *path, const char *display, const char *mime,
			 char *name, size_t cap, sb_err *e)
{
	char sha[65];
	long size;
	if (file_sha256(path, sha, &size, e) != 0)
		return -1;
	pthread_mutex_lock(&cache_mu);
	json_object *c = cache_load(p);
	json_object *ent = prov_jget(c, sha);
	const char *cached = prov_jstr(ent, "name");
	if (cached && jlong(ent, "expires") > time(NULL) + CACHE_MARGIN) {
		char *path2 = xasprintf(GEM_API "/%s", cached);
		http_resp resp;
		sb_err le = { 0 };
		int rc = gcall(p, "GET", path2, NULL, false, &resp, &le);
		free(path2);
		http_resp_free(&resp);
		if (rc == 0) {
			prov_copy(name, cap, cached);
			json_object_put(c);
			pthread_mutex_unlock(&cache_mu);
			sb_log(LOG_DEBUG, "Gemini upload cache: %s is already %s", path, name);
			return 0;
		}
		if (le.code == SBE_AUTH) {
			if (e)
				*e = le;
			json_object_put(c);
			pthread_mutex_unlock(&cache_mu);
			return -1;
		}
	}
	time_t expires = 0;
	int rc = resumable_upload(p, path, display, size, mime, name, cap, &expires, e);
	if (rc == 0) {
		json_object *ne = json_object_new_object();
		json_object_object_add(ne, "name", json_object_new_string(name));
		json_object_object_add(ne, "mime", json_object_new_string(mime));
		json_object_object_add(ne, "path", json_object_new_string(path));
		json_object_object_add(ne, "expires", json_object_new_int64((int64_t)expires));
		json_object_object_add(c, sha, ne);
		cache_save(p, c);
	}
	json_object_put(c);
	pthread_mutex_unlock(&cache_mu);
	return rc;
}

static int gem_upload(provider *p, const char *jsonl_path, const char *display, char *file_id,
		      size_t cap, sb_err *e)
{
	struct stat st;
	if (stat(jsonl_path, &st) != 0)
		return sb_fail(e, SBE_IO, _("Cannot read %s: %s"), jsonl_path, strerror(errno));
	/* Small batches go inline at create time: no upload, no file to clean up. */
	if (p->inline_max > 0 && st.st_size < p->inline_max &&
	    strlen(INLINE_PREFIX) + strlen(jsonl_path) < cap) {
		snprintf(file_id, cap, INLINE_PREFIX "%s", jsonl_path);
		return 0;
	}
	return upload_cached(p, jsonl_path, display, "application/jsonl", file_id, cap, e);
}

/* The JSONL of key/request lines as the inline form {"request","metadata":{"key"}}. */
static int inline_requests(const char *path, sbuf *out, sb_err *e)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return sb_fail(e, SBE_IO, _("Cannot read %s: %s"), path, strerror(errno));
	char *line = NULL;
	size_t lcap = 0;
	ssize_t n;
	long lineno = 0;
	bool first = true;
	int rc = 0;
	while ((n = getline(&line, &lcap, f)) > 0) {
		lineno++;
		json_object *o = json_tokener_parse(line), *req;
		const char *key = prov_jstr(o, "key");
		if (!o && strspn(line, " \t\r\n") == (size_t)n)
			continue;
		if (!key || !json_object_object_get_ex(o, "request", &req)) {
			json_object_put(o);
			rc = sb_fail(e, SBE_INPUT,
				     _("%s line %ld: not a Gemini batch line (key, request)"), path,
				     lineno);
			break;
		}
		sbuf_adds(out, first ? "" : ",");
		first = false;
		sbuf_adds(out, "{\"request\":");
		sbuf_adds(out,
			  json_object_to_json_string_ext(
				  req, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		sbuf_adds(out, ",\"metadata\":{\"key\":");
		prov_json_str(out, key);
		sbuf_adds(out, "}}");
		json_object_put(o);
	}
	free(line);
	fclose(f);
	return rc;
}

static pb_state state_of(const char *s)
{
	if (!s)
		return PB_UNKNOWN;
	const char *u = strrchr(s, '_');
	/* BATCH_STATE_X and JOB_STATE_X alike. */
	u = !strncmp(s, "BATCH_STATE_", 12) ? s + 12
	    : !strncmp(s, "JOB_STATE_", 10) ? s + 10
	    : u                             ? u + 1
					    : s;
	if (!strcmp(u, "PENDING") || !strcmp(u, "QUEUED"))
		return PB_VALIDATING;
	if (!strcmp(u, "RUNNING"))
		return PB_IN_PROGRESS;
	if (!strcmp(u, "SUCCEEDED"))
		return PB_COMPLETED;
	if (!strcmp(u, "FAILED"))
		return PB_FAILED;
	if (!strcmp(u, "CANCELLED"))
		return PB_CANCELLED;
	if (!strcmp(u, "CANCELLING"))
		return PB_CANCELLING;
	if (!strcmp(u, "EXPIRED"))
		return PB_EXPIRED;
	if (!strcmp(s, "JOB_STATE_PARTIALLY_SUCCEEDED"))
		return PB_COMPLETED;
	return PB_UNKNOWN;
}

#define OUR_PREFIX "stockbatch:"

/* inlinedResponses[] to JSONL lines of the file form ({"key", "response"|"error"}). */
static char *inline_to_jsonl(json_object *arr)
{
	sbuf t = { 0 };
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *it = json_object_array_get_idx(arr, i), *v;
		const char *key = prov_jstr(prov_jget(it, "metadata"), "key");
		json_object *line = json_object_new_object();
		json_object_object_add(line, "key", json_object_new_string(key ? key : ""));
		if ((v = prov_jget(it, "response")))
			json_object_object_add(line, "response", json_object_get(v));
		if ((v = prov_jget(it, "error")))
			json_object_object_add(line, "error", json_object_get(v));
		sbuf_adds(&t,
			  json_object_to_json_string_ext(
				  line, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		sbuf_addc(&t, '\n');
		json_object_put(line);
	}
	return t.p ? sbuf_steal(&t) : xstrdup("");
}

static void batch_from_op(json_object *op, prov_batch *b)
{
	memset(b, 0, sizeof *b);
	json_object *md = prov_jget(op, "metadata");
	const char *name = prov_jstr(op, "name");
	if (!name)
		name = prov_jstr(md, "name");
	prov_copy(b->id, sizeof b->id, name);
	const char *st = prov_jstr(md, "state");
	prov_copy(b->raw_status, sizeof b->raw_status, st);
	b->state = state_of(st);
	const char *dn = prov_jstr(md, "displayName");
	if (dn && !strncmp(dn, OUR_PREFIX, strlen(OUR_PREFIX)))
		prov_copy(b->our_id, sizeof b->our_id, dn + strlen(OUR_PREFIX));
	prov_copy(b->input_file_id, sizeof b->input_file_id,
		  prov_jstr(prov_jget(md, "inputConfig"), "fileName"));
	json_object *stats = prov_jget(md, "batchStats");
	b->total = jlong(stats, "requestCount");
	b->completed = jlong(stats, "successfulRequestCount");
	b->failed = jlong(stats, "failedRequestCount");
	const char *ct = prov_jstr(md, "createTime");
	b->created = ct ? time_parse_iso(ct) : 0;
	json_object *out = prov_jget(op, "response");
	if (!out)
		out = prov_jget(md, "output");
	const char *rf = prov_jstr(out, "responsesFile");
	prov_copy(b->output_file_id, sizeof b->output_file_id, rf);
	json_object *inl = prov_jget(prov_jget(out, "inlinedResponses"), "inlinedResponses");
	if (inl && json_object_is_type(inl, json_type_array))
		b->inline_results = inline_to_jsonl(inl);
	json_object *err = prov_jget(op, "error");
	if (err && b->state != PB_CANCELLED) {
		const char *msg = prov_jstr(err, "message");
		b->errors = xasprintf("%s (%ld)\n", msg ? msg : _("the batch failed"),
				      jlong(err, "code"));
	}
}

static int gem_parse_answer(prov_answer_kind kind, struct json_object *j, prov_answer *out,
			    sb_err *e)
{
	int rc = 0;
	switch (kind) {
	case PA_BATCH:
		batch_from_op(j, &out->batch);
		if (!out->batch.id[0])
			rc = sb_fail(e, SBE_NETWORK, _("no batch name in the answer"));
		break;
	case PA_LIST: {
		json_object *ops = prov_jget(j, "operations");
		size_t dn = ops && json_object_is_type(ops, json_type_array)
				    ? json_object_array_length(ops)
				    : 0;
		out->list = dn ? xcalloc(dn, sizeof *out->list) : NULL;
		for (size_t i = 0; i < dn; i++) {
			prov_batch *b = &out->list[out->n++];
			batch_from_op(json_object_array_get_idx(ops, i), b);
			/* Reconcile needs names and states, not every inline answer. */
			free(b->inline_results);
			b->inline_results = NULL;
		}
		const char *nt = prov_jstr(j, "nextPageToken");
		if (nt && *nt && dn)
			out->next = xstrdup(nt);
		break;
	}
	case PA_FILE: {
		json_object *f = prov_jget(j, "file");
		const char *nm = prov_jstr(f, "name");
		if (!nm || !*nm || strlen(nm) >= sizeof out->file_id)
			rc = sb_fail(e, SBE_NETWORK, _("no file name in the answer"));
		else
			prov_copy(out->file_id, sizeof out->file_id, nm);
		const char *exp = prov_jstr(f, "expirationTime");
		time_t t = exp ? time_parse_iso(exp) : 0;
		out->expires = t > 0 ? t : 0;
		break;
	}
	case PA_LIVE:
		out->result.http_status = 200;
		gcr_to_result(j, &out->result);
		break;
	case PA_FILES: {
		/* {"files":[File...],"nextPageToken"} (apis.md 3.4) */
		json_object *fs = prov_jget(j, "files");
		size_t dn = fs && json_object_is_type(fs, json_type_array)
				    ? json_object_array_length(fs)
				    : 0;
		out->files = dn ? xcalloc(dn, sizeof *out->files) : NULL;
		for (size_t i = 0; i < dn; i++) {
			json_object *f = json_object_array_get_idx(fs, i);
			const char *nm = prov_jstr(f, "name");
			if (!nm || !*nm || strlen(nm) >= sizeof out->files->id)
				continue; /* nothing to delete by */
			prov_file *pf = &out->files[out->nfiles++];
			prov_copy(pf->id, sizeof pf->id, nm);
			prov_copy(pf->name, sizeof pf->name, prov_jstr(f, "displayName"));
		}
		const char *nt = prov_jstr(j, "nextPageToken");
		if (nt && *nt && dn)
			out->next = xstrdup(nt);
		break;
	}
	}
	return rc;
}

static int gem_create(provider *p, const char *input_file_id, const char *our_id, const char *model,
		      prov_batch *out, sb_err *e)
{
	memset(out, 0, sizeof *out);
	if (!model || !*model)
		model = p->cfg && p->cfg->model && *p->cfg->model ? p->cfg->model
								  : gem_caps.default_model;
	sbuf b = { 0 };
	sbuf_adds(&b, "{\"batch\":{\"display_name\":");
	char *dn = xasprintf(OUR_PREFIX "%s", our_id ? our_id : "");
	prov_json_str(&b, dn);
	free(dn);
	if (!strncmp(input_file_id, INLINE_PREFIX, strlen(INLINE_PREFIX))) {
		sbuf_adds(&b, ",\"input_config\":{\"requests\":{\"requests\":[");
		if (inline_requests(input_file_id + strlen(INLINE_PREFIX), &b, e) != 0) {
			sbuf_free(&b);
			return -1;
		}
		sbuf_adds(&b, "]}}}}");
	} else {
		sbuf_adds(&b, ",\"input_config\":{\"file_name\":");
		prov_json_str(&b, input_file_id);
		sbuf_adds(&b, "}}}");
	}
	char *m = http_escape(!strncmp(model, "models/", 7) ? model + 7 : model);
	char *path = xasprintf(GEM_API "/models/%s:batchGenerateContent", m);
	free(m);
	int rc = provider_create_batch(p, path, b.p, our_id, out, e);
	free(path);
	sbuf_free(&b);
	return rc;
}

/* "batches/x" or "x" to the API path. */
static char *batch_path(const char *id, const char *suffix)
{
	const char *bare = !strncmp(id, "batches/", 8) ? id + 8 : id;
	char *esc = http_escape(bare);
	char *path = xasprintf(GEM_API "/batches/%s%s", esc, suffix);
	free(esc);
	return path;
}

static int gem_get(provider *p, const char *batch_id, prov_batch *out, sb_err *e)
{
	char *path = batch_path(batch_id, "");
	int rc = provider_batch_call(p, "GET", path, NULL, false, out, e);
	free(path);
	return rc;
}

static int gem_cancel(provider *p, const char *batch_id, prov_batch *out, sb_err *e)
{
	char *path = batch_path(batch_id, ":cancel");
	http_resp resp;
	int rc = gcall(p, "POST", path, "{}", false, &resp, e);
	http_resp_free(&resp);
	free(path);
	if (rc != 0 && !(e && (e->code == SBE_CONFLICT || e->http_status == 400)))
		return -1;
	/* Cancel answers {}: the state comes from a get (a finished batch keeps its results). */
	return gem_get(p, batch_id, out, e);
}

static int gem_list(provider *p, prov_batch **out, size_t *n, sb_err *e)
{
	*out = NULL;
	*n = 0;
	size_t cap = 0;
	char *token = NULL;
	for (int page = 0; page < 50; page++) {
		char *path;
		if (token) {
			char *t = http_escape(token);
			path = xasprintf(GEM_API "/batches?pageSize=100&pageToken=%s", t);
			free(t);
		} else
			path = xstrdup(GEM_API "/batches?pageSize=100");
		http_resp resp;
		int rc = gcall(p, "GET", path, NULL, false, &resp, e);
		free(path);
		prov_answer a;
		if (rc == 0)
			rc = provider_parse_http(p, PA_LIST, "GET batches", &resp, &a, e);
		http_resp_free(&resp);
		free(token);
		token = NULL;
		if (rc != 0) {
			prov_list_free(out, n);
			return -1;
		}
		prov_list_take(out, n, &cap, &a);
		token = a.next;
		if (!token)
			break;
	}
	free(token);
	return 0;
}

/* A page of GET files: 100 a page, the most it serves. */
static char *files_page(const char *token)
{
	if (!token)
		return xstrdup(GEM_API "/files?pageSize=100");
	char *t = http_escape(token);
	char *path = xasprintf(GEM_API "/files?pageSize=100&pageToken=%s", t);
	free(t);
	return path;
}

static int gem_list_files(provider *p, prov_file **out, size_t *n, sb_err *e)
{
	return provider_file_pages(p, files_page, "GET files", 200, out, n, e);
}

static int gem_download(provider *p, const char *file_id, const char *dest_path, sb_err *e)
{
	http_header h[] = { { GEM_KEY_HEADER, p->key } };
	const char *bare = !strncmp(file_id, "files/", 6) ? file_id + 6 : file_id;
	char *esc = http_escape(bare);
	char *url =
		xasprintf("%s/download" GEM_API "/files/%s:download?alt=media", p->base_url, esc);
	http_req rq = { .method = "GET",
			.url = url,
			.headers = h,
			.nheaders = 1,
			.download_path = dest_path,
			.max_body = GEM_FILE_MAX,
			.auth_hint = p->auth_hint };
	http_resp resp;
	int rc = http_do(&rq, &resp, e);
	http_resp_free(&resp);
	free(url);
	free(esc);
	return rc;
}

static int gem_delete_file(provider *p, const char *file_id, sb_err *e)
{
	if (!strncmp(file_id, INLINE_PREFIX, strlen(INLINE_PREFIX)))
		return 0;
	const char *bare = !strncmp(file_id, "files/", 6) ? file_id + 6 : file_id;
	char *esc = http_escape(bare);
	char *path = xasprintf(GEM_API "/files/%s", esc);
	http_resp resp;
	int rc = gcall(p, "DELETE", path, NULL, false, &resp, e);
	http_resp_free(&resp);
	free(path);
	free(esc);
	if (rc != 0 && e && e->code == SBE_NOTFOUND) {
		sb_err_clear(e);
		return 0;
	}
	return rc;
}

static int gem_live(provider *p, const sb_request *rq, sb_result *out, sb_err *e)
{
	memset(out, 0, sizeof *out);
	sbuf b = { 0 };
	if (format_gcr(rq, &b, e) != 0) {
		sbuf_free(&b);
		return -1;
	}
	const char *model = rq->model && *rq->model ? rq->model : gem_caps.default_model;
	char *m = http_escape(!strncmp(model, "models/", 7) ? model + 7 : model);
	char *url = xasprintf("%s" GEM_API "/models/%s:generateContent", p->base_url, m);
	free(m);
	http_header h[2] = { { GEM_KEY_HEADER, p->key }, { "Content-Type", "application/json" } };
	http_req hr = { .method = "POST",
			.url = url,
			.headers = h,
			.nheaders = 2,
			.body = b.p,
			.body_len = b.len };
	int rc = provider_live_call(p, rq, &hr, "generateContent", out, e);
	free(url);
	sbuf_free(&b);
	return rc;
}

static int gem_init(provider *p, sb_err *e)
{
	(void)e;
	gem_state *g = xcalloc(1, sizeof *g);
	g->cache_dir = p->cfg && p->cfg->state_dir ? xstrdup(p->cfg->state_dir) : NULL;
	p->priv = g;
	return 0;
}

static void gem_destroy(provider *p)
{
	gem_state *g = p->priv;
	if (g)
		free(g->cache_dir);
	free(g);
	p->priv = NULL;
}

/* Gemini bills 258 tokens per 768 px tile, a started tile as a whole one
 * (tokens_gemini_image), and documents no resizing cap: we send at most
 * 1536 px on the long side (4 tiles), enough for tagging.  A side a little
 * over a tile boundary (up to 1/8 of it) is brought down to the boundary,
 * the other side in proportion: 1200x800 goes as 1152x768, two tiles instead
 * of four, 800x600 as 768x576, one tile instead of two.  A size this returns
 * is returned unchanged (the estimate prices the size sent). */
#define GEMINI_MAX_SIDE 1536
#define GEMINI_TILE 768

static void gem_image_size(const char *model, const char *detail, int w, int h, int *tw, int *th)
{
	(void)model;
	(void)detail;
	*tw = w;
	*th = h;
	int mx = w > h ? w : h;
	if (mx > GEMINI_MAX_SIDE) {
		double s = (double)GEMINI_MAX_SIDE / mx;
		*tw = w >= h ? GEMINI_MAX_SIDE : (int)(w * s);
		*th = h > w ? GEMINI_MAX_SIDE : (int)(h * s);
		*tw = *tw > 0 ? *tw : 1; /* a 1 px wide strip stays 1 px wide */
		*th = *th > 0 ? *th : 1;
	}
	/* Of the sides at most 1/8 over a boundary, the one that needs the most
	 * shrinking goes to its boundary; again until no side is (a shrunk side
	 * may come within 1/8 of its own), so the result is stable. */
	for (;;) {
		int side[2] = { *tw, *th }, snap = -1;
		double k = 1;
		for (int i = 0; i < 2; i++) {
			int v = side[i], b = v / GEMINI_TILE * GEMINI_TILE;
			if (v > GEMINI_TILE && v % GEMINI_TILE && (double)b / v >= 0.875 &&
			    (double)b / v < k) {
				k = (double)b / v;
				snap = i;
			}
		}
		if (snap < 0)
			return;
		int b = side[snap] / GEMINI_TILE * GEMINI_TILE;
		int other = (int)((long)side[1 - snap] * b / side[snap]);
		*tw = snap == 0 ? b : (other > 0 ? other : 1);
		*th = snap == 1 ? b : (other > 0 ? other : 1);
	}
}

/* Of the image as we send it: a size already sent stays as it is. */
static long gem_image_tokens(const char *model, const char *detail, int w, int h)
{
	int tw, th;
	gem_image_size(model, detail, w, h, &tw, &th);
	return tokens_gemini_image(tw, th);
}

/* Every Gemini model reads images; requests set no mediaResolution, so one
 * detail: the API's default (258 tokens per tile). */
static bool gem_reads_images(const char *model)
{
	return model && strncmp(model, "gemini-", 7) == 0;
}

static int gem_image_details(const char *model, const char **out, int cap)
{
	(void)model;
	if (cap < 1)
		return 0;
	out[0] = "default";
	return 1;
}

static const char *gem_base_url(const settings *cfg)
{
	return cfg->gemini_base_url;
}

/* clang-format off */
static const provider_caps gem_caps = {
	/* The cheaper of the two in prices.conf (README, "Choosing a model"). */
	.default_model = "gemini-2.5-flash-lite",
	.default_base_url = "https://generativelanguage.googleapis.com",
	.base_url_setting = "gemini_base_url",
	.base_url = gem_base_url,
	.key_env = "GEMINI_API_KEY",
	.auth_header = GEM_KEY_HEADER,
	.auth_scheme = "",
	.probe_path = GEM_API "/models?pageSize=1",
	.max_requests = LONG_MAX,         /* no per-batch count documented */
	.max_bytes = 2000000000L,         /* 2 GB input file (apis.md 3.7) */
	/* Small batches go inline (limit 20 MB; 2 MB keeps get() answers small). */
	.inline_max = 2L * 1024 * 1024,
	.max_download = GEM_FILE_MAX,
	.image_size = gem_image_size,
	.image_tokens = gem_image_tokens,
	.reads_images = gem_reads_images,
	.image_details = gem_image_details,
	.text_tokens = tokens_gemini_chat,
};
/* clang-format on */

/* clang-format off */
const provider_ops gemini_ops = {
	.name = "gemini",
	.caps = &gem_caps,
	.init = gem_init,
	.format_request = gem_format_request,
	.parse_result = gem_parse_result,
	.parse_answer = gem_parse_answer,
	.call = gcall,
	.upload = gem_upload,
	.create = gem_create,
	.get = gem_get,
	.cancel = gem_cancel,
	.list = gem_list,
	.download = gem_download,
	.delete_file = gem_delete_file,
	.list_files = gem_list_files,
	.live = gem_live,
	.destroy = gem_destroy,
};
/* clang-format on */
