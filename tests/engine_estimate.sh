#!/bin/sh
# engine_estimate.sh: the estimate before sending is within 2 % of the cost
# from the usage the fake reports, per provider.  The fake computes usage
# from the request as the services document their billing
# (tests/fakeusage.py): text by the provider's tokenizer, each image by its
# model's rule on the size actually sent.  The prompt tokens must match
# exactly; the answer's tokens are estimated from the library's history (a
# first batch of 6 photos), so the next batch's estimate must be within 2 %.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
sb_tmpdir
sb_start_fake --step 0.05 --seed 11

# The fake's rules on the documented examples (reference/apis.md 2, 2.2, 2.4).
"$PYTHON3" - "$top_srcdir/tests" <<'PY' || fail "the fake's usage rules"
import sys
sys.path.insert(0, sys.argv[1])
from fakeusage import oai_image_tokens as o, gem_image_tokens as g
cases = [(o("gpt-4o", "high", 1024, 1024), 765), (o("gpt-4o", "high", 2048, 4096), 1105),
         (o("gpt-4o", "low", 4096, 8192), 85), (o("gpt-4o", "high", 6000, 4000), 1105),
         (o("gpt-4o-mini", "high", 4000, 3000), 25501), (o("gpt-4.1-mini", "high", 4000, 3000), 4977),
         (o("gpt-4.1-mini", "high", 800, 600), 770), (o("gpt-4.1-nano", "high", 4000, 3000), 3572),
         (o("gpt-5.4", "high", 2048, 2048), 3000), (g(384, 384), 258), (g(1200, 800), 1032),
         (g(1536, 1024), 1032), (g(768, 768), 258)]
bad = [(i, got, want) for i, (got, want) in enumerate(cases) if got != want]
if bad:
    sys.exit("fakeusage: case, got, want: %s" % bad)
PY

w=6
n=12
for pm in openai:gpt-4.1-mini openai:gpt-4o gemini:gemini-2.5-flash-lite; do
	prov=${pm%%:*}
	model=${pm#*:}
	L=$SB_TMP/lib-$model
	sb_make_library "$L" $((w + n))
	sb_photo_sizes "$L"
	P=$L/Foto/JPG/Příroda/2024
	sb_desc_tsv "$P" 1 "$w" >"$SB_TMP/a.tsv"
	sb_desc_tsv "$P" $((w + 1)) $((w + n)) >"$SB_TMP/b.tsv"
	for part in a b; do
		size=$w
		[ "$part" = b ] && size=$n
		sb_config "$L" provider="$prov" model="$model" batch_size="$size" alternatives=
		sb_run import "$SB_TMP/$part.tsv"
		check_rc 0 "import ($model)"
		sb_run send
		check_rc 0 "send ($model)"
		sb_run retrieve --wait 60
		check_rc 0 "retrieve ($model)"
		check_grep "Committed to the CSV +$size " "$SB_OUT" "$model: $size committed"
		[ "$part" = a ] && first=$(ls "$L/.stockbatch/batches")
	done
	# the second batch: its estimate against the cost of its usage
	"$PYTHON3" - "$L/.stockbatch" "$first" "$model" <<'PY' || fail "$model: the estimate is off"
import glob, json, os, sys
d, first, model = sys.argv[1:4]
est = act = 0.0
for ln in open(os.path.join(d, "cost.jsonl")):
    r = json.loads(ln)
    if r["batch"] != first:
        if r["what"] == "estimate":
            est, et = est + r["usd"], r["tokens"]
        elif r["what"] == "actual":
            act += r["usd"]
rep = [json.load(open(f)) for f in glob.glob(os.path.join(d, "batches", "*", "report.json"))
       if os.path.basename(os.path.dirname(f)) != first]
pin = sum(r.get("in_tokens", (r.get("extra") or {}).get("in_tokens", 0)) for r in rep)
gap = (est - act) / act * 100
print("%s: estimate $%.6f, actual $%.6f, gap %+.2f %%; prompt tokens estimated %d, billed %d" % (model, est, act, gap, et, pin))
if pin and et != pin:
    sys.exit("%s: prompt tokens estimated %d, billed %d" % (model, et, pin))
if abs(gap) > 2:
    sys.exit("%s: the estimate is %+.2f %% off the usage-based cost" % (model, gap))
PY
done
echo "engine_estimate: ok"
