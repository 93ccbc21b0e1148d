#!/bin/sh
# contrib_cron.sh: headless use.  The cron wrapper (contrib/cron/stockbatch-
# cron) does nothing when the folder cannot be entered, runs retrieve then
# send, passes the exit statuses through, and gives stockbatch the key file
# (-k) so that the key is never in cron's environment; a real round against
# the fake prints plain lines (no progress-bar control characters without a
# terminal).  The key from a systemd credential ($CREDENTIALS_DIRECTORY).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
sb_tmpdir
CRON=$top_builddir/contrib/cron/stockbatch-cron
[ -x "$CRON" ] || fail "$CRON is not built"

# 1. A stand-in program records the commands it is given and exits as told
#    ($RC_retrieve, $RC_send).
stub=$SB_TMP/stub
cat >"$stub" <<'EOF'
#!/bin/sh
for a in "$@"; do
	case $a in retrieve | send) cmd=$a ;; esac
done
echo "$cmd $*" >>"$SB_TMP/calls"
eval "exit \${RC_$cmd:-0}"
EOF
chmod +x "$stub"
cron_case()
{
	# RC_RETRIEVE RC_SEND WANT_STATUS WANT_COMMANDS WHAT
	: >"$SB_TMP/calls"
	rc=0
	RC_retrieve=$1 RC_send=$2 STOCKBATCH=$stub "$CRON" "$SB_TMP" >"$SB_TMP/cron.out" 2>&1 || rc=$?
	check_eq "$rc" "$3" "$5: the wrapper's exit status"
	check_eq "$(cut -d' ' -f1 "$SB_TMP/calls" | tr '\n' ' ')" "$4" "$5: the commands run"
}
cron_case 0 0 0 "retrieve send " "all done"
cron_case 4 0 4 "retrieve send " "batches still out"
cron_case 5 0 5 "retrieve send " "some items failed"
cron_case 4 1 1 "retrieve send " "send fails"
cron_case 3 0 3 "retrieve " "another stockbatch holds the library"
cron_case 1 0 1 "retrieve " "retrieve fails"
check_grep 'retrieve failed \(exit status 1\): send not run' "$SB_TMP/cron.out" "why send did not run"

: >"$SB_TMP/calls"
rc=0
STOCKBATCH=$stub "$CRON" "$SB_TMP/nowhere" >"$SB_TMP/cron.out" 2>&1 || rc=$?
check_eq "$rc" 1 "a folder that cannot be entered: exit status"
[ -s "$SB_TMP/calls" ] && fail "the wrapper ran stockbatch although cd failed"
check_grep "cannot enter $SB_TMP/nowhere: nothing done" "$SB_TMP/cron.out" "the cd failure said"
rc=0
STOCKBATCH=$stub "$CRON" >"$SB_TMP/cron.out" 2>&1 || rc=$?
check_eq "$rc" 2 "no folder: usage"
check_grep '^usage: stockbatch-cron ' "$SB_TMP/cron.out" "the usage line"

: >"$SB_TMP/calls"
(cd "$SB_TMP" && STOCKBATCH=$stub "$CRON" -k key "$SB_TMP" -q >/dev/null 2>&1) || fail "the wrapper with -k"
check_grep "^retrieve --set key_file=$SB_TMP/key -q retrieve\$" "$SB_TMP/calls" "-k: the key file (absolute) and the options"

# 2. A real round against the fake: the key in a key file only.
sb_start_fake --step 0.05 --seed 5
L=$SB_TMP/lib
sb_make_library "$L" 4
sb_config "$L" batch_size=2 rpm=6000
unset OPENAI_API_KEY GEMINI_API_KEY
P=$L/Foto/JPG/Příroda/2024
for i in 1 2 3 4; do
	printf '%s\tFotka %s: smrkový les v ranní mlze na úbočí kopce, světlo mezi kmeny.\n' "$P/IMG_000$i.jpg" "$i"
done >"$SB_TMP/a.tsv"
sb_run import "$SB_TMP/a.tsv"
check_rc 0 "import"
printf 'sk-test-fake\n' >"$SB_TMP/key"
chmod 600 "$SB_TMP/key"
plain()
{
	# no carriage return, no escape sequence
	LC_ALL=C tr -d '\r\033' <"$1" | cmp -s - "$1" || fail "$2: control characters in the output"
}
rc=0
STOCKBATCH=$STOCKBATCH_BIN "$CRON" -k "$SB_TMP/key" "$L" --config "$SB_CONF" >"$SB_TMP/round1.out" 2>&1 || rc=$?
check_eq "$rc" 0 "the first round (nothing to retrieve, two batches sent)"
check_grep 'stockbatch-cron: retrieve in ' "$SB_TMP/round1.out" "the wrapper's line"
check_grep '^Batches: 2 sent' "$SB_TMP/round1.out" "send's summary"
plain "$SB_TMP/round1.out" "the first round"
rc=0
STOCKBATCH=$STOCKBATCH_BIN "$CRON" -k "$SB_TMP/key" "$L" --config "$SB_CONF" >"$SB_TMP/round2.out" 2>&1 || rc=$?
case $rc in 0 | 4) ;; *) fail "the second round: exit status $rc: $(cat "$SB_TMP/round2.out")" ;; esac
plain "$SB_TMP/round2.out" "the second round"
check_nogrep 'sk-test-fake' "$SB_TMP/round1.out" "the key in the output"

# 3. A systemd credential (LoadCredential=openai_api_key:PATH in the unit).
mkdir -m 700 "$SB_TMP/creds"
printf 'sk-test-fake\n' >"$SB_TMP/creds/openai_api_key"
CREDENTIALS_DIRECTORY=$SB_TMP/creds
export CREDENTIALS_DIRECTORY
sb_run doctor
check_rc 0 "doctor with the key from a credential"
check_grep "API key from the systemd credential $SB_TMP/creds/openai_api_key" "$SB_OUT" "where the key came from"
: >"$SB_TMP/creds/openai_api_key"
sb_run doctor
check_rc 1 "doctor with an empty credential"
check_grep 'holds no openai key' "$SB_OUT" "the empty credential named"
exit 0
