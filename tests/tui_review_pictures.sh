#!/bin/sh
# tui_review_pictures.sh: with --preview kitty or sixel the review view
# shows each photo's picture itself, sent as the editor pane's is (tmux
# would swallow graphics, so script(1) records what the program writes,
# told it is not inside tmux): opening the view sends the first photo's
# picture, j the second's (another picture), k the first's again (the
# same bytes), and so does coming back from Ctrl+Z (which deletes a kitty
# picture first); closing the view deletes the kitty picture, and a sixel
# or iTerm one is wiped by a cleared screen.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
command -v script >/dev/null 2>&1 || skip_missing "script(1) (apt-get install bsdutils)"
tui_library 2 batch_size=2 poll_interval=1 alternatives=
TS=$SB_TMP/typescript

# a committed batch of both photos to review
tui_start
tui_resize 160 50
tui_wait "File: IMG_0001.jpg"
tui_save "Smrkový les v ranní mlze na úbočí kopce, světlo prosvítá mezi kmeny." IMG_0002.jpg
tui_type "Louka plná žlutých pampelišek pod modrou oblohou, v dálce les a kopce."
tui_keys C-s
tui_wait "File: VID_0001.mp4"
tui_wait "completed: 2 committed" 90
tui_keys F10
tui_wait_exit >/dev/null

# seqs FROM KIND: what the program wrote after byte FROM of the typescript:
#   pics: one line per picture (kitty ESC _G a=T..., sixel ESC P...q...,
#         iTerm ESC ]1337;File=...),
#         its bytes' hash; del: kitty deletes; clear: screens cleared
seqs()
{
	"$PYTHON3" - "$TS" "$1" "$2" <<'EOF'
import hashlib, re, sys
data = open(sys.argv[1], "rb").read()[int(sys.argv[2]):]
kind = sys.argv[3]
if kind == "pics":
    # kitty: a picture is its chunks up to the last (m=0); sixel: DCS to
    # ST; iTerm: OSC 1337 to BEL or ST
    for m in re.finditer(rb"\x1b_Ga=T.*?\x1b_Gm=0[^\x1b]*\x1b\\|\x1bP[0-9;]*q.*?\x1b\\|\x1b\]1337;File=[^\x07\x1b]*(?:\x07|\x1b\\)", data, re.S):
        print(hashlib.sha1(m.group(0)).hexdigest())
elif kind == "del":
    print(len(re.findall(rb"\x1b_Ga=d", data)))
elif kind == "clear":
    print(len(re.findall(rb"\x1b\[H\x1b\[2J", data)))
EOF
}
size() { wc -c <"$TS"; }
pics_after() { [ "$(seqs "$1" pics | wc -l)" -ge 1 ]; }
dels_after() { [ "$(seqs "$1" del)" -ge 1 ]; }
clears_after() { [ "$(seqs "$1" clear)" -ge 1 ]; }

# the program under a shell with job control (Ctrl+Z stops it, Enter
# brings it back), its exit status in tui.rc
cat >"$SB_TMP/run.sh" <<EOF
set -m
"$STOCKBATCH_BIN" --config "$SB_CONF" --preview "\$1" 2>"$SB_TMP/tui.err"
rc=\$?
while [ \$rc = 148 ]; do echo SHELL-HAS-IT; read x; fg; rc=\$?; done
echo \$rc >"$SB_TMP/tui.rc"
EOF

for proto in kitty sixel iterm; do
	rm -f "$TS"
	tui_start_sh "env -u TMUX -u STY TERM=xterm-256color script -qfc 'sh $SB_TMP/run.sh $proto' $TS"
	tui_wait "File: VID_0001.mp4" # no picture in the editor's pane
	tui_keys Tab
	tui_select_batch_of IMG_0001.jpg
	at=$(size)
	tui_keys w
	tui_wait "photo 1 of 2"
	wait_for 30 pics_after "$at" || { tui__dump; fail "$proto: the review sent no picture of its first photo"; }
	tui_wait_gone "Loading preview..."
	tui_wait_gone "editor's pane"
	first=$(seqs "$at" pics | head -n 1)
	at=$(size)
	tui_keys j
	tui_wait "photo 2 of 2"
	wait_for 30 pics_after "$at" || { tui__dump; fail "$proto: no picture of the second photo after j"; }
	second=$(seqs "$at" pics | head -n 1)
	[ "$second" != "$first" ] || fail "$proto: the second photo's picture is the first's"
	if [ "$proto" = kitty ]; then
		[ "$(seqs "$at" del)" -ge 1 ] || fail "kitty: the first photo's picture was not deleted before the second's"
	else
		[ "$(seqs "$at" clear)" -ge 1 ] || fail "$proto: the first photo's picture was not wiped before the second's"
	fi
	at=$(size)
	tui_keys k
	tui_wait "photo 1 of 2"
	wait_for 30 pics_after "$at" || { tui__dump; fail "$proto: no picture after k"; }
	again=$(seqs "$at" pics | head -n 1)
	check_eq "$again" "$first" "$proto: the first photo's picture after k"
	# Ctrl+Z: the kitty picture deleted before the shell has the terminal;
	# back in the view, the picture sent again
	at=$(size)
	tui_keys C-z
	tui_wait "SHELL-HAS-IT"
	if [ "$proto" = kitty ]; then
		[ "$(seqs "$at" del)" -ge 1 ] || fail "kitty: Ctrl+Z left the review's picture on the shell's screen"
	fi
	at=$(size)
	tui_keys Enter
	tui_wait "photo 1 of 2"
	wait_for 30 pics_after "$at" || { tui__dump; fail "$proto: no picture back from Ctrl+Z"; }
	check_eq "$(seqs "$at" pics | head -n 1)" "$first" "$proto: the picture back from Ctrl+Z"
	at=$(size)
	tui_keys q
	tui_wait_gone "Review of b"
	if [ "$proto" = kitty ]; then
		wait_for 20 dels_after "$at" || fail "kitty: closing the review left its picture on the screen"
	else
		wait_for 20 clears_after "$at" || fail "$proto: closing the review left its picture on the screen"
	fi
	tui_keys F10
	rc=$(tui_wait_exit 30)
	check_eq "$rc" 0 "$proto: exit status of F10"
done
exit 0
