#!/bin/sh
# cli_import.sh: import of descriptions from a TSV (path<TAB>description):
# good lines go into the collecting batch (sealed at batch_size), bad lines
# are reported with their line numbers; a summary; exit 5 when some failed.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
sb_tmpdir
L=$SB_TMP/lib
sb_make_library "$L" 4
sb_config "$L" batch_size=7
P=$L/Foto/JPG/Příroda/2024
good="Smrkový les v ranní mlze na úbočí kopce, světlo prosvítá mezi kmeny."
{
	printf 'path\tdescription\n'                                    # 1 header
	printf '%s\t%s\n' "$P/IMG_0001.jpg" "$good"                      # 2 ok
	printf '%s\t%s\n' "$P/IMG_0002.jpg" "Les v mlze."                # 3 short
	printf '%s\t%s\n' "/nowhere/IMG_7777.jpg" "$good"                # 4 unknown
	printf '%s %s\n' "$P/IMG_0002.jpg" "$good"                       # 5 no tab
	printf '%s\t%s\n' "$P/IMG_0001.jpg" "$good again"                # 6 duplicate
	printf '%s\t%s\n' "$P/IMG_9999.jpg" "$good"                      # 7 missing file
	printf '%s\t"%s ""%s"""\r\n' "$P/IMG_0003.jpg" "$good" "mlha"    # 8 ok, quoted, CRLF
	printf '\n'                                                      # 9 blank
	printf '%s\t%s\n' "$L/Video/MP4/Příroda/2024/VID_0001.mp4" "Video: $good" # 10 ok
	printf '%s\t%s\n' "$P/IMG_0004.jpg" "Čtvrtá fotka: $good"        # 11 ok
	printf '%s\t%s\n' "$L/Foto/JPG/Architektura/2024/IMG_0050.jpg" "$good" # 12 done
	printf '%s\t%s \377\376\n' "$P/IMG_0002.jpg" "$good"                # 13 bad UTF-8
} >"$SB_TMP/d.tsv"

# --batch-size 3 on the command line beats batch_size = 7 in the file.
sb_run --batch-size 3 import "$SB_TMP/d.tsv"
check_rc 5 "import with bad lines"
check_grep '^Imported 4 descriptions from ' "$SB_OUT" "summary"
check_grep '^7 lines were rejected' "$SB_OUT" "rejected count"
check_grep 'd\.tsv:3: the description has 11 characters, at least 50' "$SB_ERR" "line 3 too short"
check_grep "d\.tsv:4: unknown path '/nowhere/IMG_7777.jpg'" "$SB_ERR" "line 4 unknown path"
check_grep 'd\.tsv:5: no TAB' "$SB_ERR" "line 5 without a tab"
check_grep 'd\.tsv:6: duplicate of line 2' "$SB_ERR" "line 6 duplicate"
check_grep 'd\.tsv:7: the file .*IMG_9999.jpg does not exist' "$SB_ERR" "line 7 missing file"
check_grep 'd\.tsv:12: .*IMG_0050.jpg is not waiting for processing' "$SB_ERR" "line 12 prepared"
check_nogrep 'd\.tsv:(1|2|8|9|10|11):' "$SB_ERR" "good lines are not reported"
n_err=$(grep -c '^.*d\.tsv:[0-9]*:' "$SB_ERR")
check_grep 'd\.tsv:13: invalid UTF-8 at byte ' "$SB_ERR" "line 13 invalid UTF-8"
check_eq "$n_err" 7 "one message per bad line"

# Three into a ready batch, the fourth into a new collecting one.
sb_run status --json
check_rc 0 "status --json"
cp "$SB_OUT" "$SB_TMP/status.json"
check_eq "$(sb_json "$SB_TMP/status.json" 'len(d["batches"])')" 2 "two batches"
check_eq "$(sb_json "$SB_TMP/status.json" 'sorted(b["state"] for b in d["batches"])')" \
	'["collecting", "ready"]' "batch states"
check_eq "$(sb_json "$SB_TMP/status.json" 'sum(b["files"] for b in d["batches"])')" 4 "files in batches"
check_eq "$(sb_json "$SB_TMP/status.json" '[b["files"] for b in d["batches"] if b["state"] == "ready"][0]')" \
	3 "the ready batch holds batch-size files"
sb_run status
check_rc 0 "status"
check_grep 'ready +originals +openai +3 ' "$SB_OUT" "status table row of the ready batch"
check_grep '^2 batches: 1 collecting, 1 ready' "$SB_OUT" "status totals"
check_grep "PhotoMedia.csv" "$SB_OUT" "status names the CSV"

# The saved text is exact (quotes unescaped, CR dropped).
grep -rqF "$good \\\"mlha\\\"" "$L/.stockbatch" || grep -rqF "$good \"mlha\"" "$L/.stockbatch" ||
	fail "the quoted description was not stored unescaped"

# Importing again: every line is already in a batch; nothing imported: exit 1.
printf '%s\t%s\n' "$P/IMG_0001.jpg" "$good" >"$SB_TMP/again.tsv"
sb_run import "$SB_TMP/again.tsv"
check_rc 1 "import of a file already in a batch"
check_grep 'again\.tsv:1: .*IMG_0001.jpg is already in batch b[^ ]* \((ready|collecting)\)' "$SB_ERR" \
	"already in a batch, named"

# The JSON summary.
printf '%s\t%s\n' "$P/IMG_0002.jpg" "Druhá fotka, konečně s dostatečně dlouhým popisem krajiny." >"$SB_TMP/two.tsv"
sb_run import "$SB_TMP/two.tsv" --json
check_rc 0 "import of one good line"
cp "$SB_OUT" "$SB_TMP/imp.json"
check_eq "$(sb_json "$SB_TMP/imp.json" 'd["imported"]')" 1 "json imported"
check_eq "$(sb_json "$SB_TMP/imp.json" 'd["rejected"]')" 0 "json rejected"

# A missing TSV: exit 1 naming it.
sb_run import "$SB_TMP/nope.tsv"
check_rc 1 "missing TSV"
check_grep 'nope\.tsv' "$SB_ERR" "missing TSV named"

# Windows paths in the CSV: the TSV may hold the Cesta value or the local path.
W=$SB_TMP/win
sb_make_library "$W" 2 winpaths
sb_config "$W"
{
	printf '%s\t%s\n' 'J:\Foto\JPG\Příroda\2024\IMG_0001.jpg' "$good"
	printf '%s\t%s\n' "$W/Foto/JPG/Příroda/2024/IMG_0002.jpg" "$good"
} >"$SB_TMP/w.tsv"
sb_run import "$SB_TMP/w.tsv"
check_rc 0 "import with Windows paths"
check_grep '^Imported 2 descriptions' "$SB_OUT" "both forms of the path"
# A TSV as LibreOffice saves it (tests/data/libreoffice.tsv): a quoted cell
# spanning three lines is one description (quotes doubled inside), a quoted
# cell may hold a TAB, an unquoted cell may hold quotes; CRLF records.  Errors
# name the record's first line.
X=$SB_TMP/lo
sb_make_library "$X" 4 winpaths
sb_config "$X"
sb_run import "$top_srcdir/tests/data/libreoffice.tsv"
check_rc 5 "import of a LibreOffice TSV with two bad records"
check_grep '^Imported 3 descriptions from ' "$SB_OUT" "three multi-line, TAB and quote records"
check_grep '^2 lines were rejected' "$SB_OUT" "two rejected"
check_grep 'libreoffice\.tsv:5: the description has 7 characters' "$SB_ERR" \
	"the line after a three-line record is line 5"
check_grep "libreoffice\\.tsv:6: unknown path '.*IMG_9998.jpg'" "$SB_ERR" \
	"a bad two-line record is named by its first line"
check_eq "$(grep -c 'libreoffice\.tsv:[0-9]*:' "$SB_ERR")" 2 "one message per bad record"
# The stored descriptions are exact: the line breaks and the TAB kept, the
# doubled quotes undone.
"$PYTHON3" - "$X/.stockbatch" <<'PY' || fail "the multi-line description was not stored whole"
import json, os, sys
want = {"Smrkový les v ranní mlze na úbočí kopce,\nsvětlo prosvítá mezi kmeny; \"mlha\" drží v údolí.\nTřetí řádek téhož popisu.",
        "Buňka s tabulátorem\tuvnitř, v uvozovkách, dost dlouhá na import.",
        "Čtvrtá fotka: \"Praha\" v noci, dlouhý popis bez uvozovek kolem buňky."}
found = set()
def walk(v):
    if isinstance(v, dict):
        for x in v.values(): walk(x)
    elif isinstance(v, list):
        for x in v: walk(x)
    elif isinstance(v, str) and v in want:
        found.add(v)
for root, _, files in os.walk(sys.argv[1]):
    for f in files:
        try:
            text = open(os.path.join(root, f), encoding="utf-8").read()
        except (UnicodeDecodeError, OSError):
            continue
        for chunk in [text] + text.splitlines():
            try:
                walk(json.loads(chunk))
            except ValueError:
                pass
sys.exit(0 if found == want else 1)
PY
# Headless editorial: path, description, city, country, date.  The CSV's
# editorial photo (IMG_0002) without them is refused, an invalid date is
# refused, and the date is stored as DD MM YYYY.
E=$SB_TMP/edlib
sb_make_library "$E" 4 editorial
sb_config "$E" batch_size=7
EP=$E/Foto/JPG/Příroda/2024
{
	printf '%s\t%s\n' "$EP/IMG_0002.jpg" "$good"                              # 1 lacks the facts
	printf '%s\t%s\t%s\t%s\t%s\n' "$EP/IMG_0001.jpg" "$good" Praha Czech 32.1.2024 # 2 bad date
	printf '%s\t%s\t%s\t%s\t%s\n' "$EP/IMG_0003.jpg" "$good" Brno Czech 3.8.2024  # 3 ok
	printf '%s\t%s\t\t\t\n' "$EP/IMG_0004.jpg" "$good"                           # 4 ok, not editorial
} >"$SB_TMP/e.tsv"
sb_run import "$SB_TMP/e.tsv"
check_rc 5 "import of editorial lines"
check_grep '^Imported 2 descriptions from ' "$SB_OUT" "editorial summary"
check_grep 'e\.tsv:1: .*IMG_0002\.jpg is editorial; add its city, country and date' "$SB_ERR" \
	"line 1 editorial without its facts"
check_grep 'e\.tsv:2: The date is not a valid DD MM YYYY date\. .*32\.1\.2024' "$SB_ERR" "line 2 bad date"
check_nogrep 'e\.tsv:(3|4):' "$SB_ERR" "good editorial lines are not reported"
grep -rq "03 08 2024" "$E/.stockbatch" || fail "the editorial date is not stored as DD MM YYYY"
grep -rq "Brno" "$E/.stockbatch" || fail "the editorial city is not stored"
echo "cli_import: ok"
