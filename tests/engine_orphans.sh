#!/bin/sh
# engine_orphans.sh: a kill -9 while an input file's upload is answered (the
# file is at the provider, its id not yet saved) orphaned that file: never
# deleted, kept by OpenAI against the organisation's file storage, by Gemini
# for 48 h.  Each upload now goes under the batch's name
# (stockbatch-<batch id>.jsonl) behind an upload intent; the next send lists
# the provider's files and deletes those named for the batch that are not its
# input file.  For each provider: the fake stores the upload and holds its
# answer (hang_upload), the send is killed while it waits, a second send
# leaves at the fake only the live batch's input file, and after retrieve
# no file is left at all.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
sb_tmpdir
# list pages of one file: the second send's listing goes page by page
sb_start_fake --step 0.05 --fault page_size=1

# held PY: a value from the fake's /__stats, EXPR applied to d
held()
{
	sb_fake_stats >"$SB_TMP/stats.json" || fail "no /__stats"
	sb_json "$SB_TMP/stats.json" "$1"
}

for prov in openai gemini; do
	L=$SB_TMP/$prov
	sb_make_library "$L" 3
	if [ "$prov" = gemini ]; then
		# Gemini sends a batch under 2 MB inline, with no file: photos
		# of noise make its input file bigger
		"$PYTHON3" - "$L" <<'PY' || fail "noise photos"
import glob, os, sys
from PIL import Image
for p in glob.glob(os.path.join(sys.argv[1], "Foto", "JPG", "*", "*", "IMG_000*.jpg")):
    Image.effect_noise((1536, 1536), 120).convert("RGB").save(p, "JPEG", quality=90)
PY
	fi
	sb_config "$L" batch_size=3 provider=$prov
	sb_descriptions "$SB_TMP/$prov.tsv" 3
	sb_run import "$SB_TMP/$prov.tsv"
	check_rc 0 "$prov: import"
	sb_run status --json
	B=$(sb_json "$SB_OUT" '[b["id"] for b in d["batches"] if b["state"] == "ready"][0]')
	NAME=stockbatch-$B.jsonl

	# the upload is stored, its answer held: the send is killed waiting for it
	fired0=$(held 'd["faults_fired"].get("hang_upload", 0)')
	sb_fake_fault '{"hang_upload": "1:60"}' >/dev/null || fail "fault hang_upload"
	"$STOCKBATCH_BIN" --config "$SB_CONF" send >"$SB_TMP/k.out" 2>"$SB_TMP/k.err" </dev/null &
	pid=$!
	wait_for 60 sh -c 'test "$(curl -fsS "$1/__stats" | "$2" -c "import json,sys; print(json.load(sys.stdin)[\"faults_fired\"].get(\"hang_upload\", 0))")" -gt "$3"' \
		_ "$SB_FAKE_URL" "$PYTHON3" "$fired0" || fail "$prov: the upload never reached the fake"
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	check_eq "$(held "[k for k, n in d['file_names'].items() if n == '$NAME'].__len__()")" 1 \
		"$prov: the killed send's upload is at the fake under the batch's name"
	check_eq "$(sb_json "$L/.stockbatch/batches/$B/batch.json" 'd.get("input_file_id", "")')" "" \
		"$prov: its id was never saved"

	# the next send deletes it, and the batch goes with a new input file
	sb_fake_fault 'clear' >/dev/null || fail "clear"
	sb_fake_fault 'page_size=1' >/dev/null || fail "page_size"
	sb_run send
	check_rc 0 "$prov: the send after the kill"
	check_grep "deleted the provider file .*, uploaded by a send that stopped before saving its id" "$SB_ERR" \
		"$prov: the send says it deleted the orphan"
	IN=$(sb_json "$L/.stockbatch/batches/$B/batch.json" 'd.get("input_file_id", "")')
	[ -n "$IN" ] || fail "$prov: the batch has no input file id after the send"
	check_eq "$(held 'sorted(d["files_held"])')" "$(printf '["%s"]' "$IN")" \
		"$prov: only the live batch's input file is held at the fake"
	check_eq "$(held "d['file_names']['$IN']")" "$NAME" "$prov: it goes under the batch's name"
	[ -e "$L/.stockbatch/batches/$B/upload-intent.json" ] && fail "$prov: the upload intent stayed"

	sb_run retrieve --wait 60
	check_rc 0 "$prov: retrieve"
	check_eq "$(held 'sorted(d["files_held"])')" "[]" "$prov: no file is left at the fake after retrieve"
done
exit 0
