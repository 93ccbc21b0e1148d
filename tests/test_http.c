/* test_http.c: http_do's classes and retry rules against the fake, and
 * the key-leak check: after logging and provider calls with keys set,
 * no file in the state dir and nothing on stderr holds a key. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doctor.h"
#include "log.h"
#include "provtest.h"
#include "settings.h"

static fakeproc fk;
static char *tmp;

static int setup(void **state)
{
	(void)state;
	http_set_backoff_base(0.01);
	http_set_timeouts(5, 1);
	tmp = pt_tmpdir();
	return fake_start(&fk, NULL);
}

static int teardown(void **state)
{
	(void)state;
	int rc = fake_stop(&fk);
	pt_rmrf(tmp);
	free(tmp);
	return rc == 0 ? 0 : -1;
}

static int before(void **state)
{
	(void)state;
	fake_fault(&fk, "clear");
	return 0;
}

static const http_header auth[] = {{"Authorization", "Bearer sk-test-fake"}};

static void test_error_message(void **state)
{
	(void)state;
	char *m = http_error_message("{\"error\":{\"message\":\"Cannot cancel\",\"type\":\"x\",\"param\":null,\"code\":null}}");
	assert_string_equal(m, "Cannot cancel");
	free(m);
	assert_null(http_error_message("not json"));
	assert_null(http_error_message(NULL));
	char *s = http_escape("a b/c");
	assert_string_equal(s, "a%20b%2Fc");
	free(s);
}

static void test_download_error(void **state)
{
	(void)state;
	char *url = xasprintf("%s/files/file-nope/content", fk.oai);
	char *dest = xasprintf("%s/never.jsonl", tmp);
	http_req rq = {.method = "GET", .url = url, .headers = auth, .nheaders = 1, .download_path = dest};
	http_resp resp;
	sb_err e = {0};
	assert_int_equal(http_do(&rq, &resp, &e), -1);
	assert_int_equal(e.code, SBE_NOTFOUND);
	assert_int_equal(resp.status, 404);
	assert_non_null(strstr(resp.body.p, "No such File object"));
	assert_non_null(strstr(e.msg, "No such File object"));
	assert_false(file_exists(dest));
	char *part = xasprintf("%s.part", dest);
	assert_false(file_exists(part));
	free(part);
	http_resp_free(&resp);
	free(url);
	free(dest);
}

/* A server that answers endlessly, or with a gzip bomb: every body is
 * capped by what the call may return (after inflating), the call fails at
 * once with SBE_SIZE (not retried), a download leaves nothing behind. */
static void test_body_cap(void **state)
{
	(void)state;
	char *url = xasprintf("%s/models", fk.oai);
	http_req rq = {.method = "GET", .url = url, .headers = auth, .nheaders = 1, .max_body = 1 << 20};
	http_resp resp;
	sb_err e = {0};
	fake_fault(&fk, "endless=1");
	assert_int_equal(http_do(&rq, &resp, &e), -1);
	assert_int_equal(e.code, SBE_SIZE);
	assert_int_equal(resp.tries, 1);
	assert_true(resp.body.len <= (size_t)1 << 20);
	assert_non_null(strstr(e.msg, "larger than the 1048576 bytes"));
	http_resp_free(&resp);
	/* without a cap of its own: the default for an answer in memory */
	rq.max_body = 0;
	fake_fault(&fk, "endless=1");
	assert_int_equal(http_do(&rq, &resp, &e), -1);
	assert_int_equal(e.code, SBE_SIZE);
	assert_true(resp.body.len <= HTTP_BODY_MAX);
	http_resp_free(&resp);
	/* a gzip bomb: a few KB on the wire, 16 MB inflated */
	rq.max_body = 1 << 20;
	fake_fault(&fk, "bomb=1");
	assert_int_equal(http_do(&rq, &resp, &e), -1);
	assert_int_equal(e.code, SBE_SIZE);
	http_resp_free(&resp);
	/* the same call answered as usual fits */
	assert_int_equal(http_do(&rq, &resp, &e), 0);
	assert_non_null(strstr(resp.body.p, "\"data\""));
	http_resp_free(&resp);
	/* a download streams to disk, capped as well */
	char *dl = xasprintf("%s/files/file-nope/content", fk.oai);
	char *dest = xasprintf("%s/endless.jsonl", tmp);
	char *part = xasprintf("%s.part", dest);
	http_req d = {.method = "GET", .url = dl, .headers = auth, .nheaders = 1, .download_path = dest,
		      .max_body = 4 << 20};
	fake_fault(&fk, "endless=1");
	assert_int_equal(http_do(&d, &resp, &e), -1);
	assert_int_equal(e.code, SBE_SIZE);
	assert_false(file_exists(dest));
	assert_false(file_exists(part));
	http_resp_free(&resp);
	free(part);
	free(dest);
	free(dl);
	free(url);
}

static void test_tries(void **state)
{
	(void)state;
	char *url = xasprintf("%s/models", fk.oai);
	http_req rq = {.method = "GET", .url = url, .headers = auth, .nheaders = 1, .max_tries = 2};
	http_resp resp;
	sb_err e = {0};
	fake_fault(&fk, "500=5");
	assert_int_equal(http_do(&rq, &resp, &e), -1);
	assert_int_equal(resp.tries, 2);
	assert_int_equal(e.code, SBE_NETWORK);
	assert_non_null(strstr(e.msg, "after 2 tries"));
	http_resp_free(&resp);
	/* Default: the first try and five retries. */
	fake_fault(&fk, "clear");
	fake_fault(&fk, "503=5");
	rq.max_tries = 0;
	assert_int_equal(http_do(&rq, &resp, &e), 0);
	assert_int_equal(resp.tries, 6);
	http_resp_free(&resp);
	/* Not idempotent: a reset is not resent. */
	fake_fault(&fk, "reset=1");
	rq.no_resend = true;
	assert_int_equal(http_do(&rq, &resp, &e), -1);
	assert_int_equal(e.code, SBE_NETWORK);
	assert_int_equal(resp.tries, 1);
	http_resp_free(&resp);
	free(url);
}

/* Calls from one thread share one connection (the fake keeps it alive, as
 * the real services do); a kept-alive connection that the server drops is
 * replaced (curl sends the GET again on a new one); a request that must
 * not be sent twice never goes over a kept-alive connection. */
static void test_one_connection(void **state)
{
	(void)state;
	char *url = xasprintf("%s/models", fk.oai);
	http_req rq = {.method = "GET", .url = url, .headers = auth, .nheaders = 1};
	http_resp resp;
	sb_err e = {0};
	http_thread_done(); /* start without a connection */
	long c0 = fake_stat(&fk, "connections");
	for (int i = 0; i < 5; i++) {
		assert_int_equal(http_do(&rq, &resp, &e), 0);
		http_resp_free(&resp);
	}
	/* each fake_stat() is a connection of its own */
	assert_int_equal(fake_stat(&fk, "connections") - c0 - 1, 1);
	fake_fault(&fk, "reset=1");
	c0 = fake_stat(&fk, "connections");
	assert_int_equal(http_do(&rq, &resp, &e), 0);
	http_resp_free(&resp);
	assert_int_equal(http_do(&rq, &resp, &e), 0);
	http_resp_free(&resp);
	/* the new connection after the drop, and the stats call */
	assert_int_equal(fake_stat(&fk, "connections") - c0 - 1, 1);
	c0 = fake_stat(&fk, "connections");
	rq.no_resend = true;
	assert_int_equal(http_do(&rq, &resp, &e), 0);
	http_resp_free(&resp);
	assert_int_equal(fake_stat(&fk, "connections") - c0 - 1, 1);
	free(url);
}

static void test_backoff_delays(void **state)
{
	(void)state;
	http_set_backoff_base(1.0);
	/* 1, 2, 4, 8, 16 s with jitter of +-25 %. */
	for (int n = 0; n < 5; n++) {
		double d = http_backoff_delay(n), nominal = (double)(1 << n);
		assert_true(d >= nominal * 0.75 && d <= nominal * 1.25);
	}
	http_set_backoff_base(0.01);
}

/* Every file under dir: does any hold needle? */
static bool tree_has(const char *dir, const char *needle, int *files)
{
	DIR *d = opendir(dir);
	if (!d)
		return false;
	struct dirent *de;
	bool found = false;
	while (!found && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char *p = path_join(dir, de->d_name);
		struct stat st;
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			found = tree_has(p, needle, files);
		else if (S_ISREG(st.st_mode)) {
			char *data;
			size_t len;
			sb_err e = {0};
			(*files)++;
			if (read_whole_file(p, &data, &len, &e) == 0) {
				found = memmem(data, len, needle, strlen(needle)) != NULL;
				if (found)
					fprintf(stdout, "# key found in %s\n", p);
				free(data);
			}
		}
		free(p);
	}
	closedir(d);
	return found;
}

static void test_no_key_leaks(void **state)
{
	(void)state;
	const char *okey = "sk-test-fake", *gkey = "gm-test-fake", *wrong = "sk-wrong-LEAKCHECK-4242";
	char *sd = path_join(tmp, "state");
	sb_err e = {0};
	assert_int_equal(mkdir_p(sd, 0700, &e), 0);
	char *logp = path_join(sd, "stockbatch.log");
	char *errp = path_join(tmp, "stderr.txt");
	fflush(stderr);
	int saved = dup(2);
	int fd = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	close(fd);
	assert_int_equal(log_open(logp, &e), 0);
	log_set_stderr(LOG_DEBUG);

	settings cfg;
	settings_defaults(&cfg);
	cfg.state_dir = xstrdup(sd);
	free(cfg.openai_base_url);
	cfg.openai_base_url = xstrdup(fk.oai);
	free(cfg.gemini_base_url);
	cfg.gemini_base_url = xstrdup(fk.url);
	setenv("OPENAI_API_KEY", okey, 1);
	setenv("GEMINI_API_KEY", gkey, 1);
	provider *o, *g, *w;
	assert_int_equal(provider_open(&cfg, "openai", &o, &e), 0);
	assert_int_equal(provider_open(&cfg, "gemini", &g, &e), 0);
	g->inline_max = 0;
	sb_log(LOG_INFO, "opened providers with %s and %s", o->key, g->key); /* a careless caller */

	provider *ps[] = {o, g};
	for (int i = 0; i < 2; i++) {
		provider *p = ps[i];
		char *in = xasprintf("%s/in-%s.jsonl", sd, p->ops->name);
		assert_int_equal(pt_write_jsonl(p, in, 3, p->ops->name, i ? "gemini-2.5-flash" : "gpt-4o-mini"), 0);
		char fid[128];
		fake_fault(&fk, "503=1");
		fake_fault(&fk, "429=1:0.02");
		assert_int_equal(p->ops->upload(p, in, NULL, fid, sizeof fid, &e), 0);
		prov_batch b = {0};
		assert_int_equal(p->ops->create(p, fid, "leak", i ? "gemini-2.5-flash" : "gpt-4o-mini", &b, &e), 0);
		char id[128];
		snprintf(id, sizeof id, "%s", b.id);
		assert_int_equal(pt_wait(p, id, &b, &e), 0);
		char *out = xasprintf("%s/out-%s.jsonl", sd, p->ops->name);
		fake_fault(&fk, "truncate=1");
		assert_int_equal(p->ops->download(p, b.output_file_id, out, &e), 0);
		pt_counts c = {0};
		assert_int_equal(provider_read_results(p, out, pt_count_cb, &c, &e), 0);
		assert_int_equal(c.ok, 3);
		prov_batch_clear(&b);
		free(out);
		free(in);
	}
	/* An auth failure with a wrong key, its message logged. */
	assert_int_equal(provider_open_with(&cfg, "openai", wrong, fk.oai, &w, &e), 0);
	prov_batch b = {0};
	assert_int_equal(w->ops->get(w, "batch_x", &b, &e), -1);
	assert_int_equal(e.code, SBE_AUTH);
	sb_log(LOG_ERROR, "%s", e.msg);
	provider_close(w);
	provider_close(o);
	provider_close(g);
	log_close();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);

	/* Things were written: the log, the results, the upload cache, stderr. */
	char *cache = path_join(sd, "gemini-uploads.json");
	assert_true(file_exists(cache));
	char *logtext;
	size_t len;
	assert_int_equal(read_whole_file(logp, &logtext, &len, &e), 0);
	assert_non_null(strstr(logtext, "HTTP 503"));
	assert_non_null(strstr(logtext, "[REDACTED]"));
	free(logtext);
	const char *keys[] = {okey, gkey, wrong, "LEAKCHECK"};
	for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
		int files = 0;
		assert_false(tree_has(tmp, keys[k], &files));
		assert_true(files >= 6);
	}
	unsetenv("OPENAI_API_KEY");
	unsetenv("GEMINI_API_KEY");
	settings_free(&cfg);
	free(cache);
	free(logp);
	free(errp);
	free(sd);
}

static void test_doctor(void **state)
{
	(void)state;
	settings cfg;
	settings_defaults(&cfg);
	free(cfg.openai_base_url);
	cfg.openai_base_url = xstrdup(fk.oai);
	free(cfg.gemini_base_url);
	cfg.gemini_base_url = xstrdup(fk.url);
	free(cfg.media_csv);
	cfg.media_csv = path_join(tmp, "PhotoMedia.csv");
	sb_err e = {0};
	assert_int_equal(atomic_write(cfg.media_csv, "Cesta\r\n", 7, 0644, &e), 0);
	cfg.state_dir = path_join(tmp, "dstate");
	cfg.data_dir = xstrdup(getenv("STOCKBATCH_DATADIR") ? getenv("STOCKBATCH_DATADIR") : "data");
	setenv("OPENAI_API_KEY", "sk-test-fake", 1);
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	assert_int_equal(doctor_run(&cfg, m, false), 0);
	fclose(m);
	assert_non_null(strstr(buf, "All checks passed"));
	assert_non_null(strstr(buf, "$OPENAI_API_KEY"));
	assert_null(strstr(buf, "sk-test-fake"));
	free(buf);
	/* A refused key: a failure naming the variable, never the key. */
	setenv("OPENAI_API_KEY", "sk-bad-DOCTORKEY", 1);
	m = open_memstream(&buf, &len);
	assert_int_equal(doctor_run(&cfg, m, false), 1);
	fclose(m);
	assert_non_null(strstr(buf, "FAIL"));
	assert_non_null(strstr(buf, "OPENAI_API_KEY"));
	assert_null(strstr(buf, "DOCTORKEY"));
	free(buf);
	/* --json: one document, the same verdict, never the key */
	m = open_memstream(&buf, &len);
	assert_int_equal(doctor_run(&cfg, m, true), 1);
	fclose(m);
	assert_non_null(strstr(buf, "\"checks\""));
	assert_non_null(strstr(buf, "\"level\":\"fail\""));
	assert_non_null(strstr(buf, "\"ok\":false"));
	assert_null(strstr(buf, "DOCTORKEY"));
	free(buf);
	/* Gemini, and no key at all. */
	free(cfg.provider);
	cfg.provider = xstrdup("gemini");
	setenv("GEMINI_API_KEY", "gm-test-fake", 1);
	m = open_memstream(&buf, &len);
	assert_int_equal(doctor_run(&cfg, m, false), 0);
	fclose(m);
	free(buf);
	unsetenv("GEMINI_API_KEY");
	m = open_memstream(&buf, &len);
	assert_int_equal(doctor_run(&cfg, m, false), 1);
	fclose(m);
	assert_non_null(strstr(buf, "GEMINI_API_KEY"));
	free(buf);
	unsetenv("OPENAI_API_KEY");
	settings_free(&cfg);
}

/* Mutated result lines (flips, cuts, type swaps) through both parsers:
 * either a clean parse error or a well-formed result, never a crash
 * (run under ASan/UBSan in CI). */
static void test_fuzz_parse(void **state)
{
	(void)state;
	static const char *const seeds[] = {
		"{\"id\":\"r1\",\"custom_id\":\"a\",\"response\":{\"status_code\":200,\"body\":{\"choices\":[{\"index\":0,"
		"\"message\":{\"role\":\"assistant\",\"content\":\"{\\\"t\\\":1}\",\"refusal\":null},\"finish_reason\":"
		"\"stop\"}],\"usage\":{\"prompt_tokens\":22,\"completion_tokens\":2}}},\"error\":null}",
		"{\"id\":\"r2\",\"custom_id\":\"b\",\"response\":null,\"error\":{\"code\":\"batch_expired\",\"message\":\"x\"}}",
		"{\"id\":\"r3\",\"custom_id\":\"c\",\"response\":{\"status_code\":400,\"body\":{\"error\":{\"message\":\"m\","
		"\"type\":\"t\",\"param\":null,\"code\":\"c\"}}},\"error\":null}",
		"{\"key\":\"k\",\"response\":{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"{}\"},{\"thought\":true,"
		"\"text\":\"hm\"}]},\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":\"8\","
		"\"candidatesTokenCount\":3}}}",
		"{\"key\":\"k2\",\"error\":{\"code\":3,\"message\":\"bad\",\"details\":[]}}",
		"{\"metadata\":{\"key\":\"k3\"},\"response\":{\"promptFeedback\":{\"blockReason\":\"SAFETY\"}}}",
	};
	static const char *const swaps[] = {"null", "7", "\"s\"", "[]", "{}", "true", "[{}]", "-1e999"};
	settings cfg;
	settings_defaults(&cfg);
	provider *ps[2];
	sb_err e = {0};
	assert_int_equal(provider_open_with(&cfg, "openai", "sk-fuzz-000000", "http://127.0.0.1:9/v1", &ps[0], &e), 0);
	assert_int_equal(provider_open_with(&cfg, "gemini", "gm-fuzz-000000", "http://127.0.0.1:9", &ps[1], &e), 0);
	unsigned s = 12345;
	int parsed = 0, rejected = 0;
	for (int it = 0; it < 30000; it++) {
		const char *seed = seeds[it % 6];
		provider *p = ps[(it / 6) % 2];
		sbuf b = {0};
		sbuf_adds(&b, seed);
		int nmut = 1 + (int)((s = s * 1103515245 + 12345) >> 16) % 4;
		for (int k = 0; k < nmut && b.len; k++) {
			s = s * 1103515245 + 12345;
			size_t pos = (s >> 8) % b.len;
			switch ((s >> 4) % 5) {
			case 0: b.p[pos] = (char)(s >> 20); break;            /* flip a byte */
			case 1: b.len = pos; b.p[pos] = 0; break;             /* cut */
			case 2: {                                              /* a value of another type */
				const char *colon = strchr(b.p + pos, ':');
				if (colon) {
					size_t at = (size_t)(colon - b.p) + 1;
					const char *sw = swaps[(s >> 12) % 8];
					sbuf t = {0};
					sbuf_add(&t, b.p, at);
					sbuf_adds(&t, sw);
					size_t skip = strcspn(b.p + at, ",}]");
					sbuf_adds(&t, b.p + at + skip);
					sbuf_free(&b);
					b = t;
				}
				break;
			}
			case 3: { /* duplicate a slice */
				sbuf t = {0};
				sbuf_add(&t, b.p, pos);
				sbuf_add(&t, b.p + pos / 2, pos - pos / 2);
				sbuf_adds(&t, b.p + pos);
				sbuf_free(&b);
				b = t;
				break;
			}
			default: b.p[pos] = "{}[]\":,\\0"[(s >> 16) % 10]; break;
			}
		}
		sb_result r;
		int rc = p->ops->parse_result(p, b.p ? b.p : "", b.len, &r, &e);
		if (rc == 0) {
			parsed++;
			assert_non_null(r.custom_id);
			if (r.ok)
				assert_non_null(r.content);
			else
				assert_non_null(r.error);
		} else
			rejected++;
		sb_result_free(&r);
		sbuf_free(&b);
	}
	assert_true(parsed > 1000 && rejected > 1000);
	provider_close(ps[0]);
	provider_close(ps[1]);
	settings_free(&cfg);
}

#define T(f) cmocka_unit_test_setup(f, before)
int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_error_message), T(test_download_error), T(test_tries), T(test_one_connection), T(test_body_cap), T(test_backoff_delays),
		T(test_no_key_leaks), T(test_doctor), T(test_fuzz_parse),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
