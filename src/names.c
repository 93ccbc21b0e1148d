/* names.c: the text rules that are not about one agency's limits, out of
 * agency.c: model text made safe for the CSV (spaces, escape sequences and
 * their leftovers, invisible and bidi characters, NFC), URLs, and names of
 * real people ("Givenname Surname", a given name as a keyword) with the
 * place names that look like them ("Charles Bridge", "St. Vitus"); the
 * given-name list (data/given-names.txt) is read into agency_lists here. */
#include "config.h"
#include "agency_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---------------------------------------------------------------- text */

/* Control characters become spaces, runs of spaces one space, ends trimmed.
 * Returns true if anything changed.  Works in place. */
bool text_squeeze_spaces(char *s)
{
	char *w = s;
	bool changed = false, space = true; /* true: drop leading spaces */
	for (const char *r = s; *r; r++) {
		unsigned char c = (unsigned char)*r;
		if (c < 0x20 || c == 0x7F || c == ' ') {
			if (c != ' ')
				changed = true;
			if (space) {
				changed = true;
				continue;
			}
			space = true;
			*w++ = ' ';
			continue;
		}
		space = false;
		*w++ = (char)c;
	}
	if (w > s && w[-1] == ' ') {
		w--;
		changed = true;
	}
	*w = 0;
	return changed;
}

bool text_has_url(const char *s)
{
	return strcasestr(s, "http://") || strcasestr(s, "https://") || strcasestr(s, "www.");
}

/* What no agency accepts in model text: escape sequences and what is left of
 * them once ESC is gone ("[31m"), C0 and C1 controls other than white space,
 * bidi embeddings, overrides and isolates (U+202A..202E, U+2066..2069, the
 * marks U+200E, U+200F, U+061C), zero-width characters (U+200B..200D,
 * U+2060, U+FEFF) and soft hyphens; then Unicode NFC.  White space controls
 * become spaces (squeeze_spaces tidies them).  A new string; *changed is set
 * when it differs. */
static size_t escape_leftover(const char *s)
{
	/* "[31m", "[0m", "[1;31m", "[38;5;200m", "[2K", "[m": CSI without its ESC */
	if (*s != '[')
		return 0;
	size_t i = 1;
	while (i < 16 && (isdigit((unsigned char)s[i]) || s[i] == ';'))
		i++;
	if (s[i] && strchr("mKJHfABCDGsu", s[i]) &&
	    (i > 1 || (s[i] == 'm' && !isalpha((unsigned char)s[i + 1]))))
		return i + 1; /* "[main]" is a word, not an escape */
	return 0;
}

static size_t escape_sequence(const char *s)
{
	if (*s != 0x1B)
		return 0;
	size_t i = 1;
	if (s[1] == '[') { /* CSI: parameters, intermediates, a final byte */
		for (i = 2; s[i] && (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] <= 0x3F; i++)
			;
		while (s[i] && (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] <= 0x2F)
			i++;
		return s[i] && (unsigned char)s[i] >= 0x40 && (unsigned char)s[i] <= 0x7E ? i + 1
											  : i;
	}
	if (s[1] == ']') { /* OSC up to BEL or ESC \ */
		for (i = 2; s[i] && s[i] != 0x07 && s[i] != 0x1B; i++)
			;
		if (s[i] == 0x07)
			return i + 1;
		return s[i] == 0x1B && s[i + 1] == '\\' ? i + 2 : i;
	}
	/* a two-byte escape ends in an ASCII byte; a UTF-8 lead byte after a
	 * lone ESC starts a character, which stays */
	return (unsigned char)s[1] >= 0x20 && (unsigned char)s[1] < 0x7F ? 2 : 1;
}

static bool invisible_cp(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F || cp == 0x061C ||
	       (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF || cp == 0xAD;
}

static char *clean_once(const char *s, bool *changed)
{
	sbuf b = { 0 };
	sbuf_adds(&b, "");
	size_t n = strlen(s);
	bool ch = false;
	for (size_t i = 0; i < n;) {
		size_t k = escape_sequence(s + i);
		if (!k)
			k = escape_leftover(s + i);
		if (k) {
			i += k;
			ch = true;
			continue;
		}
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7F) {
			if (c == '\t' || c == '\n' || c == '\r')
				sbuf_addc(&b, ' ');
			ch = true;
			i++;
			continue;
		}
		uint32_t cp;
		size_t l = utf8_decode(s + i, n - i, &cp);
		if (!l) { /* not UTF-8: meta_parse refuses it; keep the byte */
			sbuf_addc(&b, (char)c);
			i++;
			continue;
		}
		if (invisible_cp(cp))
			ch = true;
		else
			sbuf_add(&b, s + i, l);
		i += l;
	}
	char *raw = sbuf_steal(&b);
	char *nfc = utf8_nfc(raw);
	ch |= strcmp(nfc, raw) != 0;
	free(raw);
	*changed = ch;
	return nfc;
}

/* Removing one escape can join what is left into another ("[3[31mm"
 * becomes "[3m"): cleaned again until nothing changes, so a second
 * validation finds nothing to repair.  Every change but NFC's shortens the
 * text, and NFC of NFC text is itself: this ends. */
char *meta_clean_text(const char *s, bool *changed)
{
	bool ch = false, again;
	char *t = clean_once(s, &ch);
	while (ch) {
		char *u = clean_once(t, &again);
		bool same = !strcmp(u, t);
		free(t);
		t = u;
		if (same)
			break;
	}
	if (changed)
		*changed = ch;
	return t;
}

/* ------------------------------------------------------ names of people */

/* A word after a given name that makes the pair a place, not a person
 * ("Charles Bridge", "Victoria Station", "Karlův most"), also as the word
 * after a surname ("Franz Kafka Museum", "John Lennon Wall").  Folded. */
/* clang-format off */
static const char *const place_after[] = {
	"bridge", "street", "st", "square", "church", "cathedral", "basilica", "chapel", "abbey",
	"monastery", "convent", "temple", "mosque", "synagogue", "castle", "palace", "tower", "gate",
	"hall", "house", "museum", "gallery", "theatre", "theater", "opera", "park", "garden", "gardens",
	"lake", "river", "hill", "hills", "mountain", "mountains", "mount", "peak", "valley", "falls",
	"bay", "beach", "island", "islands", "coast", "harbour", "harbor", "port", "station", "airport",
	"avenue", "road", "lane", "boulevard", "embankment", "quay", "wharf", "pier", "canal", "dam",
	"memorial", "monument", "statue", "fountain", "column", "plaza", "wall", "school", "university",
	"college", "hospital", "stadium", "arena", "center", "centre", "market", "forest", "wood",
	"woods", "hotel", "library", "cemetery", "trench", "strait", "glacier", "reservoir", "national",
	"platz", "strasse", "gasse", "brucke", "kirche", "dom", "ulice", "ulica", "namesti", "most",
	"nabrezi", "sady", "hrad", "zamek", "kostel", "katedrala", "bazilika", "klaster", "trida",
	"rozhledna", "ponte", "piazza", "via", "chiesa", "duomo", "rue", "pont", "place", "eglise",
	"cathedrale", "calle", "iglesia", "puente", "catedral", "plac", "kosciol", NULL
};
/* clang-format on */
/* A word before a given name that makes it a saint or a place ("St. Vitus",
 * "Svatý Václav", "San Marco", "Mount Vernon").  Folded. */
/* clang-format off */
static const char *const place_before[] = {
	"st", "saint", "sainte", "sv", "svaty", "svata", "svate", "svateho", "svatej", "sveti",
	"sveta", "san", "santa", "santo", "sao", "sankt", "mount", "mt", "lake", "fort", "cape", "port",
	"isle", "lago", "monte", "porto", "cap", NULL
};
/* clang-format on */
/* Words that are no surname even when capitalised (Title Case). */
/* clang-format off */
static const char *const not_surname[] = {
	"and", "or", "in", "at", "on", "with", "of", "the", "a", "an", "by", "for", "from", "to",
	"near", "under", "over", "is", "are", "was", "as", "its", "his", "her", "their", "during",
	"while", "into", "s", NULL
};
/* clang-format on */

static bool in_list(const char *const *list, const char *w)
{
	for (; *list; list++)
		if (!strcmp(*list, w))
			return true;
	return false;
}

static const sm_entry *given_name(const agency_lists *l, const char *fold)
{
	return l && l->names.n ? strmap_find(&l->names, fold) : NULL;
}

typedef struct word {
	size_t start, end; /* bytes in the text */
	char *fold;
	bool upper;  /* starts with a capital */
	bool joined; /* only spaces between it and the next word */
} word;

static size_t split_words(const char *s, word **out)
{
	size_t n = 0, cap = 0, len = strlen(s);
	word *w = NULL;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = utf8_decode(s + i, len - i, &cp);
		if (!k || !utf8_is_letter(cp)) {
			i += k ? k : 1;
			continue;
		}
		size_t st = i;
		while (i < len && (k = utf8_decode(s + i, len - i, &cp)) && utf8_is_letter(cp))
			i += k;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			w = xrealloc(w, cap * sizeof *w);
		}
		char *raw = xstrndup(s + st, i - st);
		size_t sp = i;
		while (sp < len && s[sp] == ' ')
			sp++;
		w[n] = (word){ st, i, utf8_fold(raw), utf8_starts_upper(raw), sp > i && sp < len };
		if (w[n].joined) { /* the next character must start a word */
			k = utf8_decode(s + sp, len - sp, &cp);
			w[n].joined = k && utf8_is_letter(cp);
		}
		free(raw);
		n++;
	}
	*out = w;
	return n;
}

static void words_free(word *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(w[i].fold);
	free(w);
}

/* Text written in Title Case: most longer words capitalised.  Then a name
 * that is also an ordinary word ("Rose Garden") does not count. */
static bool title_case(const word *w, size_t n)
{
	size_t longw = 0, up = 0;
	for (size_t i = 1; i < n; i++) /* the first word is capitalised anyway */
		if (strlen(w[i].fold) >= 4 && !in_list(not_surname, w[i].fold)) {
			longw++;
			up += w[i].upper;
		}
	return longw >= 2 && up * 4 >= longw * 3;
}

/* Is word i a given name that names a person here?  *tcase: title_case()
 * of the text, -1 until needed. */
static bool person_at(const agency_lists *l, const word *w, size_t n, size_t i, bool keyword,
		      int *tcase)
{
	const sm_entry *g = given_name(l, w[i].fold);
	if (!g || (i > 0 && in_list(place_before, w[i - 1].fold)))
		return false;
	bool next = i + 1 < n && w[i].joined;
	if (next && (in_list(place_after, w[i + 1].fold) ||
		     (i + 2 < n && w[i + 1].joined && in_list(place_after, w[i + 2].fold))))
		return false;
	if (keyword) /* lower case already: a plain name counts, an ordinary word never */
		return !g->aux && (!next || !in_list(not_surname, w[i + 1].fold));
	/* running text: "Givenname Surname", both capitalised */
	if (!w[i].upper || !next || !w[i + 1].upper)
		return false;
	if (g->aux && *tcase < 0)
		*tcase = title_case(w, n);
	if (g->aux && *tcase)
		return false;
	return strlen(w[i + 1].fold) >= 2 && !in_list(not_surname, w[i + 1].fold);
}

bool agency_find_name(const agency_lists *l, const char *text, bool keyword, char *out,
		      size_t outsz)
{
	if (!l || !l->names.n || !text)
		return false;
	word *w;
	size_t n = split_words(text, &w);
	int tcase = -1;
	bool hit = false;
	for (size_t i = 0; i < n && !hit; i++) {
		if (!person_at(l, w, n, i, keyword, &tcase))
			continue;
		hit = true;
		size_t end = i + 1 < n && w[i].joined ? w[i + 1].end : w[i].end;
		if (out && outsz)
			snprintf(out, outsz, "%.*s", (int)(end - w[i].start), text + w[i].start);
	}
	words_free(w, n);
	return hit;
}

/* data/given-names.txt: one name a line, '~' before a name that is also an
 * ordinary word or a place, '#' comments. */
void agency_lists_add_names(agency_lists *l, const char *data)
{
	char *copy = xstrdup(data), *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		text_squeeze_spaces(line);
		if (!*line || *line == '#')
			continue;
		bool ord = *line == '~', added;
		char *f = utf8_fold(line + ord);
		if (*f) {
			if (!l->names.copy && !l->names.n)
				strmap_init(&l->names, true);
			sm_entry *e = strmap_add(&l->names, f, &added);
			e->aux = added ? ord : (e->aux | ord); /* "Martín" and "~Martin" */
		}
		free(f);
	}
	free(copy);
}
