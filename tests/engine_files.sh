#!/bin/sh
# engine_files.sh: the provider files a send leaves behind, on both
# providers of the fake.
#
#  orphan   a kill while the create hangs (OpenAI: the input file is
#           uploaded, no batch exists; Gemini sends these few inline): the next run deletes that file at the provider
#           before it uploads again; when everything is committed the fake
#           holds no file of ours.
#  cleanup  the engine forgets the ids of the files it deleted after the
#           commit: `cleanup` then sends no DELETE and deletes nothing (it
#           used to delete them again and count the 404s, or Gemini's 403
#           PERMISSION_DENIED, as "deleted").
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
sb_tmpdir
sb_start_fake --step 0.05 --seed 3

fake_stats()
{
	curl -fsS --max-time 10 "$SB_FAKE_URL/__stats" 2>/dev/null || sb_fake_stats
}

for prov in openai gemini; do
	L=$SB_TMP/$prov
	sb_make_library "$L" 3
	sb_config "$L" batch_size=3 alternatives= "provider=$prov"
	{
		printf 'path\tdescription\n'
		grep '^photo' "$L/.sb_manifest" | cut -f2 |
			awk '{ printf "%s\tFotka %d: smrkový les v ranní mlze na úbočí kopce, světlo prosvítá mezi kmeny.\n", $0, NR }'
	} >"$SB_TMP/$prov.tsv"
	sb_run import "$SB_TMP/$prov.tsv"
	check_rc 0 "$prov: import"

	# ---- orphan: kill -9 while the create hangs ----
	fake_stats >"$SB_TMP/s0.json"
	sb_fake_fault '{"hang_create": "1:60"}' >/dev/null || fail "cannot set hang_create"
	"$STOCKBATCH_BIN" --config "$SB_CONF" send >"$SB_TMP/k.out" 2>"$SB_TMP/k.err" </dev/null &
	pid=$!
	hung()
	{
		fake_stats >"$SB_TMP/s1.json" &&
			[ "$(sb_json "$SB_TMP/s1.json" 'd["faults_fired"].get("hang_create", 0) - '"$(sb_json "$SB_TMP/s0.json" 'd["faults_fired"].get("hang_create", 0)')")" = 1 ]
	}
	wait_for 60 hung || fail "$prov: the create never reached the fake"
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	# (Gemini sends a batch this small inline: no input file)
	[ "$prov" = gemini ] ||
		check_eq "$(sb_json "$SB_TMP/s1.json" 'len([k for k, v in d["files_held"].items() if v == "batch"])')" 1 \
			"$prov: the killed send's input file is at the provider"
	sb_fake_fault '{"clear": 1}' >/dev/null
	sb_run send
	check_rc 0 "$prov: send after the kill"
	sb_run retrieve --wait 60
	check_rc 0 "$prov: retrieve"
	fake_stats >"$SB_TMP/s2.json"
	check_eq "$(sb_json "$SB_TMP/s2.json" 'sorted(d["files_held"].items())')" "[]" \
		"$prov: no file left at the provider (no orphaned input file)"
	check_grep 'Committed to the CSV +3 ' "$SB_OUT" "$prov: the three photos committed"

	# ---- cleanup: nothing is deleted twice ----
	cp "$SB_TMP/s2.json" "$SB_TMP/s3.json"
	sb_run cleanup --json
	check_rc 0 "$prov: cleanup"
	check_eq "$(sb_json "$SB_OUT" 'd["provider_files_deleted"]')" 0 "$prov: cleanup deletes nothing again"
	fake_stats >"$SB_TMP/s4.json"
	dels()
	{
		sb_json "$1" 'sum(v for k, v in d["requests_by_path"].items() if k.startswith("DELETE"))'
	}
	check_eq "$(dels "$SB_TMP/s4.json")" "$(dels "$SB_TMP/s3.json")" "$prov: cleanup sent no DELETE"
	for f in "$L"/.stockbatch/batches/*/batch.json; do
		check_nogrep '"(input|output|error)_file_id": *"[^"]' "$f" "$prov: deleted file ids forgotten in $f"
	done
done
echo "engine_files: ok"
