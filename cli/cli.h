/* cli.h: the command line (SPEC 8, 9): global options over the config file
 * and the subcommands for headless use.  The program's main() (tui/main.c)
 * runs a command through here, or the full-screen program without one. */
#ifndef SB_CLI_H
#define SB_CLI_H
#include <stdio.h>

#include "exitcode.h"
#include "settings.h"

/* Global options parsed into cfg; argv[0] is the subcommand.  Returns exit code. */
int cli_run(settings *cfg, int argc, char **argv);
/* With --json, a run that ends in an error (exit 1, 2, 3 or 130) without
 * having printed its JSON prints {"schema", "error", "exit"} on stdout. */
void cli_json_finish(int rc);
/* Does this word name a subcommand? */
bool cli_is_command(const char *word);
/* --help: the whole program's help, or with a known command's name that
 * command's help (both from the one command table). */
void cli_help(FILE *out, const char *command);
void cli_usage(FILE *out);
/* --version; with -v also the libraries, the full-screen program's from
 * ui_libraries (NULL: none). */
void cli_version(FILE *out, void (*ui_libraries)(FILE *out));

/* The hidden `stockbatch [OPTION]... __complete WHAT [COMMAND]` behind the
 * bash and zsh completions (contrib/completion/): WHAT is "commands", "options"
 * (global and COMMAND's, "--NAME<TAB>KIND" lines), "args" (what COMMAND's
 * argument is: batch, file or none), "settings" or "batches" (the ids that
 * `status` lists).  Returns the exit code. */
int cli_complete(settings *cfg, int argc, char **argv);

/* Global options shared with the TUI: parse them (getopt_long, permuting, so
 * options may follow the command) into cfg, which holds the defaults.  Load
 * order: the config file (--config FILE, else settings_default_path()), then
 * the options (settings_set), then settings_finish().  With --help/--version
 * no config is read.  Returns the index of the first non-option (the command),
 * or -1 on a usage or configuration error (message printed; exit 2). */
int cli_parse_globals(settings *cfg, int argc, char **argv, bool *want_help, bool *want_version);
#endif
