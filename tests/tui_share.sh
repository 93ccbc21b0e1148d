#!/bin/sh
# tui_share.sh: a library on a network share whose server stalls on one
# file: the UI thread never waits for it.  bench/statdelay.so holds the
# file until the test lets it go.
#  - The hash cache (.stockbatch/series-hashes) held: a save of a
#    description goes on to the next photo and typing works; the cache is
#    written by the previewer's thread once the share answers, and is
#    there after a SIGHUP.
#  - A photo's reads held (its lookups answer): the editorial dialog
#    opens at once on it, the date field empty, and the photo's EXIF date
#    comes into the field once the previewer's thread has read the file.
#  - draft.json's opens held: a save of a description still goes through
#    (the store drops the photo's draft from what it wrote itself, without
#    reading the file back from the share), the description is in the
#    batch and the draft gone before the next photo shows.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
SHIM=$top_builddir/bench/statdelay.so
[ -f "$SHIM" ] || fail "$SHIM is not built (make check builds it)"
tui_library 8 batch_size=20 min_description=50 editorial_country=Slovakia
sb_make_series "$L" 3
STATE=$L/.stockbatch
# IMG_0005.jpg: no Datum vytvoření in the CSV (the date comes from EXIF)
sb_csv_set "$L/PhotoMedia.csv" IMG_0005.jpg "Datum vytvoření" ""
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
LD_PRELOAD=$SHIM STATDELAY_MS=1 STATDELAY_HOLD=$SB_TMP/hold
export LD_PRELOAD STATDELAY_MS STATDELAY_HOLD ASAN_OPTIONS

# 1. The hash cache: every open of series-hashes (and of its temp file)
#    waits while $SB_TMP/hold exists.
STATDELAY_PREFIX=$STATE/ STATDELAY_HOLD_NAME='series-hashes*'
export STATDELAY_PREFIX STATDELAY_HOLD_NAME
tui_start
tui_wait "File: IMG_0001.jpg"
# the series is known: its hashes are in the cache, to be written
tui_wait "Series: 1 of 3 similar photos"
: >"$SB_TMP/hold"
tui_type "Tři snímky jednoho výhledu: smrkový les v ranní mlze na úbočí kopce."
tui_keys C-s
tui_wait "Saved for the 3 photos of the series."
tui_wait "File: IMG_0004.jpg"
tui_type "Psáno, zatímco sdílení mlčí: smrkový les v mlze nad údolím."
tui_wait "sdílení mlčí: smrkový les"
[ -f "$STATE/series-hashes" ] && fail "series-hashes written while the share held it"
rm -f "$SB_TMP/hold"
# written behind the UI's back once the share answers
D=$L/Foto/JPG/Příroda/2024
wait_for 30 grep -q "	$D/IMG_0003.jpg\$" "$STATE/series-hashes" ||
	fail "the previewer's thread did not write the hash cache"
kill -HUP "$(tui_pid)"
tui_wait_exit >/dev/null
for i in 1 2 3; do
	grep -q "	$D/IMG_000$i.jpg\$" "$STATE/series-hashes" || fail "IMG_000$i.jpg's hash is lost"
done

# IMG_0005.jpg gets an EXIF DateTimeOriginal now: what the cache holds of
# it from the first run is stale
"$PYTHON3" - "$L/Foto/JPG/Příroda/2024/IMG_0005.jpg" <<'PY' || fail "cannot add EXIF"
import sys
from PIL import Image
im = Image.open(sys.argv[1])
ex = im.getexif()
ex[0x8769] = {0x9003: "2024:05:03 10:02:00"}
im.save(sys.argv[1], "JPEG", quality=85, exif=ex.tobytes())
PY

# 2. The editorial date: IMG_0005.jpg lists (the scan finds it) but its
#    opens wait while $SB_TMP/hold exists; the previewer's thread is the
#    one that waits.
STATDELAY_PREFIX=$L/ STATDELAY_HOLD_NAME=/IMG_0005.jpg STATDELAY_HOLD_OPENS=1
export STATDELAY_PREFIX STATDELAY_HOLD_NAME STATDELAY_HOLD_OPENS
: >"$SB_TMP/hold"
tui_start
tui_wait "File: IMG_0004.jpg"
tui_keys C-s
tui_wait "Saved IMG_0004.jpg."
# without a date it comes last: skip to it
n=0
until tui__has "File: IMG_0005.jpg"; do
	n=$((n + 1))
	[ $n -le 8 ] || { tui__dump; fail "IMG_0005.jpg is never offered"; }
	tui_wait_re "File: IMG_000[5-8].jpg"
	tui__has "File: IMG_0005.jpg" && break
	tui_keys C-n
	tui_wait "Skipped; nothing saved."
	tui_wait_gone "Skipped; nothing saved."
done
tui_keys C-e
tui_wait "Editorial"
tui_wait "Slovakia"
tui__has "03 05 2024" && fail "a date before the photo could be read"
tui_type "Praha"
tui_wait "Praha"
rm -f "$SB_TMP/hold"
tui_wait "03 05 2024" 30
tui_keys Enter
tui_wait "Editorial: Praha, Slovakia, 03 05 2024"
tui_keys F10
tui_wait_exit >/dev/null

# 3. The save's draft: opens of draft.json wait while $SB_TMP/hold exists
#    (its writes go through a temp file and a rename, not held).  The
#    checks read the files without the shim.
STATDELAY_PREFIX=$STATE/ STATDELAY_HOLD_NAME=/draft.json STATDELAY_HOLD_OPENS=1
export STATDELAY_PREFIX STATDELAY_HOLD_NAME STATDELAY_HOLD_OPENS
rm -f "$SB_TMP/hold"
tui_start
tui_wait_re "File: IMG_000[5-8].jpg"
name=$(tui_screen | sed -n 's/.*File: \(IMG_000[5-8]\.jpg\).*/\1/p' | head -n 1)
text="Rybník pod hrází v podzimním světle, rákosí a kachny u břehu."
tui_type "$text"
wait_for 20 env -u LD_PRELOAD grep -q "rákosí a kachny" "$STATE/draft.json" ||
	fail "no draft for $name"
: >"$SB_TMP/hold"
tui_keys C-s
tui_wait "Saved $name."
env -u LD_PRELOAD grep -q "rákosí a kachny" "$STATE"/batches/*/files.jsonl ||
	fail "the description of $name is not in its batch"
env -u LD_PRELOAD grep -q "rákosí a kachny" "$STATE/draft.json" 2>/dev/null &&
	fail "the saved photo's draft is still on disk"
tui_wait_gone "File: $name"
tui_type "Dál se píše"
tui_wait "Dál se píše"
rm -f "$SB_TMP/hold"
tui_keys F10
tui_wait_exit >/dev/null
unset LD_PRELOAD
exit 0
