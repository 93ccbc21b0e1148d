/* cmd.h: what the command files of cli/ share (as git's builtin.h): the
 * run context, the options of this one run, the terminal output (term.c)
 * and one handler per command.  The command table is in main.c. */
#ifndef SB_CLI_CMD_H
#define SB_CLI_CMD_H
#include <stdbool.h>

#include "batchstore.h"
#include "cli.h"
#include "engine.h"
#include "lock.h"
#include "settings.h"

/* Options that are not settings: how this one command runs. */
typedef struct cli_opts {
	bool json, quiet, verbose, all, yes;
	int wait_s;         /* retrieve --wait; -1 = the wait_timeout setting */
	const char *output; /* export -o */
	bool wait_given, all_given;
	bool in_place; /* embed --in-place */
	bool models;   /* plan --models */
	bool force;    /* import --force */
	bool series;   /* import --series */
	bool fix;      /* check --fix */
	bool backup;   /* embed --backup */
} cli_opts;
extern cli_opts cli_opt;
extern const char *cli_prog;

/* What a command works on, opened by cli_run as its flags say. */
typedef struct cli_ctx {
	settings *cfg;
	sb_lock *lock;
	store *st;
	engine *en;
	bool log_open;
	size_t temps_removed; /* a crashed run's temp files, removed at start */
} cli_ctx;

typedef int (*cli_handler)(cli_ctx *c, int argc, char **argv);

/* options.c: the long options for shell completion, one per line:
 * "--NAME<TAB>KIND", KIND "-" (no value), "file", "dir", "setting", "value"
 * or the words the value may be; only those keep() says yes to. */
void cli_complete_options(FILE *out, bool (*keep)(const char *name, void *ctx), void *ctx);

/* Keep an error's message for --json's error object (the first one counts);
 * cli_usage_error, cli_report_err and cli_check_batch keep theirs. */
void cli_note_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Usage errors: the message, then the hint; returns exit 2. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The error on stderr (scrubbed of keys); returns the exit code for it. */
int cli_report_err(const sb_err *e);
/* The batch named on the command line, or a message and -1. */
int cli_check_batch(cli_ctx *c, const char *id, batch_info *b);
/* Run engine phases, then the run's summary; returns the exit code. */
int cli_run_phases(cli_ctx *c, unsigned phases, int wait_s, bool waiting_matters, bool summary);

/* term.c: the progress bar (or plain lines when piped), the log lines
 * around it, and Ctrl+C handled by a sigwait thread. */
void cli_term_begin(void);
void cli_term_end(void);
void cli_term_progress(const char *what, size_t done, size_t total, void *ctx);
void cli_term_progress_end(void);
void cli_term_signals_start(void);
void cli_term_signals_set_engine(engine *en);
void cli_term_signals_stop(void);
/* Ctrl+C (or SIGTERM, SIGHUP) was received during this run. */
bool cli_term_interrupted(void);

int cmd_status(cli_ctx *c, int argc, char **argv);
int cmd_control(cli_ctx *c, int argc, char **argv);
int cmd_retry(cli_ctx *c, int argc, char **argv);
int cmd_report(cli_ctx *c, int argc, char **argv);
int cmd_plan(cli_ctx *c, int argc, char **argv);
/* The advisor's rows as `plan --models` prints them (report uses it too). */
struct adv_table;
void cli_print_models(const struct adv_table *t);
int cmd_import(cli_ctx *c, int argc, char **argv);
int cmd_send(cli_ctx *c, int argc, char **argv);
int cmd_retrieve(cli_ctx *c, int argc, char **argv);
int cmd_export(cli_ctx *c, int argc, char **argv);
int cmd_export_agency(cli_ctx *c, int argc, char **argv);
int cmd_embed(cli_ctx *c, int argc, char **argv);
int cmd_cleanup(cli_ctx *c, int argc, char **argv);
int cmd_doctor(cli_ctx *c, int argc, char **argv);
int cmd_check(cli_ctx *c, int argc, char **argv);
#endif
