#!/bin/sh
# cli_plan.sh: the pre-flight plan (no network): every unprocessed file as
# new, in a batch with its state, or skipped with the reason; totals; --json.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
sb_tmpdir
L=$SB_TMP/lib
sb_make_library "$L" 4
# No fake API: base URLs point at a closed port, so any API call would fail.
sb_config "$L"
sb_run plan
check_rc 0 "plan on a fresh library"
check_grep 'no API calls' "$SB_OUT" "plan says it is a dry run"
check_grep 'IMG_0001\.jpg +new +needs a description$' "$SB_OUT" "a new photo"
check_grep 'VID_0001\.mp4 +new +needs a description \(text-only request\)' "$SB_OUT" "a video"
check_grep 'IMG_9999\.jpg +skip +file not found: ' "$SB_OUT" "the missing file"
check_nogrep 'IMG_0050' "$SB_OUT" "a prepared row is not in the plan"
check_grep '^Totals: 6 unprocessed: 5 new, 0 in batches, 1 skipped \(1 file not found\)' "$SB_OUT" "totals"
[ -d "$L/.stockbatch" ] && fail "plan created the state directory"

# After an import, the files show in their batch with its state.
good="Smrkový les v ranní mlze na úbočí kopce, světlo prosvítá mezi kmeny."
P=$L/Foto/JPG/Příroda/2024
printf '%s\t%s\n%s\t%s\n' "$P/IMG_0001.jpg" "$good" "$P/IMG_0003.jpg" "$good" >"$SB_TMP/d.tsv"
sb_run import "$SB_TMP/d.tsv"
check_rc 0 "import"
sb_run plan
check_rc 0 "plan after import"
check_grep 'IMG_0001\.jpg +in batch +b[^ ]+ \(batch collecting, file description_saved\)' "$SB_OUT" \
	"a file in the collecting batch"
check_grep '^Totals: 6 unprocessed: 3 new, 2 in batches, 1 skipped' "$SB_OUT" "totals after import"
check_grep '^Collecting: +2 files' "$SB_OUT" "collecting count"

sb_run plan --json
check_rc 0 "plan --json"
J=$SB_TMP/plan.json
cp "$SB_OUT" "$J"
check_eq "$(sb_json "$J" 'd["totals"]["unprocessed"]')" 6 "json unprocessed"
check_eq "$(sb_json "$J" 'd["totals"]["new"]')" 3 "json new"
check_eq "$(sb_json "$J" 'd["totals"]["in_batch"]')" 2 "json in_batch"
check_eq "$(sb_json "$J" 'd["totals"]["skip"]')" 1 "json skip"
check_eq "$(sb_json "$J" '[i["action"] for i in d["items"] if i["file"] == "IMG_9999.jpg"][0]')" skip "json skip item"
check_eq "$(sb_json "$J" '[i["file_state"] for i in d["items"] if i["file"] == "IMG_9999.jpg"][0]')" \
	file_not_found "json skip reason state"
check_eq "$(sb_json "$J" '[i["batch_state"] for i in d["items"] if i["file"] == "IMG_0003.jpg"][0]')" \
	collecting "json batch state"
check_eq "$(sb_json "$J" '[i["media"] for i in d["items"] if i["file"] == "VID_0001.mp4"][0]')" video "json media"
check_eq "$(sb_json "$J" 'd["batches"]["collecting"]["files"]')" 2 "json collecting files"
# Reference order: images (by creation date), then the video.
check_eq "$(sb_json "$J" 'd["items"][-1]["file"]')" VID_0001.mp4 "videos come after images"

# A broken CSV: exit 1, the message names the file.
printf '\357\273\277Soubor,Cesta\n"unterminated,x\n' >"$SB_TMP/bad.csv"
sb_run --csv "$SB_TMP/bad.csv" plan
check_rc 1 "plan on a malformed CSV"
check_grep 'bad\.csv' "$SB_ERR" "the CSV error names the file"
echo "cli_plan: ok"
