/* settings.c: defaults, the config file (`key = value`), derived settings
 * and the CSV-path mapping.  Command-line parsing is cli.c's: it calls
 * settings_set() once per option. */
#include "config.h"
#include "settings.h"
#include "i18n.h"
#include "provider.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/local/share/stockbatch"
#endif

/* clang-format off */
const setting_doc settings_docs[] = {
	{"provider", provider_default_name, N_("LLM provider: openai or gemini")},
	{"model", "gpt-4.1-mini", N_("model name (default gpt-4.1-mini for openai, gemini-2.5-flash-lite for gemini)")},
	{"openai_base_url", "https://api.openai.com/v1", N_("OpenAI API base URL (compatible gateways, Azure)")},
	{"gemini_base_url", "https://generativelanguage.googleapis.com", N_("Gemini API base URL")},
	{"key_file", "", N_("file holding the API key (mode 0600; group/world-readable files are refused)")},
	{"ca_file", "", N_("CA certificates (a PEM file) that HTTPS servers are checked against, e.g. a corporate proxy's (empty = the system's)")},
	{"media_csv", "./PhotoMedia.csv", N_("path of the library's PhotoMedia.csv")},
	{"state_dir", "", N_("state directory (default: .stockbatch beside the CSV)")},
	{"batch_size", "20", N_("photos per batch before it is sent")},
	{"alt_batch_size", "2000", N_("alternatives per text-only batch")},
	{"poll_interval", "60", N_("seconds between status polls of sent batches")},
	{"wait_timeout", "0", N_("seconds `retrieve` waits for results (0 = do not wait)")},
	{"network_timeout", "60", N_("seconds a call to the provider may stay silent before it is given up")},
	{"agencies", "shutterstock,adobestock,dreamstime", N_("enabled agencies, comma-separated")},
	{"alternatives", "bw,negative,sharpen", N_("alternative edit tags (without '_'), comma-separated")},
	{"jpeg_quality", "90", N_("JPEG quality of the images sent, 1 to 100")},
	{"image_detail", "high", N_("image detail: high, low or auto")},
	{"budget", "0", N_("USD cap per run, 0 = no cap")},
	{"title_max", "70", N_("title length cap (70 when adobestock is enabled, else 80)")},
	{"min_description", "50", N_("minimum characters of a description")},
	{"rpm", "60", N_("live mode: requests per minute")},
	{"tpm", "150000", N_("live mode: tokens per minute")},
	{"concurrency", "4", N_("live mode: concurrent requests")},
	{"live", "false", N_("live mode: send through the synchronous endpoints at full price instead of the Batch API")},
	{"backups", "10", N_("CSV backups kept")},
	{"archive_days", "365", N_("days after which completed batches are archived")},
	{"prices_max_age", "180", N_("days after which doctor calls the price table old (0 = never)")},
	{"path_map", "", N_("map a CSV path prefix to a local one: FROM => TO (repeatable)")},
	{"preview", "auto", N_("image preview: auto, symbols, kitty, sixel or iterm")},
	{"editorial_country", "Czech", N_("the country an editorial dialog starts with")},
	{"editorial_format", "origin", N_("editorial caption prefix: origin (DD MM YYYY), shutterstock (MONTH DAY, YEAR) or pond5 (MM/DD/YYYY)")},
	{"series_gap", "180", N_("series: most seconds between two frames of one series (0 = no series)")},
	{"series_distance", "18", N_("series: most bits a photo's picture hash may differ in from a series' frames, on average (0 to 64)")},
	{"locale", "", N_("user interface locale (empty = from the environment)")},
	{"data_dir", "", N_("installed data directory (prompts, categories, prices)")},
	{NULL, NULL, NULL},
};
/* clang-format on */

static const char *const known_agencies[] = { "shutterstock", "adobestock", "dreamstime", NULL };

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = v ? xstrdup(v) : NULL;
}

static void free_list(char **items, int *n)
{
	for (int i = 0; i < *n; i++) {
		free(items[i]);
		items[i] = NULL;
	}
	*n = 0;
}

/* Split "a, b,c" into items (trimmed, lowercased); -1 on too many or empty. */
static int parse_list(const char *v, char **items, int *n, int max)
{
	char *tmp[SB_MAX_AGENCIES > SB_MAX_ALTS ? SB_MAX_AGENCIES : SB_MAX_ALTS];
	int k = 0;
	const char *p = v;
	while (*p) {
		const char *comma = strchr(p, ',');
		const char *end = comma ? comma : p + strlen(p);
		const char *a = p, *b = end;
		while (a < b && isspace((unsigned char)*a))
			a++;
		while (b > a && isspace((unsigned char)b[-1]))
			b--;
		if (a < b) {
			if (k >= max) {
				for (int i = 0; i < k; i++)
					free(tmp[i]);
				return -1;
			}
			char *it = xstrndup(a, (size_t)(b - a));
			for (char *c = it; *c; c++)
				*c = (char)tolower((unsigned char)*c);
			tmp[k++] = it;
		}
		if (!comma)
			break;
		p = comma + 1;
	}
	free_list(items, n);
	for (int i = 0; i < k; i++)
		items[i] = tmp[i];
	*n = k;
	return 0;
}

void settings_defaults(settings *s)
{
	memset(s, 0, sizeof *s);
	s->provider = xstrdup(provider_default_name);
	s->openai_base_url = xstrdup("https://api.openai.com/v1");
	s->gemini_base_url = xstrdup("https://generativelanguage.googleapis.com");
	s->media_csv = xstrdup("./PhotoMedia.csv");
	s->batch_size = 20;
	s->alt_batch_size = 2000;
	s->poll_interval = 60;
	s->wait_timeout = 0;
	s->network_timeout = 60;
	parse_list("shutterstock,adobestock,dreamstime", s->agencies, &s->nagencies,
		   SB_MAX_AGENCIES);
	parse_list("bw,negative,sharpen", s->alternatives, &s->nalternatives, SB_MAX_ALTS);
	s->jpeg_quality = 90;
	s->image_detail = xstrdup("high");
	s->budget = 0;
	s->title_max = 0; /* derived in settings_finish */
	s->min_description = 50;
	s->rpm = 60;
	s->tpm = 150000;
	s->concurrency = 4;
	s->backups = 10;
	s->archive_days = 365;
	s->prices_max_age = 180;
	s->series_gap = 180;
	s->series_distance = 18;
	s->preview = xstrdup("auto");
	s->editorial_country = xstrdup("Czech");
	s->locale = xstrdup("");
}

static int set_one(settings *s, const char *key, const char *value, const char *origin, sb_err *e);

static long doc_index(const char *key)
{
	char k[64];
	size_t kl = strlen(key);
	if (kl >= sizeof k)
		return -1;
	for (size_t i = 0; i <= kl; i++)
		k[i] = key[i] == '-' ? '_' : key[i];
	for (long i = 0; settings_docs[i].key && i < SB_MAX_SETTINGS; i++)
		if (!strcmp(settings_docs[i].key, k))
			return i;
	return -1;
}

int settings_set(settings *s, const char *key, const char *value, const char *origin, sb_err *e)
{
	if (!origin)
		origin = _("command line");
	if (set_one(s, key, value, origin, e) < 0)
		return -1;
	long i = doc_index(key);
	if (i >= 0) {
		free(s->origin[i]);
		s->origin[i] = xstrdup(origin);
	}
	return 0;
}

const char *settings_origin(const settings *s, const char *key)
{
	long i = doc_index(key);
	return i >= 0 ? s->origin[i] : NULL;
}

void settings_free(settings *s)
{
	for (int i = 0; i < SB_MAX_SETTINGS; i++) {
		free(s->origin[i]);
		s->origin[i] = NULL;
	}
	free(s->provider);
	free(s->model);
	free(s->openai_base_url);
	free(s->gemini_base_url);
	free(s->key_file);
	free(s->ca_file);
	free(s->media_csv);
	free(s->state_dir);
	free_list(s->agencies, &s->nagencies);
	free_list(s->alternatives, &s->nalternatives);
	free(s->image_detail);
	for (int i = 0; i < s->nmaps; i++) {
		free(s->maps[i].from);
		free(s->maps[i].to);
	}
	free(s->preview);
	free(s->editorial_country);
	free(s->locale);
	free(s->data_dir);
	free(s->config_path);
	memset(s, 0, sizeof *s);
}

char *settings_default_path(void)
{
	const char *x = getenv("XDG_CONFIG_HOME");
	if (x && x[0] == '/')
		return xasprintf("%s/stockbatch/config", x);
	const char *home = getenv("HOME");
	if (!home || !*home) {
		struct passwd *pw = getpwuid(getuid());
		home = pw && pw->pw_dir ? pw->pw_dir : "/";
	}
	return xasprintf("%s/.config/stockbatch/config", home);
}

static int bad_value(sb_err *e, const char *origin, const char *key, const char *value,
		     const char *expected)
{
	return sb_fail(e, SBE_INPUT,
		       _("%s: bad value '%s' for '%s': expected %s (see stockbatch.conf(5))"),
		       origin, value, key, expected);
}

static int parse_int(const char *v, long lo, long hi, int *out)
{
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < lo || n > hi)
		return -1;
	*out = (int)n;
	return 0;
}

static bool one_of(const char *v, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(v, *set))
			return true;
	return false;
}

static int set_path_map(settings *s, const char *value, const char *origin, sb_err *e)
{
	const char *arrow = strstr(value, "=>");
	if (!arrow)
		return bad_value(e, origin, "path_map", value, _("FROM => TO"));
	const char *a = value, *b = arrow;
	while (a < b && isspace((unsigned char)*a))
		a++;
	while (b > a && isspace((unsigned char)b[-1]))
		b--;
	const char *c = arrow + 2, *d = arrow + strlen(arrow);
	while (c < d && isspace((unsigned char)*c))
		c++;
	while (d > c && isspace((unsigned char)d[-1]))
		d--;
	if (a == b || c == d)
		return bad_value(e, origin, "path_map", value, _("FROM => TO"));
	if (s->nmaps >= SB_MAX_PATHMAPS)
		return sb_fail(e, SBE_INPUT, _("%s: too many path_map lines (at most %d)"), origin,
			       SB_MAX_PATHMAPS);
	s->maps[s->nmaps].from = xstrndup(a, (size_t)(b - a));
	s->maps[s->nmaps].to = xstrndup(c, (size_t)(d - c));
	s->nmaps++;
	return 0;
}

/* ---- one setting's value: a parser per kind of value, a table per key ---- */

struct setting_parse;
typedef int (*parse_fn)(settings *s, const struct setting_parse *p, const char *value,
			const char *origin, sb_err *e);

typedef struct setting_parse {
	const char *key;
	parse_fn parse;
	size_t off;                 /* the field: offsetof(settings, ...) */
	long lo, hi;                /* parse_whole's range */
	const char *const *choices; /* parse_choice, parse_choice_index */
	const char *expected;       /* the choices as an error names them */
} setting_parse;

#define FIELD(type, s, p) ((type *)(void *)((char *)(s) + (p)->off))

static int parse_whole(settings *s, const setting_parse *p, const char *value, const char *origin,
		       sb_err *e)
{
	if (parse_int(value, p->lo, p->hi, FIELD(int, s, p)) == 0)
		return 0;
	char range[64];
	snprintf(range, sizeof range, _("a whole number from %ld to %ld"), p->lo, p->hi);
	return bad_value(e, origin, p->key, value, range);
}

static int parse_text(settings *s, const setting_parse *p, const char *value, const char *origin,
		      sb_err *e)
{
	(void)origin, (void)e;
	set_str(FIELD(char *, s, p), value);
	return 0;
}

/* Empty means unset (NULL): the default or a derived value applies. */
static int parse_optional(settings *s, const setting_parse *p, const char *value,
			  const char *origin, sb_err *e)
{
	(void)origin, (void)e;
	set_str(FIELD(char *, s, p), *value ? value : NULL);
	return 0;
}

static int parse_path(settings *s, const setting_parse *p, const char *value, const char *origin,
		      sb_err *e)
{
	if (!*value)
		return bad_value(e, origin, p->key, value, _("a file path"));
	set_str(FIELD(char *, s, p), value);
	return 0;
}

static int parse_url(settings *s, const setting_parse *p, const char *value, const char *origin,
		     sb_err *e)
{
	if (strncmp(value, "http://", 7) && strncmp(value, "https://", 8))
		return bad_value(e, origin, p->key, value, _("an http:// or https:// URL"));
	size_t n = strlen(value);
	while (n > 8 && value[n - 1] == '/')
		n--; /* base + "/files" must not give "//files" */
	char **dst = FIELD(char *, s, p);
	free(*dst);
	*dst = xstrndup(value, n);
	return 0;
}

static int parse_choice(settings *s, const setting_parse *p, const char *value, const char *origin,
			sb_err *e)
{
	if (!one_of(value, p->choices))
		return bad_value(e, origin, p->key, value, p->expected);
	set_str(FIELD(char *, s, p), value);
	return 0;
}

/* The choice kept as its index in p->choices. */
static int parse_choice_index(settings *s, const setting_parse *p, const char *value,
			      const char *origin, sb_err *e)
{
	int f = 0;
	while (p->choices[f] && strcmp(p->choices[f], value) != 0)
		f++;
	if (!p->choices[f])
		return bad_value(e, origin, p->key, value, p->expected);
	*FIELD(int, s, p) = f;
	return 0;
}

static int parse_bool(settings *s, const setting_parse *p, const char *value, const char *origin,
		      sb_err *e)
{
	static const char *const yes[] = { "true", "yes", "on", "1", NULL };
	static const char *const no[] = { "false", "no", "off", "0", NULL };
	if (one_of(value, yes))
		*FIELD(bool, s, p) = true;
	else if (one_of(value, no))
		*FIELD(bool, s, p) = false;
	else
		return bad_value(e, origin, p->key, value, "true, false");
	return 0;
}

static int parse_usd(settings *s, const setting_parse *p, const char *value, const char *origin,
		     sb_err *e)
{
	char *end;
	errno = 0;
	double d = strtod(value, &end);
	if (errno || end == value || *end || !(d >= 0 && d < 1e9))
		return bad_value(e, origin, p->key, value, _("a USD amount, 0 = no cap"));
	*FIELD(double, s, p) = d;
	return 0;
}

static int parse_provider(settings *s, const setting_parse *p, const char *value,
			  const char *origin, sb_err *e)
{
	if (!provider_lookup(value)) {
		char *names = provider_names(", ");
		int rc = bad_value(e, origin, p->key, value, names);
		free(names);
		return rc;
	}
	set_str(FIELD(char *, s, p), value);
	return 0;
}

static int parse_agencies(settings *s, const setting_parse *p, const char *value,
			  const char *origin, sb_err *e)
{
	char *items[SB_MAX_AGENCIES] = { 0 };
	int n = 0;
	if (parse_list(value, items, &n, SB_MAX_AGENCIES) < 0 || n == 0)
		return bad_value(e, origin, p->key, value, p->expected);
	for (int i = 0; i < n; i++) {
		if (!one_of(items[i], p->choices)) {
			free_list(items, &n);
			return bad_value(e, origin, p->key, value, p->expected);
		}
	}
	free_list(s->agencies, &s->nagencies);
	memcpy(s->agencies, items, sizeof items);
	s->nagencies = n;
	return 0;
}

/* Alternative edit tags: letters and digits (the '_' joins a tag to a name). */
static int parse_tags(settings *s, const setting_parse *p, const char *value, const char *origin,
		      sb_err *e)
{
	char *items[SB_MAX_ALTS] = { 0 };
	int n = 0;
	if (parse_list(value, items, &n, SB_MAX_ALTS) < 0)
		return bad_value(e, origin, p->key, value, _("at most 8 tags like bw,negative"));
	for (int i = 0; i < n; i++) {
		for (const char *c = items[i]; *c; c++) {
			if (!isalnum((unsigned char)*c)) {
				free_list(items, &n);
				return bad_value(e, origin, p->key, value,
						 _("tags of letters and digits, without '_'"));
			}
		}
	}
	free_list(s->alternatives, &s->nalternatives);
	memcpy(s->alternatives, items, sizeof items);
	s->nalternatives = n;
	return 0;
}

static int parse_path_map(settings *s, const setting_parse *p, const char *value,
			  const char *origin, sb_err *e)
{
	(void)p;
	return set_path_map(s, value, origin, e);
}

static const char *const details[] = { "high", "low", "auto", NULL };
static const char *const previews[] = { "auto", "symbols", "kitty", "sixel", "iterm", NULL };
static const char *const caption_formats[] = { "origin", "shutterstock", "pond5", NULL };

/* clang-format off */
#define WHOLE(k, lo, hi) { #k, parse_whole, offsetof(settings, k), lo, hi, NULL, NULL }
#define OF(k, fn) { #k, fn, offsetof(settings, k), 0, 0, NULL, NULL }
#define CHOICE(k, fn, set, said) { #k, fn, offsetof(settings, k), 0, 0, set, said }

/* One line per key of settings_docs (test_settings sets each). */
static const setting_parse setting_parsers[] = {
	WHOLE(batch_size, 1, 50000),
	WHOLE(alt_batch_size, 1, 50000),
	WHOLE(poll_interval, 1, 86400),
	WHOLE(wait_timeout, 0, 7 * 86400),
	WHOLE(network_timeout, 1, 3600),
	WHOLE(jpeg_quality, 1, 100),
	WHOLE(title_max, 10, 200),
	WHOLE(min_description, 0, 10000),
	WHOLE(rpm, 1, 1000000),
	WHOLE(tpm, 1, INT_MAX),
	WHOLE(concurrency, 1, 256),
	WHOLE(backups, 0, 10000),
	WHOLE(archive_days, 1, 100000),
	WHOLE(prices_max_age, 0, 100000),
	WHOLE(series_gap, 0, 86400),
	WHOLE(series_distance, 0, 64),
	OF(provider, parse_provider),
	OF(model, parse_optional),
	OF(openai_base_url, parse_url),
	OF(gemini_base_url, parse_url),
	OF(key_file, parse_optional),
	OF(ca_file, parse_optional),
	OF(media_csv, parse_path),
	OF(state_dir, parse_optional),
	OF(data_dir, parse_optional),
	CHOICE(agencies, parse_agencies, known_agencies, "shutterstock, adobestock, dreamstime"),
	OF(alternatives, parse_tags),
	OF(live, parse_bool),
	CHOICE(image_detail, parse_choice, details, "high, low, auto"),
	CHOICE(preview, parse_choice, previews, "auto, symbols, kitty, sixel, iterm"),
	CHOICE(editorial_format, parse_choice_index, caption_formats, "origin, shutterstock, pond5"),
	OF(editorial_country, parse_text),
	OF(locale, parse_text),
	OF(budget, parse_usd),
	{ "path_map", parse_path_map, 0, 0, 0, NULL, NULL },
};
/* clang-format on */

static int set_one(settings *s, const char *key, const char *value, const char *origin, sb_err *e)
{
	if (!value)
		value = "";
	/* Options spelled --batch-size reach us as batch-size. */
	char k[64];
	size_t kl = strlen(key);
	for (size_t i = 0; kl < sizeof k && i <= kl; i++)
		k[i] = key[i] == '-' ? '_' : key[i];
	for (size_t i = 0; kl < sizeof k && i < sizeof setting_parsers / sizeof setting_parsers[0];
	     i++)
		if (!strcmp(k, setting_parsers[i].key))
			return setting_parsers[i].parse(s, &setting_parsers[i], value, origin, e);
	return sb_fail(e, SBE_INPUT, _("%s: unknown setting '%s' (see stockbatch.conf(5))"), origin,
		       key);
}

int settings_load_file(settings *s, const char *path, bool must_exist, sb_err *e)
{
	char *data;
	size_t len;
	sb_err e2;
	if (read_whole_file(path, &data, &len, &e2) < 0) {
		if (e2.code == SBE_NOTFOUND && !must_exist)
			return 0;
		return sb_fail(e, e2.code == SBE_NOTFOUND ? SBE_INPUT : e2.code,
			       _("%s; create it or fix the --config option"), e2.msg);
	}
	set_str(&s->config_path, path);
	char *p = data;
	if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
		p += 3;
	int lineno = 0, rc = 0;
	while (p && *p && rc == 0) {
		lineno++;
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = 0;
		char *line = p;
		p = nl ? nl + 1 : NULL;
		size_t n = strlen(line);
		while (n && isspace((unsigned char)line[n - 1]))
			line[--n] = 0;
		while (isspace((unsigned char)*line))
			line++;
		if (!*line || *line == '#')
			continue;
		char origin[PATH_MAX + 32];
		snprintf(origin, sizeof origin, "%s:%d", path, lineno);
		if (!utf8_valid(line, strlen(line), NULL)) {
			rc = sb_fail(e, SBE_INPUT, _("%s: not valid UTF-8; save the file as UTF-8"),
				     origin);
			break;
		}
		char *eq = strchr(line, '=');
		/* "path_map = A => B": the first '=' that is not part of "=>". */
		if (!eq || eq == line) {
			rc = sb_fail(e, SBE_INPUT,
				     _("%s: expected 'key = value' (see stockbatch.conf(5))"),
				     origin);
			break;
		}
		char *kend = eq;
		while (kend > line && isspace((unsigned char)kend[-1]))
			kend--;
		*kend = 0;
		char *val = eq + 1;
		while (isspace((unsigned char)*val))
			val++;
		size_t vl = strlen(val);
		if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"') {
			val[vl - 1] = 0;
			val++;
		}
		rc = settings_set(s, line, val, origin, e);
	}
	free(data);
	return rc;
}

void settings_finish(settings *s)
{
	if (!s->model || !*s->model)
		set_str(&s->model, provider_caps_named(s->provider)->default_model);
	if (!s->state_dir || !*s->state_dir) {
		char *dir = path_dirname(s->media_csv);
		free(s->state_dir);
		s->state_dir = path_join(dir, ".stockbatch");
		free(dir);
	}
	if (s->title_max <= 0)
		s->title_max = settings_agency_enabled(s, "adobestock") ? 70 : 80;
	if (!s->data_dir)
		s->data_dir = xstrdup(data_dir());
}

bool settings_agency_enabled(const settings *s, const char *agency)
{
	for (int i = 0; i < s->nagencies; i++)
		if (!strcasecmp(s->agencies[i], agency))
			return true;
	return false;
}

/* Length of `from` matched at the start of `cesta`, separators and the drive
 * letter normalised, ending at a path boundary; 0 if no match. */
static size_t prefix_match(const char *from, const char *cesta)
{
	size_t i = 0;
	for (; from[i]; i++) {
		char a = from[i] == '\\' ? '/' : from[i];
		char b = cesta[i] == '\\' ? '/' : cesta[i];
		if (!b)
			return 0;
		bool drive = i == 0 && from[1] == ':';
		if (drive ? tolower((unsigned char)a) != tolower((unsigned char)b) : a != b)
			return 0;
	}
	char last = from[i - 1];
	if (last == '/' || last == '\\' || !cesta[i] || cesta[i] == '/' || cesta[i] == '\\')
		return i;
	return 0;
}

char *settings_map_path(const settings *s, const char *cesta)
{
	size_t best = 0;
	int bi = -1;
	for (int i = 0; i < s->nmaps; i++) {
		size_t m = s->maps[i].from[0] ? prefix_match(s->maps[i].from, cesta) : 0;
		if (m > best) {
			best = m;
			bi = i;
		}
	}
	if (bi < 0)
		return xstrdup(cesta);
	sbuf b = { 0 };
	const char *to = s->maps[bi].to;
	size_t tl = strlen(to);
	while (tl > 1 && (to[tl - 1] == '/' || to[tl - 1] == '\\'))
		tl--;
	sbuf_add(&b, to, tl);
	const char *rest = cesta + best;
	if (*rest && *rest != '/' && *rest != '\\')
		sbuf_addc(&b, '/');
	for (; *rest; rest++)
		sbuf_addc(&b, *rest == '\\' ? '/' : *rest);
	return sbuf_steal(&b);
}

static void dump_list(FILE *out, const char *key, char *const *items, int n)
{
	fprintf(out, "%s = ", key);
	for (int i = 0; i < n; i++)
		fprintf(out, "%s%s", i ? "," : "", items[i]);
	fputc('\n', out);
}

void settings_dump(const settings *s, FILE *out)
{
#define STR(k, v) fprintf(out, "%s = %s\n", k, (v) ? (v) : "")
#define INT(k, v) fprintf(out, "%s = %d\n", k, v)
	STR("provider", s->provider);
	STR("model", s->model);
	STR("openai_base_url", s->openai_base_url);
	STR("gemini_base_url", s->gemini_base_url);
	STR("key_file", s->key_file);
	STR("ca_file", s->ca_file);
	STR("media_csv", s->media_csv);
	STR("state_dir", s->state_dir);
	INT("batch_size", s->batch_size);
	INT("alt_batch_size", s->alt_batch_size);
	INT("poll_interval", s->poll_interval);
	INT("wait_timeout", s->wait_timeout);
	INT("network_timeout", s->network_timeout);
	dump_list(out, "agencies", s->agencies, s->nagencies);
	dump_list(out, "alternatives", s->alternatives, s->nalternatives);
	INT("jpeg_quality", s->jpeg_quality);
	STR("image_detail", s->image_detail);
	fprintf(out, "budget = %g\n", s->budget);
	INT("title_max", s->title_max);
	INT("min_description", s->min_description);
	INT("rpm", s->rpm);
	INT("tpm", s->tpm);
	INT("concurrency", s->concurrency);
	STR("live", s->live ? "true" : "false");
	INT("backups", s->backups);
	INT("archive_days", s->archive_days);
	INT("prices_max_age", s->prices_max_age);
	for (int i = 0; i < s->nmaps; i++)
		fprintf(out, "path_map = %s => %s\n", s->maps[i].from, s->maps[i].to);
	STR("preview", s->preview);
	STR("editorial_country", s->editorial_country);
	STR("editorial_format", s->editorial_format == 1   ? "shutterstock"
				: s->editorial_format == 2 ? "pond5"
							   : "origin");
	INT("series_gap", s->series_gap);
	INT("series_distance", s->series_distance);
	STR("locale", s->locale);
	STR("data_dir", s->data_dir);
#undef STR
#undef INT
}

const char *data_dir(void)
{
	static char built[PATH_MAX];
	const char *d = getenv("STOCKBATCH_DATADIR");
	if (d && *d)
		return d;
	d = uninstalled_subdir("data", built, sizeof built);
	return d ? d : PKGDATADIR;
}
