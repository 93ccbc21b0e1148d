#!/bin/sh
# cli_quiet_cancel.sh: -q prints errors only (import, send and retrieve say
# nothing when all went well or batches are merely still out); cancel says
# what it did (a cancel requested at the provider, not "cancelled: now
# sent"), a cancelled item's reason has no "HTTP 0"; a batch the provider no
# longer knows is said (also under -q) and its way forward works (cancel,
# then retry-failed); the retrieve progress counter never goes backwards.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
sb_tmpdir
sb_start_fake --step 1
L=$SB_TMP/lib
sb_make_library "$L" 6
sb_config "$L" batch_size=3
sb_descriptions "$SB_TMP/a.tsv" 6
quiet() {
	check_eq "$(cat "$SB_OUT" "$SB_ERR" | wc -c | tr -d ' ')" 0 "$1: -q prints nothing"
}
batch_ids() {
	sb_run status --json
	sb_json "$SB_OUT" '" ".join(b["id"] for b in d["batches"] if b["kind"] == "originals")'
}

sb_run -q import "$SB_TMP/a.tsv"
check_rc 0 "-q import"
quiet "import"
set -- $(batch_ids)
B1=$1 B2=$2
sb_run -q send
check_rc 0 "-q send"
quiet "send"
sb_run -q retrieve
check_rc 4 "-q retrieve while the batches are out"
quiet "retrieve"

# cancel at the provider: said as a request, what completes is kept
sb_run cancel "$B1"
check_rc 0 "cancel"
check_nogrep 'now sent' "$SB_OUT" "no 'cancelled: now sent'"
check_grep "cancel of batch $B1 was requested at the provider" "$SB_OUT" "cancel says what it did"
sb_run retrieve --wait 60
check_grep "$B1" "$SB_ERR" "retrieve went on"
sb_run report "$B1"
check_nogrep 'HTTP 0' "$SB_OUT" "no 'HTTP 0' in a cancelled item's reason"

# the progress counter of one batch never goes backwards
"$PYTHON3" - "$SB_ERR" <<'PY' || fail "the retrieve progress counter went backwards: $(grep '/' "$SB_ERR")"
import re, sys
last = {}
for line in open(sys.argv[1], encoding="utf-8"):
    m = re.match(r"^(.*): (\d+)/(\d+), ", line)
    if not m:
        continue
    k, n = m.group(1), int(m.group(2))
    if n < last.get(k, 0):
        sys.exit(1)
    last[k] = n
PY

# A batch the provider no longer knows (the fake forgot everything).
sb_run retry-failed # the cancelled items go out again
check_nogrep 'No failed items' "$SB_OUT" "the cancelled items are queued again"
sb_run -q send
check_rc 0 "send the cancelled items again"
sb_stop_fake
sb_start_fake --step 1
sb_config "$L" batch_size=3
sb_run -q retrieve
check_grep 'does not know batch' "$SB_ERR" "-q retrieve says the batch is unknown"
check_grep "stockbatch cancel b[0-9-]+[a-f0-9]*', then 'stockbatch retry-failed'" "$SB_ERR" "and the way forward"
[ "$SB_RC" != 0 ] || fail "retrieve exits 0 with an unknown batch"
U=$(sed -n "s/.*'stockbatch cancel \(b[^']*\)'.*/\1/p" "$SB_ERR" | head -n 1)
sb_run cancel "$U"
check_rc 0 "cancel of the unknown batch"
sb_run retry-failed
check_rc 0 "retry-failed"
check_nogrep 'No failed items' "$SB_OUT" "its files are queued again"
sb_run -q send
check_rc 0 "send them again"
exit 0
