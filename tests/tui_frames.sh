#!/bin/sh
# tui_frames.sh: a frame reaches the terminal in as few write(2) calls as
# curses' output buffer allows, not in one write per cursor move (a slow
# SSH link showed half-drawn screens, a tmux capture half a redraw).
# Counted under strace(1): the writes to the terminal (fd 1) while the
# program redraws the screen (Ctrl+L), takes eight typed letters one by
# one, and changes to the batch view (Tab).  Each check allows one write
# per full buffer ((2 + lines) * (6 + columns) bytes, the size ncurses
# gives it at the start, 100x30 here), one per frame, and two more (the
# cursor shown or hidden goes out at once; a redraw of the clock or the
# scan between).  Before, Ctrl+L went out in 35 writes.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
command -v strace >/dev/null 2>&1 || skip_missing "strace (apt-get install strace)"
strace -o /dev/null true >/dev/null 2>&1 || skip "strace cannot trace here (ptrace not allowed)"
tui_library 3 batch_size=10
TR=$SB_TMP/strace.txt
BUF=$(((2 + 30) * (6 + 100)))
# (LeakSanitizer cannot run under ptrace: a sanitizer build checks leaks elsewhere)
tui_start_sh "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -e trace=write -o \"$TR\" \"$STOCKBATCH_BIN\" --config \"$SB_CONF\" --preview symbols 2>\"$SB_TMP/tui.err\"; echo \$? >\"$SB_TMP/tui.rc\""
# "WRITES BYTES" to the terminal so far
traced() { awk '/ write\(1, / { n++; b += $NF } END { printf "%d %d\n", n, b }' "$TR" 2>/dev/null; }
# settled: nothing written between two looks
tui__still() { a=$(traced); sleep 0.5; [ "$a" = "$(traced)" ]; }
settle() { wait_for 30 tui__still || fail "the program never stopped writing"; }
# check NAME FRAMES: the writes since the mark fit FRAMES frames
mark() { set -- $(traced); m_n=$1 m_b=$2; }
check()
{
	set -- $(traced) "$1" "$2"
	n=$(($1 - m_n)) b=$(($2 - m_b))
	max=$((b / BUF + $4 + 2))
	echo "$3: $n writes, $b bytes (at most $max)"
	[ "$n" -le "$max" ] || { tui__dump; fail "$3 went out in $n writes ($b bytes; at most $max)"; }
}
tui_wait "File: IMG_0001.jpg"
settle
mark
tui_keys C-l
settle
check "Ctrl+L (the screen redrawn)" 1
mark
typed=""
for c in L e s n i c k a; do
	typed=$typed$c
	tui_type "$c"
	tui_wait "$typed"
done
settle
check "eight letters typed one by one" 8
mark
tui_keys Tab
tui_wait "Batches"
settle
check "Tab (the batch view)" 1
tui_keys F10
rc=$(tui_wait_exit)
[ "$rc" = 0 ] || { tui__dump; fail "exit status $rc"; }
exit 0
