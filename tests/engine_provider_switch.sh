#!/bin/sh
# engine_provider_switch.sh: descriptions saved under one provider, sent with
# --provider another: the batch is built for the provider that sends it (its
# default model, request format and image size), not sent with the first
# provider's model (Gemini answered 404 for models/gpt-...:batchGenerateContent).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
sb_tmpdir
sb_start_fake --step 0.05
L=$SB_TMP/lib
sb_make_library "$L" 3
sb_config "$L" batch_size=3
sb_descriptions "$SB_TMP/a.tsv" 3
sb_run import "$SB_TMP/a.tsv"
check_rc 0 "import under openai"
sb_run status --json
check_eq "$(sb_json "$SB_OUT" 'd["batches"][0]["provider"]')" openai "collected for openai"

sb_run --provider gemini send
check_rc 0 "send with --provider gemini"
check_nogrep 'models/gpt-|HTTP 404' "$SB_ERR" "no OpenAI model sent to Gemini"
check_grep 'collected for openai \(gpt-[^)]*\), sent to gemini \(gemini-[^)]*\): built for gemini' \
	"$SB_ERR" "the switch is said"
sb_run --provider gemini retrieve --wait 60
check_rc 0 "retrieve with --provider gemini"
sb_run status --json
check_eq "$(sb_json "$SB_OUT" '[b["provider"] for b in d["batches"] if b["kind"] == "originals"][0]')" gemini \
	"the batch says gemini now"
check_eq "$(grep -c 'připraveno' "$L/PhotoMedia.csv")" 4 "three photos committed (and the prepared row)"
sb_fake_stats >"$SB_TMP/stats.json"
grep -q 'gpt-' "$SB_TMP/fake.err" && fail "the fake saw an OpenAI model"
exit 0
