/* base64.h: the one base64 (RFC 4648, standard alphabet, '=' padding) of
 * the tree: images sent inline, tiktoken rank files, kitty payloads. */
#ifndef SB_BASE64_H
#define SB_BASE64_H
#include <stddef.h>

#include "util.h"

/* The 64 characters, in value order. */
extern const char base64_alphabet[65];

/* Characters base64_encode_to() writes for n bytes (padding included). */
static inline size_t base64_encoded_len(size_t n)
{
	return (n + 2) / 3 * 4;
}
/* Writes base64_encoded_len(n) characters to out (no NUL). */
void base64_encode_to(char *out, const unsigned char *data, size_t n);
/* NUL-terminated copy (caller frees); *outlen (may be NULL) gets its length. */
char *base64_encode(const unsigned char *data, size_t len, size_t *outlen);
/* Appends the encoding to b, growing it once. */
void base64_append(sbuf *b, const unsigned char *data, size_t n);
/* The value of one alphabet character, -1 for any other byte. */
int base64_value(int c);
/* Decode n characters (stops at the first '='); out needs n / 4 * 3 + 3
 * bytes.  Returns the bytes written, -1 on a byte outside the alphabet. */
long base64_decode(const char *s, size_t n, unsigned char *out);
#endif
