#!/bin/sh
# tui_layout.sh: at 120x34 (the README's size) and at 80x24 every pane is
# whole: the batch list keeps its Age and ETA columns, the cost pane shows
# the actual cost and the budget, and an activity line longer than its pane
# is wrapped, not cut.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
tui_library 3 batch_size=1 poll_interval=1

tui_start
tui_resize 120 34
tui_wait "File: IMG_0001.jpg"
tui_wait "Batches (0)"
tui_type "Smrkový les v ranní mlze na úbočí kopce, světlo prosvítá mezi kmeny."
tui_keys C-s
tui_wait "File: IMG_0002.jpg"
tui_wait "completed" 90
tui_wait "completed: 1 committed" 60

# whole: the pieces a cut at the pane's edge used to lose
whole()
{
	tui_screen >"$SB_TMP/screen.txt"
	grep -Eq 'Batch +State +API +Done +Age +ETA' "$SB_TMP/screen.txt" || return 1
	grep -q 'actual \$[0-9]' "$SB_TMP/screen.txt" || return 1
	grep -q 'budget none' "$SB_TMP/screen.txt" || return 1
	# the activity line "batch ID sent: 1 request, estimate $X" is longer
	# than the pane: its end is on screen too (the cost lines read
	# "estimate $X, actual $Y")
	grep -q 'estimate \$[0-9]*\.[0-9]*$' "$SB_TMP/screen.txt" || return 1
}
wait_for 20 whole || { tui__dump; fail "a pane is cut at 120x34"; }
# every batch row shows its age
grep -E '(completed|sent) +openai +[0-9]+/[0-9]+ +[0-9]+[smhd]' "$SB_TMP/screen.txt" >/dev/null ||
	{ tui__dump; fail "a batch row lost its age at 120x34"; }

# 80x24: one view at a time; the dashboard is whole too
tui_resize 80 24
tui_keys Tab
tui_wait "Batches ("
wait_for 20 whole || { tui__dump; fail "a pane is cut at 80x24"; }
tui_keys F10
tui_wait_exit >/dev/null
exit 0
