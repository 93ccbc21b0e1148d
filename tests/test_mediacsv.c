/* test_mediacsv.c: PhotoMedia.csv parsing, byte-identical round trips,
 * input errors with line and column, selection, the save/reject/editorial/
 * alternative rules, and commit (merge, conflicts, idempotence, backups). */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mediacsv_int.h"
#include "photomedia.h"
#include "util.h"

#define BOM "\xEF\xBB\xBF"
/* A short layout with everything the rules touch (the real one has 48). */
#define HDR                                                                                   \
	"Soubor,Název,Popis,Datum přípravy,Klíčová slova,Kategorie,Datum vytvoření,"          \
	"ShutterStock status,AdobeStock status,Dreamstime status,ShutterStock kategorie,"     \
	"AdobeStock kategorie,Dreamstime kategorie,Originál,Cesta"
#define EMPTYROW(name, date, ss, as, ds, orig, path) \
	name ",,,,,Praha," date "," ss "," as "," ds ",,,," orig "," path

static mediacsv *parse_ok(const char *s)
{
	mediacsv *m = NULL;
	sb_err e = {0};
	int r = mediacsv_parse("t.csv", s, strlen(s), &m, &e);
	if (r != 0)
		fail_msg("parse failed: %s", e.msg);
	return m;
}

static void assert_roundtrip(const char *s)
{
	mediacsv *m = parse_ok(s);
	size_t n;
	char *out = mediacsv_serialize(m, &n);
	assert_int_equal(n, strlen(s));
	assert_memory_equal(out, s, n);
	free(out);
	mediacsv_free(m);
}

/* One row by Cesta without the whole table (the review view): the row
 * found past a quoted field holding newlines and quotes, past the Cesta's
 * bytes in another row's description and in a longer Cesta; a Cesta the
 * file quotes and one that is absent go through the whole load. */
static void test_load_row(void **state)
{
	(void)state;
	const char *csv = BOM HDR "\r\n"
		"a.jpg,\"Kostel, Praha\",\"Řekl \"\"ahoj\"\"\r\n/x/c.jpg,\",01.02.2024,\"kůň, pes\",Praha,"
		"01.01.2024,nezpracováno,připraveno,,,,,ano,/x/a.jpg\r\n"
		"b.jpg,\"multi\r\nline, /x/c.jpg\nfield\",,,,,,nezpracováno,,,,,,ano,/x/c.jpg.bak\r\n"
		"c.jpg,Title c,Popis c,,\"k1, k2\",,,připraveno,,,,,,ano,/x/c.jpg\r\n"
		"d.jpg,Title d,,,,,,nezpracováno,,,,,,ano,\"/x/d,e.jpg\"\r\n";
	char path[] = "/tmp/sbrow.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, csv, strlen(csv)), (ssize_t)strlen(csv));
	close(fd);
	sb_err e = { 0 };
	mediacsv *m;
	long r;
	assert_int_equal(mediacsv_load_row(path, "/x/c.jpg", &m, &r, &e), 0);
	assert_int_equal(r, 0);
	assert_int_equal(mediacsv_rows(m), 1); /* the row alone */
	assert_string_equal(mediacsv_field(m, 0, MC_NAZEV), "Title c");
	assert_string_equal(mediacsv_field(m, 0, MC_KLICOVA), "k1, k2");
	mediacsv_free(m);
	assert_int_equal(mediacsv_load_row(path, "/x/a.jpg", &m, &r, &e), 0);
	assert_int_equal(mediacsv_rows(m), 1);
	assert_string_equal(mediacsv_field(m, (size_t)r, MC_POPIS), "Řekl \"ahoj\"\r\n/x/c.jpg,");
	mediacsv_free(m);
	/* quoted in the file: the whole table, the same row */
	assert_int_equal(mediacsv_load_row(path, "/x/d,e.jpg", &m, &r, &e), 0);
	assert_int_equal(mediacsv_rows(m), 4);
	assert_string_equal(mediacsv_field(m, (size_t)r, MC_NAZEV), "Title d");
	mediacsv_free(m);
	assert_int_equal(mediacsv_load_row(path, "/x/none.jpg", &m, &r, &e), 0);
	assert_int_equal(r, -1);
	mediacsv_free(m);
	unlink(path);
}

static void test_roundtrip(void **state)
{
	(void)state;
	static const char *const cases[] = {
		/* CRLF, BOM, Czech text, quoted comma, doubled quote, newline in field */
		BOM HDR "\r\n"
		"a.jpg,\"Kostel, Praha\",\"Řekl \"\"ahoj\"\"\",01.02.2024,\"kůň, žluťoučký\",Praha,"
		"01.01.2024,nezpracováno,připraveno,,,,,ano,C:\\Foto\\a.jpg\r\n"
		"b.jpg,\"multi\r\nline\nfield\",,,,,,nezpracováno,,,,,,ano,/x/b.jpg\r\n",
		/* LF, no BOM, no trailing newline, quoting style not minimal */
		HDR "\n\"a.jpg\",\"plain\",x,,,,,nezpracováno,,,,,,\"ano\",/a.jpg\n"
		"b.jpg,,,,,,,záložní,,,,,,ne,/b.jpg",
		/* unknown extra columns, blank lines, CR-only endings */
		"Extra," HDR ",Editorial\r\rq," EMPTYROW("a.jpg", "", "nezpracováno", "", "", "ano",
							 "/a.jpg") ",ne\r\r\r",
		/* header only */
		BOM HDR "\r\n",
		BOM HDR,
		/* empty trailing fields, a lone quoted empty field */
		HDR "\r\n" EMPTYROW("a.jpg", "", "", "", "", "", "\"\"") "\r\n",
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		assert_roundtrip(cases[i]);

	mediacsv *m = parse_ok(cases[0]);
	assert_int_equal(mediacsv_rows(m), 2);
	assert_int_equal(mediacsv_cols(m), 15);
	assert_string_equal(mediacsv_colname(m, 0), "Soubor");
	assert_string_equal(mediacsv_field(m, 0, MC_NAZEV), "Kostel, Praha");
	assert_string_equal(mediacsv_field(m, 0, MC_POPIS), "Řekl \"ahoj\"");
	assert_string_equal(mediacsv_field(m, 1, MC_NAZEV), "multi\r\nline\nfield");
	assert_string_equal(mediacsv_field(m, 0, MC_CESTA), "C:\\Foto\\a.jpg");
	assert_int_equal(mediacsv_find(m, "/x/b.jpg"), 1);
	assert_int_equal(mediacsv_find(m, "/nope"), -1);
	assert_int_equal(mediacsv_lineno(m, 0), 2);
	assert_int_equal(mediacsv_lineno(m, 1), 3);
	assert_int_equal(mediacsv_col(m, "Editorial"), -1);
	assert_string_equal(mediacsv_get(m, 0, -1), "");
	mediacsv_free(m);

	m = parse_ok(cases[2]);
	assert_int_equal(mediacsv_rows(m), 1);
	assert_string_equal(mediacsv_field(m, 0, "Extra"), "q");
	assert_string_equal(mediacsv_field(m, 0, "Editorial"), "ne");
	mediacsv_free(m);
}

static char *serialize(mediacsv *m)
{
	size_t n;
	return mediacsv_serialize(m, &n);
}

static void test_modified_row_endings(void **state)
{
	(void)state;
	/* CRLF file: the changed row uses CRLF, others stay as they were */
	const char *crlf = BOM HDR "\r\n\"a.jpg\",,,,,,,nezpracováno,,,,,,ano,/a\r\n"
			   "\"b.jpg\",,,,,,,nezpracováno,,,,,,ano,/b\r\n";
	mediacsv *m = parse_ok(crlf);
	mediacsv_set(m, 1, mediacsv_col(m, MC_NAZEV), "T, \"q\"");
	char *out = serialize(m);
	assert_string_equal(out, BOM HDR "\r\n\"a.jpg\",,,,,,,nezpracováno,,,,,,ano,/a\r\n"
				 "b.jpg,\"T, \"\"q\"\"\",,,,,,nezpracováno,,,,,,ano,/b\r\n");
	free(out);
	mediacsv_free(m);

	/* LF file without a final newline: change the last row, add a row */
	const char *lf = HDR "\na.jpg,,,,,,,nezpracováno,,,,,,ano,/a";
	m = parse_ok(lf);
	mediacsv_set(m, 0, mediacsv_col(m, MC_POPIS), "line1\nline2");
	const char *f[15] = {"n.jpg", [13] = "ne", [14] = "/n"};
	mediacsv_add_row(m, f);
	out = serialize(m);
	assert_string_equal(out, HDR "\na.jpg,,\"line1\nline2\",,,,,nezpracováno,,,,,,ano,/a\n"
				 "n.jpg,,,,,,,,,,,,,ne,/n");
	assert_int_equal(mediacsv_find(m, "/n"), 1);
	free(out);
	mediacsv_free(m);
}

static void test_formula_escape(void **state)
{
	(void)state;
	mediacsv *m = parse_ok(HDR "\n" EMPTYROW("a.jpg", "", "x", "", "", "ano", "/a") "\n");
	int t = mediacsv_col(m, MC_NAZEV), p = mediacsv_col(m, MC_POPIS), k = mediacsv_col(m, MC_KLICOVA);
	mediacsv_set(m, 0, t, "=SUM(A1)");
	mediacsv_set(m, 0, p, "-minus, and \"more\"");
	mediacsv_set(m, 0, k, "\tx");
	assert_string_equal(mediacsv_get(m, 0, t), "'=SUM(A1)");
	char *out = serialize(m);
	assert_string_equal(out, HDR "\na.jpg,'=SUM(A1),\"'-minus, and \"\"more\"\"\",,'\tx,Praha,,"
				 "x,,,,,,ano,/a\n");
	free(out);
	mediacsv_set(m, 0, t, "@x");
	assert_string_equal(mediacsv_get(m, 0, t), "'@x");
	mediacsv_set(m, 0, t, "+1");
	assert_string_equal(mediacsv_get(m, 0, t), "'+1");
	mediacsv_set(m, 0, t, "\nx");
	assert_string_equal(mediacsv_get(m, 0, t), "'\nx");
	mediacsv_set(m, 0, t, "ok = fine");
	assert_string_equal(mediacsv_get(m, 0, t), "ok = fine");
	mediacsv_free(m);
}

static void expect_error(const char *s, size_t len, const char *prefix)
{
	mediacsv *m = (mediacsv *)1;
	sb_err e = {0};
	assert_int_equal(mediacsv_parse("bad.csv", s, len, &m, &e), -1);
	assert_null(m);
	assert_int_equal(e.code, SBE_INPUT);
	if (strncmp(e.msg, prefix, strlen(prefix)) != 0)
		fail_msg("expected '%s...', got '%s'", prefix, e.msg);
	assert_non_null(strchr(e.msg + strlen(prefix), ';')); /* says what to do */
}

static void test_errors(void **state)
{
	(void)state;
	const char *s;
	/* unterminated quote: reported where it opened (line 3, column 7) */
	s = HDR "\r\na.jpg,,,,,,,x,,,,,,ano,/a\r\nb.jpg,\"never closed\r\nmore\r\n";
	expect_error(s, strlen(s), "bad.csv:3:7: ");
	/* wrong field count on line 3 */
	s = BOM HDR "\na.jpg,,,,,,,x,,,,,,ano,/a\nb.jpg,x\n";
	expect_error(s, strlen(s), "bad.csv:3:1: ");
	/* too many fields, after a multi-line field */
	s = HDR "\na.jpg,\"1\n2\n3\",,,,,,x,,,,,,ano,/a\nb.jpg,,,,,,,x,,,,,,ano,/b,extra\n";
	expect_error(s, strlen(s), "bad.csv:5:1: ");
	/* invalid UTF-8 on line 2, after "a.jpg,Kůň " (10 characters) */
	s = HDR "\na.jpg,Kůň \xC3(,,,,,,x,,,,,,ano,/a\n";
	expect_error(s, strlen(s), "bad.csv:2:11: ");
	/* a stray quote after a closed quoted field, line 2 column 10 */
	s = HDR "\na.jpg,\"ab\"c,,,,,,x,,,,,,ano,/a\n";
	expect_error(s, strlen(s), "bad.csv:2:11: ");
	/* missing required columns / no status column */
	s = BOM "Soubor,Název,ShutterStock status,Originál\na,b,c,d\n";
	expect_error(s, strlen(s), "bad.csv:1:1: the header has no \"Cesta\"");
	s = "Soubor,Cesta,ShutterStock status\na,b,c\n";
	expect_error(s, strlen(s), "bad.csv:1:1: the header has no \"Originál\"");
	s = "Cesta,Originál,ShutterStock status\na,b,c\n";
	expect_error(s, strlen(s), "bad.csv:1:1: the header has no \"Soubor\"");
	s = "Soubor,Cesta,Originál\na,b,c\n";
	expect_error(s, strlen(s), "bad.csv:1:1: the header has no \"<Bank> status\"");
	/* empty file, NUL byte */
	expect_error("", 0, "bad.csv:1:1: ");
	expect_error(BOM, 3, "bad.csv:1:1: ");
	expect_error(HDR "\na\0b", strlen(HDR) + 4, "bad.csv:2:2: ");

	/* load from disk: the message names the path; the file is not touched */
	char dir[] = "/tmp/mcsvXXXXXX";
	assert_non_null(mkdtemp(dir));
	char *p = path_join(dir, "PhotoMedia.csv");
	s = HDR "\na.jpg,x\n";
	assert_int_equal(atomic_write(p, s, strlen(s), 0644, NULL), 0);
	mediacsv *m;
	sb_err e = {0};
	assert_int_equal(mediacsv_load(p, &m, &e), -1);
	char *want = xasprintf("%s:2:1: ", p);
	assert_memory_equal(e.msg, want, strlen(want));
	const char *ss[] = {"x"};
	mc_update u = {.kind = MCU_SAVE, .cesta = "/a", .title = "T", .keywords = ss, .nkeywords = 1};
	mc_commit_result res;
	assert_int_equal(mediacsv_commit(p, &u, 1, NULL, &res, &e), -1);
	assert_int_equal(e.code, SBE_INPUT);
	mc_commit_result_free(&res);
	char *back;
	size_t blen;
	assert_int_equal(read_whole_file(p, &back, &blen, NULL), 0);
	assert_string_equal(back, s);
	free(back);
	free(want);
	unlink(p);
	free(p);
	rmdir(dir);
}

static bool exists_not_c(const char *cesta, void *ctx)
{
	(void)ctx;
	return strcmp(cesta, "/c.jpg") != 0;
}

static void test_selection(void **state)
{
	(void)state;
	const char *s = BOM HDR "\r\n"
		EMPTYROW("v.mp4", "01.01.2020", "nezpracováno", "", "", "ano", "/v.mp4") "\r\n"
		EMPTYROW("z.jpg", "02.01.2020", "nezpracováno", "", "", "ANO", "/z.jpg") "\r\n"
		EMPTYROW("b.jpg", "01.01.2020 10:00:00", "připraveno", "nezpracováno", "", "ano", "/b.jpg") "\r\n"
		EMPTYROW("a.jpg", "01.01.2020 10:00:00", "nezpracováno", "", "", "ano", "/a.jpg") "\r\n"
		EMPTYROW("c.jpg", "01.01.2019", "nezpracováno", "", "", "ano", "/c.jpg") "\r\n"
		EMPTYROW("alt.jpg", "01.01.2019", "nezpracováno", "", "", "ne", "/alt.jpg") "\r\n"
		EMPTYROW("done.jpg", "01.01.2019", "připraveno", "zamítnuto", "", "ano", "/d.jpg") "\r\n"
		EMPTYROW("n.txt", "01.01.2010", "nezpracováno", "", "", "ano", "/n.txt") "\r\n"
		EMPTYROW("e.jpg", "", "nezpracováno", "", "", "ano", "/e.jpg") "\r\n"
		EMPTYROW("y.jpg", "31.12.2019", "Nezpracováno", "", "", "ano", "/y.jpg") "\r\n";
	mediacsv *m = parse_ok(s);
	size_t *rows;
	size_t n = mediacsv_unprocessed(m, exists_not_c, NULL, &rows);
	/* images by date then name (undated last), then the video, then others */
	static const char *const want[] = {"a.jpg", "b.jpg", "z.jpg", "e.jpg", "v.mp4", "n.txt"};
	assert_int_equal(n, 6);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(mediacsv_field(m, rows[i], MC_SOUBOR), want[i]);
	free(rows);
	n = mediacsv_unprocessed(m, NULL, NULL, &rows);
	assert_int_equal(n, 7);
	assert_string_equal(mediacsv_field(m, rows[0], MC_SOUBOR), "c.jpg");
	free(rows);
	assert_false(mediacsv_row_unprocessed(m, 5));
	assert_true(mediacsv_row_unprocessed(m, 1));
	assert_int_equal(mediacsv_media_kind("X.JPEG"), MC_IMAGE);
	assert_int_equal(mediacsv_media_kind("x.MOV"), MC_VIDEO);
	assert_int_equal(mediacsv_media_kind("noext"), MC_OTHER);
	mediacsv_free(m);
}

static const char *const KW[] = {"castle", "tower", "river"};
static const mc_category CATS[] = {{"shutterstock", "Buildings/Landmarks, Nature"},
				   {"ADOBESTOCK", "Travel"},
				   {"dreamstime", "Travel -> Europe"}};
static const mc_commit_opts OPTS = {.today = "23.11.2026", .backups = 3};

static char *row_line(mediacsv *m, size_t row)
{
	/* the serialised row, for comparison against a hand-written line */
	char *all = serialize(m);
	char *p = all;
	for (size_t i = 0; i <= row; i++)
		p = strchr(p, '\n') + 1;
	char *end = strchr(p, '\n');
	char *r = xstrndup(p, end ? (size_t)(end - p) : strlen(p));
	free(all);
	return r;
}

static void test_rules(void **state)
{
	(void)state;
	const char *s = HDR "\n"
		"a.jpg,old,,,,Praha,01.01.2020,nezpracováno,nezpracováno,nedostupné,x,,,ano,/a.jpg\n"
		"b.jpg,,,,,Praha,01.01.2020,nezpracováno,chyba,nezpracováno,,,,ano,/b.jpg\n";
	mediacsv *m = parse_ok(s);
	mc_update u = {.kind = MCU_SAVE, .cesta = "/a.jpg", .title = "Castle tower, river",
		       .description = "A castle.", .keywords = KW, .nkeywords = 3, .cats = CATS,
		       .ncats = 3};
	assert_int_equal(mediacsv_apply(m, 0, &u, &OPTS, NULL), 0);
	char *l = row_line(m, 0);
	assert_string_equal(l, "a.jpg,\"Castle tower, river\",A castle.,23.11.2026,\"castle, tower, river\","
			       "Praha,01.01.2020,připraveno,připraveno,nedostupné,"
			       "\"Buildings/Landmarks, Nature\",Travel,Travel -> Europe,ano,/a.jpg");
	free(l);

	/* limits: title 80 characters (configurable), description 200, keywords 50 */
	char title[200], desc[400];
	memset(title, 0, sizeof title);
	for (int i = 0; i < 45; i++)
		strcat(title, "ž"); /* 2 bytes each */
	memset(desc, 'd', 300);
	desc[300] = '\0';
	const char *many[60];
	char kbuf[60][16];
	for (int i = 0; i < 60; i++) {
		snprintf(kbuf[i], sizeof kbuf[i], "k%d", i);
		many[i] = kbuf[i];
	}
	mc_commit_opts o = OPTS;
	o.title_max = 40;
	mc_update big = {.kind = MCU_SAVE, .title = title, .description = desc, .keywords = many,
			 .nkeywords = 60};
	mediacsv_apply(m, 1, &big, &o, NULL);
	assert_int_equal(utf8_chars(mediacsv_field(m, 1, MC_NAZEV)), 40);
	assert_int_equal(strlen(mediacsv_field(m, 1, MC_POPIS)), 200);
	const char *k = mediacsv_field(m, 1, MC_KLICOVA);
	assert_true(strncmp(k, "k0, k1, ", 8) == 0);
	assert_non_null(strstr(k, ", k49"));
	assert_null(strstr(k, "k50"));
	/* only nezpracováno flips; chyba stays */
	assert_string_equal(mediacsv_field(m, 1, "AdobeStock status"), "chyba");
	assert_string_equal(mediacsv_field(m, 1, "Dreamstime status"), "připraveno");
	mediacsv_free(m);

	/* reject */
	m = parse_ok(s);
	mc_update rj = {.kind = MCU_REJECT, .cesta = "/b.jpg"};
	mediacsv_apply(m, 1, &rj, &OPTS, NULL);
	l = row_line(m, 1);
	assert_string_equal(l, "b.jpg,,,23.11.2026,,Praha,01.01.2020,zamítnuto,chyba,zamítnuto,,,,ano,/b.jpg");
	free(l);
	mediacsv_free(m);

	/* editorial: prefix with upper-cased place names (diacritics kept),
	 * Editorial first keyword, AdobeStock keeps its status */
	m = parse_ok(s);
	const char *ekw[] = {"festival", "Editorial", "crowd"};
	mc_update ed = {.kind = MCU_SAVE, .title = "Festival", .description = "People dance.",
			.keywords = ekw, .nkeywords = 3, .editorial = true,
			.ed_city = "České Budějovice", .ed_country = "Czech Republic",
			.ed_date = "05 06 2024"};
	mediacsv_apply(m, 0, &ed, &OPTS, NULL);
	l = row_line(m, 0);
	assert_string_equal(l, "a.jpg,Festival,\"ČESKÉ BUDĚJOVICE, CZECH REPUBLIC - 05 06 2024: People dance.\","
			       "23.11.2026,\"Editorial, festival, crowd\",Praha,01.01.2020,připraveno,"
			       "nezpracováno,nedostupné,x,,,ano,/a.jpg");
	free(l);
	/* the prefix is not doubled when the model already wrote it; default country */
	mc_update ed2 = ed;
	ed2.ed_country = NULL;
	ed2.ed_city = "brno";
	ed2.description = "BRNO, CZECH - 05 06 2024: Crowd.";
	mediacsv_apply(m, 1, &ed2, &OPTS, NULL);
	assert_string_equal(mediacsv_field(m, 1, MC_POPIS), "BRNO, CZECH - 05 06 2024: Crowd.");
	/* the date in the prefix is DD MM YYYY however it was given */
	mc_update ed4 = ed;
	ed4.ed_date = "5.6.2024";
	ed4.description = "Crowd.";
	mediacsv_apply(m, 1, &ed4, &OPTS, NULL);
	assert_string_equal(mediacsv_field(m, 1, MC_POPIS),
			    "ČESKÉ BUDĚJOVICE, CZECH REPUBLIC - 05 06 2024: Crowd.");
	mediacsv_free(m);
	/* no place and no date given: the description is used as it is */
	m = parse_ok(s);
	mc_update ed3 = {.kind = MCU_SAVE, .title = "Fair", .description = "PRAGUE, CZECH - 01 02 2024: Fair.",
			 .keywords = ekw, .nkeywords = 1, .editorial = true};
	mediacsv_apply(m, 1, &ed3, &OPTS, NULL);
	assert_string_equal(mediacsv_field(m, 1, MC_POPIS), "PRAGUE, CZECH - 01 02 2024: Fair.");
	assert_string_equal(mediacsv_field(m, 1, MC_KLICOVA), "Editorial, festival");
	assert_string_equal(mediacsv_field(m, 1, "AdobeStock status"), "chyba");
	assert_string_equal(mediacsv_field(m, 1, "ShutterStock status"), "připraveno");
	mediacsv_free(m);
}

static char *tmpdir_new(void)
{
	char *d = xstrdup("/tmp/mcsvXXXXXX");
	assert_non_null(mkdtemp(d));
	return d;
}

static void tmpdir_rm(char *d)
{
	DIR *dp = opendir(d);
	struct dirent *de;
	while ((de = readdir(dp)))
		if (de->d_name[0] != '.') {
			char *p = path_join(d, de->d_name);
			unlink(p);
			free(p);
		}
	closedir(dp);
	rmdir(d);
	free(d);
}

static int count_backups(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	int n = 0;
	while ((de = readdir(dp)))
		if (strncmp(de->d_name, "PhotoMedia_", 11) == 0)
			n++;
	closedir(dp);
	return n;
}

static char *slurp(const char *p)
{
	char *d;
	size_t n;
	assert_int_equal(read_whole_file(p, &d, &n, NULL), 0);
	return d;
}

static void put(const char *p, const char *s)
{
	assert_int_equal(atomic_write(p, s, strlen(s), 0644, NULL), 0);
}

static void test_alternatives(void **state)
{
	(void)state;
	char *d = tmpdir_new();
	char *p = path_join(d, "PhotoMedia.csv");
	put(p, BOM HDR "\r\n"
	       "a.jpg,Castle,A castle.,01.01.2024,\"castle, tower\",Praha,01.01.2020,připraveno,"
	       "nezpracováno,připraveno,Nature,Travel,Travel -> Europe,ano,/F/a.jpg\r\n");
	mc_update u[3] = {
		{.kind = MCU_ALTERNATIVE, .cesta = "/U/a_sharpen.jpg", .alt_of = "/F/a.jpg",
		 .alt_soubor = "a_sharpen.jpg", .alt_status = MC_ST_BACKUP},
		{.kind = MCU_ALTERNATIVE, .cesta = "/U/a_bw.jpg", .alt_of = "/F/a.jpg",
		 .alt_soubor = "a_bw.jpg", .alt_status = MC_ST_UNPROCESSED},
		{.kind = MCU_ALTERNATIVE, .cesta = "/U/a_x.jpg", .alt_of = "/F/missing.jpg",
		 .alt_soubor = "a_x.jpg", .alt_status = MC_ST_UNPROCESSED},
	};
	mc_commit_opts o = OPTS;
	o.backup_session = "20261123_100000";
	mc_commit_result res;
	sb_err e = {0};
	assert_int_equal(mediacsv_commit(p, u, 3, &o, &res, &e), 0);
	assert_int_equal(res.applied, 2);
	assert_int_equal(res.unknown, 1);
	assert_int_equal(res.status[2], 3);
	mc_commit_result_free(&res);
	char *got = slurp(p);
	assert_string_equal(got, BOM HDR "\r\n"
		"a.jpg,Castle,A castle.,01.01.2024,\"castle, tower\",Praha,01.01.2020,připraveno,"
		"nezpracováno,připraveno,Nature,Travel,Travel -> Europe,ano,/F/a.jpg\r\n"
		"a_sharpen.jpg,Castle,A castle.,01.01.2024,\"castle, tower\",Praha,01.01.2020,záložní,"
		"záložní,záložní,Nature,Travel,Travel -> Europe,ne,/U/a_sharpen.jpg\r\n"
		"a_bw.jpg,,,,,Praha,01.01.2020,nezpracováno,nezpracováno,nezpracováno,,,,ne,/U/a_bw.jpg\r\n");
	free(got);
	/* again: already there */
	assert_int_equal(mediacsv_commit(p, u, 2, &o, &res, &e), 0);
	assert_int_equal(res.already, 2);
	mc_commit_result_free(&res);
	/* the bw text-only result arrives: metadata given, statuses flip */
	const char *kw[] = {"castle", "black and white", "monochrome"};
	mc_update r = u[1];
	r.title = "Castle in black and white";
	r.description = "A castle, monochrome.";
	r.keywords = kw;
	r.nkeywords = 3;
	assert_int_equal(mediacsv_commit(p, &r, 1, &o, &res, &e), 0);
	assert_int_equal(res.applied, 1);
	mc_commit_result_free(&res);
	mediacsv *m;
	assert_int_equal(mediacsv_load(p, &m, &e), 0);
	char *l = row_line(m, 2);
	assert_string_equal(l, "a_bw.jpg,Castle in black and white,\"A castle, monochrome.\",23.11.2026,"
			       "\"castle, black and white, monochrome\",Praha,01.01.2020,připraveno,"
			       "připraveno,připraveno,,,,ne,/U/a_bw.jpg\r");
	free(l);
	mediacsv_free(m);
	assert_int_equal(count_backups(d), 1);
	free(p);
	tmpdir_rm(d);
}

static void test_commit_merge_conflict_idempotent(void **state)
{
	(void)state;
	char *d = tmpdir_new();
	char *p = path_join(d, "PhotoMedia.csv");
	const char *orig = BOM HDR "\r\n"
		EMPTYROW("a.jpg", "01.01.2020", "nezpracováno", "nezpracováno", "", "ano", "/a") "\r\n"
		EMPTYROW("b.jpg", "01.01.2020", "nezpracováno", "", "", "ano", "/b") "\r\n"
		EMPTYROW("c.jpg", "01.01.2020", "nezpracováno", "", "", "ano", "/c") "\r\n";
	put(p, orig);
	/* fingerprints taken when the descriptions were saved */
	mediacsv *m;
	sb_err e = {0};
	assert_int_equal(mediacsv_load(p, &m, &e), 0);
	char fa[17], fb[17], fc[17];
	mediacsv_fingerprint(m, 0, fa);
	mediacsv_fingerprint(m, 1, fb);
	mediacsv_fingerprint(m, 2, fc);
	assert_string_not_equal(fa, fb);
	mediacsv_free(m);

	/* another writer: reorders the columns (Cesta first), edits c's Popis
	 * (a field we write), b's Kategorie (one we do not), adds a row */
	const char *other = BOM "Cesta,Soubor,Název,Popis,Datum přípravy,Klíčová slova,Kategorie,"
		"Datum vytvoření,ShutterStock status,AdobeStock status,Dreamstime status,"
		"ShutterStock kategorie,AdobeStock kategorie,Dreamstime kategorie,Originál\r\n"
		"/a,a.jpg,,,,,Praha,01.01.2020,nezpracováno,nezpracováno,,,,,ano\r\n"
		"/b,b.jpg,,,,,Brno,01.01.2020,nezpracováno,,,,,,ano\r\n"
		"/c,c.jpg,,hand written,,,Praha,01.01.2020,nezpracováno,,,,,,ano\r\n"
		"/new,new.jpg,,,,,Praha,01.01.2021,nezpracováno,,,,,,ano\r\n";
	put(p, other);
	/* fingerprints do not depend on column order */
	assert_int_equal(mediacsv_load(p, &m, &e), 0);
	char fa2[17];
	mediacsv_fingerprint(m, 0, fa2);
	assert_string_equal(fa, fa2);
	mediacsv_free(m);

	mc_update u[4] = {
		{.kind = MCU_SAVE, .cesta = "/a", .fingerprint = fa, .title = "A", .description = "Da.",
		 .keywords = KW, .nkeywords = 1, .cats = CATS, .ncats = 1},
		{.kind = MCU_SAVE, .cesta = "/b", .fingerprint = fb, .title = "=B", .description = "Db.",
		 .keywords = KW, .nkeywords = 2},
		{.kind = MCU_SAVE, .cesta = "/c", .fingerprint = fc, .title = "C", .description = "Dc.",
		 .keywords = KW, .nkeywords = 1},
		{.kind = MCU_REJECT, .cesta = "/gone"},
	};
	mc_commit_opts o = OPTS;
	o.backup_session = "20261123_100000";
	mc_commit_result res;
	assert_int_equal(mediacsv_commit(p, u, 4, &o, &res, &e), 0);
	assert_int_equal(res.applied, 2);
	assert_int_equal(res.conflicts, 1);
	assert_int_equal(res.unknown, 1);
	assert_int_equal(res.status[0], 0);
	assert_int_equal(res.status[1], 0);
	assert_int_equal(res.status[2], 2);
	assert_int_equal(res.status[3], 3);
	mc_commit_result_free(&res);
	char *got = slurp(p);
	assert_string_equal(got, BOM "Cesta,Soubor,Název,Popis,Datum přípravy,Klíčová slova,Kategorie,"
		"Datum vytvoření,ShutterStock status,AdobeStock status,Dreamstime status,"
		"ShutterStock kategorie,AdobeStock kategorie,Dreamstime kategorie,Originál\r\n"
		"/a,a.jpg,A,Da.,23.11.2026,castle,Praha,01.01.2020,připraveno,připraveno,,"
		"\"Buildings/Landmarks, Nature\",,,ano\r\n"
		"/b,b.jpg,'=B,Db.,23.11.2026,\"castle, tower\",Brno,01.01.2020,připraveno,,,,,,ano\r\n"
		"/c,c.jpg,,hand written,,,Praha,01.01.2020,nezpracováno,,,,,,ano\r\n"
		"/new,new.jpg,,,,,Praha,01.01.2021,nezpracováno,,,,,,ano\r\n");
	/* the backup holds the file as it was before this commit */
	char *bp = path_join(d, "PhotoMedia_20261123_100000.csv");
	char *bk = slurp(bp);
	assert_string_equal(bk, other);
	free(bk);

	/* idempotent: the same updates again change nothing, even on another day */
	o.today = "24.11.2026";
	assert_int_equal(mediacsv_commit(p, u, 4, &o, &res, &e), 0);
	assert_int_equal(res.applied, 0);
	assert_int_equal(res.already, 2);
	assert_int_equal(res.conflicts, 1);
	mc_commit_result_free(&res);
	char *again = slurp(p);
	assert_string_equal(again, got);
	free(again);
	free(got);
	free(bp);
	free(p);
	tmpdir_rm(d);
}

static void test_backups(void **state)
{
	(void)state;
	char *d = tmpdir_new();
	char *p = path_join(d, "PhotoMedia.csv");
	put(p, HDR "\n" EMPTYROW("a.jpg", "", "nezpracováno", "", "", "ano", "/a") "\n"
	       EMPTYROW("b.jpg", "", "nezpracováno", "", "", "ano", "/b") "\n");
	/* a file of the user's that looks a bit like a backup is never removed */
	char *keep = path_join(d, "PhotoMedia_notes.csv");
	put(keep, "x");
	mc_commit_opts o = OPTS;
	o.backups = 3;
	mc_commit_result res;
	sb_err e = {0};
	/* session 1: two commits, one backup */
	o.backup_session = "20260101_000001";
	mc_update u = {.kind = MCU_SAVE, .cesta = "/a", .title = "one", .keywords = KW, .nkeywords = 1};
	assert_int_equal(mediacsv_commit(p, &u, 1, &o, &res, &e), 0);
	mc_commit_result_free(&res);
	char *first = slurp(p);
	u.cesta = "/b";
	assert_int_equal(mediacsv_commit(p, &u, 1, &o, &res, &e), 0);
	mc_commit_result_free(&res);
	assert_int_equal(count_backups(d), 2); /* + the user's file */
	char *b1 = path_join(d, "PhotoMedia_20260101_000001.csv");
	char *c1 = slurp(b1);
	assert_null(strstr(c1, "one")); /* the state before the session */
	free(c1);
	/* the backup is the replaced file itself, never a second name of the live one */
	struct stat sb, sl;
	assert_int_equal(stat(b1, &sb), 0);
	assert_int_equal(stat(p, &sl), 0);
	assert_true(sb.st_ino != sl.st_ino);
	assert_int_equal(sb.st_nlink, 1);
	/* sessions 2..5: rotation keeps the 3 newest */
	char stamp[32], t[16];
	for (int s = 2; s <= 5; s++) {
		snprintf(stamp, sizeof stamp, "20260101_%06d", s);
		snprintf(t, sizeof t, "gen%d", s);
		o.backup_session = stamp;
		u.title = t;
		assert_int_equal(mediacsv_commit(p, &u, 1, &o, &res, &e), 0);
		assert_int_equal(res.applied, 1);
		mc_commit_result_free(&res);
	}
	assert_int_equal(count_backups(d), 4);
	assert_false(file_exists(b1));
	char *b3 = path_join(d, "PhotoMedia_20260101_000003.csv");
	char *b5 = path_join(d, "PhotoMedia_20260101_000005.csv");
	assert_true(file_exists(b3));
	assert_true(file_exists(b5));
	assert_true(file_exists(keep));
	/* nothing to apply: no backup, file untouched */
	o.backup_session = "20260101_000009";
	assert_int_equal(mediacsv_commit(p, &u, 1, &o, &res, &e), 0);
	assert_int_equal(res.already, 1);
	mc_commit_result_free(&res);
	assert_int_equal(count_backups(d), 4);
	free(first);
	free(b1);
	free(b3);
	free(b5);
	free(keep);
	free(p);
	tmpdir_rm(d);
}

/* Interop with the existing tools: Python's csv module writes a file of
 * random nasty values (seeded); we read it back byte-identical, and a
 * rewrite of every field (formula-escaped) matches Python's own writer on
 * the escaped values byte for byte. */
static const char PY[] =
	"import csv, io, random, sys\n"
	"random.seed(7)\n"
	"alpha = ['a', 'b', ',', '\"', '\\r', '\\n', ' ', '\\t', '\\u017e', '=', '-', \"'\", '+', '@']\n"
	"rows = [[''.join(random.choice(alpha) for _ in range(random.randint(0, 6)))\n"
	"         for _ in range(4)] for i in range(300)]\n"
	"hdr = ['Soubor', 'Cesta', 'Origin\\u00e1l', 'A status']\n"
	"def esc(v): return \"'\" + v if v and v[0] in '=+-@\\t\\r\\n' else v\n"
	"for name, f in (('py.csv', lambda v: v), ('py_esc.csv', esc)):\n"
	"    b = io.StringIO(newline='')\n"
	"    w = csv.writer(b)\n"
	"    w.writerow(hdr)\n"
	"    for r in rows: w.writerow([f(v) for v in r])\n"
	"    open(sys.argv[1] + '/' + name, 'w', newline='', encoding='utf-8-sig').write(b.getvalue())\n";

static void test_python_interop(void **state)
{
	(void)state;
	const char *py = getenv("PYTHON3");
	if (!py || !*py)
		py = "python3";
	char *d = tmpdir_new();
	char *script = path_join(d, "gen.py");
	put(script, PY);
	char *cmd = xasprintf("'%s' '%s' '%s'", py, script, d);
	if (system(cmd) != 0) {
		free(cmd);
		free(script);
		tmpdir_rm(d);
		skip();
	}
	char *p1 = path_join(d, "py.csv"), *p2 = path_join(d, "py_esc.csv");
	char *orig = slurp(p1), *want = slurp(p2);
	mediacsv *m;
	sb_err e = {0};
	assert_int_equal(mediacsv_load(p1, &m, &e), 0);
	assert_int_equal(mediacsv_rows(m), 300);
	char *out = serialize(m);
	assert_string_equal(out, orig);
	free(out);
	for (size_t r = 0; r < mediacsv_rows(m); r++)
		for (int c = 0; c < 4; c++) {
			char *v = xstrdup(mediacsv_get(m, r, c));
			mediacsv_set(m, r, c, v);
			free(v);
		}
	out = serialize(m);
	assert_string_equal(out, want);
	free(out);
	mediacsv_free(m);
	free(orig);
	free(want);
	free(p1);
	free(p2);
	free(cmd);
	free(script);
	tmpdir_rm(d);
}

/* A valid file with 1 to 4 random edits (and every fourth cut short). */
static size_t mutated(char buf[512], int iter, unsigned *seed)
{
	const char *base = BOM HDR "\r\n\"a,\"\"b\"\"\",x\r\ny,,,,,,,nezpracováno,,,,,,ano,/a\r\n"
			   "b.jpg,,,,,,,nezpracováno,,,,,,ano,/b\n";
	size_t bl = strlen(base);
	static const char alphabet[] = ",\"\r\n\xC3\xA1\xEF\xBB\xBF xa";
	memcpy(buf, base, bl);
	size_t n = bl;
	int edits = 1 + (int)(rand_r(seed) % 4);
	for (int k = 0; k < edits; k++) {
		size_t at = (size_t)rand_r(seed) % n;
		int op = rand_r(seed) % 3;
		char ch = alphabet[rand_r(seed) % (sizeof alphabet - 1)];
		if (op == 0)
			buf[at] = ch;
		else if (op == 1 && n + 1 < 512) {
			memmove(buf + at + 1, buf + at, n - at);
			buf[at] = ch;
			n++;
		} else if (n > 1) {
			memmove(buf + at, buf + at + 1, n - at - 1);
			n--;
		}
	}
	size_t cut = (size_t)rand_r(seed) % (n + 1);
	return iter % 4 == 0 ? cut : n;
}

/* Random damage to valid files: parse must fail cleanly or round-trip. */
static void test_mutations(void **state)
{
	(void)state;
	unsigned seed = 12345;
	char buf[512];
	for (int iter = 0; iter < 3000; iter++) {
		size_t n = mutated(buf, iter, &seed);
		mediacsv *m = NULL;
		sb_err e = {0};
		mediacsv *lean = NULL;
		sb_err el = {0};
		int lr = mediacsv_parse_lean("f.csv", buf, n, &lean, &el);
		if (mediacsv_parse("f.csv", buf, n, &m, &e) == 0) {
			/* the lean parse accepts the same files and reads the same fields */
			assert_int_equal(lr, 0);
			assert_int_equal(mediacsv_rows(lean), mediacsv_rows(m));
			for (size_t r = 0; r < mediacsv_rows(m); r++)
				for (size_t c = 0; c < mediacsv_cols(m); c++)
					assert_string_equal(mediacsv_get(lean, r, (int)c),
							    mediacsv_get(m, r, (int)c));
			size_t ln;
			char *lo = mediacsv_serialize(lean, &ln);
			assert_int_equal(ln, n);
			assert_memory_equal(lo, buf, n);
			free(lo);
			mediacsv_free(lean);
			size_t on;
			char *out = mediacsv_serialize(m, &on);
			assert_int_equal(on, n);
			assert_memory_equal(out, buf, n);
			free(out);
			if (mediacsv_rows(m)) {
				mediacsv_set(m, 0, 0, "=\"x\",\n");
				out = mediacsv_serialize(m, &on);
				mediacsv *m2 = NULL;
				assert_int_equal(mediacsv_parse("g.csv", out, on, &m2, &e), 0);
				assert_string_equal(mediacsv_get(m2, 0, 0), "'=\"x\",\n");
				assert_int_equal(mediacsv_rows(m2), mediacsv_rows(m));
				mediacsv_free(m2);
				free(out);
			}
			mediacsv_free(m);
		} else {
			assert_int_equal(lr, -1);
			assert_string_equal(el.msg, e.msg);
			assert_int_equal(e.code, SBE_INPUT);
			assert_memory_equal(e.msg, "f.csv:", 6);
		}
	}
}

/* The fast reader and libcsv agree on every damaged file: the same
 * fields, line numbers, record endings and bytes, or the same error. */
static void test_fast_reader_agrees(void **state)
{
	(void)state;
	unsigned seed = 777;
	char buf[512];
	for (int iter = 0; iter < 6000; iter++) {
		size_t n = mutated(buf, iter, &seed);
		for (int lean = 0; lean < 2; lean++) {
			mediacsv *f = NULL, *l = NULL;
			sb_err ef = {0}, el = {0};
			int (*parse)(const char *, const char *, size_t, mediacsv **, sb_err *) =
				lean ? mediacsv_parse_lean : mediacsv_parse;
			int rf = parse("f.csv", buf, n, &f, &ef);
			mediacsv_libcsv_only = true;
			int rl = parse("f.csv", buf, n, &l, &el);
			mediacsv_libcsv_only = false;
			assert_int_equal(rf, rl);
			if (rf < 0) {
				assert_string_equal(ef.msg, el.msg);
				continue;
			}
			assert_int_equal(mediacsv_rows(f), mediacsv_rows(l));
			assert_int_equal(mediacsv_cols(f), mediacsv_cols(l));
			assert_string_equal(f->eol, l->eol);
			assert_int_equal(f->pre_len, l->pre_len);
			for (size_t r = 0; r < mediacsv_rows(f); r++) {
				assert_int_equal(mediacsv_lineno(f, r), mediacsv_lineno(l, r));
				assert_int_equal(f->rows[r].body_off, l->rows[r].body_off);
				assert_int_equal(f->rows[r].body_len, l->rows[r].body_len);
				for (size_t c = 0; c < mediacsv_cols(f); c++)
					assert_string_equal(mediacsv_get(f, r, (int)c),
							    mediacsv_get(l, r, (int)c));
			}
			mediacsv_free(f);
			mediacsv_free(l);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_load_row),
		cmocka_unit_test(test_modified_row_endings),
		cmocka_unit_test(test_formula_escape),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_selection),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_alternatives),
		cmocka_unit_test(test_commit_merge_conflict_idempotent),
		cmocka_unit_test(test_backups),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_fast_reader_agrees),
		cmocka_unit_test(test_python_interop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
