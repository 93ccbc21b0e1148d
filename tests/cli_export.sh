#!/bin/sh
# cli_export.sh: `stockbatch export-agency` writes each agency's upload CSV
# (exact header, delimiter, category encoding) for the prepared rows, marks
# or leaves out editorial rows as the agency wants, names every row left
# out, gives the same bytes on a second run and lists a row again only
# with --all.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
sb_tmpdir
L=$SB_TMP/lib
sb_make_library "$L" 4 editorial
sb_config "$L"

# Committed rows, as a retrieve leaves them: photos 1-3 prepared with
# metadata and categories; photo 2 is editorial (and its AdobeStock status
# set by hand, to see it left out); photo 4 prepared without metadata.
"$PYTHON3" - "$L/PhotoMedia.csv" <<'PY' || fail "preparing the rows"
import csv, sys
p = sys.argv[1]
with open(p, encoding="utf-8-sig", newline="") as f:
    rows = list(csv.reader(f))
h = rows[0]
col = {n: i for i, n in enumerate(h)}
kw49 = ", ".join(["forest"] + ["kw%02d" % i for i in range(1, 49)])
for r in rows[1:]:
    name = r[col["Soubor"]]
    if name not in ("IMG_0001.jpg", "IMG_0002.jpg", "IMG_0003.jpg", "IMG_0004.jpg"):
        continue
    for b in ("ShutterStock", "AdobeStock", "Dreamstime", "Alamy"):
        r[col[b + " status"]] = "připraveno"
    if name == "IMG_0004.jpg":
        continue
    r[col["Název"]] = "Spruce forest in morning mist, Šumava"
    r[col["Popis"]] = "Morning fog over the spruce forest near Kvilda, \"quiet\" light between the trunks."
    r[col["Klíčová slova"]] = kw49
    r[col["ShutterStock kategorie"]] = "Nature, Parks/Outdoor"
    r[col["AdobeStock kategorie"]] = "Landscape" if name != "IMG_0003.jpg" else "11"
    r[col["Dreamstime kategorie"]] = "Nature -> Forests, Nature -> Mountains"
    r[col["Alamy kategorie"]] = "Nature, Landscapes"
    if name == "IMG_0002.jpg":
        r[col["Editorial"]] = "ano"
        r[col["Popis"]] = "KVILDA, CZECH - 01 05 2024: Foresters at work in the spruce forest."
        r[col["Klíčová slova"]] = "editorial, " + kw49.replace("kw48, ", "").rsplit(", ", 1)[0]
with open(p, "w", encoding="utf-8-sig", newline="") as f:
    csv.writer(f).writerows(rows)
PY

sb_run export-agency ShutterStock adobestock Dreamstime Alamy
check_rc 0 "export-agency"
E=$L/export
for a in ShutterStock AdobeStock Dreamstime Alamy; do
	[ -f "$E/$a.csv" ] || fail "no $a.csv"
done
[ -e "$E/Pond5.csv" ] && fail "an agency not asked for got a file"

# The exact header bytes of each agency (CRLF, no BOM).
hdr()
{
	"$PYTHON3" -c 'import sys
d = open(sys.argv[1], "rb").read()
print(repr(d[:d.index(b"\n") + 1]))' "$1"
}
check_eq "$(hdr "$E/ShutterStock.csv")" \
	"b'Filename,Description,Keywords,Categories,Editorial,Mature content,illustration\\r\\n'" \
	"ShutterStock header"
check_eq "$(hdr "$E/AdobeStock.csv")" "b'Filename,Title,Keywords,Category,Releases\\r\\n'" \
	"AdobeStock header"
check_eq "$(hdr "$E/Dreamstime.csv")" \
	"b'Filename,Image Name,Description,Category 1,Category 2,Category 3,keywords,Free,W-EL,P-EL,SR-EL,SR-Price,Editorial,MR doc Ids,Pr Docs\\r\\n'" \
	"Dreamstime header"
check_eq "$(hdr "$E/Alamy.csv")" \
	"b'Filename,Caption,Tags,License type,Username,Super Tags,Location,Date taken,Number of People,Model release,Is there property in this image,Property release ,Primary category,Secondary category,Image Type,Exclusive to Alamy,Additional Info\\r\\n'" \
	"Alamy header"

# The rows, read back with Python's csv.
val()
{
	"$PYTHON3" -c 'import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8", newline="")))
r = [r for r in rows if r[sys.argv[2]] == sys.argv[3]]
print(len(rows) if sys.argv[4] == "#" else (r[0][sys.argv[4]] if r else "ABSENT"))' "$@"
}
check_eq "$(val "$E/ShutterStock.csv" Filename IMG_0001.jpg '#')" 4 "ShutterStock rows (3 new + IMG_0050)"
check_eq "$(val "$E/ShutterStock.csv" Filename IMG_0001.jpg Description)" \
	'Morning fog over the spruce forest near Kvilda, "quiet" light between the trunks.' \
	"description with a quote and a comma"
check_eq "$(val "$E/ShutterStock.csv" Filename IMG_0001.jpg Categories)" "Nature, Parks/Outdoor" \
	"ShutterStock categories by name"
check_eq "$(val "$E/ShutterStock.csv" Filename IMG_0001.jpg Editorial)" no "not editorial"
check_eq "$(val "$E/ShutterStock.csv" Filename IMG_0002.jpg Editorial)" yes "ShutterStock editorial"
check_eq "$(val "$E/ShutterStock.csv" Filename IMG_0001.jpg Keywords | tr ',' '\n' | wc -l)" 49 \
	"49 keywords"
check_eq "$(val "$E/AdobeStock.csv" Filename IMG_0001.jpg Title)" \
	"Spruce forest in morning mist, Šumava" "AdobeStock title with diacritics"
check_eq "$(val "$E/AdobeStock.csv" Filename IMG_0001.jpg Category)" 11 "AdobeStock category id from a name"
check_eq "$(val "$E/AdobeStock.csv" Filename IMG_0003.jpg Category)" 11 "AdobeStock category id kept"
check_eq "$(val "$E/AdobeStock.csv" Filename IMG_0002.jpg Title)" ABSENT "no editorial at AdobeStock"
check_grep 'left out IMG_0002\.jpg \(line [0-9]+\): editorial: AdobeStock takes no editorial content' \
	"$SB_OUT" "the editorial row is named"
check_grep 'left out IMG_0004\.jpg \(line [0-9]+\): metadata missing' "$SB_OUT" \
	"a row without metadata is named"
check_eq "$(val "$E/Dreamstime.csv" Filename IMG_0001.jpg 'Category 1')" 18 "Dreamstime category 1"
check_eq "$(val "$E/Dreamstime.csv" Filename IMG_0001.jpg 'Category 2')" 15 "Dreamstime category 2"
check_eq "$(val "$E/Dreamstime.csv" Filename IMG_0001.jpg 'Category 3')" "" "Dreamstime category 3"
check_eq "$(val "$E/Dreamstime.csv" Filename IMG_0002.jpg Editorial)" 1 "Dreamstime editorial"
check_eq "$(val "$E/Dreamstime.csv" Filename IMG_0001.jpg Editorial)" 0 "Dreamstime not editorial"
check_eq "$(val "$E/Alamy.csv" Filename IMG_0002.jpg 'License type')" RF-E "Alamy editorial licence"
check_eq "$(val "$E/Alamy.csv" Filename IMG_0001.jpg 'License type')" RF "Alamy licence"
check_eq "$(val "$E/Alamy.csv" Filename IMG_0001.jpg 'Super Tags' | tr ',' '\n' | wc -l)" 10 \
	"Alamy super tags: the first 10"
check_eq "$(val "$E/Alamy.csv" Filename IMG_0001.jpg 'Secondary category')" Landscapes \
	"Alamy secondary category"
[ -f "$L/.stockbatch/exported.json" ] || fail "no record of the export"
check_eq "$(stat -c %a "$L/.stockbatch/exported.json")" 600 "the record is private"
check_eq "$(stat -c %a "$E/ShutterStock.csv")" "$(stat -c %a "$L/PhotoMedia.csv")" \
	"the upload CSV has the media CSV's mode"
mkdir "$SB_TMP/first"
cp -p "$E"/*.csv "$SB_TMP/first/"

# A second run: nothing new, the files stay as they were.
sb_run export-agency ShutterStock AdobeStock Dreamstime Alamy
check_rc 0 "second export-agency"
check_grep '^ShutterStock: nothing new \(4 rows exported before; --all lists them again\)' "$SB_OUT" \
	"nothing new without --all"
for f in "$SB_TMP"/first/*.csv; do
	cmp "$f" "$E/$(basename "$f")" || fail "$(basename "$f") changed on a second run"
done
# --all lists them again: the same bytes.
sb_run export-agency --all ShutterStock AdobeStock Dreamstime Alamy
check_rc 0 "export-agency --all"
for f in "$SB_TMP"/first/*.csv; do
	cmp "$f" "$E/$(basename "$f")" || fail "$(basename "$f") differs with --all"
done

# A newly prepared row: only it is listed; --json summarises.
"$PYTHON3" - "$L/PhotoMedia.csv" <<'PY' || fail "preparing one more row"
import csv, sys
p = sys.argv[1]
with open(p, encoding="utf-8-sig", newline="") as f:
    rows = list(csv.reader(f))
col = {n: i for i, n in enumerate(rows[0])}
for r in rows[1:]:
    if r[col["Soubor"]] == "IMG_0004.jpg":
        r[col["Název"]] = "Meadow with dandelions"
        r[col["Popis"]] = "A meadow full of yellow dandelions in spring."
        r[col["Klíčová slova"]] = "meadow, dandelions, spring, yellow, flowers, grass, nature"
        r[col["ShutterStock kategorie"]] = "Nature"
with open(p, "w", encoding="utf-8-sig", newline="") as f:
    csv.writer(f).writerows(rows)
PY
sb_run --json export-agency ShutterStock AdobeStock
check_rc 0 "export-agency --json"
J=$SB_TMP/export.json
cp "$SB_OUT" "$J"
check_eq "$(sb_json "$J" 'd["agencies"][0]["agency"]')" ShutterStock "json agency"
check_eq "$(sb_json "$J" 'd["agencies"][0]["rows"]')" 1 "json: only the new row"
check_eq "$(sb_json "$J" 'd["agencies"][0]["exported_before"]')" 4 "json: exported before"
check_eq "$(sb_json "$J" 'd["agencies"][1]["left_out"][-1]["reason"]')" "no AdobeStock category" \
	"json: the reason a row was left out"
check_eq "$(val "$E/ShutterStock.csv" Filename IMG_0004.jpg '#')" 1 "the file lists the new row only"

# -o DIR, and an agency without an upload format.
sb_run export-agency -o "$SB_TMP/out" --all Pond5 ShutterStock
check_rc 0 "export-agency -o"
check_eq "$(val "$SB_TMP/out/ShutterStock.csv" Filename IMG_0001.jpg '#')" 5 "-o DIR with --all"
[ -e "$SB_TMP/out/Pond5.csv" ] && fail "Pond5 got a file without prepared rows"
sb_run export-agency Envato
check_rc 2 "an agency without a format"
check_grep "no upload format for agency 'Envato'" "$SB_ERR" "the unknown agency is named"
sb_run export-agency --wait 3
check_rc 2 "--wait does not go with export-agency"
echo "cli_export: ok"
