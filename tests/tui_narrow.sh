#!/bin/sh
# tui_narrow.sh: a narrow key bar leaves out whole entries, the least needed
# first, and never cuts a label (it read "^E Edito", and three keys "Re" at
# 60 columns); help, save and quit stay.  Below the minimum the screen says
# "terminal too small (need 50x14)", takes no text, and comes back whole.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
tui_library 2 batch_size=10 min_description=50
ED="F1 Help|F10 Quit|^S Save|^N Skip|^E Editorial|^R Reject|^P Path|^O \$EDITOR|Tab Batches"
BA="? Help|q Quit|p Pause|r Resume|c Cancel|f Retry|Enter Report|s Send now|Tab Next"

tui_start
tui_wait "0/50 characters minimum"
tui_type "Smrkový les"
for w in 100 80 70 60 50; do
	tui_resize "$w" 24
	tui_wait "11/50 characters minimum"
	tui_keybar "$ED" "F1 Help|^S Save|F10 Quit"
done
tui_keybar "$ED" "F1 Help|^S Save|F10 Quit|^N Skip|Tab Batches"
tui_keys Tab
tui_wait " Batches (0) "
for w in 50 60 70 80 100; do
	tui_resize "$w" 24
	tui_wait "? Help"
	tui_keybar "$BA" "? Help|q Quit|Tab Next"
done
tui_keybar "$BA" "? Help|q Quit|p Pause|r Resume|c Cancel|f Retry|Enter Report|s Send now|Tab Next"
tui_keys Tab
tui_wait "11/50 characters minimum"

# Too small: said, no text taken, and back whole.
tui_resize 49 24
tui_wait "terminal too small (need 50x14)"
tui_type "xyz"
tui_resize 60 13
tui_wait "terminal too small (need 50x14)"
tui_keys Tab
tui_resize 50 14
tui_wait "11/50 characters minimum"
tui_wait "Smrkový les"
tui__has "xyz" && fail "text typed into a screen too small was kept"
tui_keybar "$ED" "F1 Help|^S Save|F10 Quit"
tui_resize 40 10
tui_wait "terminal too small"
tui_keys F10
rc=$(tui_wait_exit 30)
check_eq "$rc" 0 "exit status of F10 on a screen too small"
check_eq "$(tui_draft "$L/.stockbatch")" "Smrkový les" "the draft"
exit 0
