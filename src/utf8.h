/* utf8.h: the one UTF-8 decoder and encoder of the tree, validity and
 * length in characters, and case mapping for any script (libunistring's
 * full Unicode mappings: German ß upper-cases to SS, ẞ lower-cases to ß,
 * Greek and Cyrillic map like Latin).  No curses here. */
#ifndef SB_UTF8_H
#define SB_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The code point at s (n bytes available): returns its length 1..4, or 0
 * when the bytes there are no valid UTF-8 (a stray continuation byte, a
 * bad lead byte, an overlong form, a surrogate, above U+10FFFF, or a
 * sequence cut short by n).  *cp is set only on success. */
size_t utf8_decode(const char *s, size_t n, uint32_t *cp);
/* Writes cp as UTF-8; returns 1..4, 0 for a surrogate or above U+10FFFF. */
size_t utf8_encode_cp(unsigned cp, char out[4]);
/* Whether n bytes are valid UTF-8; *bad_off (may be NULL) gets the offset
 * of the first invalid sequence. */
bool utf8_valid(const char *s, size_t n, size_t *bad_off);
/* Characters (code points) in a NUL-terminated string. */
size_t utf8_chars(const char *s);
/* Bytes of the first nchars characters. */
size_t utf8_prefix_bytes(const char *s, size_t nchars);

/* Case mappings, language-independent (the same result in any locale).
 * A new string (caller frees); bytes that are no valid UTF-8 are copied
 * as they are. */
char *utf8_upper(const char *s);
char *utf8_lower(const char *s);
/* For comparing without case (ß and ss fold alike), never for display. */
char *utf8_casefold(const char *s);
/* Unicode NFC (composed) form; invalid UTF-8 is returned unchanged. */
char *utf8_nfc(const char *s);
/* For matching words across spellings: lower case without accents
 * ("Šárka" and "SARKA" give "sarka"; ł, ø, đ and ß folded too). */
char *utf8_fold(const char *s);
/* Whether the first character of s is an upper-case (or title-case) letter. */
bool utf8_starts_upper(const char *s);
/* A letter, or a combining mark (part of a letter written decomposed). */
bool utf8_is_letter(uint32_t cp);
/* strcmp() of the case-folded strings, in code points (libunistring reads
 * a byte that is no UTF-8 as U+FFFD). */
int utf8_casecmp(const char *a, const char *b);

#endif
