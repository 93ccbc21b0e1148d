#!/bin/sh
# tui_activity.sh: the dashboard reads as prose: the batch list has column
# headers, counts agree with their nouns ("1 request", not "1 requests"), and
# the activity log is not filled with "estimate $0.0000, actual $0.0000" from
# the polls that changed nothing.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
tui_library 3 batch_size=1 poll_interval=1

tui_start
tui_wait "File: IMG_0001.jpg"
tui_type "Smrkový les v ranní mlze na úbočí kopce, světlo prosvítá mezi kmeny."
tui_keys C-s
tui_wait "File: IMG_0002.jpg"
tui_keys Tab
tui_wait "Batches ("
# the column headers, over the rows
tui_wait_re 'Batch +State +API +Done +Age +ETA'
tui_wait "sent: 1 request, estimate"
tui_wait "completed" 90
if ! wait_for 60 grep -q "připraveno" "$L/PhotoMedia.csv"; then
	tui__dump
	fail "no row was committed to the CSV"
fi
tui_screen >"$SB_TMP/screen.txt"
if grep -q ' 1 requests' "$SB_TMP/screen.txt"; then
	tui__dump
	fail "a count of one with a plural noun"
fi
if grep -q 'estimate \$0\.0000, actual \$0\.0000' "$SB_TMP/screen.txt"; then
	tui__dump
	fail "the activity log holds runs that changed nothing"
fi
tui_keys F10
tui_wait_exit >/dev/null
exit 0
