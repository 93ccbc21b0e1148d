/* test_gemini.c: the Gemini client against tests/fakeapi.py: resumable
 * upload with the SHA-256 cache, file and inline batches, states, faults. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "provtest.h"
#include "settings.h"

#define MODEL "gemini-2.5-flash"

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
	cfg.state_dir = path_join(tmp, "state"); /* the upload cache's home */
	sb_err e = {0};
	if (provider_open_with(&cfg, "gemini", "gm-test-fake", fk.url, &P, &e) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	provider_close(P);
	settings_free(&cfg);
	int rc = fake_stop(&fk);
	pt_rmrf(tmp);
	free(tmp);
	return rc == 0 ? 0 : -1;
}

static int before(void **state)
{
	(void)state;
	fake_fault(&fk, "clear");
	P->inline_max = 0;
	return 0;
}

static void submit(int n, const char *tag, prov_batch *b)
{
	char *in = xasprintf("%s/%s.jsonl", tmp, tag);
	assert_int_equal(pt_write_jsonl(P, in, n, tag, MODEL), 0);
	char fid[128];
	sb_err e = {0};
	assert_int_equal(P->ops->upload(P, in, NULL, fid, sizeof fid, &e), 0);
	assert_int_equal(P->ops->create(P, fid, tag, MODEL, b, &e), 0);
	assert_true(!strncmp(b->id, "batches/", 8));
	assert_string_equal(b->our_id, tag);
	free(in);
}

static void fetch(const char *file_id, pt_counts *c)
{
	char *out = xasprintf("%s/out-%s.jsonl", tmp, strchr(file_id, '/') ? strchr(file_id, '/') + 1 : file_id);
	sb_err e = {0};
	assert_int_equal(P->ops->download(P, file_id, out, &e), 0);
	assert_int_equal(provider_read_results(P, out, pt_count_cb, c, &e), 0);
	free(out);
}

static void test_format_request(void **state)
{
	(void)state;
	sb_request rq = {.custom_id = "IMG_1_b1", .model = MODEL, .system_prompt = "sys", .user_text = "t",
			 .jpeg = test_jpeg, .jpeg_len = sizeof test_jpeg, .schema_json = TEST_SCHEMA, .max_tokens = 500};
	sbuf b = {0};
	sb_err e = {0};
	assert_int_equal(P->ops->format_request(P, &rq, &b, &e), 0);
	json_object *o = json_tokener_parse(b.p), *v, *req, *gc, *sch;
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "key", &v));
	assert_string_equal(json_object_get_string(v), "IMG_1_b1");
	assert_true(json_object_object_get_ex(o, "request", &req));
	assert_true(json_object_object_get_ex(req, "systemInstruction", &v));
	assert_true(json_object_object_get_ex(req, "generationConfig", &gc));
	assert_true(json_object_object_get_ex(gc, "responseMimeType", &v));
	assert_string_equal(json_object_get_string(v), "application/json");
	assert_true(json_object_object_get_ex(gc, "maxOutputTokens", &v));
	assert_int_equal(json_object_get_int(v), 500);
	assert_true(json_object_object_get_ex(gc, "responseSchema", &sch));
	assert_true(json_object_object_get_ex(sch, "type", &v));
	assert_string_equal(json_object_get_string(v), "OBJECT");
	assert_false(json_object_object_get_ex(sch, "additionalProperties", &v));
	assert_non_null(strstr(b.p, "\"inlineData\":{\"mimeType\":\"image/jpeg\",\"data\":\"/9j/"));
	assert_non_null(strstr(b.p, "\"enum\":[\"Animals\",\"Landscapes\",\"Travel\"]"));
	json_object_put(o);
	sbuf_free(&b);
}

static void test_parse_lines(void **state)
{
	(void)state;
	sb_result r;
	sb_err e = {0};
	const char *ok = "{\"response\": {\"responseId\": \"x\", \"usageMetadata\": {\"totalTokenCount\": 848, "
			 "\"thoughtsTokenCount\": 829, \"candidatesTokenCount\": 11, \"promptTokenCount\": 8}, "
			 "\"candidates\": [{\"content\": {\"role\": \"model\", \"parts\": [{\"text\": \"{}\"}]}, "
			 "\"finishReason\": \"STOP\", \"index\": 0}], \"modelVersion\": \"gemini-2.5-flash\"}, \"key\": "
			 "\"request_1\"}";
	assert_int_equal(P->ops->parse_result(P, ok, strlen(ok), &r, &e), 0);
	assert_true(r.ok);
	assert_string_equal(r.custom_id, "request_1");
	assert_string_equal(r.content, "{}");
	assert_int_equal(r.in_tokens, 8);
	assert_int_equal(r.out_tokens, 840);
	sb_result_free(&r);
	const char *er = "{\"key\": \"t-invalid\", \"error\": {\"code\": 3, \"message\": \"bad part\"}}";
	assert_int_equal(P->ops->parse_result(P, er, strlen(er), &r, &e), 0);
	assert_false(r.ok);
	assert_int_equal(r.http_status, 400);
	assert_non_null(strstr(r.error, "bad part"));
	sb_result_free(&r);
	const char *inl = "{\"error\": {\"code\": 8, \"message\": \"quota\"}, \"metadata\": {\"key\": \"k2\"}}";
	assert_int_equal(P->ops->parse_result(P, inl, strlen(inl), &r, &e), 0);
	assert_string_equal(r.custom_id, "k2");
	assert_int_equal(r.http_status, 429);
	sb_result_free(&r);
	const char *safety = "{\"key\":\"k3\",\"response\":{\"candidates\":[{\"content\":{\"parts\":[]},\"finishReason\":"
			     "\"SAFETY\"}]}}";
	assert_int_equal(P->ops->parse_result(P, safety, strlen(safety), &r, &e), 0);
	assert_false(r.ok);
	assert_non_null(strstr(r.error, "SAFETY"));
	sb_result_free(&r);
	const char *blocked = "{\"key\":\"k4\",\"response\":{\"promptFeedback\":{\"blockReason\":\"OTHER\"}}}";
	assert_int_equal(P->ops->parse_result(P, blocked, strlen(blocked), &r, &e), 0);
	assert_false(r.ok);
	sb_result_free(&r);
	assert_int_equal(P->ops->parse_result(P, "[1,2", 4, &r, &e), -1);
	sb_result_free(&r);
}

static void test_file_batch(void **state)
{
	(void)state;
	long up0 = fake_stat(&fk, "files_uploaded");
	prov_batch b = {0};
	submit(6, "gfile", &b);
	assert_int_equal(fake_stat(&fk, "files_uploaded") - up0, 1);
	assert_true(!strncmp(b.input_file_id, "files/", 6));
	assert_int_equal(b.state, PB_VALIDATING); /* BATCH_STATE_PENDING */
	assert_string_equal(b.raw_status, "BATCH_STATE_PENDING");
	assert_int_equal(b.total, 6);
	char id[128];
	snprintf(id, sizeof id, "%s", b.id);
	sb_err e = {0};
	assert_int_equal(pt_wait(P, id, &b, &e), 0);
	assert_int_equal(b.state, PB_COMPLETED);
	assert_int_equal(b.completed, 6);
	assert_int_equal(b.failed, 0);
	assert_true(!strncmp(b.output_file_id, "files/batch-", 12));
	assert_null(b.inline_results);
	pt_counts c = {0};
	fetch(b.output_file_id, &c);
	assert_int_equal(c.ok, 6);
	assert_int_equal(c.json_ok, 6);
	assert_int_equal(P->ops->delete_file(P, b.input_file_id, &e), 0);
	assert_int_equal(P->ops->delete_file(P, b.output_file_id, &e), 0);
	assert_int_equal(fake_stat(&fk, "files_deleted"), 2);
	prov_batch_clear(&b);
}

static void test_inline_batch(void **state)
{
	(void)state;
	P->inline_max = 1 << 20;
	long up0 = fake_stat(&fk, "files_uploaded");
	prov_batch b = {0};
	submit(5, "ginline", &b);
	assert_int_equal(fake_stat(&fk, "files_uploaded"), up0); /* nothing uploaded */
	char id[128];
	snprintf(id, sizeof id, "%s", b.id);
	sb_err e = {0};
	assert_int_equal(pt_wait(P, id, &b, &e), 0);
	assert_int_equal(b.state, PB_COMPLETED);
	assert_false(b.output_file_id[0]);
	assert_non_null(b.inline_results);
	char *out = xasprintf("%s/inline.jsonl", tmp);
	assert_int_equal(atomic_write(out, b.inline_results, strlen(b.inline_results), 0644, &e), 0);
	pt_counts c = {0};
	assert_int_equal(provider_read_results(P, out, pt_count_cb, &c, &e), 0);
	assert_int_equal(c.ok, 5);
	assert_int_equal(c.json_ok, 5);
	/* Deleting the pseudo input file is a no-op. */
	assert_int_equal(P->ops->delete_file(P, b.input_file_id[0] ? b.input_file_id : "inline:x", &e), 0);
	free(out);
	prov_batch_clear(&b);
}

/* Set the upload cache's expiry of the file at path; with name, the entry
 * is planted (the cache believes name is path's upload) whether or not the
 * upload left one: an upload that expires within a second may be dropped
 * from the cache at once. */
static void cache_set_expires(const char *path, const char *name, int64_t when)
{
	char *cp = xasprintf("%s/state/gemini-uploads.json", tmp), *data;
	size_t len;
	char sha[65];
	sb_err e = {0};
	assert_int_equal(read_whole_file(path, &data, &len, &e), 0);
	sha256_hex(data, len, sha);
	free(data);
	json_object *c = json_object_from_file(cp), *ent;
	assert_non_null(c);
	if (name) {
		ent = json_object_new_object();
		json_object_object_add(ent, "name", json_object_new_string(name));
		json_object_object_add(ent, "mime", json_object_new_string("application/jsonl"));
		json_object_object_add(ent, "path", json_object_new_string(path));
		json_object_object_add(c, sha, ent);
	} else {
		assert_true(json_object_object_get_ex(c, sha, &ent));
	}
	json_object_object_add(ent, "expires", json_object_new_int64(when));
	assert_int_equal(json_object_to_file(cp, c), 0);
	json_object_put(c);
	free(cp);
}

static void test_upload_cache(void **state)
{
	(void)state;
	char *in = xasprintf("%s/cached.jsonl", tmp);
	assert_int_equal(pt_write_jsonl(P, in, 3, "cached", MODEL), 0);
	long up0 = fake_stat(&fk, "files_uploaded");
	char f1[128], f2[128], f3[128];
	sb_err e = {0};
	assert_int_equal(P->ops->upload(P, in, NULL, f1, sizeof f1, &e), 0);
	assert_int_equal(P->ops->upload(P, in, NULL, f2, sizeof f2, &e), 0);
	assert_string_equal(f1, f2);
	assert_int_equal(fake_stat(&fk, "files_uploaded") - up0, 1);
	/* The cache lives in the state dir, keyed by SHA-256, mode 0600. */
	char *cp = xasprintf("%s/state/gemini-uploads.json", tmp);
	struct stat st;
	assert_int_equal(stat(cp, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* Make it about to expire: uploaded again. */
	cache_set_expires(in, NULL, (int64_t)time(NULL) + 60);
	assert_int_equal(P->ops->upload(P, in, NULL, f3, sizeof f3, &e), 0);
	assert_string_not_equal(f1, f3);
	assert_int_equal(fake_stat(&fk, "files_uploaded") - up0, 2);
	/* Gone at the provider (deleted): uploaded again. */
	assert_int_equal(P->ops->delete_file(P, f3, &e), 0);
	assert_int_equal(P->ops->upload(P, in, NULL, f2, sizeof f2, &e), 0);
	assert_string_not_equal(f2, f3);
	assert_int_equal(fake_stat(&fk, "files_uploaded") - up0, 3);
	free(cp);
	free(in);
}

static void test_auth(void **state)
{
	(void)state;
	const char *bad = "gm-WRONG-secret-key-98765";
	provider *q;
	sb_err e = {0};
	assert_int_equal(provider_open_with(&cfg, "gemini", bad, fk.url, &q, &e), 0);
	prov_batch b = {0};
	long before = fake_stat(&fk, "requests");
	assert_int_equal(q->ops->get(q, "batches/x", &b, &e), -1);
	assert_int_equal(e.code, SBE_AUTH);
	assert_int_equal(e.http_status, 400); /* API_KEY_INVALID comes as 400 */
	assert_non_null(strstr(e.msg, "GEMINI_API_KEY"));
	assert_null(strstr(e.msg, bad));
	assert_int_equal(fake_stat(&fk, "requests") - before, 1);
	/* Uploads too. */
	char *in = xasprintf("%s/auth.jsonl", tmp);
	assert_int_equal(pt_write_jsonl(P, in, 1, "auth", MODEL), 0);
	char fid[128];
	q->inline_max = 0;
	assert_int_equal(q->ops->upload(q, in, NULL, fid, sizeof fid, &e), -1);
	assert_int_equal(e.code, SBE_AUTH);
	free(in);
	provider_close(q);
}

static void test_rate_and_retry(void **state)
{
	(void)state;
	prov_batch b = {0};
	submit(1, "grate", &b);
	char id[128];
	snprintf(id, sizeof id, "%s", b.id);
	sb_err e = {0};
	fake_fault(&fk, "429=2:0.05");
	assert_int_equal(P->ops->get(P, id, &b, &e), 0);
	assert_int_equal(fake_stat(&fk, "faults_fired.429"), 2);
	/* RetryInfo.retryDelay, no Retry-After header: SBE_RATE in live mode. */
	fake_fault(&fk, "429=1:9");
	sb_request rq = {.custom_id = "l1", .model = MODEL, .user_text = "A castle"};
	sb_result r = {0};
	assert_int_equal(P->ops->live(P, &rq, &r, &e), -1);
	assert_int_equal(e.code, SBE_RATE);
	assert_true(e.retry_after > 8.9 && e.retry_after < 9.1);
	sb_result_free(&r);
	fake_fault(&fk, "503=2");
	fake_fault(&fk, "reset=1");
	assert_int_equal(P->ops->get(P, id, &b, &e), 0);
	assert_int_equal(fake_stat(&fk, "faults_fired.503"), 2);
	assert_int_equal(fake_stat(&fk, "faults_fired.reset"), 1);
	prov_batch_clear(&b);
}

static void test_failed_expired_lines(void **state)
{
	(void)state;
	prov_batch b = {0};
	char id[128];
	sb_err e = {0};
	fake_fault(&fk, "validation");
	submit(2, "gvalid", &b);
	snprintf(id, sizeof id, "%s", b.id);
	assert_int_equal(pt_wait(P, id, &b, &e), 0);
	assert_int_equal(b.state, PB_FAILED);
	assert_non_null(b.errors);
	assert_non_null(strstr(b.errors, "line 1"));
	prov_batch_clear(&b);
	fake_fault(&fk, "expire");
	submit(2, "gexpire", &b);
	snprintf(id, sizeof id, "%s", b.id);
	assert_int_equal(pt_wait(P, id, &b, &e), 0);
	assert_int_equal(b.state, PB_EXPIRED);
	prov_batch_clear(&b);
	fake_fault(&fk, "line_errors=0.4");
	fake_fault(&fk, "job_states");
	submit(20, "glines", &b);
	snprintf(id, sizeof id, "%s", b.id);
	assert_int_equal(pt_wait(P, id, &b, &e), 0);
	assert_int_equal(b.state, PB_COMPLETED); /* JOB_STATE_SUCCEEDED accepted */
	assert_string_equal(b.raw_status, "JOB_STATE_SUCCEEDED");
	assert_true(b.failed > 0);
	assert_int_equal(b.completed + b.failed, 20);
	pt_counts c = {0};
	fetch(b.output_file_id, &c);
	assert_int_equal(c.failed, b.failed);
	assert_int_equal(c.ok, b.completed);
	prov_batch_clear(&b);
}

static void test_cancel_and_reconcile(void **state)
{
	(void)state;
	prov_batch b = {0};
	char id[128];
	sb_err e = {0};
	fake_fault(&fk, "step=0.3");
	submit(3, "gcancel", &b);
	snprintf(id, sizeof id, "%s", b.id);
	assert_int_equal(P->ops->cancel(P, id, &b, &e), 0);
	assert_int_equal(b.state, PB_CANCELLED);
	assert_int_equal(fake_stat(&fk, "batches_cancelled"), 1);
	prov_batch_clear(&b);
	fake_fault(&fk, "step=0.01");
	long before = fake_stat(&fk, "batches_created");
	fake_fault(&fk, "crash_create=1");
	submit(2, "gcrash", &b);
	assert_int_equal(fake_stat(&fk, "batches_created") - before, 1);
	prov_batch f = {0};
	assert_int_equal(provider_find_ours(P, "gcrash", &f, &e), 0);
	assert_string_equal(f.id, b.id);
	prov_batch_clear(&f);
	prov_batch_clear(&b);
	/* Pagination through nextPageToken. */
	fake_fault(&fk, "page_size=2");
	prov_batch *v;
	size_t n;
	assert_int_equal(P->ops->list(P, &v, &n, &e), 0);
	assert_int_equal((long)n, fake_stat(&fk, "batches_created"));
	for (size_t i = 0; i < n; i++)
		prov_batch_clear(&v[i]);
	free(v);
}

static void test_live(void **state)
{
	(void)state;
	sb_request rq = {.custom_id = "gl", .model = MODEL, .system_prompt = "s", .user_text = "Wooden church in snow",
			 .jpeg = test_jpeg, .jpeg_len = sizeof test_jpeg, .schema_json = TEST_SCHEMA, .max_tokens = 300};
	sb_result r = {0};
	sb_err e = {0};
	assert_int_equal(P->ops->live(P, &rq, &r, &e), 0);
	assert_true(r.ok);
	json_object *o = json_tokener_parse(r.content), *kw;
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "keywords", &kw));
	assert_int_equal(json_object_array_length(kw), 20);
	json_object_put(o);
	sb_result_free(&r);
	/* The shared live finish: a request too large or unprocessable is this
	 * item's failure, as a 400 is; an unknown model (404) fails every item
	 * at once instead of being retried. */
	assert_int_equal(pt_live_rejections(&fk, P, &rq), 0);
	fake_fault(&fk, "status=1:409");
	assert_int_equal(P->ops->live(P, &rq, &r, &e), -1);
	assert_int_equal(e.http_status, 409);
	sb_err_clear(&e);
}

/* Gemini answers 403 PERMISSION_DENIED ("... or it may not exist") for a
 * deleted, expired or unknown file: the file is gone, not the key refused.
 * cleanup deletes it again without error, a result download says "not
 * found", and an upload whose cached file expired uploads it again. */
static void test_file_gone(void **state)
{
	(void)state;
	char *in = xasprintf("%s/gone.jsonl", tmp);
	assert_int_equal(pt_write_jsonl(P, in, 2, "gone", MODEL), 0);
	char f1[128], f2[128];
	sb_err e = {0};
	assert_int_equal(P->ops->upload(P, in, NULL, f1, sizeof f1, &e), 0);
	assert_int_equal(P->ops->delete_file(P, f1, &e), 0);
	/* deleted already: still "deleted", not an auth failure */
	assert_int_equal(P->ops->delete_file(P, f1, &e), 0);
	assert_int_equal(P->ops->delete_file(P, "files/neverexisted", &e), 0);
	char *dest = xasprintf("%s/gone-out.jsonl", tmp);
	assert_int_equal(P->ops->download(P, "files/batch-neverexisted", dest, &e), -1);
	assert_int_equal(e.code, SBE_NOTFOUND);
	assert_int_equal(e.http_status, 403);
	sb_err_clear(&e);
	/* a cached upload that expired at the provider: uploaded again */
	fake_fault(&fk, "file_ttl=1");
	assert_int_equal(P->ops->upload(P, in, NULL, f1, sizeof f1, &e), 0);
	fake_fault(&fk, "clear");
	/* the cache still believes it alive (a clock or a provider that shortened
	 * it); the fake said it expires in 1 s, so the upload may have dropped
	 * it from the cache already when that second ended on the way back */
	cache_set_expires(in, f1, (int64_t)time(NULL) + 86400);
	long up0 = fake_stat(&fk, "files_uploaded");
	http_sleep(1.2);
	assert_int_equal(P->ops->upload(P, in, NULL, f2, sizeof f2, &e), 0);
	assert_string_not_equal(f1, f2);
	assert_int_equal(fake_stat(&fk, "files_uploaded") - up0, 1);
	/* any other 403 PERMISSION_DENIED is still the key refused */
	fake_fault(&fk, "status=1:403");
	assert_int_equal(P->ops->delete_file(P, f2, &e), -1);
	assert_int_equal(e.code, SBE_AUTH);
	sb_err_clear(&e);
	free(dest);
	free(in);
}

/* GET files: the parse ({} when there are none; a file without a name is
 * skipped), the fake's pages and its 400 for a made-up page token. */
static void test_list_files(void **state)
{
	(void)state;
	static const char page[] =
		"{\"files\":[{\"name\":\"files/a\",\"displayName\":\"stockbatch-b1.jsonl\","
		"\"sizeBytes\":\"1\",\"state\":\"ACTIVE\"},{\"displayName\":\"x\"}],"
		"\"nextPageToken\":\"t2\"}";
	prov_answer a;
	sb_err e = {0};
	assert_int_equal(prov_parse_answer(&gemini_ops, PA_FILES, page, strlen(page), &a, &e), 0);
	assert_int_equal((int)a.nfiles, 1);
	assert_string_equal(a.files[0].id, "files/a");
	assert_string_equal(a.files[0].name, "stockbatch-b1.jsonl");
	assert_string_equal(a.next, "t2");
	prov_answer_clear(&a);
	assert_int_equal(prov_parse_answer(&gemini_ops, PA_FILES, "{}", 2, &a, &e), 0);
	assert_int_equal((int)a.nfiles, 0);
	assert_null(a.next);
	prov_answer_clear(&a);

	assert_int_equal(pt_list_files(&fk, P, tmp, MODEL, "requests_by_path.GET /v1beta/files"), 0);
	http_resp r;
	assert_int_equal(P->ops->call(P, "GET", "/v1beta/files?pageToken=bogus", NULL, false, &r, &e), -1);
	assert_int_equal(e.http_status, 400);
	http_resp_free(&r);
}

#define T(f) cmocka_unit_test_setup(f, before)
int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_format_request), T(test_parse_lines), T(test_file_batch), T(test_inline_batch),
		T(test_upload_cache), T(test_auth), T(test_rate_and_retry), T(test_failed_expired_lines),
		T(test_cancel_and_reconcile), T(test_live), T(test_file_gone), T(test_list_files),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
