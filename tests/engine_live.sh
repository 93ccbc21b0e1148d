#!/bin/sh
# engine_live.sh: `send --live` against the fake API: the ready batch goes
# through the synchronous endpoints, its rows are committed in the same run,
# and the fake never sees an uploaded file or a created batch.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
sb_tmpdir
sb_start_fake --step 0.05 --seed 7
L=$SB_TMP/lib
sb_make_library "$L" 4
sb_config "$L" batch_size=3 poll_interval=1 alternatives= rpm=6000
P=$L/Foto/JPG/Příroda/2024
desc()
{
	printf '%s\tFotka číslo %s: smrkový les v ranní mlze na úbočí kopce, světlo mezi kmeny.\n' \
		"$P/IMG_000$1.jpg" "$1"
}
row_status()
{
	"$PYTHON3" -c 'import csv, sys
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8-sig", newline="")):
    if r["Soubor"] == sys.argv[2]:
        print(r["ShutterStock status"] + "|" + ("titled" if r["Název"] else "untitled"))' \
		"$L/PhotoMedia.csv" "$1"
}

{ desc 1; desc 2; desc 3; } >"$SB_TMP/a.tsv"
sb_run import "$SB_TMP/a.tsv"
check_rc 0 "import"
sb_run send --live
check_rc 0 "send --live"
check_nogrep 'not available' "$SB_ERR" "no warning about --live"
check_grep 'Committed to the CSV +3 ' "$SB_OUT" "three committed by the live send"
for i in 1 2 3; do
	check_eq "$(row_status IMG_000$i.jpg)" "připraveno|titled" "IMG_000$i.jpg committed"
done
check_eq "$(row_status IMG_0004.jpg)" "nezpracováno|untitled" "IMG_0004.jpg untouched"
sb_fake_stats >"$SB_TMP/stats.json"
check_eq "$(sb_json "$SB_TMP/stats.json" 'd["batches_created"]')" 0 "no provider batch created"
check_eq "$(sb_json "$SB_TMP/stats.json" 'd["files_uploaded"]')" 0 "no file uploaded"
check_eq "$(sb_json "$SB_TMP/stats.json" 'd["live_requests"] >= 3')" True "live requests made"
sb_run status --json
cp "$SB_OUT" "$SB_TMP/st.json"
check_eq "$(sb_json "$SB_TMP/st.json" 'sorted(set(b["state"] for b in d["batches"] if b["kind"] == "originals"))')" \
	'["completed"]' "the batch is completed"
# the setting does the same as the option; a bad value names the file and line
sb_config "$L" batch_size=3 poll_interval=1 alternatives= live=maybe
sb_run status
check_rc 2 "bad live value"
check_grep 'live' "$SB_ERR" "the error names the setting"
echo "engine_live: ok"
