#!/bin/sh
# engine_cost.sh: every answer is paid once, at the price actually paid,
# and every place that shows the cost says the same.  A batch of 4 expires
# with half its lines answered (the fake's expire_partial): 2 answers at
# batch prices, 2 live retries at live prices; then 2 more photos sent
# live.  The fake's usage of what it answered, priced with data/prices.conf,
# must equal the run summary's actual cost, `status --json`, `report
# --json` and the sum of cost.jsonl's "actual" and "live" lines (the TUI
# shows status's figure).  It used to store the retries at batch rates and
# add them a second time, at live rates, to the summary.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
sb_tmpdir
sb_start_fake --step 0.05 --seed 11
L=$SB_TMP/lib
sb_make_library "$L" 6
sb_config "$L" batch_size=4 alternatives= rpm=6000
grep '^photo' "$L/.sb_manifest" | cut -f2 >"$SB_TMP/photos"
tsv()
{
	printf 'path\tdescription\n'
	sed -n "$1" "$SB_TMP/photos" |
		awk '{ printf "%s\tFotka %d: smrkový les v ranní mlze na úbočí kopce, světlo prosvítá mezi kmeny.\n", $0, NR }'
}

# check_costs WHAT SUMMARY: the fake's usage priced against every figure
check_costs()
{
	sb_fake_stats >"$SB_TMP/stats.json" || fail "no /__stats"
	sb_run status --json
	cp "$SB_OUT" "$SB_TMP/status.json"
	sb_run report --json
	cp "$SB_OUT" "$SB_TMP/report.json"
	"$PYTHON3" - "$SB_TMP/stats.json" "$SB_TMP/status.json" "$SB_TMP/report.json" \
		"$L/.stockbatch/cost.jsonl" "$STOCKBATCH_DATADIR/prices.conf" "$2" "$1" <<'EOF' || fail "$1: the costs disagree"
import json, sys
statp, stp, repp, costp, pricep, summary, what = sys.argv[1:8]
prices = {}
for ln in open(pricep, encoding="utf-8"):
    t = ln.split()
    if len(t) >= 7 and not ln.startswith("#") and "=" not in ln:
        prices[t[0]] = [float(x) for x in t[1:7]]
st = json.load(open(statp))
u = st.get("usage", {})
status = json.load(open(stp))
models = {b.get("model") for b in status["batches"]}
assert len(models) == 1, models
p = prices[models.pop()]
want = (u.get("batch_in", 0) * p[3] + u.get("batch_out", 0) * p[5]
        + u.get("live_in", 0) * p[0] + u.get("live_out", 0) * p[2]) / 1e6
got = {}
got["status"] = sum(b.get("actual_cost") or 0 for b in status["batches"])
rep = json.load(open(repp))
got["report"] = sum(b.get("actual_cost") or 0 for b in rep["batches"]) if "batches" in rep else rep["actual_cost"]
got["cost.jsonl"] = sum(json.loads(l)["usd"] for l in open(costp) if json.loads(l)["what"] in ("actual", "live"))
bad = [k for k, v in got.items() if abs(v - want) > 1e-6]  # JSON costs have 6 decimals
if summary:
    got["summary"] = float(summary)
    if abs(got["summary"] - want) > 0.00005:
        bad.append("summary")
print("%s: usage-based $%.6f (%s); %s%s" % (what, want, u, ", ".join("%s $%.6f" % kv for kv in got.items()), "; differ: " + " ".join(bad) if bad else ""))
sys.exit(1 if bad else 0)
EOF
	cat "$SB_TMP/check.out" 2>/dev/null
}

tsv 1,4p >"$SB_TMP/a.tsv"
sb_run import "$SB_TMP/a.tsv"
check_rc 0 "import"
sb_fake_fault '{"expire_partial": 0.5}' >/dev/null || fail "cannot set expire_partial"
sb_run send
check_rc 0 "send"
sb_run retrieve --wait 60
check_rc 0 "retrieve"
check_grep 'Committed to the CSV +4 ' "$SB_OUT" "the four committed"
sb_fake_stats >"$SB_TMP/s.json"
check_eq "$(sb_json "$SB_TMP/s.json" 'd["live_requests"]')" 2 "two live retries"
summary=$(sed -n 's/^Cost: estimated \$[0-9.]*, actual \$\([0-9.]*\)$/\1/p' "$SB_OUT")
[ -n "$summary" ] || fail "no Cost line in the summary"
check_costs "batch and live retries" "$summary"

# live mode: each answer at the live price, once
tsv 5,6p >"$SB_TMP/b.tsv"
sb_run import "$SB_TMP/b.tsv"
check_rc 0 "import 2"
sb_run send --live --all
check_rc 0 "send --live"
check_grep 'Committed to the CSV +2 ' "$SB_OUT" "the two committed live"
check_costs "then live mode" ""
echo "engine_cost: ok"
