#!/bin/sh
# run_frames.sh [STOCKBATCH]: how many write(2) calls carry a frame of the
# TUI to the terminal.  The TUI runs under strace in a tmux window at
# 80x24 (the symbol preview, 256 colours) against the fake API; each step
# waits until the program has written nothing for 1 s, then counts the
# writes to the terminal (fd 1) and their bytes:
#   start      the first screen, the photo and its preview drawn
#   Ctrl+L     a full redraw of the same screen
#   a key      one letter typed into the description
#   resize     the window made 200x60 (a full redraw, bigger)
#   Tab        the batch view instead of the editor (80x24 again)
# Run from the build dir: sh ../bench/run_frames.sh [./stockbatch]
. "$(dirname "$0")/fake_env.sh"
command -v strace >/dev/null 2>&1 || { echo "needs strace" >&2; exit 2; }
command -v tmux >/dev/null 2>&1 || { echo "needs tmux" >&2; exit 2; }
. "$top/tests/tui_lib.sh"
tui_library 3 batch_size=10
TR=$SB_TMP/strace.txt
tui_start_sh "env TERM=tmux-256color strace -f -s 4000 -e trace=write -o \"$TR\" \"$STOCKBATCH_BIN\" --config \"$SB_CONF\" --preview symbols 2>\"$SB_TMP/tui.err\"; echo \$? >\"$SB_TMP/tui.rc\""
tui_resize 80 24
writes() { n=$(grep -c 'write(1,' "$TR" 2>/dev/null); echo "${n:-0}"; }
bytes() { grep 'write(1,' "$TR" | sed 's/.*= //' | awk '{ s += $1 } END { print s + 0 }'; }
# quiet: the count did not move for 1 s
settle()
{
	last=-1
	while :; do
		n=$(writes)
		[ "$n" = "$last" ] && break
		last=$n
		sleep 1
	done
}
step()
{
	w0=$(writes) b0=$(bytes)
	"$@"
	settle
	w1=$(writes) b1=$(bytes)
	printf '%-10s %4d writes %7d bytes\n' "$label" $((w1 - w0)) $((b1 - b0))
}
label=start
step tui_wait "File: IMG_0001.jpg"
label=Ctrl+L
step tui_keys C-l
label="a key"
step tui_type "x"
label=resize
step tui_resize 200 60
label=Tab
step eval 'tui_resize 80 24; settle; w0=$(writes) b0=$(bytes); tui_keys Tab'
tui_keys F10
tui_wait_exit >/dev/null
[ -z "$KEEP_TRACE" ] || cp "$TR" "$KEEP_TRACE"
