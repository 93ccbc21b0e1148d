/* cli.c: placeholder (owner: the engine). */
#include "config.h"
#include "cli.h"
#include <string.h>
int cli_run(settings *cfg, int argc, char **argv) { (void)cfg; (void)argc; (void)argv; return 1; }
bool cli_is_command(const char *w) { (void)w; return false; }
void cli_usage(FILE *out) { fputs("Usage: stockbatch [OPTION]... [COMMAND]\n", out); }
void cli_version(FILE *out) { fputs("stockbatch " VERSION "\n", out); }
int cli_parse_globals(settings *cfg, int argc, char **argv, bool *h, bool *v)
{
	(void)cfg;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--help")) *h = true;
		else if (!strcmp(argv[i], "--version")) *v = true;
	}
	return i;
}
