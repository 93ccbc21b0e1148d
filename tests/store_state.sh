#!/bin/sh
# store_state.sh: the state directory through the real binary: a readable
# layout (JSON/JSONL), a torn journal line left alone while another instance
# holds the library and repaired after, config errors naming FILE:LINE, and
# kill -9 during an import losing nothing and duplicating nothing.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
sb_tmpdir
L=$SB_TMP/lib
sb_make_library "$L" 40
sb_config "$L" batch_size=3
P=$L/Foto/JPG/Příroda/2024
S=$L/.stockbatch
desc="Smrkový les v ranní mlze na úbočí kopce, světlo prosvítá mezi kmeny. \"Ž\" \\ /"
for i in 1 2 3 4 5; do
	printf '%s\t%s %d\n' "$P/IMG_000$i.jpg" "$desc" "$i"
done >"$SB_TMP/five.tsv"
sb_run import "$SB_TMP/five.tsv"
check_rc 0 "import of five"

# 1. Everything is JSON a human (or python) can read; the texts are exact.
"$PYTHON3" - "$S" "$desc" <<'PY' || fail "the state directory is not what it should be"
import json, os, sys
s, desc = sys.argv[1], sys.argv[2]
reg = json.load(open(os.path.join(s, "registry.json"), encoding="utf-8"))
states = sorted(b["state"] for b in reg["batches"])
assert states == ["collecting", "ready"], states
texts = {}
for b in reg["batches"]:
    d = os.path.join(s, "batches", b["id"])
    bj = json.load(open(os.path.join(d, "batch.json"), encoding="utf-8"))
    assert bj["id"] == b["id"] and bj["state"] == b["state"], bj
    for line in open(os.path.join(d, "files.jsonl"), encoding="utf-8"):
        o = json.loads(line)
        assert o["op"] in ("file", "state", "del"), o
        if o["op"] == "file":
            texts[o["cesta"]] = o["description"]
assert len(texts) == 5, texts
for c, t in texts.items():
    n = c[-5]
    assert t == "%s %s" % (desc, n), (c, t)
PY

# 2. A torn last line (a crash mid-append) while another instance holds the
#    library: status reads around it and leaves it; once free, it is cut.
J=$(ls "$S"/batches/*/files.jsonl | head -n 1)
printf '{"op":"file","cesta":"/torn' >>"$J"
size_torn=$(wc -c <"$J")
sb_hold_lock "$S"
holder=$SB_LOCK_PID
sb_run status --json
rc=$SB_RC
cp "$SB_OUT" "$SB_TMP/st1.json"
kill $holder
wait $holder 2>/dev/null
[ "$rc" = 0 ] || fail "status with a torn line under a held lock: exit $rc"
check_eq "$(sb_json "$SB_TMP/st1.json" 'sum(b["files"] for b in d["batches"])')" 5 "files seen"
check_eq "$(wc -c <"$J")" "$size_torn" "the other instance's journal is left alone"
sb_run status --json
check_rc 0 "status after the holder quit"
check_eq "$(sb_json "$SB_OUT" 'sum(b["files"] for b in d["batches"])')" 5 "files after repair"
[ "$(tail -c 1 "$J" | od -An -c | tr -d ' ')" = '\n' ] || fail "the torn line was not cut"
grep -q '/torn' "$J" && fail "the torn line is still there"

# 3. Config errors name the file and the line.
cp "$SB_CONF" "$SB_TMP/good.conf"
printf 'bogus_key = 1\n' >>"$SB_CONF"
line=$(wc -l <"$SB_CONF")
sb_run status
[ "$SB_RC" != 0 ] || fail "an unknown setting was accepted"
check_grep "stockbatch.conf:$line: unknown setting 'bogus_key' \\(see stockbatch.conf\\(5\\)\\)" "$SB_ERR" \
	"unknown setting message"
cp "$SB_TMP/good.conf" "$SB_CONF"
printf 'batch_size = lots\n' >>"$SB_CONF"
sb_run status
[ "$SB_RC" != 0 ] || fail "a bad value was accepted"
check_grep "stockbatch.conf:$line: bad value 'lots' for 'batch_size'" "$SB_ERR" "bad value message"
cp "$SB_TMP/good.conf" "$SB_CONF"

# 4. kill -9 in the middle of an import, a few times; then a full import.
#    Every photo ends in exactly one batch, with its exact text.
: >"$SB_TMP/all.tsv"
i=6
while [ $i -le 40 ]; do
	printf '%s\t%s %d\n' "$P/$(printf 'IMG_%04d.jpg' $i)" "$desc" $i >>"$SB_TMP/all.tsv"
	i=$((i + 1))
done
for delay in 0.05 0.1 0.2 0.3; do
	"$STOCKBATCH_BIN" --config "$SB_CONF" import "$SB_TMP/all.tsv" >/dev/null 2>&1 &
	pid=$!
	sleep $delay
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	sb_run status --json
	check_rc 0 "status after kill -9 (delay $delay)"
done
sb_run import "$SB_TMP/all.tsv"
# 0: some imported; 5: some lines refused; 1: nothing left to import (the
# killed imports had finished before the kill) -- then every refusal must be
# "already in batch".
case $SB_RC in
0 | 5) ;;
1) grep -v 'is already in batch' "$SB_ERR" | grep -q . && fail "import after the kills: exit 1: $(head -3 "$SB_ERR")" ;;
*) fail "import after the kills: exit $SB_RC" ;;
esac
"$PYTHON3" - "$S" "$desc" <<'PY' || fail "after kill -9: lost or duplicated photos"
import json, os, sys
s, desc = sys.argv[1], sys.argv[2]
owner = {}
for b in os.listdir(os.path.join(s, "batches")):
    d = os.path.join(s, "batches", b)
    bj = json.load(open(os.path.join(d, "batch.json"), encoding="utf-8"))
    files = {}
    for line in open(os.path.join(d, "files.jsonl"), encoding="utf-8"):
        o = json.loads(line)
        if o["op"] == "file":
            files[o["cesta"]] = o["description"]
        elif o["op"] == "del":
            files.pop(o["cesta"], None)
    for c, t in files.items():
        assert c not in owner, "%s in %s and %s" % (c, owner[c], b)
        owner[c] = b
        n = int(c[-8:-4])
        assert t == "%s %d" % (desc, n), (c, t)
assert len(owner) == 40, len(owner)
PY
echo "store_state: ok"
