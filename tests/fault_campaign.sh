#!/bin/sh
# fault_campaign.sh: the fault campaign against the fake API (SPEC 12).
# Every fault switch of tests/fakeapi.py alone, then SB_CAMPAIGN_RUNS seeded
# random mixes of several (SB_CAMPAIGN_SEED), each on a fresh small library
# and a fresh fake, in two modes:
#   batch: import, send --all --yes, retrieve --wait; a run that ends with
#          failed items gets `retry-failed` once with the faults cleared;
#   live:  import, send --all --yes --live (the synchronous endpoints), and
#          the same `retry-failed` with the faults cleared.
# SB_CAMPAIGN_MODE=batch or live runs one mode; the default (both, as in
# `make check`) runs the batch campaign and a short live part (6 of the live
# switches alone and one mix).  SB_CAMPAIGN_PROVIDER=gemini: against the Gemini
# fake.  Then: every imported photo is committed (title with the photo's own
# code word: no answer on the wrong row; `připraveno` where it had
# `nezpracováno`) or dead-lettered with a reason; nothing lost; no provider
# batch answered twice for one of our ids; no custom id answered or committed
# twice; result lines with ids not in their batch ignored and counted; no
# photo answered twice live (the fake's live_answered); a live run never
# touches the Batch API; rows we did not import byte-identical.  Exit 1 on
# any loss, duplicate or misplaced answer.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
sb_tmpdir
SEED=${SB_CAMPAIGN_SEED:-20261123}
RUNS=${SB_CAMPAIGN_RUNS:-3}
NPHOTO=${SB_CAMPAIGN_PHOTOS:-4}
PROVIDER=${SB_CAMPAIGN_PROVIDER:-openai}
MODE=${SB_CAMPAIGN_MODE:-both}
case $MODE in batch | live | both) ;; *) fail "SB_CAMPAIGN_MODE: batch, live or both, not '$MODE'" ;; esac
case $PROVIDER in openai | gemini) ;; *) fail "SB_CAMPAIGN_PROVIDER: openai or gemini, not '$PROVIDER'" ;; esac

# The plan: one line per run, "mode<TAB>name<TAB>fault lines separated by ';'".
# Pseudo-switches: noretry (no retry-failed), cancel (cancel a sent batch
# right after the send).
"$PYTHON3" - "$SEED" "$RUNS" "$MODE" "$PROVIDER" >"$SB_TMP/plan" <<'EOF' || fail "plan"
import random, sys
seed, runs, mode, provider = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
gem = provider == "gemini"
def out(m, name, f):
    print("%s\t%s\t%s" % (m, name, f))
if mode in ("batch", "both"):
    single = [("none", ""), ("429", "429=3:0.05"), ("500", "500=2"), ("503", "503=2"),
              ("reset", "reset=2"), ("stall", "stall=1:1.5"), ("truncate", "truncate=2"),
              ("validation", "validation"), ("expire", "expire=0.5"), ("line_errors", "line_errors=0.5"),
              ("bad_json", "bad_json=0.5"), ("unknown_ids", "unknown_ids=0.7"),
              ("crash_create", "crash_create=1"), ("crash_create+page_size", "crash_create=2;page_size=1"),
              # the batches cancelled while they run: what they kept is
              # committed, the rest retried
              ("cancel_keep", "step=60;cancel_keep=0.5;cancel"),
              # every answer bad, the live retries too: dead letters, then retry-failed
              ("bad_json_all", "bad_json=1.0"),
              # every line an error and no retry-failed: the run ends dead-lettered
              ("line_errors_all_noretry", "line_errors=1.0;noretry")]
    single += [("job_states", "job_states")] if gem else [("token_limit", "token_limit")]
    for name, f in single:
        out("batch", name, f)
    rng = random.Random(seed)
    pool = [lambda: "429=%d:0.05" % rng.randint(1, 3), lambda: "500=%d" % rng.randint(1, 2),
            lambda: "503=%d" % rng.randint(1, 2), lambda: "reset=%d" % rng.randint(1, 2),
            lambda: "truncate=%d" % rng.randint(1, 2), lambda: "stall=1:1",
            lambda: "validation", lambda: "expire=%.2f" % rng.random(),
            lambda: "line_errors=%.2f" % rng.uniform(0.1, 0.6), lambda: "bad_json=%.2f" % rng.uniform(0.1, 0.6),
            lambda: "unknown_ids=%.2f" % rng.uniform(0.2, 1.0),
            lambda: "crash_create=1", lambda: "page_size=%d" % rng.randint(1, 3)]
    pool += [lambda: "job_states"] if gem else [lambda: "token_limit"]
    for i in range(runs):
        picks = rng.sample(pool, rng.randint(2, 4))
        out("batch", "mix%d" % (i + 1), "%s;seed=%d" % (";".join(p() for p in picks), rng.randint(1, 10**6)))
if mode in ("live", "both"):
    # the faults a live call can meet (the Batch API's own are never reached)
    single = [("none", ""), ("429", "429=6:0.3"), ("500", "500=3"), ("503", "503=3"),
              ("reset", "reset=3"), ("stall", "stall=1:1.5"), ("truncate", "truncate=3"),
              ("line_errors", "line_errors=0.5"), ("bad_json", "bad_json=0.5"),
              ("bad_json_all", "bad_json=1.0"), ("line_errors_all_noretry", "line_errors=1.0;noretry")]
    if mode == "both":
        # the short live part of the default campaign: each path of live_run
        # (429 cool-down, server error, broken body, bad answer, dead letters)
        short = ("none", "429", "503", "truncate", "bad_json", "line_errors_all_noretry")
        single = [x for x in single if x[0] in short]
        runs = 1
    for name, f in single:
        out("live", "live_" + name, f)
    rng = random.Random("live %d" % seed)
    pool = [lambda: "429=%d:%.2f" % (rng.randint(1, 6), rng.uniform(0.05, 0.3)),
            lambda: "500=%d" % rng.randint(1, 3), lambda: "503=%d" % rng.randint(1, 3),
            lambda: "reset=%d" % rng.randint(1, 3), lambda: "truncate=%d" % rng.randint(1, 3),
            lambda: "stall=1:1", lambda: "line_errors=%.2f" % rng.uniform(0.1, 0.6),
            lambda: "bad_json=%.2f" % rng.uniform(0.1, 0.6)]
    for i in range(runs):
        picks = rng.sample(pool, rng.randint(2, 4))
        out("live", "live_mix%d" % (i + 1), "%s;seed=%d" % (";".join(p() for p in picks), rng.randint(1, 10**6)))
EOF

JOBS=${SB_CAMPAIGN_JOBS:-4}

# One run, in a subshell with its own SB_TMP (= $R) and its own fake; its
# summary line goes to $R/result.
run_one()
{
	mode=$1 name=$2 faults=$3 R=$4
	SB_TMP=$R
	SB_FAKE_PID=
	trap 'sb_stop_fake' EXIT
	set --
	oldifs=$IFS
	IFS=';'
	retry=1 cancel=0
	for f in $faults; do
		case $f in
		"") ;;
		noretry) retry=0 ;;
		cancel) cancel=1 ;;
		*) set -- "$@" --fault "$f" ;;
		esac
	done
	IFS=$oldifs
	live=
	[ "$mode" = live ] && live=--live
	sb_start_fake --step 0.05 --seed "${R##*r}" "$@"
	echo "$SB_FAKE_PID" >"$R/fake.pid"
	sb_make_library "$R/lib" "$NPHOTO"
	L=$R/lib
	sb_config "$L" batch_size=2 rpm=6000 alternatives= "provider=$PROVIDER"
	cp "$L/PhotoMedia.csv" "$R/before.csv"
	# each photo's description carries a code word of its own ("kodab"):
	# the fake's answers repeat it, so an answer on the wrong row shows
	"$PYTHON3" - "$L/.sb_manifest" "$R/d.tsv" "$R/words" <<'EOF' || fail "$name: descriptions"
import os, sys
man, dtsv, words = sys.argv[1:4]
with open(man, encoding="utf-8") as m, open(dtsv, "w", encoding="utf-8") as d, \
        open(words, "w", encoding="utf-8") as w:
    i = 0
    for ln in m:
        kind, cesta = ln.rstrip("\n").split("\t", 1)
        if kind != "photo":
            continue
        word = "kod" + chr(97 + i // 26) + chr(97 + i % 26)
        i += 1
        d.write("%s\tFotka %s %s: smrkový les v ranní mlze na úbočí kopce, světlo mezi kmeny.\n"
                % (cesta, word, os.path.basename(cesta)))
        w.write("%s\t%s\n" % (cesta, word))
EOF
	sb_run import "$R/d.tsv"
	check_rc 0 "$name: import"
	sb_run send --all --yes $live
	cp "$SB_OUT" "$R/send1.out"
	cp "$SB_ERR" "$R/send1.err"
	case $mode:$SB_RC in batch:0 | batch:4 | batch:5 | live:0 | live:5) ;; *) fail "$name: send: exit $SB_RC" ;; esac
	if [ "$cancel" = 1 ]; then
		# the run's step is slow enough that no batch ends before its
		# cancel; then the pace speeds up, so the cancels end at once
		sb_run status --json
		cp "$SB_OUT" "$R/status0.json"
		ncancel=0
		for bid in $(sb_json "$R/status0.json" '" ".join(b["id"] for b in d["batches"] if b["state"] == "sent")'); do
			sb_run cancel "$bid"
			cat "$SB_ERR" >>"$R/cancel.err"
			check_rc 0 "$name: cancel $bid"
			ncancel=$((ncancel + 1))
		done
		sb_fake_fault '{"step": "0.05"}' >/dev/null || fail "$name: step"
		sb_fake_stats >"$R/stats0.json" || fail "$name: no /__stats"
		check_eq "$(sb_json "$R/stats0.json" 'd["batches_cancelled"]')" "$ncancel" "$name: batches cancelled at the fake"
		[ "$ncancel" -gt 0 ] || fail "$name: no batch to cancel"
	fi
	rc1=$SB_RC
	if [ "$mode" = batch ]; then
		sb_run retrieve --wait 60
		cp "$SB_OUT" "$R/retrieve1.out"
		cp "$SB_ERR" "$R/retrieve1.err"
		rc1=$SB_RC
		case $rc1 in 0 | 5) ;; *) fail "$name: retrieve --wait: exit $rc1" ;; esac
	fi
	# batches still ready (a send refused by a fault) go now, with faults cleared
	sb_fake_fault '{"clear": true}' >/dev/null || fail "$name: clear faults"
	sb_run status --json
	cp "$SB_OUT" "$R/status1.json"
	left=$(sb_json "$R/status1.json" 'sum(1 for b in d["batches"] if b["state"] in ("collecting", "ready", "sent"))')
	if [ "$retry" = 1 ] && { [ "$rc1" = 5 ] || [ "$left" != 0 ]; }; then
		sb_run retry-failed
		check_rc 0 "$name: retry-failed"
		sb_run send --all --yes $live
		cp "$SB_ERR" "$R/send2.err"
		case $SB_RC in 0 | 5) ;; *) fail "$name: send after retry-failed: exit $SB_RC" ;; esac
		if [ "$mode" = batch ]; then
			sb_run retrieve --wait 60
			cp "$SB_ERR" "$R/retrieve2.err"
			case $SB_RC in 0 | 5) ;; *) fail "$name: retrieve after retry-failed: exit $SB_RC" ;; esac
		fi
	fi
	sb_run status --json
	cp "$SB_OUT" "$R/status.json"
	left=$(sb_json "$R/status.json" 'sum(1 for b in d["batches"] if b["state"] in ("collecting", "ready", "sent"))')
	check_eq "$left" 0 "$name: batches left active"
	sb_fake_stats >"$R/stats.json" || fail "$name: no /__stats"
	sb_run report --json
	cp "$SB_OUT" "$R/report.json"
	"$PYTHON3" - "$name" "$R" "$L" "$SB_FAKE_URL" "$PROVIDER" "$mode" >"$R/summary" <<'EOF'
import csv, glob, json, os, sys, urllib.request
name, R, L, url, provider, mode = sys.argv[1:7]
def rows(p):
    raw = open(p, "rb").read()
    return raw.split(b"\r\n"), list(csv.DictReader(open(p, encoding="utf-8-sig", newline="")))
braw, brows = rows(os.path.join(R, "before.csv"))
araw, arows = rows(os.path.join(L, "PhotoMedia.csv"))
man = [l.rstrip("\n").split("\t", 1) for l in open(os.path.join(L, ".sb_manifest"), encoding="utf-8")]
photos = [c for k, c in man if k == "photo"]
word = dict(l.rstrip("\n").split("\t", 1) for l in open(os.path.join(R, "words"), encoding="utf-8"))
problems = []
# untouched rows byte-identical (same order, same bytes)
bidx = {r["Cesta"]: i for i, r in enumerate(brows)}
aidx = {r["Cesta"]: i for i, r in enumerate(arows)}
if len(arows) != len(brows) or len(aidx) != len(arows):
    problems.append("dup: row count %d -> %d" % (len(brows), len(arows)))
for c, i in bidx.items():
    if c not in photos and (c not in aidx or araw[aidx[c] + 1] != braw[i + 1]):
        problems.append("changed a row that was not imported: " + c)
# the store: last state of each photo per batch, the custom ids of each batch
final, reasons, saved_in, own = {}, {}, {}, {}
for j in glob.glob(os.path.join(L, ".stockbatch", "batches", "*", "files.jsonl")):
    bid = os.path.basename(os.path.dirname(j))
    last = {}
    ids = own.setdefault(bid, set())
    for ln in open(j, encoding="utf-8"):
        try:
            o = json.loads(ln)
        except ValueError:
            continue
        if o.get("custom_id"):
            ids.add(o["custom_id"])
        if "cesta" in o and "state" in o:
            last[o["cesta"]] = o
    for c, o in last.items():
        final.setdefault(c, []).append(o["state"])
        if o["state"] == "saved_to_csv":
            saved_in.setdefault(c, []).append(bid)
        elif o["state"] in ("dead", "error", "rejected"):
            reasons[c] = o.get("reason") or ""
committed = dead = lost = dup = wrong = 0
for c in photos:
    b, a = brows[bidx[c]], arows[aidx[c]] if c in aidx else None
    if len(saved_in.get(c, [])) > 1:
        dup += 1
        problems.append("dup: committed in %s: %s" % (saved_in[c], c))
    ok = a is not None and a["Název"] and a["Popis"] and a["Klíčová slova"]
    flips = [k for k in b if k.endswith(" status") and b[k] == "nezpracováno"]
    ok = ok and all(a[k] == "připraveno" for k in flips)
    ok = ok and all(a[k] == b[k] for k in b if k.endswith(" status") and k not in flips)
    if ok and word[c] not in a["Název"].lower():
        wrong += 1
        problems.append("misplaced: %s got the answer %r (its word is %s)" % (c, a["Název"], word[c]))
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
# answered: in how many of our batch folders' downloaded output a custom id
# of that batch is; a line with an id not in its batch (unknown_ids) must be
# ignored, and the batch's report must count it
unknown = 0
for o in glob.glob(os.path.join(L, ".stockbatch", "batches", "*", "output.jsonl")):
    bid = os.path.basename(os.path.dirname(o))
    seen, foreign = set(), 0
    for ln in open(o, encoding="utf-8", errors="replace"):
        try:
            j = json.loads(ln)
            cid = j.get("custom_id") or j.get("key")
        except (ValueError, AttributeError):
            continue
        if cid and cid not in own.get(bid, ()):
            foreign += 1
        elif cid and cid not in seen:
            seen.add(cid)
            answered[cid] = answered.get(cid, 0) + 1
    unknown += foreign
    try:
        rep = json.load(open(os.path.join(os.path.dirname(o), "report.json"), encoding="utf-8"))
        told = (rep.get("extra") or {}).get("unknown_ids", 0)
    except (OSError, ValueError):
        told = None
    if told != foreign:
        problems.append("batch %s: %d result lines with ids not in the batch, its report says %s"
                        % (bid, foreign, told))
for our, ids in per_our.items():
    if len(ids) > 1:
        dup += 1
        problems.append("dup: our batch %s has %d live provider batches %s" % (our, len(ids), ids))
for cid, n in answered.items():
    if n > 1:
        dup += 1
        problems.append("dup: custom id %s answered %d times" % (cid, n))
st = json.load(open(os.path.join(R, "stats.json")))
# live calls (live mode, and live retries in batch mode): a photo is asked
# with the same text every try; a valid answer sent whole ends its tries
lkeys, lans = st.get("live_keys", {}), st.get("live_answered", {})
if len(lkeys) > len(photos):
    problems.append("live calls with %d different texts for %d photos" % (len(lkeys), len(photos)))
for k, n in lans.items():
    if n > 1:
        dup += 1
        problems.append("dup: a photo (live text %s) answered live %d times" % (k, n))
if mode == "live":
    if st.get("batches_created") or st.get("files_uploaded"):
        problems.append("live run used the Batch API: %d batches, %d files"
                        % (st.get("batches_created", 0), st.get("files_uploaded", 0)))
    if sum(lans.values()) != committed:
        problems.append("%d valid live answers sent, %d photos committed" % (sum(lans.values()), committed))
for p in problems:
    print("%s: %s" % (name, p), file=sys.stderr)
fired = sum(st.get("faults_fired", {}).values())
print("%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d" % (name, mode, len(photos), committed, dead, lost, dup, wrong,
                                                     unknown, fired, st.get("live_requests", 0)))
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
pids=
: >"$SB_TMP/faults"
# an interrupted campaign leaves no run or fake behind
stop_all()
{
	for p in $pids $(cat "$SB_TMP"/r*/fake.pid 2>/dev/null); do
		kill "$p" 2>/dev/null
	done
	sb__cleanup
}
trap 'stop_all' EXIT
while IFS='	' read -r mode name faults; do
	# SB_CAMPAIGN_ONLY=REGEX: only the runs whose name matches (debugging)
	if [ -n "${SB_CAMPAIGN_ONLY:-}" ] && ! echo "$name" | grep -Eq -- "$SB_CAMPAIGN_ONLY"; then
		continue
	fi
	nruns=$((nruns + 1))
	for f in $(echo "$faults" | tr ';' ' '); do
		case $f in seed=* | page_size=* | step=* | noretry | cancel) ;; *) echo "$mode" >>"$SB_TMP/faults" ;; esac
	done
	mkdir -p "$SB_TMP/r$nruns"
	echo "$name" >"$SB_TMP/r$nruns/name"
	(run_one "$mode" "$name" "$faults" "$SB_TMP/r$nruns") >"$SB_TMP/r$nruns/log" 2>&1 &
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
		awk -F'\t' '{ printf "  %-28s items %s committed %s dead %s lost %s dup %s misplaced %s unknown ids %s (faults fired %s, live calls %s)\n", $1, $3, $4, $5, $6, $7, $8, $9, $10, $11 }' "$R/result"
	else
		bad=1
		echo "run $i ($(cat "$R/name")) failed:" >&2
		tail -n 40 "$R/log" >&2
	fi
	i=$((i + 1))
done
# one line per mode, then the whole campaign
awk -F'\t' -v provider="$PROVIDER" -v ff="$SB_TMP/faults" '
	BEGIN { while ((getline m <ff) > 0) f[m]++ }
	{ r[$2]++; x[$2] += $3; c[$2] += $4; d[$2] += $5; l[$2] += $6; u[$2] += $7; w[$2] += $8; k[$2] += $9
	  R++; X += $3; C += $4; D += $5; L += $6; U += $7; W += $8; K += $9 }
	function line(tag, runs, faults, x, c, d, l, u, w, k) {
		printf "campaign%s: runs %d, faults %d, items %d, committed %d, dead-lettered %d, lost %d, duplicated %d, misplaced %d, unknown ids ignored %d\n",
			tag, runs, faults, x, c, d, l, u, w, k
	}
	END {
		F = 0
		for (m in f) F += f[m]
		split("batch live", ms, " ")
		for (i = 1; i <= 2; i++)
			if ((m = ms[i]) in r)
				line(" (" m ", " provider ")", r[m], f[m], x[m], c[m], d[m], l[m], u[m], w[m], k[m])
		line("", R, F, X, C, D, L, U, W, K)
		exit (L || U || W) ? 1 : 0
	}' "$SB_TMP/summary" || fail "losses, duplicates or misplaced answers"
[ "$bad" = 0 ] || fail "some runs failed (see above)"
exit 0
