/* test_settings.c: defaults, the config file parser, path mapping. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "settings.h"

static char *write_tmp(const char *text)
{
	char *dir = xstrdup("/tmp/sbset.XXXXXX");
	assert_non_null(mkdtemp(dir));
	char *p = path_join(dir, "config");
	assert_int_equal(atomic_write(p, text, strlen(text), 0600, NULL), 0);
	free(dir);
	return p;
}

static void rm_tmp(char *p)
{
	char *dir = path_dirname(p);
	unlink(p);
	rmdir(dir);
	free(dir);
	free(p);
}

static void test_defaults(void **state)
{
	(void)state;
	settings s;
	settings_defaults(&s);
	settings_finish(&s);
	assert_string_equal(s.provider, "openai");
	assert_string_equal(s.model, "gpt-4.1-mini");
	assert_int_equal(s.nagencies, 3);
	assert_string_equal(s.agencies[0], "shutterstock");
	assert_string_equal(s.agencies[1], "adobestock");
	assert_string_equal(s.agencies[2], "dreamstime");
	assert_int_equal(s.nalternatives, 3);
	assert_string_equal(s.alternatives[1], "negative");
	assert_int_equal(s.batch_size, 20);
	assert_int_equal(s.poll_interval, 60);
	assert_int_equal(s.jpeg_quality, 90);
	assert_string_equal(s.image_detail, "high");
	assert_int_equal(s.title_max, 70);
	assert_int_equal(s.min_description, 50);
	assert_int_equal(s.rpm, 60);
	assert_int_equal(s.tpm, 150000);
	assert_int_equal(s.concurrency, 4);
	assert_int_equal(s.backups, 10);
	assert_int_equal(s.archive_days, 365);
	assert_int_equal(s.prices_max_age, 180);
	assert_string_equal(s.preview, "auto");
	assert_string_equal(s.state_dir, "./.stockbatch");
	settings_free(&s);

	/* gemini model; title 80 without adobestock; state dir beside the CSV */
	settings_defaults(&s);
	assert_int_equal(settings_set(&s, "provider", "gemini", NULL, NULL), 0);
	assert_int_equal(settings_set(&s, "agencies", "shutterstock, Dreamstime", NULL, NULL), 0);
	assert_int_equal(settings_set(&s, "media-csv", "/srv/lib/PhotoMedia.csv", "--media-csv", NULL), 0);
	settings_finish(&s);
	assert_string_equal(s.model, "gemini-2.5-flash-lite");
	assert_int_equal(s.title_max, 80);
	assert_false(settings_agency_enabled(&s, "adobestock"));
	assert_true(settings_agency_enabled(&s, "dreamstime"));
	assert_string_equal(s.state_dir, "/srv/lib/.stockbatch");
	settings_free(&s);
}

static void test_docs_cover_every_key(void **state)
{
	(void)state;
	settings s;
	settings_defaults(&s);
	settings_finish(&s);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	settings_dump(&s, f);
	fclose(f);
	/* every dumped key is documented and every documented key is accepted */
	int n = 0;
	for (const setting_doc *d = settings_docs; d->key; d++, n++) {
		char *k = xasprintf("\n%s = ", d->key);
		if (strcmp(d->key, "path_map"))
			assert_non_null(strstr(buf, k + 1));
		free(k);
		assert_non_null(d->help);
		if (strcmp(d->key, "path_map") && strcmp(d->key, "key_file") && strcmp(d->key, "state_dir") &&
		    strcmp(d->key, "locale") && strcmp(d->key, "data_dir"))
			assert_int_equal(settings_set(&s, d->key, d->def, "docs", NULL), 0);
	}
	assert_true(n >= 27);
	/* the dump reloads to the same dump */
	char *p = write_tmp(buf);
	settings s2;
	settings_defaults(&s2);
	sb_err e;
	assert_int_equal(settings_load_file(&s2, p, true, &e), 0);
	settings_finish(&s2);
	settings_free(&s);
	settings_defaults(&s);
	settings_finish(&s);
	char *buf2 = NULL;
	size_t len2 = 0;
	f = open_memstream(&buf2, &len2);
	settings_dump(&s2, f);
	fclose(f);
	assert_string_equal(buf, buf2);
	free(buf);
	free(buf2);
	settings_free(&s);
	settings_free(&s2);
	rm_tmp(p);
}

static void test_file(void **state)
{
	(void)state;
	char *p = write_tmp("\xEF\xBB\xBF# my config\n\n  provider = gemini  \n"
			    "batch_size=50\nagencies = adobestock,shutterstock\n"
			    "path_map = J:\\Foto => /srv/photo/Foto\n"
			    "path_map = K:/ => /mnt/k\n"
			    "model = \"gemini-2.5-pro\"\nbudget = 2.5\n");
	settings s;
	settings_defaults(&s);
	sb_err e;
	assert_int_equal(settings_load_file(&s, p, true, &e), 0);
	settings_finish(&s);
	assert_string_equal(s.provider, "gemini");
	assert_string_equal(s.model, "gemini-2.5-pro");
	assert_int_equal(s.batch_size, 50);
	assert_int_equal(s.nagencies, 2);
	assert_int_equal(s.title_max, 70);
	assert_int_equal(s.nmaps, 2);
	assert_string_equal(s.maps[0].from, "J:\\Foto");
	assert_string_equal(s.maps[0].to, "/srv/photo/Foto");
	assert_true(s.budget > 2.49 && s.budget < 2.51);
	assert_string_equal(s.config_path, p);
	settings_free(&s);
	rm_tmp(p);

	/* missing default file: fine; missing --config: error naming it */
	settings_defaults(&s);
	assert_int_equal(settings_load_file(&s, "/nonexistent/sb/config", false, &e), 0);
	assert_int_equal(settings_load_file(&s, "/nonexistent/sb/config", true, &e), -1);
	assert_non_null(strstr(e.msg, "/nonexistent/sb/config"));
	settings_free(&s);
}

static void expect_error(const char *text, const char *needle)
{
	char *p = write_tmp(text);
	settings s;
	settings_defaults(&s);
	sb_err e;
	sb_err_clear(&e);
	assert_int_equal(settings_load_file(&s, p, true, &e), -1);
	assert_int_equal(e.code, SBE_INPUT);
	char *where = xasprintf("%s:", p);
	assert_non_null(strstr(e.msg, where));
	if (!strstr(e.msg, needle))
		fail_msg("'%s' not in '%s'", needle, e.msg);
	free(where);
	settings_free(&s);
	rm_tmp(p);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("# x\nprovider = openai\nfoo = 1\n", ":3: unknown setting 'foo' (see stockbatch.conf(5))");
	expect_error("batch_size = 0\n", ":1: bad value '0' for 'batch_size'");
	expect_error("batch_size = 12abc\n", "bad value '12abc'");
	expect_error("jpeg_quality = 101\n", "jpeg_quality");
	expect_error("provider = claude\n", "openai, gemini");
	expect_error("agencies = shutterstock,getty\n", "agencies");
	expect_error("agencies = \n", "agencies");
	expect_error("alternatives = b_w\n", "alternatives");
	expect_error("image_detail = ultra\n", "image_detail");
	expect_error("preview = x\n", "preview");
	expect_error("budget = -1\n", "budget");
	expect_error("openai_base_url = ftp://x\n", "openai_base_url");
	expect_error("path_map = J:\\Foto\n", "FROM => TO");
	expect_error("path_map = => /x\n", "FROM => TO");
	expect_error("just words\n", ":1: expected 'key = value'");
	expect_error("\n\nmodel = \xC3\n", ":3: not valid UTF-8");
	sb_err e;
	settings s;
	settings_defaults(&s);
	assert_int_equal(settings_set(&s, "bogus", "1", "--bogus", &e), -1);
	assert_string_equal(e.msg, "--bogus: unknown setting 'bogus' (see stockbatch.conf(5))");
	/* a failed set leaves the old value */
	assert_int_equal(settings_set(&s, "agencies", "dreamstime,nope", NULL, &e), -1);
	assert_int_equal(s.nagencies, 3);
	settings_free(&s);
}

static void test_map_path(void **state)
{
	(void)state;
	settings s;
	settings_defaults(&s);
	assert_int_equal(settings_set(&s, "path_map", "J:\\Foto => /srv/photo/Foto/", NULL, NULL), 0);
	assert_int_equal(settings_set(&s, "path_map", "J:/Foto/Special => /data/special", NULL, NULL), 0);
	assert_int_equal(settings_set(&s, "path_map", "/home/u/old => /home/u/new", NULL, NULL), 0);
	struct {
		const char *in, *out;
	} cases[] = {
		{"J:\\Foto\\2024\\IMG_1.jpg", "/srv/photo/Foto/2024/IMG_1.jpg"},
		{"j:/Foto/2024/IMG_1.jpg", "/srv/photo/Foto/2024/IMG_1.jpg"},
		{"J:/Foto\\a\\b.JPG", "/srv/photo/Foto/a/b.JPG"},
		{"J:\\Foto\\Special\\x.jpg", "/data/special/x.jpg"}, /* longest prefix wins */
		{"J:\\Fotografie\\x.jpg", "J:\\Fotografie\\x.jpg"},  /* not at a boundary */
		{"J:\\foto\\x.jpg", "J:\\foto\\x.jpg"},              /* only the drive is caseless */
		{"K:\\Foto\\x.jpg", "K:\\Foto\\x.jpg"},
		{"/home/u/old/a.jpg", "/home/u/new/a.jpg"},
		{"/home/u/old", "/home/u/new"},
		{"relative/a.jpg", "relative/a.jpg"},
		{"", ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *m = settings_map_path(&s, cases[i].in);
		if (strcmp(m, cases[i].out))
			fail_msg("%s -> %s, want %s", cases[i].in, m, cases[i].out);
		free(m);
	}
	settings_free(&s);
}

static void test_paths(void **state)
{
	(void)state;
	setenv("XDG_CONFIG_HOME", "/x/cfg", 1);
	char *p = settings_default_path();
	assert_string_equal(p, "/x/cfg/stockbatch/config");
	free(p);
	unsetenv("XDG_CONFIG_HOME");
	setenv("HOME", "/home/zz", 1);
	p = settings_default_path();
	assert_string_equal(p, "/home/zz/.config/stockbatch/config");
	free(p);
	setenv("STOCKBATCH_DATADIR", "/d/data", 1);
	assert_string_equal(data_dir(), "/d/data");
	unsetenv("STOCKBATCH_DATADIR");
	assert_string_equal(data_dir(), PKGDATADIR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),  cmocka_unit_test(test_docs_cover_every_key),
		cmocka_unit_test(test_file),      cmocka_unit_test(test_errors),
		cmocka_unit_test(test_map_path),  cmocka_unit_test(test_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
