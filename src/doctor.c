/* doctor.c: `stockbatch doctor` (see doctor.h).  Every failed check says
 * what to do; the key is only ever named by where it came from. */
#include "config.h"
#include "doctor.h"
#include "archive.h"
#include "cost.h"
#include "http.h"
#include "i18n.h"
#include "provider.h"
#include "report.h"

#include <csv.h>
#include <curl/curl.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unistring/version.h>
#if __has_include(<jconfig.h>)
#include <jconfig.h> /* LIBJPEG_TURBO_VERSION: libjpeg-turbo's headers */
#endif

typedef struct dr {
	FILE *out;
	int fails, warns, oks;
	json_object *checks; /* --json: the checks, printed at the end */
} dr;

static void line(dr *d, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void line(dr *d, int level, const char *fmt, ...)
{
	/* level: 0 ok, 1 warning, 2 failure */
	va_list ap;
	va_start(ap, fmt);
	char msg[2048];
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (d->checks) {
		json_object *c = json_object_new_object();
		report_jadd_str(c, "level", level == 0 ? "ok" : level == 1 ? "warn" : "fail");
		report_jadd_str(c, "message", msg);
		json_object_array_add(d->checks, c);
	} else {
		const char *tag = level == 0 ? _("ok") : level == 1 ? _("warn") : _("FAIL");
		fprintf(d->out, "  %-5s %s\n", tag, msg);
	}
	if (level == 0)
		d->oks++;
	else if (level == 1)
		d->warns++;
	else
		d->fails++;
}

static void check_dirs(dr *d, const settings *cfg)
{
	const char *dd = cfg->data_dir && *cfg->data_dir ? cfg->data_dir : data_dir();
	char *cats = path_join(dd, "adobestock-categories.txt");
	if (file_exists(cats))
		line(d, 0, _("data directory %s"), dd);
	else
		line(d, 2,
		     _("data directory %s lacks the category lists: reinstall, or set STOCKBATCH_DATADIR or data_dir"),
		     dd);
	free(cats);

	if (!cfg->media_csv || !*cfg->media_csv)
		line(d, 2,
		     _("no media CSV configured: set media_csv in the config file or pass --csv"));
	else if (access(cfg->media_csv, R_OK) == 0)
		line(d, access(cfg->media_csv, W_OK) == 0 ? 0 : 1,
		     access(cfg->media_csv, W_OK) == 0
			     ? _("media CSV %s is readable and writable")
			     : _("media CSV %s is read-only: results cannot be committed"),
		     cfg->media_csv);
	else
		line(d, 2, _("media CSV %s: %s (set media_csv or pass --csv)"), cfg->media_csv,
		     strerror(errno));

	if (cfg->state_dir && *cfg->state_dir) {
		struct stat st;
		if (stat(cfg->state_dir, &st) == 0)
			line(d, access(cfg->state_dir, W_OK) == 0 ? 0 : 2,
			     access(cfg->state_dir, W_OK) == 0
				     ? _("state directory %s")
				     : _("state directory %s is not writable"),
			     cfg->state_dir);
		else {
			char *parent = path_dirname(cfg->state_dir);
			line(d, access(parent, W_OK) == 0 ? 0 : 2,
			     access(parent, W_OK) == 0
				     ? _("state directory %s will be created")
				     : _("state directory %s cannot be created: its parent is not writable"),
			     cfg->state_dir);
			free(parent);
		}
	}
}

/* The price table's age: its "checked" line against prices_max_age. */
static void check_prices(dr *d, const settings *cfg)
{
	char checked[16], source[256];
	sb_err e;
	sb_err_clear(&e);
	if (prices_load(NULL, &e) < 0) {
		line(d, 2, "%s", e.msg);
		return;
	}
	prices_info(checked, source, sizeof source);
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	char *end = checked[0] ? strptime(checked, "%Y-%m-%d", &tm) : NULL;
	if (!end || *end) {
		line(d, 1,
		     _("the price table has no \"checked = YYYY-MM-DD\" line: compare its prices with "
		       "the provider's pricing page and add one"));
		return;
	}
	long days = (long)((time(NULL) - timegm(&tm)) / 86400);
	if (cfg->prices_max_age > 0 && days > cfg->prices_max_age)
		line(d, 1,
		     _("the price table was checked %ld days ago (%s; prices_max_age %d): compare it with "
		       "%s and update prices.conf"),
		     days, checked, cfg->prices_max_age,
		     source[0] ? source : _("the provider's pricing page"));
	else
		line(d, 0, _("price table checked %s (%s)"), checked,
		     source[0] ? source : _("no source named"));
}

static void check_curl(dr *d)
{
	curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
	if (!v->ssl_version)
		line(d, 2,
		     _("libcurl %s has no TLS support: install libcurl4-openssl-dev's runtime (libcurl4)"),
		     v->version);
	else
		line(d, 0, _("libcurl %s with %s (certificates verified)"), v->version,
		     v->ssl_version);
}

/* The setting ca_file: a readable file, used by the network check below. */
static void check_ca_file(dr *d, const settings *cfg)
{
	http_set_ca_file(cfg->ca_file);
	if (!cfg->ca_file)
		return;
	FILE *f = fopen(cfg->ca_file, "r");
	if (!f)
		line(d, 2, _("cannot read the CA certificate file %s (ca_file): %s"), cfg->ca_file,
		     strerror(errno));
	else
		line(d, 0, _("HTTPS servers checked against the CA certificates in %s (ca_file)"),
		     cfg->ca_file);
	if (f)
		fclose(f);
}

#define SB_STR(x) #x
#define SB_XSTR(x) SB_STR(x)

void doctor_library_versions(FILE *out)
{
	curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
	fprintf(out, "  libcurl %s%s%s\n", v->version, v->ssl_version ? " " : "",
		v->ssl_version ? v->ssl_version : "");
	fprintf(out, "  json-c %s\n", json_c_version());
	fprintf(out, "  libcsv %d.%d.%d\n", CSV_MAJOR, CSV_MINOR, CSV_RELEASE);
	fprintf(out, "  libunistring %d.%d.%d\n", _libunistring_version >> 16,
		(_libunistring_version >> 8) & 0xff, _libunistring_version & 0xff);
#ifdef LIBJPEG_TURBO_VERSION
	fprintf(out, "  libjpeg-turbo %s\n", SB_XSTR(LIBJPEG_TURBO_VERSION));
#else
	fputs("  libjpeg-turbo\n", out);
#endif
	fprintf(out, "  %s\n", archive_library_version());
}

/* A cheap authenticated GET: the model list. */
static void check_network(dr *d, const settings *cfg, const char *name, const provider_caps *caps,
			  const char *key)
{
	const char *base = caps->base_url(cfg);
	if (!base || !*base)
		base = caps->default_base_url;
	size_t bl = strlen(base);
	while (bl > 1 && base[bl - 1] == '/')
		bl--;
	char *url = xasprintf("%.*s%s", (int)bl, base, caps->probe_path);
	char *auth = xasprintf("%s%s", caps->auth_scheme, key);
	http_header h[] = { { caps->auth_header, auth } };
	char *hint = xasprintf(_("Set a valid key in %s or in the key file."), caps->key_env);
	http_req rq = { .method = "GET",
			.url = url,
			.headers = h,
			.nheaders = 1,
			.max_tries = 2,
			.timeout_s = 30,
			.max_body = 1 << 20, /* a page of the model list */
			.auth_hint = hint };
	http_resp resp;
	sb_err e = { 0 };
	double t0 = now_mono();
	int rc = http_do(&rq, &resp, &e);
	double ms = (now_mono() - t0) * 1000;
	if (rc == 0)
		line(d, 0, _("%s answers at %.*s (%.0f ms), the key is accepted"), name, (int)bl,
		     base, ms);
	else if (e.code == SBE_RATE)
		line(d, 1, _("%s answers but rate-limits now (HTTP 429): try again later"), name);
	else
		line(d, 2, "%s", e.msg);
	http_resp_free(&resp);
	memset(auth, 0, strlen(auth));
	free(auth);
	free(hint);
	free(url);
}

/* The end: a count line, or with --json the whole document. */
static int finish(dr *d, const char *name, const settings *cfg)
{
	if (d->checks) {
		json_object *o = json_object_new_object();
		report_jadd_str(o, "provider", name);
		report_jadd_str(o, "model", cfg->model);
		report_jadd_str(o, "config", cfg->config_path);
		json_object_object_add(o, "checks", d->checks);
		report_jadd_int(o, "passed", d->oks);
		report_jadd_int(o, "warnings", d->warns);
		report_jadd_int(o, "failed", d->fails);
		json_object_object_add(o, "ok", json_object_new_boolean(d->fails == 0));
		report_json_print(o, d->out);
		d->checks = NULL;
	} else if (d->fails)
		fprintf(d->out, P_("%d check failed.\n", "%d checks failed.\n", d->fails),
			d->fails);
	else
		fprintf(d->out, _("All checks passed.\n"));
	return d->fails ? 1 : 0;
}

int doctor_run(const settings *cfg, FILE *out, bool json)
{
	dr d = { .out = out, .checks = json ? json_object_new_array() : NULL };
	const char *name = cfg->provider && *cfg->provider ? cfg->provider : provider_default_name;
	if (!json)
		fprintf(out, _("stockbatch doctor: provider %s, model %s\n"), name,
			cfg->model ? cfg->model : "-");
	if (cfg->config_path)
		line(&d, 0, _("configuration %s"), cfg->config_path);
	else
		line(&d, 0, _("configuration: built-in defaults (no config file)"));
	const provider_ops *ops = provider_lookup(name);
	if (!ops) {
		line(&d, 2, _("unknown provider \"%s\": set provider = openai or gemini"), name);
		return finish(&d, name, cfg);
	}
	check_dirs(&d, cfg);
	check_prices(&d, cfg);
	check_curl(&d);
	check_ca_file(&d, cfg);
	char *key = NULL;
	sb_err e = { 0 };
	const char *var = ops->caps->key_env;
	if (provider_load_key(cfg, name, &key, &e) != 0) {
		line(&d, 2, "%s", e.msg);
	} else {
		char *cred = provider_credential_file(name);
		if (getenv(var) && *getenv(var))
			line(&d, 0, _("API key from $%s (%zu characters)"), var, strlen(key));
		else if (cred)
			line(&d, 0, _("API key from the systemd credential %s"), cred);
		else
			line(&d, 0, _("API key from the key file %s (mode 0600)"), cfg->key_file);
		check_network(&d, cfg, name, ops->caps, key);
		memset(key, 0, strlen(key));
		free(key);
		free(cred);
	}
	return finish(&d, name, cfg);
}
