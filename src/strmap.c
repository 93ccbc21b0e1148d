/* strmap.c: the string map (strmap.h). */
#include "config.h"
#include "strmap.h"
#include "util.h"

#include <stdlib.h>

void strmap_init(strmap *m, bool copy_keys)
{
	memset(m, 0, sizeof *m);
	m->copy = copy_keys;
}

void strmap_free(strmap *m)
{
	if (m->copy)
		for (size_t i = 0; i < m->n; i++)
			free((char *)m->e[i].key);
	free(m->slot);
	free(m->e);
	bool copy = m->copy;
	strmap_init(m, copy);
}

static uint32_t entry_hash(const strmap *m, size_t i)
{
	return strmap_hash(m->e[i].key, m->e[i].len);
}

/* Slots for at least want entries at most half full, filled from the
 * entries (the slots keep only 8 bits of each hash). */
static void rehash(strmap *m, size_t want)
{
	size_t cap = 64;
	while (cap < want * 2)
		cap *= 2;
	if (m->slot && cap <= m->mask + 1)
		return;
	free(m->slot);
	m->slot = xcalloc(cap, sizeof *m->slot);
	m->mask = cap - 1;
	for (size_t i = 0; i < m->n; i++) {
		uint32_t h = entry_hash(m, i);
		size_t k = h & m->mask;
		while (m->slot[k])
			k = (k + 1) & m->mask;
		m->slot[k] = (h & ~STRMAP_MAX) | (uint32_t)(i + 1);
	}
}

void strmap_reserve(strmap *m, size_t n)
{
	rehash(m, n);
	if (n > m->ecap) {
		m->ecap = n;
		m->e = xrealloc(m->e, m->ecap * sizeof *m->e);
	}
}

sm_entry *strmap_addn(strmap *m, const char *key, size_t len, bool *added)
{
	if (len > UINT32_MAX || m->n >= STRMAP_MAX)
		abort(); /* no map of this tree comes near (100,000 rows or files) */
	if (!m->slot || (m->n + 1) * 2 > m->mask + 1)
		rehash(m, m->n + 1);
	/* one probe: the key's entry, or the empty slot where it goes */
	uint32_t h = strmap_hash(key, len);
	size_t i = h & m->mask;
	for (uint32_t s; (s = m->slot[i]); i = (i + 1) & m->mask) {
		if ((s ^ h) >> 24)
			continue;
		sm_entry *en = &m->e[(s & STRMAP_MAX) - 1];
		if (en->len == len && memcmp(en->key, key, len) == 0) {
			if (added)
				*added = false;
			return en;
		}
	}
	if (added)
		*added = true;
	if (m->n == m->ecap) {
		m->ecap = m->ecap ? m->ecap * 2 : 32;
		m->e = xrealloc(m->e, m->ecap * sizeof *m->e);
	}
	sm_entry *en = &m->e[m->n++];
	en->key = m->copy ? xstrndup(key, len) : key;
	en->len = (uint32_t)len;
	en->aux = 0;
	en->num = 0;
	m->slot[i] = (h & ~STRMAP_MAX) | (uint32_t)m->n;
	return en;
}

sm_entry *strmap_add(strmap *m, const char *key, bool *added)
{
	return strmap_addn(m, key, strlen(key), added);
}

void *strmap_get(const strmap *m, const char *key)
{
	sm_entry *en = strmap_find(m, key);
	return en ? en->ptr : NULL;
}

void strmap_put(strmap *m, const char *key, void *ptr)
{
	strmap_add(m, key, NULL)->ptr = ptr;
}

/* The slot holding entry index i (which must be in the map). */
static size_t slot_of(const strmap *m, size_t i)
{
	size_t k = entry_hash(m, i) & m->mask;
	while ((m->slot[k] & STRMAP_MAX) != i + 1)
		k = (k + 1) & m->mask;
	return k;
}

void strmap_del_at(strmap *m, size_t i)
{
	if (i >= m->n)
		return;
	/* empty the slot, then shift back the run after it (no tombstones) */
	size_t hole = slot_of(m, i);
	m->slot[hole] = 0;
	for (size_t j = (hole + 1) & m->mask; m->slot[j]; j = (j + 1) & m->mask) {
		size_t home = entry_hash(m, (m->slot[j] & STRMAP_MAX) - 1) & m->mask;
		if (((j - home) & m->mask) >= ((j - hole) & m->mask)) {
			m->slot[hole] = m->slot[j];
			m->slot[j] = 0;
			hole = j;
		}
	}
	if (m->copy)
		free((char *)m->e[i].key);
	size_t last = m->n - 1;
	if (i != last) {
		size_t k = slot_of(m, last);
		m->slot[k] = (m->slot[k] & ~STRMAP_MAX) | (uint32_t)(i + 1);
		m->e[i] = m->e[last];
	}
	m->n--;
}

void strmap_del(strmap *m, const char *key)
{
	sm_entry *en = strmap_find(m, key);
	if (en)
		strmap_del_at(m, (size_t)(en - m->e));
}
