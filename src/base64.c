/* base64.c: see base64.h. */
#include "config.h"
#include "base64.h"

#include <stdint.h>
#include <string.h>

const char base64_alphabet[65] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void base64_encode_to(char *o, const unsigned char *p, size_t n)
{
	const char *tb = base64_alphabet;
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*o++ = tb[v >> 18];
		*o++ = tb[(v >> 12) & 63];
		*o++ = tb[(v >> 6) & 63];
		*o++ = tb[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
		*o++ = tb[v >> 18];
		*o++ = tb[(v >> 12) & 63];
		*o++ = i + 1 < n ? tb[(v >> 6) & 63] : '=';
		*o++ = '=';
	}
}

char *base64_encode(const unsigned char *data, size_t len, size_t *outlen)
{
	size_t n = base64_encoded_len(len);
	char *o = xmalloc(n + 1);
	base64_encode_to(o, data, len);
	o[n] = '\0';
	if (outlen)
		*outlen = n;
	return o;
}

void base64_append(sbuf *b, const unsigned char *data, size_t n)
{
	size_t need = base64_encoded_len(n);
	sbuf_add(b, "", 0); /* allocated, NUL-terminated */
	if (b->cap < b->len + need + 1) {
		b->p = xrealloc(b->p, b->len + need + 1);
		b->cap = b->len + need + 1;
	}
	base64_encode_to(b->p + b->len, data, n);
	b->len += need;
	b->p[b->len] = '\0';
}

int base64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

long base64_decode(const char *s, size_t n, unsigned char *out)
{
	long o = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '=')
			break;
		int v = base64_value((unsigned char)s[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	return o;
}
