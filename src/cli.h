/* cli.h: the subcommands for headless use (SPEC 8).  No curses. */
#ifndef SB_CLI_H
#define SB_CLI_H
#include "settings.h"

/* Exit codes (documented in --help and stockbatch(1)). */
enum {
	SB_EXIT_OK = 0,        /* done */
	SB_EXIT_ERROR = 1,     /* error: the message says what to do */
	SB_EXIT_USAGE = 2,     /* bad command line or configuration */
	/* 3 = SB_EXIT_LOCKED (lock.h): another instance holds the library */
	SB_EXIT_WAITING = 4,   /* batches still out at the provider */
	SB_EXIT_PARTIAL = 5,   /* some items failed or were dead-lettered */
	SB_EXIT_INTERRUPTED = 130,
};

/* Global options parsed into cfg; argv[0] is the subcommand.  Returns exit code. */
int cli_run(settings *cfg, int argc, char **argv);
/* Does this word name a subcommand? */
bool cli_is_command(const char *word);
/* Print --help / --version. */
void cli_usage(FILE *out);
void cli_version(FILE *out);

/* Global options shared with the TUI: parse them (getopt_long, permuting, so
 * options may follow the command) into cfg, which holds the defaults.  Load
 * order: the config file (--config FILE, else settings_default_path()), then
 * the options (settings_set), then settings_finish().  With --help/--version
 * no config is read.  Returns the index of the first non-option (the command),
 * or -1 on a usage or configuration error (message printed; exit 2). */
int cli_parse_globals(settings *cfg, int argc, char **argv, bool *want_help, bool *want_version);

/* One line of an import TSV ("path<TAB>description", spreadsheet quoting
 * undone, blanks trimmed), split in place.  Returns 1 with path and desc set,
 * 0 for a blank or '#' comment line, -1 when there is no TAB, -2 for
 * invalid UTF-8.  Exposed for the fuzz target. */
int cli_tsv_split(char *line, char **path, char **desc);
#endif
