# tests/tui_lib.sh: drive the real TUI in a private tmux server (source it
# after tests/lib.sh).  Polls the screen with deadlines, never fixed sleeps.
#
#   tui_start [ARGS]      -> runs "$STOCKBATCH_BIN --config $SB_CONF ARGS" in a
#                            100x30 tmux window; its exit status lands in
#                            $SB_TMP/tui.rc when it ends
#   tui_start_sh CMD      -> the same window running the shell command CMD
#   tui_keys KEY...       -> tmux send-keys (names: C-s, F10, Tab, Enter...)
#   tui_type TEXT         -> types TEXT literally (UTF-8)
#   tui_screen            -> prints the screen now
#   tui_save TEXT NEXT    -> types TEXT, saves it (Ctrl+S), waits for the
#                            photo NEXT ("File: NEXT")
#   tui_select_batch_of FILE -> in the batch view, moves down to the batch
#                            whose files pane lists FILE in the CSV
#   tui_wait TEXT [SECS]  -> waits until the screen shows TEXT (fixed string)
#   tui_wait_re REGEX [SECS] -> waits until a line of the screen matches REGEX
#                            (grep -E)
#   tui_wait_gone TEXT [SECS]
#   tui_wait_exit [SECS]  -> waits for the program to end; prints its status
#   tui_library N [KEY=VALUE...]
#                         -> the fake API, a library of N photos in $L
#                            ($SB_TMP/lib) and its config (sb_config's KEY=VALUEs)
#   tui_resize W H        -> resizes the window to W columns, H lines
#   tui_draft STATE_DIR   -> prints the kept draft's text (draft.json), exactly
#   tui_keybar ENTRIES NEED -> fails unless the key bar (the last line) is made
#                            of whole entries of ENTRIES ("F1 Help|F10 Quit|...")
#                            and holds every one of NEED (same form)
command -v tmux >/dev/null 2>&1 || skip_missing "tmux (apt-get install tmux)"

# A private server whose socket lives in the test's temp dir (distcheck).
sb_tmpdir
TMUX_TMPDIR=$SB_TMP
export TMUX_TMPDIR
unset TMUX
TUI_SOCK=sbtest$$
TUI_TM="tmux -L $TUI_SOCK -f /dev/null"

tui__cleanup()
{
	$TUI_TM kill-server >/dev/null 2>&1
	sb__cleanup
}
trap 'tui__cleanup' EXIT

tui_start()
{
	tui_start_sh "\"$STOCKBATCH_BIN\" --config \"$SB_CONF\" $* 2>\"$SB_TMP/tui.err\"; echo \$? >\"$SB_TMP/tui.rc\""
}

# tui_start_sh COMMAND: the window runs the shell command line COMMAND
# (which writes the exit status to $SB_TMP/tui.rc itself).
tui_start_sh()
{
	sb_tmpdir
	rm -f "$SB_TMP/tui.rc"
	# The window stays after the program ends so the last screen can be read.
	# A server killed just before may still be on its way out ("server
	# exited unexpectedly"): try again for a few seconds.
	n=0
	until $TUI_TM new-session -d -s sb -x 100 -y 30 "$1; sleep 600" 2>"$SB_TMP/tmux.err"; do
		n=$((n + 1))
		[ $n -lt 25 ] || fail "tmux new-session: $(cat "$SB_TMP/tmux.err")"
		$TUI_TM kill-server >/dev/null 2>&1
		sleep 0.2
	done
	$TUI_TM set-option -t sb -g remain-on-exit on >/dev/null 2>&1
}

# tui_pid: the program's pid: the child of the pane's shell
tui_pid()
{
	pane=$($TUI_TM display -p -t sb '#{pane_pid}')
	pid=$(pgrep -P "$pane" | head -n 1)
	[ -n "$pid" ] || fail "no program under the pane"
	echo "$pid"
}

tui_keys()
{
	$TUI_TM send-keys -t sb "$@" || fail "tmux send-keys $*"
}

tui_type()
{
	$TUI_TM send-keys -t sb -l "$1" || fail "tmux send-keys -l"
}

tui_save()
{
	tui_type "$1"
	tui_keys C-s
	tui_wait "File: $2"
}

tui__batch_of()
{
	for i in 1 2 3 4 5; do
		tui_screen | grep -q "in the CSV *$1" && return 0
		tui_keys Down
		sleep 0.3
	done
	tui_screen | grep -q "in the CSV *$1"
}

tui_select_batch_of()
{
	wait_for 20 tui__batch_of "$1" || { tui__dump; fail "no batch lists $1"; }
}

tui_screen()
{
	$TUI_TM capture-pane -p -t sb
}

tui__has()
{
	tui_screen | grep -F -q -- "$1"
}

tui__dump()
{
	echo "--- screen:" >&2
	tui_screen >&2
	if [ -s "$SB_TMP/tui.err" ]; then
		echo "--- stderr:" >&2
		grep -A 12 "ERROR: AddressSanitizer\|runtime error" "$SB_TMP/tui.err" | head -n 30 >&2
		tail -n 20 "$SB_TMP/tui.err" >&2
	fi
}

tui_wait()
{
	if ! wait_for "${2:-20}" tui__has "$1"; then
		tui__dump
		fail "the screen never showed '$1'"
	fi
}

tui__has_re()
{
	tui_screen | grep -E -q -- "$1"
}

# A check of something drawn with what was waited for goes through a wait
# too: a full redraw (start, resize, another view) can take more than one
# write, and a capture between two shows half a screen.
tui_wait_re()
{
	if ! wait_for "${2:-20}" tui__has_re "$1"; then
		tui__dump
		fail "the screen never showed /$1/"
	fi
}

tui__hasnt()
{
	! tui__has "$1"
}

tui_wait_gone()
{
	if ! wait_for "${2:-20}" tui__hasnt "$1"; then
		tui__dump
		fail "the screen still shows '$1'"
	fi
}

# the exit status read in the same step that finds it (a test then a cat
# once saw the file gone in between, under ASan and load)
tui__rc_read()
{
	TUI_RC=$(cat "$SB_TMP/tui.rc" 2>/dev/null) && [ -n "$TUI_RC" ]
}

tui_wait_exit()
{
	if ! wait_for "${1:-30}" tui__rc_read; then
		tui__dump
		fail "the program did not exit"
	fi
	echo "$TUI_RC"
}

tui_draft()
{
	"$PYTHON3" -c 'import json, sys
sys.stdout.buffer.write(json.load(open(sys.argv[1], encoding="utf-8"))["text"].encode("utf-8"))' "$1/draft.json" ||
		fail "no draft in $1"
}

tui__keybar_ok()
{
	tui_screen | grep -v '^$' | tail -n 1 >"$SB_TMP/keybar.txt"
	"$PYTHON3" - "$SB_TMP/keybar.txt" "$1" "$2" <<'PY'
import sys
bar = open(sys.argv[1], encoding="utf-8").read().strip()
entries, need = sys.argv[2].split("|"), sys.argv[3].split("|")
rest = bar
for e in sorted(entries, key=len, reverse=True):
    rest = rest.replace(e, "")
assert not rest.strip(), "not whole entries: %r (left: %r)" % (bar, rest.strip())
missing = [e for e in need if e not in bar]
assert not missing, "%r lacks %r" % (bar, missing)
PY
}

# (a resize is drawn a moment later: the bar gets that moment)
tui_keybar()
{
	wait_for 10 tui__keybar_ok "$1" "$2" && return 0
	tui__keybar_ok "$1" "$2"
	tui__dump
	fail "the key bar cuts or lacks entries"
}

tui_resize()
{
	$TUI_TM resize-window -t sb -x "$1" -y "$2" || fail "tmux resize-window $1x$2"
}

tui_library()
{
	sb_start_fake
	L=$SB_TMP/lib
	sb_make_library "$L" "$1"
	shift
	sb_config "$L" "$@"
}
