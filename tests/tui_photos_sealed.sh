#!/bin/sh
# tui_photos_sealed.sh: a photo whose batch is sealed cannot be re-edited,
# and the photo list says why: listed as sealed, Enter names the batch and
# its state and changes nothing; a re-edit begun while the batch collected
# and saved after the batch was sealed (s in the batch view) is refused the
# same way, the editor keeping the text.  A budget too small for any batch
# keeps the sealed batch ready (not sent); the worker says so once (no
# second round: poll_interval), before the refusals are waited for.  At
# 80x24 and 200x60.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
tui_library 4 batch_size=10 budget=0.000001 poll_interval=600

OLD="Smrkový les v ranní mlze na úbočí kopce, světlo prosvítá mezi kmeny."
journal()
{
	cat "$L"/.stockbatch/batches/*/files.jsonl
}

tui_start
tui_resize 80 24
tui_wait "File: IMG_0001.jpg"
tui_save "$OLD" IMG_0002.jpg
tui_keys Tab
tui_keys o
tui_wait "1 described, not sent yet"
tui_keys End Enter
tui_wait "Re-editing IMG_0001.jpg"
tui_type " Doplněno."
# the batch is sealed meanwhile: s in the batch view sends it now
tui_keys Tab
tui_keys s
tui_keys Tab
tui_wait "File: IMG_0001.jpg"
wait_for 20 grep -q '"state": *"ready"' "$L"/.stockbatch/batches/*/batch.json ||
	{ tui__dump; fail "the batch was not sealed"; }
tui_wait "not sent: its estimate"
tui_keys C-s
tui_wait "is sealed (ready)"
tui_wait "Doplněno" # the editor keeps the text
journal | grep -q "Doplněno" && fail "the sealed batch took the new text"
tui_keys Escape
tui_wait "File: IMG_0002.jpg"

# the list shows it sealed; Enter says why it cannot be re-edited
tui_keys Tab
tui_keys o
tui_wait "1 described, not sent yet"
tui_wait_re "sealed +IMG_0001\.jpg"
tui_keys End Enter
tui_wait "Not re-edited: batch b"
tui_wait "is sealed (ready)"
tui_wait "Photos:" # the list stays open
tui_resize 200 60
tui_wait "sealed        IMG_0001.jpg"
tui_keys e
tui_wait "is sealed (ready): $L/Foto/JPG/Příroda/2024/IMG_0001.jpg goes out as it is"
tui_keys q
tui_wait "File: IMG_0002.jpg"
journal | grep -q "Doplněno" && fail "the sealed batch took the new text"
tui_keys F10
rc=$(tui_wait_exit)
[ "$rc" = 0 ] || { tui__dump; fail "exit status $rc (a sanitizer's report fails it)"; }
exit 0
