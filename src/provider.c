/* provider.c: choosing a provider, finding its key, reading result files
 * line by line, and reconcile by our id in the batch metadata. */
#include "config.h"
#include "provider.h"
#include "http.h"
#include "i18n.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void sb_result_free(sb_result *r)
{
	if (!r)
		return;
	free(r->custom_id);
	free(r->content);
	free(r->error);
	memset(r, 0, sizeof *r);
}

const char *pb_state_name(pb_state s)
{
	static const char *const n[] = { "validating", "in_progress", "finalizing",
					 "completed",  "failed",      "expired",
					 "cancelling", "cancelled",   "unknown" };
	return (unsigned)s <= PB_UNKNOWN ? n[s] : "unknown";
}

void prov_batch_clear(prov_batch *b)
{
	if (!b)
		return;
	free(b->errors);
	free(b->inline_results);
	memset(b, 0, sizeof *b);
}

json_object *prov_jget(json_object *o, const char *k)
{
	json_object *v = NULL;
	if (o && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, k, &v) &&
	    !json_object_is_type(v, json_type_null))
		return v;
	return NULL;
}

const char *prov_jstr(json_object *o, const char *k)
{
	json_object *v = prov_jget(o, k);
	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

void prov_copy(char *dst, size_t cap, const char *s)
{
	snprintf(dst, cap, "%s", s ? s : "");
}

void prov_answer_clear(prov_answer *a)
{
	if (!a)
		return;
	prov_batch_clear(&a->batch);
	for (size_t i = 0; i < a->n; i++)
		prov_batch_clear(&a->list[i]);
	free(a->list);
	free(a->next);
	free(a->files);
	sb_result_free(&a->result);
	memset(a, 0, sizeof *a);
}

long prov_tokens(long long v)
{
	return v < 0 ? 0 : v > (1LL << 40) ? (long)(1LL << 40) : (long)v;
}

int prov_parse_answer(const provider_ops *ops, prov_answer_kind kind, const char *body, size_t len,
		      prov_answer *out, sb_err *e)
{
	memset(out, 0, sizeof *out);
	json_object *j = NULL;
	if (body && len > 0 && len <= INT_MAX) {
		json_tokener *tok = json_tokener_new();
		j = json_tokener_parse_ex(tok, body, (int)len);
		json_tokener_free(tok);
	}
	if (!j || !json_object_is_type(j, json_type_object)) {
		json_object_put(j);
		return sb_fail(e, SBE_NETWORK, _("the provider's answer is not a JSON object"));
	}
	int rc = ops->parse_answer(kind, j, out, e);
	json_object_put(j);
	if (rc != 0)
		prov_answer_clear(out);
	return rc;
}

void prov_list_take(prov_batch **out, size_t *n, size_t *cap, prov_answer *a)
{
	if (*n + a->n > *cap) {
		*cap = *n + a->n > 2 * *cap ? *n + a->n : 2 * *cap;
		*out = xrealloc(*out, *cap * sizeof **out);
	}
	if (a->n)
		memcpy(*out + *n, a->list, a->n * sizeof *a->list);
	*n += a->n;
	free(a->list);
	a->list = NULL;
	a->n = 0;
}

void prov_list_free(prov_batch **out, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		prov_batch_clear(&(*out)[i]);
	free(*out);
	*out = NULL;
	*n = 0;
}

void prov_files_take(prov_file **out, size_t *n, size_t *cap, prov_answer *a)
{
	if (*n + a->nfiles > *cap) {
		*cap = *n + a->nfiles > 2 * *cap ? *n + a->nfiles : 2 * *cap;
		*out = xrealloc(*out, *cap * sizeof **out);
	}
	if (a->nfiles)
		memcpy(*out + *n, a->files, a->nfiles * sizeof *a->files);
	*n += a->nfiles;
	free(a->files);
	a->files = NULL;
	a->nfiles = 0;
}

int provider_file_pages(provider *p, char *(*page_path)(const char *cursor), const char *what,
			int max_pages, prov_file **out, size_t *n, sb_err *e)
{
	*out = NULL;
	*n = 0;
	size_t cap = 0;
	char *cursor = NULL;
	for (int page = 0; page < max_pages; page++) {
		char *path = page_path(cursor);
		free(cursor);
		cursor = NULL;
		http_resp resp;
		int rc = p->ops->call(p, "GET", path, NULL, false, &resp, e);
		free(path);
		prov_answer a;
		if (rc == 0)
			rc = provider_parse_http(p, PA_FILES, what, &resp, &a, e);
		http_resp_free(&resp);
		if (rc != 0) {
			free(*out);
			*out = NULL;
			*n = 0;
			return -1;
		}
		prov_files_take(out, n, &cap, &a);
		cursor = a.next;
		a.next = NULL;
		prov_answer_clear(&a);
		if (!cursor)
			break;
	}
	free(cursor);
	return 0;
}

int provider_parse_http(provider *p, prov_answer_kind kind, const char *what, const http_resp *resp,
			prov_answer *out, sb_err *e)
{
	sb_err le = { 0 };
	if (prov_parse_answer(p->ops, kind, resp->body.p, resp->body.len, out, &le) == 0)
		return 0;
	return sb_fail(e, le.code ? le.code : SBE_NETWORK, _("%s: %s (HTTP %ld)"), what, le.msg,
		       resp->status);
}

void prov_json_str(sbuf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	sbuf_addc(b, '"');
	const char *run = s;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		sbuf_add(b, run, (size_t)(s - run));
		run = s + 1;
		switch (c) {
		case '"': sbuf_add(b, "\\\"", 2); break;
		case '\\': sbuf_add(b, "\\\\", 2); break;
		case '\n': sbuf_add(b, "\\n", 2); break;
		case '\r': sbuf_add(b, "\\r", 2); break;
		case '\t': sbuf_add(b, "\\t", 2); break;
		default: {
			char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			sbuf_add(b, u, 6);
		}
		}
	}
	sbuf_add(b, run, (size_t)(s - run));
	sbuf_addc(b, '"');
}

/* The one place a configured name meets its implementation. */
const char provider_default_name[] = "openai";
static const provider_ops *const providers[] = { &openai_ops, &gemini_ops };

const provider_ops *provider_at(size_t i)
{
	return i < sizeof providers / sizeof providers[0] ? providers[i] : NULL;
}

const provider_ops *provider_lookup(const char *name)
{
	for (size_t i = 0; name && *name && i < sizeof providers / sizeof providers[0]; i++)
		if (!strcmp(name, providers[i]->name))
			return providers[i];
	return NULL;
}

/* name's ops; the default's when name is NULL or empty; NULL when unknown. */
static const provider_ops *ops_by_name(const char *name)
{
	return provider_lookup(name && *name ? name : provider_default_name);
}

const provider_caps *provider_caps_named(const char *name)
{
	const provider_ops *ops = provider_lookup(name);
	return (ops ? ops : ops_by_name(NULL))->caps;
}

char *provider_names(const char *sep)
{
	sbuf b = { 0 };
	for (size_t i = 0; i < sizeof providers / sizeof providers[0]; i++) {
		if (i)
			sbuf_adds(&b, sep);
		sbuf_adds(&b, providers[i]->name);
	}
	return sbuf_steal(&b);
}

static const char *env_name(const char *name)
{
	return provider_caps_named(name)->key_env;
}

/* The configured name, or the default's when none is set. */
static const char *name_or_default(const settings *cfg, const char *name)
{
	if (name && *name)
		return name;
	return cfg && cfg->provider && *cfg->provider ? cfg->provider : provider_default_name;
}

/* A key file holds the key alone, or NAME=value lines (both keys in one file). */
static char *key_from_text(char *text, const char *var)
{
	char *save = NULL, *first = NULL;
	for (char *ln = strtok_r(text, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
		size_t n = strlen(ln);
		while (n && (ln[n - 1] == '\r' || ln[n - 1] == ' ' || ln[n - 1] == '\t'))
			ln[--n] = 0;
		while (*ln == ' ' || *ln == '\t')
			ln++;
		if (!*ln || *ln == '#')
			continue;
		size_t vl = strlen(var);
		if (!strncmp(ln, var, vl) && ln[vl] == '=')
			return xstrdup(ln + vl + 1);
		if (!strchr(ln, '=') && !first)
			first = ln;
	}
	return first ? xstrdup(first) : NULL;
}

/* The key in an open file, which is closed here (the key alone or NAME=value
 * lines); NULL when it holds none.  The copy read is wiped. */
static char *key_from_fd(int fd, const char *var)
{
	sbuf b = { 0 };
	char buf[4096];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0 && b.len < 65536)
		sbuf_add(&b, buf, (size_t)n);
	close(fd);
	char *k = b.p ? key_from_text(b.p, var) : NULL;
	if (b.p) {
		memset(b.p, 0, b.cap);
		sbuf_free(&b);
	}
	if (k && !*k) {
		free(k);
		k = NULL;
	}
	return k;
}

char *provider_credential_file(const char *name)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	if (!dir || !*dir || !name)
		return NULL;
	char *path = xasprintf("%s/%s_api_key", dir, name);
	if (access(path, F_OK) != 0) {
		free(path);
		return NULL;
	}
	return path;
}

int provider_load_key(const settings *cfg, const char *name, char **key, sb_err *e)
{
	*key = NULL;
	name = name_or_default(cfg, name);
	const char *var = env_name(name);
	const char *v = getenv(var);
	if (v && *v) {
		*key = xstrdup(v);
		log_add_secret(*key);
		return 0;
	}
	char *cred = provider_credential_file(name);
	if (cred) { /* systemd made the directory private to this service */
		int fd = open(cred, O_RDONLY | O_CLOEXEC);
		char *k = fd >= 0 ? key_from_fd(fd, var) : NULL;
		if (!k) {
			sb_fail(e, SBE_AUTH, _("The systemd credential %s holds no %s key."), cred,
				name);
			free(cred);
			return -1;
		}
		free(cred);
		log_add_secret(k);
		*key = k;
		return 0;
	}
	const char *kf = cfg ? cfg->key_file : NULL;
	if (!kf || !*kf)
		return sb_fail(
			e, SBE_AUTH,
			_("No API key for %s: set %s in the environment (export %s=...) or name a key file "
			  "with mode 0600 in the config file (key_file = PATH)."),
			name, var, var);
	int fd = open(kf, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return sb_fail(
			e, SBE_AUTH,
			_("Cannot open the key file %s (key_file): %s. Fix the path or set %s."),
			kf, strerror(errno), var);
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return sb_fail(e, SBE_AUTH, _("The key file %s (key_file) is not a regular file."),
			       kf);
	}
	if (st.st_mode & 077) {
		close(fd);
		return sb_fail(
			e, SBE_AUTH,
			_("The key file %s (key_file) can be read by other users (mode %04o); refusing it. "
			  "Run: chmod 600 %s"),
			kf, (unsigned)(st.st_mode & 07777), kf);
	}
	char *k = key_from_fd(fd, var);
	if (!k) {
		return sb_fail(e, SBE_AUTH,
			       _("The key file %s (key_file) holds no key: put the %s key in it."),
			       kf, name);
	}
	log_add_secret(k);
	*key = k;
	return 0;
}

static char *auth_hint_for(const settings *cfg, const char *name)
{
	const char *var = env_name(name);
	if (!getenv(var) && cfg && cfg->key_file && *cfg->key_file)
		return xasprintf(
			_("Replace the key in the key file %s (key_file; mode 0600), or set %s."),
			cfg->key_file, var);
	return xasprintf(
		_("Set a valid key in %s (export %s=...) or in a key file named by key_file (mode 0600)."),
		var, var);
}

int provider_open_with(const settings *cfg, const char *name, const char *key, const char *base_url,
		       provider **out, sb_err *e)
{
	*out = NULL;
	name = name_or_default(cfg, name);
	const provider_ops *ops = ops_by_name(name);
	if (!ops)
		return sb_fail(
			e, SBE_INPUT,
			_("Unknown provider \"%s\": use openai or gemini (setting provider)."),
			name);
	if (http_global_init() != 0)
		return sb_fail(e, SBE_GENERIC, _("cannot initialise libcurl"));
	if (cfg)
		http_set_ca_file(cfg->ca_file);
	if (cfg && cfg->network_timeout > 0)
		http_set_timeouts(cfg->network_timeout < 15 ? cfg->network_timeout : 15,
				  cfg->network_timeout);
	provider *p = xcalloc(1, sizeof *p);
	p->ops = ops;
	p->cfg = cfg;
	p->key = xstrdup(key ? key : "");
	if (*p->key)
		log_add_secret(p->key);
	if (!base_url || !*base_url)
		base_url = ops->caps->default_base_url;
	size_t bl = strlen(base_url);
	while (bl > 1 && base_url[bl - 1] == '/')
		bl--;
	p->base_url = xstrndup(base_url, bl);
	p->inline_max = ops->caps->inline_max;
	char *hint = auth_hint_for(cfg, name);
	p->auth_hint = hint;
	if (ops->init && ops->init(p, e) != 0) {
		provider_close(p);
		return -1;
	}
	*out = p;
	return 0;
}

int provider_open(const settings *cfg, const char *name, provider **out, sb_err *e)
{
	*out = NULL;
	name = name_or_default(cfg, name);
	const provider_ops *ops = ops_by_name(name);
	if (!ops)
		return sb_fail(
			e, SBE_INPUT,
			_("Unknown provider \"%s\": use openai or gemini (setting provider)."),
			name);
	char *key;
	if (provider_load_key(cfg, name, &key, e) != 0)
		return -1;
	const char *base = cfg ? ops->caps->base_url(cfg) : NULL;
	int rc = provider_open_with(cfg, name, key, base, out, e);
	memset(key, 0, strlen(key));
	free(key);
	return rc;
}

void provider_close(provider *p)
{
	if (!p)
		return;
	if (p->ops && p->ops->destroy)
		p->ops->destroy(p);
	if (p->key) {
		memset(p->key, 0, strlen(p->key));
		free(p->key);
	}
	free(p->base_url);
	free((char *)p->auth_hint);
	free(p);
}

int provider_read_results(provider *p, const char *path, int (*fn)(const sb_result *r, void *ctx),
			  void *ctx, sb_err *e)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return sb_fail(e, errno == ENOENT ? SBE_NOTFOUND : SBE_IO,
			       _("Cannot open the result file %s: %s"), path, strerror(errno));
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	int rc = 0;
	while ((n = getline(&line, &cap, f)) > 0) {
		lineno++;
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = 0;
		size_t i = 0;
		while (i < (size_t)n && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == (size_t)n)
			continue;
		sb_result r = { 0 };
		sb_err le = { 0 };
		if (p->ops->parse_result(p, line, (size_t)n, &r, &le) != 0) {
			/* A broken line is a failed item, not a failed file. */
			sb_result_free(&r);
			r.custom_id = xstrdup("");
			r.ok = false;
			r.error = xasprintf(_("%s line %ld: %s"), path, lineno, le.msg);
		}
		int frc = fn(&r, ctx);
		sb_result_free(&r);
		if (frc != 0) {
			rc = sb_fail(e, SBE_GENERIC, _("%s line %ld: processing stopped"), path,
				     lineno);
			break;
		}
	}
	if (rc == 0 && ferror(f))
		rc = sb_fail(e, SBE_IO, _("Cannot read the result file %s: %s"), path,
			     strerror(errno));
	free(line);
	fclose(f);
	return rc;
}

int provider_batch_call(provider *p, const char *method, const char *path, const char *body,
			bool no_resend, prov_batch *out, sb_err *e)
{
	http_resp resp;
	int rc = p->ops->call(p, method, path, body, no_resend, &resp, e);
	if (rc == 0) {
		prov_answer a;
		rc = provider_parse_http(p, PA_BATCH, path, &resp, &a, e);
		if (rc == 0)
			*out = a.batch; /* owns errors and inline results */
	}
	http_resp_free(&resp);
	return rc;
}

int provider_create_batch(provider *p, const char *path, const char *body, const char *our_id,
			  prov_batch *out, sb_err *e)
{
	int rc = -1;
	for (int i = 0; i < 6; i++) {
		rc = provider_batch_call(p, "POST", path, body, true, out, e);
		if (rc == 0 || !e || e->code != SBE_NETWORK || !our_id || !*our_id)
			break;
		sb_log(LOG_WARN, "create batch %s: %s; checking whether it was created", our_id,
		       e->msg);
		http_sleep(http_backoff_delay(i));
		sb_err le = { 0 };
		if (provider_find_ours(p, our_id, out, &le) == 0) {
			sb_log(LOG_INFO, "create batch %s: found it at the provider as %s", our_id,
			       out->id);
			sb_err_clear(e);
			rc = 0;
			break;
		}
		if (le.code != SBE_NOTFOUND) {
			if (e)
				*e = le;
			break;
		}
	}
	return rc;
}

int provider_find_ours(provider *p, const char *our_id, prov_batch *out, sb_err *e)
{
	memset(out, 0, sizeof *out);
	prov_batch *v = NULL;
	size_t n = 0;
	if (p->ops->list(p, &v, &n, e) != 0)
		return -1;
	ssize_t best = -1;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].our_id, our_id))
			continue;
		/* Prefer a live or completed batch over a failed duplicate; else the newest. */
		bool good = v[i].state != PB_FAILED && v[i].state != PB_CANCELLED &&
			    v[i].state != PB_EXPIRED;
		if (best < 0)
			best = (ssize_t)i;
		else {
			bool bgood = v[best].state != PB_FAILED && v[best].state != PB_CANCELLED &&
				     v[best].state != PB_EXPIRED;
			if ((good && !bgood) || (good == bgood && v[i].created > v[best].created))
				best = (ssize_t)i;
		}
	}
	for (size_t i = 0; i < n; i++)
		if ((ssize_t)i == best)
			*out = v[i];
		else
			prov_batch_clear(&v[i]);
	free(v);
	if (best < 0)
		return sb_fail(e, SBE_NOTFOUND, _("No batch at %s carries our id %s."),
			       p->ops->name, our_id);
	return 0;
}

bool provider_live_rejected(const sb_err *e)
{
	/* Auth (401, 403, Gemini's 400 API_KEY_INVALID) stops the run, 429
	 * cools the queue, 408 and 5xx are retried (reference/apis.md 1, 3.9).
	 * What is left and says "this request": a bad request, an unknown
	 * model or resource (no retry changes that), too large, unprocessable.
	 * Other statuses (402, 409, 429 insufficient_quota) concern the
	 * account, not the item: retried, then failed. */
	if (!e || e->code == SBE_AUTH || e->code == SBE_RATE || e->code == SBE_NETWORK)
		return false;
	switch (e->http_status) {
	case 400:
	case 404:
	case 413:
	case 422: return true;
	default: return false;
	}
}

int provider_live_call(provider *p, const sb_request *rq, http_req *hr, const char *what,
		       sb_result *out, sb_err *e)
{
	memset(out, 0, sizeof *out);
	hr->auth_hint = p->auth_hint;
	hr->rate_passthrough = true; /* the limiter waits, for the whole queue */
	hr->timeout_s = 600;
	http_resp resp;
	int rc = http_do(hr, &resp, e);
	if (rc == 0) {
		prov_answer a;
		rc = provider_parse_http(p, PA_LIVE, what, &resp, &a, e);
		if (rc == 0)
			*out = a.result;
	} else if (provider_live_rejected(e)) {
		/* A per-request rejection: a failed item, not a failed run. */
		out->http_status = e->http_status;
		out->ok = false;
		out->error = xstrdup(e->msg);
		sb_err_clear(e);
		rc = 0;
	}
	if (rc == 0)
		out->custom_id = xstrdup(rq->custom_id ? rq->custom_id : "");
	http_resp_free(&resp);
	return rc;
}
