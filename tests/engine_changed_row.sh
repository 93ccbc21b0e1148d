#!/bin/sh
# engine_changed_row.sh: a row edited by someone else while its batch was out.
# Their edit is kept and so is the saved description: the photo is not
# offered as new, retrieve names the one way forward (retry-failed), and that
# way works: retry-failed queues it again and the next send and retrieve
# commit it over the row as it is now.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
sb_tmpdir
sb_start_fake --step 0.05
L=$SB_TMP/lib
sb_make_library "$L" 3
sb_config "$L" batch_size=3
sb_descriptions "$SB_TMP/a.tsv" 3
sb_run import "$SB_TMP/a.tsv"
check_rc 0 "import"
sb_run -q send
check_rc 0 "send"
# Someone types a title into the row of IMG_0001 while the batch is out.
"$PYTHON3" - "$L/PhotoMedia.csv" <<'PY'
import sys
p = sys.argv[1]
lines = open(p, "rb").read().decode("utf-8-sig").split("\r\n")
for i, l in enumerate(lines):
    if l.startswith("IMG_0001.jpg,,"):
        lines[i] = l.replace("IMG_0001.jpg,,", "IMG_0001.jpg,Typed by hand,", 1)
open(p, "wb").write(("\ufeff" + "\r\n".join(lines)).encode())
PY
sb_run retrieve --wait 60
check_rc 5 "retrieve with a changed row"
check_grep "retry-failed" "$SB_OUT" "the summary names retry-failed"
grep -q 'IMG_0001.jpg,Typed by hand,' "$L/PhotoMedia.csv" || fail "their edit was not kept"

sb_run plan
check_rc 0 "plan"
check_nogrep 'IMG_0001\.jpg +new' "$SB_OUT" "the photo is not offered as new"
check_grep 'IMG_0001\.jpg +skip +.*retry-failed' "$SB_OUT" "plan names the way forward"
sb_run report
check_grep "IMG_0001\.jpg .*changed by someone else.*description is kept.*'stockbatch retry-failed'" \
	"$SB_OUT" "report: the reason and the way forward"

sb_run retry-failed
check_rc 0 "retry-failed"
check_nogrep 'No failed items' "$SB_OUT" "retry-failed finds the item"
check_grep '1' "$SB_OUT" "one item queued"
sb_run -q send
check_rc 0 "send the retried item"
sb_run retrieve --wait 60
check_rc 0 "retrieve the retried item"
grep -q 'IMG_0001.jpg,Typed by hand,' "$L/PhotoMedia.csv" && fail "the retried answer was not committed"
"$PYTHON3" - "$L/PhotoMedia.csv" <<'PY' || fail "IMG_0001 is not prepared with the saved description's answer"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig", newline="")))
r = [x for x in rows if x["Soubor"] == "IMG_0001.jpg"][0]
assert r["Název"] and r["Popis"] and r["ShutterStock status"] == "připraveno", r
PY
sb_run plan
check_nogrep 'IMG_0001\.jpg' "$SB_OUT" "committed: no longer in the plan"
exit 0
