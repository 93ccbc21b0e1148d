#!/bin/sh
# cli_check_fix.sh: `stockbatch check --fix` repairs what needs no model
# (spaces and invisible characters, duplicate and capitalised keywords, a
# title cut at a phrase boundary), after a backup of the CSV beside it;
# every other row stays byte for byte; what needs the model (a person's
# name) is left and listed, exit 5; a second --fix changes nothing.
. "$top_srcdir/tests/lib.sh"
sb_tmpdir
L=$SB_TMP/lib
mkdir -p "$L"
sb_rows_csv "$L/PhotoMedia.csv" <<'PY'
rows = [
    row("good.jpg", "Old beech forest with a path", "A path through an old beech forest.", KW),
    row("bidi.jpg", "Forest\u202e  path", "A path\u200b in the forest.", KW),
    row("keywords.jpg", "Forest path", "A path in the forest.", "Forest, forest, trees, " + KW),
    row("name.jpg", "Anna Novakova in a summer meadow", "Portrait of a woman in a meadow.", KW),
    row("unseen.jpg", "Forest\u202e  path", "", "", status="nezpracováno"),
]
PY
sb_config "$L" agencies=shutterstock,adobestock,dreamstime
cp "$L/PhotoMedia.csv" "$SB_TMP/before.csv"
sb_run check --fix --json
check_rc 5 "check --fix with a row only the model can repair"
cp "$SB_OUT" "$SB_TMP/fix.json"
check_eq "$(sb_json "$SB_TMP/fix.json" 'sorted(r["file"] for r in d["repaired"])')" '["bidi.jpg", "keywords.jpg"]' \
	"the rows repaired"
check_eq "$(sb_json "$SB_TMP/fix.json" 'sorted(set(f["file"] for a in d["findings"].values() for f in a))')" \
	'["name.jpg"]' "what is left after --fix"
B=$(sb_json "$SB_TMP/fix.json" 'd["backup"]')
cmp -s "$B" "$SB_TMP/before.csv" || fail "the backup is not the CSV as it was"
"$PYTHON3" - "$SB_TMP/before.csv" "$L/PhotoMedia.csv" <<'PY' || fail "check --fix changed more than the broken rows"
import sys
a = open(sys.argv[1], "rb").read().split(b"\r\n")
b = open(sys.argv[2], "rb").read().split(b"\r\n")
assert len(a) == len(b), (len(a), len(b))
changed = [i for i in range(len(a)) if a[i] != b[i]]
assert changed == [2, 3], changed  # bidi.jpg, keywords.jpg; header, good, name, unseen byte for byte
import csv, io
rows = {r["Soubor"]: r for r in csv.DictReader(io.StringIO(open(sys.argv[2], encoding="utf-8-sig").read()))}
assert rows["bidi.jpg"]["Název"] == "Forest path", rows["bidi.jpg"]
assert rows["bidi.jpg"]["Popis"] == "A path in the forest.", rows["bidi.jpg"]
kw = rows["keywords.jpg"]["Klíčová slova"].split(", ")
assert kw[0] == "forest" and len(kw) == len(set(kw)), kw
PY
cp "$L/PhotoMedia.csv" "$SB_TMP/after.csv"
sb_run check --fix
check_rc 5 "a second check --fix"
check_nogrep '^repaired line' "$SB_OUT" "a second --fix repaired something again"
cmp -s "$L/PhotoMedia.csv" "$SB_TMP/after.csv" || fail "a second --fix changed the CSV"
sb_run check
check_rc 5 "check after --fix"
check_grep 'name.jpg' "$SB_OUT" "the row only the model can repair is still listed"
exit 0
