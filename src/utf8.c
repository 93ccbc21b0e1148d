/* utf8.c: see utf8.h.  Case mapping, normalisation and character classes
 * are libunistring's (unicase.h, uninorm.h, unictype.h). */
#include "config.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
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
		/* ASCII runs (most of a CSV) eight bytes at a time */
		uint64_t w;
		while (i + 8 <= n && (memcpy(&w, s + i, 8), (w & 0x8080808080808080ULL) == 0))
			i += 8;
		if (i < n && (unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		/* two-byte letters (Czech, Latin) without the general decoder */
		if (i + 1 < n && (unsigned char)s[i] >= 0xC2 && (unsigned char)s[i] <= 0xDF &&
		    ((unsigned char)s[i + 1] & 0xC0) == 0x80) {
			i += 2;
			continue;
		}
		if (i >= n)
			break;
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

typedef uint8_t *(*case_fn)(const uint8_t *s, size_t n, const char *iso639_language, uninorm_t nf,
			    uint8_t *resultbuf, size_t *lengthp);

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

static bool all_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

char *utf8_nfc(const char *s)
{
	if (all_ascii(s))
		return xstrdup(s); /* ASCII is NFC: the common case, without libunistring */
	size_t n = strlen(s), len = 0;
	if (!utf8_valid(s, n, NULL))
		return xstrdup(s);
	uint8_t *m = u8_normalize(UNINORM_NFC, (const uint8_t *)s, n, NULL, &len);
	if (!m)
		return xstrdup(s); /* out of memory: unchanged */
	char *r = xstrndup((const char *)m, len);
	free(m);
	return r;
}

char *utf8_fold(const char *s)
{
	if (all_ascii(s)) {
		char *r = xstrdup(s);
		for (char *p = r; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		return r;
	}
	char *low = utf8_lower(s);
	size_t n = strlen(low), len = 0;
	uint8_t *d = utf8_valid(low, n, NULL)
			     ? u8_normalize(UNINORM_NFD, (const uint8_t *)low, n, NULL, &len)
			     : NULL;
	const char *src = d ? (const char *)d : low;
	size_t sl = d ? len : n;
	sbuf b = { 0 };
	sbuf_adds(&b, "");
	for (size_t i = 0; i < sl;) {
		uint32_t cp;
		size_t k = utf8_decode(src + i, sl - i, &cp);
		if (!k) {
			sbuf_addc(&b, src[i++]);
			continue;
		}
		if (uc_is_general_category(cp, UC_CATEGORY_M))
			;             /* the accent of a decomposed letter */
		else if (cp == 0x142) /* ł */
			sbuf_addc(&b, 'l');
		else if (cp == 0xF8) /* ø */
			sbuf_addc(&b, 'o');
		else if (cp == 0x111) /* đ */
			sbuf_addc(&b, 'd');
		else if (cp == 0xDF) /* ß */
			sbuf_adds(&b, "ss");
		else
			sbuf_add(&b, src + i, k);
		i += k;
	}
	free(d);
	free(low);
	return sbuf_steal(&b);
}

bool utf8_starts_upper(const char *s)
{
	uint32_t cp;
	size_t k = utf8_decode(s, strlen(s), &cp);
	return k && (uc_is_upper(cp) || uc_is_property_titlecase(cp));
}

bool utf8_is_letter(uint32_t cp)
{
	return uc_is_alpha(cp) || uc_is_general_category(cp, UC_CATEGORY_M);
}

int utf8_casecmp(const char *a, const char *b)
{
	int r;
	if (u8_casecmp((const uint8_t *)a, strlen(a), (const uint8_t *)b, strlen(b), NULL, NULL,
		       &r) == 0)
		return r;
	return strcmp(a, b); /* out of memory */
}
