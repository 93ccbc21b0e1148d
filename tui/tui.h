/* tui.h: the full-screen ncurses program (SPEC 7). */
#ifndef SB_TUI_H
#define SB_TUI_H
#include "settings.h"
/* Run the TUI on the configured library; returns the exit code. */
int tui_run(settings *cfg);
#endif
