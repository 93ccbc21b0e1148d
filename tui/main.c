/* main.c: stockbatch's entry point: global options, then a subcommand (the
 * headless CLI, cli/) or the full-screen TUI. */
#include "config.h"

#include <chafa.h>
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "i18n.h"
#include "settings.h"
#include "tui.h"

/* --version -v: the libraries of the full-screen program. */
static void ui_libraries(FILE *out)
{
	fprintf(out, "  chafa %d.%d.%d\n", CHAFA_MAJOR_VERSION, CHAFA_MINOR_VERSION,
		CHAFA_MICRO_VERSION);
	fprintf(out, "  %s\n", curses_version());
}

int main(int argc, char **argv)
{
	i18n_init();
	/* The tables the man page is checked against (tests/docs_man.sh). */
	if (argc == 2 && !strcmp(argv[1], "--list-keys")) {
		tui_print_keys(stdout);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--list-settings")) {
		for (const setting_doc *d = settings_docs; d->key; d++)
			printf("%s\t%s\t%s\n", d->key, d->def, _(d->help));
		return 0;
	}
	settings cfg;
	settings_defaults(&cfg);
	bool help = false, version = false;
	int first = cli_parse_globals(&cfg, argc, argv, &help, &version);
	int rc;
	/* The locale setting overrides the environment's (SPEC 9, 10). */
	if (first >= 0 && cfg.locale && cfg.locale[0])
		setlocale(LC_ALL, cfg.locale);
	const char *topic = first >= 0 && first < argc ? argv[first] : NULL;
	if (topic && !strcmp(topic, "help")) {
		help = true; /* "stockbatch help [COMMAND]", as people type it */
		topic = first + 1 < argc ? argv[first + 1] : NULL;
	}
	if (first < 0)
		rc = SB_EXIT_USAGE;
	else if (topic && !strcmp(topic, "__complete")) /* the shell completions */
		rc = cli_complete(&cfg, argc - first - 1, argv + first + 1);
	else if (help) {
		cli_help(stdout, topic); /* COMMAND --help: that command's help */
		rc = 0;
	} else if (version) {
		cli_version(stdout, ui_libraries);
		rc = 0;
	} else if (first < argc)
		rc = cli_run(&cfg, argc - first, argv + first);
	else
		rc = tui_run(&cfg);
	cli_json_finish(rc);
	settings_free(&cfg);
	return rc;
}
