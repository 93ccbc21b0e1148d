#!/bin/sh
# tui_photos.sh: the photo list (o in the batch view, F12 in the editor) at 80x24, then
# 200x60: a cursor over the photos to describe (the one in the editor
# first), those skipped this session and those described but not sent yet,
# each with its state, file name and folder.  / finds a file name or a
# folder, n/N the next and previous; Enter describes the photo now, and the
# ones passed over stay in the queue: the next save goes back to them, the
# text typed for the photo left comes back with it; u brings a skipped
# photo back to come next.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
tui_library 5 batch_size=10  # and a video: six to describe

tui_start
tui_resize 80 24
tui_wait "File: IMG_0001.jpg"
tui_type "Rozepsaný popis první fotky"
tui_keys Tab
tui_keys o
tui_wait "Photos: 6 to describe, 0 skipped, 0 described, not sent yet"
tui_wait_re "^ *State +File +Folder"
tui_wait_re "in the editor +IMG_0001\.jpg +.*2024"
tui_wait_re "to describe +IMG_0005\.jpg"
# jump ahead by a search; the footer shows the whole path under the cursor
tui_keys /
tui_type "img_0003"
tui_keys Enter
tui_wait "2024/IMG_0003.jpg"
tui_wait "3/6"
tui_keys Enter
tui_wait "File: IMG_0003.jpg"
tui_wait_gone "Rozepsaný popis"
# saved: back to the photo passed over, with what was typed for it
tui_save "Smrkový les v ranní mlze na úbočí kopce, světlo prosvítá mezi kmeny." IMG_0001.jpg
tui_wait "Rozepsaný popis první fotky"
# skip it; the list says so, and u brings it back to come next
tui_keys C-n
tui_wait "File: IMG_0002.jpg"
tui_keys Tab
tui_keys o
tui_wait "Photos: 4 to describe, 1 skipped, 1 described, not sent yet"
tui_wait_re "in the editor +IMG_0002\.jpg"
tui_wait_re "skipped +IMG_0001\.jpg"
tui_wait_re "described +IMG_0003\.jpg"
tui_keys End
tui_wait "6/6"
tui_keys Home
tui_wait "1/6"
tui_keys /
tui_type "IMG_0001"
tui_keys Enter
tui_wait "5/6"
tui_keys u
tui_wait "IMG_0001.jpg is back: it comes next."
tui_wait_re "to describe +IMG_0001\.jpg"
tui_keys q
tui_wait_gone "Photos:"
tui_keys Tab
tui_keys C-n
tui_wait "File: IMG_0001.jpg"

# 200x60: the same list, whole folders; go back to a photo passed over
# with the cursor (j, k, n, N)
tui_resize 200 60
tui_keys Tab
tui_keys o
tui_wait "Photos: 4 to describe, 1 skipped, 1 described, not sent yet"
tui_wait_re "in the editor +IMG_0001\.jpg +$L/Foto/JPG/Příroda/2024 *$"
tui_wait_re "skipped +IMG_0002\.jpg"
tui_keys /
tui_type "jpg"
tui_keys Enter
tui_wait "1/6"
tui_keys n
tui_wait "2/6"
tui_keys N
tui_wait "1/6"
tui_keys j j k
tui_wait "2/6"
tui_wait "2024/IMG_0004.jpg" # the cursor's whole path
tui_keys Enter
tui_wait "File: IMG_0004.jpg"
# F12 opens the list from the editor (o is text there); q is back in it
tui_type "Mlha"
tui_keys F12
tui_wait "Photos: 4 to describe, 1 skipped, 1 described, not sent yet"
tui_wait_re "in the editor +IMG_0004\.jpg"
tui_keys q
tui_wait_gone "Photos:"
tui_wait "File: IMG_0004.jpg"
tui_type " nad"
tui_wait "Mlha nad"
tui_keys F10
rc=$(tui_wait_exit)
[ "$rc" = 0 ] || { tui__dump; fail "exit status $rc (a sanitizer's report fails it)"; }
exit 0
