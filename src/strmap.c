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

static void slot_place(uint64_t *slot, size_t mask, uint64_t s)
{
	size_t i = (uint32_t)(s >> 32) & mask;
	while (slot[i])
		i = (i + 1) & mask;
	slot[i] = s;
}

/* Slots for at least want entries at most half full. */
static void rehash(strmap *m, size_t want)
{
	size_t cap = 64;
	while (cap < want * 2)
		cap *= 2;
	if (m->slot && cap <= m->mask + 1)
		return;
	uint64_t *slot = xcalloc(cap, sizeof *slot);
	if (m->slot)
		for (size_t i = 0; i <= m->mask; i++)
			if (m->slot[i])
				slot_place(slot, cap - 1, m->slot[i]);
	free(m->slot);
	m->slot = slot;
	m->mask = cap - 1;
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
	sm_entry *en = strmap_findn(m, key, len);
	if (added)
		*added = !en;
	if (en)
		return en;
	if (len > UINT32_MAX)
		abort(); /* no key of this tree comes near */
	rehash(m, m->n + 1);
	if (m->n == m->ecap) {
		m->ecap = m->ecap ? m->ecap * 2 : 32;
		m->e = xrealloc(m->e, m->ecap * sizeof *m->e);
	}
	en = &m->e[m->n++];
	memset(en, 0, sizeof *en);
	en->key = m->copy ? xstrndup(key, len) : key;
	en->len = (uint32_t)len;
	slot_place(m->slot, m->mask, (uint64_t)strmap_hash(key, len) << 32 | m->n);
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
	const sm_entry *en = &m->e[i];
	size_t k = strmap_hash(en->key, en->len) & m->mask;
	while ((uint32_t)m->slot[k] != i + 1)
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
		size_t home = (uint32_t)(m->slot[j] >> 32) & m->mask;
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
		m->slot[k] = (m->slot[k] & 0xffffffff00000000ULL) | (i + 1);
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
