#!/bin/sh
# tui_settings.sh: i in the batch view shows the settings in effect,
# read-only, each with where it came from: the configuration file and its
# line, the command-line option, or the default; the pager searches them.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
tui_library 2 batch_size=7

tui_start --set min_description=40
tui_resize 120 40
tui_wait "File: IMG_0001.jpg"
tui_keys Tab
tui_wait "Batches ("
tui_keys i
tui_wait "Settings in effect (read-only)"
tui_keys /
tui_type "batch_size"
tui_keys Enter
line=$(grep -n '^batch_size *= *7$' "$SB_CONF" | cut -d: -f1)
[ -n "$line" ] || fail "the test's config has no batch_size line"
tui_wait "batch_size = 7   [$SB_CONF:$line]"
tui_keys /
tui_type "min_description"
tui_keys Enter
tui_wait "min_description = 40   [option --set]"
tui_keys /
tui_type "jpeg_quality"
tui_keys Enter
tui_wait "jpeg_quality = 90   [default]"
tui_keys q
tui_wait_gone "Settings in effect"
tui_keys F10
tui_wait_exit >/dev/null
exit 0
