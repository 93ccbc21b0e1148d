/* tokens.c: token counts as the providers bill them.  Text: exact o200k_base
 * (tiktoken's pre-tokenizer regex, hand-written below, then byte-level BPE
 * over the published ranks).  Images: reference/apis.md section 2. */
#include "config.h"
#include "tokens.h"
#include "base64.h"
#include "settings.h"
#include "i18n.h"
#include "log.h"
#include "strmap.h"
#include "unicode_tables.h"

#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- ranks: rank -> bytes, and bytes -> rank ---- */

static struct {
	unsigned char *arena; /* all token bytes back to back */
	uint32_t *off;        /* by rank */
	uint16_t *len;
	strmap byte; /* token bytes (borrowed from the arena) -> rank */
	uint32_t n;
	bool loaded;
} R;
static atomic_bool ranks_ready; /* set once R is complete; R is read-only after */
static pthread_mutex_t ranks_lock = PTHREAD_MUTEX_INITIALIZER;

/* Rank of a byte string, or -1 when it is not a token. */
static long rank_of(const unsigned char *p, size_t n)
{
	sm_entry *en = strmap_findn(&R.byte, (const char *)p, n);
	return en ? (long)en->num : -1;
}

static void ranks_free(void)
{
	free(R.arena);
	free(R.off);
	free(R.len);
	strmap_free(&R.byte);
	memset(&R, 0, sizeof R);
}

static int ranks_parse(const char *path, const char *data, size_t len, sb_err *e)
{
	size_t lines = 0;
	for (size_t i = 0; i < len; i++)
		lines += data[i] == '\n';
	R.arena = xmalloc(len + 1);
	R.off = xcalloc(lines + 1, sizeof *R.off);
	R.len = xcalloc(lines + 1, sizeof *R.len);
	size_t used = 0, lineno = 0;
	const char *p = data, *end = data + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		lineno++;
		if (le > p) {
			const char *sp = memchr(p, ' ', (size_t)(le - p));
			char *ep = NULL;
			long rank = sp ? strtol(sp + 1, &ep, 10) : -1;
			long n = sp ? base64_decode(p, (size_t)(sp - p), R.arena + used) : -1;
			if (!sp || n <= 0 || rank < 0 || (size_t)rank > lines || ep == sp + 1 ||
			    R.len[rank] != 0) {
				ranks_free();
				return sb_fail(
					e, SBE_INPUT,
					_("%s:%zu: not a tiktoken rank line (\"<base64> <rank>\"); "
					  "reinstall the file from the package"),
					path, lineno);
			}
			R.off[rank] = (uint32_t)used;
			R.len[rank] = (uint16_t)n;
			used += (size_t)n;
			if ((uint32_t)rank + 1 > R.n)
				R.n = (uint32_t)rank + 1;
		}
		p = le + 1;
	}
	strmap_reserve(&R.byte, R.n);
	for (uint32_t r = 0; r < R.n; r++) {
		bool added;
		sm_entry *en = R.len[r] ? strmap_addn(&R.byte, (const char *)R.arena + R.off[r],
						      R.len[r], &added)
					: NULL;
		if (en && added) /* the same bytes twice: the lower rank wins */
			en->num = r;
	}
	/* Every single byte must be a token, or BPE cannot start. */
	for (int b = 0; b < 256; b++) {
		unsigned char c = (unsigned char)b;
		if (rank_of(&c, 1) < 0) {
			ranks_free();
			return sb_fail(
				e, SBE_INPUT,
				_("%s: byte 0x%02x has no rank; the file is truncated or not "
				  "o200k_base, reinstall it"),
				path, b);
		}
	}
	return 0;
}

int tokens_init(const char *ranks_path, sb_err *e)
{
	pthread_mutex_lock(&ranks_lock);
	if (R.loaded) {
		pthread_mutex_unlock(&ranks_lock);
		return 0;
	}
	char *path =
		ranks_path ? xstrdup(ranks_path) : path_join(data_dir(), "o200k_base.tiktoken");
	char *data = NULL;
	size_t len = 0;
	int rc = read_whole_file(path, &data, &len, e);
	if (rc == 0)
		rc = ranks_parse(path, data, len, e);
	if (rc == 0) {
		R.loaded = true;
		atomic_store(&ranks_ready, true);
	}
	free(data);
	free(path);
	pthread_mutex_unlock(&ranks_lock);
	return rc;
}

/* The ranks on first use (loading them takes tens of milliseconds that a
 * process which never counts, or the TUI before its first screen, should
 * not pay); a failure is said once and not retried. */
static bool ranks_usable(void)
{
	static atomic_bool failed;
	if (atomic_load(&failed))
		return false;
	sb_err e;
	sb_err_clear(&e);
	if (tokens_init(NULL, &e) == 0)
		return true;
	if (!atomic_exchange(&failed, true))
		sb_log(LOG_WARN, _("tokenizer not loaded (%s): estimates are approximate"), e.msg);
	return false;
}

/* ---- the o200k_base pre-tokenizer, alternative by alternative ---- */

static int uc_class(unsigned cp)
{
	if (cp < 0x80) {
		if (cp >= 'a' && cp <= 'z')
			return UC_LL;
		if (cp >= 'A' && cp <= 'Z')
			return UC_U;
		if (cp >= '0' && cp <= '9')
			return UC_N;
		if (cp == ' ' || (cp >= 9 && cp <= 13))
			return UC_WS;
		return UC_OTHER;
	}
	size_t lo = 0, hi = sizeof uc_ranges / sizeof uc_ranges[0];
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (cp < uc_ranges[mid].lo)
			hi = mid;
		else if (cp > uc_ranges[mid].hi)
			lo = mid + 1;
		else
			return uc_ranges[mid].cls;
	}
	return UC_OTHER;
}

/* The text as code points with classes, so the matchers can backtrack. */
typedef struct cps {
	unsigned *cp;
	unsigned char *cls;
	size_t *off; /* byte offset of each code point; off[n] = byte length */
	size_t n;
} cps;

static bool is_upperish(int c)
{
	return c == UC_U || c == UC_O || c == UC_M;
}
static bool is_lowerish(int c)
{
	return c == UC_LL || c == UC_O || c == UC_M;
}
static bool is_letter(int c)
{
	return c == UC_U || c == UC_LL || c == UC_O;
}
static bool is_crlf(unsigned cp)
{
	return cp == '\r' || cp == '\n';
}

/* (?i:'s|'t|'re|'ve|'m|'ll|'d)? at i: code points consumed. */
static size_t contraction(const cps *t, size_t i)
{
	if (i + 1 >= t->n || t->cp[i] != '\'')
		return 0;
	unsigned a = t->cp[i + 1] | 0x20, b = i + 2 < t->n ? (t->cp[i + 2] | 0x20) : 0;
	if (t->cp[i + 1] >= 0x80)
		return 0;
	if (a == 's' || a == 't' || a == 'm' || a == 'd')
		return 2;
	if (i + 2 < t->n && t->cp[i + 2] < 0x80 &&
	    ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')))
		return 3;
	return 0;
}

/* Alternatives 1 and 2: [^\r\n\p{L}\p{N}]? X* Y+ contraction?, where
 * (X, Y) = (upperish, lowerish) for 1, (upperish+, lowerish*) for 2.
 * Returns the end, or 0 when no match. */
static size_t match_word(const cps *t, size_t i, int alt)
{
	for (int with_prefix = 1; with_prefix >= 0; with_prefix--) {
		size_t s = i;
		if (with_prefix) {
			int c = t->cls[i];
			if (is_crlf(t->cp[i]) || is_letter(c) || c == UC_N)
				continue;
			s = i + 1;
		}
		size_t k = s;
		while (k < t->n && is_upperish(t->cls[k]))
			k++;
		if (alt == 1) {
			/* U* greedy, then L+: back off U* until a lowerish follows. */
			for (size_t j = k + 1; j-- > s;) {
				if (j < t->n && is_lowerish(t->cls[j])) {
					size_t m = j;
					while (m < t->n && is_lowerish(t->cls[m]))
						m++;
					return m + contraction(t, m);
				}
			}
		} else if (k > s) {
			/* U+ greedy then L* (empty allowed): the first try succeeds. */
			size_t m = k;
			while (m < t->n && is_lowerish(t->cls[m]))
				m++;
			return m + contraction(t, m);
		}
	}
	return 0;
}

static size_t next_piece(const cps *t, size_t i)
{
	size_t e;
	if ((e = match_word(t, i, 1)) || (e = match_word(t, i, 2)))
		return e;
	int c = t->cls[i];
	if (c == UC_N) {
		e = i;
		while (e < t->n && e < i + 3 && t->cls[e] == UC_N)
			e++;
		return e;
	}
	/* ' ?[^\s\p{L}\p{N}]+[\r\n/]*' */
	size_t s = i;
	if (t->cp[s] == ' ' && s + 1 < t->n)
		s++;
#define PUNCT(k) (t->cls[k] != UC_WS && !is_letter(t->cls[k]) && t->cls[k] != UC_N)
	if (PUNCT(s)) {
		e = s;
		while (e < t->n && PUNCT(e))
			e++;
		while (e < t->n && (is_crlf(t->cp[e]) || t->cp[e] == '/'))
			e++;
		return e;
	}
#undef PUNCT
	/* Whitespace: the rest all start with a run of \s. */
	size_t m = i;
	while (m < t->n && t->cls[m] == UC_WS)
		m++;
	/* '\s*[\r\n]+': ends after the last line break in the run. */
	for (size_t j = m; j-- > i;)
		if (is_crlf(t->cp[j]))
			return j + 1;
	/* '\s+(?!\S)': the run, less its last space if a non-space follows. */
	if (m == t->n)
		return m;
	if (m - i >= 2)
		return m - 1;
	return m; /* '\s+' */
}

/* ---- byte-pair merge of one piece ---- */

/* Long pieces (a run of 10,000 letters or spaces): the same merges in
 * O(n log n) with a heap of (rank, position) and a linked list of parts, so
 * the result equals the simple loop's (lowest rank, leftmost first). */
typedef struct hent {
	long rank;
	size_t pos;
	uint32_t ver;
} hent;

static bool hless(const hent *a, const hent *b)
{
	return a->rank < b->rank || (a->rank == b->rank && a->pos < b->pos);
}

static void hpush(hent *h, size_t *n, hent v)
{
	size_t i = (*n)++;
	while (i > 0 && hless(&v, &h[(i - 1) / 2])) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = v;
}

static hent hpop(hent *h, size_t *n)
{
	hent top = h[0], last = h[--*n];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= *n)
			break;
		if (c + 1 < *n && hless(&h[c + 1], &h[c]))
			c++;
		if (!hless(&h[c], &last))
			break;
		h[i] = h[c];
		i = c;
	}
	if (*n)
		h[i] = last;
	return top;
}

static long bpe_count_long(const unsigned char *p, size_t n)
{
	/* Part k starts at byte k while alive; nxt/prv link the live parts;
	 * ver[k] invalidates stale heap entries of the pair starting at k. */
	size_t *nxt = xmalloc((n + 1) * sizeof *nxt), *prv = xmalloc((n + 1) * sizeof *prv);
	uint32_t *ver = xcalloc(n + 1, sizeof *ver);
	hent *h = xmalloc((3 * n + 4) * sizeof *h);
	size_t hn = 0;
	for (size_t k = 0; k <= n; k++) {
		nxt[k] = k + 1;
		prv[k] = k ? k - 1 : SIZE_MAX;
	}
	for (size_t k = 0; k + 1 < n; k++) {
		long r = rank_of(p + k, 2);
		if (r >= 0)
			hpush(h, &hn, (hent){ r, k, 0 });
	}
	long parts = (long)n;
	while (hn) {
		hent t = hpop(h, &hn);
		size_t a = t.pos;
		if (t.ver != ver[a] || nxt[a] >= n)
			continue;
		/* merge part a with the next part b */
		size_t b = nxt[a], c = nxt[b];
		nxt[a] = c;
		if (c <= n)
			prv[c] = a;
		ver[a]++;
		ver[b]++;
		parts--;
		if (c < n) { /* pair (a, c) */
			long r = rank_of(p + a, nxt[c] - a);
			if (r >= 0)
				hpush(h, &hn, (hent){ r, a, ver[a] });
		}
		if (prv[a] != SIZE_MAX) { /* pair (prev, a) */
			size_t z = prv[a];
			ver[z]++;
			long r = rank_of(p + z, c - z);
			if (r >= 0)
				hpush(h, &hn, (hent){ r, z, ver[z] });
		}
	}
	free(nxt);
	free(prv);
	free(ver);
	free(h);
	return parts;
}

static long bpe_count(const unsigned char *p, size_t n, long *scratch_rank, size_t *scratch_pos)
{
	if (n == 1 || rank_of(p, n) >= 0)
		return 1;
	if (n > 256)
		return bpe_count_long(p, n);
	/* pos[0..m] are part boundaries; rank[k] is the rank of merging part k
	 * with part k+1 (LONG_MAX when that is not a token). */
	size_t m = n;
	for (size_t k = 0; k <= n; k++)
		scratch_pos[k] = k;
	for (size_t k = 0; k + 1 < m; k++) {
		long r = rank_of(p + k, 2);
		scratch_rank[k] = r < 0 ? LONG_MAX : r;
	}
	while (m > 1) {
		long best = LONG_MAX;
		size_t bi = 0;
		for (size_t k = 0; k + 1 < m; k++)
			if (scratch_rank[k] < best) {
				best = scratch_rank[k];
				bi = k;
			}
		if (best == LONG_MAX)
			break;
		/* Merge parts bi and bi+1. */
		memmove(scratch_pos + bi + 1, scratch_pos + bi + 2,
			(m - bi - 1) * sizeof *scratch_pos);
		memmove(scratch_rank + bi + 1, scratch_rank + bi + 2,
			(m > bi + 3 ? m - bi - 3 : 0) * sizeof *scratch_rank);
		m--;
		for (size_t k = bi ? bi - 1 : 0; k <= bi && k + 1 < m; k++) {
			size_t a = scratch_pos[k], b = scratch_pos[k + 2];
			long r = rank_of(p + a, b - a);
			scratch_rank[k] = r < 0 ? LONG_MAX : r;
		}
	}
	return (long)m;
}

long tokens_count(const char *text)
{
	if (!text || !*text)
		return 0;
	size_t blen = strlen(text);
	if (!atomic_load(&ranks_ready) && !ranks_usable())
		return (long)((blen + 3) / 4); /* no ranks: the usual estimate */
	cps t;
	t.cp = xmalloc(blen * sizeof *t.cp);
	t.cls = xmalloc(blen);
	t.off = xmalloc((blen + 1) * sizeof *t.off);
	t.n = 0;
	const unsigned char *s = (const unsigned char *)text;
	for (size_t i = 0; i < blen;) {
		/* an invalid byte is one "other" code point, U+FFFD, as the
		 * reference replaces them */
		uint32_t cp;
		size_t cl = utf8_decode(text + i, blen - i, &cp);
		if (cl == 0) {
			cl = 1;
			cp = 0xfffd;
		}
		t.cp[t.n] = cp;
		t.cls[t.n] = (unsigned char)uc_class(cp);
		t.off[t.n] = i;
		t.n++;
		i += cl;
	}
	t.off[t.n] = blen;
	long *rank = xmalloc((blen + 1) * sizeof *rank);
	size_t *pos = xmalloc((blen + 2) * sizeof *pos);
	long total = 0;
	for (size_t i = 0; i < t.n;) {
		size_t e = next_piece(&t, i);
		if (e <= i)
			e = i + 1; /* cannot happen: every code point matches something */
		total += bpe_count(s + t.off[i], t.off[e] - t.off[i], rank, pos);
		i = e;
	}
	free(rank);
	free(pos);
	free(t.cp);
	free(t.cls);
	free(t.off);
	return total;
}

/* Chat overhead (openai-cookbook): 3 per message, the role and content
 * encoded, 3 to prime the reply. */
long tokens_chat(const char *system_text, const char *user_text)
{
	long n = 3;
	if (system_text && *system_text)
		n += 3 + tokens_count("system") + tokens_count(system_text);
	n += 3 + tokens_count("user") + tokens_count(user_text ? user_text : "");
	return n;
}

/* ---- image tokens ---- */

typedef struct img_rule {
	const char *prefix;
	bool patch;
	int base, per_tile; /* tile models */
	long budget;        /* patch models */
	int maxdim;         /* patch pre-fit, 0 = none */
	double mult;
	bool deprecated; /* V3: "Deprecated and scheduled for shutdown" */
} img_rule;

/* Longest prefix first within a family.  Versions (apis.md 2): the newest
 * (V3) where it speaks, V2 otherwise. */
/* clang-format off */
static const img_rule img_rules[] = {
	{ "gpt-4o-mini", false, 2833, 5667, 0, 0, 0, false },
	{ "gpt-4o", false, 85, 170, 0, 0, 0, false },
	{ "chatgpt-4o", false, 85, 170, 0, 0, 0, false },
	{ "gpt-4.1-mini", true, 0, 0, 6144, 2048, 1.62, false },
	{ "gpt-4.1-nano", true, 0, 0, 1536, 2048, 2.46, true },
	{ "gpt-4.1", false, 85, 170, 0, 0, 0, false },
	{ "gpt-4.5", false, 85, 170, 0, 0, 0, false },
	{ "o4-mini", true, 0, 0, 1536, 2048, 1.72, true },
	{ "o1", false, 75, 150, 0, 0, 0, true },
	{ "o3", false, 75, 150, 0, 0, 0, true },
	{ "computer-use-preview", false, 65, 129, 0, 0, 0, false },
	{ "gpt-5-mini", true, 0, 0, 1536, 2048, 1.2, true },
	{ "gpt-5-nano", true, 0, 0, 1536, 2048, 1.5, true },
	{ "gpt-5.4-mini", true, 0, 0, 1536, 2048, 1.62, false },
	{ "gpt-5.4-nano", true, 0, 0, 1536, 2048, 2.46, false },
	{ "gpt-5.1", false, 70, 140, 0, 0, 0, false },
	{ "gpt-5.", true, 0, 0, 2500, 2048, 1.2, false },
	{ "gpt-5", false, 70, 140, 0, 0, 0, true },
};
/* clang-format on */

static const img_rule *img_rule_known(const char *model)
{
	const img_rule *best = NULL;
	size_t bl = 0;
	for (size_t i = 0; i < sizeof img_rules / sizeof img_rules[0]; i++) {
		size_t l = strlen(img_rules[i].prefix);
		if (l > bl && model && strncmp(model, img_rules[i].prefix, l) == 0) {
			best = &img_rules[i];
			bl = l;
		}
	}
	return best;
}

static const img_rule *img_rule_of(const char *model)
{
	const img_rule *r = img_rule_known(model);
	return r ? r : &img_rules[1]; /* unknown: price it as gpt-4o */
}

bool tokens_image_known(const char *model)
{
	return img_rule_known(model) != NULL;
}

bool tokens_image_deprecated(const char *model)
{
	const img_rule *r = img_rule_known(model);
	return r && r->deprecated;
}

bool tokens_image_patch(const char *model)
{
	return img_rule_of(model)->patch;
}

/* Fit in an m x m box, never enlarging, floor to whole pixels. */
static void fit_box(int *w, int *h, int m)
{
	int mx = *w > *h ? *w : *h;
	if (mx <= m)
		return;
	double s = (double)m / mx;
	*w = (int)floor(*w * s);
	*h = (int)floor(*h * s);
}

void tokens_tile_size(int w, int h, int *tw, int *th)
{
	fit_box(&w, &h, 2048);
	int mn = w < h ? w : h;
	if (mn > 768) {
		double s = 768.0 / mn;
		if (w <= h) {
			h = (int)floor(h * s);
			w = 768;
		} else {
			w = (int)floor(w * s);
			h = 768;
		}
	}
	*tw = w;
	*th = h;
}

long tokens_patch_size(int w, int h, long budget, int maxdim, int *pw, int *ph)
{
	if (maxdim > 0)
		fit_box(&w, &h, maxdim);
	long n = (long)((w + 31) / 32) * ((h + 31) / 32);
	if (n > budget) {
		double s = sqrt(1024.0 * budget / ((double)w * h));
		double sw = w * s / 32, sh = h * s / 32;
		double fw = floor(sw) / sw, fh = floor(sh) / sh;
		s *= fw < fh ? fw : fh;
		w = (int)floor(w * s);
		h = (int)floor(h * s);
		n = (long)((w + 31) / 32) * ((h + 31) / 32);
	}
	if (pw)
		*pw = w;
	if (ph)
		*ph = h;
	return n;
}

bool tokens_image_size(const char *model, const char *detail, int w, int h, int *tw, int *th)
{
	const img_rule *r = img_rule_of(model);
	if (w <= 0 || h <= 0) {
		*tw = w;
		*th = h;
		return r->patch;
	}
	if (r->patch) {
		/* V3: low, high and auto use the same sizing on patch models. */
		tokens_patch_size(w, h, r->budget, r->maxdim, tw, th);
	} else if (detail && strcmp(detail, "low") == 0) {
		/* The model looks at a 512 px version: sending more buys nothing. */
		*tw = w;
		*th = h;
		fit_box(tw, th, 512);
	} else {
		tokens_tile_size(w, h, tw, th);
	}
	return r->patch;
}

long tokens_image(const char *model, const char *detail, int w, int h)
{
	const img_rule *r = img_rule_of(model);
	if (r->patch) {
		long p = tokens_patch_size(w, h, r->budget, r->maxdim, NULL, NULL);
		return (long)ceil(p * r->mult - 1e-9);
	}
	if (detail && strcmp(detail, "low") == 0)
		return r->base;
	int tw, th;
	tokens_tile_size(w, h, &tw, &th);
	return r->base + (long)r->per_tile * ((tw + 511) / 512) * ((th + 511) / 512);
}

long tokens_gemini_text(const char *text)
{
	return text ? (long)((utf8_chars(text) + 3) / 4) : 0;
}

/* Both messages, as Gemini counts text (no message overhead). */
long tokens_gemini_chat(const char *system_text, const char *user_text)
{
	return tokens_gemini_text(system_text) + tokens_gemini_text(user_text);
}

/* Gemini 2.x: 258 tokens when both sides <= 384, else 258 per 768 x 768 tile. */
long tokens_gemini_image(int w, int h)
{
	if (w <= 384 && h <= 384)
		return 258;
	return 258L * ((w + 767) / 768) * ((h + 767) / 768);
}
