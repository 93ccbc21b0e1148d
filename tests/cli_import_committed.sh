#!/bin/sh
# cli_import_committed.sh: a photo committed before is never imported again
# by accident.  An editorial photo keeps 'nezpracováno' for the agencies that
# take no editorial, so once its batch is archived (the state forgets it)
# only the CSV says it was committed: import refuses it with its line
# number, plan does not offer it, and import --force describes it again.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
sb_tmpdir
sb_start_fake --step 0.05
L=$SB_TMP/lib
sb_make_library "$L" 3 editorial
sb_config "$L" batch_size=3 archive_days=1
P=$L/Foto/JPG/Příroda/2024
good="Smrkový les v ranní mlze na úbočí kopce, světlo prosvítá mezi kmeny."
{
	printf '%s\t%s\n' "$P/IMG_0001.jpg" "$good"
	printf '%s\t%s\tPraha\tCzechia\t01 05 2024\n' "$P/IMG_0002.jpg" "$good"
	printf '%s\t%s\n' "$P/IMG_0003.jpg" "$good"
} >"$SB_TMP/a.tsv"
sb_run import "$SB_TMP/a.tsv"
check_rc 0 "import"
sb_run -q send --all
check_rc 0 "send"
sb_run retrieve --wait 60
check_rc 0 "retrieve"
csv_before=$(cksum <"$L/PhotoMedia.csv")

# The batch completed long ago: phase 0 archives it and the state forgets it.
for f in "$L"/.stockbatch/batches/*/batch.json; do
	"$PYTHON3" - "$f" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
if d["state"] == "completed":
    d["completed"] = "2020-01-01T00:00:00Z"
    json.dump(d, open(sys.argv[1], "w", encoding="utf-8"))
PY
done
sb_run retrieve
check_rc 0 "retrieve archives the old batch"
ls "$L/.stockbatch/archive/"*.tar.gz >/dev/null 2>&1 || fail "the old batch was not archived"

sb_run plan
check_rc 0 "plan"
check_grep 'IMG_0002\.jpg +skip +already committed to the CSV' "$SB_OUT" "plan: the editorial photo is committed"
check_nogrep 'IMG_0002\.jpg +new' "$SB_OUT" "plan does not offer it"

sb_run import "$SB_TMP/a.tsv"
check_rc 1 "import of committed photos"
check_grep 'a\.tsv:2: .*IMG_0002\.jpg was committed to the CSV before; it was not imported again \(import --force' \
	"$SB_ERR" "the editorial photo is refused with its line"
check_grep '^Imported 0 descriptions' "$SB_OUT" "nothing imported"
check_eq "$(cksum <"$L/PhotoMedia.csv")" "$csv_before" "the CSV is untouched"

# On purpose: --force describes it again.
sb_run import --force "$SB_TMP/a.tsv"
check_rc 5 "import --force (the other two lines are not waiting)"
check_grep '^Imported 1 description ' "$SB_OUT" "the editorial photo imported with --force"
sb_run plan
check_grep 'IMG_0002\.jpg +in batch' "$SB_OUT" "plan: it is in a batch now"
sb_run send --force
check_rc 2 "--force goes with import only"
exit 0
