#!/bin/sh
# tui_collect.sh: the collecting side of the TUI, typed in tmux: Czech text,
# the 50-character minimum (refused below, accepted at 50), save, editorial
# modal (country and EXIF date prefilled), skip, reject, show path, the help
# screen, resize, and quit in the middle with the draft back on restart.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
sb_start_fake
L=$SB_TMP/lib
sb_make_library "$L" 4
# A big batch: nothing is sent while we collect (tui_batch.sh covers that).
sb_config "$L" batch_size=10 min_description=50 editorial_country=Slovakia
# The second photo gets an EXIF DateTimeOriginal (the editorial date prefill).
"$PYTHON3" - "$L/Foto/JPG/Příroda/2024/IMG_0002.jpg" <<'PY' || fail "cannot add EXIF"
import sys
from PIL import Image
im = Image.open(sys.argv[1])
ex = im.getexif()
ex[0x8769] = {0x9003: "2024:05:03 10:02:00"}
im.save(sys.argv[1], "JPEG", quality=85, exif=ex.tobytes())
PY
STATE=$L/.stockbatch

# $VISUAL for Ctrl+O: a script that appends to the file it is given.
printf '#!/bin/sh\nprintf " doplněno v editoru" >>"$1"\n' >"$SB_TMP/visual.sh"
chmod +x "$SB_TMP/visual.sh"
VISUAL=$SB_TMP/visual.sh
export VISUAL

tui_start
tui_wait "[BATCH MODE] Collecting descriptions (0/10)"
tui_wait "File: IMG_0001.jpg"
tui_wait "0/50 characters minimum"

# Below the minimum: refused, with the reason in the status line.
tui_type "Smrkový les, ěščřžýáíé"
tui_wait "22/50 characters minimum"
tui_keys C-s
tui_wait "Not saved: the description has 22 characters, at least 50 are needed."
tui__has "File: IMG_0001.jpg" || fail "the photo changed after a refused save"
# Backspace removes one character (a two-byte one).
tui_keys BSpace
tui_wait "21/50 characters minimum"
# Exactly 50: accepted.
tui_type "é v ranní mlze na úbočí kopc"
tui_wait "49/50 characters minimum"
tui_keys C-s
tui_wait "has 49 characters"
tui_type "e"
tui_wait "50/50 characters minimum"
tui_keys C-s
tui_wait "Saved IMG_0001.jpg."
tui_wait "File: IMG_0002.jpg"
tui_wait "[BATCH MODE] Collecting descriptions (1/10)"
grep -rqF "Smrkový les, ěščřžýáíé v ranní mlze na úbočí kopce" "$STATE" ||
	fail "the saved description is not in the state directory"

# Editorial: the modal asks city, country (editorial_country) and the
# photo's date.
tui_keys C-e
tui_wait "Editorial"
tui_wait "Slovakia"
tui_wait "03 05 2024"
tui_type "Praha"
# An invalid date keeps the dialog open with the reason; a valid one typed
# with dots is normalised to DD MM YYYY.
tui_keys Tab Tab BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace
tui_type "32.1.2024"
tui_keys Enter
tui_wait "The date is not a valid DD MM YYYY date."
tui_wait "Tab next field, Enter OK, Esc cancel"
tui_keys BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace
tui_type "3.5.2024"
tui_keys Enter
tui_wait "Editorial: Praha, Slovakia, 03 05 2024"
tui_wait "Description [editorial]"
# Word motion and editing in the middle: Ctrl+Left then insert.
tui_type "Karlův most přes Vltavu v ranní mlze, turisté a sochy světců"
tui_keys C-Left
tui_type "kamenné "
tui_wait "sochy kamenné světců"
tui_keys Home
tui_type "Historický "
tui_wait "Historický Karlův most"
tui_keys C-s
tui_wait "Saved IMG_0002.jpg."
tui_wait "[BATCH MODE] Collecting descriptions (2/10)"
grep -rq "Praha" "$STATE" || fail "the editorial city is not in the state directory"

# Show path, skip, reject.
tui_wait "File: IMG_0003.jpg"
tui_keys C-p
tui_wait "Foto/JPG/Příroda/2024/IMG_0003.jpg"
tui_keys C-n
tui_wait "Skipped; nothing saved."
tui_wait "File: IMG_0004.jpg"
tui_keys C-r
tui_wait "Reject IMG_0004.jpg?"
tui_keys n
tui_wait "Nothing done."
tui__has "File: IMG_0004.jpg" || fail "a refused reject moved on"
tui_keys C-r
tui_wait "Reject IMG_0004.jpg?"
tui_keys y
tui_wait "Rejected IMG_0004.jpg."
grep -rq "rejected" "$STATE" || fail "the reject is not recorded in the store"

# The video: no picture, its facts instead.
tui_wait "File: VID_0001.mp4"
tui_wait "No preview:"

# Help comes from the key table.
tui_keys F1
tui_wait "Keys"
tui_wait "save the description and show the next photo"
tui_keys q
tui_wait_gone "save the description and show the next photo"

# Resize: the layout follows (80x24), then back.
tui_type "Rozepsaný popis videa, žluťoučký kůň"
$TUI_TM resize-window -t sb -x 80 -y 24 || fail "tmux resize-window"
tui_wait "36/50 characters minimum"
[ "$(tui_screen | wc -l)" -le 24 ] || fail "the screen did not shrink"
tui_wait "Collecting descriptions (2/10)"
# At 80 columns the key bar keeps whole entries (a label is never cut; the
# least needed entries give way: tests/tui_narrow.sh) and every key but Path.
tui_keybar "F1 Help|F10 Quit|^S Save|^N Skip|^E Editorial|^R Reject|^P Path|^O \$EDITOR|Tab Batches" \
	"F1 Help|F10 Quit|^S Save|^N Skip|^E Editorial|^R Reject|^O \$EDITOR|Tab Batches"
$TUI_TM resize-window -t sb -x 100 -y 30 || fail "tmux resize-window"
tui_wait "Rozepsaný popis videa, žluťoučký kůň"

# The dashboard view (Tab) shows the collecting batch with its files.
tui_keys Tab
tui_wait "Batches (1)"
tui_wait "collecting"
tui_wait "described"
tui_keys Tab
tui_wait "36/50 characters minimum"

# Quit in the middle of typing: the draft comes back on restart.
tui_keys C-q
rc=$(tui_wait_exit 30)
check_eq "$rc" 0 "exit status of a quit"
$TUI_TM kill-server >/dev/null 2>&1
tui_start
tui_wait "File: VID_0001.mp4"
tui_wait "Rozepsaný popis videa, žluťoučký kůň"
tui_wait "Your unsaved text for this photo is back."
tui_wait "Collecting descriptions (2/10)"
# The text round-trips through $VISUAL.
tui_keys C-o
tui_wait "Text taken back from the editor."
tui_wait "žluťoučký kůň doplněno v editoru"
tui_wait "55/50 characters minimum"
tui_keys F10
rc=$(tui_wait_exit 30)
check_eq "$rc" 0 "exit status of the second quit"
exit 0
