#!/bin/sh
# tui_photos_crash.sh: text typed for a photo, then left by a jump in the
# photo list (Enter on another photo), survives kill -9: after the restart
# the photo jumped to comes first with its own draft, and the photo left
# comes back with what was typed for it.  Saving or skipping it forgets
# the kept text.  Before, only the last photo's draft was on disk.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
tui_library 4 batch_size=10
STATE=$L/.stockbatch

tui_start
tui_resize 100 30
tui_wait "File: IMG_0001.jpg"
tui_type "Text pro první fotku, rozepsaný"
tui_keys Tab
tui_keys o
tui_wait "Photos: "
tui_keys /
tui_type "img_0003"
tui_keys Enter
tui_wait "3/"
tui_keys Enter
tui_wait "File: IMG_0003.jpg"
tui_wait_gone "Text pro první fotku"
tui_type "Třetí fotka napůl"
wait_for 20 sh -c "grep -q 'Třetí fotka napůl' '$STATE/draft.json'" || fail "no draft for IMG_0003.jpg"
grep -q "Text pro první fotku, rozepsaný" "$STATE/draft.json" ||
	{ cat "$STATE/draft.json"; fail "the text left at IMG_0001.jpg is not on disk"; }
pid=$(tui_pid)
kill -KILL "$pid" || fail "kill -KILL"
$TUI_TM kill-server >/dev/null 2>&1
gone() { ! kill -0 "$pid" 2>/dev/null; }
wait_for 20 gone || fail "the program is still running"

tui_start
tui_resize 100 30
tui_wait "Your unsaved text for this photo is back."
tui_wait "File: IMG_0003.jpg"
tui_wait "Třetí fotka napůl"
tui_type " a dopsaná: kamenný most přes řeku v ranní mlze."
tui_keys C-s
tui_wait "File: IMG_0001.jpg"
tui_wait "Text pro první fotku, rozepsaný"
# a skip keeps nothing: the kept text goes
tui_keys C-n
tui_wait "File: IMG_0002.jpg"
wait_for 20 sh -c "! grep -q 'Text pro první fotku' '$STATE/draft.json' 2>/dev/null" ||
	{ cat "$STATE/draft.json"; fail "the skipped photo's kept text is still on disk"; }
tui_keys F10
tui_wait_exit >/dev/null
exit 0
