#!/bin/sh
# cli_lock.sh: a second instance on the same library gets a clear message
# naming the holder's pid and exit status 3; read-only commands still work.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
sb_tmpdir
sb_make_library "$SB_TMP/lib" 2
sb_config "$SB_TMP/lib"
mkdir -p "$SB_TMP/lib/.stockbatch"
# The holder: a process with an fcntl lock on STATE_DIR/lock holding its pid.
sb_hold_lock "$SB_TMP/lib/.stockbatch"
holder=$SB_LOCK_PID
printf '%s\t%s\n' "$SB_TMP/lib/Foto/JPG/Příroda/2024/IMG_0001.jpg" \
	"Smrkový les v ranní mlze na úbočí kopce, světlo prosvítá mezi kmeny." >"$SB_TMP/d.tsv"
for cmd in "import $SB_TMP/d.tsv" "send" "retrieve --wait 0" "pause b1" "retry-failed" "cleanup"; do
	# shellcheck disable=SC2086
	sb_run $cmd
	[ "$SB_RC" = 3 ] || { kill $holder; fail "$cmd under a held lock: exit $SB_RC, want 3"; }
	grep -q "already running on this library (pid $holder)" "$SB_ERR" ||
		{ kill $holder; fail "$cmd: the message does not name pid $holder"; }
done
# Reading is allowed while another instance works.
sb_run status
[ "$SB_RC" = 0 ] || { kill $holder; fail "status under a held lock: exit $SB_RC"; }
kill $holder
wait $holder 2>/dev/null
# Lock released: import works now.
sb_run import "$SB_TMP/d.tsv"
check_rc 0 "import after the holder quit"
echo "cli_lock: ok"
