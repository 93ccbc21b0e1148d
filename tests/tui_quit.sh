#!/bin/sh
# tui_quit.sh: Ctrl+C asks before quitting (as mutt does; no keeps the
# text, yes quits with the draft kept) and says what happens to batches out
# at the provider; Ctrl+Z suspends with the terminal given back and resumes
# with the screen drawn again and the keys working.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
# slow status steps: the batch stays out at the provider until the quit
sb_start_fake --step 30
L=$SB_TMP/lib
sb_make_library "$L" 3
sb_config "$L" batch_size=1 poll_interval=1
STATE=$L/.stockbatch

tui_start
tui_wait "File: IMG_0001.jpg"
tui_type "Smrkový les"
tui_keys C-c
tui_wait "Quit stockbatch? Your unsaved text is kept as a draft."
tui_keys n
tui_wait "Nothing done."
tui_type " v mlze"
tui_wait "Smrkový les v mlze"

# Ctrl+Z: stopped, the screen given back to the shell; on fg the screen is
# whole again and typing goes on.  A shell with job control runs it (in a
# process group of its own, as a login shell would: the kernel does not
# stop an orphaned one).
tui_keys F10
tui_wait_exit >/dev/null
$TUI_TM kill-server >/dev/null 2>&1
tui_start_sh "sh -c 'set -m; \"$STOCKBATCH_BIN\" --config \"$SB_CONF\" 2>\"$SB_TMP/tui.err\"; while [ \$? = 148 ]; do echo SHELL-HAS-IT; read x; fg; done; echo \$? >\"$SB_TMP/tui.rc\"'"
tui_wait "Smrkový les v mlze"
tui_keys C-z
tui_wait "SHELL-HAS-IT"
tui_wait_gone "characters minimum"
tui_keys Enter
tui_wait "Smrkový les v mlze"
tui_wait "characters minimum"
tui_type " u potoka"
tui_wait "Smrkový les v mlze u potoka"

# A saved description fills a batch of one: it goes out.  Ctrl+C, y: the
# question says the batch goes on, the draft is kept.
tui_type " a pod kopcem, kde ranní světlo prosvítá mezi kmeny."
tui_keys C-s
tui_wait "File: IMG_0002.jpg"
tui_type "Druhá fotka"
tui_keys Tab
tui_wait " sent " 60
tui_keys C-c
tui_wait "out at the provider: it goes on there"
tui_keys y
rc=$(tui_wait_exit 30)
check_eq "$rc" 0 "exit status after Ctrl+C, y"
check_eq "$(tui_draft "$STATE")" "Druhá fotka" "the draft after Ctrl+C, y"
tui_wait "stockbatch: 1 batch is out at the provider"
exit 0
