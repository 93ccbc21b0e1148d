/* test_cli.c: the command line's pure parts: global options over the config
 * file (load order, --set, --base-url for the chosen provider), and the
 * import TSV reader (libcsv, records over several lines) and its line
 * splitter. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "tsv.h"
#include "util.h"

static char conf[64];

static int setup(void **state)
{
	(void)state;
	setenv("XDG_CONFIG_HOME", "/nonexistent-sb-test-config", 1);
	strcpy(conf, "/tmp/sbcli.XXXXXX");
	int fd = mkstemp(conf);
	if (fd < 0)
		return -1;
	static const char text[] = "# test config\n"
				   "batch_size = 7\n"
				   "media_csv = /srv/photo/PhotoMedia.csv\n"
				   "jpeg_quality = 80\n";
	ssize_t w = write(fd, text, sizeof text - 1);
	close(fd);
	return w == (ssize_t)(sizeof text - 1) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	unlink(conf);
	return 0;
}

/* Parse argv (NULL-terminated list) over fresh defaults. */
static int parse(settings *s, bool *help, bool *version, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;
	va_start(ap, version);
	argv[argc++] = (char *)"stockbatch";
	for (char *a; (a = va_arg(ap, char *)) && argc < 31;)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	settings_defaults(s);
	*help = *version = false;
	return cli_parse_globals(s, argc, argv, help, version);
}

static void test_load_order(void **state)
{
	(void)state;
	settings s;
	bool h, v;
	/* options beat the file; the file beats the defaults */
	int first = parse(&s, &h, &v, "--config", conf, "--batch-size", "3", "status", "--json",
			  (char *)NULL);
	assert_true(first > 0);
	assert_int_equal(s.batch_size, 3);
	assert_int_equal(s.jpeg_quality, 80);
	assert_string_equal(s.media_csv, "/srv/photo/PhotoMedia.csv");
	/* settings_finish derived the state dir beside the CSV */
	assert_non_null(s.state_dir);
	assert_non_null(strstr(s.state_dir, "/srv/photo/.stockbatch"));
	settings_free(&s);

	/* --set reaches any key; --csv is media_csv */
	first = parse(&s, &h, &v, "--config", conf, "--set", "jpeg_quality = 55", "--csv",
		      "/x/PhotoMedia.csv", "plan", (char *)NULL);
	assert_true(first > 0);
	assert_int_equal(s.jpeg_quality, 55);
	assert_string_equal(s.media_csv, "/x/PhotoMedia.csv");
	settings_free(&s);
}

static void test_base_url_follows_provider(void **state)
{
	(void)state;
	settings s;
	bool h, v;
	/* --base-url before --provider still goes to the provider in use */
	int first = parse(&s, &h, &v, "--config", conf, "--base-url", "http://127.0.0.1:1",
			  "--provider", "gemini", "status", (char *)NULL);
	assert_true(first > 0);
	assert_string_equal(s.provider, "gemini");
	assert_string_equal(s.gemini_base_url, "http://127.0.0.1:1");
	assert_string_not_equal(s.openai_base_url, "http://127.0.0.1:1");
	settings_free(&s);
	first = parse(&s, &h, &v, "--config", conf, "--base-url", "http://127.0.0.1:2/v1", "status",
		      (char *)NULL);
	assert_string_equal(s.openai_base_url, "http://127.0.0.1:2/v1");
	settings_free(&s);
}

static void test_errors_and_help(void **state)
{
	(void)state;
	settings s;
	bool h, v;
	assert_int_equal(parse(&s, &h, &v, "--config", conf, "--batch-size", "many", "status",
			       (char *)NULL), -1);
	settings_free(&s);
	assert_int_equal(parse(&s, &h, &v, "--set", "nokey", (char *)NULL), -1);
	settings_free(&s);
	assert_int_equal(parse(&s, &h, &v, "--config", "/nonexistent/x.conf", "status",
			       (char *)NULL), -1);
	settings_free(&s);
	/* --help does not need a readable config */
	assert_true(parse(&s, &h, &v, "--config", "/nonexistent/x.conf", "--help",
			  (char *)NULL) > 0);
	assert_true(h);
	settings_free(&s);
	assert_true(parse(&s, &h, &v, "-V", (char *)NULL) > 0);
	assert_true(v);
	settings_free(&s);
	assert_true(cli_is_command("retrieve"));
	assert_true(cli_is_command("retry-failed"));
	assert_false(cli_is_command("frobnicate"));
	assert_false(cli_is_command(""));
}

static void test_tsv_split(void **state)
{
	(void)state;
	char *p, *d;
	char l1[] = "  /a/b.jpg \t  Les v mlze nad řekou.  \r";
	assert_int_equal(tsv_split_line(l1, &p, &d), 1);
	assert_string_equal(p, "/a/b.jpg");
	assert_string_equal(d, "Les v mlze nad řekou.");
	char l2[] = "/a/c.jpg\t\"Say \"\"cheese\"\" now\"";
	assert_int_equal(tsv_split_line(l2, &p, &d), 1);
	assert_string_equal(d, "Say \"cheese\" now");
	char l3[] = "   ";
	assert_int_equal(tsv_split_line(l3, &p, &d), 0);
	char l4[] = "# comment\twith tab";
	assert_int_equal(tsv_split_line(l4, &p, &d), 0);
	char l5[] = "/a/no-tab.jpg description";
	assert_int_equal(tsv_split_line(l5, &p, &d), -1);
	char l6[] = "/a/x.jpg\tbad \xff";
	assert_int_equal(tsv_split_line(l6, &p, &d), -2);
	char l7[] = "\"\t\"";
	assert_int_equal(tsv_split_line(l7, &p, &d), 1);
	assert_string_equal(p, "\"");
	char l8[] = "/a\t\"\"";
	assert_int_equal(tsv_split_line(l8, &p, &d), 1);
	assert_string_equal(d, "");
}

/* Read every record of a TSV text: "kind:first-last:path|desc" per record. */
static char *read_all(const char *text)
{
	static char out[2048];
	out[0] = '\0';
	tsv_reader *r = tsv_open(text, strlen(text));
	tsv_record rec;
	while (tsv_next(r, &rec)) {
		char one[512];
		if (rec.kind == TSV_ROW)
			snprintf(one, sizeof one, "R:%ld-%ld:%s|%s\n", rec.line, rec.last_line, rec.path,
				 rec.desc);
		else if (rec.kind == TSV_NO_TAB)
			snprintf(one, sizeof one, "T:%ld-%ld\n", rec.line, rec.last_line);
		else
			snprintf(one, sizeof one, "U:%ld-%ld@%zu\n", rec.line, rec.last_line,
				 rec.bad_byte);
		strncat(out, one, sizeof out - strlen(out) - 1);
	}
	tsv_close(r);
	return out;
}

static void test_tsv_reader(void **state)
{
	(void)state;
	/* a quoted cell over three lines is one record, named by its first line */
	assert_string_equal(read_all("\xEF\xBB\xBFpath\tdescription\r\n"
				     "/a.jpg\t\"one,\ntwo \"\"q\"\"\nthree\"\r\n"
				     "/b.jpg\tnext\r\n"),
			    "R:1-1:path|description\nR:2-4:/a.jpg|one,\ntwo \"q\"\nthree\n"
			    "R:5-5:/b.jpg|next\n");
	/* a TAB inside quotes; extra cells stay in the description; blanks and
	 * comments skipped; the last line without a newline */
	assert_string_equal(read_all("# note\n\n  \n \"/c d.jpg\" \t\"x\ty\"\t\t\n/e\tf\tg"),
			    "R:4-4:/c d.jpg|x\ty\nR:5-5:/e|f\tg\n");
	/* not valid quoting: the line is split at its first TAB, as before */
	assert_string_equal(read_all("/a\tSay \"hi\" now\n/b\t\"x\" y\n/c\t\"open\nnext\tline\n"),
			    "R:1-1:/a|Say \"hi\" now\nR:2-2:/b|\"x\" y\nR:3-3:/c|\"open\n"
			    "R:4-4:next|line\n");
	/* one cell only; bad UTF-8 in a record's second line: the record's first
	 * line, the byte counted in the record */
	assert_string_equal(read_all("no tab here\n/a\t\"ok\nbad \xff\"\n# \xfe\n/z\tz\n"),
			    "T:1-1\nU:2-3@12\nU:4-4@3\nR:5-5:/z|z\n");
	/* a NUL ends the text, as it always did */
	assert_string_equal(read_all("/a\tb\n"), "R:1-1:/a|b\n");
	char nul[] = "/a\tb\n\0/c\td\n";
	tsv_reader *r = tsv_open(nul, sizeof nul - 1);
	tsv_record rec;
	assert_int_equal(tsv_next(r, &rec), 1);
	assert_int_equal(tsv_next(r, &rec), 0);
	tsv_close(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_order),
		cmocka_unit_test(test_base_url_follows_provider),
		cmocka_unit_test(test_errors_and_help),
		cmocka_unit_test(test_tsv_split),
		cmocka_unit_test(test_tsv_reader),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
