#!/bin/sh
# tui_series_strip.sh: the editor shows a series as a strip of small
# pictures of its frames (--preview symbols), numbered in the order they
# were taken, whatever the CSV's order: here the CSV's first row was taken
# last.  The frame shown is marked ("[n]") and the strip scrolls to keep it
# in view; a pane too small for the pictures lists the frames' names.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
tui_library 8 batch_size=20 min_description=50
sb_make_series "$L" 6
# IMG_0001 (the CSV's first frame) taken last: 10:01:30, after IMG_0006
sb_csv_set "$L/PhotoMedia.csv" IMG_0001.jpg "Datum vytvoření" "01.05.2024 10:01:30"

# the line of the strip's labels: the frames' numbers, the one shown in []
labels()
{
	tui_screen | grep -E "^.{40,}$1 *\$" >/dev/null
}
# the pictures are drawn: no placeholder dot left on the 4 lines above the
# labels, and some of the picture's symbols there
pictures()
{
	tui_screen | awk -v lab="$1" '
		{ line[NR] = $0 }
		$0 ~ lab { at = NR }
		END {
			if (!at) exit 1
			sym = 0
			for (i = at - 4; i < at; i++) {
				s = substr(line[i], 56)
				if (s ~ /[.?]/) exit 1
				gsub(/[ -~]/, "", s)
				sym += length(s)
			}
			exit sym > 0 ? 0 : 1
		}'
}

tui_start --preview symbols
tui_wait "Series: 1 of 6 similar photos"
# frame 1 is the first taken (IMG_0002), not the CSV's first row
tui_wait "File: IMG_0002.jpg"
wait_for 20 labels '\[1\] +2 +3 +>' || { tui__dump; fail "no strip of frames 1, 2, 3 with [1] marked"; }
wait_for 30 pictures '\[1\] +2 +3' || { tui__dump; fail "the strip's pictures never came"; }
# the names are still listed below the strip
tui_wait "> IMG_0002.jpg" # the frame shown is marked in the list

# Page Down: the next frame is marked; at the end the strip has scrolled
tui_keys NPage
tui_wait "Series: 2 of 6 similar photos"
wait_for 20 labels '1 +\[2\] +3 +>' || { tui__dump; fail "frame 2 is not marked in the strip"; }
tui_keys NPage NPage NPage NPage
tui_wait "Series: 6 of 6 similar photos"
# the CSV's first row was taken last: it is the series' last frame
tui_wait "File: IMG_0001.jpg"
wait_for 20 labels '< +4 +5 +\[6\]' || { tui__dump; fail "the strip did not scroll to frame 6"; }
wait_for 30 pictures '4 +5 +\[6\]' || { tui__dump; fail "the scrolled strip's pictures never came"; }

# too small for the pictures: the names alone, the frame shown marked
tui_resize 70 20
tui_wait "Series: 6 of 6 similar photos"
wait_for 20 sh -c "! ( $TUI_TM capture-pane -p -t sb | grep -q '\\[6\\]' )" ||
	{ tui__dump; fail "the strip is drawn in a pane too small for it"; }
tui_wait "> IMG_0001.jpg"
tui_keys F10
rc=$(tui_wait_exit)
[ "$rc" = 0 ] || { tui__dump; fail "the program exited $rc (a sanitizer's report?)"; }
exit 0
