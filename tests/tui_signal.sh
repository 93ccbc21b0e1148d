#!/bin/sh
# tui_signal.sh: SIGHUP (the SSH link dropped) and SIGTERM right after
# typing (as soon as the text is on the screen, before the draft is due):
# the program writes the draft, stops the worker, restores the terminal
# and exits (128 + the signal); the text is back on restart.  And
# the terminal itself going away (tmux killed): the draft is kept too.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
tui_library 2 batch_size=10 min_description=50
STATE=$L/.stockbatch

draft_has() { tui_draft "$STATE" 2>/dev/null | grep -q "$1"; }
round=0
for sig in HUP TERM; do
	round=$((round + 1))
	tui_start
	tui_wait "File: IMG_0001.jpg"
	[ $round = 1 ] || tui_wait "Your unsaved text for this photo is back."
	pid=$(tui_pid)
	# a draft written a moment ago: the next one is seconds away
	tui_type " Žluťoučký kůň"
	wait_for 20 draft_has " Žluťoučký kůň\$" || fail "no draft written while typing"
	tui_type " $sig"
	# the program has the keys once it shows them (a fixed 0.1 s after
	# send-keys was not enough under load: the signal came before the keys)
	tui_wait "kůň $sig"
	kill -"$sig" "$pid" || fail "kill -$sig"
	rc=$(tui_wait_exit 30)
	want=129
	[ "$sig" = TERM ] && want=143
	check_eq "$rc" "$want" "exit status after SIG$sig"
	if [ $round = 1 ]; then
		check_eq "$(tui_draft "$STATE")" " Žluťoučký kůň HUP" "the draft after SIGHUP"
	else
		check_eq "$(tui_draft "$STATE")" " Žluťoučký kůň HUP Žluťoučký kůň TERM" "the draft after SIGTERM"
	fi
done

# The terminal goes away (the whole tmux server): the draft is written.
tui_start
tui_wait "Your unsaved text for this photo is back."
pid=$(tui_pid)
tui_type " konec"
tui_wait "TERM konec"
$TUI_TM kill-server
wait_for 20 draft_has " konec\$" || fail "the draft lacks the text typed before the terminal went away: $(tui_draft "$STATE")"
# and the lock is free again: a new start shows the whole text
gone() { ! kill -0 "$pid" 2>/dev/null; }
wait_for 20 gone || fail "the program is still running"
tui_start
tui_wait "Žluťoučký kůň HUP Žluťoučký kůň TERM konec"
tui_keys F10
rc=$(tui_wait_exit 30)
check_eq "$rc" 0 "exit status of F10"
exit 0
