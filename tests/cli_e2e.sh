#!/bin/sh
# cli_e2e.sh: the headless workflow against the fake API: import, send,
# retrieve --wait to completion (exit 0, rows committed), report --json;
# retrieve with batches still out (exit 4); partial failures (exit 5);
# Ctrl+C during retrieve prints the partial summary (exit 130).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
sb_tmpdir
sb_start_fake --step 0.05 --seed 7
L=$SB_TMP/lib
sb_make_library "$L" 8
sb_config "$L" batch_size=2 poll_interval=1 alternatives=bw rpm=6000
P=$L/Foto/JPG/Příroda/2024
desc()
{
	printf '%s\tFotka číslo %s: smrkový les v ranní mlze na úbočí kopce, světlo mezi kmeny.\n' \
		"$P/IMG_000$1.jpg" "$1"
}
row_status()
{
	# the ShutterStock status and the title of a row, by file name
	"$PYTHON3" -c 'import csv, sys
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8-sig", newline="")):
    if r["Soubor"] == sys.argv[2]:
        print(r["ShutterStock status"] + "|" + ("titled" if r["Název"] else "untitled"))' \
		"$L/PhotoMedia.csv" "$1"
}

# 1. Four descriptions, two batches of two; send; retrieve until done.
{ desc 1; desc 2; desc 3; desc 4; } >"$SB_TMP/a.tsv"
sb_run import "$SB_TMP/a.tsv"
check_rc 0 "import"
sb_run send
check_rc 0 "send"
check_grep '^Batches: 2 sent' "$SB_OUT" "send summary"
sb_run status --json
cp "$SB_OUT" "$SB_TMP/st.json"
check_eq "$(sb_json "$SB_TMP/st.json" 'sorted(set(b["state"] for b in d["batches"]))')" '["sent"]' "both sent"
sb_run retrieve --wait 60
check_rc 0 "retrieve --wait to completion"
check_grep '^Summary' "$SB_OUT" "final summary"
check_grep 'Committed to the CSV +4 ' "$SB_OUT" "four committed"
for i in 1 2 3 4; do
	check_eq "$(row_status IMG_000$i.jpg)" "připraveno|titled" "IMG_000$i.jpg committed"
done
check_eq "$(row_status IMG_0005.jpg)" "nezpracováno|untitled" "IMG_0005.jpg untouched"

# report --json: per-batch fields and totals.
sb_run report --json
check_rc 0 "report --json"
cp "$SB_OUT" "$SB_TMP/rep.json"
check_eq "$(sb_json "$SB_TMP/rep.json" 'd["totals"]["succeeded"]')" 4 "report totals succeeded"
check_eq "$(sb_json "$SB_TMP/rep.json" 'd["totals"]["failed"]')" 0 "report totals failed"
B1=$(sb_json "$SB_TMP/rep.json" '[b["id"] for b in d["batches"] if b["kind"] == "originals"][0]')
sb_run report "$B1" --json
check_rc 0 "report BATCH --json"
cp "$SB_OUT" "$SB_TMP/rep1.json"
missing=$(sb_json "$SB_TMP/rep1.json" '" ".join(k for k in "id state provider files succeeded failed skipped est_cost actual_cost duration_seconds failures".split() if k not in d["batches"][0])')
check_eq "$missing" "" "fields missing from report --json"
check_eq "$(sb_json "$SB_TMP/rep1.json" 'd["batches"][0]["state"]')" completed "batch completed"
check_eq "$(sb_json "$SB_TMP/rep1.json" 'd["batches"][0]["succeeded"]')" 2 "batch succeeded"

check_eq "$(sb_json "$SB_TMP/rep1.json" '"retried" in d["batches"][0]["extra"]')" True \
	"report --json carries the engine's extras"
sb_run report "$B1"
check_rc 0 "report BATCH"
check_grep "^Batch $B1 \(originals, openai " "$SB_OUT" "report text header"
check_grep '^  saved_to_csv +2 +100\.0%' "$SB_OUT" "report text counts"

# doctor against the fake: every check passes, the key is never printed.
sb_run doctor
check_rc 0 "doctor"
check_nogrep 'sk-test-fake' "$SB_OUT" "doctor hides the key"

# export: a tar of the batch folder.
sb_run export "$B1" -o "$SB_TMP/b1.tar.gz"
check_rc 0 "export"
tar -tzf "$SB_TMP/b1.tar.gz" >"$SB_TMP/tar.list" || fail "export is not a tar.gz"
check_grep 'batch.json' "$SB_TMP/tar.list" "export holds batch.json"
if tar -xzOf "$SB_TMP/b1.tar.gz" | grep -q 'sk-test-fake'; then fail "export holds the API key"; fi

# 2. Batches still out: slow provider, retrieve without waiting -> exit 4.
sb_fake_fault '{"step": 600}' >/dev/null # slow enough that nothing finishes (valgrind too)
{ desc 5; desc 6; } >"$SB_TMP/b.tsv"
sb_run import "$SB_TMP/b.tsv"
check_rc 0 "import 2"
sb_run send
check_rc 0 "send 2"
sb_run retrieve --wait 0
check_rc 4 "retrieve with a batch still out"
check_grep 'still at the provider' "$SB_OUT" "summary says batches are out"
sb_run retrieve --wait 0 --json
check_rc 4 "retrieve --json with a batch still out"
cp "$SB_OUT" "$SB_TMP/w.json"
# (the _bw alternative of IMG_0001 may be out too, in its own batch)
check_eq "$(sb_json "$SB_TMP/w.json" 'd["still_waiting"] >= 1')" True "json still_waiting"

# pause and resume a sent batch (seed 002): paused is neither sent nor polled.
sb_run status --json
cp "$SB_OUT" "$SB_TMP/st1.json"
BP=$(sb_json "$SB_TMP/st1.json" '[b["id"] for b in d["batches"] if b["state"] == "sent"][0]')
sb_run pause "$BP"
check_rc 0 "pause"
check_grep "^Batch $BP paused: now paused" "$SB_OUT" "pause message"
sb_run status
check_grep "^$BP +paused " "$SB_OUT" "status shows the paused batch"
sb_run resume "$BP" --json
check_rc 0 "resume"
cp "$SB_OUT" "$SB_TMP/res.json"
check_eq "$(sb_json "$SB_TMP/res.json" 'd["state"]')" sent "resumed to sent"

# 3. Ctrl+C during retrieve --wait: partial summary, exit 130.
"$PYTHON3" -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])' "$STOCKBATCH_BIN" --config "$SB_CONF" retrieve --wait 120 \
	>"$SB_TMP/int.out" 2>"$SB_TMP/int.err" </dev/null &
pid=$!
# Interrupt once it holds the library (its pid in the lock file), while it polls.
wait_for 30 grep -qx "$pid" "$L/.stockbatch/lock" || fail "retrieve did not start"
sleep 0.5
kill -INT $pid
wait $pid
rc=$?
SB_OUT=$SB_TMP/int.out SB_ERR=$SB_TMP/int.err
check_eq "$rc" 130 "retrieve interrupted by Ctrl+C"
check_grep '^Interrupted: partial summary' "$SB_OUT" "partial summary printed"
check_grep 'Committed to the CSV' "$SB_OUT" "partial summary has the counts"

# 4. cancel the slow batch (what completed is kept), then a partial failure:
# every answer is invalid JSON, the live retries too -> dead-lettered with a
# reason, exit 5.
sb_fake_fault '{"step": 0.05}' >/dev/null # cancels now take 0.05 s
sb_run status --json
cp "$SB_OUT" "$SB_TMP/st2.json"
for B3 in $(sb_json "$SB_TMP/st2.json" '" ".join(b["id"] for b in d["batches"] if b["state"] == "sent")'); do
	sb_run cancel "$B3"
	check_rc 0 "cancel"
	check_grep "^The cancel of batch $B3 was requested at the provider" "$SB_OUT" "cancel message (not \"cancelled: now sent\")"
done
sb_run cancel no-such-batch
check_rc 1 "cancel of an unknown batch"
check_grep "no batch 'no-such-batch'" "$SB_ERR" "unknown batch named"
sb_fake_fault '{"clear": true}' >/dev/null
sb_fake_fault '{"step": 0.05, "bad_json": 1.0}' >/dev/null
{ desc 7; desc 8; } >"$SB_TMP/c.tsv"
sb_run import "$SB_TMP/c.tsv"
check_rc 0 "import 3"
sb_run send
check_rc 0 "send 3"
sb_run retrieve --wait 60
check_rc 5 "retrieve with failed items"
check_grep 'Some items failed' "$SB_OUT" "summary points at the report"
sb_run report --json
check_rc 5 "report with failures"
cp "$SB_OUT" "$SB_TMP/rf.json"
check_eq "$(sb_json "$SB_TMP/rf.json" 'd["totals"]["failed"] >= 1')" True "failures counted"
check_eq "$(sb_json "$SB_TMP/rf.json" 'all(f["reason"] for b in d["batches"] for f in b["failures"])')" True \
	"every failure has a reason"
# cleanup: temp files a crash left are removed; provider files of committed
# batches are deleted (already gone ones are fine).
mkdir -p "$L/.stockbatch/junk"
: >"$L/.stockbatch/junk/batch.json.tmp.99999"
: >"$L/PhotoMedia.csv.tmp.99998"
: >"$L/notes.tmp.1"
sb_run cleanup --json
check_rc 0 "cleanup"
cp "$SB_OUT" "$SB_TMP/cl.json"
check_eq "$(sb_json "$SB_TMP/cl.json" 'd["temp_files_removed"]')" 2 "cleanup removed the temp files"
[ -e "$L/.stockbatch/junk/batch.json.tmp.99999" ] && fail "the state's temp file is still there"
[ -e "$L/PhotoMedia.csv.tmp.99998" ] && fail "the CSV's temp file is still there"
[ -e "$L/notes.tmp.1" ] || fail "cleanup removed a file that is not ours"
sb_run status
check_rc 0 "status after cleanup"

if grep -rq 'sk-test-fake' "$L/.stockbatch" "$SB_TMP"/*.out "$SB_TMP"/*.err; then
	fail "the API key leaked into the state or the output"
fi
echo "cli_e2e: ok"
