#!/bin/sh
# run_keys.sh [N]: keystroke-to-screen latency of the TUI while its worker
# sends, polls, downloads and commits a batch of N photos (default 300;
# the engine pauses a batch too big for one provider batch) against the
# fake API; then the same with the worker idle, for reference.
# Run from the build dir (or set top_builddir); uses tests/lib.sh.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$(pwd)}"
: "${PYTHON3:=/usr/bin/python3}"
: "${STOCKBATCH_BIN:=$top_builddir/stockbatch}"
export top_srcdir top_builddir PYTHON3 STOCKBATCH_BIN
. "$top_srcdir/tests/lib.sh"
N=${1:-300}
KEYS=${KEYS:-600}
sb_start_fake
L=$SB_TMP/lib
sb_make_library "$L" $((N + 10))
# low detail: one provider batch (high detail splits and pauses a big one)
sb_config "$L" batch_size="$N" poll_interval=1 image_detail=low
"$PYTHON3" - "$L/.sb_manifest" "$N" >"$SB_TMP/d.tsv" <<'PY'
import sys
n = int(sys.argv[2])
photos = [l.rstrip("\n").split("\t")[1] for l in open(sys.argv[1], encoding="utf-8") if l.startswith("photo\t")]
for i, p in enumerate(photos[:n]):
    print("%s\tFotka číslo %d: smrkový les v ranní mlze na úbočí kopce, světlo mezi kmeny." % (p, i))
PY
sb_run import "$SB_TMP/d.tsv"
head -n 3 "$SB_OUT"
before=$(grep -c "připraveno" "$L/PhotoMedia.csv")
echo "== busy: the worker sends, polls, downloads and commits $N results while we type"
"$top_builddir/bench/bench_keys" --keys "$KEYS" "$STOCKBATCH_BIN" "$SB_CONF"
after=$(grep -c "připraveno" "$L/PhotoMedia.csv")
echo "rows committed to the CSV during the run: $((after - before))"
echo "== idle: nothing left for the worker"
"$top_builddir/bench/bench_keys" --keys "$KEYS" "$STOCKBATCH_BIN" "$SB_CONF"
