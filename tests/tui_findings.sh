#!/bin/sh
# tui_findings.sh: a batch's report (Enter in the batch list) shows the
# agencies' rules its rows in the CSV break, as `stockbatch check` finds
# them (here a brand written into a committed title by hand), and says so
# when every row passes.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
tui_library 3 batch_size=2 poll_interval=1
CSV=$L/PhotoMedia.csv

tui_start
tui_resize 120 40
tui_wait "File: IMG_0001.jpg"
tui_save "Smrkový les v ranní mlze na úbočí kopce, světlo prosvítá mezi kmeny." IMG_0002.jpg
tui_save "Louka plná žlutých pampelišek pod modrou oblohou, v dálce les a kopce." IMG_0003.jpg
tui_wait "completed: 2 committed" 90
tui_keys Tab
# the batch of the two photos: its files pane lists IMG_0001.jpg
tui_select_batch_of IMG_0001.jpg
tui_keys Enter
tui_wait "Agency checks of its rows in the CSV"
tui_wait "rows ready for an agency: they pass every rule."
tui_keys q
tui_keys F10
tui_wait_exit >/dev/null

# a brand in a committed title, written by hand
"$PYTHON3" - "$CSV" <<'PY' || fail "cannot edit the CSV"
import sys
p = sys.argv[1]
data = open(p, "rb").read().decode("utf-8")
lines = data.split("\r\n") if "\r\n" in data else data.split("\n")
for i, l in enumerate(lines):
    if "IMG_0001.jpg" in l and "připraveno" in l:
        import csv, io
        head = next(csv.reader([lines[0].lstrip("\ufeff")]))
        row = next(csv.reader([l]))
        row[head.index("Název")] = "Coca-Cola bottle in a spruce forest"
        out = io.StringIO()
        csv.writer(out, lineterminator="").writerow(row)
        lines[i] = out.getvalue()
        break
else:
    sys.exit("no committed row of IMG_0001.jpg")
open(p, "wb").write(("\r\n" if "\r\n" in data else "\n").join(lines).encode("utf-8"))
PY
tui_start
tui_resize 120 40
tui_wait "File: IMG_0003.jpg"
tui_keys Tab
tui_select_batch_of IMG_0001.jpg
tui_keys Enter
tui_wait "Agency checks of its rows in the CSV"
tui_wait "IMG_0001.jpg: "
# the report names the brand rule
tui_wait_re "IMG_0001\.jpg: .*([Bb]rand|[Cc]oca)"
tui_keys q
tui_keys F10
tui_wait_exit >/dev/null
exit 0
