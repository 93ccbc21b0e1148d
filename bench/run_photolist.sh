#!/bin/sh
# run_photolist.sh CORPUS [PRESENT] [RUNS]: time from `o` (in the batch
# view) to the photo list on screen, on a big library.
#   CORPUS   a folder made by make_corpus.py --photos 0 --rows 100000
#   PRESENT  how many of the rows' photos exist, i.e. are to describe
#            (default 100000: every row is in the list)
#   RUNS     how many times the list is opened (default 20)
# The TUI runs in a pseudo-terminal at 100x30 and at 200x60, and waits 5 s
# for its background scan to list the library before the first `o`.
# Run from the build dir.
set -e
: "${top_builddir:=$(pwd)}"
: "${PYTHON3:=/usr/bin/python3}"
: "${STOCKBATCH_BIN:=$top_builddir/stockbatch}"
CORPUS=$1
PRESENT=${2:-100000}
RUNS=${3:-20}
[ -f "$CORPUS/PhotoMedia.csv" ] || { echo "usage: $0 CORPUS [PRESENT] [RUNS]" >&2; exit 2; }
make -s bench/bench_view >/dev/null
. "$(dirname "$0")/big_library.sh"
big_library "$CORPUS" "$PRESENT"
for size in 100x30 200x60; do
	echo "== $size: $(wc -l <"$W/share/PhotoMedia.csv") lines, $PRESENT photos to describe"
	"$top_builddir/bench/bench_view" --runs "$RUNS" --size "$size" "$STOCKBATCH_BIN" "$W/stockbatch.conf"
done
