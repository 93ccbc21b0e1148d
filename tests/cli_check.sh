#!/bin/sh
# cli_check.sh: `stockbatch check` judges every row the enabled agencies
# will see, whoever wrote it: a table per agency (line, file, rule, what to
# do), --json, exit 5 when a row breaks a rule and 0 when none does; rows no
# agency sees are not judged.
. "$top_srcdir/tests/lib.sh"
sb_tmpdir
L=$SB_TMP/lib
mkdir -p "$L"
sb_rows_csv "$L/PhotoMedia.csv" <<'PY'
rows = [
    row("good.jpg", "Old beech forest with a path", "A path through an old beech forest.", KW),
    row("name.jpg", "Anna Novakova in a summer meadow", "Portrait of a woman in a meadow.", KW + ", anna novakova"),
    row("brand.jpg", "Red Coca-Cola can on a table", "A can on a table.", KW),
    row("bidi.jpg", "Forest\u202e path", "A path\u200b in the forest.", KW),
    row("keywords.jpg", "Forest path", "A path in the forest.", "Forest, forest, trees"),
    row("cats.jpg", "Forest path, in autumn", "A path in the forest.", KW, ss="Scenery", adobe="99", ds=""),
    row("unseen.jpg", "Anna Novakova", "", "", status="nezpracováno"),
]
PY
sb_config "$L"
sb_run check
check_rc 5 "check: rows break rules"
check_grep '^ShutterStock \(' "$SB_OUT" "a ShutterStock table"
check_grep '^AdobeStock \(' "$SB_OUT" "an AdobeStock table"
check_grep 'LINE +FILE +RULE +WHAT TO DO' "$SB_OUT" "the table's header"
check_grep 'name\.jpg +the title names a person \("Anna Novakova"\)' "$SB_OUT" "a name in a title"
check_grep 'name\.jpg +the keyword "anna novakova" is a name' "$SB_OUT" "a name keyword"
check_grep 'brand\.jpg +the title names a brand' "$SB_OUT" "a brand"
check_grep 'bidi\.jpg +the title has control, escape, bidi' "$SB_OUT" "a bidi override"
check_grep 'bidi\.jpg +the description has control' "$SB_OUT" "a zero-width space"
check_grep 'keywords\.jpg +the keyword "Forest" is not lower case' "$SB_OUT" "a capitalised keyword"
check_grep 'keywords\.jpg +the keyword "forest" is there twice' "$SB_OUT" "a duplicate keyword"
check_grep 'keywords\.jpg +3 keywords, want 7 to 49' "$SB_OUT" "too few keywords"
check_grep 'cats\.jpg +the category "Scenery" is not on its list' "$SB_OUT" "a ShutterStock category off the list"
check_grep 'cats\.jpg +the category "99" is not on its list' "$SB_OUT" "an AdobeStock id off the list"
check_grep 'cats\.jpg +the title has a comma' "$SB_OUT" "AdobeStock: no commas"
check_grep 'cats\.jpg +0 categories, want 1 to 3' "$SB_OUT" "Dreamstime: no category"
check_nogrep 'good\.jpg|unseen\.jpg' "$SB_OUT" "a good row and a row no agency sees"
check_grep '^6 rows checked, 5 break an agency rule\.' "$SB_OUT" "the summary"

sb_run check --json
check_rc 5 "check --json"
cp "$SB_OUT" "$SB_TMP/c.json"
check_eq "$(sb_json "$SB_TMP/c.json" 'd["rows_breaking"]')" 5 "rows breaking in JSON"
check_eq "$(sb_json "$SB_TMP/c.json" 'sorted(set(f["file"] for f in d["findings"]["adobestock"]))')" \
	'["cats.jpg", "keywords.jpg"]' "AdobeStock's rows"
check_eq "$(sb_json "$SB_TMP/c.json" 'all(f["todo"] and f["rule"] and f["line"] > 1 for k in d["findings"] for f in d["findings"][k])')" \
	True "every finding has a line, a rule and what to do"

# only ShutterStock enabled: its rules alone, no AdobeStock table
sb_config "$L" agencies=shutterstock
sb_run check
check_nogrep '^AdobeStock' "$SB_OUT" "AdobeStock disabled"
check_nogrep 'has a comma' "$SB_OUT" "commas are AdobeStock's rule"

# the good row alone: exit 0
"$PYTHON3" -c 'import sys
ls = open(sys.argv[1], encoding="utf-8-sig", newline="").read().split("\r\n")
open(sys.argv[1], "w", encoding="utf-8-sig", newline="").write("\r\n".join(ls[:2]) + "\r\n")' "$L/PhotoMedia.csv"
sb_run check
check_rc 0 "check of a clean library"
check_grep '^1 rows checked, 0 break' "$SB_OUT" "clean summary"
exit 0
