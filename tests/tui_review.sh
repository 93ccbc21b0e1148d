#!/bin/sh
# tui_review.sh: the review view (w in the batch view) at 80x24 and at
# 200x60: a committed photo beside what was written for it, j/k, Down,
# PgDn/PgUp move photo to photo, r opens the photographer's own
# description in an editor, Ctrl+S queues the redo ("redo queued"), and
# once the fake API answers
# the photo's row in PhotoMedia.csv (read back with Python's csv) holds
# the new title, the other row is untouched, and the fake saw exactly one
# new request, never one twice.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
# no edited copies: IMG_0001_bw's own text-only batch would go out at a
# time of its own and count at the fake beside the redo
tui_library 3 batch_size=2 poll_interval=1 alternatives=
CSV=$L/PhotoMedia.csv

# field FILE COLUMN: the CSV's value now
field()
{
	"$PYTHON3" -c 'import csv, sys
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8-sig")):
    if r["Soubor"] == sys.argv[2]:
        print(r[sys.argv[3]]); break' "$CSV" "$1" "$2"
}

# ids: how many custom ids the fake was sent, and the most times one was
ids()
{
	sb_fake_stats | "$PYTHON3" -c 'import json, sys
c = json.load(sys.stdin).get("custom_ids", {})
print(len(c), max(c.values()) if c else 0)'
}

row_line()
{
	"$PYTHON3" -c 'import sys
for l in open(sys.argv[1], encoding="utf-8-sig"):
    if sys.argv[2] in l: print(l, end="")' "$CSV" "$1"
}

tui_start
tui_resize 160 50
tui_wait "File: IMG_0001.jpg"
tui_save "Smrkový les v ranní mlze na úbočí kopce, světlo prosvítá mezi kmeny." IMG_0002.jpg
tui_save "Louka plná žlutých pampelišek pod modrou oblohou, v dálce les a kopce." IMG_0003.jpg
tui_wait "completed: 2 committed" 90
tui_keys F10
tui_wait_exit >/dev/null

# redo_at W H N FILE TEXT WORD: review at WxH, the Nth photo (FILE) redone
# with TEXT; its new title must hold WORD
redo_at()
{
	w=$1 h=$2 nth=$3 file=$4 text=$5 word=$6
	old_title=$(field "$file" "Název")
	[ -n "$old_title" ] || fail "$file has no committed title"
	case $file in IMG_0001.jpg) other=IMG_0002.jpg ;; *) other=IMG_0001.jpg ;; esac
	other_before=$(row_line "$other")
	set -- $(ids)
	ids_before=$1
	tui_start
	tui_resize "$w" "$h"
	tui_wait "File: IMG_0003.jpg"
	tui_keys Tab
	tui_select_batch_of IMG_0002.jpg # (the first redo made a batch of IMG_0001)
	tui_keys w
	tui_wait "Review of b"
	tui_wait "photo 1 of 2"
	if [ "$nth" = 2 ]; then
		# PgDn, PgUp, Down and j all move photo to photo
		tui_keys NPage
		tui_wait "IMG_0002.jpg   photo 2 of 2"
		tui_keys PPage
		tui_wait "IMG_0001.jpg   photo 1 of 2"
		tui_keys Down
	else
		tui_keys j
		tui_wait "IMG_0002.jpg   photo 2 of 2"
		tui_keys k
	fi
	tui_wait "$file   photo $nth of 2"
	tui_wait "Keywords: "
	[ "$w" -lt 120 ] || tui_wait "Title: $old_title" # whole on one line when wide
	tui_keys r
	tui_wait "Your corrected description of $file"
	# prefilled with the words the photographer saved for it
	tui_wait "characters minimum"
	case $file in
	IMG_0001.jpg) tui_wait "Smrkový les" ;;
	*) tui_wait "Louka plná" ;;
	esac
	tui_keys C-u
	tui_wait "0/50 characters minimum"
	tui_type "$text"
	tui_keys C-s
	tui_wait "redo queued"
	# the answer comes back and replaces the row
	title_changed() { t=$(field "$file" "Název"); [ -n "$t" ] && [ "$t" != "$old_title" ]; }
	wait_for 120 title_changed || { tui__dump; fail "$file: the row still has its old title ($old_title)"; }
	new_title=$(field "$file" "Název")
	case $new_title in *"$word"*) ;; *) fail "$file: new title '$new_title' lacks '$word'" ;; esac
	[ -n "$(field "$file" "Klíčová slova")" ] || fail "$file: no keywords after the redo"
	tui_wait_gone "redo queued" 60
	tui_wait "Title: "
	[ "$(row_line "$other")" = "$other_before" ] || fail "$other's row changed with $file's redo"
	set -- $(ids)
	[ "$1" -eq $((ids_before + 1)) ] ||
		fail "the fake got $(($1 - ids_before)) new requests, not one: $(sb_fake_stats)"
	[ "$2" -eq 1 ] || fail "a request went to the fake twice"
	tui_keys q
	tui_wait_gone "Review of b"
	tui_keys F10
	rc=$(tui_wait_exit)
	[ "$rc" = 0 ] || { tui__dump; fail "exit status $rc after the review at ${w}x$h"; }
}

redo_at 80 24 1 IMG_0001.jpg \
	"Stará dřevěná chalupa na louce pod kopcem, v pozadí les a modrá obloha v létě." cottage
redo_at 200 60 2 IMG_0002.jpg \
	"Kamenný most přes řeku ve starém městě, večerní světlo a odraz ve vodě." bridge
# nothing more went out after both (a later run sends no redo again)
set -- $(ids)
[ "$2" -eq 1 ] || fail "a request went to the fake twice"
exit 0
