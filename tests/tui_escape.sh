#!/bin/sh
# tui_escape.sh: Esc and Alt never type.  Alt+Backspace deletes the word
# before the cursor (it typed "ć", KEY_BACKSPACE pushed back as a
# character), Esc then Left moves the cursor (it typed "Ą"), Alt with an
# unbound key, an escape sequence the terminfo entry does not list and mouse
# reports (SGR and X10) are swallowed; the draft holds exactly the text.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
tui_library 2 batch_size=10 min_description=50
hex() { $TUI_TM send-keys -t sb -H "$@" || fail "tmux send-keys -H $*"; }

tui_start
tui_wait "0/50 characters minimum"
tui_type "Horská chata"
tui_wait "12/50 characters minimum"
tui_keys M-BSpace
tui_wait "6/50 characters minimum"
tui_keys Escape Left
tui_type "X"
tui_wait "HorskáX"
tui_keys M-Left M-x M-Up
hex 1b 5b 39 39 7e                            # ESC [99~: a key no entry lists
hex 1b 5b 3c 30 3b 31 30 3b 35 4d             # SGR mouse press at 10,5
hex 1b 5b 3c 30 3b 31 30 3b 35 6d             # ... and release
hex 1b 5b 4d 20 2a 26                         # X10 mouse report
hex 1b 4f 7a                                  # ESC O z: an SS3 key no entry lists
tui_type "Y"
tui_wait "HorskáXY"
tui_wait "8/50 characters minimum"
tui_keys F10
rc=$(tui_wait_exit 30)
check_eq "$rc" 0 "exit status of F10"
check_eq "$(tui_draft "$L/.stockbatch")" "HorskáXY " "the draft after Alt, Esc and mouse input"
exit 0
