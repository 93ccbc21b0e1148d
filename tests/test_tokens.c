/* test_tokens.c: o200k_base counts equal the reference encoder's on the
 * corpus (tests/data/tokens_corpus.jsonl, counted by npm gpt-tokenizer), and
 * every worked image-token example of reference/apis.md section 2. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "provider.h"
#include "tokens.h"

static char *srcpath(const char *rel)
{
	const char *top = getenv("top_srcdir");
	return xasprintf("%s/%s", top ? top : ".", rel);
}

static int setup(void **state)
{
	(void)state;
	sb_err e = {0};
	char *ranks = srcpath("data/o200k_base.tiktoken");
	int rc = tokens_init(ranks, &e);
	free(ranks);
	if (rc < 0) {
		fprintf(stderr, "tokens_init: %s\n", e.msg);
		return -1;
	}
	return 0;
}

static void test_corpus(void **state)
{
	(void)state;
	char *path = srcpath("tests/data/tokens_corpus.jsonl");
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char *line = NULL;
	size_t cap = 0;
	int n = 0, bad = 0;
	while (getline(&line, &cap, f) > 0) {
		json_object *o = json_tokener_parse(line);
		assert_non_null(o);
		json_object *jt, *jn;
		assert_true(json_object_object_get_ex(o, "text", &jt));
		assert_true(json_object_object_get_ex(o, "tokens", &jn));
		long want = json_object_get_int64(jn);
		long got = tokens_count(json_object_get_string(jt));
		if (got != want) {
			fprintf(stderr, "line %d: want %ld got %ld: %.80s\n", n + 1, want, got,
				json_object_get_string(jt));
			bad++;
		}
		json_object_put(o);
		n++;
	}
	free(line);
	fclose(f);
	free(path);
	assert_true(n >= 200);
	assert_int_equal(bad, 0);
}

static void test_known(void **state)
{
	(void)state;
	assert_int_equal(tokens_count(""), 0);
	assert_int_equal(tokens_count("hello world"), 2);
	assert_int_equal(tokens_count(NULL), 0);
	/* Chat overhead: 3 + (3 + role + text) per message (openai cookbook). */
	long s = tokens_count("system"), u = tokens_count("user");
	assert_int_equal(tokens_chat("a", "hello world"), 3 + 3 + s + 1 + 3 + u + 2);
	assert_int_equal(tokens_chat(NULL, "hello world"), 3 + 3 + u + 2);
}

/* Invalid UTF-8 must neither crash nor loop. */
static void test_invalid_utf8(void **state)
{
	(void)state;
	assert_true(tokens_count("\xff\xfe abc \xc3") > 0);
	assert_true(tokens_count("\xe2\x82") > 0);
}

typedef struct { const char *model, *detail; int w, h; long want; } ex;

static void test_image_tiles(void **state)
{
	(void)state;
	/* apis.md 2.1: doc-verified and worked examples. */
	static const ex t[] = {
		{ "gpt-4o", "high", 1024, 1024, 765 }, { "gpt-4o", "high", 2048, 4096, 1105 },
		{ "gpt-4o", "low", 4096, 8192, 85 },
		{ "gpt-4o", "high", 4000, 3000, 765 }, { "gpt-4o-mini", "high", 4000, 3000, 25501 },
		{ "o1", "high", 4000, 3000, 675 }, { "o3", "high", 4000, 3000, 675 },
		{ "gpt-5", "high", 4000, 3000, 630 }, { "gpt-5.1", "high", 4000, 3000, 630 },
		{ "gpt-4.1", "high", 4000, 3000, 765 },
		{ "gpt-4o", "high", 6000, 4000, 1105 }, { "gpt-4o-mini", "high", 6000, 4000, 36835 },
		{ "o1", "high", 6000, 4000, 975 }, { "gpt-5", "high", 6000, 4000, 910 },
		{ "gpt-4o", "high", 800, 600, 765 }, { "gpt-4o-mini", "high", 800, 600, 25501 },
		{ "o3", "high", 800, 600, 675 }, { "gpt-5.1", "high", 800, 600, 630 },
		{ "gpt-4o", "high", 512, 512, 255 }, { "gpt-4o-mini", "high", 512, 512, 8500 },
		{ "o1", "high", 512, 512, 225 }, { "gpt-5", "high", 512, 512, 210 },
		{ "gpt-4o", "auto", 1024, 1024, 765 }, { "gpt-4o-mini", "high", 1024, 1024, 25501 },
		{ "o1", "high", 1024, 1024, 675 }, { "gpt-5", "high", 1024, 1024, 630 },
		{ "gpt-4.1", "high", 6000, 4000, 1105 }, { "gpt-5.1", "high", 6000, 4000, 910 },
		{ "gpt-4o-mini", "low", 6000, 4000, 2833 }, { "o1", "low", 1, 1, 75 },
		{ "gpt-5", "low", 9000, 9000, 70 }, { "gpt-4.1", "low", 100, 100, 85 },
		{ "gpt-4o-2024-08-06", "high", 1024, 1024, 765 },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		long got = tokens_image(t[i].model, t[i].detail, t[i].w, t[i].h);
		if (got != t[i].want)
			fprintf(stderr, "%s %s %dx%d: want %ld got %ld\n", t[i].model, t[i].detail,
				t[i].w, t[i].h, t[i].want, got);
		assert_int_equal(got, t[i].want);
	}
	int w, h;
	tokens_tile_size(6000, 4000, &w, &h);
	assert_int_equal(w, 1152); assert_int_equal(h, 768);
	tokens_tile_size(2048, 4096, &w, &h);
	assert_int_equal(w, 768); assert_int_equal(h, 1536);
}

static void test_image_patches(void **state)
{
	(void)state;
	int w, h;
	/* Doc checks. */
	assert_int_equal(tokens_patch_size(1024, 1024, 1536, 0, NULL, NULL), 1024);
	assert_int_equal(tokens_patch_size(1800, 2400, 1536, 0, &w, &h), 1452);
	assert_int_equal(w, 1056); assert_int_equal(h, 1408);
	assert_int_equal(tokens_patch_size(2048, 2048, 2500, 0, &w, &h), 2500);
	assert_int_equal(w, 1600);
	/* Budget 1536 table (V1 = no pre-fit, V2 = 2048 pre-fit). */
	assert_int_equal(tokens_patch_size(4000, 3000, 1536, 2048, &w, &h), 1452);
	assert_int_equal(w, 1408); assert_int_equal(h, 1056);
	assert_int_equal(tokens_patch_size(6000, 4000, 1536, 0, &w, &h), 1536);
	assert_int_equal(w, 1536); assert_int_equal(h, 1024);
	assert_int_equal(tokens_patch_size(6000, 4000, 1536, 2048, &w, &h), 1457);
	assert_int_equal(w, 1488); assert_int_equal(h, 992);
	assert_int_equal(tokens_patch_size(800, 600, 1536, 2048, NULL, NULL), 475);
	assert_int_equal(tokens_patch_size(2048, 4096, 1536, 2048, &w, &h), 1458);
	assert_int_equal(w, 864); assert_int_equal(h, 1728);
	/* V3 gpt-4.1-mini: 6144 budget. */
	assert_int_equal(tokens_patch_size(4000, 3000, 6144, 2048, &w, &h), 3072);
	assert_int_equal(w, 2048); assert_int_equal(h, 1536);
	assert_int_equal(tokens_patch_size(6000, 4000, 6144, 2048, &w, &h), 2752);
	assert_int_equal(h, 1365);
	/* Billed tokens = ceil(patches x multiplier), the models' table. */
	assert_int_equal(tokens_image("gpt-4.1-mini", "high", 4000, 3000), 4977);
	assert_int_equal(tokens_image("gpt-4.1-mini", "high", 6000, 4000), 4459);
	assert_int_equal(tokens_image("gpt-4.1-mini", "high", 1024, 1024), 1659);
	assert_int_equal(tokens_image("gpt-4.1-mini", "high", 800, 600), 770);
	assert_int_equal(tokens_image("gpt-4.1-mini", "low", 800, 600), 770);
	assert_int_equal(tokens_image("gpt-4.1-nano", "high", 4000, 3000), 3572);
	assert_int_equal(tokens_image("gpt-4.1-nano", "high", 6000, 4000), 3585);
	assert_int_equal(tokens_image("gpt-4.1-nano", "high", 1024, 1024), 2520);
	assert_int_equal(tokens_image("gpt-4.1-nano", "high", 800, 600), 1169);
	assert_int_equal(tokens_image("gpt-4.1-nano", "high", 2048, 4096), 3587);
	assert_int_equal(tokens_image("o4-mini", "high", 4000, 3000), 2498);
	assert_int_equal(tokens_image("o4-mini", "high", 6000, 4000), 2507);
	assert_int_equal(tokens_image("o4-mini", "high", 1024, 1024), 1762);
	assert_int_equal(tokens_image("o4-mini", "high", 800, 600), 817);
	assert_int_equal(tokens_image("o4-mini", "high", 2048, 4096), 2508);
	assert_int_equal(tokens_image("gpt-5.4", "high", 2048, 2048), 3000);
	/* The whole budget-1536 table (V1 = no pre-fit for 6000x4000, V2 the
	 * rest): patches, then ceil(patches x multiplier) for the three models. */
	static const struct { int w, h, maxdim; long patches, mini, nano, o4; } tb[] = {
		{ 4000, 3000, 2048, 1452, 2353, 3572, 2498 },
		{ 6000, 4000, 0, 1536, 2489, 3779, 2642 },
		{ 6000, 4000, 2048, 1457, 2361, 3585, 2507 },
		{ 1024, 1024, 2048, 1024, 1659, 2520, 1762 },
		{ 800, 600, 2048, 475, 770, 1169, 817 },
		{ 2048, 4096, 2048, 1458, 2362, 3587, 2508 },
	};
	for (size_t i = 0; i < sizeof tb / sizeof tb[0]; i++) {
		long p = tokens_patch_size(tb[i].w, tb[i].h, 1536, tb[i].maxdim, NULL, NULL);
		assert_int_equal(p, tb[i].patches);
		assert_int_equal((long)ceil(p * 1.62), tb[i].mini);
		assert_int_equal((long)ceil(p * 2.46), tb[i].nano);
		assert_int_equal((long)ceil(p * 1.72), tb[i].o4);
	}
	/* The V3 6144 table for gpt-4.1-mini, through the model table. */
	assert_int_equal(tokens_patch_size(1024, 1024, 6144, 2048, NULL, NULL), 1024);
	assert_int_equal(tokens_patch_size(800, 600, 6144, 2048, NULL, NULL), 475);
}

/* What we send must cost what the original would (SPEC 5.1). */
static void test_sent_size_same_tokens(void **state)
{
	(void)state;
	static const char *models[] = { "gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini",
					"gpt-4.1-nano", "o4-mini", "o3", "gpt-5", "gpt-5-mini",
					"gpt-5.4" };
	static const int sizes[][2] = { { 6000, 4000 }, { 4000, 6000 }, { 4000, 3000 },
					{ 1024, 1024 }, { 800, 600 }, { 2048, 4096 },
					{ 5472, 3648 }, { 300, 9000 }, { 7, 5 } };
	for (size_t m = 0; m < sizeof models / sizeof *models; m++)
		for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
			for (int d = 0; d < 2; d++) {
				const char *det = d ? "low" : "high";
				int w = sizes[s][0], h = sizes[s][1], tw, th;
				tokens_image_size(models[m], det, w, h, &tw, &th);
				assert_true(tw <= w && th <= h && tw > 0 && th > 0);
				assert_int_equal(tokens_image(models[m], det, tw, th),
						 tokens_image(models[m], det, w, h));
			}
}

static void test_gemini(void **state)
{
	(void)state;
	assert_int_equal(tokens_gemini_image(384, 384), 258);
	assert_int_equal(tokens_gemini_image(1536, 1024), 258 * 4);
	assert_int_equal(tokens_gemini_text("abcdefgh"), 2);
	/* A provider's image rule is its caps': Gemini's tiles, OpenAI's per model. */
	assert_int_equal(provider_caps_named("gemini")->image_tokens("gemini-2.5-flash", "high", 300, 200), 258);
	assert_int_equal(provider_caps_named("gemini")->image_tokens("gemini-2.5-flash", "high", 1536, 1024), 258 * 4);
	assert_int_equal(provider_caps_named("openai")->image_tokens("gpt-4o", "high", 4000, 3000),
			 tokens_image("gpt-4o", "high", 4000, 3000));
	/* Priced at the size sent, whatever size is asked about: a 6000x4000
	 * photo goes as 1536x1024, four tiles, not 8x6. */
	const provider_caps *g = provider_caps_named("gemini");
	static const int sizes[][2] = { { 6000, 4000 }, { 4000, 3000 }, { 3000, 4000 }, { 1200, 800 },
					{ 800, 600 }, { 300, 200 }, { 20000, 500 } };
	for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
		int w = sizes[s][0], h = sizes[s][1], tw, th;
		g->image_size("gemini-2.5-flash", "default", w, h, &tw, &th);
		assert_int_equal(g->image_tokens("gemini-2.5-flash", "default", w, h),
				 tokens_gemini_image(tw, th));
	}
	assert_int_equal(g->image_tokens("gemini-2.5-flash", "default", 6000, 4000), 258 * 4);
	/* A side a little over a tile boundary is brought down to it: 1200x800
	 * goes as 1152x768 (2 tiles, not 4), 800x600 as 768x576 (1, not 2). */
	int tw, th;
	g->image_size("gemini-2.5-flash", "default", 1200, 800, &tw, &th);
	assert_true(tw == 1152 && th == 768);
	assert_int_equal(g->image_tokens("gemini-2.5-flash", "default", 1200, 800), 258 * 2);
	g->image_size("gemini-2.5-flash", "default", 800, 600, &tw, &th);
	assert_true(tw == 768 && th == 576);
	assert_int_equal(g->image_tokens("gemini-2.5-flash", "default", 800, 600), 258);
	/* the size sent is sent as it is, for every size */
	for (int w = 1; w <= 2000; w += 7)
		for (int h = 1; h <= 2000; h += 11) {
			int w2, h2;
			g->image_size("gemini-2.5-flash", "default", w, h, &tw, &th);
			assert_true(tw <= w && th <= h && tw > 0 && th > 0);
			g->image_size("gemini-2.5-flash", "default", tw, th, &w2, &h2);
			assert_true(w2 == tw && h2 == th);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_known),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_image_tiles),
		cmocka_unit_test(test_image_patches),
		cmocka_unit_test(test_sent_size_same_tokens),
		cmocka_unit_test(test_gemini),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
