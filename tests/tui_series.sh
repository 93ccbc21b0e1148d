#!/bin/sh
# tui_series.sh: series of similar photos in the TUI, typed in tmux.  Six
# frames of one scene taken 10 s apart: the editor says "1 of 6 similar
# photos" and lists the frames; a frame taken out of the series (Ctrl+D)
# comes on its own; a split (Ctrl+T) makes the later frames a series of
# their own; one description saves every frame of the series, each its own
# entry told its frame; quit in the middle of a series and restart: the
# draft and the series are back, and no photo is described twice.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
tui_library 8 batch_size=20 min_description=50
sb_make_series "$L" 6
STATE=$L/.stockbatch
D=$L/Foto/JPG/Příroda/2024

tui_start
tui_wait "File: IMG_0001.jpg"
# the hashes come from the previewer's thread: the series appears
tui_wait "Description: 1 of 6 similar photos"
tui_wait "Series: 1 of 6 similar photos"
for i in 2 3 4 5 6; do
	tui_wait "IMG_000$i.jpg"
done
tui__has "IMG_0007.jpg" && { tui__dump; fail "IMG_0007.jpg (another day) is in the series"; }

# Page Down shows the next frame; Ctrl+D takes it out of the series.
tui_keys NPage
tui_wait "Series: 2 of 6 similar photos"
tui_wait "File: IMG_0002.jpg"
tui_keys C-d
tui_wait "IMG_0002.jpg is out of the series; it comes next, on its own."
tui_wait "Series: 1 of 5 similar photos"
grep -q "^detach	$D/IMG_0002.jpg\$" "$STATE/series-edits" || fail "the detach is not kept"

# Split at the fourth frame of five (IMG_0005): two series, 3 and 2.
tui_keys NPage NPage NPage
tui_wait "Series: 4 of 5 similar photos"
tui_wait "File: IMG_0005.jpg"
tui_keys C-t
tui_wait "Split: IMG_0005.jpg starts a new series, described later."
tui_wait "Series: 1 of 3 similar photos"
# The scope of skip, reject and editorial: whole series or this frame.
tui_wait "skip/reject/editorial: whole series"
tui_keys C-g
tui_wait "skip/reject/editorial: this frame"
tui_keys C-g
tui_wait "skip/reject/editorial: whole series"

# Skip the frame shown alone (the first): the series goes on with the
# text typed; then described once, saved for the two frames left.
tui_type "Červená koule nad zelenou loukou pod modrým nebem, žlutý obdélník vpravo"
tui_keys C-g
tui_wait "skip/reject/editorial: this frame"
tui_keys C-n
tui_wait "Skipped; nothing saved."
tui_wait "Series: 1 of 2 similar photos"
tui_wait "File: IMG_0003.jpg"
tui_wait "žlutý obdélník vpravo" # the text did not go with the frame skipped
tui_keys C-g
tui_wait "skip/reject/editorial: whole series"
tui_keys C-s
tui_wait "Saved for the 2 photos of the series."
tui_wait "Collecting descriptions (2/20)"
n=$(cat "$STATE"/batches/*/files.jsonl | grep -c '"series_n":2')
[ "$n" = 2 ] || fail "expected 2 entries told they are frames of 2, got $n"
grep -q "IMG_0001.jpg" "$STATE"/batches/*/files.jsonl && fail "the skipped frame was saved"

# The frame taken out comes on its own.
tui_wait "File: IMG_0002.jpg"
tui_wait_gone "similar photos"
tui_type "Jedna samotná fotografie koule na louce, vyjmutá ze série snímků"
tui_keys C-s
tui_wait "Saved IMG_0002.jpg."

# The split-off series: start typing, quit in the middle.
tui_wait "Series: 1 of 2 similar photos"
tui_wait "File: IMG_0005.jpg"
tui_keys NPage
tui_wait "Series: 2 of 2 similar photos"
tui_type "Rozepsaný popis druhé série"
wait_for 20 sh -c "grep -q 'Rozepsaný popis druhé série' '$STATE/draft.json'" ||
	fail "the draft was not written"
tui_keys F10
tui_wait_exit >/dev/null

# Restart: the draft and its series are back; nothing saved is offered.
tui_start
tui_wait "Your unsaved text for this photo is back."
tui_wait "Rozepsaný popis druhé série"
tui_wait "of 2 similar photos"
tui__has "IMG_0001.jpg" && { tui__dump; fail "the frame skipped last session is in the split-off series"; }
tui_type " nad zelenou loukou, červená koule a žlutý obdélník"
tui_keys C-s
tui_wait "Saved for the 2 photos of the series."
# the frame skipped last session is offered again (a skip keeps nothing)
tui_wait "File: IMG_0001.jpg"
tui_wait_gone "similar photos"
tui_keys F10
tui_wait_exit >/dev/null

# Every photo of the series described exactly once (the skipped one not yet).
for i in 2 3 4 5 6; do
	n=$(cat "$STATE"/batches/*/files.jsonl | grep '"op":"file"' | grep -c "IMG_000$i.jpg")
	[ "$n" = 1 ] || fail "IMG_000$i.jpg has $n entries, not 1"
done
n=$(cat "$STATE"/batches/*/files.jsonl | grep -c '"series_n":2')
[ "$n" = 4 ] || fail "expected 4 entries told they are frames of 2, got $n"
# The hash cache is private.
[ "$(stat -c %a "$STATE/series-hashes")" = 600 ] || fail "series-hashes is not 0600"
exit 0
