#!/bin/sh
# tui_last.sh: after the last photo, a partial collecting batch is not left
# waiting in silence: the editor says how many descriptions wait and how to
# send them (Tab, then s), and doing so sends the batch.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
tui_library 2 batch_size=10 min_description=50 poll_interval=1

# The photo on screen: its "File: NAME" line.  After a save the previous
# photo's line can stay on screen for a moment, so "next" means another name.
shown() { tui_screen | grep -o 'File: [^ ]*' | head -n 1; }
next_or_end() {
	tui__has "No unprocessed photo is left." && return 0
	cur=$(shown)
	[ -n "$cur" ] && [ "$cur" != "$prev" ]
}
tui_start
tui_wait "File: "
n=0
while ! tui__has "No unprocessed photo is left."; do
	n=$((n + 1))
	[ $n -le 5 ] || fail "more photos than the library has"
	prev=$(shown)
	tui_type "Fotka číslo $n: smrkový les v ranní mlze na úbočí kopce, rosa na trávě."
	tui_keys C-s
	tui_wait "($n/10)"
	wait_for 20 next_or_end || fail "neither a next photo nor the end"
done
tui_wait "$n descriptions wait in the collecting batch ($n/10)."
tui_wait "To send it now: Tab, then s."
tui_keys Tab
tui_wait "? Help"
tui_keys s
tui_wait "Sending the collecting batch now..."
tui_keys Tab
tui_wait_gone "wait in the collecting batch" 30
tui_wait "No unprocessed photo is left."
tui_keys F10
rc=$(tui_wait_exit 30)
check_eq "$rc" 0 "exit status of F10"
exit 0
