#!/bin/sh
# tui_export.sh: from the batch view, x writes the agencies' upload CSVs (as
# export-agency) and e writes the metadata into copies of the photos (as
# embed), in the background; the activity log says what was written and
# what was left out (the sample library's own rows included).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
tui_library 3 batch_size=2 poll_interval=1

tui_start
tui_resize 200 60
tui_wait "File: IMG_0001.jpg"
tui_save "Smrkový les v ranní mlze na úbočí kopce, světlo prosvítá mezi kmeny." IMG_0002.jpg
tui_save "Louka plná žlutých pampelišek pod modrou oblohou, v dálce les a kopce." IMG_0003.jpg
tui_wait "completed: 2 committed" 90
tui_keys Tab
tui_wait "Batches ("
tui_keys x
tui_wait "ShutterStock: " 60
tui_wait "rows -> $L/export/ShutterStock.csv"
[ -f "$L/export/ShutterStock.csv" ] || { tui__dump; fail "no ShutterStock.csv in $L/export"; }
"$PYTHON3" - "$L/export/ShutterStock.csv" <<'PY' || fail "the upload CSV does not hold the two rows"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig")))
names = [r["Filename"] for r in rows]
assert "IMG_0001.jpg" in names and "IMG_0002.jpg" in names, names
PY
tui_keys e
tui_wait "photos written to $L/embedded, " 60
[ -f "$L/embedded/IMG_0001.jpg" ] || { tui__dump; find "$L" -name 'IMG_0001*' >&2; fail "no embedded copy of IMG_0001.jpg"; }
tui_keys F10
tui_wait_exit >/dev/null
exit 0
