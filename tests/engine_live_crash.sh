#!/bin/sh
# engine_live_crash.sh: the live-mode kill campaign.  `send --live --all`
# of 18 photos in 3 batches, killed (-9) at random instants (seeded) again
# and again, then a plain restart to the end.  The limiter lets 3 requests
# go at once and then one every 20 s (rpm=3, concurrency 1), so most kills
# land while it waits with answers in hand: the case where a kill used to
# lose every answer not yet committed, and the next run paid for them again.
# The plain restart to the end goes at rpm=600: its kills are over, and at
# one request every 20 s it alone took some 3 minutes of each check pass.
#
# A proxy in front of the fake logs each live request (the photo, from the
# "Fotka N:" of its description) with what the library held at that
# instant, and each answer the fake gave.  Checks:
#   paid twice    a request for a photo whose answer was already kept
#                 (answers.jsonl) or committed (the CSV): must be 0;
#   kept twice    a photo with two answers kept: must be 0;
#   in flight     answers the fake gave that no run kept: only a kill
#                 between the answer and its fsync loses one, so at most
#                 one per kill (concurrency 1); reported;
#   the end       every photo committed once and whole, the batch completed,
#                 no provider batch created.
# Knobs: SB_LIVE_CRASH_RUNS (killed runs, default 8), SB_LIVE_CRASH_SEED,
# SB_LIVE_CRASH_WINDOW_MS (kill instants uniform in 0..this, default 1500).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
sb_tmpdir
RUNS=${SB_LIVE_CRASH_RUNS:-8}
SEED=${SB_LIVE_CRASH_SEED:-777}
WIN=${SB_LIVE_CRASH_WINDOW_MS:-1500}
PROXY_PID=
trap 'if [ -n "$PROXY_PID" ]; then kill "$PROXY_PID" 2>/dev/null; fi; sb__cleanup' EXIT

# The proxy's hooks (tests/fakeproxy.py forwards); kept() also serves the
# final checks.
cat >"$SB_TMP/livehooks.py" <<'EOF'
import csv, glob, json, os, re, threading
MU = threading.Lock()
def committed(lib):
    try:
        with open(os.path.join(lib, "PhotoMedia.csv"), encoding="utf-8-sig", newline="") as f:
            return {r["Soubor"] for r in csv.DictReader(f) if r["Název"]}
    except (OSError, ValueError, KeyError):
        return set()
def kept(lib):
    """Photo -> how many valid answers the batches' answers.jsonl keep."""
    n = {}
    for p in glob.glob(os.path.join(lib, ".stockbatch", "batches", "*", "answers.jsonl")):
        for ln in open(p, encoding="utf-8", errors="replace"):
            try:
                o = json.loads(ln)
            except ValueError:
                continue  # a torn last line
            m = re.match(r"(.*)_b\d{8}-\d{6}-[0-9a-f]{4}$", o.get("custom_id", ""))
            if m and o.get("ok"):
                n[m.group(1) + ".jpg"] = n.get(m.group(1) + ".jpg", 0) + 1
    return n
def photo(method, path, body):
    if method != "POST" or not body or path != "/v1/chat/completions":
        return None
    m = re.search(r"Fotka (\d+):", body.decode("utf-8", "replace"))
    return "IMG_%04d.jpg" % int(m.group(1)) if m else "?"
def hooks(lib, log):
    def write(*w):
        with MU, open(log, "a", encoding="utf-8") as f:
            f.write(" ".join(str(x) for x in w) + "\n")
    def seen(method, path, body):
        p = photo(method, path, body)
        if p:
            write("REQ", p, "committed" if p in committed(lib) else "-",
                  "kept" if kept(lib).get(p) else "-")
    def answered(method, path, body, code):
        p = photo(method, path, body)
        if p and code == 200:
            write("PAID", p)
    return seen, answered
EOF

sb_start_fake --step 0.05 --seed 9
L=$SB_TMP/lib
sb_make_library "$L" 18
: >"$SB_TMP/proxy.log"
"$PYTHON3" -c 'import sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
from fakeproxy import serve
from livehooks import hooks
seen, answered = hooks(sys.argv[4], sys.argv[5])
serve(sys.argv[3], seen, answered)' "$top_srcdir/tests" "$SB_TMP" "$SB_FAKE_URL" "$L" "$SB_TMP/proxy.log" \
	>"$SB_TMP/proxy.out" 2>"$SB_TMP/proxy.err" &
PROXY_PID=$!
wait_for 30 grep -q '^PORT ' "$SB_TMP/proxy.out" || fail "the proxy did not start"
PROXY_URL=http://127.0.0.1:$(sed -n 's/^PORT //p' "$SB_TMP/proxy.out")
sb_config "$L" batch_size=6 alternatives= rpm=3 concurrency=1 "openai_base_url=$PROXY_URL/v1"
{
	printf 'path\tdescription\n'
	grep '^photo' "$L/.sb_manifest" | cut -f2 |
		awk '{ printf "%s\tFotka %d: smrkový les v ranní mlze na úbočí kopce, světlo prosvítá mezi kmeny.\n", $0, NR }'
} >"$SB_TMP/d.tsv"
sb_run import "$SB_TMP/d.tsv"
check_rc 0 "import"

KILLS=0
for d in $(awk -v n="$RUNS" -v s="$SEED" -v m="$WIN" 'BEGIN { srand(s); for (i = 0; i < n; i++) printf "%d ", int(rand() * m) }'); do
	sb_kill_after "$d" send --live --all
	[ "$SB_KILL_RC" = 137 ] && KILLS=$((KILLS + 1))
	echo "KILL $d $SB_KILL_RC" >>"$SB_TMP/proxy.log"
done
for round in 1 2 3; do
	sb_run --set rpm=600 send --live --all
	check_rc 0 "the final send --live --all (round $round)"
	grep -q 'Committed to the CSV' "$SB_OUT" || break
	grep -q '"state": *"ready"' "$L"/.stockbatch/batches/*/batch.json || break
done

sb_fake_stats >"$SB_TMP/stats.json"
"$PYTHON3" - "$SB_TMP/proxy.log" "$L/PhotoMedia.csv" "$L/.sb_manifest" "$SB_TMP/stats.json" "$L" "$RUNS" "$KILLS" "$SB_TMP" <<'EOF' || fail "live kill campaign"
import csv, json, os, sys
logp, csvp, manp, statp, lib, runs, kills = sys.argv[1:8]
sys.path.insert(0, sys.argv[8])
from livehooks import kept as kept_in
kills = int(kills)
photos = [os.path.basename(l.rstrip("\n").split("\t", 1)[1]) for l in open(manp, encoding="utf-8") if l.startswith("photo")]
rows = {r["Soubor"]: r for r in csv.DictReader(open(csvp, encoding="utf-8-sig", newline=""))}
bad = []
for p in photos:
    r = rows.get(p)
    if not r or not r["Název"] or not r["Popis"] or not r["Klíčová slova"] or r["ShutterStock status"] != "připraveno":
        bad.append("not committed whole: " + p)
paid, twice = {}, []
for ln in open(logp, encoding="utf-8"):
    w = ln.split()
    if w[0] == "REQ" and ("committed" in w or "kept" in w):
        twice.append(" ".join(w[1:]))
    if w[0] == "PAID":
        paid[w[1]] = paid.get(w[1], 0) + 1
kept = kept_in(lib)
kept_twice = [p for p, n in kept.items() if n > 1]
in_flight = sum(max(0, n - kept.get(p, 0)) for p, n in paid.items())
answered_twice = sum(n - 1 for n in paid.values() if n > 1)
st = json.load(open(statp))
if st.get("batches_created", 0):
    bad.append("live mode created %d provider batches" % st["batches_created"])
for t in twice:
    bad.append("paid twice (asked again after its answer was kept or committed): " + t)
for p in kept_twice:
    bad.append("kept twice: " + p)
if in_flight > kills:
    bad.append("%d answers paid and never kept, more than the %d kills can explain" % (in_flight, kills))
for b in bad:
    print(b, file=sys.stderr)
print("engine_live_crash.sh: runs %s, kills %d, photos %d, requests paid %d, answered twice at the fake %d, "
      "paid twice %d, lost in flight at a kill %d, problems %d"
      % (runs, kills, len(photos), sum(paid.values()), answered_twice, len(twice) + len(kept_twice),
         in_flight, len(bad)))
sys.exit(1 if bad else 0)
EOF
echo "engine_live_crash: ok"
