#!/bin/sh
# tui_photos_redo.sh: re-edit before send, from the photo list (o, then
# Enter or e on a described photo): the editor opens with the saved text;
# Ctrl+S replaces it in the collecting batch (its files.jsonl holds one
# entry for the photo, with the new text), Esc leaves it as it was, and the
# photo being described gets back the text typed for it.  At 80x24, then
# 200x60.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
tui_library 4 batch_size=10

OLD="Smrkový les v ranní mlze na úbočí kopce, světlo prosvítá mezi kmeny."
NEW="Bukový les na podzim, zlaté listí a mlha v údolí pod hřebenem hor."

# the entries of files.jsonl for IMG_0001.jpg: "LINES<TAB>DESCRIPTION"
entries()
{
	"$PYTHON3" - "$L/.stockbatch" <<'PY'
import glob, json, os, sys
lines = []
for j in glob.glob(os.path.join(sys.argv[1], "batches", "*", "files.jsonl")):
    for ln in open(j, encoding="utf-8"):
        o = json.loads(ln)
        if o["cesta"].endswith("IMG_0001.jpg"):
            lines.append(o)
print("%d\t%s" % (len(lines), lines[-1].get("description", "") if lines else ""))
PY
}

reedit_0001()
{
	tui_keys Tab
	tui_keys o
	tui_wait "1 described, not sent yet"
	tui_wait_re "described +IMG_0001\.jpg"
	tui_keys /
	tui_type "img_0001"
	tui_keys Enter
	tui_wait "(batch b"
	tui_keys "$1"
	tui_wait "Re-editing IMG_0001.jpg"
	tui_wait "File: IMG_0001.jpg"
	tui_wait "$OLD"
}

tui_start
tui_resize 80 24
tui_wait "File: IMG_0001.jpg"
tui_save "$OLD" IMG_0002.jpg
tui_type "Rozepsáno pro dvojku"
[ "$(entries)" = "1	$OLD" ] || fail "before: $(entries)"

# Esc leaves the saved text as it was
reedit_0001 Enter
tui_type " navíc"
tui_keys Escape
tui_wait "Left the re-edit: the saved description of IMG_0001.jpg is unchanged."
tui_wait "File: IMG_0002.jpg"
tui_wait "Rozepsáno pro dvojku"
[ "$(entries)" = "1	$OLD" ] || fail "after Esc: $(entries)"

# Ctrl+S replaces it: one entry, the new text; the photo left comes back
reedit_0001 e
tui_keys End C-u
tui_wait_gone "$OLD"
tui_type "$NEW"
tui_keys C-s
tui_wait "Saved the new description of IMG_0001.jpg."
tui_wait "File: IMG_0002.jpg"
tui_wait "Rozepsáno pro dvojku"
[ "$(entries)" = "1	$NEW" ] || fail "after the re-edit: $(entries)"

# 200x60: again, with the new text as it was saved
tui_resize 200 60
tui_keys Tab
tui_keys o
tui_wait "1 described, not sent yet"
tui_wait_re "described +IMG_0001\.jpg +$L/Foto/JPG/Příroda/2024 *$"
tui_keys G
tui_wait "(batch b"
tui_keys Enter
tui_wait "Re-editing IMG_0001.jpg"
tui_wait "$NEW"
tui_type " Znovu."
tui_keys C-s
tui_wait "Saved the new description of IMG_0001.jpg."
[ "$(entries)" = "1	$NEW Znovu." ] || fail "after the second re-edit: $(entries)"
tui_keys F10
rc=$(tui_wait_exit)
[ "$rc" = 0 ] || { tui__dump; fail "exit status $rc (a sanitizer's report fails it)"; }
exit 0
