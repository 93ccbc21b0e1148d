#!/bin/sh
# cli_report_resent.sh: a batch cancelled at the provider whose items were
# resent (retry-failed) and committed in a later batch: `report` counts
# what is still failed, not what the CSV has since received, and exits 0,
# as a nightly cron job must see it; the cancelled batch still names them.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
sb_tmpdir
sb_start_fake --step 5
L=$SB_TMP/lib
sb_make_library "$L" 4
sb_config "$L" batch_size=4 alternatives=
grep '^photo' "$L/.sb_manifest" | cut -f2 | while IFS= read -r c; do
	printf '%s\tBorovice na skalním ostrohu nad řekou v podvečerním světle, v dálce hory.\n' "$c"
done >"$SB_TMP/d.tsv"
sb_run import "$SB_TMP/d.tsv"
check_rc 0 "import"
sb_run send --all --yes
check_rc 0 "send"
sb_run status --json
B=$(sb_json "$SB_OUT" '[b["id"] for b in d["batches"] if b["state"] == "sent"][0]')
sb_run cancel "$B"
check_rc 0 "cancel"
sb_fake_fault '{"step": 0.02}' >/dev/null
sb_run retrieve --wait 60
sb_run report --json
check_eq "$(sb_json "$SB_OUT" 'd["totals"]["failed"] >= 1')" True "no cancelled item is failed before the resend"
sb_run retry-failed
check_rc 0 "retry-failed"
sb_run send --all --yes
check_rc 0 "send of the resent items"
sb_run retrieve --wait 60
check_rc 0 "retrieve of the resent items"
"$PYTHON3" - "$L/PhotoMedia.csv" <<'PY' || fail "the resent items are not all in the CSV"
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1], encoding="utf-8-sig")) if r["Soubor"].startswith("IMG_000")]
assert len(rows) == 4 and all(r["ShutterStock status"] == "připraveno" for r in rows), rows
PY
sb_run report --json
check_rc 0 "report after the resend (the CSV has every item)"
check_eq "$(sb_json "$SB_OUT" 'd["totals"]["failed"]')" 0 "report counts resent and committed items as failed"
check_eq "$(sb_json "$SB_OUT" 'd["totals"]["succeeded"]')" 4 "report's committed total"
sb_run report
check_rc 0 "report (text) after the resend"
check_grep 'All batches: [0-9]* files, 4 committed, 0 failed' "$SB_OUT" "the text report's totals"
sb_run report "$B"
check_grep 'committed since in a later batch' "$SB_OUT" "the cancelled batch does not say its items were committed since"
exit 0
