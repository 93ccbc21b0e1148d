#!/bin/sh
# csv_stale.sh: a stale save erases committed results (a spreadsheet had
# PhotoMedia.csv open during the commit and saves its older copy over it).
#  1. commit four photos; put the pre-commit copy of the CSV back;
#  2. `plan` and `status` say how many committed rows are missing and from
#     which batch (plan --json counts them), and `plan` no longer calls
#     those rows "already committed";
#  3. `cleanup` (archive_days passed) neither deletes the batch's provider
#     files nor archives its folder while the CSV lacks its rows;
#  4. `retrieve` writes them again from the results stored in the batch
#     folder: the CSV is byte-identical to the first commit, and the fake
#     saw no new request (nothing paid twice);
#  5. afterwards nothing is reported missing and cleanup does its work.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
sb_tmpdir
sb_start_fake --step 0.05 --seed 13
L=$SB_TMP/lib
sb_make_library "$L" 6
sb_config "$L" batch_size=4 poll_interval=1 archive_days=1
P=$L/Foto/JPG/Příroda/2024
CSV=$L/PhotoMedia.csv
desc()
{
	printf '%s\tFotka číslo %s: smrkový les v ranní mlze na úbočí kopce, světlo mezi kmeny.\n' \
		"$P/IMG_000$1.jpg" "$1"
}
stat_of()
{
	sb_fake_stats >"$SB_TMP/stats.json"
	sb_json "$SB_TMP/stats.json" "$1"
}
deletes()
{
	stat_of 'sum(v for k, v in d["requests_by_path"].items() if k.startswith("DELETE"))'
}

# 1. commit four photos, then the stale save
{ desc 1; desc 2; desc 3; desc 4; } >"$SB_TMP/a.tsv"
sb_run import "$SB_TMP/a.tsv"
check_rc 0 "import"
cp "$CSV" "$SB_TMP/pre.csv"
sb_run send
check_rc 0 "send"
sb_run retrieve --wait 60
check_rc 0 "retrieve"
check_grep 'Committed to the CSV +4 ' "$SB_OUT" "four committed"
cmp -s "$CSV" "$SB_TMP/pre.csv" && fail "the commit changed nothing"
cp "$CSV" "$SB_TMP/first.csv"
sb_run status --json
cp "$SB_OUT" "$SB_TMP/st.json"
B=$(sb_json "$SB_TMP/st.json" '[b["id"] for b in d["batches"] if b["kind"] == "originals"][0]')
[ -d "$L/.stockbatch/batches/$B" ] || fail "no batch folder for $B"
REQ0=$(stat_of 'd["requests"]')
cp "$SB_TMP/pre.csv" "$CSV"

# 2. plan and status notice the missing commits
sb_run plan
check_rc 0 "plan"
check_grep "4 committed rows are missing from .*PhotoMedia.csv" "$SB_OUT" "plan reports the missing commits"
check_grep "$B" "$SB_OUT" "plan names the batch"
check_nogrep 'IMG_0001.jpg.*already committed' "$SB_OUT" "plan calls a missing row committed"
sb_run plan --json
check_rc 0 "plan --json"
cp "$SB_OUT" "$SB_TMP/plan.json"
check_eq "$(sb_json "$SB_TMP/plan.json" 'd["totals"]["missing_commits"]')" 4 "plan --json missing_commits"
sb_run status
check_rc 0 "status"
cat "$SB_OUT" "$SB_ERR" >"$SB_TMP/status.all"
check_grep "4 committed rows are missing from .*PhotoMedia.csv" "$SB_TMP/status.all" "status reports the missing commits"
check_grep "$B" "$SB_TMP/status.all" "status names the batch"

# 3. cleanup keeps what the CSV does not hold (the batch is past archive_days)
for f in "$L"/.stockbatch/registry.json "$L/.stockbatch/batches/$B/batch.json"; do
	sed -i 's/"\(created\|sent\|completed\)": "20[0-9][0-9]-/"\1": "2001-/' "$f"
done
D0=$(deletes)
sb_run cleanup
cat "$SB_OUT" "$SB_ERR" >"$SB_TMP/cleanup.all"
check_grep "missing from .*PhotoMedia.csv" "$SB_TMP/cleanup.all" "cleanup says why it keeps the batch"
check_eq "$(deletes)" "$D0" "cleanup deleted provider files of rows the CSV lacks"
[ -d "$L/.stockbatch/batches/$B" ] || fail "cleanup archived the batch whose rows the CSV lacks"
cmp -s "$CSV" "$SB_TMP/pre.csv" || fail "cleanup changed the CSV"

# 4. retrieve writes them again, byte-identical, nothing paid twice
sb_run retrieve
check_rc 0 "retrieve re-applies"
cat "$SB_OUT" "$SB_ERR" >"$SB_TMP/retrieve.all"
check_grep "4 committed rows .*written again" "$SB_TMP/retrieve.all" "retrieve says it wrote them again"
cmp "$CSV" "$SB_TMP/first.csv" || fail "the CSV after re-applying differs from the first commit"
check_eq "$(stat_of 'd["requests"]')" "$REQ0" "requests at the provider after the stale save"

# 5. nothing missing any more; cleanup goes on as before
sb_run plan
check_rc 0 "plan after"
check_nogrep "missing from" "$SB_OUT" "plan after re-applying"
sb_run cleanup
check_rc 0 "cleanup after"
[ -d "$L/.stockbatch/batches/$B" ] && fail "cleanup kept the batch once the CSV holds its rows"
cmp -s "$CSV" "$SB_TMP/first.csv" || fail "cleanup changed the CSV"
exit 0
