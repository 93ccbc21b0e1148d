# tests/lib.sh: shared helpers for the shell tests (source it, POSIX sh).
#
#   . "$top_srcdir/tests/lib.sh"
#
# Stable interface (other areas' tests use it; only add, never change):
#   sb_tmpdir              -> sets and exports SB_TMP, a fresh `mktemp -d` dir
#                             removed at exit (keep it: SB_KEEP=1)
#   sb_start_fake [ARGS]   -> starts "$PYTHON3 $top_srcdir/tests/fakeapi.py
#                             --port 0 ARGS" in the background, waits for its
#                             "PORT n" line, exports SB_FAKE_PORT, SB_FAKE_URL
#                             (http://127.0.0.1:n, no trailing slash) and
#                             SB_FAKE_PID; killed at exit.  Its stdout/stderr
#                             are in $SB_TMP/fake.out / fake.err.
#   sb_stop_fake           -> stops it now (SIGTERM, then waits)
#   sb_fake_stats          -> prints GET $SB_FAKE_URL/__stats (JSON) on stdout
#   sb_fake_fault SPEC     -> POST /__fault with body SPEC (JSON) at run time
#   sb_make_library DIR [N] [editorial] [winpaths]
#                          -> a small photo library in DIR (created): N JPEGs
#                             (default 6; every third with EXIF orientation 6)
#                             under DIR/Foto/JPG/Příroda/2024/IMG_000i.jpg, the
#                             _bw edit of the first under "DIR/Upravené foto/...",
#                             a video row (file exists), a missing-file row, an
#                             already prepared row, and DIR/PhotoMedia.csv in the
#                             canonical 48-column layout (UTF-8 BOM, CRLF).
#                             "editorial": adds an `Editorial` column (49th),
#                             `ano` on the second photo.  "winpaths": Cesta
#                             values are Windows paths (J:\Foto\...) and
#                             sb_config maps J:\ to DIR/.
#                             DIR/.sb_manifest lists "kind<TAB>Cesta" per row
#                             (kind: photo, alt, video, missing, prepared).
#   sb_config DIR [KEY=VALUE...]
#                          -> writes DIR/stockbatch.conf pointing at the fake
#                             (openai_base_url $SB_FAKE_URL/v1, gemini_base_url
#                             $SB_FAKE_URL), the library's CSV, state dir
#                             DIR/.stockbatch, tiny poll interval, plus the
#                             extra KEY=VALUE lines; exports SB_CONF, and
#                             OPENAI_API_KEY=sk-test-fake GEMINI_API_KEY=gm-test-fake
#   sb_run ARGS...         -> runs "$STOCKBATCH_BIN --config $SB_CONF ARGS";
#                             stdout in $SB_OUT, stderr in $SB_ERR (files),
#                             exit status in $SB_RC; returns 0 (but fails the
#                             test on a sanitizer report when SANITIZED is set)
#   sb_hold_lock STATE_DIR -> another instance: a process holding the fcntl
#                             lock on STATE_DIR/lock (created) with its pid in
#                             it, as stockbatch does; exports SB_LOCK_PID (kill it)
#   sb_descriptions FILE N -> writes an import TSV to FILE: a description of
#                             photos 1..N of sb_make_library's library (each
#                             its own text, long enough)
#   fail MSG               -> prints "FAIL: MSG" (+ last output) and exits 1
#   skip MSG               -> prints "SKIP: MSG" and exits 77
#   skip_missing WHAT      -> the same for a test-only dependency that is not
#                             installed: "SKIP: missing dependency: WHAT"
#                             (.ci/test fails on those: CI installs them all)
#   check_eq GOT WANT MSG  -> fail unless GOT = WANT
#   check_rc WANT MSG      -> fail unless $SB_RC = WANT
#   check_grep PATTERN FILE MSG / check_nogrep PATTERN FILE MSG
#                          -> fail unless grep -E finds (does not find) PATTERN
#   wait_for SECONDS CMD...-> runs CMD every 0.1 s until it succeeds; 1 on timeout
#                             (SB_WAIT_LOG=FILE: how long each wait took, there)
#   sb_json FILE EXPR      -> prints a value from a JSON file: EXPR is Python
#                             applied to `d` (e.g. 'd["batches"][0]["state"]')
#
# Sourcing it sets traps: EXIT cleans up (fake API, $SB_TMP); INT/TERM exit.
# A test that needs its own EXIT trap calls sb__cleanup from it.
#
# Environment from the test harness (tests/local.am): top_srcdir, top_builddir,
# STOCKBATCH_DATADIR, PYTHON3, STOCKBATCH_BIN, LC_ALL; SANITIZED in the ASan pass.

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PYTHON3:=python3}"
: "${STOCKBATCH_BIN:=$top_builddir/stockbatch}"
: "${STOCKBATCH_DATADIR:=$top_srcdir/data}"
export top_srcdir top_builddir PYTHON3 STOCKBATCH_BIN STOCKBATCH_DATADIR
# The tests must not read the user's own config or keys.
XDG_CONFIG_HOME=/nonexistent-sb-test-config
NO_COLOR=1
export XDG_CONFIG_HOME NO_COLOR
unset OPENAI_API_KEY GEMINI_API_KEY

SB_TMP=
SB_FAKE_PID=
SB_OUT=
SB_ERR=
SB_RC=0

sb__cleanup()
{
	sb_stop_fake
	if [ -n "$SB_TMP" ] && [ -z "$SB_KEEP" ]; then
		chmod -R u+w "$SB_TMP" 2>/dev/null
		rm -rf "$SB_TMP"
	fi
}
trap 'sb__cleanup' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail()
{
	echo "FAIL: $*" >&2
	if [ -n "$SB_OUT" ] && [ -s "$SB_OUT" ]; then
		echo "--- stdout of the last run:" >&2
		tail -n 30 "$SB_OUT" >&2
	fi
	if [ -n "$SB_ERR" ] && [ -s "$SB_ERR" ]; then
		echo "--- stderr of the last run:" >&2
		tail -n 30 "$SB_ERR" >&2
	fi
	exit 1
}

skip()
{
	echo "SKIP: $*" >&2
	exit 77
}

skip_missing()
{
	skip "missing dependency: $*"
}

sb__need_python()
{
	command -v "$PYTHON3" >/dev/null 2>&1 || skip_missing "python3 (apt-get install python3)"
}

check_eq()
{
	[ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"
}

check_rc()
{
	[ "$SB_RC" = "$1" ] || fail "$2: exit status $SB_RC, want $1"
}

check_grep()
{
	grep -E -q -- "$1" "$2" || fail "$3: /$1/ not found in $(basename "$2")"
}

check_nogrep()
{
	if grep -E -q -- "$1" "$2"; then
		fail "$3: /$1/ found in $(basename "$2")"
	fi
}

wait_for()
{
	sb__n=$(( $1 * 10 ))
	sb__limit=$1
	shift
	[ -z "${SB_WAIT_LOG:-}" ] || sb__t0=$(date +%s.%N)
	while [ "$sb__n" -gt 0 ]; do
		if "$@" >/dev/null 2>&1; then
			[ -z "${SB_WAIT_LOG:-}" ] || sb__wait_log ok "$@"
			return 0
		fi
		sleep 0.1
		sb__n=$((sb__n - 1))
	done
	[ -z "${SB_WAIT_LOG:-}" ] || sb__wait_log TIMEOUT "$@"
	return 1
}

# SB_WAIT_LOG=FILE: each wait_for appends "SECONDS-TAKEN LIMIT ok|TIMEOUT
# TEST: WHAT" (tests/FLAKES.md: how close to its limit a wait came)
sb__wait_log()
{
	sb__r=$1
	shift
	LC_ALL=C awk -v a="$sb__t0" -v b="$(date +%s.%N)" -v l="$sb__limit" -v r="$sb__r" -v t="${0##*/}" -v w="$*" \
		'BEGIN { printf "%.1f %s %s %s: %s\n", b - a, l, r, t, substr(w, 1, 120) }' >>"$SB_WAIT_LOG"
}

sb_tmpdir()
{
	if [ -z "$SB_TMP" ]; then
		SB_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sbtest.XXXXXX") || fail "mktemp -d"
		export SB_TMP
	fi
}

sb_start_fake()
{
	sb_tmpdir
	sb__need_python
	[ -f "$top_srcdir/tests/fakeapi.py" ] || skip "tests/fakeapi.py is missing"
	# The fake dies with the test: on a signal, exit so the EXIT trap stops it.
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
	: >"$SB_TMP/fake.out"
	"$PYTHON3" "$top_srcdir/tests/fakeapi.py" --port 0 "$@" \
		>"$SB_TMP/fake.out" 2>"$SB_TMP/fake.err" &
	SB_FAKE_PID=$!
	export SB_FAKE_PID
	sb__n=300
	SB_FAKE_PORT=
	while [ "$sb__n" -gt 0 ]; do
		SB_FAKE_PORT=$(sed -n 's/^PORT \([0-9][0-9]*\).*/\1/p' "$SB_TMP/fake.out" | head -n 1)
		[ -n "$SB_FAKE_PORT" ] && break
		kill -0 "$SB_FAKE_PID" 2>/dev/null || break
		sleep 0.1
		sb__n=$((sb__n - 1))
	done
	if [ -z "$SB_FAKE_PORT" ]; then
		cat "$SB_TMP/fake.err" >&2
		SB_FAKE_PID=
		fail "the fake API did not start (no PORT line)"
	fi
	SB_FAKE_URL="http://127.0.0.1:$SB_FAKE_PORT"
	[ -n "${SB_FAKE_CA:-}" ] && SB_FAKE_URL="https://127.0.0.1:$SB_FAKE_PORT"
	export SB_FAKE_PORT SB_FAKE_URL
}

# The fake over HTTPS with a self-signed certificate made here by openssl
# ($SB_FAKE_CA: the certificate, for ca_file); arguments as sb_start_fake.
sb_start_fake_tls()
{
	sb_tmpdir
	command -v openssl >/dev/null 2>&1 || skip_missing "openssl is missing (apt-get install openssl)"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 -keyout "$SB_TMP/fake-key.pem" \
		-out "$SB_TMP/fake-cert.pem" >"$SB_TMP/openssl.err" 2>&1 ||
		{ cat "$SB_TMP/openssl.err" >&2; fail "openssl could not make a certificate"; }
	SB_FAKE_CA=$SB_TMP/fake-cert.pem
	export SB_FAKE_CA
	sb_start_fake --tls-cert "$SB_FAKE_CA" --tls-key "$SB_TMP/fake-key.pem" "$@"
}

sb_stop_fake()
{
	if [ -n "$SB_FAKE_PID" ]; then
		kill "$SB_FAKE_PID" 2>/dev/null
		wait "$SB_FAKE_PID" 2>/dev/null
		SB_FAKE_PID=
	fi
}

sb_fake_stats()
{
	"$PYTHON3" -c 'import ssl, sys, urllib.request
ctx = ssl.create_default_context(cafile=sys.argv[2]) if sys.argv[2] else None
print(urllib.request.urlopen(sys.argv[1] + "/__stats", timeout=10, context=ctx).read().decode())' \
		"$SB_FAKE_URL" "${SB_FAKE_CA:-}"
}

sb_fake_fault()
{
	"$PYTHON3" -c 'import ssl, sys, urllib.request
r = urllib.request.Request(sys.argv[1] + "/__fault", data=sys.argv[2].encode(),
    headers={"Content-Type": "application/json"}, method="POST")
ctx = ssl.create_default_context(cafile=sys.argv[3]) if sys.argv[3] else None
print(urllib.request.urlopen(r, timeout=10, context=ctx).read().decode())' "$SB_FAKE_URL" "$1" "${SB_FAKE_CA:-}"
}

sb_json()
{
	"$PYTHON3" -c 'import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
v = eval(sys.argv[2])
print(json.dumps(v) if isinstance(v, (dict, list)) else v)' "$1" "$2"
}

sb_make_library()
{
	sb__need_python
	sb__dir=$1
	sb__n=${2:-6}
	shift
	[ $# -gt 0 ] && shift
	sb__ed=0
	sb__win=0
	for sb__a in "$@"; do
		case $sb__a in
		editorial) sb__ed=1 ;;
		winpaths) sb__win=1 ;;
		esac
	done
	mkdir -p "$sb__dir" || fail "mkdir $sb__dir"
	sb__dir=$(cd "$sb__dir" && pwd)
	"$PYTHON3" - "$sb__dir" "$sb__n" "$sb__ed" "$sb__win" <<'EOF'
import csv, os, random, sys
try:
    from PIL import Image
except ImportError:
    sys.exit(3)
out, n, editorial, win = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4] == "1"
BANKS = ["ShutterStock", "BigStockPhoto", "AdobeStock", "DepositPhotos", "123RF", "Alamy",
         "GettyImages", "ColourBox", "Dreamstime", "CanStockPhoto", "Pond5", "Pixta", "Freepik",
         "Vecteezy", "StoryBlocks", "Envato", "500px", "MostPhotos"]
HEADER = (["Soubor", "Název", "Popis", "Datum přípravy", "Šířka", "Výška", "Rozlišení",
           "Klíčová slova", "Kategorie", "Datum vytvoření"]
          + [b + " status" for b in BANKS] + [b + " kategorie" for b in BANKS] + ["Originál", "Cesta"])
if editorial:
    HEADER.append("Editorial")
ON = ("ShutterStock", "AdobeStock", "Dreamstime", "Alamy")
rnd = random.Random(42)

def cesta(rel):
    if win:
        return "J:\\" + "\\".join(rel)
    return os.path.join(out, *rel)

def row(name, title, desc, prep, w, h, kw, cat, created, status, cats, orig, rel, ed="ne"):
    r = [name, title, desc, prep, str(w), str(h), "%.1f" % (w * h / 1e6), kw, cat, created]
    r += [status if b in ON else "nedostupné" for b in BANKS]
    r += [cats if b == "ShutterStock" else "" for b in BANKS]
    r += [orig, cesta(rel)]
    if editorial:
        r.append(ed)
    return r

rows, manifest = [], []
rel = ["Foto", "JPG", "Architektura", "2024", "IMG_0050.jpg"]
rows.append(row("IMG_0050.jpg", "Old town square at dusk",
                "Historic houses around the old town square in the evening light.", "01.03.2024",
                640, 427, "square, old town, dusk, houses, historic", "Architektura",
                "28.02.2024 18:00:00", "připraveno", "Buildings/Landmarks", "ano", rel))
manifest.append(("prepared", cesta(rel)))
for i in range(1, n + 1):
    name = "IMG_%04d.jpg" % i
    rel = ["Foto", "JPG", "Příroda", "2024", name]
    path = os.path.join(out, *rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    w, h = 96, 64
    im = Image.new("RGB", (w, h), (rnd.randint(0, 255), rnd.randint(0, 255), rnd.randint(0, 255)))
    for _ in range(40):
        x, y = rnd.randint(0, w - 8), rnd.randint(0, h - 8)
        im.paste((rnd.randint(0, 255), rnd.randint(0, 255), rnd.randint(0, 255)), (x, y, x + 8, y + 8))
    exif = Image.Exif()
    rotated = i % 3 == 0
    exif[0x0112] = 6 if rotated else 1
    exif[0x0132] = "2024:05:%02d 10:%02d:00" % (1 + i % 28, i % 60)
    stored = im.transpose(Image.Transpose.ROTATE_90) if rotated else im
    stored.save(path, "JPEG", quality=85, exif=exif.tobytes())
    rows.append(row(name, "", "", "", w, h, "", "Příroda", "%02d.05.2024 10:%02d:00" % (1 + i % 28, i % 60),
                    "nezpracováno", "", "ano", rel, "ano" if i == 2 else "ne"))
    manifest.append(("photo", cesta(rel)))
    if i == 1:
        erel = ["Upravené foto", "JPG", "Příroda", "2024", "IMG_0001_bw.jpg"]
        epath = os.path.join(out, *erel)
        os.makedirs(os.path.dirname(epath), exist_ok=True)
        im.convert("L").convert("RGB").save(epath, "JPEG", quality=85)
        manifest.append(("alt", cesta(erel)))
vrel = ["Video", "MP4", "Příroda", "2024", "VID_0001.mp4"]
vpath = os.path.join(out, *vrel)
os.makedirs(os.path.dirname(vpath), exist_ok=True)
with open(vpath, "wb") as f:
    f.write(b"\x00\x00\x00\x18ftypmp42" + bytes(64))
rows.append(row("VID_0001.mp4", "", "", "", 1920, 1080, "", "Příroda", "22.09.2024 10:00:00",
                "nezpracováno", "", "ano", vrel))
manifest.append(("video", cesta(vrel)))
mrel = ["Foto", "JPG", "Příroda", "2024", "IMG_9999.jpg"]
rows.append(row("IMG_9999.jpg", "", "", "", 6000, 4000, "", "Příroda", "01.01.2024 12:00:00",
                "nezpracováno", "", "ano", mrel))
manifest.append(("missing", cesta(mrel)))
with open(os.path.join(out, "PhotoMedia.csv"), "w", encoding="utf-8-sig", newline="") as f:
    wr = csv.writer(f)
    wr.writerow(HEADER)
    wr.writerows(rows)
with open(os.path.join(out, ".sb_manifest"), "w", encoding="utf-8") as f:
    for kind, c in manifest:
        f.write("%s\t%s\n" % (kind, c))
EOF
	sb__rc=$?
	[ "$sb__rc" = 3 ] && skip_missing "python3 has no PIL (apt-get install python3-pil)"
	[ "$sb__rc" = 0 ] || fail "sb_make_library: the generator failed"
	SB_LIB_WINPATHS=$sb__win
	SB_LIB_DIR=$sb__dir
	export SB_LIB_WINPATHS SB_LIB_DIR
}

# The import TSV lines of photos FIRST..LAST (IMG_0001.jpg ...) in DIR, each
# with a description.
sb_desc_tsv()
{
	sb__i=$2
	while [ "$sb__i" -le "$3" ]; do
		printf '%s\tFotka číslo %s: smrkový les v ranní mlze na úbočí kopce, světlo mezi kmeny.\n' \
			"$1/$(printf 'IMG_%04d.jpg' "$sb__i")" "$sb__i"
		sb__i=$((sb__i + 1))
	done
}

# Give the photos of a library made by sb_make_library camera sizes, in
# turn 6000x4000, 4000x3000, 3000x4000 (upright), 1200x800, 800x600 and
# 300x200 (plain colours with a few shapes: quick to write, and the JPEG
# header is all the estimate and the fake's usage read).
sb_photo_sizes()
{
	"$PYTHON3" - "$1" <<'PY' || fail "sb_photo_sizes: cannot rewrite the photos"
import glob, os, random, sys
from PIL import Image, ImageDraw
sizes = [(6000, 4000), (4000, 3000), (3000, 4000), (1200, 800), (800, 600), (300, 200)]
paths = sorted(p for p in glob.glob(os.path.join(sys.argv[1], "**", "IMG_*.jpg"), recursive=True)
               if "_" not in os.path.basename(p)[4:])
for i, p in enumerate(paths):
    w, h = sizes[i % len(sizes)]
    rnd = random.Random(i)
    im = Image.new("RGB", (w, h), (rnd.randint(0, 255), rnd.randint(0, 255), rnd.randint(0, 255)))
    d = ImageDraw.Draw(im)
    for _ in range(8):
        x, y = rnd.randint(0, w - 1), rnd.randint(0, h - 1)
        d.ellipse((x, y, x + w // 5, y + h // 5), fill=(rnd.randint(0, 255), rnd.randint(0, 255), rnd.randint(0, 255)))
    im.save(p, "JPEG", quality=80)
PY
}

# sb_make_series DIR N: after sb_make_library, photos 1..N of DIR become one
# series (one scene, each frame shifted a pixel or two and re-exposed,
# taken 10 s apart by Datum vytvoření); the other photos stay as they were.
sb_make_series()
{
	"$PYTHON3" - "$1" "$2" <<'EOF'
import csv, os, random, sys
from PIL import Image, ImageDraw
out, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(7)
scene = Image.new("RGB", (110, 78), (70, 130, 200))
d = ImageDraw.Draw(scene)
d.rectangle([0, 50, 110, 78], fill=(60, 140, 50))
d.ellipse([35, 22, 75, 58], fill=(200, 60, 30))
d.rectangle([80, 10, 100, 40], fill=(240, 220, 60))
path = os.path.join(out, "PhotoMedia.csv")
with open(path, encoding="utf-8-sig", newline="") as f:
    rows = list(csv.reader(f))
head = rows[0]
ci, di = head.index("Cesta"), head.index("Datum vytvoření")
for r in rows[1:]:
    for i in range(1, n + 1):
        if r[0] == "IMG_%04d.jpg" % i:
            dx, dy = rnd.randint(0, 6), rnd.randint(0, 6)
            gain = 0.85 + 0.05 * (i % 5)
            im = scene.crop((dx, dy, dx + 96, dy + 64)).point(lambda v: min(255, int(v * gain)))
            c = r[ci]
            local = os.path.join(out, *c[3:].split("\\")) if c.startswith("J:") else c
            im.save(local, "JPEG", quality=90)
            r[di] = "01.05.2024 10:%02d:%02d" % (10 * i // 60, 10 * i % 60)
with open(path, "w", encoding="utf-8-sig", newline="") as f:
    csv.writer(f).writerows(rows)
EOF
	[ $? = 0 ] || fail "sb_make_series: the generator failed"
}

# sb_csv_set CSV FILE COLUMN VALUE: the cell COLUMN of the row of photo
# FILE (Soubor) in the media CSV becomes VALUE (the rest byte for byte as
# Python's csv writes it).
sb_csv_set()
{
	"$PYTHON3" - "$@" <<'EOF' || fail "sb_csv_set $*: could not edit the CSV"
import csv, sys
path, name, col, value = sys.argv[1:5]
with open(path, encoding="utf-8-sig", newline="") as f:
    rows = list(csv.reader(f))
i = rows[0].index(col)
for r in rows[1:]:
    if r[0] == name:
        r[i] = value
with open(path, "w", encoding="utf-8-sig", newline="") as f:
    csv.writer(f).writerows(rows)
EOF
}

sb_config()
{
	sb__dir=$1
	shift
	mkdir -p "$sb__dir" || fail "mkdir $sb__dir"
	sb__dir=$(cd "$sb__dir" && pwd)
	SB_CONF=$sb__dir/stockbatch.conf
	{
		echo "# written by tests/lib.sh sb_config"
		echo "provider = openai"
		if [ -n "$SB_FAKE_URL" ]; then
			echo "openai_base_url = $SB_FAKE_URL/v1"
			echo "gemini_base_url = $SB_FAKE_URL"
		else
			# No fake: a closed port, so nothing can reach the real services.
			echo "openai_base_url = http://127.0.0.1:9/v1"
			echo "gemini_base_url = http://127.0.0.1:9"
		fi
		echo "media_csv = $sb__dir/PhotoMedia.csv"
		echo "state_dir = $sb__dir/.stockbatch"
		echo "poll_interval = 1"
		if [ "$SB_LIB_WINPATHS" = 1 ] && [ "$SB_LIB_DIR" = "$sb__dir" ]; then
			echo "path_map = J:\\ => $sb__dir/"
		fi
		for sb__kv in "$@"; do
			echo "${sb__kv%%=*} = ${sb__kv#*=}"
		done
	} >"$SB_CONF" || fail "cannot write $SB_CONF"
	OPENAI_API_KEY=sk-test-fake
	GEMINI_API_KEY=gm-test-fake
	export SB_CONF OPENAI_API_KEY GEMINI_API_KEY
}

sb_hold_lock()
{
	sb_tmpdir
	sb__need_python
	mkdir -p "$1" || fail "mkdir $1"
	rm -f "$SB_TMP/lock.ready"
	"$PYTHON3" -c 'import fcntl, os, sys, time
f = open(sys.argv[1], "a+")
fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
f.truncate(0); f.write("%d\n" % os.getpid()); f.flush()
open(sys.argv[2], "w").write("locked\n")
time.sleep(60)' "$1/lock" "$SB_TMP/lock.ready" &
	SB_LOCK_PID=$!
	export SB_LOCK_PID
	wait_for 20 test -s "$SB_TMP/lock.ready" || { kill "$SB_LOCK_PID"; fail "the lock holder did not start"; }
}

sb_run()
{
	sb_tmpdir
	SB_OUT=$SB_TMP/run.out
	SB_ERR=$SB_TMP/run.err
	# SB_VALGRIND=1: run under $VALGRIND (the CI's valgrind pass)
	vg=
	[ -n "${SB_VALGRIND:-}" ] && vg=${VALGRIND:-valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite}
	if [ -n "$SB_CONF" ]; then
		$vg "$STOCKBATCH_BIN" --config "$SB_CONF" "$@" >"$SB_OUT" 2>"$SB_ERR" </dev/null
	else
		$vg "$STOCKBATCH_BIN" "$@" >"$SB_OUT" 2>"$SB_ERR" </dev/null
	fi
	SB_RC=$?
	if [ -n "$vg" ] && grep -qE '^==[0-9]+== .*(Invalid|uninitialised|definitely lost|Mismatched|overlap)' "$SB_ERR"; then
		fail "valgrind report from: stockbatch $*"
	fi
	# The sanitizer pass: a report on stderr fails the test even when the
	# exit status is what the test expects.
	if [ -n "$SANITIZED" ] &&
		grep -qE 'runtime error:|ERROR: (Address|Leak|Undefined)Sanitizer' "$SB_ERR"; then
		fail "sanitizer report from: stockbatch $*"
	fi
	return 0
}

# sb_kill_after MS ARGS...: stockbatch ARGS (with $SB_CONF) in the
# background, killed with SIGKILL after MS milliseconds unless it ended
# first; its output in $SB_TMP/k.out and k.err, its exit status in
# $SB_KILL_RC (137: killed).
sb_kill_after()
{
	sb__kd=$1
	shift
	"$STOCKBATCH_BIN" --config "$SB_CONF" "$@" >"$SB_TMP/k.out" 2>"$SB_TMP/k.err" </dev/null &
	sb__kpid=$!
	(
		sleep "$(awk -v d="$sb__kd" 'BEGIN { printf "%.3f", d / 1000 }')"
		kill -9 "$sb__kpid" 2>/dev/null
	) &
	sb__killer=$!
	wait "$sb__kpid" 2>/dev/null
	SB_KILL_RC=$?
	kill "$sb__killer" 2>/dev/null
	wait "$sb__killer" 2>/dev/null
	return 0
}

# sb_rows_csv CSV: a PhotoMedia.csv with the sample library's columns and the
# rows that Python on stdin puts in `rows`, each made by
# row(name, title, desc, kw, ss=, adobe=, ds=, status=): every agency's status
# "připraveno" (or status), the other status columns "nedostupné", the
# categories ss, adobe, ds (default: good ones); KW holds 7 good keywords.
sb_rows_csv()
{
	sb__need_python
	"$PYTHON3" -c 'import csv, sys
src, out = sys.argv[1], sys.argv[2]
header = next(csv.reader(open(src, encoding="utf-8-sig", newline="")))
KW = "forest, trees, nature, green, summer, path, moss"
def row(name, title, desc, kw, ss="Nature", adobe="11", ds="Nature -> Forests", status="připraveno"):
    r = dict.fromkeys(header, "")
    r.update({"Soubor": name, "Název": title, "Popis": desc, "Klíčová slova": kw, "Originál": "ano",
              "Cesta": "/photos/" + name})
    for h in header:
        if h.endswith(" status"):
            r[h] = "nedostupné"
    for b in ("ShutterStock", "AdobeStock", "Dreamstime"):
        r[b + " status"] = status
    r["ShutterStock kategorie"], r["AdobeStock kategorie"], r["Dreamstime kategorie"] = ss, adobe, ds
    return [r[h] for h in header]
exec(sys.stdin.read())
with open(out, "w", encoding="utf-8-sig", newline="") as f:
    w = csv.writer(f, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)' "$top_srcdir/data/sample/PhotoMedia.csv" "$1" || fail "cannot write $1"
}

sb_descriptions()
{
	sb__i=1
	while [ "$sb__i" -le "$2" ]; do
		printf '%s/Foto/JPG/Příroda/2024/IMG_%04d.jpg\tSmrkový les v ranní mlze na úbočí kopce, světlo prosvítá mezi kmeny %d.\n' \
			"$SB_LIB_DIR" "$sb__i" "$sb__i"
		sb__i=$((sb__i + 1))
	done >"$1"
}
