#!/bin/sh
# run_embed.sh STOCKBATCH [PHOTOS]: `embed --in-place` on PHOTOS (default
# 20) fresh copies of a 24 MP JPEG (6000x4000, about 15 MB), three times,
# then exiftool -overwrite_original writing the same fields on the same
# copies as the anchor.  Prints seconds per run and per 1000 photos.
# Needs python3 with PIL and, for the anchor, exiftool.
set -eu
bin=$1
n=${2:-20}
dir=$(mktemp -d "${TMPDIR:-/tmp}/sbembed.XXXXXX")
trap 'rm -rf "$dir"' EXIT
PY=${PYTHON3:-python3}
make_lib()
{
	"$PY" - "$dir/lib" "$n" <<'PYEOF'
import csv, os, shutil, sys
from PIL import Image
out, n = sys.argv[1], int(sys.argv[2])
os.makedirs(os.path.join(out, "Foto"), exist_ok=True)
base = os.path.join(out, "base.jpg")
if not os.path.exists(base):
    im = Image.effect_noise((1500, 1000), 40).convert("RGB").resize((6000, 4000), Image.BICUBIC)
    im.save(base, "JPEG", quality=92)
rows = [["Soubor", "Název", "Popis", "Klíčová slova", "ShutterStock status", "Originál", "Cesta"]]
for i in range(n):
    name = "IMG_%04d.jpg" % i
    p = os.path.join(out, "Foto", name)
    shutil.copyfile(base, p)
    rows.append([name, "Smrkový les v mlze, Šumava", "Ranní mlha nad smrkovým lesem u Kvildy.",
                 ", ".join("slovo%02d" % k for k in range(1, 40)), "připraveno", "ano", p])
with open(os.path.join(out, "PhotoMedia.csv"), "w", encoding="utf-8-sig", newline="") as f:
    csv.writer(f).writerows(rows)
PYEOF
	sync
}
printf 'media_csv = %s/lib/PhotoMedia.csv\nstate_dir = %s/state\nagencies = shutterstock\n' "$dir" "$dir" >"$dir/sb.conf"
secs()
{
	s0=$(date +%s.%N)
	"$@" >/dev/null 2>&1 || true
	s1=$(date +%s.%N)
	"$PY" -c 'import sys; t = float(sys.argv[2]) - float(sys.argv[1]); print("%.2f s, %.0f s per 1000" % (t, t * 1000 / int(sys.argv[3])))' "$s0" "$s1" "$n"
}
for run in 1 2 3; do
	make_lib
	echo "stockbatch embed --in-place, $n photos: $(secs "$bin" --config "$dir/sb.conf" embed --in-place)"
done
if command -v exiftool >/dev/null 2>&1; then
	for run in 1 2 3; do
		make_lib
		echo "exiftool -overwrite_original, $n photos: $(secs exiftool -q -overwrite_original -charset iptc=UTF8 \
			'-XMP-dc:Title=Smrkový les v mlze, Šumava' '-XMP-dc:Description=Ranní mlha nad smrkovým lesem u Kvildy.' \
			-XMP-dc:Subject=slovo01 '-IPTC:ObjectName=Smrkový les v mlze' -IPTC:Keywords=slovo01 "$dir"/lib/Foto/*.jpg)"
	done
fi
