#!/bin/sh
# csv_swap.sh: a save by another program in the last instant of a commit,
# between the commit's last check and its swap (tests/swapsave.so puts it
# there), is kept: the commit sees it in the file it swapped out, puts it
# back and merges again.  Once for a save renamed over the CSV, once for a
# save rewriting it in place; each time the other program's token and the
# committed rows are both in the final file.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
SHIM=$top_builddir/tests/swapsave.so
[ -f "$SHIM" ] || skip "tests/swapsave.so not built (make check builds it)"
sb_tmpdir
sb_start_fake --step 0.05 --seed 17
L=$SB_TMP/lib
sb_make_library "$L" 4
sb_config "$L" batch_size=2 poll_interval=1 alternatives=
CSV=$L/PhotoMedia.csv
P=$L/Foto/JPG/Příroda/2024
sed -i 's/Historic houses around the old town square in the evening light\./MARKS:/' "$CSV"
grep -q 'MARKS:' "$CSV" || fail "no marker row"
desc()
{
	printf '%s\tFotka číslo %s: smrkový les v ranní mlze na úbočí kopce, světlo mezi kmeny.\n' \
		"$P/IMG_000$1.jpg" "$1"
}
titled()
{
	"$PYTHON3" -c 'import csv, sys
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8-sig", newline="")):
    if r["Soubor"] == sys.argv[2]:
        print("titled" if r["Název"] else "untitled")' "$CSV" "$1"
}
n=0
for mode in rename inplace; do
	a=$((n + 1))
	b=$((n + 2))
	n=$b
	{ desc $a; desc $b; } >"$SB_TMP/$mode.tsv"
	sb_run import "$SB_TMP/$mode.tsv"
	check_rc 0 "import ($mode)"
	sb_run send
	check_rc 0 "send ($mode)"
	SWAPSAVE_FILE=$CSV SWAPSAVE_MODE=$mode LD_PRELOAD=$SHIM
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
	export SWAPSAVE_FILE SWAPSAVE_MODE LD_PRELOAD ASAN_OPTIONS
	sb_run retrieve --wait 60
	unset LD_PRELOAD
	check_rc 0 "retrieve with a save at the swap ($mode)"
	check_eq "$(grep -c "MARKS:s1\." "$CSV")" 1 "the save at the swap ($mode) is in the CSV"
	check_eq "$(titled IMG_000$a.jpg) $(titled IMG_000$b.jpg)" "titled titled" \
		"the commit after the save ($mode)"
	sed -i 's/MARKS:s1\./MARKS:/' "$CSV"
done
exit 0
