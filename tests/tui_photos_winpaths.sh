#!/bin/sh
# tui_photos_winpaths.sh: a library whose Cesta values are Windows paths (as
# PhotoMedia.csv is written on Windows, and as the demo's sample is): the
# photo list shows each photo's file name and its folder, not the whole path
# as a name with "." for a folder; the batch view's files and the status
# lines name the file too.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
sb_start_fake --step 30
L=$SB_TMP/lib
sb_make_library "$L" 3 winpaths
sb_config "$L" batch_size=10

tui_start
tui_resize 120 34
tui_wait "File: IMG_0001.jpg"
tui_keys F12
tui_wait "Photos: 4 to describe"
tui_wait_re 'in the editor +IMG_0001\.jpg +J:\\Foto\\JPG\\'
! tui__has_re 'IMG_0001\.jpg +\. *$' || fail "a Windows path shown as a file name, its folder as ."
tui_keys q
tui_wait "File: IMG_0001.jpg"
tui_type "Smrkový les v ranní mlze na úbočí kopce, světlo mezi kmeny a rosa na trávě."
tui_keys C-s
tui_wait "File: IMG_0002.jpg"
tui_keys Tab
tui_wait_re 'IMG_0001\.jpg'
! tui__has_re 'Příroda\\2024\\IMG_0001' || fail "the batch view names the file by its whole path"
tui_keys F10
check_eq "$(tui_wait_exit)" 0 "exit status"
exit 0
