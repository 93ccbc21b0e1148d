#!/bin/sh
# tui_screens.sh: the screens the README and the man page show, at 120x34
# (editor and dashboard side by side) and at 80x24 (one view at a time),
# every pane whole: the facts, the counter, the batch list with its Age and
# ETA columns, the files, the cost with the actual cost and the budget, the
# activity lines and the key bar.  With SB_SCREENS_DIR set, the captures
# are written there (screen-120x34.txt, screen-80x24-editor.txt,
# screen-80x24-batches.txt): the README's text comes from them.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
sb_start_fake --step 0.2
L=$SB_TMP/lib
sb_make_library "$L" 5
sb_config "$L" batch_size=2 poll_interval=1

# shows NAME PATTERN...: a capture (NAME.txt) holds every (extended) pattern
shows()
{
	f=$SB_TMP/$1.txt
	shift
	tui_screen >"$f"
	for p in "$@"; do
		grep -Eq -- "$p" "$f" || return 1
	done
}

# keep NAME PATTERN...: waits for a capture with every pattern, the screen
# settled (a capture taken a fixed second later could still be drawing
# under load), and keeps it; fails naming the first pattern missing
keep()
{
	name=$1
	if ! wait_for 30 shows "$@"; then
		shift
		for p in "$@"; do
			grep -Eq -- "$p" "$SB_TMP/$name.txt" || { cat "$SB_TMP/$name.txt" >&2; fail "$name.txt: no '$p'"; }
		done
	fi
	if [ -n "${SB_SCREENS_DIR:-}" ]; then
		mkdir -p "$SB_SCREENS_DIR" && cp "$SB_TMP/$name.txt" "$SB_SCREENS_DIR/$name.txt"
	fi
}

tui_start
tui_resize 120 34
tui_wait "File: IMG_0001.jpg"
tui_save "Smrkový les v ranní mlze na úbočí kopce, světlo prosvítá mezi kmeny." IMG_0002.jpg
tui_save "Louka plná žlutých pampelišek pod modrou oblohou, v dálce les a kopce." IMG_0003.jpg
tui_wait "completed: 2 committed" 90
tui_type "Kamenný most přes řeku v podvečer"
tui_wait "Kamenný most přes řeku v podvečer"
keep screen-120x34 "File: IMG_0003.jpg" "Category:" "Path:" "characters minimum" \
	"Batch +State +API +Done +Age +ETA" "completed +openai +2/2 +[0-9]+[smhd]" \
	"in the CSV +IMG_0001.jpg" "actual \\\$[0-9.]+" "budget none" \
	"0 failed, \\\$[0-9.]+$" "F1 Help +F10 Quit"

tui_resize 80 24
tui_wait_gone "Batches ("
keep screen-80x24-editor "File: IMG_0003.jpg" "characters minimum" "Kamenný most" "F1 Help"
tui_keys Tab
tui_wait "Batches ("
keep screen-80x24-batches "Batch +State +API +Done +Age +ETA" "completed +openai +2/2 +[0-9]+[smhd]" \
	"actual \\\$[0-9.]+" "budget none" "0 failed, \\\$[0-9.]+$" "\\? Help +q Quit"
tui_keys F10
tui_wait_exit >/dev/null
exit 0
