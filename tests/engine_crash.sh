#!/bin/sh
# engine_crash.sh: kill -9 of the real binary at random instants (seeded) of
# every phase, then a plain restart to the end (SPEC 12: nothing saved is
# lost, nothing is sent or committed twice).  Three scenarios, each on its
# own 9-photo library (one fake, one proxy):
#
#  batch    `import`, `send`, `retrieve` (per-line errors, so live retries
#           run inside it), `cancel` of a random active batch, `retry-failed`,
#           `send --all`; then, faults cleared, retry-failed, send --all,
#           retrieve --wait to the end;
#  live     `import`, `send --live`, `send --live --all` (results committed
#           as they come), `retrieve`; then the same to the end;
#  archive  the batch scenario's finished library, its batches backdated
#           past archive_days: each round restores it, kills `retrieve` or
#           `cleanup` (both run phase 0, which packs old batches into
#           archive/ and removes their folders) once or twice within the
#           measured length of a clean cleanup, then a plain `cleanup`.
#
# Checks: every photo and the _bw alternative committed once and whole, and
# the store says saved_to_csv in exactly one batch (folders and archives);
# no custom id in two batch creations (the fake's /__stats); no upload or
# live request for a photo whose row was already committed (a proxy in front
# of the fake reads the CSV as each one arrives); no batch left active; live
# mode creates no provider batch; a killed run never leaves the library
# locked.  Archive rounds: each old batch ends as exactly one
# archive/<id>.tar.gz holding its folder byte for byte (entries <id>/FILE
# only), its folder and registry entry gone, no .part/.new-/.trash- debris,
# the CSV byte-identical, nothing sent to the provider.
#
# Knobs: SB_CRASH_RUNS (killed runs of the batch scenario, default 9; live
# gets 2/3 of them, archive RUNS/6 rounds of one or two kills),
# SB_CRASH_SEED, SB_CRASH_SCENARIOS (default "batch live archive"),
# SB_CRASH_WINDOW_MS (kill instants uniform in 0..this, default 800; a run
# that ends sooner is not killed).  SB_CRASH_SH_KILLS is the old name of
# SB_CRASH_RUNS.  SB_KEEP=1 keeps the libraries for a look after a failure.
# (The 200-kill campaign on the engine itself is tests/test_engine_crash.)
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
sb_tmpdir
RUNS=${SB_CRASH_RUNS:-${SB_CRASH_SH_KILLS:-9}}
SEED=${SB_CRASH_SEED:-4242}
SCENARIOS=${SB_CRASH_SCENARIOS:-batch live archive}
WIN=${SB_CRASH_WINDOW_MS:-800}
good="smrkový les v ranní mlze na úbočí kopce, světlo prosvítá mezi kmeny."
T_RUNS=0
T_KILLS=0
T_ITEMS=0
T_LOST=0
T_DUP=0
FAILS=0
BATCH_DONE=
PROXY_PID=
trap 'if [ -n "$PROXY_PID" ]; then kill "$PROXY_PID" 2>/dev/null; fi; sb__cleanup' EXIT

# The proxy (tests/fakeproxy.py): forwards everything to the fake; for each
# uploaded request line (custom id IMG_0003_b...) and each live request (the
# "Fotka N:" of its description; no image = the _bw alternative) it reads
# the CSV and logs a violation when that photo's row is already committed.
cat >"$SB_TMP/crashhooks.py" <<'EOF'
import csv, re, threading
MU = threading.Lock()
def world(path):
    # "CSV<TAB>LOG" of the scenario running now
    with open(path, encoding="utf-8") as f:
        return f.read().rstrip("\n").split("\t")
def committed(csvp):
    try:
        with open(csvp, encoding="utf-8-sig", newline="") as f:
            return {r["Soubor"] for r in csv.DictReader(f) if r["Název"]}
    except (OSError, ValueError, KeyError):
        return set()
def hooks(wpath):
    def note(kind, names):
        csvp, log = world(wpath)
        done = committed(csvp)
        with MU, open(log, "a", encoding="utf-8") as f:
            for n in names:
                f.write("%s %s %s\n" % ("LATE" if n in done else "ok", kind, n))
    def seen(method, path, body):
        if method == "POST" and body and path == "/v1/files":
            names = []
            for ln in body.decode("utf-8", "replace").splitlines():
                m = re.match(r'\{"custom_id":"(.*?)_b\d{8}-\d{6}-[0-9a-f]{4}"', ln)
                if m:
                    names.append(m.group(1) + ".jpg")
            note("upload", names)
        elif method == "POST" and body and path == "/v1/chat/completions":
            t = body.decode("utf-8", "replace")
            m = re.search(r"Fotka (\d+):", t)
            if "image_url" not in t:
                note("live", ["IMG_0001_bw.jpg"])
            elif m:
                note("live", ["IMG_%04d.jpg" % int(m.group(1))])
            else:
                note("live", ["?unknown"])
    return seen
EOF

# soft_fail MSG: a failed check of the scenario; the campaign goes on (the
# other scenarios and the summary lines), and the test fails at the end
soft_fail()
{
	echo "FAIL: $SCEN: $*" >&2
	FAILS=$((FAILS + 1))
}

# /__stats without a Python start when curl is there (the machine is slow)
fake_stats()
{
	curl -fsS --max-time 10 "$SB_FAKE_URL/__stats" 2>/dev/null || sb_fake_stats
}

# One fake and one proxy for all scenarios (batch ids, hence custom ids,
# differ between them; the checks use the fake's counters since the
# scenario began).
sb_start_fake --step 0.05
: >"$SB_TMP/world"
"$PYTHON3" -c 'import sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
from fakeproxy import serve
from crashhooks import hooks
serve(sys.argv[3], hooks(sys.argv[4]))' "$top_srcdir/tests" "$SB_TMP" "$SB_FAKE_URL" "$SB_TMP/world" \
	>"$SB_TMP/proxy.out" 2>"$SB_TMP/proxy.err" &
PROXY_PID=$!
wait_for 30 grep -q '^PORT ' "$SB_TMP/proxy.out" || fail "the proxy did not start"
PROXY_URL=http://127.0.0.1:$(sed -n 's/^PORT //p' "$SB_TMP/proxy.out")

# start_world NAME: a 9-photo library in $SB_TMP/NAME/lib, its TSV, the
# proxy watching its CSV; sets W and L.
start_world()
{
	W=$SB_TMP/$1
	mkdir -p "$W"
	L=$W/lib
	sb_make_library "$L" 9
	: >"$W/proxy.log"
	printf '%s\t%s\n' "$L/PhotoMedia.csv" "$W/proxy.log" >"$SB_TMP/world"
	fake_stats >"$W/stats0.json" || fail "no /__stats"
	{
		printf 'path\tdescription\n'
		grep '^photo' "$L/.sb_manifest" | cut -f2 | awk -v g="$good" '{ printf "%s\tFotka %d: %s\n", $0, NR, g }'
	} >"$W/d.tsv"
}

# delays N SEED MAXMS: N "delay:pick" pairs from a seeded generator.
delays()
{
	awk -v n="$1" -v s="$2" -v m="$3" 'BEGIN { srand(s); for (i = 0; i < n; i++) printf "%d:%d ", int(rand() * m), int(rand() * 1000) }'
}

# killed_run DELAYMS ARGS...: the binary in the background, kill -9 after
# DELAYMS; a run that ends first is not killed (and not waited for).
killed_run()
{
	sb_kill_after "$@"
	shift
	[ "$SB_KILL_RC" = 137 ] && S_KILLS=$((S_KILLS + 1))
	S_RUNS=$((S_RUNS + 1))
	# a killed run never leaves the library locked
	if grep -q 'already running' "$SB_TMP/k.err"; then
		fail "$SCEN run $S_RUNS ($*): the lock of a killed run blocked the next one"
	fi
	if [ -n "$SANITIZED" ] && grep -qE 'runtime error:|ERROR: (Address|Leak|Undefined)Sanitizer' "$SB_TMP/k.err"; then
		cat "$SB_TMP/k.err" >&2
		fail "$SCEN run $S_RUNS ($*): sanitizer report"
	fi
}

# active: ACTIVE = the ids of the batches still active, NACTIVE = how many
# (status --json, one key a line)
active()
{
	sb_run status --json
	ACTIVE=$(awk -F'"' '$2 == "id" { id = $4 } $2 == "state" && $4 ~ /^(collecting|ready|sent|paused)$/ { printf "%s ", id }' "$SB_OUT")
	# shellcheck disable=SC2086
	NACTIVE=$(set -- $ACTIVE && echo $#)
}

# check_world: the end-of-scenario checks; adds to the totals.
check_world()
{
	fake_stats >"$W/stats.json" || fail "no /__stats"
	"$PYTHON3" - "$L/PhotoMedia.csv" "$L/.sb_manifest" "$W/stats.json" "$L/.stockbatch" "$W/proxy.log" \
		"$SCEN" "$S_RUNS" "$S_KILLS" "$W/stats0.json" >"$W/summary" <<'EOF' || soft_fail "campaign checks"
import csv, glob, json, os, sys, tarfile
csvp, manp, statp, state, plog, scen, runs, kills, stat0 = sys.argv[1:10]
rows = list(csv.DictReader(open(csvp, encoding="utf-8-sig", newline="")))
man = [l.rstrip("\n").split("\t", 1) for l in open(manp, encoding="utf-8")]
photos = [c for k, c in man if k == "photo"]
alts = [c for k, c in man if k == "alt"]
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
for p in alts:
    r = by.get(p, [None])[0]
    if not r or not r["Název"] or not r["Popis"] or not r["Klíčová slova"]:
        lost += 1
        print("alternative not committed:", p, file=sys.stderr)
# the store agrees: each item's journal ends in saved_to_csv in exactly one
# batch, in a batch folder or in an archive
journals = []
for j in glob.glob(os.path.join(state, "batches", "*", "files.jsonl")):
    journals.append((j, open(j, "rb").read()))
for a in glob.glob(os.path.join(state, "archive", "*.tar.gz")):
    with tarfile.open(a) as t:
        for m in t.getmembers():
            if m.isfile() and m.name.endswith("/files.jsonl"):
                journals.append((a + ":" + m.name, t.extractfile(m).read()))
saved = {}
for name, data in journals:
    last = {}
    for line in data.decode("utf-8").splitlines():
        try:
            o = json.loads(line)
        except ValueError:
            continue  # a torn tail line
        if "cesta" in o and "state" in o:
            last[o["cesta"]] = o["state"]
    for c, s in last.items():
        if s == "saved_to_csv":
            saved.setdefault(c, []).append(name)
for p in photos + alts:
    n = len(saved.get(p, []))
    if n == 0:
        lost += 1
        print("store does not say saved_to_csv:", p, file=sys.stderr)
    elif n > 1:
        dup += 1
        print("saved_to_csv in %d batches:" % n, p, saved[p], file=sys.stderr)
st, s0 = json.load(open(statp)), json.load(open(stat0))
for k in ("batches_created", "live_requests"):
    st[k] = st.get(k, 0) - s0.get(k, 0)
c0 = s0.get("custom_ids", {})
twice = [k for k, v in st.get("custom_ids", {}).items() if v - c0.get(k, 0) > 1]
for k in twice:
    print("submitted twice:", k, file=sys.stderr)
dup += len(twice)
late = [l.strip() for l in open(plog, encoding="utf-8") if l.startswith("LATE") or "?unknown" in l]
for l in late:
    print("request for a committed photo:", l, file=sys.stderr)
dup += len(late)
sent = sum(1 for l in open(plog, encoding="utf-8"))
if scen == "live" and st.get("batches_created", 0):
    dup += 1
    print("live mode created %d provider batches" % st["batches_created"], file=sys.stderr)
items = len(photos) + len(alts)
print("%s %s %d %d %d" % (runs, kills, items, lost, dup))
print("engine_crash.sh: %s: runs %s, kills %s, items %d, lost=%d, duplicated=%d (%d requests seen, %d live)"
      % (scen, runs, kills, items, lost, dup, sent, st.get("live_requests", 0)), file=sys.stderr)
sys.exit(1 if lost or dup else 0)
EOF
	add_totals "$(head -n 1 "$W/summary")"
}

add_totals()
{
	# shellcheck disable=SC2086
	set -- $1
	T_RUNS=$((T_RUNS + $1))
	T_KILLS=$((T_KILLS + $2))
	T_ITEMS=$((T_ITEMS + $3))
	T_LOST=$((T_LOST + $4))
	T_DUP=$((T_DUP + $5))
}

# ---- batch: import, send, retrieve, cancel, retry-failed, send --all ----
scenario_batch()
{
	SCEN="batch"
	S_RUNS=0
	S_KILLS=0
	start_world batch
	sb_config "$L" batch_size=2 "openai_base_url=$PROXY_URL/v1"
	sb_fake_fault '{"crash_create": 1, "line_errors": 0.3}' >/dev/null || fail "cannot set the faults"
	for dp in $(delays "$RUNS" "$SEED" "$WIN"); do
		d=${dp%%:*}
		pick=${dp#*:}
		case $((S_RUNS % 6)) in
		0) killed_run "$d" import "$W/d.tsv" ;;
		1) killed_run "$d" send ;;
		2) killed_run "$d" retrieve ;;
		3)
			active
			if [ -n "$ACTIVE" ]; then
				# shellcheck disable=SC2086
				set -- $ACTIVE
				shift $((pick % $#))
				killed_run "$d" cancel "$1"
			else
				killed_run "$d" retrieve
			fi
			;;
		4) killed_run "$d" retry-failed ;;
		*) killed_run "$d" send --all ;;
		esac
	done
	# A plain restart to the end, faults cleared: what a cancel or the
	# per-line errors dead-lettered goes again.
	sb_fake_fault '{"clear": 1}' >/dev/null || fail "cannot clear the faults"
	sb_run import "$W/d.tsv"
	for round in 1 2 3 4 5; do
		sb_run retry-failed
		check_rc 0 "final retry-failed"
		sb_run send --all
		sb_run retrieve --wait 60
		case $SB_RC in 0 | 5) ;; *) fail "final retrieve (round $round): exit $SB_RC" ;; esac
		rrc=$SB_RC
		active
		[ "$NACTIVE" = 0 ] && [ "$rrc" = 0 ] && break
	done
	if [ "$NACTIVE" = 0 ]; then
		BATCH_DONE=1
	else
		soft_fail "$NACTIVE batches left active after the final run: $ACTIVE"
	fi
	check_world
}

# ---- live: import, send --live, send --live --all, retrieve ----
scenario_live()
{
	SCEN="live"
	S_RUNS=0
	S_KILLS=0
	start_world live
	sb_config "$L" batch_size=2 rpm=6000 "openai_base_url=$PROXY_URL/v1"
	n=$((RUNS * 2 / 3))
	[ "$n" -lt 1 ] && n=1
	for dp in $(delays "$n" "$((SEED + 1))" "$WIN"); do
		d=${dp%%:*}
		case $((S_RUNS % 4)) in
		0) killed_run "$d" import "$W/d.tsv" ;;
		1) killed_run "$d" send --live ;;
		2) killed_run "$d" send --live --all ;;
		*) killed_run "$d" retrieve ;;
		esac
	done
	sb_run import "$W/d.tsv"
	for round in 1 2 3; do
		sb_run send --live --all
		sb_run retrieve
		active
		[ "$NACTIVE" = 0 ] && break
	done
	[ "$NACTIVE" = 0 ] || soft_fail "$NACTIVE batches left active after the final run: $ACTIVE"
	check_world
}

# ---- archive: kills while phase 0 packs old batches ----
# check_archive ROUND: the round's checks against the snapshot.
check_archive()
{
	fake_stats >"$W/stats.json" || fail "no /__stats"
	"$PYTHON3" - "$W/snap" "$L" "$W/arch-stats0.json" "$W/stats.json" "$1" >>"$W/arch-rounds" <<'EOF' || soft_fail "round $1: checks"
import filecmp, glob, json, os, sys, tarfile
snap, lib, st0, st1, rnd = sys.argv[1:6]
sst, lst = os.path.join(snap, ".stockbatch"), os.path.join(lib, ".stockbatch")
ids = sorted(os.listdir(os.path.join(sst, "batches")))
lost = dup = 0
def bad(kind, *msg):
    global lost, dup
    if kind == "lost":
        lost += 1
    else:
        dup += 1
    print("round %s:" % rnd, *msg, file=sys.stderr)
if not filecmp.cmp(os.path.join(snap, "PhotoMedia.csv"), os.path.join(lib, "PhotoMedia.csv"), shallow=False):
    bad("lost", "the CSV changed")
left = os.listdir(os.path.join(lst, "batches"))
for n in left:
    bad("dup", "left in batches/:", n)  # an old batch folder, or .new-/.trash- debris
arch = os.path.join(lst, "archive")
for n in os.listdir(arch):
    if not n.endswith(".tar.gz") or n[:-7] not in ids:
        bad("dup", "unexpected file in archive/:", n)
reg = json.load(open(os.path.join(lst, "registry.json")))
for b in reg.get("batches", []):
    bad("dup", "still in registry.json:", b.get("id"))
for i in ids:
    a = os.path.join(arch, i + ".tar.gz")
    if not os.path.exists(a):
        bad("lost", "no archive for", i)
        continue
    src = os.path.join(sst, "batches", i)
    want = {f: open(os.path.join(src, f), "rb").read() for f in os.listdir(src)}
    got = {}
    try:
        with tarfile.open(a) as t:
            for m in t.getmembers():
                if m.name.startswith("/") or ".." in m.name.split("/") or not m.name.startswith(i + "/"):
                    bad("dup", "archive", i, "has an entry outside its folder:", m.name)
                if not m.isfile():
                    bad("dup", "archive", i, "has a non-file entry:", m.name, m.type)
                    continue
                got[m.name[len(i) + 1:]] = t.extractfile(m).read()
    except (tarfile.TarError, OSError, EOFError) as e:
        bad("lost", "archive", i, "is not a whole tar.gz:", e)
        continue
    for f, data in want.items():
        # files.settled is a cache the store rewrites (the summary of a finished batch)
        if f not in got:
            bad("lost", "archive", i, "lacks", f)
        elif got[f] != data and f != "files.settled":
            bad("lost", "archive", i, "has a different", f)
    for f in got:
        if f not in want and f != "files.settled":
            bad("dup", "archive", i, "has an extra", f)
s0, s1 = json.load(open(st0)), json.load(open(st1))
for k in ("batches_created", "files_uploaded", "live_requests"):
    if s1.get(k, 0) != s0.get(k, 0):
        bad("dup", "the provider got new work:", k, s0.get(k, 0), "->", s1.get(k, 0))
print(len(ids), lost, dup)
sys.exit(1 if lost or dup else 0)
EOF
}

scenario_archive()
{
	SCEN="archive"
	S_RUNS=0
	S_KILLS=0
	if [ -n "$BATCH_DONE" ]; then
		# the batch scenario's finished library: completed, cancelled and
		# retried batches, output, error and dead-letter files
		W=$SB_TMP/batch
		L=$W/lib
		sb_config "$L" batch_size=2 "openai_base_url=$PROXY_URL/v1"
	else
		start_world archive
		sb_config "$L" batch_size=2 "openai_base_url=$PROXY_URL/v1"
		sb_run import "$W/d.tsv"
		sb_run send --all
		sb_run retrieve --wait 60
		sb_run send --all
		sb_run retrieve --wait 60
		check_rc 0 "archive: the set-up retrieve"
	fi
	active
	check_eq "$NACTIVE" 0 "archive: the set-up left active batches"
	printf '%s\t%s\n' "$L/PhotoMedia.csv" "$W/arch-proxy.log" >"$SB_TMP/world"
	for f in "$L"/.stockbatch/batches/*/batch.json; do
		sed -i 's/"\(created\|sent\|completed\)": "20[0-9][0-9]-/"\1": "2001-/' "$f"
	done
	cp -a "$L" "$W/snap"
	fake_stats >"$W/arch-stats0.json" || fail "no /__stats"
	nb=$(find "$W/snap/.stockbatch/batches" -mindepth 1 -maxdepth 1 -type d | wc -l)
	[ "$nb" -ge 5 ] || fail "archive: only $nb batches to archive"
	# a clean cleanup: it archives them all, and its length is the kill
	# window of the rounds (each starts again from the snapshot)
	t0=$(date +%s%N)
	sb_run cleanup
	t1=$(date +%s%N)
	check_rc 0 "archive: a clean cleanup"
	: >"$W/arch-rounds"
	check_archive 0
	win=$(((t1 - t0) / 1000000 + 50))
	rounds=$((RUNS / 6))
	[ "$rounds" -lt 1 ] && rounds=1
	r=0
	for dp in $(delays "$rounds" "$((SEED + 2))" "$win"); do
		r=$((r + 1))
		d=${dp%%:*}
		pick=${dp#*:}
		rm -rf "$L"
		cp -a "$W/snap" "$L"
		case $((r % 2)) in
		0) killed_run "$d" cleanup ;;
		*) killed_run "$d" retrieve ;;
		esac
		# half the rounds are killed a second time, later in the work
		if [ $((pick % 2)) = 0 ]; then
			killed_run "$((pick * win / 1000))" cleanup
		fi
		sb_run cleanup
		check_rc 0 "archive round $r: the final cleanup"
		check_archive "$r"
	done
	# round 0 (the clean cleanup) is a check, not a campaign round
	awk -v runs="$S_RUNS" -v kills="$S_KILLS" 'NR > 1 { n++; i += $1; l += $2; d += $3 }
		END {
			printf "%s %s %d %d %d\n", runs, kills, i, l, d
			printf "engine_crash.sh: archive: runs %s, kills %s, items %d (batches archived in %d rounds), lost=%d, duplicated=%d\n", runs, kills, i, n, l, d >"/dev/stderr"
		}' "$W/arch-rounds" >"$W/arch-summary"
	add_totals "$(head -n 1 "$W/arch-summary")"
}

for s in $SCENARIOS; do
	case $s in
	batch) scenario_batch ;;
	live) scenario_live ;;
	archive) scenario_archive ;;
	*) fail "unknown scenario $s (SB_CRASH_SCENARIOS: batch live archive)" ;;
	esac
done
echo "engine_crash.sh: seed $SEED: runs $T_RUNS, kills $T_KILLS, items $T_ITEMS, lost=$T_LOST, duplicated=$T_DUP"
if [ "$T_LOST" != 0 ] || [ "$T_DUP" != 0 ] || [ "$FAILS" != 0 ]; then
	fail "$FAILS failed checks (see above)"
fi
exit 0
