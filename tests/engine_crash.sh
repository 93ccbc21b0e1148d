#!/bin/sh
# engine_crash.sh: kill -9 of the real binary at random instants (seeded) of
# `import`, `send` and `retrieve`, then a plain `retrieve --wait` to the end:
# no imported description lost, no custom id submitted twice (the fake's
# /__stats), every photo row committed once and whole, the lock file of a
# killed run never blocks the next one.  (The 200-kill campaign on the
# engine itself is tests/test_engine_crash.)
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
sb_tmpdir
KILLS=${SB_CRASH_SH_KILLS:-30}
SEED=${SB_CRASH_SEED:-4242}
sb_start_fake --step 0.05 --fault crash_create=1
L=$SB_TMP/lib
sb_make_library "$L" 9
sb_config "$L" batch_size=2
good="Smrkový les v ranní mlze na úbočí kopce, světlo prosvítá mezi kmeny."
{
	printf 'path\tdescription\n'
	grep '^photo' "$L/.sb_manifest" | cut -f2 | while read -r p; do
		printf '%s\t%s\n' "$p" "$good"
	done
} >"$SB_TMP/d.tsv"

# Random delays from a seeded generator (awk), in milliseconds.
delays=$(awk -v n="$KILLS" -v s="$SEED" 'BEGIN { srand(s); for (i = 0; i < n; i++) printf "%d ", int(rand() * 400) }')
kills=0
runs=0
for d in $delays; do
	case $((runs % 3)) in
	0) cmd="import $SB_TMP/d.tsv" ;;
	1) cmd=send ;;
	*) cmd="retrieve" ;;
	esac
	# shellcheck disable=SC2086
	"$STOCKBATCH_BIN" --config "$SB_CONF" $cmd >"$SB_TMP/k.out" 2>"$SB_TMP/k.err" </dev/null &
	pid=$!
	sleep "$(awk -v d="$d" 'BEGIN { printf "%.3f", d / 1000 }')"
	if kill -9 "$pid" 2>/dev/null; then
		kills=$((kills + 1))
	fi
	wait "$pid" 2>/dev/null
	runs=$((runs + 1))
	# a killed run never leaves the library locked
	if grep -q 'already running' "$SB_TMP/k.err"; then
		fail "run $runs: the lock of a killed run blocked the next one"
	fi
done

# A plain restart to the end.
sb_run import "$SB_TMP/d.tsv"
sb_run send --all
sb_run retrieve --wait 60
case $SB_RC in 0 | 5) ;; *) fail "final retrieve: exit $SB_RC" ;; esac
# the alternatives' batch (sealed at the end of that run) goes too
sb_run send --all
sb_run retrieve --wait 60
case $SB_RC in 0 | 5) ;; *) fail "second retrieve: exit $SB_RC" ;; esac
sb_run status --json
cp "$SB_OUT" "$SB_TMP/status.json"
left=$(sb_json "$SB_TMP/status.json" 'sum(1 for b in d["batches"] if b["state"] in ("collecting", "ready", "sent", "paused"))')
check_eq "$left" 0 "batches left active after the final run"

sb_fake_stats >"$SB_TMP/stats.json" || fail "no /__stats"
"$PYTHON3" - "$L/PhotoMedia.csv" "$L/.sb_manifest" "$SB_TMP/stats.json" "$runs" "$kills" "$L/.stockbatch" <<'EOF' || fail "campaign checks"
import csv, glob, json, os, sys
csvp, manp, statp, runs, kills, state = sys.argv[1:7]
rows = list(csv.DictReader(open(csvp, encoding="utf-8-sig", newline="")))
photos = [l.split("\t", 1)[1].rstrip("\n") for l in open(manp, encoding="utf-8") if l.startswith("photo\t")]
by = {}
for r in rows:
    by.setdefault(r["Cesta"], []).append(r)
lost = 0
dup = sum(len(v) - 1 for v in by.values())
for p in photos:
    r = by.get(p, [None])[0]
    if not r or not r["Název"] or not r["Popis"] or not r["Klíčová slova"] or r["ShutterStock status"] != "připraveno":
        lost += 1
        print("not committed whole:", p, file=sys.stderr)
# the store agrees: each photo's journal ends in saved_to_csv in some batch
final = {}
for j in glob.glob(os.path.join(state, "batches", "*", "files.jsonl")):
    last = {}
    for line in open(j, encoding="utf-8"):
        try:
            o = json.loads(line)
        except ValueError:
            continue  # a torn tail line
        if "cesta" in o and "state" in o:
            last[o["cesta"]] = o["state"]
    for c, s in last.items():
        if s == "saved_to_csv":
            final[c] = s
for p in photos:
    if p not in final:
        lost += 1
        print("store does not say saved_to_csv:", p, file=sys.stderr)
st = json.load(open(statp))
twice = [k for k, v in st.get("custom_ids", {}).items() if v > 1]
for k in twice:
    print("submitted twice:", k, file=sys.stderr)
dup += len(twice)
print("engine_crash.sh: runs %s, kills %s, items %d, lost=%d, duplicated=%d" % (runs, kills, len(photos), lost, dup))
sys.exit(1 if lost or dup else 0)
EOF
exit 0
