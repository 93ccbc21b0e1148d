#!/bin/sh
# tui_quit_unreachable.sh: quitting while the provider cannot be reached
# does not sit out the network retries (1, 2, 4, 8 and 16 s): the worker's
# wait between tries ends at the quit, no try starts after it, and the
# batch stays ready for the next run (nothing marked failed).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
L=$SB_TMP/lib
sb_make_library "$L" 2
sb_config "$L" batch_size=1 poll_interval=1 # no fake: a refused port
STATE=$L/.stockbatch
LOG=$STATE/stockbatch.log

tries() { grep -c 'POST /v1/files: .*; retry [0-9]* in' "$LOG" 2>/dev/null || echo 0; }
tried_once() { [ "$(tries)" -ge 1 ]; }

tui_start
tui_wait "File: IMG_0001.jpg"
tui_type "Smrkový les v mlze u potoka, ranní světlo mezi kmeny"
tui_keys C-s
tui_wait "File: IMG_0002.jpg"
wait_for 60 tried_once || fail "the worker never tried the refused port"
before=$(tries)
tui_keys F10
rc=$(tui_wait_exit 60)
check_eq "$rc" 0 "exit status after F10"
after=$(tries)
# Without the stop the worker goes on to its fifth retry before the program
# can end; one more line may have been on its way at the key.
[ "$after" -le $((before + 1)) ] ||
	fail "retries went on after the quit: $before before F10, $after at the end"
check_nogrep "retry 5 in" "$LOG" "the retries did not run their course"
sb_run status --json
check_eq "$(sb_json "$SB_OUT" 'sum(1 for b in d["batches"] if b["state"] == "ready")')" 1 \
	"the batch stays ready for the next run"
exit 0
