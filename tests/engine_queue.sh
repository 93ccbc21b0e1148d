#!/bin/sh
# engine_queue.sh: the providers' enqueued-token limit (apis.md 1.10, 3.7;
# SPEC 5.3).  Nothing goes live at full price for it, nothing is retried
# in a loop, and every photo is committed at batch price in the end.
#
#  gemini  the fake's gem_token_limit lets 4 photos' tokens be enqueued:
#          the create of a 6-photo batch gets 429 RESOURCE_EXHAUSTED.  With
#          none of ours running the batch is split in half ("split" in the
#          log); the second half, refused while the first runs, waits for it
#          ("waits"); both committed after send/retrieve rounds.  It used to
#          retry the same create 7 times over 70 s and stay ready for ever.
#  openai  queue_tokens in the user's prices.conf splits 4 photos into 2+2:
#          the second half waits while the first runs (never both at once);
#          the fake fails the first with token_limit_exceeded: it is sent
#          again at batch price, not live.  It used to send both halves at
#          once and retry the failed half live at full price.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
sb_tmpdir
sb_start_fake --step 0.1 --seed 21
XDG_CONFIG_HOME=$SB_TMP/xdg
export XDG_CONFIG_HOME

# library NAME N: a library of N photos imported into one ready batch, on
# the provider NAME starts with
library()
{
	L=$SB_TMP/$1
	sb_make_library "$L" "$2"
	sb_config "$L" "batch_size=$2" alternatives= "provider=${1%-probe}"
	{
		printf 'path\tdescription\n'
		grep '^photo' "$L/.sb_manifest" | cut -f2 |
			awk '{ printf "%s\tFotka %d: smrkový les v ranní mlze na úbočí kopce, světlo prosvítá mezi kmeny.\n", $0, NR }'
	} >"$SB_TMP/$1.tsv"
	sb_run import "$SB_TMP/$1.tsv"
	check_rc 0 "$1: import"
	: >"$SB_TMP/$1.log"
}

# rounds PROVIDER: send and retrieve until no batch is active (at most 5)
rounds()
{
	for r in 1 2 3 4 5; do
		sb_run send
		check_rc 0 "$1: send (round $r)"
		cat "$SB_ERR" >>"$SB_TMP/$1.log"
		sb_run retrieve --wait 60
		check_rc 0 "$1: retrieve (round $r)"
		cat "$SB_ERR" >>"$SB_TMP/$1.log"
		sb_run status --json
		[ "$(sb_json "$SB_OUT" 'len([b for b in d["batches"] if b["state"] in ("collecting", "ready", "sent", "paused")])')" = 0 ] && return 0
	done
	fail "$1: batches still active after 5 rounds"
}

committed()
{
	"$PYTHON3" -c 'import csv, sys
man = [l.rstrip("\n").split("\t", 1)[1] for l in open(sys.argv[2], encoding="utf-8") if l.startswith("photo")]
rows = {r["Cesta"]: r for r in csv.DictReader(open(sys.argv[1], encoding="utf-8-sig", newline=""))}
print(sum(1 for p in man if rows.get(p) and rows[p]["Název"] and rows[p]["ShutterStock status"] == "připraveno"))' \
		"$L/PhotoMedia.csv" "$L/.sb_manifest"
}

stat()
{
	sb_fake_stats >"$SB_TMP/stats.json" || fail "no /__stats"
	sb_json "$SB_TMP/stats.json" "$1"
}

# ---- gemini ----
# the fake's tokens of one photo: a batch of 1 sent without a limit
library gemini-probe 1
sb_run send
sb_run retrieve --wait 60
check_rc 0 "gemini: the probe batch"
per=$(stat 'd["usage"]["batch_in"]')
[ "$per" -gt 0 ] || fail "gemini: no usage from the probe"
base_live=$(stat 'd["live_requests"]')
base_creates=$(stat 'sum(v for k, v in d["requests_by_path"].items() if "batchGenerateContent" in k)')
base_batches=$(stat 'd["batches_created"]')
library gemini 6
sb_fake_fault "{\"gem_token_limit\": $((per * 4 + per / 2))}" >/dev/null || fail "cannot set gem_token_limit"
rounds gemini
check_eq "$(committed)" 6 "gemini: the six photos committed"
check_grep 'split in half' "$SB_TMP/gemini.log" "gemini: the log says the batch was split"
check_grep 'waits for the running batches' "$SB_TMP/gemini.log" "gemini: the log says the second half waited"
check_eq "$(stat 'd["live_requests"]')" "$base_live" "gemini: nothing sent live"
check_eq "$(stat 'd["batches_created"]')" "$((base_batches + 2))" "gemini: two batches created (the halves)"
creates=$(($(stat 'sum(v for k, v in d["requests_by_path"].items() if "batchGenerateContent" in k)') - base_creates))
[ "$creates" -le 5 ] || fail "gemini: $creates creates for 2 batches (a refused create is not retried in a loop)"
sb_fake_fault '{"clear": 1}' >/dev/null

# ---- openai ----
library openai-probe 1
sb_run send
check_rc 0 "openai: the probe send"
per=$(cat "$L"/.stockbatch/batches/*/batch.json | sed -n 's/.*"est_tokens": *\([0-9]*\).*/\1/p' | head -n 1)
[ "$per" -gt 0 ] || fail "openai: no estimate from the probe"
sb_run retrieve --wait 60
mkdir -p "$XDG_CONFIG_HOME/stockbatch"
# two photos (each with its answer's 350 estimated tokens) fit, three do not
sb_run status --json
model=$(sb_json "$SB_OUT" 'd["batches"][0]["model"]')
awk -v m="$model" -v q=$((2 * (per + 350) + 10)) '$1 == m { print $1, $2, $3, $4, $5, $6, $7, q }' \
	"$STOCKBATCH_DATADIR/prices.conf" >"$XDG_CONFIG_HOME/stockbatch/prices.conf"
grep -q . "$XDG_CONFIG_HOME/stockbatch/prices.conf" || fail "openai: no price line for $model"
library openai 4
base_live=$(stat 'd["live_requests"]')
base_batches=$(stat 'd["batches_created"]')
base_in=$(stat 'd["usage"].get("live_in", 0)')
sb_fake_fault '{"token_limit": 1}' >/dev/null || fail "cannot set token_limit"
sb_run send
check_rc 0 "openai: the first send"
cat "$SB_ERR" >>"$SB_TMP/openai.log"
check_eq "$(stat 'd["batches_created"]')" "$((base_batches + 1))" "openai: one half sent, not both at once"
check_grep 'waits: ' "$SB_TMP/openai.log" "openai: the log says the second half waits"
rounds openai
check_eq "$(committed)" 4 "openai: the four photos committed"
check_grep 'token_limit_exceeded' "$SB_TMP/openai.log" "openai: the log names the limit"
check_eq "$(stat 'd["live_requests"]')" "$base_live" "openai: nothing sent live"
check_eq "$(stat 'd["usage"].get("live_in", 0)')" "$base_in" "openai: nothing paid at live prices"
check_eq "$(stat 'd["batches_created"]')" "$((base_batches + 3))" "openai: the failed half created again"
echo "engine_queue: ok"
