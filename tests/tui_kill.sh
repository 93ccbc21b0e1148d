#!/bin/sh
# tui_kill.sh: readline's kill keys in the editor (Ctrl+W, Ctrl+U, Ctrl+K,
# Alt+D; Alt+Backspace is in tui_escape.sh), and Home/End to the start and
# end of the whole text, not of the wrapped line.  Ctrl+E stays editorial.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
tui_library 2 batch_size=10 min_description=50

tui_start
tui_wait "0/50 characters minimum"
tui_type "jedna dva tři čtyři"
tui_wait "19/50 characters minimum"
tui_keys C-w
tui_wait "13/50 characters minimum"
tui_wait "jedna dva tři"
# a pasted paragraph goes with one Ctrl+U
tui_type "$(printf '%0500d' 0)"
tui_wait "514/50 characters minimum"
tui_keys C-u
tui_wait "0/50 characters minimum"
tui_type "první druhá třetí"
tui_keys Home M-d
tui_wait "11/50 characters minimum"
tui_keys End
tui_type "!"
tui_wait " druhá třetí!"
tui_keys Home C-k
tui_wait "0/50 characters minimum"
# two wrapped lines: Home and End reach the ends of the text
long="Horská chata v Krkonoších při západu slunce, zasněžené smrky a modré stíny na sněhu, v dálce Sněžka a hřebeny hor"
tui_type "$long"
tui_wait "113/50 characters minimum"
tui_keys Home
tui_type "A"
tui_keys End
tui_type "Z"
tui_wait "115/50 characters minimum"
# Ctrl+E is still editorial
tui_keys C-e
tui_wait "City:"
tui_keys Escape
tui_wait_gone "City:"
tui_keys F10
rc=$(tui_wait_exit 30)
check_eq "$rc" 0 "exit status of F10"
check_eq "$(tui_draft "$L/.stockbatch")" "A${long}Z" "the text after Home and End"
exit 0
