#!/bin/sh
# fifo_photo.sh: a FIFO planted in the library under a photo's name (or
# under the CSV's) blocks nothing: plan, import, send and check go on with
# the other photos and name the planted one "not a regular file".  Before,
# the first open of it waited for a writer for ever.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
sb_tmpdir
command -v mkfifo >/dev/null || skip "no mkfifo"
command -v timeout >/dev/null || skip "no timeout"
sb_start_fake --step 0.05 --seed 3
L=$SB_TMP/lib
sb_make_library "$L" 4
sb_config "$L" batch_size=2 poll_interval=1 rpm=6000
P=$L/Foto/JPG/Příroda/2024
rm -f "$P/IMG_0002.jpg"
mkfifo "$P/IMG_0002.jpg" || fail "mkfifo"
for i in 1 2 3; do
	printf '%s\tFotka číslo %s: smrkový les v ranní mlze na úbočí kopce, světlo mezi kmeny.\n' \
		"$P/IMG_000$i.jpg" "$i"
done >"$SB_TMP/d.tsv"

# each run bounded: a hang is the failure this test is for
run() { timeout 60 "$STOCKBATCH_BIN" --config "$SB_CONF" "$@" >"$SB_TMP/out" 2>"$SB_TMP/err" </dev/null; }
run plan
[ $? = 124 ] && fail "plan hangs on a FIFO in the library"
run import "$SB_TMP/d.tsv"
rc=$?
[ $rc = 124 ] && fail "import hangs on a FIFO in the library"
run send
rc=$?
[ $rc = 124 ] && fail "send hangs on a FIFO in the library"
cat "$SB_TMP/out" "$SB_TMP/err" >"$SB_TMP/all"
grep -q "IMG_0002.jpg.*not a regular file" "$SB_TMP/all" ||
	{ cat "$SB_TMP/all"; fail "send does not name the FIFO as not a regular file"; }
run retrieve --wait 60
[ $? = 124 ] && fail "retrieve hangs"
run check
[ $? = 124 ] && fail "check hangs on a FIFO in the library"

# the CSV itself a FIFO: a clear error at once
mv "$L/PhotoMedia.csv" "$SB_TMP/saved.csv"
mkfifo "$L/PhotoMedia.csv" || fail "mkfifo"
run plan
rc=$?
[ $rc = 124 ] && fail "plan hangs on a FIFO named PhotoMedia.csv"
[ $rc = 0 ] && fail "plan took a FIFO for the CSV"
grep -q "not a regular file" "$SB_TMP/err" || { cat "$SB_TMP/err"; fail "no clear error for a FIFO CSV"; }
exit 0
