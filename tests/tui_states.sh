#!/bin/sh
# tui_states.sh: the batch view speaks plainly.  File states in words, not
# the store's names (description_saved); the field labels in the screen's
# language; the Done count the same before and after a restart; `c` on a
# completed batch says there is nothing to cancel (no question first); `r`
# on a batch that is not paused says so; a batch the provider no longer
# knows is paused with the reason in the activity log and beside its files,
# `r` does not pause it again silently, and `c` cancels it so that retry
# (f) sends its photos again.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
sb_start_fake --step 0.3
L=$SB_TMP/lib
sb_make_library "$L" 4
sb_config "$L" batch_size=2 poll_interval=1

tui_start
tui_wait "File: IMG_0001.jpg"
tui_wait "Category:"
tui_wait "Path:"
tui__has "Soubor:" && { tui__dump; fail "a Czech field label on an English screen"; }
tui_type "Smrkový les v ranní mlze na úbočí kopce, světlo prosvítá mezi kmeny."
tui_keys C-s
tui_wait "File: IMG_0002.jpg"
tui_keys Tab
tui_wait "Batches (1)"
tui_wait "described"
tui__has "description_saved" && { tui__dump; fail "a state shown by its internal name"; }
tui_keys Tab
tui_type "Louka plná žlutých pampelišek pod modrou oblohou, v dálce les a kopce."
tui_keys C-s
tui_wait "File: IMG_0003.jpg"
tui_keys Tab
tui_wait "completed" 90
tui_wait "in the CSV" 60
tui__has "saved_to_csv" && { tui__dump; fail "a state shown by its internal name"; }
tui_wait " 2/2 "
# c on a completed batch: no question, the reason at once
tui_keys c
tui_wait "there is nothing to cancel"
tui__has "Cancel batch" && { tui__dump; fail "c on a completed batch asked first"; }
tui_keys r
tui_wait "not paused: nothing to resume"
tui_keys q
tui_wait_exit >/dev/null

# The same count after a restart.
tui_start
tui_wait "File: IMG_0003.jpg"
tui_keys Tab
tui_wait "completed"
tui_wait " 2/2 "

# A batch the provider forgets while it is out.
tui_keys Tab
tui_type "Třetí fotka: tráva ve větru, zelené stéblo, ranní rosa na listech a v trávě."
tui_keys C-s
tui_wait "File: IMG_0004.jpg"
tui_keys Tab
tui_wait "collecting"
# slow from now on: the batch is still out when the fake forgets it
sb_fake_fault '{"step": 60}' >/dev/null
created() { sb_fake_stats | "$PYTHON3" -c 'import json, sys; print(json.load(sys.stdin)["batches_created"])'; }
before=$(created)
tui_keys s
# forgotten once the fake has it (the registry says sent a moment before
# the provider's create returns)
made() { [ "$(created)" -gt "$before" ]; }
wait_for 60 made || { tui__dump; fail "the batch was not created at the fake"; }
sb_fake_fault '{"forget": 1}' >"$SB_TMP/forget.out" || fail "the fake took no forget: $(cat "$SB_TMP/forget.out")"
tui_wait "does not know batch" 90
# the newest (top) row: select it; the registry is read a moment after
# the log line, and an edited copy's batch may be paused first
tui_keys Up Up Up Up
top_paused() { tui_screen | grep -A1 -E 'Batch +State' | tail -n 1 | grep -q ' paused '; }
wait_for 60 top_paused || { tui__dump; fail "the batch list does not show the selected batch paused"; }
# r: refused with the reason, not resumed to be paused again
tui_keys r
tui_wait "cannot be resumed" 30
tui_keys c
tui_wait "Cancel batch"
tui_keys y
tui_wait "cancelled" 30
tui_wait "gave up" 30
tui_keys F10
tui_wait_exit >/dev/null
exit 0
