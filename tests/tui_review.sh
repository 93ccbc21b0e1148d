#!/bin/sh
# tui_review.sh: w in the batch view reviews the selected batch: for each
# photo, the title, description and keywords the CSV holds now (read back
# here with Python's csv), in the pager.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
tui_library 3 batch_size=2 poll_interval=1
CSV=$L/PhotoMedia.csv

tui_start
tui_resize 160 50
tui_wait "File: IMG_0001.jpg"
tui_save "Smrkový les v ranní mlze na úbočí kopce, světlo prosvítá mezi kmeny." IMG_0002.jpg
tui_save "Louka plná žlutých pampelišek pod modrou oblohou, v dálce les a kopce." IMG_0003.jpg
tui_wait "completed: 2 committed" 90
tui_keys Tab
tui_select_batch_of IMG_0001.jpg
title=$("$PYTHON3" -c 'import csv, sys
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8-sig")):
    if r["Soubor"] == "IMG_0001.jpg" and r["Název"]:
        print(r["Název"]); break' "$CSV")
[ -n "$title" ] || fail "no committed title for IMG_0001.jpg"
tui_keys w
tui_wait "Review of b"
tui_wait "Title: $title"
tui_wait "Keywords: "
tui_keys q
tui_wait_gone "Review of b"
tui_keys F10
tui_wait_exit >/dev/null
exit 0
