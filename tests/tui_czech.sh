#!/bin/sh
# tui_czech.sh: the full-screen program speaks Czech under a Czech locale:
# the title line, the facts, the editor's counter and status messages, both
# key bars, the help screen, and --help, read from the translations of
# po/cs.po (compiled here, or the built cs.gmo).  Skips without cs_CZ.UTF-8.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

locale -a 2>/dev/null | grep -qi '^cs_CZ\.utf-*8$' || skip_missing "the cs_CZ.UTF-8 locale (apt-get install locales; locale-gen cs_CZ.UTF-8)"

# A private locale dir: the current po/cs.po if msgfmt is here, else a built .gmo.
sb_tmpdir
LOC=$SB_TMP/locale
mkdir -p "$LOC/cs/LC_MESSAGES"
MO=$LOC/cs/LC_MESSAGES/stockbatch.mo
if command -v msgfmt >/dev/null 2>&1; then
	msgfmt -o "$MO" "$top_srcdir/po/cs.po" || fail "msgfmt cannot compile po/cs.po"
elif [ -f "$top_builddir/po/cs.gmo" ]; then
	cp "$top_builddir/po/cs.gmo" "$MO"
elif [ -f "$top_srcdir/po/cs.gmo" ]; then
	cp "$top_srcdir/po/cs.gmo" "$MO"
else
	skip_missing "no msgfmt and no built cs.gmo (apt-get install gettext)"
fi
STOCKBATCH_LOCALEDIR=$LOC
LANG=cs_CZ.UTF-8
LC_ALL=cs_CZ.UTF-8
LANGUAGE=
export STOCKBATCH_LOCALEDIR LANG LC_ALL LANGUAGE

. "$top_srcdir/tests/tui_lib.sh"
sb_start_fake
L=$SB_TMP/lib
sb_make_library "$L" 3
sb_config "$L" batch_size=2 min_description=50 budget=1.5 poll_interval=1

# The command line first: usage in Czech, and a decimal budget is accepted
# under a locale whose decimal separator is a comma.
sb_run --help
check_rc 0 "exit status of --help"
check_grep '^Použití: ' "$SB_OUT" "--help is not in Czech"
check_grep 'zobrazit tuto nápovědu a skončit' "$SB_OUT" "--help lacks the Czech option text"
sb_run status
check_rc 0 "status with budget=1.5 under cs_CZ"
check_grep '^Adresář stavu: ' "$SB_OUT" "status is not in Czech"

tui_start
tui_wait "[DÁVKOVÝ REŽIM] Sběr popisů (0/2)"
tui_wait "fotka 1/"
tui_wait "Soubor: IMG_0001.jpg"
tui_wait "Rozměr:"
tui_wait "0/50 znaků minimum"
tui_wait " Popis "
tui_wait "F1 Pomoc  F10 Konec  ^S Ulož  ^N Přeskoč"
# A refused save explains itself in Czech, with the count.
tui_type "Krátký popis, ěščřžýáíé"
tui_wait "23/50 znaků minimum"
tui_keys C-s
tui_wait "Neuloženo: popis má 23 znaků, potřeba je aspoň 50."
# The batch panes and their key bar.
tui_keys Tab
tui_wait "? Pomoc  q Konec  p Pauza  r Obnov"
tui_wait " Dávky (0) "
tui_wait "Zatím žádná dávka"
# The help screen.
tui_keys F1
tui_wait "Klávesy"
tui_wait "uložit popis a zobrazit další fotku"
tui_keys Escape
tui_wait_gone "Klávesy"

# Translated state names keep the registry's columns: three saves make a
# batch of two (sent, then "hotová") and one collecting; paused, the second
# reads "pozastavena" (11 letters, 12 bytes): the provider column must start
# at the same screen column on both rows (printf's %-10s pads bytes, not
# letters, and used to shift it).
tui_keys Tab
tui_type " a tady je konec dlouhého popisu fotky."
tui_wait "62/50 znaků minimum"
tui_keys C-s
tui_wait "Soubor: IMG_0002.jpg"
tui_type "Louka plná žlutých pampelišek pod modrou oblohou, v dálce les."
tui_keys C-s
tui_wait "Soubor: IMG_0003.jpg"
tui_type "Třetí fotka: tráva ve větru, ranní rosa na lesklých listech."
tui_keys C-s
tui_keys Tab
tui_wait "hotová" 90
tui_keys Up Up
tui_keys p
tui_wait "pozastavena"
tui_screen >"$SB_TMP/registry.txt"
"$PYTHON3" - "$SB_TMP/registry.txt" <<'PY' || { cat "$SB_TMP/registry.txt" >&2; fail "the registry's columns shift with the Czech state names"; }
import sys
rows = [l for l in open(sys.argv[1], encoding="utf-8") if "openai" in l and ("hotová" in l or "pozastavena" in l)]
cols = {l.index("openai") for l in rows}
assert len(rows) == 2 and len(cols) == 1, (rows, cols)
PY
tui_keys F10
rc=$(tui_wait_exit 30)
check_eq "$rc" 0 "exit status of F10"
exit 0
