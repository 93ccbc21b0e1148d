#!/bin/sh
# run_firstscreen.sh CORPUS [PRESENT] [MS] [RUNS]: the TUI's first screen on
# a big library, local and on a simulated network share.
#   CORPUS   a folder made by make_corpus.py --photos 0 --rows 100000
#            (its PhotoMedia.csv; Cesta /library/Foto/JPG/...)
#   PRESENT  how many of the rows' photos exist (default 65000: hard links
#            of one small JPEG, so only lookups cost)
#   MS       the simulated share's latency per file lookup (default 5)
# The library (CSV and photos) sits in a "share" folder; the second
# measurement delays every stat/open/access under it by MS milliseconds
# (bench/statdelay.so); LOCAL_ONLY=1 skips it.  Run from the build dir.
set -e
: "${top_builddir:=$(pwd)}"
: "${PYTHON3:=/usr/bin/python3}"
: "${STOCKBATCH_BIN:=$top_builddir/stockbatch}"
CORPUS=$1
PRESENT=${2:-65000}
MS=${3:-5}
RUNS=${4:-5}
[ -f "$CORPUS/PhotoMedia.csv" ] || { echo "usage: $0 CORPUS [PRESENT] [MS] [RUNS]" >&2; exit 2; }
make -s bench/statdelay.so bench/bench_firstscreen >/dev/null
. "$(dirname "$0")/big_library.sh"
big_library "$CORPUS" "$PRESENT"
echo "== local: $(wc -l <"$W/share/PhotoMedia.csv") lines, $PRESENT photos present"
"$top_builddir/bench/bench_firstscreen" --runs "$RUNS" "$STOCKBATCH_BIN" "$W/stockbatch.conf"
[ -z "$LOCAL_ONLY" ] || exit 0
echo "== share: every file lookup under the library +$MS ms"
STATDELAY_MS=$MS STATDELAY_PREFIX=$W/share \
	"$top_builddir/bench/bench_firstscreen" --runs "$RUNS" --preload "$top_builddir/bench/statdelay.so" \
	"$STOCKBATCH_BIN" "$W/stockbatch.conf"
