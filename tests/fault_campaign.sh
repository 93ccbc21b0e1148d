#!/bin/sh
# fault_campaign.sh: the fault campaign against the fake API (SPEC 12).
# Every fault switch of tests/fakeapi.py alone, then SB_CAMPAIGN_RUNS seeded
# random mixes of several (SB_CAMPAIGN_SEED), each on a fresh small library
# and a fresh fake: import, send --all --yes, retrieve --wait; a run that ends
# with failed items gets `retry-failed` once with the faults cleared.  Then:
# every imported photo is committed (title, `připraveno` where it had
# `nezpracováno`) or dead-lettered with a reason; nothing lost; no provider
# batch answered twice for one of our ids; no custom id answered or committed
# twice; rows we did not import byte-identical.  Exit 1 on any loss/duplicate.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
sb_tmpdir
SEED=${SB_CAMPAIGN_SEED:-20261123}
RUNS=${SB_CAMPAIGN_RUNS:-3}
NPHOTO=${SB_CAMPAIGN_PHOTOS:-4}
# SB_CAMPAIGN_PROVIDER=gemini: the same campaign against the Gemini fake
PROVIDER=${SB_CAMPAIGN_PROVIDER:-openai}

# The plan: one line per run, "name<TAB>fault lines separated by ';'".
"$PYTHON3" - "$SEED" "$RUNS" >"$SB_TMP/plan" <<'EOF' || fail "plan"
import random, sys
seed, runs = int(sys.argv[1]), int(sys.argv[2])
single = [("none", ""), ("429", "429=3:0.05"), ("500", "500=2"), ("503", "503=2"),
          ("reset", "reset=2"), ("stall", "stall=1:1.5"), ("truncate", "truncate=2"),
          ("validation", "validation"), ("token_limit", "token_limit"),
          ("expire", "expire=0.5"), ("line_errors", "line_errors=0.5"),
          ("bad_json", "bad_json=0.5"), ("crash_create", "crash_create=1"),
          ("crash_create+page_size", "crash_create=2;page_size=1"),
          # every answer bad, the live retries too: dead letters, then retry-failed
          ("bad_json_all", "bad_json=1.0"),
          # every line an error and no retry-failed: the run ends dead-lettered
          ("line_errors_all_noretry", "line_errors=1.0;noretry")]
for name, f in single:
    print("%s\t%s" % (name, f))
rng = random.Random(seed)
pool = [lambda: "429=%d:0.05" % rng.randint(1, 3), lambda: "500=%d" % rng.randint(1, 2),
        lambda: "503=%d" % rng.randint(1, 2), lambda: "reset=%d" % rng.randint(1, 2),
        lambda: "truncate=%d" % rng.randint(1, 2), lambda: "stall=1:1",
        lambda: "validation", lambda: "token_limit", lambda: "expire=%.2f" % rng.random(),
        lambda: "line_errors=%.2f" % rng.uniform(0.1, 0.6), lambda: "bad_json=%.2f" % rng.uniform(0.1, 0.6),
        lambda: "crash_create=1", lambda: "page_size=%d" % rng.randint(1, 3)]
for i in range(runs):
    picks = rng.sample(pool, rng.randint(2, 4))
    print("mix%d\t%s;seed=%d" % (i + 1, ";".join(p() for p in picks), rng.randint(1, 10**6)))
EOF

JOBS=${SB_CAMPAIGN_JOBS:-4}

# One run, in a subshell with its own SB_TMP (= $R) and its own fake; its
# summary line goes to $R/result.
run_one()
{
	name=$1 faults=$2 R=$3
	SB_TMP=$R
	SB_FAKE_PID=
	trap 'sb_stop_fake' EXIT
	set --
	oldifs=$IFS
	IFS=';'
	retry=1
	for f in $faults; do
		case $f in
		"") ;;
		noretry) retry=0 ;;
		*) set -- "$@" --fault "$f" ;;
		esac
	done
	IFS=$oldifs
	sb_start_fake --step 0.05 --seed "${R##*r}" "$@"
	echo "$SB_FAKE_PID" >"$R/fake.pid"
	sb_make_library "$R/lib" "$NPHOTO"
	L=$R/lib
	sb_config "$L" batch_size=2 rpm=6000 alternatives= "provider=$PROVIDER"
	cp "$L/PhotoMedia.csv" "$R/before.csv"
	grep '^photo' "$L/.sb_manifest" | cut -f2 | while read -r p; do
		printf '%s\tFotka %s: smrkový les v ranní mlze na úbočí kopce, světlo mezi kmeny.\n' \
			"$p" "$(basename "$p")"
	done >"$R/d.tsv"
	sb_run import "$R/d.tsv"
	check_rc 0 "$name: import"
	sb_run send --all --yes
	cp "$SB_OUT" "$R/send1.out"
	cp "$SB_ERR" "$R/send1.err"
	case $SB_RC in 0 | 4 | 5) ;; *) fail "$name: send: exit $SB_RC" ;; esac
	sb_run retrieve --wait 60
	cp "$SB_OUT" "$R/retrieve1.out"
	cp "$SB_ERR" "$R/retrieve1.err"
	rc1=$SB_RC
	case $rc1 in 0 | 5) ;; *) fail "$name: retrieve --wait: exit $rc1" ;; esac
	# batches still ready (a send refused by a fault) go now, with faults cleared
	sb_fake_fault '{"clear": true}' >/dev/null || fail "$name: clear faults"
	sb_run status --json
	cp "$SB_OUT" "$R/status1.json"
	left=$(sb_json "$R/status1.json" 'sum(1 for b in d["batches"] if b["state"] in ("collecting", "ready", "sent"))')
	if [ "$retry" = 1 ] && { [ "$rc1" = 5 ] || [ "$left" != 0 ]; }; then
		sb_run retry-failed
		check_rc 0 "$name: retry-failed"
		sb_run send --all --yes
		case $SB_RC in 0 | 5) ;; *) fail "$name: send after retry-failed: exit $SB_RC" ;; esac
		sb_run retrieve --wait 60
		case $SB_RC in 0 | 5) ;; *) fail "$name: retrieve after retry-failed: exit $SB_RC" ;; esac
	fi
	sb_run status --json
	cp "$SB_OUT" "$R/status.json"
	left=$(sb_json "$R/status.json" 'sum(1 for b in d["batches"] if b["state"] in ("collecting", "ready", "sent"))')
	check_eq "$left" 0 "$name: batches left active"
	sb_fake_stats >"$R/stats.json" || fail "$name: no /__stats"
	sb_run report --json
	cp "$SB_OUT" "$R/report.json"
	"$PYTHON3" - "$name" "$R" "$L" "$SB_FAKE_URL" "$PROVIDER" >"$R/summary" <<'EOF'
import csv, glob, json, os, sys, urllib.request
name, R, L, url, provider = sys.argv[1:6]
def rows(p):
    raw = open(p, "rb").read()
    return raw.split(b"\r\n"), list(csv.DictReader(open(p, encoding="utf-8-sig", newline="")))
braw, brows = rows(os.path.join(R, "before.csv"))
araw, arows = rows(os.path.join(L, "PhotoMedia.csv"))
man = [l.rstrip("\n").split("\t", 1) for l in open(os.path.join(L, ".sb_manifest"), encoding="utf-8")]
photos = [c for k, c in man if k == "photo"]
problems = []
# untouched rows byte-identical (same order, same bytes)
bidx = {r["Cesta"]: i for i, r in enumerate(brows)}
aidx = {r["Cesta"]: i for i, r in enumerate(arows)}
if len(arows) != len(brows) or len(aidx) != len(arows):
    problems.append("dup: row count %d -> %d" % (len(brows), len(arows)))
for c, i in bidx.items():
    if c not in photos and (c not in aidx or araw[aidx[c] + 1] != braw[i + 1]):
        problems.append("changed a row that was not imported: " + c)
# the store: last state of each photo per batch
final, reasons, saved_in = {}, {}, {}
for j in glob.glob(os.path.join(L, ".stockbatch", "batches", "*", "files.jsonl")):
    bid = os.path.basename(os.path.dirname(j))
    last = {}
    for ln in open(j, encoding="utf-8"):
        try:
            o = json.loads(ln)
        except ValueError:
            continue
        if "cesta" in o and "state" in o:
            last[o["cesta"]] = o
    for c, o in last.items():
        final.setdefault(c, []).append(o["state"])
        if o["state"] == "saved_to_csv":
            saved_in.setdefault(c, []).append(bid)
        elif o["state"] in ("dead", "error", "rejected"):
            reasons[c] = o.get("reason") or ""
committed = dead = lost = dup = 0
for c in photos:
    b, a = brows[bidx[c]], arows[aidx[c]] if c in aidx else None
    if len(saved_in.get(c, [])) > 1:
        dup += 1
        problems.append("dup: committed in %s: %s" % (saved_in[c], c))
    ok = a is not None and a["Název"] and a["Popis"] and a["Klíčová slova"]
    flips = [k for k in b if k.endswith(" status") and b[k] == "nezpracováno"]
    ok = ok and all(a[k] == "připraveno" for k in flips)
    ok = ok and all(a[k] == b[k] for k in b if k.endswith(" status") and k not in flips)
    if ok and saved_in.get(c):
        committed += 1
    elif c in reasons and reasons[c] and not saved_in.get(c):
        if a is not None and a["Název"] != b["Název"]:
            problems.append("dead-lettered but the row changed: " + c)
        dead += 1
    else:
        lost += 1
        problems.append("lost: %s (states %s, row %s)" % (c, final.get(c), "committed" if ok else "not committed"))
# the fake: per our batch id, at most one provider batch that did not fail;
# every custom id answered at most once across the output files
if provider == "gemini":
    key = {"x-goog-api-key": "gm-test-fake"}
else:
    key = {"Authorization": "Bearer sk-test-fake"}
def get(path):
    return urllib.request.urlopen(urllib.request.Request(url + path, headers=key), timeout=30).read()
per_our = {}
answered = {}
if provider == "gemini":
    tok = ""
    while True:
        page = json.loads(get("/v1beta/batches?pageSize=100" + tok))
        for op in page.get("operations", []):
            md = op.get("metadata", {})
            if not md.get("state", "").endswith("FAILED"):
                per_our.setdefault(md.get("displayName", "?"), []).append(md.get("name"))
        if not page.get("nextPageToken"):
            break
        tok = "&pageToken=" + page["nextPageToken"]
else:
    after = ""
    while True:
        page = json.loads(get("/v1/batches?limit=100" + after))
        for b in page["data"]:
            if b["status"] != "failed":
                our = (b.get("metadata") or {}).get("stockbatch_batch_id", "?")
                per_our.setdefault(our, []).append(b["id"])
        if not page["has_more"]:
            break
        after = "&after=" + page["last_id"]
# answered: in how many of our batch folders' downloaded output a custom id is
for o in glob.glob(os.path.join(L, ".stockbatch", "batches", "*", "output.jsonl")):
    seen = set()
    for ln in open(o, encoding="utf-8", errors="replace"):
        try:
            cid = json.loads(ln).get("custom_id") or json.loads(ln).get("key")
        except (ValueError, AttributeError):
            continue
        if cid and cid not in seen:
            seen.add(cid)
            answered[cid] = answered.get(cid, 0) + 1
for our, ids in per_our.items():
    if len(ids) > 1:
        dup += 1
        problems.append("dup: our batch %s has %d live provider batches %s" % (our, len(ids), ids))
for cid, n in answered.items():
    if n > 1:
        dup += 1
        problems.append("dup: custom id %s answered %d times" % (cid, n))
for p in problems:
    print("%s: %s" % (name, p), file=sys.stderr)
st = json.load(open(os.path.join(R, "stats.json")))
fired = sum(st.get("faults_fired", {}).values())
print("%s\t%d\t%d\t%d\t%d\t%d\t%d" % (name, len(photos), committed, dead, lost, dup, fired))
sys.exit(1 if problems else 0)
EOF
	rc=$?
	tail -n 1 "$R/summary" >"$R/result"
	[ "$rc" = 0 ] || fail "$name: checks failed"
	: >"$R/ok"
}

running()
{
	n=0
	for p in $pids; do
		kill -0 "$p" 2>/dev/null && n=$((n + 1))
	done
	echo "$n"
}

nruns=0
nfaults=0
pids=
# an interrupted campaign leaves no run or fake behind
stop_all()
{
	for p in $pids $(cat "$SB_TMP"/r*/fake.pid 2>/dev/null); do
		kill "$p" 2>/dev/null
	done
	sb__cleanup
}
trap 'stop_all' EXIT
while IFS='	' read -r name faults; do
	# SB_CAMPAIGN_ONLY=REGEX: only the runs whose name matches (debugging)
	if [ -n "${SB_CAMPAIGN_ONLY:-}" ] && ! echo "$name" | grep -Eq -- "$SB_CAMPAIGN_ONLY"; then
		continue
	fi
	nruns=$((nruns + 1))
	for f in $(echo "$faults" | tr ';' ' '); do
		case $f in seed=* | page_size=* | noretry) ;; *) nfaults=$((nfaults + 1)) ;; esac
	done
	mkdir -p "$SB_TMP/r$nruns"
	echo "$name" >"$SB_TMP/r$nruns/name"
	(run_one "$name" "$faults" "$SB_TMP/r$nruns") >"$SB_TMP/r$nruns/log" 2>&1 &
	pids="$pids $!"
	# at most JOBS runs at once: most of a run is waiting (polls, backoff)
	while [ "$(running)" -ge "$JOBS" ]; do
		sleep 0.2
	done
done <"$SB_TMP/plan"
wait
bad=0
: >"$SB_TMP/summary"
i=1
while [ "$i" -le "$nruns" ]; do
	R=$SB_TMP/r$i
	[ -s "$R/result" ] && cat "$R/result" >>"$SB_TMP/summary"
	if [ -e "$R/ok" ]; then
		awk -F'\t' '{ printf "  %-24s items %s committed %s dead %s lost %s dup %s (faults fired %s)\n", $1, $2, $3, $4, $5, $6, $7 }' "$R/result"
	else
		bad=1
		echo "run $i ($(cat "$R/name")) failed:" >&2
		tail -n 40 "$R/log" >&2
	fi
	i=$((i + 1))
done
awk -F'\t' -v runs="$nruns" -v faults="$nfaults" '
	{ x += $2; c += $3; d += $4; l += $5; u += $6 }
	END { printf "campaign: runs %d, faults %d, items %d, committed %d, dead-lettered %d, lost %d, duplicated %d\n",
		runs, faults, x, c, d, l, u; exit (l || u) ? 1 : 0 }' "$SB_TMP/summary" || fail "losses or duplicates"
[ "$bad" = 0 ] || fail "some runs failed (see above)"
exit 0
