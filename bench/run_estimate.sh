#!/bin/sh
# run_estimate.sh: the estimate before sending against the cost from the
# usage the fake API reports (tests/fakeusage.py: usage computed from the
# request as the services document their billing), per provider, for
# PHOTOS photos (default 20) of camera sizes (tests/lib.sh sb_photo_sizes:
# 6000x4000, 4000x3000, 3000x4000 upright, 1200x800, 800x600, 300x200).
# A first batch of 5 photos gives the library its history of answer sizes
# (the estimate of an answer is the library's average, as `plan --models`
# uses it; 300 tokens before any); its own gap is shown too.  From a build dir:
#   sh ../bench/run_estimate.sh [STOCKBATCH] [PHOTOS] [PROVIDER:MODEL ...]
. "$(dirname "$0")/fake_env.sh"
n=${2:-20}
if [ $# -gt 2 ]; then
	shift 2
else
	set -- openai:gpt-4.1-mini openai:gpt-4o-mini openai:gpt-4o gemini:gemini-2.5-flash-lite gemini:gemini-2.5-flash
fi
sb_tmpdir
sb_start_fake --step 0.05 --seed 11
w=5
gap()
{
	"$PYTHON3" - "$@" <<'PY'
import json, sys
est = act = 0.0
et = at = 0
for ln in open(sys.argv[1]):
    r = json.loads(ln)
    if r["batch"] not in sys.argv[3:] and r["what"] in ("estimate", "actual"):
        usd = r["usd"]
        if r["what"] == "estimate":
            est += usd
            et += r["tokens"]
        else:
            act += usd
            at += r["tokens"]
print("%s: estimate $%.6f (%d prompt tokens), actual $%.6f (%d tokens in+out), gap %+.2f %%"
      % (sys.argv[2], est, et, act, at, (est - act) / act * 100 if act else float("nan")))
PY
}
for pm in "$@"; do
	prov=${pm%%:*}
	model=${pm#*:}
	L=$SB_TMP/lib-$prov-$model
	sb_make_library "$L" $((n + w))
	sb_photo_sizes "$L"
	P=$L/Foto/JPG/Příroda/2024
	sb_desc_tsv "$P" 1 "$w" >"$SB_TMP/a.tsv"
	sb_desc_tsv "$P" $((w + 1)) $((w + n)) >"$SB_TMP/b.tsv"
	sb_config "$L" provider="$prov" model="$model" batch_size="$w" alternatives=
	sb_run import "$SB_TMP/a.tsv"
	sb_run send
	sb_run retrieve --wait 120
	first=$(ls "$L/.stockbatch/batches")
	gap "$L/.stockbatch/cost.jsonl" "$prov $model, first $w photos (no history)" none
	sb_config "$L" provider="$prov" model="$model" batch_size="$n" alternatives=
	sb_run import "$SB_TMP/b.tsv"
	sb_run send
	sb_run retrieve --wait 120
	gap "$L/.stockbatch/cost.jsonl" "$prov $model, next $n photos" $first
done
