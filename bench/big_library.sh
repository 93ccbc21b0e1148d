# bench/big_library.sh: sourced by the benchmarks that run the TUI on a big
# library (run_firstscreen.sh, run_photolist.sh).
#   big_library CORPUS PRESENT
# makes $W (a temp dir, removed on exit unless KEEP is set): the corpus's
# PhotoMedia.csv in $W/share, PRESENT of its rows' photos present (hard
# links of one small JPEG, so only lookups cost), an empty state dir and
# $W/stockbatch.conf (an unreachable provider: nothing is sent).
big_library()
{
	[ -f "$1/PhotoMedia.csv" ] || return 1
	W=$(mktemp -d /tmp/biglib.XXXXXX)
	[ -n "$KEEP" ] || trap 'rm -rf "$W"' EXIT
	mkdir -p "$W/share/photos" "$W/state"
	cp "$1/PhotoMedia.csv" "$W/share/"
	"$PYTHON3" - "$W/share/photos" "$2" <<'PY'
import os, sys
from PIL import Image
d, n = sys.argv[1], int(sys.argv[2])
for i in range(1, n + 1):
    if i % 50000 == 1:  # a file system allows some 65,000 links to one file
        one = os.path.join(d, "one%d.jpg" % i)
        Image.new("RGB", (600, 400), (90, 120, 60)).save(one, "JPEG", quality=80)
    os.link(one, os.path.join(d, "PICT%06d.jpg" % i))
PY
	cat >"$W/stockbatch.conf" <<CONF
provider = openai
openai_base_url = http://127.0.0.1:9/v1
media_csv = $W/share/PhotoMedia.csv
state_dir = $W/state
path_map = /library/Foto/JPG/Příroda/2024/5/Canon => $W/share/photos
CONF
	OPENAI_API_KEY=sk-bench-none
	export OPENAI_API_KEY
}
