#!/bin/sh
# provider_doctor.sh: `stockbatch doctor` against the fake: all checks pass
# with the right key; a refused key fails naming the variable, never the key;
# a group-readable key file is refused.
. "$top_srcdir/tests/lib.sh"
sb_start_fake
sb_make_library "$SB_TMP/lib" 2
sb_config "$SB_TMP/lib"
sb_run doctor
if [ "$SB_RC" = 2 ] && grep -q "unknown command" "$SB_ERR"; then
	skip "the doctor command is not wired into the CLI yet"
fi
check_rc 0 "doctor with the fake and the right key"
check_grep "All checks passed" "$SB_OUT" "doctor's summary"
check_nogrep "sk-test-fake" "$SB_OUT" "the key on stdout"
check_nogrep "sk-test-fake" "$SB_ERR" "the key on stderr"

OPENAI_API_KEY=sk-refused-DOCTORSH-777
export OPENAI_API_KEY
sb_run doctor
check_rc 1 "doctor with a refused key"
check_grep "OPENAI_API_KEY" "$SB_OUT" "the variable to set"
check_nogrep "DOCTORSH" "$SB_OUT" "the refused key on stdout"
check_nogrep "DOCTORSH" "$SB_ERR" "the refused key on stderr"

unset OPENAI_API_KEY
printf 'sk-test-fake\n' >"$SB_TMP/key"
chmod 644 "$SB_TMP/key"
echo "key_file = $SB_TMP/key" >>"$SB_CONF"
sb_run doctor
check_rc 1 "doctor with a world-readable key file"
check_grep "chmod 600" "$SB_OUT" "how to fix the key file"
chmod 600 "$SB_TMP/key"
sb_run doctor
check_rc 0 "doctor with a 0600 key file"
check_grep "key file" "$SB_OUT" "where the key came from"
