/* test_openai.c: the OpenAI client against tests/fakeapi.py: the happy path
 * (upload, create, poll, download, parse, delete) and every fault. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "engine/live.h"
#include "ratelimit.h"
#include "provtest.h"
#include "settings.h"

static fakeproc fk;
static settings cfg;
static provider *P;
static char *tmp;

static int setup(void **state)
{
	(void)state;
	http_set_backoff_base(0.01);
	http_set_timeouts(5, 1);
	if (fake_start(&fk, NULL) != 0)
		return -1;
	settings_defaults(&cfg);
	tmp = pt_tmpdir();
	sb_err e = {0};
	return provider_open_with(&cfg, "openai", "sk-test-fake", fk.oai, &P, &e);
}

static int teardown(void **state)
{
	(void)state;
	provider_close(P);
	settings_free(&cfg);
	int rc = fake_stop(&fk);
	pt_rmrf(tmp);
	free(tmp);
	return rc == 0 ? 0 : -1; /* the fake exits cleanly on SIGTERM */
}

static int clear_faults(void **state)
{
	(void)state;
	fake_fault(&fk, "clear");
	return 0;
}

/* Upload n requests and create a batch; returns its id in b. */
static void submit(int n, const char *tag, prov_batch *b)
{
	char *in = xasprintf("%s/%s.jsonl", tmp, tag);
	assert_int_equal(pt_write_jsonl(P, in, n, tag, "gpt-4o-mini"), 0);
	char fid[128];
	sb_err e = {0};
	assert_int_equal(P->ops->upload(P, in, NULL, fid, sizeof fid, &e), 0);
	assert_true(!strncmp(fid, "file-", 5));
	assert_int_equal(P->ops->create(P, fid, tag, "gpt-4o-mini", b, &e), 0);
	assert_string_equal(b->our_id, tag);
	assert_string_equal(b->input_file_id, fid);
	free(in);
}

static void fetch(const char *file_id, pt_counts *c)
{
	char *out = xasprintf("%s/out-%s.jsonl", tmp, file_id);
	sb_err e = {0};
	assert_int_equal(P->ops->download(P, file_id, out, &e), 0);
	assert_int_equal(provider_read_results(P, out, pt_count_cb, c, &e), 0);
	free(out);
}

static void test_format_request(void **state)
{
	(void)state;
	sb_request rq = {.custom_id = "IMG_1_b1", .model = "gpt-4o-mini", .system_prompt = "sys",
			 .user_text = "t\"x", .jpeg = test_jpeg, .jpeg_len = sizeof test_jpeg, .detail = "low",
			 .schema_json = TEST_SCHEMA, .schema_name = "stock_metadata", .max_tokens = 500};
	sbuf b = {0};
	sb_err e = {0};
	assert_int_equal(P->ops->format_request(P, &rq, &b, &e), 0);
	assert_null(strchr(b.p, '\n'));
	json_object *o = json_tokener_parse(b.p), *v, *body, *rf, *js, *msgs;
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "url", &v));
	assert_string_equal(json_object_get_string(v), "/v1/chat/completions");
	assert_true(json_object_object_get_ex(o, "method", &v));
	assert_string_equal(json_object_get_string(v), "POST");
	assert_true(json_object_object_get_ex(o, "body", &body));
	assert_true(json_object_object_get_ex(body, "max_tokens", &v));
	assert_int_equal(json_object_get_int(v), 500);
	assert_true(json_object_object_get_ex(body, "response_format", &rf));
	assert_true(json_object_object_get_ex(rf, "json_schema", &js));
	assert_true(json_object_object_get_ex(js, "strict", &v));
	assert_true(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(js, "schema", &v));
	assert_true(json_object_object_get_ex(body, "messages", &msgs));
	json_object *user = json_object_array_get_idx(msgs, 1), *content, *img, *iu;
	assert_true(json_object_object_get_ex(user, "content", &content));
	img = json_object_array_get_idx(content, 1);
	assert_true(json_object_object_get_ex(img, "image_url", &iu));
	assert_true(json_object_object_get_ex(iu, "url", &v));
	assert_true(!strncmp(json_object_get_string(v), "data:image/jpeg;base64,/9j/", 27));
	assert_true(json_object_object_get_ex(iu, "detail", &v));
	assert_string_equal(json_object_get_string(v), "low");
	json_object_put(o);
	sbuf_free(&b);
	/* Newer models take max_completion_tokens. */
	rq.model = "gpt-5-mini";
	assert_int_equal(P->ops->format_request(P, &rq, &b, &e), 0);
	assert_non_null(strstr(b.p, "\"max_completion_tokens\":500"));
	sbuf_free(&b);
}

static void test_parse_lines(void **state)
{
	(void)state;
	sb_result r;
	sb_err e = {0};
	const char *ok = "{\"id\":\"batch_req_1\",\"custom_id\":\"a\",\"response\":{\"status_code\":200,\"request_id\":"
			 "\"r\",\"body\":{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
			 "\"{}\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":22,\"completion_tokens\":2}}},"
			 "\"error\":null}";
	assert_int_equal(P->ops->parse_result(P, ok, strlen(ok), &r, &e), 0);
	assert_true(r.ok);
	assert_string_equal(r.custom_id, "a");
	assert_string_equal(r.content, "{}");
	assert_int_equal(r.in_tokens, 22);
	assert_int_equal(r.out_tokens, 2);
	sb_result_free(&r);
	const char *exp = "{\"id\":\"batch_req_123\",\"custom_id\":\"request-3\",\"response\":null,\"error\":{\"code\":"
			  "\"batch_expired\",\"message\":\"This request could not be executed before the completion "
			  "window expired.\"}}";
	assert_int_equal(P->ops->parse_result(P, exp, strlen(exp), &r, &e), 0);
	assert_false(r.ok);
	assert_non_null(strstr(r.error, "batch_expired"));
	sb_result_free(&r);
	const char *bad = "{\"id\":\"batch_req_4\",\"custom_id\":\"exp:t1\",\"response\":{\"status_code\":400,\"request_id\":"
			  "\"req_5\",\"body\":{\"error\":{\"message\":\"Invalid 'max_output_tokens'\",\"type\":"
			  "\"invalid_request_error\",\"param\":\"max_output_tokens\",\"code\":\"integer_below_min_value\"}}},"
			  "\"error\":null}";
	assert_int_equal(P->ops->parse_result(P, bad, strlen(bad), &r, &e), 0);
	assert_false(r.ok);
	assert_int_equal(r.http_status, 400);
	assert_non_null(strstr(r.error, "integer_below_min_value"));
	sb_result_free(&r);
	assert_int_equal(P->ops->parse_result(P, "{\"custom_id\":", 13, &r, &e), -1);
	sb_result_free(&r);
}

static void test_happy_path(void **state)
{
	(void)state;
	prov_batch b = {0};
	submit(7, "happy", &b);
	assert_int_equal(b.state, PB_VALIDATING);
	char id[128];
	snprintf(id, sizeof id, "%s", b.id);
	sb_err e = {0};
	assert_int_equal(pt_wait(P, id, &b, &e), 0);
	assert_int_equal(b.state, PB_COMPLETED);
	assert_int_equal(b.total, 7);
	assert_int_equal(b.completed, 7);
	assert_true(b.output_file_id[0]);
	pt_counts c = {0};
	fetch(b.output_file_id, &c);
	assert_int_equal(c.ok, 7);
	assert_int_equal(c.json_ok, 7);
	assert_int_equal(P->ops->delete_file(P, b.output_file_id, &e), 0);
	assert_int_equal(P->ops->delete_file(P, b.input_file_id, &e), 0);
	assert_int_equal(fake_stat(&fk, "files_deleted"), 2);
	/* Deleting again is not an error: it is gone, as wanted. */
	assert_int_equal(P->ops->delete_file(P, b.input_file_id, &e), 0);
	/* The fake counted every custom id once. */
	assert_int_equal(fake_stat(&fk, "custom_ids.IMG_0003_happy"), 1);
	prov_batch_clear(&b);
}

static void test_retry_5xx(void **state)
{
	(void)state;
	prov_batch b = {0};
	submit(1, "r5xx", &b);
	char id[128];
	snprintf(id, sizeof id, "%s", b.id);
	fake_fault(&fk, "503=2");
	fake_fault(&fk, "500=1");
	sb_err e = {0};
	assert_int_equal(P->ops->get(P, id, &b, &e), 0);
	assert_int_equal(fake_stat(&fk, "faults_fired.503"), 2);
	assert_int_equal(fake_stat(&fk, "faults_fired.500"), 1);
	/* Six 503s in a row: given up, a network-class error. */
	fake_fault(&fk, "503=6");
	assert_int_equal(P->ops->get(P, id, &b, &e), -1);
	assert_int_equal(e.code, SBE_NETWORK);
	assert_int_equal(e.http_status, 503);
	prov_batch_clear(&b);
}

static void test_rate_limit(void **state)
{
	(void)state;
	prov_batch b = {0};
	submit(1, "r429", &b);
	char id[128];
	snprintf(id, sizeof id, "%s", b.id);
	fake_fault(&fk, "429=2:0.05");
	sb_err e = {0};
	assert_int_equal(P->ops->get(P, id, &b, &e), 0);
	assert_int_equal(fake_stat(&fk, "faults_fired.429"), 2);
	/* A storm longer than the network tries: 429s wait, they do not use tries up. */
	fake_fault(&fk, "429=10:0.01");
	assert_int_equal(P->ops->get(P, id, &b, &e), 0);
	assert_int_equal(fake_stat(&fk, "faults_fired.429"), 12);
	/* Live mode: 429 comes back at once as SBE_RATE with retry-after. */
	fake_fault(&fk, "429=1:7");
	sb_request rq = {.custom_id = "live1", .model = "gpt-4o-mini", .user_text = "A lake", .schema_json = TEST_SCHEMA};
	sb_result r = {0};
	assert_int_equal(P->ops->live(P, &rq, &r, &e), -1);
	assert_int_equal(e.code, SBE_RATE);
	assert_true(e.retry_after > 6.9 && e.retry_after < 7.1);
	sb_result_free(&r);
	/* A retry-after above the cap is not slept inside http_do. */
	fake_fault(&fk, "429=1:500");
	assert_int_equal(P->ops->get(P, id, &b, &e), -1);
	assert_int_equal(e.code, SBE_RATE);
	assert_true(e.retry_after > 499);
	prov_batch_clear(&b);
}

static void test_transport_faults(void **state)
{
	(void)state;
	prov_batch b = {0};
	submit(30, "transport", &b);
	char id[128];
	snprintf(id, sizeof id, "%s", b.id);
	sb_err e = {0};
	assert_int_equal(pt_wait(P, id, &b, &e), 0);
	fake_fault(&fk, "reset=2");
	assert_int_equal(P->ops->get(P, id, &b, &e), 0);
	assert_int_equal(fake_stat(&fk, "faults_fired.reset"), 2);
	/* A truncated, then a stalled download: retried, the file is whole. */
	fake_fault(&fk, "truncate=1");
	pt_counts c = {0};
	fetch(b.output_file_id, &c);
	assert_int_equal(c.ok, 30);
	assert_int_equal(fake_stat(&fk, "faults_fired.truncate"), 1);
	fake_fault(&fk, "stall=1:30");
	memset(&c, 0, sizeof c);
	fetch(b.output_file_id, &c);
	assert_int_equal(c.ok, 30);
	assert_int_equal(fake_stat(&fk, "faults_fired.stall"), 1);
	/* No stray .part file is left. */
	char *part = xasprintf("%s/out-%s.jsonl.part", tmp, b.output_file_id);
	assert_false(file_exists(part));
	free(part);
	/* Nothing listening: a network error after the tries. */
	provider *q;
	assert_int_equal(provider_open_with(&cfg, "openai", "sk-test-fake", "http://127.0.0.1:1/v1", &q, &e), 0);
	assert_int_equal(q->ops->get(q, id, &b, &e), -1);
	assert_int_equal(e.code, SBE_NETWORK);
	provider_close(q);
	prov_batch_clear(&b);
}

static void test_auth(void **state)
{
	(void)state;
	const char *bad = "sk-wrong-SECRETKEY-0123456789";
	provider *q;
	sb_err e = {0};
	assert_int_equal(provider_open_with(&cfg, "openai", bad, fk.oai, &q, &e), 0);
	prov_batch b = {0};
	long before = fake_stat(&fk, "requests");
	assert_int_equal(q->ops->get(q, "batch_x", &b, &e), -1);
	assert_int_equal(e.code, SBE_AUTH);
	assert_int_equal(e.http_status, 401);
	assert_non_null(strstr(e.msg, "OPENAI_API_KEY"));
	assert_null(strstr(e.msg, bad));
	assert_null(strstr(e.msg, "6789")); /* not even the masked tail the server echoes */
	/* Stopped at once: one request. */
	assert_int_equal(fake_stat(&fk, "requests") - before, 1);
	provider_close(q);
}

static void test_validation_failure(void **state)
{
	(void)state;
	fake_fault(&fk, "validation");
	prov_batch b = {0};
	submit(3, "valid", &b);
	char id[128];
	snprintf(id, sizeof id, "%s", b.id);
	sb_err e = {0};
	assert_int_equal(pt_wait(P, id, &b, &e), 0);
	assert_int_equal(b.state, PB_FAILED);
	assert_non_null(b.errors);
	assert_non_null(strstr(b.errors, "line 1: Missing required parameter: 'custom_id'."));
	assert_non_null(strstr(b.errors, "line 2: "));
	prov_batch_clear(&b);
	/* A real bad line: invalid JSON on line 2 of an uploaded file. */
	char *in = xasprintf("%s/broken.jsonl", tmp);
	assert_int_equal(pt_write_jsonl(P, in, 1, "broken", "gpt-4o-mini"), 0);
	FILE *f = fopen(in, "a");
	fputs("{not json\n", f);
	fclose(f);
	char fid[128];
	assert_int_equal(P->ops->upload(P, in, NULL, fid, sizeof fid, &e), 0);
	assert_int_equal(P->ops->create(P, fid, "broken", "gpt-4o-mini", &b, &e), 0);
	snprintf(id, sizeof id, "%s", b.id);
	assert_int_equal(pt_wait(P, id, &b, &e), 0);
	assert_int_equal(b.state, PB_FAILED);
	assert_non_null(strstr(b.errors, "line 2: This line is not parseable as valid JSON. (invalid_json_line)"));
	prov_batch_clear(&b);
	free(in);
	/* Token limit: failed, no line number. */
	fake_fault(&fk, "token_limit");
	submit(2, "tokens", &b);
	snprintf(id, sizeof id, "%s", b.id);
	assert_int_equal(pt_wait(P, id, &b, &e), 0);
	assert_int_equal(b.state, PB_FAILED);
	assert_non_null(strstr(b.errors, "token_limit_exceeded"));
	assert_null(strstr(b.errors, "line "));
	prov_batch_clear(&b);
}

static void test_expired_partial(void **state)
{
	(void)state;
	fake_fault(&fk, "expire=0.5");
	prov_batch b = {0};
	submit(10, "expire", &b);
	char id[128];
	snprintf(id, sizeof id, "%s", b.id);
	sb_err e = {0};
	assert_int_equal(pt_wait(P, id, &b, &e), 0);
	assert_int_equal(b.state, PB_EXPIRED);
	assert_true(b.output_file_id[0]);
	assert_true(b.error_file_id[0]);
	pt_counts c = {0};
	fetch(b.output_file_id, &c);
	fetch(b.error_file_id, &c);
	assert_int_equal(c.ok, 5);
	assert_int_equal(c.expired, 5);
	assert_int_equal(c.lines, 10);
	prov_batch_clear(&b);
}

static void test_line_errors_and_bad_json(void **state)
{
	(void)state;
	fake_fault(&fk, "line_errors=0.3");
	fake_fault(&fk, "bad_json=0.3");
	prov_batch b = {0};
	submit(40, "lines", &b);
	char id[128];
	snprintf(id, sizeof id, "%s", b.id);
	sb_err e = {0};
	assert_int_equal(pt_wait(P, id, &b, &e), 0);
	assert_int_equal(b.state, PB_COMPLETED);
	assert_true(b.failed > 0);
	pt_counts c = {0};
	fetch(b.output_file_id, &c);
	fetch(b.error_file_id, &c);
	assert_int_equal(c.lines, 40);
	assert_int_equal(c.failed, b.failed);
	assert_non_null(strstr(c.last_error, "HTTP 400"));
	/* Some answers are not valid JSON: the parser hands them on as ok (validation rejects them). */
	assert_true(c.json_ok < c.ok);
	prov_batch_clear(&b);
}

static void test_cancel(void **state)
{
	(void)state;
	fake_fault(&fk, "step=0.3");
	fake_fault(&fk, "cancel_keep=0.5");
	prov_batch b = {0};
	submit(8, "cancel", &b);
	char id[128];
	snprintf(id, sizeof id, "%s", b.id);
	sb_err e = {0};
	assert_int_equal(P->ops->cancel(P, id, &b, &e), 0);
	assert_int_equal(b.state, PB_CANCELLING);
	assert_int_equal(pt_wait(P, id, &b, &e), 0);
	assert_int_equal(b.state, PB_CANCELLED);
	pt_counts c = {0};
	fetch(b.output_file_id, &c);
	assert_int_equal(c.ok, 4); /* what completed is kept */
	prov_batch_clear(&b);
	/* Cancelling a completed batch: 409, handled; the state says completed. */
	fake_fault(&fk, "step=0.01");
	submit(2, "cancel2", &b);
	snprintf(id, sizeof id, "%s", b.id);
	assert_int_equal(pt_wait(P, id, &b, &e), 0);
	assert_int_equal(P->ops->cancel(P, id, &b, &e), 0);
	assert_int_equal(b.state, PB_COMPLETED);
	prov_batch_clear(&b);
	/* Unknown batch: SBE_NOTFOUND. */
	assert_int_equal(P->ops->get(P, "batch_nope", &b, &e), -1);
	assert_int_equal(e.code, SBE_NOTFOUND);
}

static void test_crash_create_reconcile(void **state)
{
	(void)state;
	long before = fake_stat(&fk, "batches_created");
	fake_fault(&fk, "crash_create=1");
	prov_batch b = {0};
	submit(2, "crash", &b);
	assert_int_equal(fake_stat(&fk, "faults_fired.crash_create"), 1);
	/* The batch was created once, and found by its metadata. */
	assert_int_equal(fake_stat(&fk, "batches_created") - before, 1);
	assert_true(!strncmp(b.id, "batch_", 6));
	prov_batch f = {0};
	sb_err e = {0};
	assert_int_equal(provider_find_ours(P, "crash", &f, &e), 0);
	assert_string_equal(f.id, b.id);
	prov_batch_clear(&f);
	assert_int_equal(provider_find_ours(P, "never-sent", &f, &e), -1);
	assert_int_equal(e.code, SBE_NOTFOUND);
	prov_batch_clear(&b);
}

static void test_list_pagination(void **state)
{
	(void)state;
	fake_fault(&fk, "page_size=2");
	prov_batch *v = NULL;
	size_t n = 0;
	sb_err e = {0};
	long created = fake_stat(&fk, "batches_created");
	long pages0 = fake_stat(&fk, "requests_by_path.GET /v1/batches");
	assert_int_equal(P->ops->list(P, &v, &n, &e), 0);
	assert_int_equal((long)n, created);
	assert_true(fake_stat(&fk, "requests_by_path.GET /v1/batches") - pages0 >= (created + 1) / 2);
	for (size_t i = 0; i < n; i++)
		prov_batch_clear(&v[i]);
	free(v);
}

/* GET /files: the parse (a file without an id is skipped; has_more without
 * last_id goes on after the last file), the fake's pages and its 400s. */
static void test_list_files(void **state)
{
	(void)state;
	static const char page[] =
		"{\"object\":\"list\",\"data\":[{\"id\":\"file-a\",\"object\":\"file\",\"bytes\":1,"
		"\"created_at\":1,\"filename\":\"stockbatch-b1.jsonl\",\"purpose\":\"batch\","
		"\"status\":\"processed\"},{\"object\":\"file\",\"filename\":\"x.jsonl\"},"
		"{\"id\":\"file-b\",\"object\":\"file\",\"filename\":\"y.jsonl\"}],\"has_more\":true}";
	prov_answer a;
	sb_err e = {0};
	assert_int_equal(prov_parse_answer(&openai_ops, PA_FILES, page, strlen(page), &a, &e), 0);
	assert_int_equal((int)a.nfiles, 2);
	assert_string_equal(a.files[0].id, "file-a");
	assert_string_equal(a.files[0].name, "stockbatch-b1.jsonl");
	assert_string_equal(a.files[1].id, "file-b");
	assert_string_equal(a.next, "file-b");
	prov_answer_clear(&a);
	static const char last[] = "{\"object\":\"list\",\"data\":[],\"has_more\":false}";
	assert_int_equal(prov_parse_answer(&openai_ops, PA_FILES, last, strlen(last), &a, &e), 0);
	assert_int_equal((int)a.nfiles, 0);
	assert_null(a.next);
	prov_answer_clear(&a);

	assert_int_equal(pt_list_files(&fk, P, tmp, "gpt-4o-mini", "requests_by_path.GET /v1/files"), 0);
	http_resp r;
	assert_int_equal(P->ops->call(P, "GET", "/files?limit=0", NULL, false, &r, &e), -1);
	assert_int_equal(e.http_status, 400);
	http_resp_free(&r);
	assert_int_equal(P->ops->call(P, "GET", "/files?order=sideways", NULL, false, &r, &e), -1);
	assert_int_equal(e.http_status, 400);
	http_resp_free(&r);
}

static void test_live(void **state)
{
	(void)state;
	sb_request rq = {.custom_id = "live2", .model = "gpt-4o-mini", .system_prompt = "s",
			 .user_text = "Old stone bridge over a river", .jpeg = test_jpeg, .jpeg_len = sizeof test_jpeg,
			 .schema_json = TEST_SCHEMA, .max_tokens = 300};
	sb_result r = {0};
	sb_err e = {0};
	assert_int_equal(P->ops->live(P, &rq, &r, &e), 0);
	assert_true(r.ok);
	assert_string_equal(r.custom_id, "live2");
	json_object *o = json_tokener_parse(r.content), *t;
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "title", &t));
	assert_true(strlen(json_object_get_string(t)) <= 70);
	json_object_put(o);
	assert_true(r.in_tokens > 0);
	sb_result_free(&r);
	/* A rejected request is a failed item, not a failed call. */
	fake_fault(&fk, "line_errors=1");
	assert_int_equal(P->ops->live(P, &rq, &r, &e), 0);
	assert_false(r.ok);
	assert_int_equal(r.http_status, 400);
	sb_result_free(&r);
	fake_fault(&fk, "clear");
	/* The shared live finish: 400, 404, 413, 422 reject this request... */
	assert_int_equal(pt_live_rejections(&fk, P, &rq), 0);
	/* ...other 4xx concern the account, not the item: a failed call (live
	 * mode retries it), never a rejected photo. */
	fake_fault(&fk, "status=1:429"); /* insufficient_quota */
	assert_int_equal(P->ops->live(P, &rq, &r, &e), -1);
	assert_int_equal(e.http_status, 429);
	assert_int_equal(e.code, SBE_GENERIC);
	assert_non_null(strstr(e.msg, "quota"));
	fake_fault(&fk, "status=1:409");
	assert_int_equal(P->ops->live(P, &rq, &r, &e), -1);
	assert_int_equal(e.http_status, 409);
	fake_fault(&fk, "status=1:402");
	assert_int_equal(P->ops->live(P, &rq, &r, &e), -1);
	assert_int_equal(e.http_status, 402);
	sb_err_clear(&e);
}

/* The rule itself, by class and status. */
static void test_live_rejected_rule(void **state)
{
	(void)state;
	static const struct { sb_errcode code; int status; bool rejected; } t[] = {
		{SBE_GENERIC, 400, true},  {SBE_NOTFOUND, 404, true}, {SBE_SIZE, 413, true},
		{SBE_GENERIC, 422, true},  {SBE_AUTH, 400, false},    {SBE_AUTH, 401, false},
		{SBE_AUTH, 403, false},    {SBE_RATE, 429, false},    {SBE_GENERIC, 429, false},
		{SBE_CONFLICT, 409, false}, {SBE_GENERIC, 402, false}, {SBE_NETWORK, 500, false},
		{SBE_NETWORK, 503, false}, {SBE_NETWORK, 408, false}, {SBE_NETWORK, 0, false},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		sb_err e = {.code = t[i].code, .http_status = t[i].status};
		assert_int_equal(provider_live_rejected(&e), t[i].rejected);
	}
	assert_false(provider_live_rejected(NULL));
}

static void test_load_key(void **state)
{
	(void)state;
	settings s;
	settings_defaults(&s);
	char *kf = xasprintf("%s/key", tmp);
	s.key_file = xstrdup(kf);
	unsetenv("OPENAI_API_KEY");
	FILE *f = fopen(kf, "w");
	fputs("# my keys\nGEMINI_API_KEY=gm-file-key\nOPENAI_API_KEY=sk-file-key\n", f);
	fclose(f);
	chmod(kf, 0644);
	char *key = NULL;
	sb_err e = {0};
	assert_int_equal(provider_load_key(&s, "openai", &key, &e), -1);
	assert_int_equal(e.code, SBE_AUTH);
	assert_non_null(strstr(e.msg, "chmod 600"));
	assert_non_null(strstr(e.msg, kf));
	assert_null(strstr(e.msg, "sk-file-key"));
	chmod(kf, 0600);
	assert_int_equal(provider_load_key(&s, "openai", &key, &e), 0);
	assert_string_equal(key, "sk-file-key");
	free(key);
	assert_int_equal(provider_load_key(&s, "gemini", &key, &e), 0);
	assert_string_equal(key, "gm-file-key");
	free(key);
	setenv("OPENAI_API_KEY", "sk-env-key", 1);
	assert_int_equal(provider_load_key(&s, "openai", &key, &e), 0);
	assert_string_equal(key, "sk-env-key");
	free(key);
	unsetenv("OPENAI_API_KEY");
	free(s.key_file);
	s.key_file = NULL;
	assert_int_equal(provider_load_key(&s, "openai", &key, &e), -1);
	assert_int_equal(e.code, SBE_AUTH);
	assert_non_null(strstr(e.msg, "OPENAI_API_KEY"));
	provider *q;
	assert_int_equal(provider_open(&s, "nonsense", &q, &e), -1);
	assert_int_equal(e.code, SBE_INPUT);
	settings_free(&s);
	free(kf);
}

typedef struct live_seen {
	int ok, failed, calls, max_attempts;
	int seen[64];
} live_seen;

static int on_live(size_t idx, const sb_result *r, int attempts, void *ctx)
{
	live_seen *s = ctx;
	s->calls++;
	s->seen[idx]++;
	if (r->ok)
		s->ok++;
	else
		s->failed++;
	if (attempts > s->max_attempts)
		s->max_attempts = attempts;
	return 0;
}

static void test_live_mode(void **state)
{
	(void)state;
	enum { N = 12 };
	sb_request rqs[N];
	char ids[N][32];
	long est[N];
	for (int i = 0; i < N; i++) {
		snprintf(ids[i], sizeof ids[i], "live_%02d", i);
		rqs[i] = (sb_request){.custom_id = ids[i], .model = "gpt-4o-mini", .user_text = "Frozen waterfall in the Tatras",
				      .schema_json = TEST_SCHEMA, .max_tokens = 300};
		est[i] = 500;
	}
	ratelimit *rl = rl_new(6000, 1000000, 3, 16, 3);
	sb_err e = {0};
	long live0 = fake_stat(&fk, "live_requests"), f429 = fake_stat(&fk, "faults_fired.429");
	/* 429s cool the queue down and 5xx are retried: every request succeeds once. */
	fake_fault(&fk, "429=3:0.05");
	fake_fault(&fk, "500=2");
	live_seen s = {0};
	assert_int_equal(live_run(P, rl, rqs, est, N, on_live, &s, NULL, &e), 0);
	assert_int_equal(s.calls, N);
	assert_int_equal(s.ok, N);
	for (int i = 0; i < N; i++)
		assert_int_equal(s.seen[i], 1);
	assert_int_equal(fake_stat(&fk, "faults_fired.429") - f429, 3);
	assert_int_equal(fake_stat(&fk, "live_requests") - live0, N);
	assert_int_equal(rl_in_flight(rl), 0);
	/* A per-request rejection is final: one try each. */
	fake_fault(&fk, "line_errors=1");
	memset(&s, 0, sizeof s);
	live0 = fake_stat(&fk, "live_requests");
	assert_int_equal(live_run(P, rl, rqs, est, 4, on_live, &s, NULL, &e), 0);
	assert_int_equal(s.failed, 4);
	assert_int_equal(s.max_attempts, 1);
	assert_int_equal(fake_stat(&fk, "live_requests") - live0, 4);
	/* A server that keeps failing: 3 attempts, then reported failed. */
	fake_fault(&fk, "clear");
	fake_fault(&fk, "503=1000");
	memset(&s, 0, sizeof s);
	assert_int_equal(live_run(P, rl, rqs, est, 2, on_live, &s, NULL, &e), 0);
	assert_int_equal(s.failed, 2);
	assert_int_equal(s.max_attempts, 3);
	fake_fault(&fk, "clear");
	/* A refused key stops everything at once. */
	provider *q;
	assert_int_equal(provider_open_with(&cfg, "openai", "sk-bad-LIVEKEY-1", fk.oai, &q, &e), 0);
	memset(&s, 0, sizeof s);
	assert_int_equal(live_run(q, rl, rqs, est, N, on_live, &s, NULL, &e), -1);
	assert_int_equal(e.code, SBE_AUTH);
	assert_null(strstr(e.msg, "LIVEKEY"));
	assert_true(s.calls == 0);
	provider_close(q);
	/* Stopped before starting. */
	atomic_bool stop = true;
	assert_int_equal(live_run(P, rl, rqs, est, N, on_live, &s, &stop, &e), -1);
	rl_free(rl);
}

#define T(f) cmocka_unit_test_setup(f, clear_faults)
int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_format_request), T(test_parse_lines), T(test_happy_path), T(test_retry_5xx),
		T(test_rate_limit), T(test_transport_faults), T(test_auth), T(test_validation_failure),
		T(test_expired_partial), T(test_line_errors_and_bad_json), T(test_cancel),
		T(test_crash_create_reconcile), T(test_list_pagination), T(test_list_files), T(test_live), T(test_live_rejected_rule), T(test_live_mode), T(test_load_key),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
