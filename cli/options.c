/* options.c: the global options (SPEC 9), over the config file: getopt_long,
 * permuting, so that options may follow the command. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "i18n.h"
#include "provider.h"

cli_opts cli_opt = { .wait_s = -1 };
const char *cli_prog = "stockbatch";

enum {
	OPT_CONFIG = 256,
	OPT_CSV,
	OPT_STATE_DIR,
	OPT_PROVIDER,
	OPT_MODEL,
	OPT_BASE_URL,
	OPT_BATCH_SIZE,
	OPT_BUDGET,
	OPT_AGENCIES,
	OPT_LIVE,
	OPT_JSON,
	OPT_NO_COLOR,
	OPT_PREVIEW,
	OPT_SET,
	OPT_WAIT,
	OPT_ALL,
	OPT_IN_PLACE,
	OPT_MODELS,
	OPT_FORCE,
	OPT_SERIES,
	OPT_FIX,
	OPT_BACKUP,
};

/* clang-format off */
static const struct option longopts[] = {
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "csv", required_argument, NULL, OPT_CSV },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "provider", required_argument, NULL, OPT_PROVIDER },
	{ "model", required_argument, NULL, OPT_MODEL },
	{ "base-url", required_argument, NULL, OPT_BASE_URL },
	{ "batch-size", required_argument, NULL, OPT_BATCH_SIZE },
	{ "budget", required_argument, NULL, OPT_BUDGET },
	{ "agencies", required_argument, NULL, OPT_AGENCIES },
	{ "live", no_argument, NULL, OPT_LIVE },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "no-color", no_argument, NULL, OPT_NO_COLOR },
	{ "preview", required_argument, NULL, OPT_PREVIEW },
	{ "set", required_argument, NULL, OPT_SET },
	{ "wait", required_argument, NULL, OPT_WAIT },
	{ "output", required_argument, NULL, 'o' },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "in-place", no_argument, NULL, OPT_IN_PLACE },
	{ "models", no_argument, NULL, OPT_MODELS },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "series", no_argument, NULL, OPT_SERIES },
	{ "fix", no_argument, NULL, OPT_FIX },
	{ "backup", no_argument, NULL, OPT_BACKUP },
	{ "yes", no_argument, NULL, 'y' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};
/* clang-format on */

/* For shell completion (cli_complete): each long option, then what its value
 * is: "-" none, "file", "dir", "setting" (KEY=VALUE) or the words it takes. */
void cli_complete_options(FILE *out, bool (*keep)(const char *name, void *ctx), void *ctx)
{
	for (const struct option *o = longopts; o->name; o++) {
		const char *kind = "-";
		char *full = xasprintf("--%s", o->name);
		bool wanted = keep(full, ctx);
		free(full);
		if (!wanted)
			continue;
		if (o->has_arg == no_argument)
			kind = "-";
		else if (o->val == OPT_CONFIG || o->val == OPT_CSV || o->val == 'o')
			kind = "file";
		else if (o->val == OPT_STATE_DIR)
			kind = "dir";
		else if (o->val == OPT_SET)
			kind = "setting";
		else if (o->val == OPT_PREVIEW)
			kind = "auto symbols kitty sixel iterm";
		else if (o->val == OPT_PROVIDER) {
			char *names = provider_names(" ");
			fprintf(out, "--%s\t%s\n", o->name, names);
			free(names);
			continue;
		} else
			kind = "value";
		fprintf(out, "--%s\t%s\n", o->name, kind);
	}
}

typedef struct pending_set {
	char *key, *value, *origin;
} pending_set;

static void pending_add(pending_set **v, size_t *n, const char *key, const char *value,
			const char *origin)
{
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[*n].key = xstrdup(key);
	(*v)[*n].value = xstrdup(value);
	(*v)[*n].origin = xasprintf(_("option %s"), origin);
	(*n)++;
}

static void pending_free(pending_set *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].key);
		free(v[i].value);
		free(v[i].origin);
	}
	free(v);
}

typedef struct parse_state {
	pending_set *ps;
	size_t nps;
	const char *config, *base_url;
	bool live;
	char **argv;
} parse_state;

/* "--set KEY=VALUE"; tolerates "key = value" as a config file writes it. */
static int add_set(parse_state *st, const char *arg)
{
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg) {
		cli_usage_error(_("--set needs KEY=VALUE, got '%s'"), arg);
		return -1;
	}
	char *key = xstrndup(arg, (size_t)(eq - arg));
	char *k = key + strspn(key, " \t");
	size_t kl = strlen(k);
	while (kl && (k[kl - 1] == ' ' || k[kl - 1] == '\t'))
		k[--kl] = '\0';
	pending_add(&st->ps, &st->nps, k, eq + 1 + strspn(eq + 1, " \t"), "--set");
	free(key);
	return 0;
}

static int set_wait(const char *arg)
{
	char *end;
	errno = 0;
	long w = strtol(arg, &end, 10);
	if (errno || end == arg || *end || w < 0 || w > 30L * 86400) {
		cli_usage_error(_("--wait needs a number of seconds (0 = do not wait), got '%s'"),
				arg);
		return -1;
	}
	cli_opt.wait_s = (int)w;
	cli_opt.wait_given = true;
	return 0;
}

/* One option from getopt_long; -1 on a usage error (printed). */
static int parse_one(parse_state *st, int c, bool *want_help, bool *want_version)
{
	switch (c) {
	case OPT_CONFIG: st->config = optarg; break;
	case OPT_CSV: pending_add(&st->ps, &st->nps, "media_csv", optarg, "--csv"); break;
	case OPT_STATE_DIR:
		pending_add(&st->ps, &st->nps, "state_dir", optarg, "--state-dir");
		break;
	case OPT_PROVIDER: pending_add(&st->ps, &st->nps, "provider", optarg, "--provider"); break;
	case OPT_MODEL: pending_add(&st->ps, &st->nps, "model", optarg, "--model"); break;
	case OPT_BASE_URL: st->base_url = optarg; break;
	case OPT_BATCH_SIZE:
		pending_add(&st->ps, &st->nps, "batch_size", optarg, "--batch-size");
		break;
	case OPT_BUDGET: pending_add(&st->ps, &st->nps, "budget", optarg, "--budget"); break;
	case OPT_AGENCIES: pending_add(&st->ps, &st->nps, "agencies", optarg, "--agencies"); break;
	case OPT_PREVIEW: pending_add(&st->ps, &st->nps, "preview", optarg, "--preview"); break;
	case OPT_LIVE: st->live = true; break;
	case OPT_JSON: cli_opt.json = true; break;
	case 'q':
		cli_opt.quiet = true;
		cli_opt.verbose = false;
		break;
	case 'v':
		cli_opt.verbose = true;
		cli_opt.quiet = false;
		break;
	case OPT_NO_COLOR: setenv("NO_COLOR", "1", 1); break; /* the TUI honours NO_COLOR */
	case OPT_SET: return add_set(st, optarg);
	case OPT_WAIT: return set_wait(optarg);
	case 'o': cli_opt.output = optarg; break;
	case OPT_ALL: cli_opt.all = cli_opt.all_given = true; break;
	case OPT_MODELS: cli_opt.models = true; break;
	case OPT_FORCE: cli_opt.force = true; break;
	case OPT_SERIES: cli_opt.series = true; break;
	case OPT_FIX: cli_opt.fix = true; break;
	case OPT_BACKUP: cli_opt.backup = true; break;
	case OPT_IN_PLACE: cli_opt.in_place = true; break;
	case 'y': cli_opt.yes = true; break;
	case 'h': *want_help = true; break;
	case 'V': *want_version = true; break;
	default: /* getopt printed what was wrong */
		cli_note_error(_("invalid option '%s'"), optind > 0 ? st->argv[optind - 1] : "?");
		fprintf(stderr, _("Try '%s --help' for more information.\n"), cli_prog);
		return -1;
	}
	return 0;
}

/* Load order: defaults (done by the caller), config file, options. */
static int apply_settings(settings *cfg, const parse_state *st)
{
	sb_err e;
	sb_err_clear(&e);
	char *path = st->config ? xstrdup(st->config) : settings_default_path();
	if (path && settings_load_file(cfg, path, st->config != NULL, &e) < 0) {
		free(path);
		cli_report_err(&e);
		return -1;
	}
	free(path);
	for (size_t i = 0; i < st->nps; i++) {
		if (settings_set(cfg, st->ps[i].key, st->ps[i].value, st->ps[i].origin, &e) < 0) {
			cli_usage_error("%s", e.msg);
			return -1;
		}
	}
	if (st->base_url) {
		/* --base-url belongs to whichever provider is in use */
		const char *key = provider_caps_named(cfg->provider)->base_url_setting;
		char *origin = xasprintf(_("option %s"), "--base-url");
		int r = settings_set(cfg, key, st->base_url, origin, &e);
		free(origin);
		if (r < 0) {
			cli_usage_error("%s", e.msg);
			return -1;
		}
	}
	/* --live overrides the config file's `live` (SPEC 4.3): phase 2 sends
	 * through the synchronous endpoints instead of the Batch API. */
	if (st->live && settings_set(cfg, "live", "true", "--live", &e) < 0) {
		cli_usage_error("%s", e.msg);
		return -1;
	}
	settings_finish(cfg);
	return 0;
}

int cli_parse_globals(settings *cfg, int argc, char **argv, bool *want_help, bool *want_version)
{
	if (argc > 0 && argv[0] && argv[0][0])
		cli_prog = path_basename(argv[0]);
	parse_state st;
	memset(&st, 0, sizeof st);
	st.argv = argv;
	int c, rc = -1;
	/* --json anywhere: the errors of the parse are JSON too */
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--json"))
			cli_opt.json = true;

	optind = 0; /* full re-initialisation (GNU) */
	opterr = 1;
	while ((c = getopt_long(argc, argv, "hVqvyo:", longopts, NULL)) != -1)
		if (parse_one(&st, c, want_help, want_version) < 0)
			goto out;
	rc = optind;
	if (!*want_help && !*want_version && apply_settings(cfg, &st) < 0)
		rc = -1;
out:
	pending_free(st.ps, st.nps);
	return rc;
}
