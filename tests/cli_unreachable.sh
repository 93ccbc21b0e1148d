#!/bin/sh
# cli_unreachable.sh: a provider that cannot be reached stops the run after
# one call's retries (not one full retry cycle per ready batch), exits 6
# (nothing lost: run again later) with one clear line on stderr, also under
# -q (errors are not quieted): a refused port for send and for retrieve, a
# server that accepts and never answers (given up after two silent tries),
# and a proxy's HTML 502 page (named by its title, not by a file path).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
sb_tmpdir
L=$SB_TMP/lib
sb_make_library "$L" 3
sb_config "$L" batch_size=1 # no fake: a refused port
sb_descriptions "$SB_TMP/a.tsv" 3
sb_run import "$SB_TMP/a.tsv"
check_rc 0 "import: three ready batches"

ready() {
	sb_run status --json
	sb_json "$SB_OUT" 'sum(1 for b in d["batches"] if b["state"] == "ready")'
}

# 1. A refused port, -q: one line, exit 6, the batches stay ready.
sb_run -q send
check_rc 6 "-q send against a refused port"
check_eq "$(wc -l <"$SB_ERR" | tr -d ' ')" 1 "one line on stderr"
check_grep "could not be reached, so the run stopped \(3 batches stay ready; nothing is lost\): POST /v1/files: " \
	"$SB_ERR" "the line says what happened"
check_eq "$(wc -c <"$SB_OUT" | tr -d ' ')" 0 "-q: nothing on stdout"
check_nogrep 'requests\.jsonl' "$SB_ERR" "no file path in the message"
check_eq "$(ready)" 3 "the three batches stay ready"

# 2. A server that accepts and never answers: two silent tries, then the run
# stops; the other ready batches are not tried.
"$PYTHON3" - "$SB_TMP/hang" <<'PY' &
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
open(sys.argv[1] + ".port", "w").write(str(s.getsockname()[1]))
held, n = [], 0
s.settimeout(0.2)
end = time.time() + 120
while time.time() < end:
    try:
        c, _ = s.accept()
    except socket.timeout:
        continue
    held.append(c)
    n += 1
    open(sys.argv[1] + ".count", "w").write(str(n))
PY
hang_pid=$!
wait_for 20 test -s "$SB_TMP/hang.port" || { kill $hang_pid; fail "the silent server did not start"; }
hport=$(cat "$SB_TMP/hang.port")
sb_run -q --base-url "http://127.0.0.1:$hport/v1" --set network_timeout=1 send
kill $hang_pid 2>/dev/null
wait $hang_pid 2>/dev/null
check_rc 6 "-q send against a silent server"
check_eq "$(cat "$SB_TMP/hang.count")" 2 "two silent tries in all, then the run stopped"
check_eq "$(wc -l <"$SB_ERR" | tr -d ' ')" 1 "one line on stderr"
check_grep 'could not be reached, so the run stopped .*no answer in 1 s, 2 times' "$SB_ERR" "the silent server is named"

# 3. A proxy's HTML 502 page on every try.
sb_start_fake --step 0.05
sb_config "$L" batch_size=1
sb_fake_fault '{"html": 6}' >/dev/null
sb_run send
check_rc 6 "send through a proxy answering 502"
check_grep 'POST /v1/files: HTTP 502: "502 Bad Gateway" \(an HTML page from a proxy or gateway, not the API\)' \
	"$SB_ERR" "the 502 is named by its page's title"
check_nogrep 'requests\.jsonl|<html' "$SB_ERR" "no file path, no HTML in the message"
check_eq "$(ready)" 3 "the batches stay ready"

# 4. The way back: the provider answers, everything goes; then retrieve
# against a refused port stops after one batch: exit 6, one line.
sb_run -q send
check_rc 0 "send once the provider answers"
check_eq "$(ready)" 0 "all sent"
sb_config "$L" batch_size=1 openai_base_url=http://127.0.0.1:9/v1
sb_run -q retrieve
check_rc 6 "-q retrieve against a refused port"
check_eq "$(wc -l <"$SB_ERR" | tr -d ' ')" 1 "one line on stderr"
check_grep "could not be reached, so the run stopped \(3 sent batches not checked; nothing is lost\)" \
	"$SB_ERR" "retrieve's line"
exit 0
