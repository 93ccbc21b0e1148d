#!/bin/sh
# engine_week.sh: a photographer's week against the fake, on a library with
# Windows paths: originals described over several runs, a PNG, a RAW shot
# with its JPEG beside it, a video, an edited copy that appears days after
# its original was committed, a hand edit of a copy's row, a batch cancelled
# at the provider and resent.  At the end every described file is committed
# exactly once, the hand edit is kept, the PNG and the RAW went with a
# picture and the video without, and `report` agrees with the CSV and exits 0.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
sb_tmpdir
sb_start_fake --step 0.05
L=$SB_TMP/lib
sb_make_library "$L" 6 winpaths
sb_config "$L" batch_size=3 rpm=6000
EDIR="Upravené foto/JPG/Příroda/2024"
# the PNG and the RAW+JPEG pair, rows like the JPEGs'
"$PYTHON3" - "$L" <<'PY' || fail "cannot add the PNG and RAW rows"
import csv, os, sys
from PIL import Image
lib = sys.argv[1]
p = os.path.join(lib, "PhotoMedia.csv")
with open(p, encoding="utf-8-sig", newline="") as f:
    rows = list(csv.reader(f))
h = rows[0]
base = next(r for r in rows[1:] if r[0] == "IMG_0001.jpg")
def add(kind, name):
    d = os.path.join(lib, "Foto", kind, "Příroda", "2024")
    os.makedirs(d, exist_ok=True)
    r = list(base)
    r[h.index("Soubor")] = name
    r[h.index("Cesta")] = "J:\\Foto\\%s\\Příroda\\2024\\%s" % (kind, name)
    rows.append(r)
    return d
d = add("PNG", "IMG_0200.png")
im = Image.new("RGBA", (120, 80), (30, 120, 200, 255))
im.paste((200, 40, 40, 255), (0, 0, 60, 40))
im.save(os.path.join(d, "IMG_0200.png"))
d = add("RAW", "IMG_0300.CR2")
with open(os.path.join(d, "IMG_0300.CR2"), "wb") as f:
    f.write(b"II*\x00\x10\x00\x00\x00CR\x02\x00" + bytes(200))  # no readable preview
Image.new("RGB", (90, 60), (40, 160, 60)).save(os.path.join(d, "IMG_0300.JPG"), "JPEG")
with open(p, "w", encoding="utf-8-sig", newline="") as f:
    csv.writer(f).writerows(rows)
PY
mv "$L/$EDIR/IMG_0001_bw.jpg" "$SB_TMP/bw1.jpg" # edited on Wednesday
cesta() { grep -F "$1" "$L/.sb_manifest" | cut -f2; }
tsv() # lines "Cesta<TAB>description" for the given file names
{
	for n in "$@"; do
		case $n in
		*.png) c='J:\Foto\PNG\Příroda\2024\'$n ;;
		*.CR2) c='J:\Foto\RAW\Příroda\2024\'$n ;;
		*) c=$(cesta "$n") ;;
		esac
		printf '%s\tRanní mlha nad rybníkem, rákosí a staré duby na hrázi, první světlo dne.\n' "$c"
	done
}
row() # Soubor, column -> the value
{
	"$PYTHON3" -c 'import csv, sys
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8-sig")):
    if r["Soubor"] == sys.argv[2]:
        print(r[sys.argv[3]])' "$L/PhotoMedia.csv" "$1" "$2"
}

# Monday: three photos, the PNG and the RAW; sent, retrieved
tsv IMG_0001.jpg IMG_0002.jpg IMG_0003.jpg IMG_0200.png IMG_0300.CR2 >"$SB_TMP/mon.tsv"
sb_run import "$SB_TMP/mon.tsv"
check_rc 0 "Monday: import"
sb_run send --all --yes
check_rc 0 "Monday: send"
sb_run retrieve --wait 60
check_rc 0 "Monday: retrieve"
for f in IMG_0001.jpg IMG_0002.jpg IMG_0003.jpg IMG_0200.png IMG_0300.CR2; do
	check_eq "$(row $f 'ShutterStock status')" "připraveno" "Monday: $f not committed"
done
"$PYTHON3" - "$L"/.stockbatch/batches/*/requests.jsonl <<'PY' || fail "Monday: the PNG or the RAW went without its picture"
import json, sys
seen = {}
for p in sys.argv[1:]:
    for line in open(p, encoding="utf-8"):
        r = json.loads(line)
        seen[r["custom_id"][:8]] = "image_url" in json.dumps(r["body"])
assert seen.get("IMG_0200") and seen.get("IMG_0300"), seen
PY

# Tuesday: three more and the video; the batch is cancelled at the provider,
# then resent
tsv IMG_0004.jpg IMG_0005.jpg IMG_0006.jpg VID_0001.mp4 >"$SB_TMP/tue.tsv"
sb_run import "$SB_TMP/tue.tsv"
check_rc 0 "Tuesday: import"
sb_fake_fault '{"step": 5}' >/dev/null
sb_run send --all --yes
check_rc 0 "Tuesday: send"
sb_run status --json
for B in $(sb_json "$SB_OUT" '" ".join(b["id"] for b in d["batches"] if b["state"] == "sent")'); do
	sb_run cancel "$B"
	check_rc 0 "Tuesday: cancel"
done
sb_fake_fault '{"clear": true}' >/dev/null
sb_run retrieve --wait 60
sb_run retry-failed
check_rc 0 "Tuesday: retry-failed"
sb_run send --all --yes
check_rc 0 "Tuesday: send again"
sb_run retrieve --wait 60
check_rc 0 "Tuesday: retrieve"
for f in IMG_0004.jpg IMG_0005.jpg IMG_0006.jpg VID_0001.mp4; do
	check_eq "$(row $f 'ShutterStock status')" "připraveno" "Tuesday: $f not committed"
done

# Wednesday: the _bw edit of Monday's photo appears; it gets its row and
# goes with the next send
mv "$SB_TMP/bw1.jpg" "$L/$EDIR/IMG_0001_bw.jpg"
sb_run plan --json
check_eq "$(sb_json "$SB_OUT" 'd["totals"]["late_copies"]')" 1 "Wednesday: plan does not list the new edit"
sb_run send --yes
check_rc 0 "Wednesday: send"
sb_run retrieve --wait 60
check_rc 0 "Wednesday: retrieve"
check_eq "$(row IMG_0001_bw.jpg 'ShutterStock status')" "připraveno" "Wednesday: the edit was not committed"

# Thursday: a hand edit of the copy's row; the following runs keep it
"$PYTHON3" - "$L/PhotoMedia.csv" <<'PY'
import csv, sys
p = sys.argv[1]
with open(p, encoding="utf-8-sig", newline="") as f:
    rows = list(csv.reader(f))
i = rows[0].index("Název")
for r in rows[1:]:
    if r[0] == "IMG_0001_bw.jpg":
        r[i] = "Černobílé ráno nad rybníkem"
with open(p, "w", encoding="utf-8-sig", newline="") as f:
    csv.writer(f).writerows(rows)
PY
for day in Thursday Friday; do
	sb_run send --all --yes
	sb_run retrieve --wait 60
	check_rc 0 "$day: retrieve"
done
check_eq "$(row IMG_0001_bw.jpg 'Název')" "Černobílé ráno nad rybníkem" "the hand edit of the copy's row was overwritten"

# the end of the week: every described file committed once, report agrees
"$PYTHON3" - "$L/PhotoMedia.csv" "$(sb_fake_stats)" <<'PY' || fail "the week's CSV or requests are wrong"
import csv, json, sys
rows = {r["Soubor"]: r for r in csv.DictReader(open(sys.argv[1], encoding="utf-8-sig"))}
done = ["IMG_000%d.jpg" % i for i in range(1, 7)] + ["IMG_0200.png", "IMG_0300.CR2", "VID_0001.mp4", "IMG_0001_bw.jpg"]
for n in done:
    assert rows[n]["ShutterStock status"] == "připraveno" and rows[n]["Název"], (n, rows[n])
assert rows["IMG_0001_bw.jpg"]["Soubor"] == "IMG_0001_bw.jpg"
assert sum(1 for n in rows if n == "IMG_0001_bw.jpg") == 1
stats = json.loads(sys.argv[2])
over = {c: n for c, n in stats["custom_ids"].items() if n > 1}
assert not over, over
PY
sb_run report --json
check_rc 0 "report at the end of the week"
check_eq "$(sb_json "$SB_OUT" 'd["totals"]["failed"]')" 0 "report counts failures the CSV does not have"
check_eq "$(sb_json "$SB_OUT" 'd["totals"]["succeeded"]')" 10 "report's committed total does not match the CSV"
exit 0
