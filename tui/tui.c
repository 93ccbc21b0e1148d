/* tui.c: placeholder until the TUI lands. */
#include "config.h"
#include "tui.h"
#include <stdio.h>
int tui_run(settings *cfg)
{
	(void)cfg;
	fputs("stockbatch: the terminal UI is not built yet\n", stderr);
	return 1;
}
