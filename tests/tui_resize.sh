#!/bin/sh
# tui_resize.sh: after a resize the view on the screen owns the keys.  The
# focus on the batch list at 120x34, shrunk to 80x24: the batch list is
# what is shown (not the editor with batch keys live under it, where typing
# "Smrkový les" sent the collecting batch and a q would quit).  And the
# other way: the editor focused at 120x34 after the compact dashboard was
# open, shrunk again: the editor is shown and takes the text.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
tui_library 3 batch_size=10 min_description=50


tui_start
tui_wait "0/50 characters minimum"
tui_resize 120 34
tui_wait " Batches (0) "
tui_wait " Activity "
tui_keys Tab
tui_wait "? Help  q Quit"
tui_resize 80 24
# the batch list is shown, with its own key bar, and the editor is not
tui_wait " Batches (0) "
tui_wait_gone " Description "
tui_wait "? Help"
# its keys work: Tab goes to the editor, which takes the text
tui_keys Tab
tui_wait " Description "
tui_type "Smrkový les"
tui_wait "11/50 characters minimum"
tui__has "Sending the collecting batch" && fail "typing in the editor sent the batch"

# Compact dashboard open, then wide with the focus cycled back to the editor,
# then compact again: the editor is shown and owns the keys.
tui_keys Tab
tui_wait " Batches (0) "
tui_resize 120 34
tui_wait " Description "
tui_keys Tab Tab Tab
tui_wait "F1 Help"
tui_resize 80 24
tui_wait " Description "
tui_wait_gone " Batches (0) "
tui_type " v mlze"
tui_wait "Smrkový les v mlze"
tui_wait "18/50 characters minimum"
tui_keys F10
rc=$(tui_wait_exit 30)
check_eq "$rc" 0 "exit status of F10"
exit 0
