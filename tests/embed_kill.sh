#!/bin/sh
# embed_kill.sh: kill -9 at random instants during `embed --in-place`: every
# photo is either as it was or fully written (byte for byte what an
# uninterrupted run writes), never torn; the next run finishes the job and
# removes the temp files the killed runs left; --backup keeps each photo as
# it was; a row left out makes the exit status 5, none makes it 0.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
sb_tmpdir
N=10
L=$SB_TMP/lib
sb_make_library "$L" $N
P=$L/Foto/JPG/Příroda/2024
# photos big enough that a run takes a while, every row prepared with metadata
"$PYTHON3" - "$L/PhotoMedia.csv" "$P" $N <<'PY' || fail "preparing the library"
import csv, os, random, sys
from PIL import Image
p, d, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
rnd = random.Random(7)
for i in range(1, n + 1):
    im = Image.effect_noise((1600, 1200), 60).convert("RGB")
    im.save(os.path.join(d, "IMG_%04d.jpg" % i), "JPEG", quality=95)
with open(p, encoding="utf-8-sig", newline="") as f:
    rows = list(csv.reader(f))
col = {c: i for i, c in enumerate(rows[0])}
out = [rows[0]]
for r in rows[1:]:
    if not r[col["Soubor"]].startswith("IMG_00") or r[col["Soubor"]] == "IMG_0050.jpg":
        continue
    r[col["ShutterStock status"]] = "připraveno"
    r[col["Název"]] = "Smrkový les v mlze, Šumava"
    r[col["Popis"]] = "Ranní mlha nad smrkovým lesem u Kvildy, světlo mezi kmeny."
    r[col["Klíčová slova"]] = ", ".join("slovo%02d" % k for k in range(1, 30))
    out.append(r)
with open(p, "w", encoding="utf-8-sig", newline="") as f:
    csv.writer(f).writerows(out)
PY
mkdir -p "$SB_TMP/orig" "$SB_TMP/ref" "$SB_TMP/ref2"
cp -p "$P"/IMG_00*.jpg "$SB_TMP/orig/"
# the reference: one uninterrupted run
sb_config "$L"
t0=$(date +%s.%N)
sb_run embed --in-place
t1=$(date +%s.%N)
check_rc 0 "embed --in-place with every row's metadata"
cp -p "$P"/IMG_00*.jpg "$SB_TMP/ref/"
# a photo written already is written once more by the next run (the XMP
# toolkit lays its packet out again once; from then on the bytes stay)
sb_run embed --in-place
cp -p "$P"/IMG_00*.jpg "$SB_TMP/ref2/"
restore() { cp -p "$SB_TMP/orig"/IMG_00*.jpg "$P/"; }
verify() # every photo old or new, byte for byte; prints how many are new
{
	"$PYTHON3" - "$P" "$SB_TMP/orig" "$SB_TMP/ref" "$SB_TMP/ref2" <<'PY'
import os, sys
p, o, r, r2 = sys.argv[1:]
new = 0
for name in sorted(os.listdir(o)):
    d = open(os.path.join(p, name), "rb").read()
    if d in (open(os.path.join(r, name), "rb").read(), open(os.path.join(r2, name), "rb").read()):
        new += 1
    elif d != open(os.path.join(o, name), "rb").read():
        sys.exit("%s is neither the photo as it was nor as written: torn" % name)
print(new)
PY
}
round=0
killed=0
while [ $round -lt 12 ]; do
	round=$((round + 1))
	restore
	# an instant inside the run, on this machine's pace (the reference
	# run's time): a fixed range missed every run on a fast machine
	delay=$("$PYTHON3" -c 'import random, sys; random.seed(int(sys.argv[1])); t = float(sys.argv[3]) - float(sys.argv[2]); print("%.4f" % random.uniform(0.05 * t, 0.95 * t))' $round "$t0" "$t1")
	"$STOCKBATCH_BIN" --config "$SB_CONF" embed --in-place >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 $pid 2>/dev/null && killed=$((killed + 1))
	wait $pid 2>/dev/null
	n=$(verify) || fail "round $round (kill after ${delay}s): $n"
done
[ $killed -gt 0 ] || skip "no run was still going when killed (the machine is too fast for $N photos)"
echo "ok: $killed of $round runs killed while going"
# the next run finishes: every photo written, no temp file left
sb_run embed --in-place
check_rc 0 "embed --in-place after the kills"
check_eq "$(verify)" $N "photos left unwritten after a full run"
ls -a "$P" | grep -q '\.tmp\.' && fail "a killed run's temp file is still beside the photos"
# --backup: each photo as it was, kept first
restore
sb_run embed --in-place --backup --json
check_rc 0 "embed --in-place --backup"
B=$(sb_json "$SB_OUT" 'd["backup_dir"]')
for f in "$SB_TMP/orig"/IMG_00*.jpg; do
	name=$(basename "$f")
	cmp -s "$f" "$B/Foto/JPG/Příroda/2024/$name" || fail "--backup did not keep $name as it was"
	cmp -s "$SB_TMP/ref/$name" "$P/$name" || fail "--backup: $name not written"
done
sb_run embed --backup
check_rc 2 "--backup without --in-place"
# a row left out: exit 5
rm -f "$P/IMG_0001.jpg"
sb_run embed --in-place
check_rc 5 "embed with a row left out"
check_grep 'left out IMG_0001\.jpg' "$SB_OUT" "the row left out is named"
exit 0
