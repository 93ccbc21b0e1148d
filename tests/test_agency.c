/* test_agency.c: category lists, strict parsing of the model's answer, and
 * every agency rule with its mechanical repair (src/agency.c). */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "agency.h"
#include "photomedia.h"

static agency_lists *L;

static const char *GOOD =
	"{\"title\": \"Red fox hunting in a snowy meadow at dawn\","
	" \"description\": \"A red fox leaps into deep snow to catch a mouse. Soft morning light.\","
	" \"keywords\": [\"fox\", \"red fox\", \"snow\", \"winter\", \"wildlife\", \"animal\", \"meadow\", \"hunting\"],"
	" \"categories\": {\"shutterstock\": [\"Animals/Wildlife\", \"Nature\"],"
	" \"adobestock\": [\"Animals\"], \"dreamstime\": [\"Animals -> Mammals\", \"Nature -> Seasons specific\"]}}";

static void parse_ok(const char *json, meta_record *m)
{
	sb_err e = { 0 };
	int rc = meta_parse(json, strlen(json), m, &e);
	if (rc)
		fprintf(stderr, "meta_parse: %s\n", e.msg);
	assert_int_equal(rc, 0);
}

static void parse_bad(const char *json, size_t len, const char *needle)
{
	meta_record m;
	sb_err e = { 0 };
	assert_int_equal(meta_parse(json, len, &m, &e), -1);
	assert_int_equal(e.code, SBE_INPUT);
	if (needle && !strstr(e.msg, needle)) {
		fprintf(stderr, "message '%s' lacks '%s'\n", e.msg, needle);
		fail();
	}
	assert_null(m.title);
	assert_null(m.keywords);
}

static bool utf8_ok(const char *s)
{
	return utf8_valid(s, strlen(s), NULL);
}

static const char *cat(const meta_record *m, const char *agency, size_t i)
{
	for (size_t g = 0; g < m->ncats; g++)
		if (!strcmp(m->cats[g].agency, agency))
			return i < m->cats[g].n ? m->cats[g].cats[i] : NULL;
	return NULL;
}

static size_t ncat(const meta_record *m, const char *agency)
{
	for (size_t g = 0; g < m->ncats; g++)
		if (!strcmp(m->cats[g].agency, agency))
			return m->cats[g].n;
	return 0;
}

static char *tmpdir;

static int setup(void **state)
{
	(void)state;
	sb_err e = { 0 };
	if (agency_lists_load(NULL, NULL, &L, &e) < 0) {
		fprintf(stderr, "%s\n", e.msg);
		return -1;
	}
	char t[] = "/tmp/test_agency.XXXXXX";
	tmpdir = xstrdup(mkdtemp(t));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	agency_lists_free(L);
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(tmpdir);
	return 0;
}

/* ---------------------------------------------------------------- lists */

static void test_shipped_lists(void **state)
{
	(void)state;
	size_t n;
	const char *const *ss = agency_categories(L, "shutterstock", &n);
	assert_int_equal(n, 26);
	assert_string_equal(ss[0], "Abstract");
	assert_null(ss[26]);
	const char *const *as = agency_categories(L, "AdobeStock", &n);
	assert_int_equal(n, 21);
	assert_string_equal(as[6], "Food"); /* names for the prompt, not ids */
	const char *const *ds = agency_categories(L, "dreamstime", &n);
	assert_int_equal(n, 181);
	assert_string_equal(ds[0], "Nature -> Generic vegetation");
	assert_null(agency_categories(L, "alamy", &n));
	assert_int_equal(n, 0);
}

static void test_match_category(void **state)
{
	(void)state;
	/* AdobeStock: the CSV takes the id; name, id and id=name all map */
	assert_string_equal(agency_match_category(L, "adobestock", "Food"), "7");
	assert_string_equal(agency_match_category(L, "adobestock", "food"), "7");
	assert_string_equal(agency_match_category(L, "adobestock", "7"), "7");
	assert_string_equal(agency_match_category(L, "adobestock", "7=Food"), "7");
	assert_string_equal(agency_match_category(L, "adobestock", "Food (7)"), "7");
	assert_string_equal(agency_match_category(L, "adobestock", "Plants and Flowers"), "14");
	assert_null(agency_match_category(L, "adobestock", "99"));
	assert_null(agency_match_category(L, "adobestock", "Cars"));
	/* Dreamstime: "Main -> Sub", written loosely */
	assert_string_equal(agency_match_category(L, "dreamstime", "Nature > Forests"), "Nature -> Forests");
	assert_string_equal(agency_match_category(L, "dreamstime", "nature->forests"), "Nature -> Forests");
	assert_string_equal(agency_match_category(L, "dreamstime", "18"), "Nature -> Forests");
	assert_string_equal(agency_match_category(L, "dreamstime", "Nature \xE2\x86\x92 Forests"),
			    "Nature -> Forests");
	/* a Sub that names one entry only */
	assert_string_equal(agency_match_category(L, "dreamstime", "Waterfalls"), "Nature -> Waterfalls");
	assert_null(agency_match_category(L, "dreamstime", "Nature")); /* ambiguous */
	/* ShutterStock by name, case-insensitive; a unique part of a name */
	assert_string_equal(agency_match_category(L, "shutterstock", "animals/wildlife"), "Animals/Wildlife");
	assert_string_equal(agency_match_category(L, "shutterstock", "Wildlife"), "Animals/Wildlife");
	assert_null(agency_match_category(L, "shutterstock", "Cars"));
	assert_null(agency_match_category(L, "nosuchbank", "Nature"));
}

static char *write_tmp(const char *name, const char *data)
{
	char *p = path_join(tmpdir, name);
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	fputs(data, f);
	fclose(f);
	return p;
}

static void test_photocategories_override(void **state)
{
	(void)state;
	/* BOM, CRLF, columns of different lengths, empty cells, a quoted comma,
	 * AdobeStock by name only (the id comes from the shipped list), a bank
	 * we do not validate (kept for the prompt anyway). */
	char *p = write_tmp("PhotoCategories.csv",
			    "\xEF\xBB\xBFShutterStock,AdobeStock,Dreamstime,Alamy\r\n"
			    "Nature,Food,Nature -> Forests,Landscapes\r\n"
			    "\"Food, Drink\",,\"Nature -> Mountains\",\r\n"
			    ",Animals,,\r\n"
			    "Animals,,,\r\n");
	agency_lists *l = NULL;
	sb_err e = { 0 };
	assert_int_equal(agency_lists_load(NULL, p, &l, &e), 0);
	size_t n;
	const char *const *ss = agency_categories(l, "shutterstock", &n);
	assert_int_equal(n, 3);
	assert_string_equal(ss[0], "Nature");
	assert_string_equal(ss[1], "Food, Drink");
	assert_string_equal(ss[2], "Animals");
	assert_null(agency_match_category(l, "shutterstock", "Abstract")); /* replaced */
	agency_categories(l, "adobestock", &n);
	assert_int_equal(n, 2);
	assert_string_equal(agency_match_category(l, "adobestock", "Food"), "7");
	assert_string_equal(agency_match_category(l, "adobestock", "animals"), "1");
	assert_null(agency_match_category(l, "adobestock", "Travel"));
	agency_categories(l, "dreamstime", &n);
	assert_int_equal(n, 2);
	assert_string_equal(agency_match_category(l, "dreamstime", "Nature > Mountains"), "Nature -> Mountains");
	const char *const *al = agency_categories(l, "alamy", &n);
	assert_int_equal(n, 1);
	assert_string_equal(al[0], "Landscapes");
	/* validation uses the user's lists */
	meta_record m;
	parse_ok("{\"title\":\"A\",\"description\":\"B.\",\"keywords\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\"],"
		 "\"categories\":{\"shutterstock\":[\"Abstract\",\"Food, Drink\"],\"adobestock\":[\"Food\"],"
		 "\"dreamstime\":[\"Nature -> Forests\"]}}", &m);
	meta_check c;
	assert_int_equal(meta_validate(&m, NULL, l, false, &c), 0);
	assert_int_equal(ncat(&m, "shutterstock"), 1);
	assert_string_equal(cat(&m, "shutterstock", 0), "Food, Drink");
	meta_free(&m);
	agency_lists_free(l);
	free(p);

	/* a file that is not there: the shipped lists */
	char *missing = path_join(tmpdir, "nothere.csv");
	assert_int_equal(agency_lists_load(NULL, missing, &l, &e), 0);
	agency_categories(l, "shutterstock", &n);
	assert_int_equal(n, 26);
	agency_lists_free(l);
	free(missing);

	/* a broken file: an error naming file and line */
	p = write_tmp("Broken.csv", "ShutterStock,AdobeStock\nNature,Food\n\"Animals,Food\n");
	l = (agency_lists *)1;
	assert_int_equal(agency_lists_load(NULL, p, &l, &e), -1);
	assert_null(l);
	assert_int_equal(e.code, SBE_INPUT);
	assert_non_null(strstr(e.msg, "Broken.csv:"));
	free(p);
	p = write_tmp("Wide.csv", "ShutterStock\nNature,Food\n");
	assert_int_equal(agency_lists_load(NULL, p, &l, &e), -1);
	assert_non_null(strstr(e.msg, "Wide.csv"));
	free(p);
	p = write_tmp("Latin1.csv", "ShutterStock\nP\xF8\x69roda\n");
	assert_int_equal(agency_lists_load(NULL, p, &l, &e), -1);
	assert_non_null(strstr(e.msg, "Latin1.csv:2"));
	free(p);
}

/* fuzz regression (tests/fuzz/corpus/categories/regress_name_like_id.csv):
 * a name that itself looks like "id=name" must still find its entry. */
static void test_name_like_id(void **state)
{
	(void)state;
	agency_lists *l = NULL;
	sb_err e = { 0 };
	const char *csv = "AdobeStock,Dreamstime\n7=Food,18=8=Nature -> Forests\n";
	assert_int_equal(agency_lists_parse_csv(&l, "mem", csv, strlen(csv), &e), 0);
	size_t n;
	const char *const *ds = agency_categories(l, "dreamstime", &n);
	assert_int_equal(n, 1);
	assert_string_equal(ds[0], "8=Nature -> Forests");
	assert_string_equal(agency_match_category(l, "dreamstime", ds[0]), "8=Nature -> Forests");
	assert_string_equal(agency_match_category(l, "dreamstime", "18"), "8=Nature -> Forests");
	assert_string_equal(agency_match_category(l, "adobestock", "Food"), "7");
	agency_lists_free(l);
}

static void test_missing_data_dir(void **state)
{
	(void)state;
	settings s;
	settings_defaults(&s);
	s.data_dir = xstrdup("/nonexistent/stockbatch-data");
	agency_lists *l = NULL;
	sb_err e = { 0 };
	assert_int_equal(agency_lists_load(&s, NULL, &l, &e), -1);
	assert_non_null(strstr(e.msg, "/nonexistent/stockbatch-data/shutterstock-categories.txt"));
	assert_non_null(strstr(e.msg, "STOCKBATCH_DATADIR"));
	settings_free(&s);
}

/* ---------------------------------------------------------------- parse */

static void test_parse_good(void **state)
{
	(void)state;
	meta_record m;
	parse_ok(GOOD, &m);
	assert_string_equal(m.title, "Red fox hunting in a snowy meadow at dawn");
	assert_int_equal(m.nkeywords, 8);
	assert_string_equal(m.keywords[1], "red fox");
	assert_int_equal(m.ncats, 3);
	assert_string_equal(cat(&m, "adobestock", 0), "Animals");
	meta_check c;
	assert_int_equal(meta_validate(&m, NULL, L, false, &c), 0);
	assert_string_equal(c.why, "");
	assert_int_equal(c.repaired, 1); /* only "Animals" -> its id "1" */
	assert_string_equal(cat(&m, "adobestock", 0), "1");
	assert_string_equal(cat(&m, "dreamstime", 1), "Nature -> Seasons specific");
	char *j = meta_categories_joined(&m, "shutterstock");
	assert_string_equal(j, "Animals/Wildlife, Nature");
	free(j);
	j = meta_categories_joined(&m, "dreamstime");
	assert_string_equal(j, "Animals -> Mammals, Nature -> Seasons specific");
	free(j);
	assert_null(meta_categories_joined(&m, "alamy"));
	/* validating again changes nothing: repairs are idempotent */
	assert_int_equal(meta_validate(&m, NULL, L, false, &c), 0);
	assert_int_equal(c.repaired, 0);
	meta_free(&m);
}

static void test_parse_fenced(void **state)
{
	(void)state;
	char *f = xasprintf("```json\n%s\n```\n", GOOD);
	meta_record m;
	parse_ok(f, &m);
	assert_int_equal(m.nkeywords, 8);
	meta_free(&m);
	free(f);
	f = xasprintf("  \n```\r\n%s```", GOOD);
	parse_ok(f, &m);
	assert_string_equal(m.keywords[0], "fox");
	meta_free(&m);
	free(f);
	/* not closed, or prose in the fence line */
	f = xasprintf("```json\n%s\n", GOOD);
	parse_bad(f, strlen(f), "fence");
	free(f);
	f = xasprintf("```json here it is:\n%s\n```", GOOD);
	parse_bad(f, strlen(f), "fence");
	free(f);
}

static void test_parse_garbage(void **state)
{
	(void)state;
	parse_bad("", 0, "empty");
	parse_bad("   \n ", 5, "empty");
	parse_bad("Sure! Here is the metadata.", 27, "invalid JSON");
	parse_bad("[1,2,3]", 7, "not a JSON object");
	parse_bad("\"title\"", 7, "not a JSON object");
	char *f = xasprintf("%s trailing", GOOD);
	parse_bad(f, strlen(f), NULL);
	free(f);
	f = xasprintf("%s%s", GOOD, GOOD);
	parse_bad(f, strlen(f), NULL);
	free(f);
	f = xasprintf("%s\n\n```", GOOD);
	parse_bad(f, strlen(f), NULL);
	free(f);
	/* cut short (max_tokens reached) */
	parse_bad(GOOD, strlen(GOOD) - 20, "cut short");
	/* a NUL inside the buffer, and \u0000 inside a string */
	char nul[] = "{\"title\":\"a\0b\"}";
	parse_bad(nul, sizeof nul - 1, "NUL");
	const char *u0 = "{\"title\":\"a\\u0000b\",\"description\":\"d\",\"keywords\":[]}";
	parse_bad(u0, strlen(u0), "NUL");
	/* invalid UTF-8 */
	const char *bad = "{\"title\":\"\xC3\x28\",\"description\":\"d\",\"keywords\":[]}";
	parse_bad(bad, strlen(bad), NULL);
	/* too deep */
	sbuf b = { 0 };
	for (int i = 0; i < 100; i++)
		sbuf_adds(&b, "[");
	parse_bad(b.p, b.len, NULL);
	sbuf_free(&b);
}

static void test_parse_types(void **state)
{
	(void)state;
	const char *cases[][2] = {
		{ "{\"description\":\"d\",\"keywords\":[]}", "\"title\"" },
		{ "{\"title\":7,\"description\":\"d\",\"keywords\":[]}", "\"title\"" },
		{ "{\"title\":null,\"description\":\"d\",\"keywords\":[]}", "\"title\"" },
		{ "{\"title\":\"t\",\"keywords\":[]}", "\"description\"" },
		{ "{\"title\":\"t\",\"description\":\"d\"}", "\"keywords\"" },
		{ "{\"title\":\"t\",\"description\":\"d\",\"keywords\":\"a, b\"}", "\"keywords\"" },
		{ "{\"title\":\"t\",\"description\":\"d\",\"keywords\":[\"a\",2]}", "\"keywords\"" },
		{ "{\"title\":\"t\",\"description\":\"d\",\"keywords\":[],\"categories\":[]}", "\"categories\"" },
		{ "{\"title\":\"t\",\"description\":\"d\",\"keywords\":[],\"categories\":{\"adobestock\":\"Food\"}}",
		  "adobestock" },
		{ "{\"title\":\"t\",\"description\":\"d\",\"keywords\":[],\"categories\":{\"adobestock\":[7]}}",
		  "\"categories\"" },
		{ "{\"title\":\"t\",\"description\":\"d\",\"keywords\":[],\"categories\":"
		  "{\"a\":[],\"b\":[],\"c\":[],\"d\":[],\"e\":[]}}", "category group" },
		{ "{\"title\":\"t\",\"description\":\"d\",\"keywords\":[],\"categories\":"
		  "{\"averyveryverylongbankname\":[]}}", "category group" },
		{ "{'title':'t'}", "invalid JSON" },
		{ "{\"title\":\"t\",}", "invalid JSON" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		parse_bad(cases[i][0], strlen(cases[i][0]), cases[i][1]);
	/* unknown keys are ignored; more than 3 categories keep the first 3 */
	meta_record m;
	parse_ok("{\"title\":\"t\",\"description\":\"d\",\"keywords\":[],\"mood\":\"calm\","
		 "\"categories\":{\"dreamstime\":[\"1\",\"2\",\"3\",\"4\",\"5\"]}}", &m);
	assert_int_equal(m.cats[0].n, 3);
	assert_int_equal(m.parse_dropped, 2);
	meta_free(&m);
}

/* ------------------------------------------------------------- validate */

static meta_record make(const char *title, const char *desc, const char *kw)
{
	/* kw: keywords separated by '|' */
	sbuf b = { 0 };
	sbuf_printf(&b, "{\"title\":\"%s\",\"description\":\"%s\",\"keywords\":[", title, desc);
	char *k = xstrdup(kw), *save = NULL;
	int i = 0;
	for (char *t = strtok_r(k, "|", &save); t; t = strtok_r(NULL, "|", &save))
		sbuf_printf(&b, "%s\"%s\"", i++ ? "," : "", t);
	free(k);
	sbuf_adds(&b, "],\"categories\":{\"shutterstock\":[\"Nature\"],\"adobestock\":[\"11\"],"
		      "\"dreamstime\":[\"Nature -> Forests\"]}}");
	meta_record m;
	parse_ok(b.p, &m);
	sbuf_free(&b);
	return m;
}

#define KW7 "forest|trees|nature|green|summer|path|moss"

static void test_title_cut(void **state)
{
	(void)state;
	meta_record m = make("Old beech forest with a narrow winding path covered in moss and fallen leaves in autumn",
			     "A path.", KW7);
	meta_check c;
	assert_int_equal(meta_validate(&m, NULL, L, false, &c), 0); /* AdobeStock on: 70 */
	/* cut before " and ", a phrase boundary: never "... moss and fallen" */
	assert_string_equal(m.title, "Old beech forest with a narrow winding path covered in moss");
	assert_true(utf8_chars(m.title) <= 70);
	assert_true(c.repaired >= 1);
	assert_non_null(strstr(c.notes, "title: cut at a phrase boundary"));
	meta_free(&m);

	/* without AdobeStock the limit is 80; with title_max it is the setting */
	settings s;
	settings_defaults(&s);
	for (int i = 0; i < s.nagencies; i++)
		free(s.agencies[i]);
	s.agencies[0] = xstrdup("shutterstock");
	s.nagencies = 1;
	assert_int_equal(agency_title_max(&s), 80);
	m = make("Old beech forest with a narrow winding path covered in moss and fallen leaves in autumn",
		 "A path.", KW7);
	assert_int_equal(meta_validate(&m, &s, L, false, &c), 0);
	assert_string_equal(m.title, "Old beech forest with a narrow winding path covered in moss and fallen leaves");
	/* only ShutterStock: the other groups are gone */
	assert_int_equal(m.ncats, 1);
	assert_string_equal(m.cats[0].agency, "shutterstock");
	meta_free(&m);
	s.title_max = 20;
	assert_int_equal(agency_title_max(&s), 20);
	m = make("Old beech forest, with a path", "A path.", KW7);
	assert_int_equal(meta_validate(&m, &s, L, false, &c), 0);
	assert_string_equal(m.title, "Old beech forest"); /* the comma before the cut goes too */
	meta_free(&m);
	settings_free(&s);
}

static void test_title_rules(void **state)
{
	(void)state;
	meta_check c;
	/* AdobeStock: no commas; Dreamstime: capital first letter; spaces squeezed */
	meta_record m = make("red fox,  snow and\\tdawn", "Fox.", KW7);
	assert_int_equal(meta_validate(&m, NULL, L, false, &c), 0);
	assert_string_equal(m.title, "Red fox snow and dawn");
	assert_true(c.repaired >= 2);
	meta_free(&m);
	m = make("   ", "Fox.", KW7);
	assert_int_equal(meta_validate(&m, NULL, L, false, &c), -1);
	assert_non_null(strstr(c.why, "title"));
	meta_free(&m);
	m = make("Fox", "  ", KW7);
	assert_int_equal(meta_validate(&m, NULL, L, false, &c), -1);
	assert_non_null(strstr(c.why, "description"));
	meta_free(&m);
}

/* 250 characters of Czech with no sentence end in the first 200 */
static const char *CZ =
	"Starý bukový les v Krkonoších s úzkou klikatou cestou pokrytou mechem a spadaným listím, "
	"kde se ranní mlha převaluje mezi kmeny stromů a slunce prosvítá korunami, zatímco v dálce "
	"je slyšet zpěv ptáků a šumění potoka který teče údolím.";

static void test_description_cut_czech(void **state)
{
	(void)state;
	size_t len;
	assert_true(utf8_chars(CZ) > 200);
	meta_record m = make("Beech forest", CZ, KW7);
	meta_check c;
	assert_int_equal(meta_validate(&m, NULL, L, false, &c), 0);
	assert_true(utf8_ok(m.description));
	assert_true(utf8_chars(m.description) <= 200);
	assert_string_equal(m.description,
			    "Starý bukový les v Krkonoších s úzkou klikatou cestou pokrytou mechem a spadaným listím, "
			    "kde se ranní mlha převaluje mezi kmeny stromů a slunce prosvítá korunami, zatímco v dálce "
			    "je slyšet zpěv ptáků");
	assert_true(c.repaired >= 1);
	meta_free(&m);

	/* a sentence end in the first half would lose too much: word boundary */
	char *d = xasprintf("Mlha nad údolím řeky Vltavy za úsvitu. %s", CZ);
	m = make("Beech forest", d, KW7);
	assert_int_equal(meta_validate(&m, NULL, L, false, &c), 0);
	assert_true(utf8_chars(m.description) <= 200);
	len = strlen(m.description);
	assert_string_equal(m.description + len - strlen(" prosvítá"), " prosvítá");
	meta_free(&m);
	free(d);
	/* a sentence end in the second half wins over the word boundary */
	d = xasprintf("%.100s Řeka teče. %s", CZ, CZ);
	m = make("Beech forest", d, KW7);
	assert_int_equal(meta_validate(&m, NULL, L, false, &c), 0);
	len = strlen(m.description);
	assert_string_equal(m.description + len - strlen("Řeka teče."), "Řeka teče.");
	meta_free(&m);
	free(d);

	/* one long word of two-byte characters: cut at a character boundary */
	sbuf b = { 0 };
	for (int i = 0; i < 300; i++)
		sbuf_adds(&b, "č");
	m = make("Beech forest", b.p, KW7);
	assert_int_equal(meta_validate(&m, NULL, L, false, &c), 0);
	assert_true(utf8_ok(m.description));
	assert_int_equal(utf8_chars(m.description), 200);
	assert_int_equal(strlen(m.description), 400);
	meta_free(&m);
	/* three-byte characters in a title: cut at a phrase boundary, whole characters */
	sbuf_reset(&b);
	for (int i = 0; i < 20; i++)
		sbuf_adds(&b, "€€€€€€€ with ");
	m = make(b.p, "Euro.", KW7);
	assert_int_equal(meta_validate(&m, NULL, L, false, &c), 0);
	assert_true(utf8_ok(m.title));
	assert_int_equal(utf8_chars(m.title), 59);
	meta_free(&m);
	/* one word of them: no boundary to cut at, asked again (never cut mid-word) */
	sbuf_reset(&b);
	for (int i = 0; i < 100; i++)
		sbuf_adds(&b, "€");
	m = make(b.p, "Euro.", KW7);
	assert_int_equal(meta_validate(&m, NULL, L, false, &c), -1);
	assert_non_null(strstr(c.why, "limit of 70"));
	meta_free(&m);
	sbuf_free(&b);
}

static void test_keywords(void **state)
{
	(void)state;
	meta_check c;
	meta_record m = make("Forest", "A forest.",
			     "Forest|forest|FOREST|black-and-white|  Moss  |trees, roots|nature.|ČESKÁ|summer|t-shirt|#green|path");
	assert_int_equal(meta_validate(&m, NULL, L, false, &c), 0);
	const char *want[] = { "forest", "black and white", "moss", "trees", "roots", "nature", "česká",
			       "summer", "t shirt", "green", "path" };
	assert_int_equal(m.nkeywords, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < m.nkeywords; i++)
		assert_string_equal(m.keywords[i], want[i]);
	assert_true(c.repaired >= 2);
	meta_free(&m);

	/* punctuation with spaces inside: cleaned in one pass (a second
	 * validation must repair nothing; found by fuzz_meta's invariant) */
	m = make("Forest", "A forest.", KW7 "|fern. .|( moss )");
	assert_int_equal(meta_validate(&m, NULL, L, false, &c), 0);
	assert_string_equal(m.keywords[7], "fern");
	assert_int_equal(m.nkeywords, 8); /* "moss" again: a duplicate */
	assert_int_equal(meta_validate(&m, NULL, L, false, &c), 0);
	assert_int_equal(c.repaired, 0);
	meta_free(&m);

	/* brands and URLs are dropped from keywords, not fatal */
	m = make("Forest", "A forest.", KW7 "|Coca-Cola|nikon|www.example.com|apple");
	assert_int_equal(meta_validate(&m, NULL, L, false, &c), 0);
	assert_int_equal(m.nkeywords, 8);
	assert_string_equal(m.keywords[7], "apple");
	meta_free(&m);

	/* any script is lower-cased, and duplicates found without case
	 * (German ß folds to ss) */
	m = make("Forest", "A forest.", KW7 "|Straße|STRASSE|ΕΛΛΆΔΑ|ελλάδα|МОСКВА|Москва|ŽELEZNÁ RUDA");
	assert_int_equal(meta_validate(&m, NULL, L, false, &c), 0);
	const char *want2[] = { "straße", "ελλάδα", "москва", "železná ruda" };
	assert_int_equal(m.nkeywords, 7 + 4);
	for (size_t i = 0; i < 4; i++)
		assert_string_equal(m.keywords[7 + i], want2[i]);
	meta_free(&m);

	/* too few after dedupe: unrepairable */
	m = make("Forest", "A forest.", "forest|Forest|trees|moss|path|green|summer");
	assert_int_equal(meta_validate(&m, NULL, L, false, &c), -1);
	assert_non_null(strstr(c.why, "only 6 usable keywords"));
	meta_free(&m);

	/* 60 keywords: AdobeStock enabled caps at 49, ShutterStock alone at 50 */
	sbuf b = { 0 };
	for (int i = 0; i < 60; i++)
		sbuf_printf(&b, "%sword%d", i ? "|" : "", i);
	m = make("Forest", "A forest.", b.p);
	assert_int_equal(meta_validate(&m, NULL, L, false, &c), 0);
	assert_int_equal(m.nkeywords, 49);
	assert_string_equal(m.keywords[48], "word48");
	meta_free(&m);
	settings s;
	settings_defaults(&s);
	for (int i = 0; i < s.nagencies; i++)
		free(s.agencies[i]);
	s.agencies[0] = xstrdup("shutterstock");
	s.nagencies = 1;
	m = make("Forest", "A forest.", b.p);
	assert_int_equal(meta_validate(&m, &s, L, false, &c), 0);
	assert_int_equal(m.nkeywords, 50);
	meta_free(&m);
	settings_free(&s);
	sbuf_free(&b);
}

static meta_record make_cats(const char *cats)
{
	char *j = xasprintf("{\"title\":\"Forest\",\"description\":\"A forest.\",\"keywords\":"
			    "[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\"],\"categories\":{%s}}", cats);
	meta_record m;
	parse_ok(j, &m);
	free(j);
	return m;
}

static void test_categories(void **state)
{
	(void)state;
	meta_check c;
	/* unknown dropped, extras beyond the limit dropped, names mapped */
	meta_record m = make_cats("\"ShutterStock\":[\"nature\",\"Nature\",\"Parks/Outdoor\",\"Arts\"],"
				  "\"adobestock\":[\"Landscape\",\"Travel\"],"
				  "\"dreamstime\":[\"Nature > Forests\",\"Bogus -> Thing\",\"15\",\"Nature -> Deserts\"]");
	assert_int_equal(m.parse_dropped, 2); /* the 4th of each: beyond META_MAX_CATS */
	assert_int_equal(meta_validate(&m, NULL, L, false, &c), 0);
	assert_int_equal(ncat(&m, "shutterstock"), 2);
	assert_string_equal(cat(&m, "shutterstock", 0), "Nature");
	assert_string_equal(cat(&m, "shutterstock", 1), "Parks/Outdoor");
	assert_int_equal(ncat(&m, "adobestock"), 1);
	assert_string_equal(cat(&m, "adobestock", 0), "11");
	assert_int_equal(ncat(&m, "dreamstime"), 2);
	assert_string_equal(cat(&m, "dreamstime", 0), "Nature -> Forests");
	assert_string_equal(cat(&m, "dreamstime", 1), "Nature -> Mountains");
	assert_int_equal(m.parse_dropped, 0);
	assert_true(c.repaired >= 5);
	meta_free(&m);

	/* a required group left empty: unrepairable, the why names it */
	m = make_cats("\"shutterstock\":[\"Cars\"],\"adobestock\":[\"Food\"],\"dreamstime\":[\"Nature -> Forests\"]");
	assert_int_equal(meta_validate(&m, NULL, L, false, &c), -1);
	assert_non_null(strstr(c.why, "ShutterStock"));
	assert_non_null(strstr(c.why, "Cars"));
	meta_free(&m);
	m = make_cats("\"shutterstock\":[\"Nature\"],\"dreamstime\":[\"Nature -> Forests\"]");
	assert_int_equal(meta_validate(&m, NULL, L, false, &c), -1);
	assert_non_null(strstr(c.why, "AdobeStock"));
	meta_free(&m);
	m = make_cats("\"shutterstock\":[\"Nature\"],\"adobestock\":[\"Food\"],\"dreamstime\":[]");
	assert_int_equal(meta_validate(&m, NULL, L, false, &c), -1);
	assert_non_null(strstr(c.why, "Dreamstime"));
	meta_free(&m);

	/* alternatives: no categories asked, none kept */
	m = make_cats("\"shutterstock\":[\"Nature\"]");
	meta_opts o = { .no_categories = true };
	assert_int_equal(meta_validate_opts(&m, NULL, L, &o, &c), 0);
	assert_int_equal(m.ncats, 0);
	meta_free(&m);
}

static void test_brands_urls(void **state)
{
	(void)state;
	meta_check c;
	meta_record m = make("Red Coca-Cola can on a table", "A can.", KW7);
	assert_int_equal(meta_validate(&m, NULL, L, false, &c), -1);
	assert_non_null(strstr(c.why, "coca cola"));
	meta_free(&m);
	m = make("Forest", "Shot with a Nikon Z6 camera.", KW7);
	assert_int_equal(meta_validate(&m, NULL, L, false, &c), -1);
	assert_non_null(strstr(c.why, "nikon"));
	meta_free(&m);
	/* accents folded: "Škoda" is the listed "skoda" */
	m = make("Old Škoda car in a village", "A car.", KW7);
	assert_int_equal(meta_validate(&m, NULL, L, false, &c), -1);
	assert_non_null(strstr(c.why, "skoda"));
	meta_free(&m);
	/* whole words only: "Audience" is not "audi" */
	m = make("Audience in a theatre", "People watch.", KW7);
	assert_int_equal(meta_validate(&m, NULL, L, false, &c), 0);
	meta_free(&m);
	m = make("Forest", "See https://example.com for more.", KW7);
	assert_int_equal(meta_validate(&m, NULL, L, false, &c), -1);
	assert_non_null(strstr(c.why, "URL"));
	meta_free(&m);
}

/* ------------------------------------------------- titles, text, names */

static void test_title_phrase_cut(void **state)
{
	(void)state;
	meta_check c;
	/* a comma, " with ", " at ": the last boundary inside the limit */
	meta_record m = make("Misty morning over the old stone bridge in the valley at sunrise with birds flying low",
			     "A bridge.", KW7);
	if (meta_validate(&m, NULL, L, false, &c))
		fprintf(stderr, "why: %s\n", c.why);
	assert_string_equal(c.why, "");
	assert_string_equal(m.title, "Misty morning over the old stone bridge in the valley at sunrise");
	meta_free(&m);
	/* no boundary in the second half of the limit: asked again with the limit */
	m = make("Extraordinarilyoverwhelminglylongsinglewordtitlewithoutanyspacesorphraseboundariesatall",
		 "A word.", KW7);
	assert_int_equal(meta_validate(&m, NULL, L, false, &c), -1);
	assert_non_null(strstr(c.why, "limit of 70"));
	assert_non_null(strstr(c.ask, "at most 70 characters"));
	meta_free(&m);
	m = make("Tall trees beside a quiet lake in autumn with soft clouds and a reflection of the hills",
		 "Trees.", KW7);
	assert_int_equal(meta_validate(&m, NULL, L, false, &c), 0);
	assert_string_equal(m.title, "Tall trees beside a quiet lake in autumn with soft clouds");
	meta_free(&m);
}

static void test_clean_text(void **state)
{
	(void)state;
	bool ch;
	char *t = meta_clean_text("Red \xE2\x80\xAE" "fox\xE2\x80\xAC in sn\xE2\x80\x8Bow", &ch);
	assert_string_equal(t, "Red fox in snow");
	assert_true(ch);
	free(t);
	/* escape sequences whole, and what is left of them after ESC went */
	t = meta_clean_text("\x1B[31mRed\x1B[0m fox [1;31mbright[0m \x1B]0;title\x07ok [2K", &ch);
	assert_string_equal(t, "Red fox bright ok ");
	free(t);
	/* isolates, word joiner, BOM, C0 and C1 controls, soft hyphen */
	t = meta_clean_text("\xEF\xBB\xBF\xE2\x81\xA6snow\xE2\x81\xA9 wo\xE2\x81\xA0rd a\x01" "b c\xC2\x85" "d e\xC2\xAD" "f", &ch);
	assert_string_equal(t, "snow word ab cd ef");
	free(t);
	/* NFC: e + combining acute is one é; brackets that are words stay */
	t = meta_clean_text("Cafe\xCC\x81 [main][0m", &ch);
	assert_string_equal(t, "Caf\xC3\xA9 [main]");
	assert_true(ch);
	free(t);
	t = meta_clean_text("Plain \xC5\xA1\xC3\xA1rka text", &ch);
	assert_false(ch);
	free(t);
	/* a lone ESC before a letter of two or three bytes takes only itself
	 * (the fuzzer's "\x1B\xC4\x8D" once left "\x8D", not UTF-8) */
	t = meta_clean_text("\x1B\xC4\x8D" "ap \x1B\xE2\x82\xAC", &ch);
	assert_string_equal(t, "\xC4\x8D" "ap \xE2\x82\xAC");
	assert_true(ch);
	free(t);
	/* an escape whose removal joins what is left into another goes too:
	 * cleaning twice changes nothing */
	t = meta_clean_text("fox[3[31mm[[0mm den", &ch);
	assert_string_equal(t, "fox den");
	assert_true(ch);
	bool again;
	char *t2 = meta_clean_text(t, &again);
	assert_false(again);
	free(t2);
	free(t);
	/* through the validator: every field, counted and noted */
	meta_record m = make("Red \\u202Efox in snow", "A fox\\u200B in \\u001b[31msnow[0m.",
			     "fox|red\\u200Bfox|snow|winter|wildlife|animal|meadow");
	meta_check c;
	assert_int_equal(meta_validate(&m, NULL, L, false, &c), 0);
	assert_string_equal(m.title, "Red fox in snow");
	assert_string_equal(m.description, "A fox in snow.");
	assert_string_equal(m.keywords[1], "redfox");
	assert_non_null(strstr(c.notes, "zero-width"));
	meta_free(&m);
	/* a keyword's form can leave an escape's remains ("e r[M]" is "e r[m"
	 * once lower case and stripped): gone in the same validation, so a
	 * second one repairs nothing (a fuzzer's find) */
	m = make("Red fox in snow", "A fox in snow.",
		 "fox|e r[M]|snow|winter|wildlife|animal|meadow");
	assert_int_equal(meta_validate(&m, NULL, L, false, &c), 0);
	assert_string_equal(m.keywords[1], "e r");
	meta_check c2;
	assert_int_equal(meta_validate(&m, NULL, L, false, &c2), 0);
	assert_int_equal(c2.repaired, 0);
	meta_free(&m);
}

static void test_names(void **state)
{
	(void)state;
	char who[80];
	/* the "Givenname Surname" shape, any of the languages, with or without accents */
	assert_true(agency_find_name(L, "Portrait of Anna Novakova in a park", false, who, sizeof who));
	assert_string_equal(who, "Anna Novakova");
	assert_true(agency_find_name(L, "Šárka Dvořáková smiling", false, who, sizeof who));
	assert_true(agency_find_name(L, "Sarka Dvorakova smiling", false, NULL, 0));
	assert_true(agency_find_name(L, "Young man Łukasz Kowalski on a bike", false, NULL, 0));
	assert_true(agency_find_name(L, "Jürgen Müller and his dog", false, NULL, 0));
	assert_true(agency_find_name(L, "PORTRAIT OF JOHN SMITH", false, NULL, 0));
	/* places, saints and streets are not people */
	assert_false(agency_find_name(L, "Charles Bridge at dawn", false, NULL, 0));
	assert_false(agency_find_name(L, "Karlův most in Prague", false, NULL, 0));
	assert_false(agency_find_name(L, "St. Vitus Cathedral and St Anna Church", false, NULL, 0));
	assert_false(agency_find_name(L, "Statue of Saint John Nepomuk", false, NULL, 0));
	assert_false(agency_find_name(L, "Kostel Svatý Jakub Větší", false, NULL, 0));
	assert_false(agency_find_name(L, "Sv. Václav on horseback", false, NULL, 0));
	assert_false(agency_find_name(L, "Franz Kafka Museum by the river", false, NULL, 0));
	assert_false(agency_find_name(L, "Victoria Station in London", false, NULL, 0));
	assert_false(agency_find_name(L, "Jana Palacha street", false, NULL, 0) &&
		     agency_find_name(L, "Jan Palach Square", false, NULL, 0));
	/* a name that is an ordinary word: lower case, or Title Case, is no person */
	assert_false(agency_find_name(L, "A rose and a lily in the garden", false, NULL, 0));
	assert_false(agency_find_name(L, "Rose Petals On A Wooden Table", false, NULL, 0));
	assert_false(agency_find_name(L, "Roman Ruins In The Forum", false, NULL, 0));
	assert_true(agency_find_name(L, "Actress Grace Kelly in a garden", false, NULL, 0));
	/* a name alone in running text, or before a lower-case word: no */
	assert_false(agency_find_name(L, "Anna walks in the rain", false, NULL, 0));
	assert_false(agency_find_name(L, "Jan 2024 calendar", false, NULL, 0));
	/* keywords: lower case, a listed name counts alone, ordinary words not */
	assert_true(agency_find_name(L, "anna novakova", true, NULL, 0));
	assert_true(agency_find_name(L, "anna", true, NULL, 0));
	assert_false(agency_find_name(L, "rose", true, NULL, 0));
	assert_false(agency_find_name(L, "charles bridge", true, NULL, 0));
	assert_false(agency_find_name(L, "forest", true, NULL, 0));

	/* the validator: names in the title or description are asked again */
	meta_check c;
	meta_record m = make("Anna Novakova in a summer meadow", "A woman in a meadow.", KW7);
	assert_int_equal(meta_validate(&m, NULL, L, false, &c), -1);
	assert_non_null(strstr(c.why, "Anna Novakova"));
	assert_non_null(strstr(c.ask, "names a person"));
	meta_free(&m);
	m = make("Woman in a summer meadow", "Portrait of Anna Novakova in a meadow.", KW7);
	assert_int_equal(meta_validate(&m, NULL, L, false, &c), -1);
	assert_non_null(strstr(c.why, "description"));
	meta_free(&m);
	/* a name keyword is dropped, with a note */
	m = make("Woman in a summer meadow", "A woman in a meadow.", KW7 "|anna novakova|anna");
	assert_int_equal(meta_validate(&m, NULL, L, false, &c), 0);
	for (size_t i = 0; i < m.nkeywords; i++)
		assert_null(strstr(m.keywords[i], "anna"));
	assert_non_null(strstr(c.notes, "a name of a person"));
	meta_free(&m);
	/* editorial captions may name people */
	meta_opts o = { .editorial = true, .city = "Prague", .country = "Czech", .date = "03 08 2024" };
	m = make("Mayor Jan Novak opens the bridge", "Mayor Jan Novak opens the new bridge.", KW7);
	assert_int_equal(meta_validate_opts(&m, NULL, L, &o, &c), 0);
	meta_free(&m);
	/* places keep passing */
	m = make("Charles Bridge and St. Vitus Cathedral at dawn", "Karlův most in Prague at dawn.", KW7);
	assert_int_equal(meta_validate(&m, NULL, L, false, &c), 0);
	meta_free(&m);
}

/* meta_check_row: a row as the agencies see it, nothing repaired */
static size_t nrules;
static char rules[2048];
static void collect_rule(int agency, const char *rule, const char *todo, void *ctx)
{
	(void)ctx;
	assert_true(*todo);
	size_t have = strlen(rules);
	snprintf(rules + have, sizeof rules - have, "%d:%s|", agency, rule);
	nrules++;
}

static size_t check_row(const meta_row_in *r)
{
	nrules = 0;
	rules[0] = 0;
	size_t n = meta_check_row(L, NULL, r, collect_rule, NULL);
	assert_int_equal(n, nrules);
	return n;
}

static void test_check_row(void **state)
{
	(void)state;
	meta_row_in r = { .title = "Old beech forest with a path", .description = "A path in a forest.",
			  .keywords = "forest, trees, nature, green, summer, path, moss",
			  .cats = { "Nature", "11", "Nature -> Forests" }, .sees = { true, true, true } };
	assert_int_equal(check_row(&r), 0);
	/* an agency that does not see the row judges nothing */
	meta_row_in none = r;
	none.sees[0] = none.sees[1] = none.sees[2] = false;
	none.title = "";
	assert_int_equal(check_row(&none), 0);
	/* editorial: names and brands allowed, the prefix required, AdobeStock refuses it */
	meta_row_in ed = r;
	ed.editorial = true;
	ed.title = "Mayor Jan Novak opens the Skoda factory";
	ed.description = "PRAGUE, CZECH - 03 08 2024: Mayor Jan Novak opens the factory.";
	ed.keywords = "Editorial, forest, trees, nature, green, summer, path";
	ed.cats[1] = "";
	assert_int_equal(check_row(&ed), 1);
	assert_non_null(strstr(rules, "1:an editorial row"));
	ed.sees[1] = false;
	ed.description = "Mayor Jan Novak opens the factory.";
	assert_int_equal(check_row(&ed), 1);
	assert_non_null(strstr(rules, "-1:the editorial description lacks"));
	/* per agency: AdobeStock's 70 and commas, Dreamstime's capital, ShutterStock's 200 */
	meta_row_in t = r;
	t.title = "old beech forest, with a narrow winding path covered in moss and fallen leaves";
	assert_int_equal(check_row(&t), 3);
	assert_non_null(strstr(rules, "1:the title has 78 characters, over 70"));
	assert_non_null(strstr(rules, "1:the title has a comma"));
	assert_non_null(strstr(rules, "2:the title does not start with a capital"));
	t.sees[1] = t.sees[2] = false;
	assert_int_equal(check_row(&t), 0);
	/* a name of a person in the description, once per row and rule */
	meta_row_in n = r;
	n.description = "Portrait of \xC5\xA0\xC3\xA1rka Dvo\xC5\x99\xC3\xA1kov\xC3\xA1 in a forest.";
	assert_int_equal(check_row(&n), 1);
	assert_non_null(strstr(rules, "-1:the description names a person"));
}

static void test_editorial(void **state)
{
	(void)state;
	meta_check c;
	char *p = meta_editorial_prefix(" Český Krumlov", "czech", "23.11.2026", MC_ED_ORIGIN);
	assert_string_equal(p, "ČESKÝ KRUMLOV, CZECH - 23 11 2026: ");
	free(p);
	/* the date normalised, whatever the user typed (two-digit day and month) */
	static const char *const typed[] = { "3.8.2024", "3 8 2024", "03/08/2024", "2024-08-03" };
	for (size_t i = 0; i < 4; i++) {
		p = meta_editorial_prefix("Praha", "Czech", typed[i], MC_ED_ORIGIN);
		assert_string_equal(p, "PRAHA, CZECH - 03 08 2024: ");
		free(p);
	}
	/* ShutterStock's and Pond5's own formats (setting editorial_format) */
	p = meta_editorial_prefix("Praha", "Czech Republic", "3.8.2024", MC_ED_SHUTTERSTOCK);
	assert_string_equal(p, "PRAHA, CZECH REPUBLIC - AUGUST 3, 2024: ");
	free(p);
	p = meta_editorial_prefix("Praha", "Czech", "3.8.2024", MC_ED_POND5);
	assert_string_equal(p, "PRAHA, CZECH - 08/03/2024: ");
	free(p);
	/* each format is recognised as a prefix, so it is never added twice */
	static const char *const pre[] = { "PRAHA, CZECH - 03 08 2024: Tram.",
					   "PRAHA, CZECH - AUGUST 3, 2024: Tram.",
					   "PRAHA, CZECH - 08/03/2024: Tram." };
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(mc_editorial_prefix_len(pre[i]), strlen(pre[i]) - strlen("Tram."));
	assert_int_equal(mc_editorial_prefix_len("PRAHA, CZECH - AUGUST 33, 2024 Tram."), 0);
	assert_int_equal(mc_editorial_prefix_len("Tram, bridge - 3 8 2024: x"), 0);

	/* prefix added, Editorial first, AdobeStock dropped, brands allowed */
	meta_record m = make("Skoda tram in Prague", "A Skoda tram crosses the bridge.",
			     "tram|editorial|prague|city|transport|street|bridge|skoda");
	meta_opts o = { .editorial = true, .city = "Praha", .country = "Czech", .date = "23 11 2026" };
	assert_int_equal(meta_validate_opts(&m, NULL, L, &o, &c), 0);
	assert_string_equal(m.description, "PRAHA, CZECH - 23 11 2026: A Skoda tram crosses the bridge.");
	assert_string_equal(m.keywords[0], "Editorial");
	assert_string_equal(m.keywords[1], "tram");
	assert_int_equal(m.nkeywords, 8); /* the model's own "editorial" merged */
	assert_int_equal(ncat(&m, "adobestock"), 0);
	assert_int_equal(ncat(&m, "shutterstock"), 1);
	int r1 = c.repaired;
	assert_true(r1 >= 1);
	/* a second pass finds nothing to do */
	assert_int_equal(meta_validate_opts(&m, NULL, L, &o, &c), 0);
	assert_int_equal(c.repaired, 0);
	meta_free(&m);

	/* the model wrote its own prefix, wrongly cased: replaced by ours */
	m = make("Tram", "Prague, Czech Republic - 01 02 2025: A tram.", KW7);
	assert_int_equal(meta_validate_opts(&m, NULL, L, &o, &c), 0);
	assert_string_equal(m.description, "PRAHA, CZECH - 23 11 2026: A tram.");
	meta_free(&m);

	/* without the facts: a prefix must be there (upper-cased), else unrepairable */
	m = make("Tram", "Brno, Czech - 01 02 2025: A tram.", KW7);
	assert_int_equal(meta_validate(&m, NULL, L, true, &c), 0);
	assert_string_equal(m.description, "BRNO, CZECH - 01 02 2025: A tram.");
	meta_free(&m);
	/* no prefix and no facts: valid, with room left for the commit's prefix */
	m = make("Tram", "A tram.", KW7);
	assert_int_equal(meta_validate(&m, NULL, L, true, &c), 0);
	assert_string_equal(m.description, "A tram.");
	assert_string_equal(m.keywords[0], "Editorial");
	meta_free(&m);
	m = make("Tram", CZ, KW7);
	assert_int_equal(meta_validate(&m, NULL, L, true, &c), 0);
	assert_true(utf8_chars(m.description) <= 200 - 48);
	meta_free(&m);

	/* the cut keeps the prefix whole and the total within 200 */
	m = make("Tram", CZ, KW7);
	assert_int_equal(meta_validate_opts(&m, NULL, L, &o, &c), 0);
	assert_true(utf8_chars(m.description) <= 200);
	assert_true(utf8_ok(m.description));
	assert_int_equal(strncmp(m.description, "PRAHA, CZECH - 23 11 2026: Starý bukový", 39), 0);
	meta_free(&m);

	/* 50 keywords + Editorial: still capped */
	sbuf b = { 0 };
	for (int i = 0; i < 55; i++)
		sbuf_printf(&b, "%sword%d", i ? "|" : "", i);
	m = make("Tram", "A tram.", b.p);
	assert_int_equal(meta_validate_opts(&m, NULL, L, &o, &c), 0);
	assert_int_equal(m.nkeywords, 49);
	assert_string_equal(m.keywords[0], "Editorial");
	meta_free(&m);
	sbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_lists),
		cmocka_unit_test(test_match_category),
		cmocka_unit_test(test_photocategories_override),
		cmocka_unit_test(test_name_like_id),
		cmocka_unit_test(test_missing_data_dir),
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_fenced),
		cmocka_unit_test(test_parse_garbage),
		cmocka_unit_test(test_parse_types),
		cmocka_unit_test(test_title_cut),
		cmocka_unit_test(test_title_rules),
		cmocka_unit_test(test_description_cut_czech),
		cmocka_unit_test(test_keywords),
		cmocka_unit_test(test_categories),
		cmocka_unit_test(test_brands_urls),
		cmocka_unit_test(test_editorial),
		cmocka_unit_test(test_title_phrase_cut),
		cmocka_unit_test(test_clean_text),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_check_row),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
