/* cli.c: the command line (SPEC 8, 9): global options over the config file,
 * and the subcommands for headless use, scripts and cron.  No curses here:
 * a progress bar on a terminal, plain log lines otherwise. */
#include "config.h"

#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <json-c/json.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"
#include "batchstore.h"
#include "doctor.h"
#include "engine.h"
#include "i18n.h"
#include "lock.h"
#include "log.h"
#include "mediacsv.h"
#include "provider.h"
#include "report.h"

/* Options that are not settings: how this one command runs. */
static struct cli_opts {
	bool json, quiet, verbose, all, yes;
	int wait_s;           /* retrieve --wait; -1 = the wait_timeout setting */
	const char *output;   /* export -o */
	bool wait_given, all_given;
} O = { .wait_s = -1 };

static const char *prog = "stockbatch";

/* Usage errors: the message, then the hint; exit 2. */
static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fprintf(stderr, _("Try '%s --help' for more information.\n"), prog);
	return SB_EXIT_USAGE;
}

static int report_err(const sb_err *e)
{
	char msg[sizeof e->msg];
	snprintf(msg, sizeof msg, "%s", e->msg[0] ? e->msg : _("unknown error"));
	log_scrub(msg, sizeof msg);
	fprintf(stderr, "%s: %s\n", prog, msg);
	return e->code == SBE_LOCKED ? SB_EXIT_LOCKED : SB_EXIT_ERROR;
}

/* ---- global options ------------------------------------------------------ */

enum {
	OPT_CONFIG = 256, OPT_CSV, OPT_STATE_DIR, OPT_PROVIDER, OPT_MODEL, OPT_BASE_URL,
	OPT_BATCH_SIZE, OPT_BUDGET, OPT_AGENCIES, OPT_LIVE, OPT_JSON, OPT_NO_COLOR,
	OPT_PREVIEW, OPT_SET, OPT_WAIT, OPT_ALL,
};

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
	{ "yes", no_argument, NULL, 'y' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

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

int cli_parse_globals(settings *cfg, int argc, char **argv, bool *want_help, bool *want_version)
{
	if (argc > 0 && argv[0] && argv[0][0])
		prog = path_basename(argv[0]);
	pending_set *ps = NULL;
	size_t nps = 0;
	const char *config = NULL, *base_url = NULL;
	bool live = false;
	int c, rc = -1;

	optind = 0; /* full re-initialisation (GNU) */
	opterr = 1;
	while ((c = getopt_long(argc, argv, "hVqvyo:", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_CONFIG: config = optarg; break;
		case OPT_CSV: pending_add(&ps, &nps, "media_csv", optarg, "--csv"); break;
		case OPT_STATE_DIR: pending_add(&ps, &nps, "state_dir", optarg, "--state-dir"); break;
		case OPT_PROVIDER: pending_add(&ps, &nps, "provider", optarg, "--provider"); break;
		case OPT_MODEL: pending_add(&ps, &nps, "model", optarg, "--model"); break;
		case OPT_BASE_URL: base_url = optarg; break;
		case OPT_BATCH_SIZE: pending_add(&ps, &nps, "batch_size", optarg, "--batch-size"); break;
		case OPT_BUDGET: pending_add(&ps, &nps, "budget", optarg, "--budget"); break;
		case OPT_AGENCIES: pending_add(&ps, &nps, "agencies", optarg, "--agencies"); break;
		case OPT_PREVIEW: pending_add(&ps, &nps, "preview", optarg, "--preview"); break;
		case OPT_LIVE: live = true; break;
		case OPT_JSON: O.json = true; break;
		case 'q': O.quiet = true; O.verbose = false; break;
		case 'v': O.verbose = true; O.quiet = false; break;
		case OPT_NO_COLOR: setenv("NO_COLOR", "1", 1); break; /* the TUI honours NO_COLOR */
		case OPT_SET: {
			const char *eq = strchr(optarg, '=');
			if (!eq || eq == optarg) {
				usage_error(_("--set needs KEY=VALUE, got '%s'"), optarg);
				goto out;
			}
			char *key = xstrndup(optarg, (size_t)(eq - optarg));
			/* tolerate "key = value" as a config file writes it */
			char *k = key + strspn(key, " \t");
			size_t kl = strlen(k);
			while (kl && (k[kl - 1] == ' ' || k[kl - 1] == '\t'))
				k[--kl] = '\0';
			pending_add(&ps, &nps, k, eq + 1 + strspn(eq + 1, " \t"), "--set");
			free(key);
			break;
		}
		case OPT_WAIT: {
			char *end;
			errno = 0;
			long w = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || w < 0 || w > 30L * 86400) {
				usage_error(_("--wait needs a number of seconds (0 = do not wait), got '%s'"),
					    optarg);
				goto out;
			}
			O.wait_s = (int)w;
			O.wait_given = true;
			break;
		}
		case 'o': O.output = optarg; break;
		case OPT_ALL: O.all = O.all_given = true; break;
		case 'y': O.yes = true; break;
		case 'h': *want_help = true; break;
		case 'V': *want_version = true; break;
		default: /* getopt printed what was wrong */
			fprintf(stderr, _("Try '%s --help' for more information.\n"), prog);
			goto out;
		}
	}
	rc = optind;
	if (*want_help || *want_version)
		goto out;

	/* Load order: defaults (done by the caller), config file, options. */
	sb_err e;
	sb_err_clear(&e);
	char *path = config ? xstrdup(config) : settings_default_path();
	if (path && settings_load_file(cfg, path, config != NULL, &e) < 0) {
		free(path);
		report_err(&e);
		rc = -1;
		goto out;
	}
	free(path);
	for (size_t i = 0; i < nps; i++) {
		if (settings_set(cfg, ps[i].key, ps[i].value, ps[i].origin, &e) < 0) {
			usage_error("%s", e.msg);
			rc = -1;
			goto out;
		}
	}
	if (base_url) {
		/* --base-url belongs to whichever provider is in use */
		const char *key = provider_caps_named(cfg->provider)->base_url_setting;
		char *origin = xasprintf(_("option %s"), "--base-url");
		int r = settings_set(cfg, key, base_url, origin, &e);
		free(origin);
		if (r < 0) {
			usage_error("%s", e.msg);
			rc = -1;
			goto out;
		}
	}
	/* --live overrides the config file's `live` (SPEC 4.3): phase 2 sends
	 * through the synchronous endpoints instead of the Batch API. */
	if (live && settings_set(cfg, "live", "true", "--live", &e) < 0) {
		usage_error("%s", e.msg);
		rc = -1;
		goto out;
	}
	settings_finish(cfg);
out:
	pending_free(ps, nps);
	return rc;
}

/* ---- help and version ---------------------------------------------------- */

void cli_usage(FILE *out)
{
	fprintf(out, _("Usage: %s [OPTION]... [COMMAND [ARG]...]\n"), prog);
	fputs(_("Prepare stock-agency metadata (title, description, keywords, categories)\n"
		"for the photos of a PhotoMedia.csv library through the OpenAI and Gemini\n"
		"Batch APIs.  Without a command, open the full-screen program.\n"), out);
	fputs("\n", out);
	fputs(_("Options:\n"), out);
	fputs(_("      --config FILE      read settings from FILE instead of\n"
		"                           $XDG_CONFIG_HOME/stockbatch/config\n"), out);
	fputs(_("      --csv FILE         the media CSV (PhotoMedia.csv)\n"), out);
	fputs(_("      --state-dir DIR    where batches and logs are kept\n"
		"                           (default: .stockbatch beside the CSV)\n"), out);
	fputs(_("      --provider NAME    openai (default) or gemini\n"), out);
	fputs(_("      --model MODEL      the model to use\n"), out);
	fputs(_("      --base-url URL     the provider's API address (gateways, tests)\n"), out);
	fputs(_("      --batch-size N     photos per batch\n"), out);
	fputs(_("      --budget USD       refuse to send more than this per run\n"), out);
	fputs(_("      --agencies LIST    enabled agencies, comma-separated\n"), out);
	fputs(_("      --live             use the synchronous endpoints (full price)\n"), out);
	fputs(_("      --json             print the command's output as JSON\n"), out);
	fputs(_("  -q, --quiet            print errors only\n"), out);
	fputs(_("  -v, --verbose          print debugging lines too\n"), out);
	fputs(_("      --no-color         no colours (also: NO_COLOR in the environment)\n"), out);
	fputs(_("      --preview MODE     image preview: auto, symbols, kitty, sixel, iterm\n"), out);
	fputs(_("      --set KEY=VALUE    any setting of stockbatch.conf(5)\n"), out);
	fputs(_("      --wait SECONDS     retrieve: keep polling up to SECONDS (0 = do not wait)\n"),
	      out);
	fputs(_("  -o, --output FILE      export: write the archive to FILE\n"), out);
	fputs(_("      --all              send: also send the batch still being collected\n"), out);
	fputs(_("  -y, --yes              send: do not ask for confirmation at a terminal\n"), out);
	fputs(_("      --list-keys        print the full-screen program's key table\n"), out);
	fputs(_("      --list-settings    print every setting with its default\n"), out);
	fputs(_("  -h, --help             show this help and exit\n"), out);
	fputs(_("  -V, --version          show the version and exit\n"), out);
	fputs("\n", out);
	fputs(_("Commands:\n"), out);
	fputs(_("  status                 batches with their state, counts, age and cost\n"), out);
	fputs(_("  plan                   what would be sent, resumed or skipped (no API calls)\n"),
	      out);
	fputs(_("  import FILE.tsv        add descriptions (path<TAB>description per line)\n"), out);
	fputs(_("  send                   send the batches that are ready\n"), out);
	fputs(_("  retrieve               check sent batches, download and commit results\n"), out);
	fputs(_("  cancel BATCH           cancel a batch (what completed is kept)\n"), out);
	fputs(_("  pause BATCH            stop sending or polling a batch\n"), out);
	fputs(_("  resume BATCH           resume a paused batch\n"), out);
	fputs(_("  retry-failed           send the failed items again\n"), out);
	fputs(_("  report [BATCH]         counts, failures and cost of one batch or of all\n"), out);
	fputs(_("  export BATCH           a tar of the batch's state and results, for support\n"),
	      out);
	fputs(_("  cleanup                archive old batches, delete provider files, remove\n"
		"                           temporary files\n"), out);
	fputs(_("  doctor                 check the configuration, keys, files and network\n"), out);
	fputs("\n", out);
	fputs(_("API keys come from OPENAI_API_KEY and GEMINI_API_KEY, or from key_file\n"
		"(mode 0600).  Settings are described in stockbatch.conf(5).\n"), out);
	fputs("\n", out);
	fputs(_("Exit status:\n"), out);
	fputs(_("  0    done\n"), out);
	fputs(_("  1    error (the message says what to do)\n"), out);
	fputs(_("  2    bad command line or configuration\n"), out);
	fputs(_("  3    another stockbatch holds this library\n"), out);
	fputs(_("  4    batches are still being processed by the provider\n"), out);
	fputs(_("  5    some items failed (see 'stockbatch report')\n"), out);
	fputs(_("  130  interrupted (Ctrl+C); a partial summary was printed\n"), out);
	fputs("\n", out);
	fprintf(out, _("Report bugs to: %s\n"), PACKAGE_BUGREPORT);
	fprintf(out, _("See stockbatch(1) for the full manual.\n"));
}

void cli_version(FILE *out)
{
	fprintf(out, "stockbatch (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
	fputs("Copyright (C) 2026 the stockbatch authors.\n", out);
	fputs(_("License GPLv3+: GNU GPL version 3 or later <https://gnu.org/licenses/gpl.html>.\n"
		"This is free software: you are free to change and redistribute it.\n"
		"There is NO WARRANTY, to the extent permitted by law.\n"), out);
}

/* ---- terminal output: progress bar, log lines, signals -------------------- */

static pthread_mutex_t out_mu = PTHREAD_MUTEX_INITIALIZER;
static bool tty_err;
static char bar_line[256]; /* the bar currently on screen, "" if none */
static log_level echo_min = LOG_INFO;

static struct prog_state {
	char what[64];
	size_t last_done, last_total;
	double start;
	int last_decile;
} PS;

static void progress_cb(const char *what, size_t done, size_t total, void *ctx)
{
	(void)ctx;
	if (O.quiet || O.json || total == 0)
		return;
	pthread_mutex_lock(&out_mu);
	double now = now_mono();
	if (strcmp(PS.what, what ? what : "") || done < PS.last_done || total != PS.last_total) {
		snprintf(PS.what, sizeof PS.what, "%s", what ? what : "");
		PS.start = now;
		PS.last_decile = -1;
	}
	PS.last_done = done;
	PS.last_total = total;
	double eta = -1;
	if (done > 0 && total >= done && now > PS.start)
		eta = (now - PS.start) / (double)done * (double)(total - done);
	char etas[32];
	report_fmt_duration(eta, etas, sizeof etas);
	if (tty_err) {
		enum { W = 24 };
		char bar[W + 1];
		size_t fill = total ? done * W / total : 0;
		for (size_t i = 0; i < W; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[W] = '\0';
		snprintf(bar_line, sizeof bar_line, _("%s [%s] %zu/%zu, %s left"), PS.what, bar, done,
			 total, etas);
		fprintf(stderr, "\r\033[K%s", bar_line);
		if (done >= total) {
			fputc('\n', stderr);
			bar_line[0] = '\0';
		}
	} else {
		/* Piped or under cron: a line at the start, every tenth, and the end. */
		int decile = total ? (int)(done * 10 / total) : 10;
		if (decile != PS.last_decile) {
			PS.last_decile = decile;
			fprintf(stderr, _("%s: %zu/%zu, %s left\n"), PS.what, done, total, etas);
		}
	}
	fflush(stderr);
	pthread_mutex_unlock(&out_mu);
}

static void log_sink(log_level lv, const char *line, void *ctx)
{
	(void)ctx;
	if (lv < echo_min || O.quiet)
		return;
	pthread_mutex_lock(&out_mu);
	if (tty_err && bar_line[0])
		fputs("\r\033[K", stderr);
	fputs(line, stderr);
	size_t n = strlen(line);
	if (!n || line[n - 1] != '\n')
		fputc('\n', stderr);
	if (tty_err && bar_line[0])
		fputs(bar_line, stderr);
	fflush(stderr);
	pthread_mutex_unlock(&out_mu);
}

static void progress_end(void)
{
	pthread_mutex_lock(&out_mu);
	if (tty_err && bar_line[0]) {
		fputs("\r\033[K", stderr);
		bar_line[0] = '\0';
	}
	pthread_mutex_unlock(&out_mu);
}

/* Ctrl+C: a thread waits for the signal (blocked everywhere else), so the
 * engine is told from ordinary code, not from a signal handler. */
static pthread_mutex_t sig_mu = PTHREAD_MUTEX_INITIALIZER;
static engine *sig_engine;
static volatile sig_atomic_t interrupted;
static pthread_t sig_thread;
static bool sig_running;

static void *sig_main(void *arg)
{
	sigset_t *set = arg;
	for (;;) {
		int sig = 0;
		if (sigwait(set, &sig) != 0)
			continue;
		if (sig == SIGUSR1)
			return NULL;
		interrupted++;
		if (interrupted > 1) {
			/* A second Ctrl+C: the user means it.  Every write is atomic. */
			static const char m[] = "\nstockbatch: interrupted again, stopping now\n";
			if (write(STDERR_FILENO, m, sizeof m - 1) < 0) { /* nothing to do */ }
			_exit(SB_EXIT_INTERRUPTED);
		}
		progress_end();
		pthread_mutex_lock(&out_mu);
		fprintf(stderr, _("\nInterrupted: stopping at the next safe point (Ctrl+C again to "
				  "stop at once)...\n"));
		pthread_mutex_unlock(&out_mu);
		pthread_mutex_lock(&sig_mu);
		if (sig_engine)
			engine_interrupt(sig_engine);
		pthread_mutex_unlock(&sig_mu);
	}
}

static sigset_t sig_set;

static void signals_start(void)
{
	sigemptyset(&sig_set);
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		/* An ignored signal stays ignored (nohup, background jobs). */
		struct sigaction old;
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaddset(&sig_set, sigs[i]);
	}
	sigaddset(&sig_set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &sig_set, NULL);
	sig_running = pthread_create(&sig_thread, NULL, sig_main, &sig_set) == 0;
}

static void signals_set_engine(engine *en)
{
	pthread_mutex_lock(&sig_mu);
	sig_engine = en;
	if (en && interrupted)
		engine_interrupt(en);
	pthread_mutex_unlock(&sig_mu);
}

static void signals_stop(void)
{
	if (!sig_running)
		return;
	pthread_kill(sig_thread, SIGUSR1);
	pthread_join(sig_thread, NULL);
	sig_running = false;
	pthread_sigmask(SIG_UNBLOCK, &sig_set, NULL);
}

/* ---- shared plumbing -------------------------------------------------------- */

typedef struct cli_ctx {
	settings *cfg;
	sb_lock *lock;
	store *st;
	engine *en;
	bool log_open;
	size_t temps_removed; /* a crashed run's temp files, removed at start */
} cli_ctx;

static int ctx_open(cli_ctx *c, bool lock, bool want_engine, sb_err *e)
{
	const settings *cfg = c->cfg;
	if (!cfg->state_dir || !cfg->state_dir[0])
		return sb_fail(e, SBE_INPUT, _("no state directory: set state_dir or media_csv in %s"),
			       cfg->config_path ? cfg->config_path : "stockbatch.conf");
	if (lock) {
		if (mkdir_p(cfg->state_dir, 0700, e) < 0)
			return -1;
		if (lock_acquire(cfg->state_dir, &c->lock, e) < 0)
			return -1;
		char *lp = path_join(cfg->state_dir, "stockbatch.log");
		sb_err le;
		sb_err_clear(&le);
		c->log_open = log_open(lp, &le) == 0;
		free(lp);
		if (!c->log_open)
			fprintf(stderr, "%s: %s\n", prog, le.msg);
	}
	if (!lock && file_exists(cfg->state_dir)) {
		/* Reading: hold the lock when it is free, so that store_open's
		 * recovery (torn journal lines, temp files) cannot touch a writer's
		 * work; when another instance holds it, read anyway. */
		if (state_dir_secure(cfg->state_dir, e) < 0)
			return -1;
		sb_err le;
		sb_err_clear(&le);
		if (lock_acquire(cfg->state_dir, &c->lock, &le) < 0)
			c->lock = NULL;
	}
	if (c->lock && cfg->media_csv && cfg->media_csv[0])
		c->temps_removed = mediacsv_remove_dead_temps(cfg->media_csv);
	if (lock || file_exists(cfg->state_dir)) {
		if (store_open(cfg->state_dir, &c->st, e) < 0)
			return -1;
	}
	if (want_engine) {
		if (engine_open(c->cfg, c->st, &c->en, e) < 0)
			return -1;
		engine_set_progress(c->en, progress_cb, NULL);
		signals_set_engine(c->en);
	}
	return 0;
}

static void ctx_close(cli_ctx *c)
{
	if (c->en) {
		signals_set_engine(NULL);
		engine_close(c->en);
	}
	if (c->st)
		store_close(c->st);
	if (c->log_open)
		log_close();
	if (c->lock)
		lock_release(c->lock);
	memset(c, 0, sizeof *c);
}

/* ---- status ------------------------------------------------------------------- */

static int cmd_status(cli_ctx *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	batch_info *bs = NULL;
	size_t n = c->st ? store_list(c->st, &bs) : 0;
	if (O.json) {
		json_object *o = json_object_new_object();
		report_jadd_str(o, "media_csv", c->cfg->media_csv);
		report_jadd_str(o, "state_dir", c->cfg->state_dir);
		report_jadd_str(o, "provider", c->cfg->provider);
		report_jadd_str(o, "model", c->cfg->model);
		json_object *arr = json_object_new_array();
		for (size_t i = 0; i < n; i++)
			json_object_array_add(arr, report_batch_info_json(&bs[i]));
		json_object_object_add(o, "batches", arr);
		report_json_print(o, stdout);
		free(bs);
		return SB_EXIT_OK;
	}
	printf(_("Media CSV:  %s\n"), c->cfg->media_csv ? c->cfg->media_csv : "-");
	printf(_("State dir:  %s\n"), c->cfg->state_dir ? c->cfg->state_dir : "-");
	printf(_("Provider:   %s (%s)\n"), c->cfg->provider ? c->cfg->provider : "-",
	       c->cfg->model ? c->cfg->model : "-");
	if (!n) {
		printf(_("No batches yet: describe photos in the full-screen program or with "
			 "'stockbatch import'.\n"));
		free(bs);
		return SB_EXIT_OK;
	}
	fputc('\n', stdout);
	report_pad(stdout, _("BATCH"), 22, false);
	fputc(' ', stdout);
	report_pad(stdout, _("STATE"), 11, false);
	fputc(' ', stdout);
	report_pad(stdout, _("KIND"), 12, false);
	fputc(' ', stdout);
	report_pad(stdout, _("PROVIDER"), 8, false);
	report_pad(stdout, _("FILES"), 7, true);
	report_pad(stdout, _("DONE"), 6, true);
	report_pad(stdout, _("FAILED"), 8, true);
	report_pad(stdout, _("AGE"), 8, true);
	report_pad(stdout, _("COST"), 11, true);
	fputc('\n', stdout);
	size_t per_state[BS__COUNT] = { 0 };
	double est = 0, act = 0;
	for (size_t i = 0; i < n; i++) {
		const batch_info *b = &bs[i];
		char num[32], age[32], cost[32];
		per_state[b->state]++;
		est += b->est_cost;
		act += b->actual_cost;
		report_pad(stdout, b->id, 22, false);
		fputc(' ', stdout);
		report_pad(stdout, batch_state_name(b->state), 11, false);
		fputc(' ', stdout);
		report_pad(stdout, b->kind, 12, false);
		fputc(' ', stdout);
		report_pad(stdout, b->provider, 8, false);
		snprintf(num, sizeof num, "%zu", b->nfiles);
		report_pad(stdout, num, 7, true);
		snprintf(num, sizeof num, "%zu", report_count_done(b));
		report_pad(stdout, num, 6, true);
		snprintf(num, sizeof num, "%zu", report_count_failed(b));
		report_pad(stdout, num, 8, true);
		report_fmt_age(b->created, age, sizeof age);
		report_pad(stdout, age, 8, true);
		if (b->actual_cost > 0)
			snprintf(cost, sizeof cost, "$%.4f", b->actual_cost);
		else if (b->est_cost > 0)
			snprintf(cost, sizeof cost, "~$%.4f", b->est_cost);
		else
			snprintf(cost, sizeof cost, "-");
		report_pad(stdout, cost, 11, true);
		fputc('\n', stdout);
		if (b->note[0])
			printf(_("    note: %s\n"), b->note);
	}
	fputc('\n', stdout);
	printf(P_("%zu batch:", "%zu batches:", n), n);
	const char *sep = " ";
	for (int s = 0; s < BS__COUNT; s++) {
		if (!per_state[s])
			continue;
		printf("%s%zu %s", sep, per_state[s], batch_state_name((batch_state)s));
		sep = ", ";
	}
	printf(_("; cost estimated $%.4f, actual $%.4f\n"), est, act);
	free(bs);
	return SB_EXIT_OK;
}

/* ---- plan ------------------------------------------------------------------------ */

static const char *media_name(mc_media k)
{
	return k == MC_IMAGE ? "image" : k == MC_VIDEO ? "video" : "other";
}

typedef struct plan_item {
	size_t row;
	const char *action; /* "new", "in_batch", "skip" */
	char batch[40];
	batch_state bstate;
	file_state fstate;
	char *reason;       /* skip: why; new: what is needed */
} plan_item;

static int cmd_plan(cli_ctx *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	sb_err e;
	sb_err_clear(&e);
	mediacsv *m = NULL;
	if (mediacsv_load(c->cfg->media_csv, &m, &e) < 0)
		return report_err(&e);
	size_t *rows = NULL;
	size_t n = mediacsv_unprocessed(m, NULL, NULL, &rows);
	plan_item *items = xcalloc(n ? n : 1, sizeof *items);
	size_t n_new = 0, n_in = 0, n_skip = 0, n_missing = 0;
	int ccesta = mediacsv_col(m, MC_CESTA);
	for (size_t i = 0; i < n; i++) {
		plan_item *it = &items[i];
		it->row = rows[i];
		const char *cesta = mediacsv_get(m, rows[i], ccesta);
		char *local = settings_map_path(c->cfg, cesta);
		file_state fs;
		if (c->st && store_file_batch(c->st, cesta, it->batch)) {
			batch_info b;
			it->action = "in_batch";
			it->bstate = store_get(c->st, it->batch, &b) == 0 ? b.state : BS_COLLECTING;
			file_entry fe;
			memset(&fe, 0, sizeof fe);
			it->fstate = FS_DESCRIPTION_SAVED;
			if (store_file_get(c->st, it->batch, cesta, &fe) == 0) {
				it->fstate = fe.state;
				file_entries_free(&fe, 1);
			}
			n_in++;
		} else if (!local || !file_exists(local)) {
			it->action = "skip";
			it->fstate = FS_FILE_NOT_FOUND;
			it->reason = xasprintf(_("file not found: %s"), local ? local : cesta);
			n_skip++;
			n_missing++;
		} else if (c->st && store_file_known(c->st, cesta, &fs) &&
			   (fs == FS_REJECTED || fs == FS_SKIPPED || fs == FS_DEAD ||
			    fs == FS_SAVED_TO_CSV)) {
			it->action = "skip";
			it->fstate = fs;
			it->reason = fs == FS_REJECTED ? xstrdup(_("rejected"))
				   : fs == FS_SKIPPED ? xstrdup(_("skipped by you"))
				   : fs == FS_DEAD ? xstrdup(_("failed 3 times (see 'stockbatch report', "
							       "'stockbatch retry-failed')"))
						  : xstrdup(_("already committed to the CSV"));
			n_skip++;
		} else {
			it->action = "new";
			it->fstate = FS_PENDING;
			it->reason = mediacsv_media_kind(mediacsv_field(m, rows[i], MC_SOUBOR)) == MC_IMAGE
					     ? xstrdup(_("needs a description"))
					     : xstrdup(_("needs a description (text-only request)"));
			n_new++;
		}
		free(local);
	}

	/* Batches: what send and retrieve would do next. */
	batch_info *bs = NULL;
	size_t nb = c->st ? store_list(c->st, &bs) : 0;
	size_t bcount[BS__COUNT] = { 0 }, bfiles[BS__COUNT] = { 0 };
	double ready_cost = 0;
	for (size_t i = 0; i < nb; i++) {
		bcount[bs[i].state]++;
		bfiles[bs[i].state] += bs[i].nfiles;
		if (bs[i].state == BS_READY)
			ready_cost += bs[i].est_cost;
	}

	if (O.json) {
		json_object *o = json_object_new_object();
		report_jadd_str(o, "media_csv", c->cfg->media_csv);
		report_jadd_str(o, "state_dir", c->cfg->state_dir);
		json_object *arr = json_object_new_array();
		for (size_t i = 0; i < n; i++) {
			plan_item *it = &items[i];
			json_object *j = json_object_new_object();
			const char *soubor = mediacsv_field(m, it->row, MC_SOUBOR);
			report_jadd_int(j, "line", mediacsv_lineno(m, it->row));
			report_jadd_str(j, "file", soubor);
			report_jadd_str(j, "cesta", mediacsv_get(m, it->row, ccesta));
			report_jadd_str(j, "media", media_name(mediacsv_media_kind(soubor)));
			report_jadd_str(j, "action", it->action);
			report_jadd_str(j, "batch", it->batch[0] ? it->batch : NULL);
			report_jadd_str(j, "batch_state",
					it->batch[0] ? batch_state_name(it->bstate) : NULL);
			report_jadd_str(j, "file_state", file_state_name(it->fstate));
			report_jadd_str(j, "reason", it->reason);
			json_object_array_add(arr, j);
		}
		json_object_object_add(o, "items", arr);
		json_object *bj = json_object_new_object();
		for (int s = 0; s < BS__COUNT; s++) {
			json_object *x = json_object_new_object();
			report_jadd_int(x, "batches", (long long)bcount[s]);
			report_jadd_int(x, "files", (long long)bfiles[s]);
			json_object_object_add(bj, batch_state_name((batch_state)s), x);
		}
		json_object_object_add(o, "batches", bj);
		json_object *t = json_object_new_object();
		report_jadd_int(t, "unprocessed", (long long)n);
		report_jadd_int(t, "new", (long long)n_new);
		report_jadd_int(t, "in_batch", (long long)n_in);
		report_jadd_int(t, "skip", (long long)n_skip);
		report_jadd_int(t, "missing", (long long)n_missing);
		report_jadd_int(t, "to_send", (long long)bfiles[BS_READY]);
		report_jadd_dbl(t, "to_send_est_cost", ready_cost);
		report_jadd_int(t, "to_check", (long long)bfiles[BS_SENT]);
		json_object_object_add(o, "totals", t);
		report_json_print(o, stdout);
	} else {
		printf(_("Pre-flight plan for %s (no API calls)\n\n"), c->cfg->media_csv);
		report_pad(stdout, "#", 5, true);
		fputs("  ", stdout);
		report_pad(stdout, _("LINE"), 6, true);
		fputs("  ", stdout);
		report_pad(stdout, _("FILE"), 24, false);
		fputc(' ', stdout);
		report_pad(stdout, _("ACTION"), 10, false);
		fputc(' ', stdout);
		fputs(_("DETAILS"), stdout);
		fputc('\n', stdout);
		size_t shown_new = 0, hidden = 0;
		for (size_t i = 0; i < n; i++) {
			plan_item *it = &items[i];
			/* A big library: the first new files stand for the rest. */
			if (!strcmp(it->action, "new") && !O.verbose && ++shown_new > 30) {
				hidden++;
				continue;
			}
			char num[32], det[512];
			snprintf(num, sizeof num, "%zu", i + 1);
			report_pad(stdout, num, 5, true);
			fputs("  ", stdout);
			snprintf(num, sizeof num, "%ld", mediacsv_lineno(m, it->row));
			report_pad(stdout, num, 6, true);
			fputs("  ", stdout);
			report_pad(stdout, mediacsv_field(m, it->row, MC_SOUBOR), 24, false);
			fputc(' ', stdout);
			const char *act = !strcmp(it->action, "new") ? _("new")
					: !strcmp(it->action, "skip") ? _("skip") : _("in batch");
			report_pad(stdout, act, 10, false);
			fputc(' ', stdout);
			if (it->batch[0])
				snprintf(det, sizeof det, _("%s (batch %s, file %s)"), it->batch,
					 batch_state_name(it->bstate), file_state_name(it->fstate));
			else
				snprintf(det, sizeof det, "%s", it->reason ? it->reason : "");
			puts(det);
		}
		if (hidden)
			printf(P_("  ... and %zu more new file (--verbose or --json lists all)\n",
				  "  ... and %zu more new files (--verbose or --json lists all)\n", hidden),
			       hidden);
		fputc('\n', stdout);
		printf(_("Totals: %zu unprocessed: %zu new, %zu in batches, %zu skipped "
			 "(%zu file not found)\n"),
		       n, n_new, n_in, n_skip, n_missing);
		printf(_("Next send:     %zu ready, %zu files, estimated $%.4f\n"), bcount[BS_READY],
		       bfiles[BS_READY], ready_cost);
		printf(_("Collecting:    %zu files (sent when the batch holds %d)\n"),
		       bfiles[BS_COLLECTING], c->cfg->batch_size);
		printf(_("Next retrieve: %zu sent, %zu files\n"), bcount[BS_SENT], bfiles[BS_SENT]);
		if (bcount[BS_PAUSED])
			printf(_("Paused:        %zu (see 'stockbatch status')\n"), bcount[BS_PAUSED]);
	}
	for (size_t i = 0; i < n; i++)
		free(items[i].reason);
	free(items);
	free(rows);
	free(bs);
	mediacsv_free(m);
	return SB_EXIT_OK;
}

/* ---- import ---------------------------------------------------------------------- */

/* Find a TSV path among the CSV rows: as written in Cesta, else as the
 * local path it maps to (the user may paste either). */
static long find_row(const settings *cfg, const mediacsv *m, const char *path)
{
	long r = mediacsv_find(m, path);
	if (r >= 0)
		return r;
	int cc = mediacsv_col(m, MC_CESTA);
	for (size_t i = 0; i < mediacsv_rows(m); i++) {
		char *local = settings_map_path(cfg, mediacsv_get(m, i, cc));
		bool same = local && !strcmp(local, path);
		free(local);
		if (same)
			return (long)i;
	}
	return -1;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

/* A spreadsheet quotes a cell holding quotes: "a ""b"" c". */
static void unquote(char *s)
{
	size_t n = strlen(s);
	if (n < 2 || s[0] != '"' || s[n - 1] != '"')
		return;
	char *w = s;
	for (size_t i = 1; i < n - 1; i++) {
		if (s[i] == '"' && s[i + 1] == '"' && i + 1 < n - 1)
			i++;
		*w++ = s[i];
	}
	*w = '\0';
}

int cli_tsv_split(char *line, char **path, char **desc)
{
	*path = *desc = NULL;
	size_t bad_off;
	if (!utf8_valid(line, strlen(line), &bad_off))
		return -2;
	char *t = trim(line);
	if (!*t || *t == '#')
		return 0;
	char *tab = strchr(t, '\t');
	if (!tab)
		return -1;
	*tab = '\0';
	*path = trim(t);
	*desc = trim(tab + 1);
	unquote(*path);
	unquote(*desc);
	return 1;
}

typedef struct seen_path {
	char *cesta;
	long line;
} seen_path;

static int cmd_import(cli_ctx *c, int argc, char **argv)
{
	const char *tsv = argv[1];
	(void)argc;
	sb_err e;
	sb_err_clear(&e);
	char *data = NULL;
	size_t len = 0;
	if (read_whole_file(tsv, &data, &len, &e) < 0)
		return report_err(&e);
	mediacsv *m = NULL;
	if (mediacsv_load(c->cfg->media_csv, &m, &e) < 0) {
		free(data);
		return report_err(&e);
	}
	int ccesta = mediacsv_col(m, MC_CESTA), ced = mediacsv_col(m, MC_EDITORIAL);
	size_t imported = 0, bad = 0, lines = 0;
	seen_path *seen = NULL;
	size_t nseen = 0;
	char last_batch[40] = "";
	int rc = SB_EXIT_OK;
	char *p = data;
	if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
		p += 3;
	long lineno = 0;
	while (p && *p && !interrupted) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		char *line = p;
		p = nl ? nl + 1 : NULL;
		lineno++;
		char *path, *desc;
		int kind = cli_tsv_split(line, &path, &desc);
		if (kind == -2) {
			size_t bad_off = 0;
			utf8_valid(line, strlen(line), &bad_off);
			fprintf(stderr, _("%s:%ld: invalid UTF-8 at byte %zu; save the file as UTF-8\n"),
				tsv, lineno, bad_off + 1);
			bad++;
			continue;
		}
		if (kind == 0)
			continue;
		if (kind < 0) {
			fprintf(stderr, _("%s:%ld: no TAB between the path and the description; "
					  "write 'path<TAB>description'\n"), tsv, lineno);
			bad++;
			continue;
		}
		/* A header row from the spreadsheet. */
		if (lines == 0 && (!strcasecmp(path, "path") || !strcasecmp(path, "cesta"))) {
			lines++;
			continue;
		}
		lines++;
		long row = find_row(c->cfg, m, path);
		if (row < 0) {
			fprintf(stderr, _("%s:%ld: unknown path '%s': it is not in the Cesta column of "
					  "%s; copy the path from there\n"),
				tsv, lineno, path, c->cfg->media_csv);
			bad++;
			continue;
		}
		const char *cesta = mediacsv_get(m, (size_t)row, ccesta);
		size_t k;
		for (k = 0; k < nseen && strcmp(seen[k].cesta, cesta); k++)
			;
		if (k < nseen) {
			fprintf(stderr, _("%s:%ld: duplicate of line %ld (%s); keep one of them\n"), tsv,
				lineno, seen[k].line, path);
			bad++;
			continue;
		}
		seen = xrealloc(seen, (nseen + 1) * sizeof *seen);
		seen[nseen].cesta = xstrdup(cesta);
		seen[nseen++].line = lineno;
		size_t nch = utf8_chars(desc);
		if ((int)nch < c->cfg->min_description) {
			fprintf(stderr, _("%s:%ld: the description has %zu characters, at least %d are "
					  "needed; say more about the photo\n"),
				tsv, lineno, nch, c->cfg->min_description);
			bad++;
			continue;
		}
		char held[40];
		if (store_file_batch(c->st, cesta, held)) {
			batch_info hb;
			const char *hs = store_get(c->st, held, &hb) == 0 ? batch_state_name(hb.state) : "?";
			fprintf(stderr, _("%s:%ld: %s is already in batch %s (%s); it was not imported "
					  "again\n"), tsv, lineno, path, held, hs);
			bad++;
			continue;
		}
		if (!mediacsv_row_unprocessed(m, (size_t)row)) {
			fprintf(stderr, _("%s:%ld: %s is not waiting for processing in %s (no status "
					  "'%s', or Originál is not 'ano'); nothing to do\n"),
				tsv, lineno, path, c->cfg->media_csv, MC_ST_UNPROCESSED);
			bad++;
			continue;
		}
		char *local = settings_map_path(c->cfg, cesta);
		bool present = local && file_exists(local);
		if (!present) {
			fprintf(stderr, _("%s:%ld: the file %s does not exist; check path_map in the "
					  "configuration\n"), tsv, lineno, local ? local : cesta);
			free(local);
			bad++;
			continue;
		}
		free(local);
		batch_info b;
		if (store_collecting(c->st, "originals", c->cfg->provider, c->cfg->model, &b, &e) < 0) {
			rc = report_err(&e);
			break;
		}
		file_entry f;
		memset(&f, 0, sizeof f);
		f.cesta = (char *)cesta;
		f.description = desc;
		f.state = FS_DESCRIPTION_SAVED;
		f.editorial = ced >= 0 && !strcasecmp(mediacsv_get(m, (size_t)row, ced), "ano");
		mediacsv_fingerprint(m, (size_t)row, f.fingerprint);
		if (store_add_file(c->st, b.id, &f, &e) < 0) {
			fprintf(stderr, "%s:%ld: %s\n", tsv, lineno, e.msg);
			bad++;
			continue;
		}
		imported++;
		snprintf(last_batch, sizeof last_batch, "%s", b.id);
		if (store_seal_if_full(c->st, b.id, (size_t)c->cfg->batch_size, &e) < 0) {
			rc = report_err(&e);
			break;
		}
	}
	for (size_t k = 0; k < nseen; k++)
		free(seen[k].cesta);
	free(seen);
	free(data);
	mediacsv_free(m);

	batch_info lb;
	bool have_lb = last_batch[0] && store_get(c->st, last_batch, &lb) == 0;
	if (O.json) {
		json_object *o = json_object_new_object();
		report_jadd_str(o, "file", tsv);
		report_jadd_int(o, "imported", (long long)imported);
		report_jadd_int(o, "rejected", (long long)bad);
		report_jadd_str(o, "batch", have_lb ? lb.id : NULL);
		report_jadd_str(o, "batch_state", have_lb ? batch_state_name(lb.state) : NULL);
		report_jadd_int(o, "batch_files", have_lb ? (long long)lb.nfiles : 0);
		json_object_object_add(o, "interrupted", json_object_new_boolean(interrupted != 0));
		report_json_print(o, stdout);
	} else {
		printf(P_("Imported %zu description from %s", "Imported %zu descriptions from %s",
			  imported), imported, tsv);
		if (have_lb)
			printf(_(" (last into batch %s: %s, %zu/%d)"), lb.id,
			       batch_state_name(lb.state), lb.nfiles, c->cfg->batch_size);
		printf(".\n");
		if (bad)
			printf(P_("%zu line was rejected (see the messages above).\n",
				  "%zu lines were rejected (see the messages above).\n", bad), bad);
		if (have_lb && lb.state == BS_COLLECTING)
			printf(_("The batch is sent when it is full, or now with 'stockbatch send "
				 "--all'.\n"));
		if (interrupted)
			printf(_("Interrupted: the lines after %ld were not read.\n"), lineno);
	}
	if (interrupted)
		return SB_EXIT_INTERRUPTED;
	if (rc != SB_EXIT_OK)
		return rc;
	if (bad)
		return imported ? SB_EXIT_PARTIAL : SB_EXIT_ERROR;
	return SB_EXIT_OK;
}

/* ---- send, retrieve, batch control ---------------------------------------------- */

static int run_phases(cli_ctx *c, unsigned phases, int wait_s, bool waiting_matters, bool summary)
{
	sb_err e;
	sb_err_clear(&e);
	run_report rep;
	memset(&rep, 0, sizeof rep);
	int r = engine_run(c->en, phases, wait_s, &rep, &e);
	progress_end();
	const run_report *er = engine_report(c->en);
	if (er)
		rep = *er;
	int code;
	if (interrupted)
		code = SB_EXIT_INTERRUPTED;
	else if (r < 0)
		code = e.code == SBE_LOCKED ? SB_EXIT_LOCKED : SB_EXIT_ERROR;
	else if (waiting_matters && rep.still_waiting)
		code = SB_EXIT_WAITING;
	else if (rep.failed)
		code = SB_EXIT_PARTIAL;
	else
		code = SB_EXIT_OK;
	if (r < 0 && !interrupted)
		report_err(&e);
	/* --quiet: a summary only when something needs attention */
	if ((summary || interrupted) &&
	    (O.json || !O.quiet || interrupted || code != SB_EXIT_OK))
		report_run(&rep, interrupted != 0, code, O.json, stdout);
	return code;
}

static int cmd_send(cli_ctx *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	batch_info *bs = NULL;
	size_t nb = store_list(c->st, &bs), nready = 0, files = 0, collecting = 0;
	double est = 0;
	for (size_t i = 0; i < nb; i++) {
		if (bs[i].state == BS_READY || (O.all && bs[i].state == BS_COLLECTING && bs[i].nfiles)) {
			nready++;
			files += bs[i].nfiles;
			est += bs[i].est_cost;
		} else if (bs[i].state == BS_COLLECTING)
			collecting += bs[i].nfiles;
	}
	free(bs);
	if (!nready && !O.json && !O.quiet) {
		if (collecting)
			printf(P_("Nothing is ready to send; %zu description is being collected "
				  "('stockbatch send --all' sends it now).\n",
				  "Nothing is ready to send; %zu descriptions are being collected "
				  "('stockbatch send --all' sends them now).\n", collecting),
			       collecting);
		else
			printf(_("Nothing is ready to send.\n"));
	}
	/* Seed 001: the plan, then a confirmation, when a person is at the
	 * terminal; scripts and cron (no terminal, or --yes) are not asked. */
	if (nready && !O.yes && !O.json && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
		printf(P_("Send %zu batch (%zu files", "Send %zu batches (%zu files", nready), nready,
		       files);
		if (est > 0)
			printf(_(", estimated $%.4f"), est);
		printf(_(") to %s? [y/N] "), c->cfg->provider);
		fflush(stdout);
		char ans[16] = "";
		if (!fgets(ans, sizeof ans, stdin) || (ans[0] != 'y' && ans[0] != 'Y' &&
						       strncmp(ans, _("y"), 1))) {
			printf(_("Nothing sent.\n"));
			return SB_EXIT_OK;
		}
	}
	if (O.all) {
		sb_err e;
		sb_err_clear(&e);
		if (engine_seal_now(c->en, &e) < 0 && e.code != SBE_NOTFOUND)
			return report_err(&e);
	}
	return run_phases(c, PH_RECOVER | PH_SEND, 0, false, nready > 0 || O.json);
}

static int cmd_retrieve(cli_ctx *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	int wait_s = O.wait_given ? O.wait_s : c->cfg->wait_timeout;
	return run_phases(c, PH_RECOVER | PH_RETRIEVE, wait_s, true, true);
}

static int check_batch(cli_ctx *c, const char *id, batch_info *b)
{
	if (c->st && store_get(c->st, id, b) == 0)
		return 0;
	fprintf(stderr, _("%s: no batch '%s' in %s; 'stockbatch status' lists them\n"), prog, id,
		c->cfg->state_dir);
	return -1;
}

static int cmd_control(cli_ctx *c, int argc, char **argv)
{
	(void)argc;
	const char *cmd = argv[0], *id = argv[1];
	batch_info b;
	if (check_batch(c, id, &b) < 0)
		return SB_EXIT_ERROR;
	sb_err e;
	sb_err_clear(&e);
	int r;
	const char *done;
	if (!strcmp(cmd, "pause")) {
		r = engine_pause(c->en, id, &e);
		done = _("paused");
	} else if (!strcmp(cmd, "resume")) {
		r = engine_resume(c->en, id, &e);
		done = _("resumed");
	} else {
		r = engine_cancel(c->en, id, &e);
		done = _("cancelled");
	}
	if (r < 0)
		return report_err(&e);
	batch_info after;
	if (store_get(c->st, id, &after) < 0)
		after = b;
	if (O.json) {
		report_json_print(report_batch_info_json(&after), stdout);
	} else {
		printf(_("Batch %s %s: now %s.\n"), id, done, batch_state_name(after.state));
		if (!strcmp(cmd, "cancel") && report_count_done(&after))
			printf(_("%zu results that completed before the cancel were kept.\n"),
			       report_count_done(&after));
	}
	return SB_EXIT_OK;
}

static int cmd_retry(cli_ctx *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	sb_err e;
	sb_err_clear(&e);
	size_t n = 0;
	if (engine_retry_failed(c->en, &n, &e) < 0)
		return report_err(&e);
	if (O.json) {
		json_object *o = json_object_new_object();
		report_jadd_int(o, "requeued", (long long)n);
		report_json_print(o, stdout);
	} else if (n)
		printf(P_("%zu failed item is queued again; 'stockbatch send' sends it.\n",
			  "%zu failed items are queued again; 'stockbatch send' sends them.\n", n), n);
	else
		printf(_("No failed items.\n"));
	return SB_EXIT_OK;
}

/* ---- report ------------------------------------------------------------------------ */

static int cmd_report(cli_ctx *c, int argc, char **argv)
{
	batch_info *bs = NULL;
	size_t nb = 0;
	if (argc > 1) {
		batch_info b;
		if (check_batch(c, argv[1], &b) < 0)
			return SB_EXIT_ERROR;
		bs = xmalloc(sizeof *bs);
		bs[0] = b;
		nb = 1;
	} else if (c->st)
		nb = store_list(c->st, &bs);
	size_t failed = report_batches(c->st, bs, nb, O.json, stdout);
	free(bs);
	return failed ? SB_EXIT_PARTIAL : SB_EXIT_OK;
}

/* ---- cleanup ----------------------------------------------------------------------- */

static size_t tmp_removed;

static int rm_tmp(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	/* atomic_write's temp files: NAME.tmp.PID, left behind by a crash. */
	if (flag == FTW_F && strstr(path_basename(path), ".tmp.") && unlink(path) == 0)
		tmp_removed++;
	return 0;
}

static int cmd_cleanup(cli_ctx *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	sb_err e;
	sb_err_clear(&e);
	/* Phase 0 archives the batches completed more than archive_days ago. */
	int code = run_phases(c, PH_RECOVER, 0, false, false);
	if (code == SB_EXIT_INTERRUPTED || code == SB_EXIT_ERROR)
		return code;
	/* Provider files of committed batches (the engine deletes them after a
	 * commit; this catches what a crash or a network error left). */
	batch_info *bs = NULL;
	size_t nb = store_list(c->st, &bs), deleted = 0, failed = 0;
	provider *p = NULL;
	for (size_t i = 0; i < nb && !interrupted; i++) {
		batch_info *b = &bs[i];
		if (b->state != BS_COMPLETED && b->state != BS_CANCELLED && b->state != BS_EXPIRED &&
		    b->state != BS_FAILED)
			continue;
		if (b->counts[FS_BATCH_SENT] || b->counts[FS_BATCH_COMPLETED])
			continue; /* not committed yet */
		char *ids[3] = { b->input_file_id, b->output_file_id, b->error_file_id };
		if (!ids[0][0] && !ids[1][0] && !ids[2][0])
			continue;
		if (!p || strcmp(p->ops->name, b->provider)) {
			provider_close(p);
			p = NULL;
			if (provider_open(c->cfg, b->provider, &p, &e) < 0) {
				report_err(&e);
				failed++;
				continue;
			}
		}
		bool all_ok = true;
		for (int k = 0; k < 3; k++) {
			if (!ids[k][0])
				continue;
			if (p->ops->delete_file(p, ids[k], &e) < 0 && e.code != SBE_NOTFOUND) {
				sb_log(LOG_WARN, "cleanup: cannot delete provider file %s of batch %s: %s",
				       ids[k], b->id, e.msg);
				all_ok = false;
				failed++;
				continue;
			}
			deleted++;
			ids[k][0] = '\0';
		}
		if (all_ok && store_update(c->st, b, &e) < 0)
			report_err(&e);
	}
	provider_close(p);
	free(bs);
	tmp_removed = c->temps_removed;
	nftw(c->cfg->state_dir, rm_tmp, 16, FTW_PHYS);
	/* The CSV's own temp files (mediacsv_commit writes NAME.tmp.PID beside
	 * it); only ours, by name, and only while we hold the library lock. */
	char *csvdir = path_dirname(c->cfg->media_csv);
	DIR *d = csvdir ? opendir(csvdir) : NULL;
	if (d) {
		char *prefix = xasprintf("%s.tmp.", path_basename(c->cfg->media_csv));
		struct dirent *de;
		while ((de = readdir(d))) {
			if (strncmp(de->d_name, prefix, strlen(prefix)))
				continue;
			char *p2 = path_join(csvdir, de->d_name);
			if (unlink(p2) == 0)
				tmp_removed++;
			free(p2);
		}
		free(prefix);
		closedir(d);
	}
	free(csvdir);
	if (O.json) {
		json_object *o = json_object_new_object();
		report_jadd_int(o, "provider_files_deleted", (long long)deleted);
		report_jadd_int(o, "provider_files_failed", (long long)failed);
		report_jadd_int(o, "temp_files_removed", (long long)tmp_removed);
		report_json_print(o, stdout);
	} else {
		printf(_("Cleanup: %zu provider files deleted, %zu temporary files removed.\n"),
		       deleted, tmp_removed);
		if (failed)
			printf(_("%zu provider files could not be deleted (see the log); run cleanup "
				 "again later.\n"), failed);
	}
	if (interrupted)
		return SB_EXIT_INTERRUPTED;
	return failed ? SB_EXIT_PARTIAL : code;
}

/* ---- export ------------------------------------------------------------------------ */

static int cmd_export(cli_ctx *c, int argc, char **argv)
{
	(void)argc;
	const char *id = argv[1];
	batch_info b;
	if (check_batch(c, id, &b) < 0)
		return SB_EXIT_ERROR;
	char *def = xasprintf("stockbatch-%s.tar.gz", id);
	const char *out = O.output ? O.output : def;
	sb_err e;
	sb_err_clear(&e);
	int rc = SB_EXIT_OK;
	if (archive_export(c->st, id, out, &e) < 0)
		rc = report_err(&e);
	else if (strcmp(out, "-")) {
		struct stat sb;
		long long size = stat(out, &sb) == 0 ? (long long)sb.st_size : -1;
		if (O.json) {
			json_object *o = json_object_new_object();
			report_jadd_str(o, "batch", id);
			report_jadd_str(o, "file", out);
			report_jadd_int(o, "bytes", size);
			report_json_print(o, stdout);
		} else
			printf(_("Wrote %s (%lld bytes): the state and results of batch %s, without API "
				 "keys.\n"), out, size, id);
	}
	free(def);
	return rc;
}

/* ---- doctor ------------------------------------------------------------------------ */

static int cmd_doctor(cli_ctx *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fflush(stdout);
	return doctor_run(c->cfg, stdout) == 0 ? SB_EXIT_OK : SB_EXIT_ERROR;
}

/* ---- dispatch ------------------------------------------------------------------------ */

enum { NEEDS_LOCK = 1, NEEDS_ENGINE = 2, READS_STORE = 4, NO_CSV = 8 };

typedef struct command {
	const char *name;
	int (*fn)(cli_ctx *c, int argc, char **argv);
	int flags;
	int min_args, max_args;
	const char *args; /* for the usage message */
} command;

static const command commands[] = {
	{ "status", cmd_status, READS_STORE, 0, 0, "" },
	{ "plan", cmd_plan, READS_STORE, 0, 0, "" },
	{ "import", cmd_import, NEEDS_LOCK, 1, 1, "FILE.tsv" },
	{ "send", cmd_send, NEEDS_LOCK | NEEDS_ENGINE, 0, 0, "" },
	{ "retrieve", cmd_retrieve, NEEDS_LOCK | NEEDS_ENGINE, 0, 0, "" },
	{ "cancel", cmd_control, NEEDS_LOCK | NEEDS_ENGINE, 1, 1, "BATCH" },
	{ "pause", cmd_control, NEEDS_LOCK | NEEDS_ENGINE, 1, 1, "BATCH" },
	{ "resume", cmd_control, NEEDS_LOCK | NEEDS_ENGINE, 1, 1, "BATCH" },
	{ "retry-failed", cmd_retry, NEEDS_LOCK | NEEDS_ENGINE, 0, 0, "" },
	{ "report", cmd_report, READS_STORE, 0, 1, "[BATCH]" },
	{ "export", cmd_export, READS_STORE, 1, 1, "BATCH" },
	{ "cleanup", cmd_cleanup, NEEDS_LOCK | NEEDS_ENGINE, 0, 0, "" },
	{ "doctor", cmd_doctor, NO_CSV, 0, 0, "" },
};

static const command *find_command(const char *word)
{
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(commands[i].name, word))
			return &commands[i];
	return NULL;
}

bool cli_is_command(const char *word)
{
	return word && find_command(word) != NULL;
}

int cli_run(settings *cfg, int argc, char **argv)
{
	if (argc < 1)
		return usage_error(_("no command given"));
	const command *cmd = find_command(argv[0]);
	if (!cmd)
		return usage_error(_("unknown command '%s'"), argv[0]);
	int nargs = argc - 1;
	if (nargs < cmd->min_args)
		return usage_error(_("'%s' needs %s"), cmd->name, cmd->args);
	if (nargs > cmd->max_args)
		return usage_error(_("'%s' takes %s%s, not '%s'"), cmd->name,
				   cmd->max_args ? _("only ") : _("no arguments"), cmd->args,
				   argv[1 + cmd->max_args]);
	if (O.wait_given && strcmp(cmd->name, "retrieve"))
		return usage_error(_("--wait goes with 'retrieve', not '%s'"), cmd->name);
	if (O.output && strcmp(cmd->name, "export"))
		return usage_error(_("--output goes with 'export', not '%s'"), cmd->name);
	if (O.all_given && strcmp(cmd->name, "send"))
		return usage_error(_("--all goes with 'send', not '%s'"), cmd->name);
	if (!(cmd->flags & NO_CSV) && (!cfg->media_csv || !cfg->media_csv[0]))
		return usage_error(_("no media CSV: use --csv FILE or media_csv in the configuration"));

	tty_err = isatty(STDERR_FILENO);
	echo_min = O.verbose ? LOG_DEBUG : O.quiet ? LOG_ERROR : tty_err ? LOG_WARN : LOG_INFO;
	log_set_stderr(LOG_ERROR + 1);
	log_set_sink(log_sink, NULL);
	bool guarded = cmd->flags & NEEDS_LOCK;
	if (guarded)
		signals_start();

	cli_ctx c;
	memset(&c, 0, sizeof c);
	c.cfg = cfg;
	sb_err e;
	sb_err_clear(&e);
	int rc;
	if ((cmd->flags & (NEEDS_LOCK | READS_STORE)) &&
	    ctx_open(&c, guarded, cmd->flags & NEEDS_ENGINE, &e) < 0)
		rc = report_err(&e);
	else /* interrupted already: the command stops early and still summarises */
		rc = cmd->fn(&c, argc, argv);
	progress_end();
	ctx_close(&c);
	log_set_sink(NULL, NULL);
	if (guarded)
		signals_stop();
	fflush(stdout);
	return rc;
}
