/* test_log.c: the log file, secret scrubbing, sinks, threads. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static char tmpdir[64];
static char *logpath;

static int setup(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/sblog.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	logpath = path_join(tmpdir, "stockbatch.log");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	log_close();
	unlink(logpath);
	char *old = xasprintf("%s.1", logpath);
	unlink(old);
	free(old);
	free(logpath);
	rmdir(tmpdir);
	return 0;
}

static char *slurp(void)
{
	char *d;
	size_t n;
	assert_int_equal(read_whole_file(logpath, &d, &n, NULL), 0);
	return d;
}

struct sinkbuf {
	sbuf b;
	int calls;
};

static void sink(log_level lv, const char *line, void *ctx)
{
	struct sinkbuf *sb = ctx;
	sbuf_printf(&sb->b, "%d:%s\n", (int)lv, line);
	sb->calls++;
}

static void test_write_and_scrub(void **state)
{
	(void)state;
	assert_int_equal(log_open(logpath, NULL), 0);
	const char *key = "sk-proj-ABCDEFGHIJKLMNOP1234";
	log_add_secret(key);
	log_add_secret("abc"); /* too short to be a key: ignored */
	struct sinkbuf sb = {0};
	log_set_sink(sink, &sb);
	sb_log(LOG_INFO, "sending with key %s and again %s.", key, key);
	sb_log(LOG_WARN, "two\nlines abc");
	log_set_sink(NULL, NULL);
	sb_log(LOG_ERROR, "no sink %d", 42);
	char *d = slurp();
	assert_null(strstr(d, "ABCDEFGHIJKLMNOP"));
	assert_non_null(strstr(d, " INFO  sending with key [REDACTED] and again [REDACTED].\n"));
	assert_non_null(strstr(d, " WARN  two lines abc\n"));
	assert_non_null(strstr(d, " ERROR no sink 42\n"));
	/* timestamp first: 2026-11-23T17:55:19Z */
	assert_true(d[4] == '-' && d[10] == 'T' && d[19] == 'Z');
	assert_int_equal(sb.calls, 2);
	assert_null(strstr(sb.b.p, "ABCDEFGHIJKLMNOP"));
	assert_non_null(strstr(sb.b.p, "1:sending with key [REDACTED]"));
	free(d);
	sbuf_free(&sb.b);

	/* log_scrub on an error message, with truncation at cap */
	char msg[64];
	snprintf(msg, sizeof msg, "401 for %s", key);
	log_scrub(msg, sizeof msg);
	assert_string_equal(msg, "401 for [REDACTED]");
	char tiny[12];
	snprintf(tiny, sizeof tiny, "k=sk-proj-A");
	log_add_secret("sk-proj-A");
	log_scrub(tiny, sizeof tiny);
	assert_string_equal(tiny, "k=[REDACTED");
	char two[16] = "xx123456yy";
	log_add_secret("123456");
	log_scrub(two, 11); /* growth cut at cap */
	assert_string_equal(two, "xx[REDACTE");
	log_close();
	/* after close: secrets forgotten, logging does not crash */
	sb_log(LOG_INFO, "closed");
}

#define NTHREADS 4
#define NLINES 500
static void *writer(void *arg)
{
	long id = (long)arg;
	for (int i = 0; i < NLINES; i++)
		sb_log(LOG_INFO, "thread %ld line %d secret-value-xyz end", id, i);
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	assert_int_equal(log_open(logpath, NULL), 0);
	log_add_secret("secret-value-xyz");
	pthread_t t[NTHREADS];
	for (long i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, writer, (void *)i);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	log_close();
	char *d = slurp();
	int lines = 0;
	for (char *p = d, *nl; (nl = strchr(p, '\n')); p = nl + 1) {
		*nl = 0;
		if (!strstr(p, "thread "))
			continue;
		lines++;
		/* each line whole: never two events interleaved */
		assert_non_null(strstr(p, " [REDACTED] end"));
		assert_null(strstr(strstr(p, "thread ") + 1, "thread "));
	}
	assert_int_equal(lines, NTHREADS * NLINES);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_and_scrub, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
