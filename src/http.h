/* http.h: libcurl wrapper with timeouts (connect, stalled transfer),
 * exponential backoff with jitter (1, 2, 4, 8, 16 s; 5 retries) on network
 * errors and 5xx, retry-after honoured on 429, auth failures at once.
 * Never logs headers or URLs with keys. */
#ifndef SB_HTTP_H
#define SB_HTTP_H
#include "util.h"

typedef struct http_header {
	const char *name, *value;
} http_header;

typedef struct http_req {
	const char *method; /* "GET", "POST", "DELETE" */
	const char *url;
	const http_header *headers;
	size_t nheaders;
	const char *body;
	size_t body_len;
	const char *upload_path; /* stream this file as the body (or multipart part) */
	const char *multipart_field,
		*multipart_filename; /* with upload_path: multipart/form-data */
	const http_header *form;
	size_t nform; /* extra multipart fields */
	const char *
		download_path; /* stream the response body here (written to .part, renamed on success) */
	long timeout_s;        /* whole-transfer cap, 0 = none (stall detection still on) */
	size_t max_body;       /* the most the call may legitimately return (bytes, after
				    * gzip): a longer body fails the call (SBE_SIZE, no retry);
				    * 0 = HTTP_BODY_MAX, or HTTP_DOWNLOAD_MAX with download_path */
	int max_tries; /* attempts in all; 0 = default 6 (first + retries after 1, 2, 4, 8, 16 s) */
	const char *auth_hint; /* appended to SBE_AUTH messages: which variable or file to set */
	bool rate_passthrough; /* 429: return SBE_RATE at once (live mode: the limiter waits) */
	bool no_resend;        /* not idempotent (batch create): once the request may have reached
				    * the server (reset, timeout, 5xx), fail with SBE_NETWORK and let
				    * the caller reconcile instead of sending it again */
} http_req;

typedef struct http_resp {
	long status;
	sbuf body;           /* unless download_path (then only error bodies) */
	char *location;      /* response headers we need */
	char *upload_url;    /* x-goog-upload-url */
	char *upload_status; /* x-goog-upload-status */
	double retry_after;  /* seconds: retry-after-ms, retry-after, or Gemini RetryInfo */
	int tries;           /* attempts made */
} http_resp;

/* A response held in memory: the largest JSON answer of the providers
 * (a batch with inline results, a page of a list) is far below this. */
#define HTTP_BODY_MAX ((size_t)64 << 20)
/* A result file streamed to disk: the providers' largest file (Gemini's
 * File API takes 2 GB; OpenAI's batch files 200 MB). */
#define HTTP_DOWNLOAD_MAX ((size_t)2 << 30)

/* 0 on 2xx.  Otherwise -1 with e->code classed (SBE_AUTH, SBE_RATE,
 * SBE_NETWORK, SBE_NOTFOUND, SBE_CONFLICT, SBE_SIZE, SBE_GENERIC) and
 * e->http_status set; resp->body holds the error body. */
int http_do(const http_req *rq, http_resp *resp, sb_err *e);
void http_resp_free(http_resp *r);
/* A stop for every thread's calls (the TUI quitting): waits between tries
 * end, a transfer under way is cut unless the request is no_resend, no new
 * try starts; the calls fail with SBE_NETWORK, as when the network is gone,
 * so nothing is marked failed.  http_interrupt(false) lets calls run again. */
void http_interrupt(bool on);
/* Tests shorten the backoff: base delay in seconds (default 1.0). */
void http_set_backoff_base(double seconds);
/* Connect timeout and stall time (no byte for this long aborts the try);
 * defaults 15 s and 60 s.  Tests shorten them. */
void http_set_timeouts(long connect_s, long stall_s);
/* Longest retry-after we sleep inside http_do (default 120 s); a longer
 * one returns SBE_RATE with e->retry_after for the caller to schedule. */
void http_set_max_wait(double seconds);
int http_global_init(void);
/* The CA certificates (a PEM file) that HTTPS servers are checked against
 * instead of the system's (the setting ca_file); NULL or "" = the system's. */
void http_set_ca_file(const char *path);
/* Each thread keeps one curl handle, and with it its open connections,
 * from call to call; a thread that ends leaves it to the next thread.  This
 * frees the calling thread's now (its connections close). */
void http_thread_done(void);
/* The backoff before retry n (0-based): base * 2^n with jitter. */
double http_backoff_delay(int n);
void http_sleep(double seconds);
/* The provider's error text from an error body ({"error":{"message"}}),
 * or NULL; caller frees. */
char *http_error_message(const char *body);
/* Gemini's error.details[] RetryInfo.retryDelay in seconds (0 when none;
 * at most a week). */
double http_retry_info_delay(const char *body);
/* URL-escape one component (caller frees). */
char *http_escape(const char *s);
#endif
