#!/bin/sh
# tui_pager.sh: the pager (help, reports, the activity log on l, the cost of
# every model on m, as plan --models) shows every line whole and searches: / types a search,
# Enter finds the first line holding it (shown, the footer counting "N of
# M"), n and N go to the next and previous.  At 80x24 and at 200x60.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
tui_library 3 batch_size=10

tui_start
tui_resize 80 24
tui_wait "File: IMG_0001.jpg"
# the help is long: Ctrl+Z's line is off the first page at 80x24
tui_keys F1
tui_wait "Keys"
tui__has "suspend to the shell" && { tui__dump; fail "the help fits one page at 80x24: the test needs a longer text"; }
tui_keys /
tui_type "suspend"
tui_keys Enter
tui_wait "suspend to the shell"
tui_wait '"suspend": 1 of 1'
# searches go from the screen's first line, as less does: from the top
tui_keys g
tui_keys /
tui_type "ctrl+"
tui_keys Enter
tui_wait '"ctrl+": 1 of '
tui_keys n
tui_wait '"ctrl+": 2 of '
tui_keys N
tui_wait '"ctrl+": 1 of '
tui_keys N
tui_wait_gone '"ctrl+": 1 of '
tui_keys q
tui_wait_gone '"ctrl+"'
tui_wait "characters minimum"

# 200x60: the activity log in the pager, its lines whole
tui_resize 200 60
tui_keys Tab
tui_wait "Batches ("
tui_keys l
tui_wait "Started; type a description for the photo shown."
tui_keys /
tui_type "started"
tui_keys Enter
tui_wait '"started": 1 of 1'
tui_keys Escape
tui_wait_gone '"started"'

# m: what the photos waiting cost on every model (the advisor's table, as
# plan --models), the configured one marked
tui_keys m
tui_wait "Cost on every model"
tui_wait "What the 4 photos waiting would cost on each model that reads images:"
# the configured model is marked
tui_wait_re '^ *│ *\* openai +gpt-4\.1-mini '
tui_wait "gemini"
tui_keys q
tui_wait_gone "Cost on every model"
tui_keys F10
tui_wait_exit >/dev/null
exit 0
