#!/bin/sh
# contrib_units.sh: the systemd user units as built (contrib/systemd) pass
# `systemd-analyze verify`, pointed at the built program and man pages; the
# key is never in them.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
command -v systemd-analyze >/dev/null 2>&1 || skip_missing "systemd-analyze (apt-get install systemd)"
sb_tmpdir
svc=$top_builddir/contrib/systemd/stockbatch-run.service
timer=$top_srcdir/contrib/systemd/stockbatch-run.timer
[ -f "$svc" ] || fail "$svc is not built"
mkdir -m 700 "$SB_TMP/units" "$SB_TMP/run"
mkdir -p "$SB_TMP/man/man1" "$SB_TMP/man/man5"
cp "$top_builddir/man/stockbatch.1" "$SB_TMP/man/man1/"
cp "$top_builddir/man/stockbatch.conf.5" "$SB_TMP/man/man5/"
bin=$(sed -n 's/^ExecStart=\([^ ]*\) .*/\1/p' "$svc" | sort -u)
check_eq "$(echo "$bin" | wc -l)" 1 "one program in ExecStart="
sed "s|$bin|$STOCKBATCH_BIN|" "$svc" >"$SB_TMP/units/stockbatch-run.service"
cp "$timer" "$SB_TMP/units/"
XDG_RUNTIME_DIR=$SB_TMP/run MANPATH=$SB_TMP/man \
	systemd-analyze --user verify "$SB_TMP/units/stockbatch-run.service" "$SB_TMP/units/stockbatch-run.timer" \
	>"$SB_TMP/verify.out" 2>&1 || fail "systemd-analyze verify: $(cat "$SB_TMP/verify.out")"
[ -s "$SB_TMP/verify.out" ] && fail "systemd-analyze verify: $(cat "$SB_TMP/verify.out")"
# retrieve then send, one shot; still-out batches (4) are no failure
check_eq "$(sed -n 's/^ExecStart=[^ ]* //p' "$svc" | tr '\n' ' ')" "retrieve send " "retrieve, then send"
check_grep '^Type=oneshot$' "$svc" "a oneshot service"
check_grep '^SuccessExitStatus=4$' "$svc" "exit status 4 is success"
check_nogrep '^[^#]*(API_KEY|sk-)' "$svc" "a key in the unit"
# the same with the key from a credential
{ cat "$SB_TMP/units/stockbatch-run.service"; echo "LoadCredential=openai_api_key:%h/.config/stockbatch/openai.key"; } \
	>"$SB_TMP/units/cred.service"
XDG_RUNTIME_DIR=$SB_TMP/run MANPATH=$SB_TMP/man \
	systemd-analyze --user verify "$SB_TMP/units/cred.service" >"$SB_TMP/verify.out" 2>&1 ||
	fail "systemd-analyze verify with LoadCredential=: $(cat "$SB_TMP/verify.out")"
exit 0
