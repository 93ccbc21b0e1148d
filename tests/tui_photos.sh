#!/bin/sh
# tui_photos.sh: o in the batch view lists the photos still to describe and
# those described but not sent yet (their batch still collecting), with
# their folders, in the pager; / finds one by file name.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
tui_library 4 batch_size=10

tui_start
tui_resize 120 40
tui_wait "File: IMG_0001.jpg"
tui_save "Smrkový les v ranní mlze na úbočí kopce, světlo prosvítá mezi kmeny." IMG_0002.jpg
tui_keys Tab
tui_wait "Batches (1)"
tui_keys o
tui_wait "Photos"
tui_wait "photos to describe"
tui_wait "1 photo described, not sent yet (its batch is collecting):"
tui_wait_re "IMG_0002\.jpg +\(.*Foto"
# the described one is under its own heading, after the ones to describe
tui_screen | sed -n '/described, not sent yet/,$p' | grep -q "IMG_0001.jpg" ||
	{ tui__dump; fail "IMG_0001.jpg is not among the described ones"; }
tui_keys /
tui_type "img_0004"
tui_keys Enter
tui_wait '"img_0004": 1 of 1'
tui_keys q
tui_wait_gone "photos to describe"
tui_keys F10
tui_wait_exit >/dev/null
exit 0
