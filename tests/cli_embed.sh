#!/bin/sh
# cli_embed.sh: `stockbatch embed` writes title, description and keywords
# into the JPEGs as XMP and IPTC, read back by an independent reader
# (exiftool), Czech diacritics and 49 keywords included; the image data is
# byte-identical, the EXIF kept, rows without metadata or file left out
# and named; copies by default, --in-place rewrites the photos.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
command -v exiftool >/dev/null 2>&1 ||
	skip_missing "exiftool (apt-get install libimage-exiftool-perl)"
sb_tmpdir
L=$SB_TMP/lib
sb_make_library "$L" 3
sb_config "$L"
P=$L/Foto/JPG/Příroda/2024
"$PYTHON3" - "$L/PhotoMedia.csv" <<'PY' || fail "preparing the rows"
import csv, sys
p = sys.argv[1]
with open(p, encoding="utf-8-sig", newline="") as f:
    rows = list(csv.reader(f))
col = {n: i for i, n in enumerate(rows[0])}
for r in rows[1:]:
    name = r[col["Soubor"]]
    if name not in ("IMG_0001.jpg", "IMG_0002.jpg", "IMG_0003.jpg"):
        continue
    r[col["ShutterStock status"]] = "připraveno"
    if name == "IMG_0003.jpg":
        continue
    n = name[6]
    r[col["Název"]] = "Smrkový les v mlze %s, Šumava" % n
    r[col["Popis"]] = "Ranní mlha nad smrkovým lesem u Kvildy, „tiché“ světlo mezi kmeny %s." % n
    r[col["Klíčová slova"]] = ", ".join(["les"] + ["slovo%02d" % i for i in range(1, 48)] + ["žluťoučký kůň"])
with open(p, "w", encoding="utf-8-sig", newline="") as f:
    csv.writer(f).writerows(rows)
PY
cp -p "$P/IMG_0001.jpg" "$SB_TMP/orig1.jpg"
cp -p "$P/IMG_0002.jpg" "$SB_TMP/orig2.jpg"

# The JPEG's image data: from the start-of-scan segment to the end.
scan()
{
	"$PYTHON3" -c 'import sys
d = open(sys.argv[1], "rb").read()
assert d[:2] == b"\xff\xd8", "no SOI"
i = 2
while True:
    assert d[i] == 0xFF, "bad marker at %d" % i
    m = d[i + 1]
    n = int.from_bytes(d[i + 2:i + 4], "big")
    if m == 0xDA:
        sys.stdout.buffer.write(d[i:])
        break
    i += 2 + n' "$1"
}
# One value as exiftool reads it (lists joined by "|").
ex()
{
	exiftool -j -G1 -charset iptc=UTF8 "$1" >"$SB_TMP/ex.json" 2>/dev/null ||
		fail "exiftool cannot read $1"
	"$PYTHON3" -c 'import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))[0]
v = d.get(sys.argv[2], "ABSENT")
print("|".join(map(str, v)) if isinstance(v, list) else v)' "$SB_TMP/ex.json" "$2"
}
csvval()
{
	"$PYTHON3" -c 'import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig", newline="")))
print([r for r in rows if r["Soubor"] == sys.argv[2]][0][sys.argv[3]])' "$L/PhotoMedia.csv" "$1" "$2"
}
check_photo()
{
	f=$1 name=$2 orig=$3
	check_eq "$(ex "$f" XMP-dc:Title)" "$(csvval "$name" Název)" "$name: XMP dc:title"
	check_eq "$(ex "$f" XMP-dc:Description)" "$(csvval "$name" Popis)" "$name: XMP dc:description"
	check_eq "$(ex "$f" XMP-photoshop:Headline)" "$(csvval "$name" Název)" "$name: XMP photoshop:Headline"
	kw=$(csvval "$name" 'Klíčová slova' | sed 's/, /|/g')
	check_eq "$(ex "$f" XMP-dc:Subject)" "$kw" "$name: XMP dc:subject, 49 keywords"
	check_eq "$(ex "$f" IPTC:ObjectName)" "$(csvval "$name" Název)" "$name: IPTC ObjectName"
	check_eq "$(ex "$f" IPTC:Caption-Abstract)" "$(csvval "$name" Popis)" "$name: IPTC Caption-Abstract"
	check_eq "$(ex "$f" IPTC:Keywords)" "$kw" "$name: IPTC Keywords"
	check_eq "$(ex "$f" IPTC:CodedCharacterSet)" UTF8 "$name: IPTC coded character set"
	# the pixels untouched, the EXIF kept
	scan "$orig" >"$SB_TMP/a.scan"
	scan "$f" >"$SB_TMP/b.scan"
	cmp -s "$SB_TMP/a.scan" "$SB_TMP/b.scan" || fail "$name: the image data changed"
	check_eq "$(ex "$f" IFD0:ModifyDate)" "$(ex "$orig" IFD0:ModifyDate)" "$name: EXIF ModifyDate kept"
	check_eq "$(ex "$f" IFD0:Orientation)" "$(ex "$orig" IFD0:Orientation)" "$name: EXIF Orientation kept"
}

# Copies by default.
sb_run embed
check_rc 5 "embed (rows left out)"
check_grep '^2 photos written to .*/embedded, 2 left out$' "$SB_OUT" "the summary"
check_grep 'left out IMG_0003\.jpg \(line [0-9]+\): metadata missing' "$SB_OUT" "no metadata: named"
check_grep 'left out IMG_0050\.jpg \(line [0-9]+\): file not found' "$SB_OUT" "no file: named"
check_photo "$L/embedded/IMG_0001.jpg" IMG_0001.jpg "$SB_TMP/orig1.jpg"
check_photo "$L/embedded/IMG_0002.jpg" IMG_0002.jpg "$SB_TMP/orig2.jpg"
[ -e "$L/embedded/IMG_0003.jpg" ] && fail "a photo without metadata was copied"
cmp -s "$P/IMG_0001.jpg" "$SB_TMP/orig1.jpg" || fail "a copy changed the original"
sb_run embed -o "$SB_TMP/out" --json
check_rc 5 "embed -o --json (rows left out)"
cp "$SB_OUT" "$SB_TMP/embed.json"
check_eq "$(sb_json "$SB_TMP/embed.json" 'd["written"]')" 2 "json written"
check_eq "$(sb_json "$SB_TMP/embed.json" '[i["reason"] for i in d["items"] if i["file"] == "IMG_0003.jpg"][0][:16]')" \
	"metadata missing" "json reason"
cmp -s "$SB_TMP/out/IMG_0001.jpg" "$L/embedded/IMG_0001.jpg" || fail "embedding is not deterministic"

# In place: the photo itself, atomically, its mode kept; twice is the same.
chmod 640 "$P/IMG_0001.jpg"
sb_run embed --in-place
check_rc 5 "embed --in-place (rows left out)"
check_grep '^2 photos written in place, 2 left out$' "$SB_OUT" "the in-place summary"
check_photo "$P/IMG_0001.jpg" IMG_0001.jpg "$SB_TMP/orig1.jpg"
check_eq "$(stat -c %a "$P/IMG_0001.jpg")" 640 "the photo keeps its mode"
ls "$P" | grep -q '\.tmp\.' && fail "a temp file was left beside the photos"
cp "$P/IMG_0002.jpg" "$SB_TMP/once.jpg"
sb_run embed --in-place
check_rc 5 "embed --in-place again (rows left out)"
check_photo "$P/IMG_0002.jpg" IMG_0002.jpg "$SB_TMP/orig2.jpg"
# Each photo is written once: the bytes the run writes (counted by strace)
# are about the photos' size, not twice it (the IPTC copy, then the XMP
# toolkit's rewrite of that copy, as it used to).
if command -v strace >/dev/null 2>&1; then
	strace -f -qq -e trace=write,pwrite64,writev -o "$SB_TMP/strace.out" \
		"$STOCKBATCH_BIN" --config "$SB_CONF" embed --in-place >/dev/null 2>&1 </dev/null
	wrote=$(awk '/= [0-9]+$/ { s += $NF } END { print s + 0 }' "$SB_TMP/strace.out")
	size=$(($(stat -c %s "$P/IMG_0001.jpg") + $(stat -c %s "$P/IMG_0002.jpg")))
	[ "$size" -gt 0 ] && [ "$wrote" -ge "$size" ] || fail "strace counted $wrote bytes written for $size bytes of photos"
	[ "$((wrote * 4))" -lt "$((size * 5))" ] ||
		fail "embed --in-place wrote $wrote bytes for $size bytes of photos: each photo more than once"
fi
sb_run embed --in-place -o "$SB_TMP/x"
check_rc 2 "--in-place with --output"
sb_run export-agency --in-place
check_rc 2 "--in-place goes with embed only"
echo "cli_embed: ok"
