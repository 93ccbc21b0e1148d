#!/bin/sh
# run_save_keys.sh [MS] [N]: the save key (Ctrl+S) and the editorial
# dialog (Ctrl+E) of the TUI, keypress to screen, on a library kept on a
# slow share: every lookup and open of a library file (the photos, the CSV,
# the state dir .stockbatch inside it) takes MS milliseconds (default 50,
# bench/statdelay.so).  N photos (default 10, 1600 x 1067 JPEGs with an
# EXIF date) are described one after the other (bench_keys --save).
#  1. Photos a day apart (the CSV's Datum vytvoření): no series, so each
#     photo's hash comes from its preview and every save has a new hash
#     for the cache (.stockbatch/series-hashes).
#  2. No Datum vytvoření in the CSV: the dialog's date is the EXIF date.
#  3. Library 1 with the share local, for reference.
# Run from the build dir (or set top_builddir; STOCKBATCH_BIN for another
# build's program).
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$(pwd)}"
: "${PYTHON3:=/usr/bin/python3}"
: "${STOCKBATCH_BIN:=$top_builddir/stockbatch}"
export top_srcdir top_builddir PYTHON3 STOCKBATCH_BIN
. "$top_srcdir/tests/lib.sh"
MS=${1:-50}
N=${2:-10}
make -s bench/statdelay.so bench/bench_keys >/dev/null || exit 1
sb_start_fake
# library DIR [nodate]: 2N + 10 camera-sized photos with an EXIF date each
library()
{
	sb_make_library "$1" $((2 * N + 10))
	"$PYTHON3" - "$1/PhotoMedia.csv" "$1/.sb_manifest" "${2:-}" <<'PY'
import csv, sys
from PIL import Image, ImageDraw
csvp, manifest, nodate = sys.argv[1:4]
if nodate:
    with open(csvp, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    d = rows[0].index("Datum vytvoření")
    for r in rows[1:]:
        r[d] = ""
    with open(csvp, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)
photos = [l.rstrip("\n").split("\t")[1] for l in open(manifest, encoding="utf-8") if l.startswith("photo\t")]
for i, p in enumerate(photos):
    im = Image.new("RGB", (1600, 1067), (40 + 7 * i % 200, 120, 200 - 5 * i % 150))
    ImageDraw.Draw(im).ellipse([200 + 20 * i % 900, 200, 700 + 20 * i % 900, 700], fill=(220, 90, 30))
    ex = im.getexif()
    ex[0x8769] = {0x9003: "2024:05:%02d 10:%02d:00" % (1 + i % 28, i % 60)}
    im.save(p, "JPEG", quality=88, exif=ex.tobytes())
PY
}
shared()
{
	STATDELAY_MS=$MS STATDELAY_PREFIX=$1 LD_PRELOAD=$top_builddir/bench/statdelay.so \
		"$top_builddir/bench/bench_keys" --save "$N" "$STOCKBATCH_BIN" "$SB_CONF"
}
L=$SB_TMP/lib
library "$L"
sb_config "$L" batch_size=$((2 * N + 20)) min_description=50
echo "== 1. $N photos a day apart described, every library lookup and open ${MS} ms"
shared "$L"
conf1=$SB_CONF
L2=$SB_TMP/lib2
library "$L2" nodate
sb_config "$L2" batch_size=$((2 * N + 20)) min_description=50
echo "== 2. $N photos without Datum vytvoření, every library lookup and open ${MS} ms"
shared "$L2"
echo "== 3. as 1, $N more photos, the share local"
"$top_builddir/bench/bench_keys" --save "$N" "$STOCKBATCH_BIN" "$conf1"
