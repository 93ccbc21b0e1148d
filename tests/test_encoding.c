/* test_encoding.c: the shared text encodings: base64 (padding cases,
 * round trips, bad input), the UTF-8 decoder (overlongs, surrogates,
 * truncated sequences rejected) and case mapping in any script. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "agency.h"
#include "base64.h"
#include "utf8.h"
#include "util.h"

static void check_b64(const char *in, const char *want)
{
	size_t l = 99;
	char *b = base64_encode((const unsigned char *)in, strlen(in), &l);
	assert_string_equal(b, want);
	assert_int_equal(l, strlen(want));
	assert_int_equal(base64_encoded_len(strlen(in)), strlen(want));
	unsigned char back[64];
	long n = base64_decode(b, l, back);
	assert_int_equal(n, (long)strlen(in));
	assert_memory_equal(back, in, strlen(in));
	free(b);
}

static void test_base64(void **state)
{
	(void)state;
	/* RFC 4648 section 10: no padding, one '=', two '=' */
	check_b64("", "");
	check_b64("f", "Zg==");
	check_b64("fo", "Zm8=");
	check_b64("foo", "Zm9v");
	check_b64("foob", "Zm9vYg==");
	check_b64("fooba", "Zm9vYmE=");
	check_b64("foobar", "Zm9vYmFy");
	/* every byte value, both high bits set: the last group of 2 and 1 */
	unsigned char all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)(255 - i);
	for (size_t len = 254; len <= 256; len++) {
		char *b = base64_encode(all, len, NULL);
		unsigned char back[260];
		assert_int_equal(base64_decode(b, strlen(b), back), (long)len);
		assert_memory_equal(back, all, len);
		free(b);
	}
	unsigned char ff[2] = { 0xff, 0xff };
	char *b = base64_encode(ff, 2, NULL);
	assert_string_equal(b, "//8=");
	free(b);
	/* appended to a buffer that already holds text */
	sbuf sb = { 0 };
	sbuf_adds(&sb, "data:");
	base64_append(&sb, (const unsigned char *)"fo", 2);
	assert_string_equal(sb.p, "data:Zm8=");
	assert_int_equal(sb.len, 9);
	sbuf_free(&sb);
	/* the alphabet and bad input */
	for (int i = 0; i < 64; i++)
		assert_int_equal(base64_value(base64_alphabet[i]), i);
	assert_int_equal(base64_value('='), -1);
	assert_int_equal(base64_value('-'), -1);
	assert_int_equal(base64_value(0), -1);
	unsigned char out[8];
	assert_int_equal(base64_decode("Zm9v!A==", 8, out), -1);
}

static size_t dec(const char *s, size_t n, uint32_t *cp)
{
	*cp = 0xDEAD;
	return utf8_decode(s, n, cp);
}

static void test_utf8_decode(void **state)
{
	(void)state;
	uint32_t cp;
	assert_int_equal(dec("A", 1, &cp), 1);
	assert_int_equal(cp, 'A');
	assert_int_equal(dec("\xC5\xBE", 2, &cp), 2); /* ž */
	assert_int_equal(cp, 0x17E);
	assert_int_equal(dec("\xE2\x82\xAC", 3, &cp), 3); /* € */
	assert_int_equal(cp, 0x20AC);
	assert_int_equal(dec("\xF0\x9F\x98\x80", 4, &cp), 4); /* 😀 */
	assert_int_equal(cp, 0x1F600);
	assert_int_equal(dec("\xF4\x8F\xBF\xBF", 4, &cp), 4); /* U+10FFFF */
	assert_int_equal(cp, 0x10FFFF);
	assert_int_equal(dec("\xED\x9F\xBF", 3, &cp), 3); /* U+D7FF, before the surrogates */
	/* overlong forms */
	assert_int_equal(dec("\xC0\x80", 2, &cp), 0);
	assert_int_equal(dec("\xC1\xBF", 2, &cp), 0);
	assert_int_equal(dec("\xE0\x80\xAF", 3, &cp), 0);
	assert_int_equal(dec("\xE0\x9F\xBF", 3, &cp), 0);
	assert_int_equal(dec("\xF0\x8F\xBF\xBF", 4, &cp), 0);
	/* surrogates, above U+10FFFF, bytes never in UTF-8 */
	assert_int_equal(dec("\xED\xA0\x80", 3, &cp), 0);
	assert_int_equal(dec("\xED\xBF\xBF", 3, &cp), 0);
	assert_int_equal(dec("\xF4\x90\x80\x80", 4, &cp), 0);
	assert_int_equal(dec("\xF5\x80\x80\x80", 4, &cp), 0);
	assert_int_equal(dec("\xFF", 1, &cp), 0);
	/* stray continuation, truncated by the length, by a NUL, by ASCII */
	assert_int_equal(dec("\x80", 1, &cp), 0);
	assert_int_equal(dec("\xC5\xBE", 1, &cp), 0);
	assert_int_equal(dec("\xE2\x82\xAC", 2, &cp), 0);
	assert_int_equal(dec("\xF0\x9F\x98", 4, &cp), 0);
	assert_int_equal(dec("\xE2" "A", 2, &cp), 0);
	assert_int_equal(dec("", 0, &cp), 0);
	assert_int_equal(cp, 0xDEAD); /* untouched on failure */
	/* the encoder round-trips */
	char b[4];
	for (uint32_t c = 0; c <= 0x10FFFF; c += (c < 0x1000 ? 1 : 97)) {
		size_t k = utf8_encode_cp(c, b);
		if (c >= 0xD800 && c <= 0xDFFF) {
			assert_int_equal(k, 0);
			continue;
		}
		assert_int_equal(dec(b, k, &cp), k);
		assert_int_equal(cp, c);
	}
	/* validity with the offset of the first bad sequence */
	size_t off = 0;
	assert_true(utf8_valid("Příliš žluťoučký kůň", strlen("Příliš žluťoučký kůň"), NULL));
	assert_false(utf8_valid("ab\xC3", 3, &off));
	assert_int_equal(off, 2);
	assert_false(utf8_valid("ok \xE0\x80\xAF", 6, &off));
	assert_int_equal(off, 3);
}

static void check_case(char *(*fn)(const char *), const char *in, const char *want)
{
	char *got = fn(in);
	assert_string_equal(got, want);
	free(got);
}

static void test_case_mapping(void **state)
{
	(void)state;
	/* Czech */
	check_case(utf8_upper, "ščřžýáíéůúťďň", "ŠČŘŽÝÁÍÉŮÚŤĎŇ");
	check_case(utf8_lower, "ŠČŘŽ ĚŮ", "ščřž ěů");
	check_case(utf8_upper, "české budějovice", "ČESKÉ BUDĚJOVICE");
	/* German: ß has no one-letter upper case in full mapping, ẞ lowers to ß */
	check_case(utf8_upper, "Straße", "STRASSE");
	check_case(utf8_lower, "STRAẞE", "straße");
	check_case(utf8_casefold, "Straße", "strasse");
	check_case(utf8_casefold, "STRASSE", "strasse");
	/* Greek, with the final sigma */
	check_case(utf8_upper, "αθήνα", "ΑΘΉΝΑ");
	check_case(utf8_lower, "ΟΔΟΣ", "οδος");
	/* Cyrillic */
	check_case(utf8_upper, "москва", "МОСКВА");
	check_case(utf8_lower, "КИЇВ", "київ");
	/* Latin-1 and extended as before; ASCII; empty */
	check_case(utf8_upper, "ÿ", "Ÿ");
	check_case(utf8_lower, "ÀÉÎ Łódź", "àéî łódź");
	check_case(utf8_upper, "Praha 1", "PRAHA 1");
	check_case(utf8_upper, "", "");
	/* bytes that are no UTF-8 pass through, the rest is still mapped */
	check_case(utf8_upper, "a\xFF" "b\xC5", "A\xFF" "B\xC5");
	/* comparison without case, any script */
	assert_int_equal(utf8_casecmp("Straße", "STRASSE"), 0);
	assert_int_equal(utf8_casecmp("ŠČŘŽ", "ščřž"), 0);
	assert_int_equal(utf8_casecmp("ΟΔΟΣ", "οδος"), 0);
	assert_int_equal(utf8_casecmp("Москва", "МОСКВА"), 0);
	assert_true(utf8_casecmp("Praha", "Brno") > 0);
	assert_int_equal(utf8_casecmp("a\xFF", "A\xFF"), 0); /* a bad byte is U+FFFD */
	assert_true(utf8_casecmp("a\xFF", "a") > 0);
	/* the editorial prefix's place names, as Python's str.upper() */
	char *p = meta_editorial_prefix("Gießen", "Deutschland", "1.2.2026", 0);
	assert_string_equal(p, "GIESSEN, DEUTSCHLAND - 01 02 2026: ");
	free(p);
	p = meta_editorial_prefix("Ústí nad Labem", NULL, "23.11.2026", 0);
	assert_string_equal(p, "ÚSTÍ NAD LABEM,  - 23 11 2026: ");
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_utf8_decode),
		cmocka_unit_test(test_case_mapping),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
