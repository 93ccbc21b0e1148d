#!/bin/sh
# tui_locale.sh: any locale, any terminal.  The full-screen program under
# six locales (unset, C, POSIX, C.UTF-8, cs_CZ.UTF-8 and the non-UTF-8
# cs_CZ.ISO-8859-2) times eight TERMs (and once xterm-r5, whose entry has
# no line drawing): a Czech description with every diacritic and an emoji
# is typed, saved and found byte for byte in the state; the borders are
# lines (ASCII on xterm-r5), not runs of q and x; colours stay within
# what the terminfo entry has (none with NO_COLOR or on a VT100); the
# preview uses only characters the terminal has (ASCII on a VT100, the
# console font's blocks on linux).  A non-UTF-8 locale is switched to UTF-8
# and the activity log says so; the CLI works under every locale.
# One tmux server, one pane respawned per cell.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"

# The Czech messages, from po/cs.po (as tests/tui_czech.sh does).
LOC=$SB_TMP/locale
mkdir -p "$LOC/cs/LC_MESSAGES"
if command -v msgfmt >/dev/null 2>&1; then
	msgfmt -o "$LOC/cs/LC_MESSAGES/stockbatch.mo" "$top_srcdir/po/cs.po" || fail "msgfmt po/cs.po"
fi
STOCKBATCH_LOCALEDIR=$LOC
export STOCKBATCH_LOCALEDIR

sb_start_fake
L=$SB_TMP/lib
sb_make_library "$L" 50
sb_config "$L" batch_size=200 min_description=50
STATE=$L/.stockbatch

TEXT="Žluťoučký kůň úpěl ďábelské ódy 🌲 áčďéěíňóřšťúůýž ÁČĎÉĚÍŇÓŘŠŤÚŮÝŽ"

have_locale()
{
	case $1 in
	unset | C | POSIX) return 0 ;;
	esac
	want=$(echo "$1" | sed 's/\.\(.*\)/.\L\1/; s/-//g')
	locale -a 2>/dev/null | grep -qix -- "$(echo "$want" | sed 's/\./\\./')"
}

# The environment of a cell: only the locale variables of the cell.
# $3: -u NO_COLOR, or NO_COLOR=1
cell_env()
{
	e="env -u LC_ALL -u LC_CTYPE -u LC_MESSAGES -u LANGUAGE -u LANG ${3:-}"
	[ "$1" = unset ] || e="$e LANG=$1"
	echo "$e TERM=$2"
}

skipped=0
cells=0
n=0
$TUI_TM new-session -d -s sb -x 120 -y 34 "sleep 600" || fail "tmux new-session"
$TUI_TM set-option -t sb -g remain-on-exit on >/dev/null 2>&1
for loc in unset C POSIX C.UTF-8 cs_CZ.UTF-8 cs_CZ.ISO-8859-2; do
	if ! have_locale "$loc"; then
		echo "SKIP cells of LANG=$loc: missing dependency: the locale $loc (bash .ci/deps generates it)" >&2
		skipped=$((skipped + 1))
		continue
	fi
	# the CLI keeps working under this locale
	$(cell_env "$loc" dumb) "$STOCKBATCH_BIN" --config "$SB_CONF" status \
		>"$SB_TMP/cli.out" 2>"$SB_TMP/cli.err" ||
		fail "status under LANG=$loc: $(cat "$SB_TMP/cli.err")"
	terms="linux vt100 screen screen-256color tmux-256color xterm xterm-256color xterm-kitty"
	# and once a terminal whose entry has no line drawing: ASCII lines
	[ "$loc" = C.UTF-8 ] && terms="$terms xterm-r5"
	for t in $terms; do
		if ! infocmp "$t" >/dev/null 2>&1; then
			echo "SKIP cell TERM=$t: missing dependency: its terminfo entry (apt-get install ncurses-term kitty-terminfo)" >&2
			skipped=$((skipped + 1))
			continue
		fi
		n=$((n + 1))
		cells=$((cells + 1))
		# NO_COLOR in one locale's row; the others use what the terminal has
		nc=
		[ "$loc" = POSIX ] && nc="NO_COLOR=1"
		[ -n "$nc" ] || nc="-u NO_COLOR"
		rm -f "$SB_TMP/tui.rc"
		$TUI_TM respawn-pane -k -t sb \
			"$(cell_env "$loc" "$t" "$nc") \"$STOCKBATCH_BIN\" --config \"$SB_CONF\" 2>\"$SB_TMP/tui.err\"; echo \$? >\"$SB_TMP/tui.rc\"; sleep 600" ||
			fail "tmux respawn-pane"
		tui_wait " 96x64" 30
		case $loc in
		unset | C | POSIX) tui_wait "UTF-8 (C.UTF-8)" ;;
		cs_CZ.ISO-8859-2) tui_wait "UTF-8 (cs_CZ.UTF-8)" ;;
		esac
		tui_type "$TEXT ($n)"
		tui_keys C-s
		case $loc in
		cs_CZ*) tui_wait "Uloženo: IMG_" ;;
		*) tui_wait "Saved IMG_" ;;
		esac
		$TUI_TM capture-pane -p -e -t sb >"$SB_TMP/screen.txt"
		"$PYTHON3" - "$SB_TMP/screen.txt" "$STATE" "$TEXT ($n)" "$loc" "$t" <<'PY' || { tui__dump; fail "cell LANG=$loc TERM=$t"; }
import glob, json, re, sys, unicodedata
screen_file, state, want, loc, term = sys.argv[1:6]
raw = open(screen_file, encoding="utf-8").read()
# The colours used (SGR of tmux's capture): within the terminfo entry's.
sgr = [p for m in re.findall(r"\x1b\[([0-9;]*)m", raw) for p in [m]]
codes = []
for s in sgr:
    parts = s.split(";")
    i = 0
    while i < len(parts):
        p = parts[i]
        if p in ("38", "48") and i + 2 < len(parts) and parts[i + 1] == "5":
            codes.append(("256", int(parts[i + 2])))
            i += 3
            continue
        if p.isdigit():
            v = int(p)
            if 30 <= v <= 37 or 40 <= v <= 47:
                codes.append(("8", v))
            elif 90 <= v <= 97 or 100 <= v <= 107:
                codes.append(("16", v))
        i += 1
ascii = term in ("vt100", "xterm-r5")
mono = loc == "POSIX" or ascii
eight = term in ("linux", "screen", "xterm")
if mono:
    assert not codes, "colours on a terminal without them (NO_COLOR or vt100): %r" % codes[:5]
elif eight:
    bad = [c for c in codes if c[0] != "8"]
    assert not bad, "more than 8 colours on %s: %r" % (term, bad[:5])
text = re.sub(r"\x1b\[[0-9;]*m", "", raw)
rows = text.split("\n")
def cells(line):
    out = []
    for ch in line:
        out.append(ch)
        if unicodedata.east_asian_width(ch) in "WF":
            out.append("")
    return out
grid = [cells(r) for r in rows]
# borders: no runs of q, no column of x; the separator is a line
for r in rows:
    assert "qqq" not in r, "a border drawn as q: %r" % r
hdr = [r for r in rows if " Description " in r or " Popis " in r]
assert hdr and re.search(r"[─\-]{3}", hdr[0]), "no line under the description header: %r" % hdr
sep = 120 * 55 // 100
col = [g[sep] if len(g) > sep else " " for g in grid[1:31]]
assert all(c in "│|" for c in col), "the pane separator is %r" % "".join(col)
if term == "xterm-r5":
    assert "---" in hdr[0] and set(col) == {"|"}, "no ASCII lines without line drawing: %r" % hdr[0]
# the preview: characters the terminal has
allowed = None
if ascii:
    allowed = lambda c: c == "" or ord(c) < 0x7f
elif term == "linux":
    allowed = lambda c: c == "" or ord(c) < 0x7f or c in "▀▄█▌▐░▒▓"
pv = [c for g in grid[1:20] for c in g[:36]]
assert any(c not in ("", " ") for c in pv), "the preview is blank"
if allowed:
    bad = sorted({c for c in pv if not allowed(c)})
    assert not bad, "preview characters %s cannot show: %r" % (term, bad)
# the stored description, byte for byte
b = want.encode("utf-8")
found = False
for f in glob.glob(state + "/batches/*/files.jsonl"):
    data = open(f, "rb").read()
    for line in data.split(b"\n"):
        if b in line and json.loads(line).get("description", "").encode("utf-8") == b:
            found = True
assert found, "the saved description is not stored byte for byte"
PY
		# Ctrl+Q: tmux sends its own terminal's F10, not every TERM's
		tui_keys C-q
		rc=$(tui_wait_exit 30)
		check_eq "$rc" 0 "exit status of Ctrl+Q (LANG=$loc TERM=$t)"
	done
done
[ "$cells" -gt 0 ] || skip "no cell of the matrix could run"
echo "$cells cells passed, $skipped skipped"
exit 0
