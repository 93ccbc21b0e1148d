/* utf8.c: see utf8.h.  Case mapping is libunistring's (unicase.h). */
#include "config.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <unistr.h>

#include "util.h"

size_t utf8_decode(const char *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	if (n == 0)
		return 0;
	unsigned c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t k;
	uint32_t v, min;
	if (c >= 0xC2 && c <= 0xDF) {
		k = 2;
		v = c & 0x1F;
		min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		k = 3;
		v = c & 0x0F;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		k = 4;
		v = c & 0x07;
		min = 0x10000;
	} else {
		return 0; /* continuation byte, C0/C1 overlong lead, F5..FF */
	}
	if (k > n)
		return 0;
	for (size_t j = 1; j < k; j++) {
		if ((s[j] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[j] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return k;
}

size_t utf8_encode_cp(unsigned cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	} else if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	} else if (cp < 0x10000) {
		if (cp >= 0xD800 && cp <= 0xDFFF)
			return 0;
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	} else if (cp <= 0x10FFFF) {
		out[0] = (char)(0xF0 | (cp >> 18));
		out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[3] = (char)(0x80 | (cp & 0x3F));
		return 4;
	}
	return 0;
}

bool utf8_valid(const char *s, size_t n, size_t *bad_off)
{
	size_t i = 0;
	while (i < n) {
		uint32_t cp;
		size_t k = utf8_decode(s + i, n - i, &cp);
		if (k == 0) {
			if (bad_off)
				*bad_off = i;
			return false;
		}
		i += k;
	}
	return true;
}

size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

size_t utf8_prefix_bytes(const char *s, size_t nchars)
{
	size_t i = 0, n = 0;
	while (s[i]) {
		if (((unsigned char)s[i] & 0xC0) != 0x80) {
			if (n == nchars)
				break;
			n++;
		}
		i++;
	}
	return i;
}

typedef uint8_t *(*case_fn)(const uint8_t *s, size_t n, const char *iso639_language,
			    uninorm_t nf, uint8_t *resultbuf, size_t *lengthp);

/* Maps every valid run of s with fn; invalid bytes pass through unchanged
 * (libunistring refuses a string that is not UTF-8 as a whole). */
static char *map_case(const char *s, case_fn fn)
{
	sbuf b = { 0 };
	sbuf_adds(&b, "");
	size_t n = strlen(s), i = 0;
	while (i < n) {
		size_t run = 0;
		uint32_t cp;
		for (size_t k; i + run < n && (k = utf8_decode(s + i + run, n - i - run, &cp)) > 0;)
			run += k;
		if (run) {
			size_t len = 0;
			uint8_t *m = fn((const uint8_t *)s + i, run, NULL, NULL, NULL, &len);
			if (m)
				sbuf_add(&b, m, len);
			else
				sbuf_add(&b, s + i, run); /* out of memory: unchanged */
			free(m);
			i += run;
		}
		if (i < n)
			sbuf_addc(&b, s[i++]);
	}
	return sbuf_steal(&b);
}

char *utf8_upper(const char *s)
{
	return map_case(s, u8_toupper);
}

char *utf8_lower(const char *s)
{
	return map_case(s, u8_tolower);
}

char *utf8_casefold(const char *s)
{
	return map_case(s, u8_casefold);
}
