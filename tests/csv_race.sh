#!/bin/sh
# csv_race.sh: a program saving PhotoMedia.csv while stockbatch commits
# loses none of its saves.  A 30,000-row CSV; a spreadsheet-like process
# saves it every 5 ms (a token appended to a field of a row no commit
# touches; atomic replace and in-place rewrite in turn) while commits run
# one after another into other rows; every token must be in the final file
# (tests/commit_race.c).  SB_RACE_WRITES sets the number of saves: 100 by
# default, 1000 for the measure in bench/RESULTS.md.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
sb_tmpdir
L=$SB_TMP/lib
sb_make_library "$L" 4
CSV=$L/PhotoMedia.csv
"$PYTHON3" - "$CSV" 30000 <<'PY' || fail "cannot grow the CSV"
import csv, io, sys
path, total = sys.argv[1], int(sys.argv[2])
rows = list(csv.reader(io.open(path, encoding="utf-8-sig", newline="")))
head, body = rows[0], rows[1:]
ci, si, pi = head.index("Cesta"), head.index("Soubor"), head.index("Popis")
model = next(r for r in body if r[si] == "IMG_0050.jpg")
extra = []
for i in range(total - len(body)):
    r = list(model)
    r[si] = "IMG_%06d.jpg" % (100000 + i)
    r[ci] = model[ci].replace("IMG_0050.jpg", r[si])
    if i == 0:
        r[pi] = "MARKS:"
    extra.append(r)
out = io.StringIO()
w = csv.writer(out, lineterminator="\r\n")
w.writerow(head)
w.writerows(body + extra)
io.open(path, "w", encoding="utf-8-sig", newline="").write(out.getvalue())
PY
P=$L/Foto/JPG/Příroda/2024
"$top_builddir/tests/commit_race" "$CSV" "${SB_RACE_WRITES:-100}" \
	"$P/IMG_0001.jpg" "$P/IMG_0002.jpg" "$P/IMG_0003.jpg" >"$SB_TMP/race.out" 2>"$SB_TMP/race.err"
rc=$?
cat "$SB_TMP/race.out"
cat "$SB_TMP/race.err" >&2
[ $rc -eq 0 ] || fail "saves lost while committing (exit $rc)"
exit 0
