/* strmap.h: the string map of the tree (the store's registries, the CSV's
 * Cesta index, the tokenizer's ranks).  Keys are byte strings, counted or
 * NUL-terminated; a value is a pointer or a number, plus a small int (aux)
 * for free.  Open addressing with linear probing over 4-byte slots holding 8
 * bits of the hash and an entry index, so a probe that misses seldom touches
 * the entry or its key (the tokenizer's 200,000 ranks fit a 2 MB table);
 * at most STRMAP_MAX entries.  The entries are dense, in insertion order
 * until a delete moves the last one into the gap (iterate them by index:
 * m->e[0..n)).
 *
 * Keys are copied (strmap_init(m, true)) or borrowed: the caller's bytes
 * must then outlive their entry and not change (the CSV's parsed Cesta
 * column, the tokenizer's rank arena).  An entry pointer is valid until the
 * next add or delete.  Not thread-safe: callers lock. */
#ifndef SB_STRMAP_H
#define SB_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct sm_entry {
	const char *key; /* NUL-terminated when copied; else the caller's bytes */
	uint32_t len;
	int aux; /* the caller's: e.g. the store's file state */
	union {
		void *ptr;
		size_t num;
	};
} sm_entry;

#define STRMAP_MAX 0xffffffu /* entries: 16,777,215 */

typedef struct strmap {
	uint32_t *slot; /* hash >> 24 << 24 | entry index + 1; 0 = empty */
	sm_entry *e;
	size_t n, ecap, mask;
	bool copy;
} strmap;

/* A zeroed strmap is a valid empty one that borrows its keys. */
void strmap_init(strmap *m, bool copy_keys);
/* Room for n entries without rehashing (optional). */
void strmap_reserve(strmap *m, size_t n);
/* Frees the map's memory (and copied keys); the map stays usable, empty. */
void strmap_free(strmap *m);

/* FNV-1a, folded to 32 bits. */
static inline uint32_t strmap_hash(const char *key, size_t len)
{
	const unsigned char *p = (const unsigned char *)key;
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return (uint32_t)(h ^ (h >> 32));
}

/* The entry of a key, or NULL.  Inline: the tokenizer looks up in its
 * innermost loop. */
static inline sm_entry *strmap_findn(const strmap *m, const char *key, size_t len)
{
	if (!m->n)
		return NULL;
	uint32_t h = strmap_hash(key, len);
	for (size_t i = h & m->mask;; i = (i + 1) & m->mask) {
		uint32_t s = m->slot[i];
		if (!s)
			return NULL;
		if ((s ^ h) >> 24 == 0) {
			sm_entry *en = &m->e[(s & STRMAP_MAX) - 1];
			if (en->len == len && memcmp(en->key, key, len) == 0)
				return en;
		}
	}
}

static inline sm_entry *strmap_find(const strmap *m, const char *key)
{
	return strmap_findn(m, key, strlen(key));
}

/* The entry of a key, added (value and aux zero) when absent; *added says
 * which (may be NULL).  An existing entry is never replaced: the first
 * added wins. */
sm_entry *strmap_addn(strmap *m, const char *key, size_t len, bool *added);
sm_entry *strmap_add(strmap *m, const char *key, bool *added);

/* Pointer-valued shorthands. */
void *strmap_get(const strmap *m, const char *key); /* NULL when absent */
void strmap_put(strmap *m, const char *key, void *ptr);

/* Remove a key (absent: nothing happens), or the entry at index i.  The last
 * entry moves to the freed index, so delete while iterating downwards. */
void strmap_del(strmap *m, const char *key);
void strmap_del_at(strmap *m, size_t i);

#endif
