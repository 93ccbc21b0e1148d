/* http.h: libcurl wrapper with timeouts (connect, stalled transfer),
 * exponential backoff with jitter (1, 2, 4, 8, 16 s; 5 tries) on network
 * errors and 5xx, retry-after honoured on 429, auth failures at once.
 * Never logs headers or URLs with keys. */
#ifndef SB_HTTP_H
#define SB_HTTP_H
#include "util.h"

typedef struct http_header {
	const char *name, *value;
} http_header;

typedef struct http_req {
	const char *method;        /* "GET", "POST", "DELETE" */
	const char *url;
	const http_header *headers; size_t nheaders;
	const char *body; size_t body_len;
	const char *upload_path;   /* stream this file as the body (or multipart part) */
	const char *multipart_field, *multipart_filename; /* with upload_path: multipart/form-data */
	const http_header *form;  size_t nform; /* extra multipart fields */
	const char *download_path; /* stream the response body here */
	long timeout_s;            /* whole-transfer cap, 0 = none (stall detection still on) */
	int max_tries;             /* default 5 */
} http_req;

typedef struct http_resp {
	long status;
	sbuf body;                 /* unless download_path */
	char *location;            /* response headers we need */
	char *upload_url;          /* x-goog-upload-url */
	double retry_after;        /* seconds */
} http_resp;

/* 0 on 2xx.  Otherwise -1 with e->code classed (SBE_AUTH, SBE_RATE,
 * SBE_NETWORK, SBE_NOTFOUND, SBE_CONFLICT, SBE_SIZE, SBE_GENERIC) and
 * e->http_status set; resp->body holds the error body. */
int http_do(const http_req *rq, http_resp *resp, sb_err *e);
void http_resp_free(http_resp *r);
/* Tests shorten the backoff: base delay in seconds (default 1.0). */
void http_set_backoff_base(double seconds);
int http_global_init(void);
#endif
