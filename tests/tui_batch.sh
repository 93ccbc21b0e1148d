#!/bin/sh
# tui_batch.sh: the whole loop from the TUI against the fake API: two
# descriptions fill a batch of two, the worker sends it while we keep
# typing, the dashboard shows it sent then completed, the results are in
# the CSV; the report popup and the batch actions answer from the
# registry pane.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
# Slow status steps, so "sent" stays on the dashboard long enough to see.
sb_start_fake --step 0.5
L=$SB_TMP/lib
sb_make_library "$L" 4
sb_config "$L" batch_size=2 poll_interval=1
CSV=$L/PhotoMedia.csv

tui_start
tui_wait "Collecting descriptions (0/2)"
tui_wait "File: IMG_0001.jpg"
tui_type "Smrkový les v ranní mlze na úbočí kopce, světlo prosvítá mezi kmeny."
tui_keys C-s
tui_wait "File: IMG_0002.jpg"
tui_type "Louka plná žlutých pampelišek pod modrou oblohou, v dálce les a kopce."
tui_keys C-s
tui_wait "File: IMG_0003.jpg"
# Keep typing while the worker sends: the keys land at once.
tui_type "Třetí fotka: "
tui_wait "Třetí fotka:"

# The dashboard: the full batch goes out and comes back.
tui_keys Tab
tui_wait "Batches ("
tui_wait " sent " 60
tui_wait "completed" 90
if ! wait_for 60 grep -q "připraveno" "$CSV"; then
	tui__dump
	fail "no row was committed to the CSV"
fi
"$PYTHON3" - "$CSV" <<'PY' || fail "the CSV does not hold the results"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig")))
done = [r for r in rows if r["Soubor"] in ("IMG_0001.jpg", "IMG_0002.jpg")]
assert len(done) == 2, done
for r in done:
    assert r["Název"].strip(), ("no title", r["Soubor"])
    assert r["Klíčová slova"].strip(), ("no keywords", r["Soubor"])
    assert r["ShutterStock status"] == "připraveno", r["ShutterStock status"]
PY

# The report of the selected (completed) batch, from the registry pane.
tui_wait "in the CSV"
tui_keys Enter
tui_wait "Report of "
tui_keys Escape
tui_wait_gone "Report of "
# Cancel on a completed batch: nothing to cancel, said at once (a batch
# still out asks first: tests/tui_states.sh).
tui_keys c
tui_wait "there is nothing to cancel."
# A half-full batch goes out on "s" (send now) from the registry pane.
tui_keys Tab
tui_wait "Třetí fotka:"
tui_type "tráva ve větru, zelené stéblo u stéblo, ranní rosa na lesklých listech."
tui_keys C-s
tui_wait "Collecting descriptions (1/2)"
tui_keys Tab
tui_wait "Batches ("
tui_keys s
tui_wait "Sending the collecting batch now..."
if ! wait_for 60 grep -q "IMG_0003.jpg.*připraveno" "$CSV"; then
	tui__dump
	fail "the batch sent with 's' was not committed"
fi
tui_keys Tab
tui_wait "File: IMG_0004.jpg"
tui_type "Čtvrtá fotka: "
tui_wait "Čtvrtá fotka:"
tui_keys Tab
tui_wait "Batches ("
# Help from the dashboard on '?', then quit on 'q' (the draft is kept).
tui_keys "?"
tui_wait "pause the selected batch"
tui_keys q
tui_wait_gone "pause the selected batch"
tui_keys q
rc=$(tui_wait_exit 60)
check_eq "$rc" 0 "exit status"
grep -rqF "Čtvrtá fotka:" "$L/.stockbatch" || fail "the draft was not kept at quit"
exit 0
