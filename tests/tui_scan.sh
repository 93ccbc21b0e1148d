#!/bin/sh
# tui_scan.sh: on a slow network share the photos to describe are found in
# the background: the first photo is on screen while the count in the title
# still fills in ("photo 1/N+"), and typing and saving a description work
# meanwhile.  bench/statdelay.so makes every lookup of a photo take 2 s,
# and holds the lookup of one photo (IMG_0060.jpg) until the test has seen
# the overlap: the count cannot complete before that, however slow the
# machine (with the 2 s alone the scan ended some 16 s in, and a loaded
# machine could take longer than that to type and save).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
SHIM=$top_builddir/bench/statdelay.so
[ -f "$SHIM" ] || fail "$SHIM is not built (make check builds it)"
tui_library 60 batch_size=10 min_description=50 poll_interval=1

# 60 photos, 8 lookups at a time, 2 s each: some 16 s of counting, and
# IMG_0060.jpg's lookup waits while $SB_TMP/hold exists
: >"$SB_TMP/hold"
LD_PRELOAD=$SHIM STATDELAY_MS=2000 STATDELAY_PREFIX=$L/Foto/
STATDELAY_HOLD=$SB_TMP/hold STATDELAY_HOLD_NAME=/IMG_0060.jpg
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export LD_PRELOAD STATDELAY_MS STATDELAY_PREFIX STATDELAY_HOLD STATDELAY_HOLD_NAME ASAN_OPTIONS
tui_start
unset LD_PRELOAD
tui_wait "Looking for photos to describe..." 10
tui_wait "photo 1/" 30
tui__has "+  openai" || { tui__dump; fail "the count was complete before the scan could be"; }
text="Fotka při počítání: smrkový les v ranní mlze na úbočí kopce, rosa."
tui_type "$text"
tui_wait "rosa." 10
tui_keys C-s
tui_wait "(1/10)" 20
tui_wait "photo 2/" 20
# still counting when the description was saved
tui__has "+  openai" || { tui__dump; fail "the scan ended before the save: no overlap shown"; }
grep -rqF "$text" "$L/.stockbatch/batches" || fail "the description is not in the store"
# the count completes once the share answers: 60 photos, the video; the
# missing one is not offered
rm -f "$SB_TMP/hold"
tui_wait "photo 2/61  openai" 60
tui_keys F10
rc=$(tui_wait_exit 30)
check_eq "$rc" 0 "exit status of F10"
exit 0
