/* main.c: stockbatch's entry point: global options, then a subcommand (the
 * headless CLI, src/cli.c) or the full-screen TUI. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "i18n.h"
#include "settings.h"
#include "tui.h"

int main(int argc, char **argv)
{
	i18n_init();
	settings cfg;
	settings_defaults(&cfg);
	bool help = false, version = false;
	int first = cli_parse_globals(&cfg, argc, argv, &help, &version);
	int rc;
	if (first < 0)
		rc = SB_EXIT_USAGE;
	else if (help) {
		cli_usage(stdout);
		rc = 0;
	} else if (version) {
		cli_version(stdout);
		rc = 0;
	} else if (first < argc)
		rc = cli_run(&cfg, argc - first, argv + first);
	else
		rc = tui_run(&cfg);
	settings_free(&cfg);
	return rc;
}
