#!/bin/sh
# engine_sent_provider.sh: a sent batch is polled, downloaded, cancelled and
# its files deleted at the provider it was sent to (the batch's store records
# it), not at the provider the run is configured with: a batch sent with
# Gemini, retrieved after the configuration went back to OpenAI, used to be
# asked for at OpenAI, which did not know it (the batch was paused).  A
# send cut off after Gemini created the batch is reconciled at Gemini too.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
sb_tmpdir
sb_start_fake --step 0.05
L=$SB_TMP/lib
sb_make_library "$L" 6
sb_config "$L" batch_size=3 provider=gemini
sb_descriptions "$SB_TMP/all.tsv" 6
head -n 3 "$SB_TMP/all.tsv" >"$SB_TMP/a.tsv"
tail -n 3 "$SB_TMP/all.tsv" >"$SB_TMP/b.tsv"
sb_run import "$SB_TMP/a.tsv"
check_rc 0 "import under gemini"
sb_run send
check_rc 0 "send under gemini"
sb_run status --json
check_eq "$(sb_json "$SB_OUT" '[b["provider"] for b in d["batches"] if b["state"] == "sent"]')" \
	'["gemini"]' "one batch sent to gemini"

# the configuration goes back to OpenAI (the default)
sb_config "$L" batch_size=3
sb_run retrieve --wait 60
check_rc 0 "retrieve under openai of a batch sent to gemini"
check_nogrep 'does not know batch' "$SB_ERR" "the batch is not looked for at openai"
sb_run status --json
check_eq "$(sb_json "$SB_OUT" '[[b["provider"], b["state"]] for b in d["batches"] if b["kind"] == "originals"]')" \
	'[["gemini", "completed"]]' "the batch completed at gemini"
check_eq "$(grep -c 'připraveno' "$L/PhotoMedia.csv")" 4 "three photos committed (and the prepared row)"
sb_fake_stats >"$SB_TMP/stats.json" || fail "no /__stats"
check_eq "$(sb_json "$SB_TMP/stats.json" 'sorted(d["files_held"].items())')" "[]" \
	"the batch's files were deleted at gemini"
check_eq "$(sb_json "$SB_TMP/stats.json" 'sorted(k for k in d["requests_by_path"] if k.startswith("GET /v1/"))')" \
	"[]" "nothing was asked of openai"

# cancel: a second batch, sent to gemini and still running there, is
# cancelled there (it was cancelled here only, and left running and paid)
sb_config "$L" batch_size=3 provider=gemini
sb_fake_fault 'step=30' >/dev/null || fail "fault step"
sb_run import "$SB_TMP/b.tsv"
check_rc 0 "second import"
sb_run send
check_rc 0 "second send under gemini"
sb_run status --json
B=$(sb_json "$SB_OUT" '[b["id"] for b in d["batches"] if b["state"] == "sent"][0]')
sb_config "$L" batch_size=3
sb_run cancel "$B"
check_rc 0 "cancel under openai of a batch sent to gemini"
check_nogrep 'no longer knew' "$SB_ERR" "the batch is not looked for at openai"
sb_fake_stats >"$SB_TMP/stats.json" || fail "no /__stats"
check_eq "$(sb_json "$SB_TMP/stats.json" 'sum(v for k, v in d["requests_by_path"].items() if k.startswith("POST /v1beta/") and k.endswith(":cancel"))')" \
	1 "the cancel reached gemini"

# an interrupted send: Gemini creates the batch and the run is killed before
# its answer comes; the next run, configured for OpenAI, finds the batch at
# Gemini (listed there by its name) instead of creating it again
L=$SB_TMP/lib3
sb_make_library "$L" 3
sb_config "$L" batch_size=3 provider=gemini
sb_fake_fault 'clear' >/dev/null || fail "fault clear"
sb_fake_fault 'crash_create=1:60' >/dev/null || fail "fault crash_create"
created=$(sb_fake_stats | sb_json /dev/stdin 'd["batches_created"]')
sb_descriptions "$SB_TMP/c.tsv" 3
sb_run import "$SB_TMP/c.tsv"
check_rc 0 "third import"
"$STOCKBATCH_BIN" --config "$SB_CONF" send >"$SB_TMP/send3.out" 2>&1 </dev/null &
send_pid=$!
made() { [ "$(sb_fake_stats | sb_json /dev/stdin 'd["batches_created"]')" -gt "$created" ]; }
wait_for 60 made || fail "gemini never created the third batch"
kill -9 "$send_pid"
wait "$send_pid" 2>/dev/null
sb_config "$L" batch_size=3
sb_run retrieve --wait 60
check_rc 0 "retrieve under openai after a send killed at gemini's create"
check_grep 'found at the provider' "$SB_ERR" "the killed send is reconciled"
check_nogrep 'could not check the provider' "$SB_ERR" "the killed send is checked at gemini"
check_eq "$(sb_fake_stats | sb_json /dev/stdin 'd["batches_created"]')" "$((created + 1))" \
	"the batch was not created twice"
sb_run status --json
check_eq "$(sb_json "$SB_OUT" '[[b["provider"], b["state"]] for b in d["batches"] if b["kind"] == "originals"]')" \
	'[["gemini", "completed"]]' "the recovered batch completed at gemini"
check_eq "$(grep -c 'připraveno' "$L/PhotoMedia.csv")" 4 "the three photos committed (and the prepared row)"
exit 0
