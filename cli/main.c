/* main.c: the command line's one command table (name, handler, what it
 * opens, arguments, options, summary, help), as git's builtin/ does: the
 * dispatch, `stockbatch --help` and `stockbatch COMMAND --help` all read it.
 * The global options are in options.c, the commands in cmd_*.c. */
#include "config.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "doctor.h"
#include "i18n.h"
#include "log.h"
#include "photomedia.h"
#include "report.h"

/* ---- the tables ------------------------------------------------------------ */

/* What a command opens before it runs. */
enum { NEEDS_LOCK = 1, NEEDS_ENGINE = 2, READS_STORE = 4, NO_CSV = 8 };

/* The options that belong to one command. */
enum {
	CO_WAIT = 1,
	CO_OUTPUT = 2,
	CO_ALL = 4,
	CO_YES = 8,
	CO_MODELS = 16,
	CO_OUTDIR = 32,
	CO_EXPORTED = 64,
	CO_IN_PLACE = 128,
	CO_COPYDIR = 256,
	CO_FORCE = 512,
	CO_SERIES = 1024,
	CO_FIX = 2048,
	CO_BACKUP = 4096
};

typedef struct cmd_option {
	unsigned bit;
	const char *name; /* for "--wait goes with 'retrieve'" */
	const char *spec; /* as --help shows it */
	const char *help;
} cmd_option;

/* clang-format off */
static const cmd_option cmd_options[] = {
	{ CO_WAIT, "--wait", N_("    --wait SECONDS"), N_("keep polling up to SECONDS (0 = do not wait)") },
	{ CO_OUTPUT, "--output", N_("-o, --output FILE"), N_("write the archive to FILE") },
	{ CO_ALL, "--all", N_("    --all"), N_("also send the batch still being collected") },
	{ CO_YES, "--yes", N_("-y, --yes"), N_("do not ask for confirmation at a terminal") },
	{ CO_MODELS, "--models", N_("    --models"), N_("what the photos waiting cost on every model") },
	{ CO_OUTDIR, "--output", N_("-o, --output DIR"),
	  N_("write the upload CSVs to DIR") },
	{ CO_EXPORTED, "--all", N_("    --all"), N_("list the rows exported before again") },
	{ CO_IN_PLACE, "--in-place", N_("    --in-place"), N_("rewrite the photos themselves") },
	{ CO_COPYDIR, "--output", N_("-o, --output DIR"), N_("write the copies to DIR") },
	{ CO_FORCE, "--force", N_("    --force"),
	  N_("describe again photos committed before (their metadata is overwritten)") },
	{ CO_SERIES, "--series", N_("    --series"),
	  N_("a line's description is for every frame of the named photo's series") },
	{ CO_FIX, "--fix", N_("    --fix"),
	  N_("repair what is mechanical in the rows (a backup of the CSV first)") },
	{ CO_BACKUP, "--backup", N_("    --backup"),
	  N_("with --in-place: keep each photo as it was under embed-backup/ first") },
};
/* clang-format on */

typedef struct command {
	const char *name;
	cli_handler fn;
	int flags;
	int min_args, max_args;
	const char *args;    /* for the usage lines (translated in the help) */
	unsigned options;    /* CO_* */
	const char *summary; /* one line of --help */
	const char *help;    /* COMMAND --help */
} command;

/* clang-format off */
static const command commands[] = {
	{ "status", cmd_status, READS_STORE, 0, 0, "", 0,
	  N_("batches with their state, counts, age and cost"),
	  N_("Lists the batches with their state, kind, provider, files, results,\n"
	     "failures, age and cost, and names the media CSV and the state directory.\n"
	     "It reads the state only: it works while another stockbatch runs.") },
	{ "plan", cmd_plan, READS_STORE, 0, 0, "", CO_MODELS,
	  N_("what would be sent, resumed or skipped (no API calls)"),
	  N_("The pre-flight table: every unprocessed file of the CSV as new, in a\n"
	     "batch (with the batch's state) or skipped with the reason, then what the\n"
	     "next send and retrieve would do.  --verbose lists every new file.\n"
	     "With --models: what the photos waiting would cost on every model of the\n"
	     "price table that reads images, at each image detail, batch and live,\n"
	     "cheapest first, the configured one marked '*'.") },
	{ "import", cmd_import, NEEDS_LOCK, 1, 1, N_("FILE.tsv"), CO_FORCE | CO_SERIES,
	  N_("add descriptions (path<TAB>description per line)"),
	  N_("Adds descriptions from a spreadsheet saved as tab-separated text: one\n"
	     "path<TAB>description per line (a quoted cell may span lines).  The path\n"
	     "is the Cesta column of the CSV or the local path it maps to.  An\n"
	     "editorial photo takes three more cells: city, country and date\n"
	     "(DD MM YYYY).  Every rejected line is named with its line number; the\n"
	     "others go into the collecting batch, which is sealed when it is full.\n"
	     "A photo committed to the CSV before is refused unless --force is given.\n"
	     "With --series, a line naming any one frame of a series of similar photos\n"
	     "describes every frame of it (each still gets its own request).") },
	{ "send", cmd_send, NEEDS_LOCK | NEEDS_ENGINE, 0, 0, "", CO_ALL | CO_YES,
	  N_("send the batches that are ready"),
	  N_("Sends the batches that are ready to the provider; a batch over the\n"
	     "budget is refused.  At a terminal it shows the plan and asks first.\n"
	     "Exit status 6 when a batch stays ready (the provider could not be\n"
	     "reached or asked to wait): run it again later.") },
	{ "retrieve", cmd_retrieve, NEEDS_LOCK | NEEDS_ENGINE, 0, 0, "", CO_WAIT,
	  N_("check sent batches, download and commit results"),
	  N_("Checks the sent batches, downloads the finished ones, validates their\n"
	     "results and commits them to the CSV.  Exit status 4 while batches are\n"
	     "still being processed, 6 when the provider could not be reached.") },
	{ "cancel", cmd_control, NEEDS_LOCK | NEEDS_ENGINE, 1, 1, N_("BATCH"), 0,
	  N_("cancel a batch (what completed is kept)"),
	  N_("Cancels a batch at the provider; the results that completed before the\n"
	     "cancel are kept and committed.") },
	{ "pause", cmd_control, NEEDS_LOCK | NEEDS_ENGINE, 1, 1, N_("BATCH"), 0,
	  N_("stop sending or polling a batch"),
	  N_("Stops sending or polling a batch until it is resumed.") },
	{ "resume", cmd_control, NEEDS_LOCK | NEEDS_ENGINE, 1, 1, N_("BATCH"), 0,
	  N_("resume a paused batch"),
	  N_("Resumes a paused batch: the next send or retrieve takes it up again.") },
	{ "retry-failed", cmd_retry, NEEDS_LOCK | NEEDS_ENGINE, 0, 0, "", 0,
	  N_("send the failed items again"),
	  N_("Queues the failed (dead-lettered) items again; the next send sends them.") },
	{ "report", cmd_report, READS_STORE, 0, 1, N_("[BATCH]"), 0,
	  N_("counts, failures and cost of one batch or of all"),
	  N_("Counts (sent, succeeded, repaired, retried, failed, skipped), the cost\n"
	     "estimated and actual, and the durations, of one batch or of all; then\n"
	     "what the same photos would have cost on the other models.\n"
	     "Exit status 5 when some items failed.") },
	{ "check", cmd_check, 0, 0, 0, "", CO_FIX,
	  N_("check every row the agencies will see against their rules"),
	  N_("Checks every row of the CSV that an enabled agency will see (its status\n"
	     "is 'připraveno'), written by stockbatch, by hand or by another tool:\n"
	     "lengths, keywords, categories, editorial prefix, names of people,\n"
	     "brands and invisible characters.  Prints a table per agency (line,\n"
	     "file, rule, what to do).  Exit status 5 when a row breaks a rule.\n"
	     "With --fix, the repairs that need no model (spaces, invisible\n"
	     "characters, a title cut at a phrase boundary, keywords deduplicated\n"
	     "and lower-cased) are written to the CSV, after a backup of it beside\n"
	     "it; other rows stay byte for byte; what is left is listed.") },
	{ "export", cmd_export, READS_STORE, 1, 1, N_("BATCH"), CO_OUTPUT,
	  N_("a tar of the batch's state and results, for support"),
	  N_("Writes a tar of the batch's state and results, without API keys, to\n"
	     "stockbatch-BATCH.tar.gz or the file given with --output ('-' for\n"
	     "standard output).") },
	{ "export-agency", cmd_export_agency, NEEDS_LOCK, 0, 18, N_("[AGENCY]..."),
	  CO_OUTDIR | CO_EXPORTED,
	  N_("write the agencies' upload CSVs of the prepared rows"),
	  N_("Writes one upload CSV per agency (all agencies with an upload format, or\n"
	     "those named), in the agency's own header, delimiter and category\n"
	     "encoding, for the rows whose status for that agency is 'připraveno'.\n"
	     "Editorial rows are marked as the agency wants, or left out where it takes\n"
	     "none; every row left out is named with the reason.  A row exported before\n"
	     "is listed again only with --all (the record is exported.json in the state\n"
	     "directory); an agency with nothing new keeps its previous file.") },
	{ "embed", cmd_embed, NEEDS_LOCK, 0, 0, "", CO_IN_PLACE | CO_COPYDIR | CO_BACKUP,
	  N_("write title, description and keywords into the photos"),
	  N_("Writes the title, description and keywords of every prepared JPEG into\n"
	     "the photo as XMP (dc:title, dc:description, dc:subject,\n"
	     "photoshop:Headline) and IPTC (ObjectName, Headline, Caption-Abstract,\n"
	     "Keywords, UTF-8), which the agencies read on upload.  The image data is\n"
	     "copied, never re-encoded; the other metadata (EXIF) is kept.  Copies go\n"
	     "to 'embedded' beside the CSV or the directory given with --output;\n"
	     "--in-place rewrites the photos (temp file, fsync, rename).  Rows without\n"
	     "metadata or file are left out and named.") },
	{ "cleanup", cmd_cleanup, NEEDS_LOCK | NEEDS_ENGINE, 0, 0, "", 0,
	  N_("archive old batches, delete provider files, remove\n"
	     "                           temporary files"),
	  N_("Archives the batches completed more than archive_days ago, deletes the\n"
	     "provider's copies of committed files and removes the temporary files a\n"
	     "crash left behind.") },
	{ "doctor", cmd_doctor, NO_CSV, 0, 0, "", 0,
	  N_("check the configuration, keys, files and network"),
	  N_("Checks the configuration, the API key, the files, the endpoint and the\n"
	     "clock, and says in plain words what is wrong.") },
};
/* clang-format on */

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static const command *find_command(const char *word)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (!strcmp(commands[i].name, word))
			return &commands[i];
	return NULL;
}

bool cli_is_command(const char *word)
{
	return word && find_command(word) != NULL;
}

/* The first command that an option belongs to. */
static const command *option_owner(unsigned bit)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (commands[i].options & bit)
			return &commands[i];
	return NULL;
}

/* Was this command's option given?  --yes is accepted with any command
 * (scripts pass it everywhere); the others are refused elsewhere. */
static bool option_given(unsigned bit)
{
	switch (bit) {
	case CO_WAIT: return cli_opt.wait_given;
	case CO_OUTPUT:
	case CO_OUTDIR: return cli_opt.output != NULL;
	case CO_ALL:
	case CO_EXPORTED: return cli_opt.all_given;
	case CO_IN_PLACE: return cli_opt.in_place;
	case CO_COPYDIR: return cli_opt.output != NULL;
	case CO_MODELS: return cli_opt.models;
	case CO_FORCE: return cli_opt.force;
	case CO_SERIES: return cli_opt.series;
	case CO_FIX: return cli_opt.fix;
	case CO_BACKUP: return cli_opt.backup;
	default: return false;
	}
}

/* ---- errors ---------------------------------------------------------------- */

/* The run's first error, for --json's error object. */
static char first_error[1024];

static void note_error(const char *msg)
{
	if (!first_error[0])
		snprintf(first_error, sizeof first_error, "%s", msg);
}

static void vnote_error(char *msg, size_t cap, const char *fmt, va_list ap)
{
	vsnprintf(msg, cap, fmt, ap);
	note_error(msg);
}

void cli_note_error(const char *fmt, ...)
{
	char msg[sizeof first_error];
	va_list ap;
	va_start(ap, fmt);
	vnote_error(msg, sizeof msg, fmt, ap);
	va_end(ap);
}

void cli_json_finish(int rc)
{
	if (!cli_opt.json || rc == SB_EXIT_OK || rc == SB_EXIT_WAITING || rc == SB_EXIT_PARTIAL ||
	    report_json_printed())
		return;
	if (!first_error[0])
		note_error(rc == SB_EXIT_INTERRUPTED ? _("interrupted") : _("unknown error"));
	json_object *o = json_object_new_object();
	report_jadd_str(o, "error", first_error);
	report_jadd_int(o, "exit", rc);
	report_json_print(o, stdout);
	fflush(stdout);
}

int cli_usage_error(const char *fmt, ...)
{
	char msg[sizeof first_error];
	va_list ap;
	va_start(ap, fmt);
	vnote_error(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s\n", cli_prog, msg);
	fprintf(stderr, _("Try '%s --help' for more information.\n"), cli_prog);
	return SB_EXIT_USAGE;
}

int cli_report_err(const sb_err *e)
{
	char msg[sizeof e->msg];
	snprintf(msg, sizeof msg, "%s", e->msg[0] ? e->msg : _("unknown error"));
	log_scrub(msg, sizeof msg);
	note_error(msg);
	fprintf(stderr, "%s: %s\n", cli_prog, msg);
	return e->code == SBE_LOCKED ? SB_EXIT_LOCKED : SB_EXIT_ERROR;
}

int cli_check_batch(cli_ctx *c, const char *id, batch_info *b)
{
	if (c->st && store_get(c->st, id, b) == 0)
		return 0;
	cli_note_error(_("no batch '%s' in %s; 'stockbatch status' lists them"), id,
		       c->cfg->state_dir);
	fprintf(stderr, "%s: %s\n", cli_prog, first_error);
	return -1;
}

/* ---- help and version ---------------------------------------------------- */

static void print_option(FILE *out, const cmd_option *o, const char *owner)
{
	fputs("  ", out);
	report_pad(out, _(o->spec), 22, false);
	if (owner)
		fprintf(out, " %s: %s\n", owner, _(o->help));
	else
		fprintf(out, " %s\n", _(o->help));
}

void cli_usage(FILE *out)
{
	fprintf(out, _("Usage: %s [OPTION]... [COMMAND [ARG]...]\n"), cli_prog);
	fputs(_("Prepare stock-agency metadata (title, description, keywords, categories)\n"
		"for the photos of a PhotoMedia.csv library through the OpenAI and Gemini\n"
		"Batch APIs.  Without a command, open the full-screen program.\n"),
	      out);
	fputs("\n", out);
	fputs(_("Options:\n"), out);
	fputs(_("      --config FILE      read settings from FILE instead of\n"
		"                           $XDG_CONFIG_HOME/stockbatch/config\n"),
	      out);
	fputs(_("      --csv FILE         the media CSV (PhotoMedia.csv)\n"), out);
	fputs(_("      --state-dir DIR    where batches and logs are kept\n"
		"                           (default: .stockbatch beside the CSV)\n"),
	      out);
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
	fputs(_("      --preview MODE     image preview: auto, symbols, kitty, sixel, iterm\n"),
	      out);
	fputs(_("      --set KEY=VALUE    any setting of stockbatch.conf(5)\n"), out);
	for (size_t i = 0; i < sizeof cmd_options / sizeof cmd_options[0]; i++)
		print_option(out, &cmd_options[i], option_owner(cmd_options[i].bit)->name);
	fputs(_("      --list-keys        print the full-screen program's key table\n"), out);
	fputs(_("      --list-settings    print every setting with its default\n"), out);
	fputs(_("  -h, --help             show this help and exit\n"), out);
	fputs(_("  -V, --version          show the version and exit\n"), out);
	fputs("\n", out);
	fputs(_("Commands:\n"), out);
	for (size_t i = 0; i < N_COMMANDS; i++) {
		const command *cmd = &commands[i];
		char *head = xasprintf("%s%s%s", cmd->name, cmd->args[0] ? " " : "",
				       cmd->args[0] ? _(cmd->args) : "");
		fputs("  ", out);
		if (strlen(head) > 22) /* a long head: the summary on its own line */
			fprintf(out, "%s\n%24s", head, "");
		else
			report_pad(out, head, 22, false);
		fprintf(out, " %s\n", _(cmd->summary));
		free(head);
	}
	fputs("\n", out);
	fputs(_("API keys come from OPENAI_API_KEY and GEMINI_API_KEY, or from key_file\n"
		"(mode 0600).  Settings are described in stockbatch.conf(5).\n"),
	      out);
	fputs("\n", out);
	fputs(_("Exit status:\n"), out);
	fputs(_("  0    done\n"), out);
	fputs(_("  1    error (the message says what to do)\n"), out);
	fputs(_("  2    bad command line or configuration\n"), out);
	fputs(_("  3    another stockbatch holds this library\n"), out);
	fputs(_("  4    batches are still being processed by the provider\n"), out);
	fputs(_("  5    some items failed (see 'stockbatch report')\n"), out);
	fputs(_("  6    the provider could not be reached or asked to wait: nothing lost,\n"
		"       a ready batch stays ready; run again later\n"),
	      out);
	fputs(_("  130  interrupted (Ctrl+C); a partial summary was printed\n"), out);
	fputs("\n", out);
	if (sizeof PACKAGE_BUGREPORT > 1) /* configure's bug-report address, if any */
		fprintf(out, _("Report bugs to: %s\n"), PACKAGE_BUGREPORT);
	fprintf(out, _("See stockbatch(1) for the full manual.\n"));
}

void cli_version(FILE *out, void (*ui_libraries)(FILE *out))
{
	fprintf(out, "%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
	if (cli_opt.verbose) {
		fputs(_("Libraries:\n"), out);
		doctor_library_versions(out);
		if (ui_libraries)
			ui_libraries(out);
	}
	fputs("Copyright (C) 2026 the stockbatch authors.\n", out);
	fputs(_("License GPLv3+: GNU GPL version 3 or later <https://gnu.org/licenses/gpl.html>.\n"
		"This is free software: you are free to change and redistribute it.\n"
		"There is NO WARRANTY, to the extent permitted by law.\n"),
	      out);
}

static void command_usage_line(FILE *out, const command *cmd)
{
	fprintf(out, _("Usage: %s [OPTION]... %s%s%s\n"), cli_prog, cmd->name,
		cmd->args[0] ? " " : "", cmd->args[0] ? _(cmd->args) : "");
}

/* `stockbatch COMMAND --help`. */
static void command_help(FILE *out, const command *cmd)
{
	command_usage_line(out, cmd);
	fprintf(out, "%s\n\n%s\n", _(cmd->summary), _(cmd->help));
	if (cmd->options) {
		fputs("\n", out);
		fputs(_("Options:\n"), out);
		for (size_t i = 0; i < sizeof cmd_options / sizeof cmd_options[0]; i++)
			if (cmd->options & cmd_options[i].bit)
				print_option(out, &cmd_options[i], NULL);
	}
	fputs("\n", out);
	fprintf(out,
		_("The global options are in '%s --help'; see stockbatch(1) for the full "
		  "manual.\n"),
		cli_prog);
}

void cli_help(FILE *out, const char *word)
{
	const command *cmd = word ? find_command(word) : NULL;
	if (cmd)
		command_help(out, cmd);
	else
		cli_usage(out);
}

/* ---- running a command ----------------------------------------------------- */

static int ctx_open(cli_ctx *c, bool lock, bool want_engine, sb_err *e)
{
	const settings *cfg = c->cfg;
	if (!cfg->state_dir || !cfg->state_dir[0])
		return sb_fail(e, SBE_INPUT,
			       _("no state directory: set state_dir or media_csv in %s"),
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
			fprintf(stderr, "%s: %s\n", cli_prog, le.msg);
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
		engine_set_progress(c->en, cli_term_progress, NULL);
		cli_term_signals_set_engine(c->en);
	}
	return 0;
}

static void ctx_close(cli_ctx *c)
{
	if (c->en) {
		cli_term_signals_set_engine(NULL);
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

/* Has the command an option of this name (--all, --output mean one thing
 * per command)? */
static bool command_has_option(const command *cmd, const char *name)
{
	for (size_t i = 0; i < sizeof cmd_options / sizeof cmd_options[0]; i++)
		if ((cmd->options & cmd_options[i].bit) && !strcmp(cmd_options[i].name, name))
			return true;
	return false;
}

/* The arguments and the command's own options; 0 or the usage error's code. */
static int check_usage(const command *cmd, const settings *cfg, int argc, char **argv)
{
	int nargs = argc - 1;
	if (nargs < cmd->min_args)
		return cli_usage_error(_("'%s' needs %s"), cmd->name, cmd->args);
	if (nargs > cmd->max_args)
		return cli_usage_error(_("'%s' takes %s%s, not '%s'"), cmd->name,
				       cmd->max_args ? _("only ") : _("no arguments"), cmd->args,
				       argv[1 + cmd->max_args]);
	for (size_t i = 0; i < sizeof cmd_options / sizeof cmd_options[0]; i++) {
		const cmd_option *o = &cmd_options[i];
		if (option_given(o->bit) && !(cmd->options & o->bit) &&
		    !command_has_option(cmd, o->name))
			return cli_usage_error(_("%s goes with '%s', not '%s'"), o->name,
					       option_owner(o->bit)->name, cmd->name);
	}
	if (!(cmd->flags & NO_CSV) && (!cfg->media_csv || !cfg->media_csv[0]))
		return cli_usage_error(
			_("no media CSV: use --csv FILE or media_csv in the configuration"));
	return 0;
}

int cli_run(settings *cfg, int argc, char **argv)
{
	if (argc < 1)
		return cli_usage_error(_("no command given"));
	const command *cmd = find_command(argv[0]);
	if (!cmd)
		return cli_usage_error(_("unknown command '%s'"), argv[0]);
	int rc = check_usage(cmd, cfg, argc, argv);
	if (rc)
		return rc;

	cli_term_begin();
	bool guarded = cmd->flags & NEEDS_LOCK;
	if (guarded)
		cli_term_signals_start();
	cli_ctx c;
	memset(&c, 0, sizeof c);
	c.cfg = cfg;
	sb_err e;
	sb_err_clear(&e);
	if ((cmd->flags & (NEEDS_LOCK | READS_STORE)) &&
	    ctx_open(&c, guarded, cmd->flags & NEEDS_ENGINE, &e) < 0)
		rc = cli_report_err(&e);
	else /* interrupted already: the command stops early and still summarises */
		rc = cmd->fn(&c, argc, argv);
	cli_term_progress_end();
	ctx_close(&c);
	cli_term_end();
	if (guarded)
		cli_term_signals_stop();
	fflush(stdout);
	return rc;
}

/* ---- shell completion ------------------------------------------------------ */

/* A command's own option is offered only after that command (--yes with any). */
static bool complete_keep(const char *name, void *ctx)
{
	const command *cmd = ctx;
	bool known = false;
	for (size_t i = 0; i < sizeof cmd_options / sizeof cmd_options[0]; i++)
		if (!strcmp(cmd_options[i].name, name)) {
			known = true;
			if (cmd_options[i].bit == CO_YES ||
			    (cmd && (cmd->options & cmd_options[i].bit)))
				return true;
		}
	return !known;
}

static int complete_batches(settings *cfg)
{
	if (!cfg->state_dir || !cfg->state_dir[0] || !file_exists(cfg->state_dir))
		return SB_EXIT_OK;
	cli_ctx c;
	memset(&c, 0, sizeof c);
	c.cfg = cfg;
	sb_err e;
	sb_err_clear(&e);
	if (ctx_open(&c, false, false, &e) == 0 && c.st) {
		batch_info *bs = NULL;
		size_t n = store_list(c.st, &bs);
		for (size_t i = 0; i < n; i++)
			printf("%s\n", bs[i].id);
		free(bs);
	}
	ctx_close(&c);
	return SB_EXIT_OK;
}

int cli_complete(settings *cfg, int argc, char **argv)
{
	const char *what = argc > 0 ? argv[0] : "";
	const command *cmd = argc > 1 ? find_command(argv[1]) : NULL;
	if (!strcmp(what, "commands")) {
		for (size_t i = 0; i < N_COMMANDS; i++)
			printf("%s\n", commands[i].name);
		printf("help\n");
	} else if (!strcmp(what, "options")) {
		cli_complete_options(stdout, complete_keep, (void *)cmd);
	} else if (!strcmp(what, "args")) {
		if (cmd && strstr(cmd->args, "BATCH"))
			printf("batch\n");
		else if (cmd && strstr(cmd->args, "FILE"))
			printf("file\n");
		else
			printf("none\n");
	} else if (!strcmp(what, "settings")) {
		for (const setting_doc *d = settings_docs; d->key; d++)
			printf("%s\n", d->key);
	} else if (!strcmp(what, "batches")) {
		return complete_batches(cfg);
	} else {
		return cli_usage_error(_("__complete needs commands, options, args, settings or "
					 "batches"));
	}
	return SB_EXIT_OK;
}
