#!/bin/sh
# tui_kitty.sh: with --preview kitty the picture goes out as kitty graphics
# (tmux would swallow them, so script(1) records what the program writes,
# told it is not inside tmux):
# a dialog over the preview deletes the picture (kitty draws pictures above
# the text until deleted), closing it sends the picture again.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
command -v script >/dev/null 2>&1 || skip_missing "script(1) (apt-get install bsdutils)"
L=$SB_TMP/lib
sb_make_library "$L" 2
sb_config "$L" batch_size=10
TS=$SB_TMP/typescript
$TUI_TM new-session -d -s sb -x 100 -y 30 \
	"env -u TMUX -u STY TERM=xterm-256color script -qfc '\"$STOCKBATCH_BIN\" --config \"$SB_CONF\" --preview kitty 2>\"$SB_TMP/tui.err\"' \"$TS\"; echo \$? >\"$SB_TMP/tui.rc\"; sleep 600" ||
	fail "tmux new-session"
count() { grep -a -o "$(printf '\033_G')$1" "$TS" 2>/dev/null | wc -l; }
pictures() { [ "$(count a=T)" -ge "$1" ]; }
wait_for 30 pictures 1 || { tui__dump; fail "no kitty picture was sent"; }
tui_wait "File: "
tui_keys F1
tui_wait "Keys"
deleted() { [ "$(count a=d)" -ge 1 ]; }
wait_for 20 deleted ||
	fail "the help dialog opened over a kitty picture without deleting it"
tui_keys Escape
tui_wait_gone "Keys"
wait_for 20 pictures 2 || fail "the picture was not sent again after the dialog closed"
tui_keys F10
rc=$(tui_wait_exit 30)
check_eq "$rc" 0 "exit status of F10"
exit 0
