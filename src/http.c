/* http.c: one HTTP exchange with libcurl, retried the way SPEC 4.4 and
 * seed 004 7.3 ask (backoff with jitter on network errors and 5xx, 429
 * waits for retry-after, auth failures stop at once). */
#include "config.h"
#include "http.h"
#include "i18n.h"
#include "log.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static double backoff_base = 1.0;
/* A stop asked for (http_interrupt): waits end, transfers that may be cut
 * are cut, no new try starts. */
static atomic_bool interrupting;
static long connect_timeout = 15, stall_timeout = 60;
static double max_wait = 120.0;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_rc;

void http_interrupt(bool on)
{
	atomic_store(&interrupting, on);
}

static bool stopping(void)
{
	return atomic_load(&interrupting);
}

void http_set_backoff_base(double seconds)
{
	backoff_base = seconds;
}
void http_set_timeouts(long connect_s, long stall_s)
{
	connect_timeout = connect_s > 0 ? connect_s : 15;
	stall_timeout = stall_s > 0 ? stall_s : 60;
}
void http_set_max_wait(double seconds)
{
	max_wait = seconds;
}

/* One curl handle per thread, kept between calls: its connection cache
 * keeps the provider's connection (and TLS session) open, so polling and
 * live mode pay one TCP and TLS handshake, not one per call.  When a thread
 * ends, its handle goes back to a list of idle ones that the next thread
 * takes (a handle is never used by two threads at once, as curl requires),
 * so the live pool of the next batch keeps the connections of the last.  A
 * forked child never uses its parent's handles: their connections are the
 * parent's. */
typedef struct conn {
	CURL *c;
	pid_t pid;
	bool idle; /* no thread holds it */
	struct conn *next;
} conn;
static pthread_key_t conn_key;
static pthread_mutex_t conn_mu = PTHREAD_MUTEX_INITIALIZER;
static conn *conns;
static char *ca_file; /* CURLOPT_CAINFO, under conn_mu */
/* What threads may share (curl shares no connection between concurrent
 * threads): TLS sessions, so another thread's first call resumes the
 * session instead of a full handshake, and the DNS cache. */
static CURLSH *share;
static pthread_mutex_t share_mu[CURL_LOCK_DATA_LAST];

static void share_lock(CURL *c, curl_lock_data d, curl_lock_access a, void *u)
{
	(void)c, (void)a, (void)u;
	pthread_mutex_lock(&share_mu[d]);
}

static void share_unlock(CURL *c, curl_lock_data d, void *u)
{
	(void)c, (void)u;
	pthread_mutex_unlock(&share_mu[d]);
}

static void conn_unlist(conn *k)
{
	pthread_mutex_lock(&conn_mu);
	for (conn **pp = &conns; *pp; pp = &(*pp)->next)
		if (*pp == k) {
			*pp = k->next;
			break;
		}
	pthread_mutex_unlock(&conn_mu);
}

static void conn_free(conn *k)
{
	conn_unlist(k);
	if (k->pid == getpid())
		curl_easy_cleanup(k->c);
	free(k);
}

/* The thread ends: its handle waits for the next thread. */
static void conn_release(void *p)
{
	conn *k = p;
	pthread_mutex_lock(&conn_mu);
	k->idle = true;
	pthread_mutex_unlock(&conn_mu);
}

static void do_init(void)
{
	init_rc = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
	if (init_rc == 0 && pthread_key_create(&conn_key, conn_release) != 0)
		init_rc = -1;
	if (init_rc == 0 && (share = curl_share_init()) != NULL) {
		for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
			pthread_mutex_init(&share_mu[i], NULL);
		curl_share_setopt(share, CURLSHOPT_LOCKFUNC, share_lock);
		curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, share_unlock);
		curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
		curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	}
}

/* This thread's handle, options reset; NULL when curl cannot make one. */
static CURL *conn_get(void)
{
	conn *k = pthread_getspecific(conn_key);
	if (k && k->pid != getpid()) {
		/* inherited through fork(): leave the parent's connection alone */
		pthread_setspecific(conn_key, NULL);
		conn_unlist(k);
		free(k);
		k = NULL;
	}
	if (k)
		return k->c;
	pid_t me = getpid();
	pthread_mutex_lock(&conn_mu);
	for (k = conns; k && !(k->idle && k->pid == me); k = k->next)
		;
	if (k)
		k->idle = false;
	pthread_mutex_unlock(&conn_mu);
	if (!k) {
		CURL *c = curl_easy_init();
		if (!c)
			return NULL;
		k = xcalloc(1, sizeof *k);
		k->c = c;
		k->pid = me;
		pthread_mutex_lock(&conn_mu);
		k->next = conns;
		conns = k;
		pthread_mutex_unlock(&conn_mu);
	}
	pthread_setspecific(conn_key, k);
	return k->c;
}

void http_thread_done(void)
{
	if (http_global_init() != 0)
		return;
	conn *k = pthread_getspecific(conn_key);
	if (k) {
		pthread_setspecific(conn_key, NULL);
		conn_free(k);
	}
}

void http_set_ca_file(const char *path)
{
	pthread_mutex_lock(&conn_mu);
	free(ca_file);
	ca_file = path && *path ? xstrdup(path) : NULL;
	pthread_mutex_unlock(&conn_mu);
}

int http_global_init(void)
{
	pthread_once(&init_once, do_init);
	return init_rc;
}

void http_resp_free(http_resp *r)
{
	if (!r)
		return;
	sbuf_free(&r->body);
	free(r->location);
	free(r->upload_url);
	free(r->upload_status);
	memset(r, 0, sizeof *r);
}

/* Jitter needs no quality, only independence between threads. */
static void sleep_s(double s);

static double jitter01(void)
{
	static __thread uint64_t s;
	if (!s)
		s = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)&s;
	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return (double)(s >> 11) / 9007199254740992.0;
}

double http_backoff_delay(int n)
{
	return backoff_base * (double)(1u << (n < 10 ? n : 10)) * (0.75 + 0.5 * jitter01());
}

void http_sleep(double s)
{
	sleep_s(s);
}

/* In slices of at most 0.1 s, ending early on http_interrupt. */
static void sleep_s(double s)
{
	while (s > 0 && !stopping()) {
		double d = s < 0.1 ? s : 0.1;
		struct timespec ts = { (time_t)d, (long)((d - floor(d)) * 1e9) };
		while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
			;
		s -= d;
	}
}

/* curl's progress call, about once a second and on every transfer step:
 * non-zero cuts the transfer (CURLE_ABORTED_BY_CALLBACK). */
static int on_progress(void *p, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	(void)p;
	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	return stopping();
}

/* A delay the server asked for, made safe to add to a time: NaN and
 * negatives are 0, more than a week is a week. */
static double sane_delay(double d)
{
	return d > 0 ? (d < 7 * 86400.0 ? d : 7 * 86400.0) : 0;
}

typedef struct xfer {
	http_resp *resp;
	CURL *c;
	FILE *dl; /* download target, when the status is 2xx */
	bool dl_decided;
	size_t max, got; /* the body's cap (max_body) and the bytes so far */
	bool too_big;
	double ra_ms, ra_s; /* retry-after-ms, retry-after */
} xfer;

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
	xfer *x = ud;
	size_t n = size * nmemb;
	/* every body is capped, after decoding: an endless answer or a gzip
	 * bomb ends here instead of growing the process */
	if (n > x->max - x->got) {
		x->too_big = true;
		return 0; /* curl stops with CURLE_WRITE_ERROR */
	}
	x->got += n;
	if (x->dl) {
		/* Error bodies go to memory so the message can be read. */
		if (!x->dl_decided) {
			long st = 0;
			curl_easy_getinfo(x->c, CURLINFO_RESPONSE_CODE, &st);
			x->dl_decided = true;
			if (st < 200 || st > 299) {
				fclose(x->dl);
				x->dl = NULL;
			}
		}
		if (x->dl)
			return fwrite(ptr, 1, n, x->dl) == n ? n : 0;
	}
	sbuf_add(&x->resp->body, ptr, n);
	return n;
}

static char *trimdup(const char *v, size_t n)
{
	while (n && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
		n--;
	return xstrndup(v, n);
}

static size_t on_header(char *buf, size_t size, size_t nitems, void *ud)
{
	xfer *x = ud;
	size_t n = size * nitems;
	if (n >= 5 && !strncmp(buf, "HTTP/", 5)) {
		/* A new response (after 100-continue or a redirect): forget the old one. */
		free(x->resp->location);
		free(x->resp->upload_url);
		free(x->resp->upload_status);
		x->resp->location = x->resp->upload_url = x->resp->upload_status = NULL;
		x->ra_ms = x->ra_s = 0;
		return n;
	}
	const char *colon = memchr(buf, ':', n);
	if (!colon)
		return n;
	size_t kl = (size_t)(colon - buf);
	const char *v = colon + 1;
	size_t vl = n - kl - 1;
#define IS(name) (kl == sizeof(name) - 1 && !strncasecmp(buf, name, kl))
	if (IS("location")) {
		free(x->resp->location);
		x->resp->location = trimdup(v, vl);
	} else if (IS("x-goog-upload-url")) {
		free(x->resp->upload_url);
		x->resp->upload_url = trimdup(v, vl);
	} else if (IS("x-goog-upload-status")) {
		free(x->resp->upload_status);
		x->resp->upload_status = trimdup(v, vl);
	} else if (IS("retry-after-ms")) {
		char *s = trimdup(v, vl);
		x->ra_ms = sane_delay(strtod(s, NULL) / 1000.0) * 1000.0;
		free(s);
	} else if (IS("retry-after")) {
		char *s = trimdup(v, vl);
		char *end;
		double d = strtod(s, &end);
		if (end == s || *end) {
			/* An HTTP date. */
			time_t t = curl_getdate(s, NULL);
			d = t > 0 ? difftime(t, time(NULL)) : 0;
		}
		x->ra_s = sane_delay(d);
		free(s);
	}
#undef IS
	return n;
}

/* "59s", "1.5s", "0.250s": google.protobuf.Duration in JSON. */
static double parse_duration(const char *s)
{
	char *end;
	double d = strtod(s, &end);
	if (end == s)
		return 0;
	if (!strcmp(end, "ms"))
		d /= 1000.0;
	else if (!strcmp(end, "m"))
		d *= 60;
	return sane_delay(d);
}

double http_retry_info_delay(const char *body)
{
	if (!body || !strstr(body, "RetryInfo"))
		return 0;
	double d = 0;
	json_object *root = json_tokener_parse(body), *err, *det;
	if (root && json_object_object_get_ex(root, "error", &err) &&
	    json_object_object_get_ex(err, "details", &det) &&
	    json_object_is_type(det, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(det); i++) {
			json_object *it = json_object_array_get_idx(det, i), *rd;
			if (json_object_object_get_ex(it, "retryDelay", &rd))
				d = parse_duration(json_object_get_string(rd)
							   ? json_object_get_string(rd)
							   : "");
		}
	}
	json_object_put(root);
	return d;
}

/* A proxy's or gateway's HTML page instead of the API's JSON: its title. */
static char *html_title(const char *body)
{
	const char *t = strcasestr(body, "<title>");
	const char *end = t ? strcasestr(t, "</title>") : NULL;
	if (!t || !end)
		return NULL;
	t += strlen("<title>");
	while (t < end && (*t == ' ' || *t == '\t' || *t == '\r' || *t == '\n'))
		t++;
	size_t n = (size_t)(end - t);
	while (n && (t[n - 1] == ' ' || t[n - 1] == '\r' || t[n - 1] == '\n'))
		n--;
	if (n > 120)
		n = 120;
	char *title = xstrndup(t, n);
	char *out = xasprintf(_("\"%s\" (an HTML page from a proxy or gateway, not the API)"), title);
	free(title);
	return out;
}

char *http_error_message(const char *body)
{
	if (!body || !*body)
		return NULL;
	json_object *root = json_tokener_parse(body), *err, *msg;
	char *out = NULL;
	if (root && json_object_object_get_ex(root, "error", &err)) {
		if (json_object_is_type(err, json_type_string))
			out = xstrdup(json_object_get_string(err));
		else if (json_object_object_get_ex(err, "message", &msg) &&
			 json_object_is_type(msg, json_type_string))
			out = xstrdup(json_object_get_string(msg));
	}
	json_object_put(root);
	if (!out && !root)
		out = html_title(body);
	return out;
}

char *http_escape(const char *s)
{
	http_global_init();
	char *q = curl_easy_escape(NULL, s, 0);
	char *out = xstrdup(q ? q : "");
	curl_free(q);
	return out;
}

/* The path of a URL for messages: no scheme, host or query (never a key). */
static void url_path(const char *url, char *out, size_t cap)
{
	const char *p = strstr(url, "://");
	p = p ? strchr(p + 3, '/') : url;
	if (!p)
		p = "/";
	size_t n = strcspn(p, "?");
	if (n >= cap)
		n = cap - 1;
	memcpy(out, p, n);
	out[n] = 0;
}

static bool curl_err_retryable(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM: return true;
	default: return false;
	}
}

/* The request's body: a multipart form with a file, a file, bytes, or an
 * empty POST.  CURLE_READ_ERROR (errbuf says why) when the file cannot be
 * opened. */
static CURLcode set_body(CURL *c, const http_req *rq, const char *m, curl_mime **mime,
			 struct curl_slist **hl, FILE **upf, char *errbuf)
{
	if (rq->upload_path && rq->multipart_field) {
		*mime = curl_mime_init(c);
		for (size_t i = 0; i < rq->nform; i++) {
			curl_mimepart *fp = curl_mime_addpart(*mime);
			curl_mime_name(fp, rq->form[i].name);
			curl_mime_data(fp, rq->form[i].value, CURL_ZERO_TERMINATED);
		}
		curl_mimepart *fp = curl_mime_addpart(*mime);
		curl_mime_name(fp, rq->multipart_field);
		curl_mime_filedata(fp, rq->upload_path);
		curl_mime_filename(fp, rq->multipart_filename ? rq->multipart_filename
							      : path_basename(rq->upload_path));
		curl_mime_type(fp, "application/octet-stream");
		curl_easy_setopt(c, CURLOPT_MIMEPOST, *mime);
	} else if (rq->upload_path) {
		*upf = fopen(rq->upload_path, "rb");
		if (!*upf) {
			snprintf(errbuf, CURL_ERROR_SIZE, "%s", strerror(errno));
			return CURLE_READ_ERROR;
		}
		struct stat st;
		fstat(fileno(*upf), &st);
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_READDATA, *upf);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)st.st_size);
		/* No "Expect: 100-continue" round trip. */
		*hl = curl_slist_append(*hl, "Expect:");
	} else if (rq->body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body);
	} else if (!strcmp(m, "POST")) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
	}
	return CURLE_OK;
}

/* The connection's options: timeouts, TLS, where the answer goes. */
static void set_transport(CURL *c, const http_req *rq, xfer *x, char *errbuf)
{
	curl_easy_setopt(c, CURLOPT_URL, rq->url);
	if (share)
		curl_easy_setopt(c, CURLOPT_SHARE, share);
	/* curl sends a request again, by itself, when a kept-alive connection
	 * turns out closed before any answer; a request that must not be sent
	 * twice (a batch create) takes a new connection instead. */
	if (rq->no_resend)
		curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, connect_timeout);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, stall_timeout);
	if (rq->timeout_s > 0)
		curl_easy_setopt(c, CURLOPT_TIMEOUT, rq->timeout_s);
	/* TLS verification stays on: the defaults, never switched off. */
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	pthread_mutex_lock(&conn_mu);
	if (ca_file) /* a private CA (a corporate proxy): the setting ca_file */
		curl_easy_setopt(c, CURLOPT_CAINFO, ca_file); /* curl keeps a copy */
	pthread_mutex_unlock(&conn_mu);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "stockbatch/" VERSION);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	/* a request that must not be sent twice is let finish: cut, it may
	 * have reached the server, and the run would have to reconcile */
	if (!rq->no_resend) {
		curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	}
}

/* A download's temporary file, opened for this try. */
static CURLcode open_download(xfer *x, const char *part, char *errbuf)
{
	/* state files: never through a planted link, never wider than 0600 */
	int dfd = open_private(part, O_WRONLY | O_CREAT | O_TRUNC, NULL);
	x->dl = dfd >= 0 ? fdopen(dfd, "wb") : NULL;
	if (dfd >= 0 && !x->dl)
		close(dfd);
	x->dl_decided = false;
	if (x->dl)
		return CURLE_OK;
	snprintf(errbuf, CURL_ERROR_SIZE, "%s: %s", part, strerror(errno));
	return CURLE_WRITE_ERROR;
}

/* One attempt.  Returns the curl code; the status is in resp. */
static CURLcode attempt(const http_req *rq, http_resp *resp, xfer *x, const char *part, FILE **upf,
			char *errbuf)
{
	CURL *c = conn_get();
	if (!c)
		return CURLE_FAILED_INIT;
	x->c = c;
	struct curl_slist *hl = NULL;
	curl_mime *mime = NULL;
	for (size_t i = 0; i < rq->nheaders; i++) {
		char *h = xasprintf("%s: %s", rq->headers[i].name, rq->headers[i].value);
		hl = curl_slist_append(hl, h);
		free(h);
	}
	set_transport(c, rq, x, errbuf);
	const char *m = rq->method ? rq->method : "GET";
	CURLcode rc = set_body(c, rq, m, &mime, &hl, upf, errbuf);
	if (rc == CURLE_OK) {
		if (strcmp(m, "GET") && strcmp(m, "POST"))
			curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, m);
		if (hl)
			curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
		if (part)
			rc = open_download(x, part, errbuf);
	}
	if (rc == CURLE_OK) {
		rc = curl_easy_perform(c);
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
	}
	if (x->dl) {
		if (fflush(x->dl) != 0 || fsync(fileno(x->dl)) != 0)
			rc = rc ? rc : CURLE_WRITE_ERROR;
		fclose(x->dl);
		x->dl = NULL;
	}
	if (*upf) {
		fclose(*upf);
		*upf = NULL;
	}
	/* Forget this call's options (pointers to its buffers); the
	 * connection stays open in the handle for the next call. */
	curl_easy_reset(c);
	curl_mime_free(mime);
	curl_slist_free_all(hl);
	return rc;
}

static sb_errcode class_of(long status, const char *body)
{
	/* Gemini answers a deleted, expired or unknown file with 403
	 * PERMISSION_DENIED "You do not have permission to access the File ...
	 * or it may not exist": the file is gone, the key was not refused. */
	if (status == 403 && body && strstr(body, "PERMISSION_DENIED") &&
	    strstr(body, "or it may not exist"))
		return SBE_NOTFOUND;
	/* Gemini's enqueued-token limit refuses a batch create with 429
	 * RESOURCE_EXHAUSTED (QuotaFailure, no RetryInfo): waiting seconds does
	 * not help, a smaller batch or the end of running ones does (size) */
	if (status == 429 && body &&
	    (strstr(body, "BatchEnqueuedTokens") || strstr(body, "batch_enqueued_tokens")))
		return SBE_SIZE;
	if (status == 401 || status == 403)
		return SBE_AUTH;
	if (status == 400 && body && strstr(body, "API_KEY_INVALID"))
		return SBE_AUTH;
	if (status == 404)
		return SBE_NOTFOUND;
	if (status == 409)
		return SBE_CONFLICT;
	if (status == 413)
		return SBE_SIZE;
	if (status == 429)
		return SBE_RATE;
	if (status >= 500 || status == 408)
		return SBE_NETWORK;
	return SBE_GENERIC;
}

/* An HTTPS server we cannot trust, or a ca_file we cannot read. */
static void tls_refused(sb_err *e, CURLcode rc, const char *m, const char *path,
			const char *errbuf)
{
	pthread_mutex_lock(&conn_mu);
	char *ca = ca_file ? xstrdup(ca_file) : NULL;
	pthread_mutex_unlock(&conn_mu);
	if (rc == CURLE_SSL_CACERT_BADFILE)
		sb_fail(e, SBE_AUTH,
			_("%s %s: cannot use the CA certificate file %s (ca_file): %s; fix the path or the file (PEM)"),
			m, path, ca ? ca : "-", errbuf);
	else if (ca)
		sb_fail(e, SBE_AUTH,
			_("%s %s: the server's TLS certificate is not signed by the CA certificates in %s (ca_file): %s"),
			m, path, ca, errbuf);
	else
		sb_fail(e, SBE_AUTH,
			_("%s %s: the server's TLS certificate is not trusted (%s); behind a proxy or a private certificate authority, name its CA certificate file (PEM) with the setting ca_file"),
			m, path, errbuf);
	free(ca);
}

/* What the loop of http_do does after one try. */
typedef enum {
	TRY_DONE,   /* the answer is in (2xx) */
	TRY_FAILED, /* e is set: no further try */
	TRY_AGAIN,  /* a failed try: wait c->wait, then try again */
	TRY_WAIT,   /* a rate limit: wait c->wait, and the try is not used up */
} try_next;

/* One call across its tries. */
typedef struct call {
	const http_req *rq;
	http_resp *resp;
	const char *m;  /* the method, for messages */
	char path[256]; /* the URL's path, for messages */
	char *part;     /* a download's temporary file, or NULL */
	int i;          /* this try, from 0 */
	bool last;      /* no try after this one */
	double wait;    /* seconds before the next try */
	/* 429s do not use up the tries: they wait, up to max_wait in all */
	int rate_n;
	double rate_waited;
	int silent; /* tries that timed out without any answer */
} call;

/* The try failed below HTTP (no connection, no answer, a local file). */
static try_next after_transport_error(call *c, CURLcode rc, const xfer *x, const char *errbuf,
				      sb_err *e)
{
	if (rc == CURLE_ABORTED_BY_CALLBACK && stopping()) {
		sb_fail(e, SBE_NETWORK, _("%s %s: cut short: stopping"), c->m, c->path);
		return TRY_FAILED;
	}
	if (x->too_big) { /* not retried: the same server says the same */
		sb_fail(e, SBE_SIZE,
			_("%s %s: the answer is larger than the %zu bytes this call can return; "
			  "stopped reading (check the base URL)"),
			c->m, c->path, x->max);
		return TRY_FAILED;
	}
	if (rc == CURLE_READ_ERROR || rc == CURLE_WRITE_ERROR) {
		sb_fail(e, SBE_IO, _("%s %s: local file error: %s"), c->m, c->path, errbuf);
		return TRY_FAILED;
	}
	if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE) {
		/* the server's identity, not the network: trying again
		 * cannot help, so stop the run as for a refused key */
		tls_refused(e, rc, c->m, c->path, errbuf);
		return TRY_FAILED;
	}
	bool unsent = rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST;
	/* no answer at all, twice: a hanging server or proxy would
	 * hold every try for the whole stall time */
	if (rc == CURLE_OPERATION_TIMEDOUT && c->resp->status == 0 && ++c->silent >= 2) {
		sb_fail(e, SBE_NETWORK,
			_("%s %s: no answer in %ld s, %d times; check the network and the base URL, then run again"),
			c->m, c->path, stall_timeout, c->silent);
		return TRY_FAILED;
	}
	if (!curl_err_retryable(rc) || c->last || (c->rq->no_resend && !unsent)) {
		sb_fail(e, SBE_NETWORK,
			_("%s %s: %s (%s) after %d tries; check the network and the base URL, then run again"),
			c->m, c->path, curl_easy_strerror(rc), errbuf, c->i + 1);
		return TRY_FAILED;
	}
	sb_log(LOG_WARN, "%s %s: %s; retry %d in %.2f s", c->m, c->path, curl_easy_strerror(rc),
	       c->i + 1, c->wait);
	return TRY_AGAIN;
}

/* A 2xx: a download's temporary file takes its name. */
static try_next after_success(call *c, sb_err *e)
{
	if (!c->part)
		return TRY_DONE;
	if (rename(c->part, c->rq->download_path) != 0) {
		sb_fail(e, SBE_IO, _("cannot rename %s to %s: %s"), c->part, c->rq->download_path,
			strerror(errno));
		return TRY_FAILED;
	}
	fsync_dir_of(c->rq->download_path);
	return TRY_DONE;
}

/* A 429 that is not a used-up quota: wait as the server asks, within max_wait. */
static try_next after_rate_limit(call *c, const char *pmsg, sb_err *e)
{
	double w = c->resp->retry_after > 0 ? c->resp->retry_after : http_backoff_delay(c->rate_n);
	if (c->rq->rate_passthrough || c->rate_n >= 30 || c->rate_waited + w > max_wait) {
		sb_fail(e, SBE_RATE,
			_("%s %s: rate limited (HTTP 429)%s%s; wait %.0f s and try again"), c->m,
			c->path, pmsg ? ": " : "", pmsg ? pmsg : "", ceil(w));
		if (e)
			e->retry_after = w;
		return TRY_FAILED;
	}
	c->rate_n++;
	c->rate_waited += w;
	sb_log(LOG_WARN, "%s %s: HTTP 429; waiting %.2f s (%d)", c->m, c->path, w, c->rate_n);
	c->wait = w;
	return TRY_WAIT;
}

/* An HTTP status other than 2xx, classified (class_of). */
static try_next after_http_error(call *c, sb_err *e)
{
	http_resp *resp = c->resp;
	sb_errcode cls = class_of(resp->status, resp->body.p);
	if (cls == SBE_RATE && resp->retry_after <= 0)
		resp->retry_after = http_retry_info_delay(resp->body.p);
	if (e)
		e->http_status = (int)resp->status;
	if (cls == SBE_AUTH) {
		sb_fail(e, SBE_AUTH, _("%s %s: the API key was refused (HTTP %ld). %s"), c->m,
			c->path, resp->status,
			c->rq->auth_hint ? c->rq->auth_hint : _("Check the API key."));
		return TRY_FAILED;
	}
	char *pmsg = http_error_message(resp->body.p);
	if (pmsg)
		log_scrub(pmsg, strlen(pmsg) + 1);
	bool quota =
		resp->status == 429 && resp->body.p && strstr(resp->body.p, "insufficient_quota");
	try_next next = TRY_FAILED;
	if (cls == SBE_RATE && !quota) {
		next = after_rate_limit(c, pmsg, e);
	} else if (cls == SBE_NETWORK && !c->last && !c->rq->no_resend) {
		sb_log(LOG_WARN, "%s %s: HTTP %ld; retry %d in %.2f s", c->m, c->path, resp->status,
		       c->i + 1, c->wait);
		next = TRY_AGAIN;
	} else if (quota) {
		sb_fail(e, SBE_GENERIC,
			_("%s %s: the account's quota is used up (HTTP 429 insufficient_quota): check the plan and billing, then run again"),
			c->m, c->path);
	} else {
		sb_fail(e, cls, _("%s %s: HTTP %ld%s%s"), c->m, c->path, resp->status,
			pmsg ? ": " : "", pmsg ? pmsg : "");
		if (e && cls == SBE_NETWORK)
			snprintf(e->msg + strlen(e->msg), sizeof e->msg - strlen(e->msg),
				 _(" (after %d tries)"), c->i + 1);
	}
	free(pmsg);
	return next;
}

int http_do(const http_req *rq, http_resp *resp, sb_err *e)
{
	memset(resp, 0, sizeof *resp);
	if (http_global_init() != 0)
		return sb_fail(e, SBE_GENERIC, _("cannot initialise libcurl"));
	int tries = rq->max_tries > 0 ? rq->max_tries : 6;
	call c = { .rq = rq, .resp = resp, .m = rq->method ? rq->method : "GET" };
	url_path(rq->url, c.path, sizeof c.path);
	c.part = rq->download_path ? xasprintf("%s.part", rq->download_path) : NULL;
	char errbuf[CURL_ERROR_SIZE];
	try_next next = TRY_FAILED;
	for (c.i = 0; c.i < tries; c.i++) {
		if (stopping()) { /* quitting: no new try, as if the network were gone */
			sb_fail(e, SBE_NETWORK, _("%s %s: not sent: stopping"), c.m, c.path);
			next = TRY_FAILED;
			break;
		}
		sbuf_reset(&resp->body);
		resp->status = 0;
		resp->retry_after = 0;
		resp->tries++;
		xfer x = { .resp = resp };
		x.max = rq->max_body ? rq->max_body : c.part ? HTTP_DOWNLOAD_MAX : HTTP_BODY_MAX;
		FILE *upf = NULL;
		errbuf[0] = 0;
		CURLcode rc = attempt(rq, resp, &x, c.part, &upf, errbuf);
		resp->retry_after = x.ra_ms > 0 ? x.ra_ms / 1000.0 : x.ra_s;
		c.last = c.i + 1 >= tries;
		c.wait = http_backoff_delay(c.i);
		if (rc != CURLE_OK)
			next = after_transport_error(&c, rc, &x, errbuf, e);
		else if (resp->status >= 200 && resp->status <= 299)
			next = after_success(&c, e);
		else
			next = after_http_error(&c, e);
		if (next == TRY_DONE || next == TRY_FAILED)
			break;
		sleep_s(c.wait);
		if (next == TRY_WAIT)
			c.i--; /* not a failed try */
	}
	int ret = next == TRY_DONE ? 0 : -1;
	if (c.part) {
		if (ret != 0)
			unlink(c.part);
		free(c.part);
	}
	if (e && ret == 0)
		sb_err_clear(e);
	return ret;
}
