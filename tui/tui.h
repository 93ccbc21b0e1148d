/* tui.h: the full-screen ncurses program (SPEC 7). */
#ifndef SB_TUI_H
#define SB_TUI_H
#include <stdio.h>
#include "settings.h"
/* The key table as the man page lists it, one "KEY<TAB>CONTEXT<TAB>WHAT"
 * per line: main.c prints it for --list-keys, so a test can compare it
 * with stockbatch(1). */
void tui_print_keys(FILE *out);
/* Run the TUI on the configured library; returns the exit code. */
int tui_run(settings *cfg);
#endif
