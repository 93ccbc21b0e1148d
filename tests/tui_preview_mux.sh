#!/bin/sh
# tui_preview_mux.sh: --preview kitty (or sixel) inside tmux, where the
# graphics never reach the terminal, falls back to the symbols preview
# (the pane is not left blank) and says so once in the activity log.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
L=$SB_TMP/lib
sb_make_library "$L" 2
sb_config "$L" batch_size=10
for proto in kitty sixel; do
	tui_start --preview $proto
	tui_wait "File: IMG_0001.jpg"
	tui_wait "preview 96x64"
	has_symbols() { tui_screen | head -n 12 | grep -q '[▀▄█▌▐▂▃▅▆▇]'; }
	wait_for 20 has_symbols || { tui__dump; fail "--preview $proto in tmux left the preview blank"; }
	tui_keys Tab
	tui_wait "Batches ("
	tui_wait "The $proto preview cannot pass through tmux: the preview is drawn with symbols."
	n=$(tui_screen | head -n -2 | grep -c "cannot pass through tmux")
	check_eq "$n" 1 "times the activity log says the fallback"
	tui_keys F10
	tui_wait_exit >/dev/null
done
exit 0
