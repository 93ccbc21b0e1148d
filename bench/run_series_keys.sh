#!/bin/sh
# run_series_keys.sh [MS]: keystroke-to-screen latency of the TUI while it
# shows a series of 6 similar photos (the strip of small pictures, the
# hashes of the photos near it) from a library on a slow share: every
# lookup and open of a library file takes MS milliseconds (default 50,
# bench/statdelay.so), so the previewer's thread waits on the share while
# we type.  Run from the build dir (or set top_builddir); uses tests/lib.sh.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$(pwd)}"
: "${PYTHON3:=/usr/bin/python3}"
: "${STOCKBATCH_BIN:=$top_builddir/stockbatch}"
export top_srcdir top_builddir PYTHON3 STOCKBATCH_BIN
. "$top_srcdir/tests/lib.sh"
MS=${1:-50}
KEYS=${KEYS:-300}
make -s bench/statdelay.so >/dev/null || exit 1
sb_start_fake
L=$SB_TMP/lib
sb_make_library "$L" 40
sb_make_series "$L" 6
sb_config "$L" batch_size=50 min_description=50
echo "== a series of 6 on the first screen, every library lookup ${MS} ms"
STATDELAY_MS=$MS STATDELAY_PREFIX=$L LD_PRELOAD=$top_builddir/bench/statdelay.so \
	"$top_builddir/bench/bench_keys" --keys "$KEYS" "$STOCKBATCH_BIN" "$SB_CONF"
echo "== the same, the share local"
"$top_builddir/bench/bench_keys" --keys "$KEYS" "$STOCKBATCH_BIN" "$SB_CONF"
