#!/bin/sh
# cli_json.sh: every command with --json on the sample library against the
# fake, and the errors, each checked against the shape the man page
# documents (tests/json_shape.py reads its JSON OUTPUT section): one
# document on stdout, "schema" first, every key with its type, costs and
# seconds rounded, every state counted; an error is {"error", "exit"} with
# the process's exit status.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
sb_tmpdir
sb_start_fake --step 0.05 --seed 7
L=$SB_TMP/lib
sb_make_library "$L" 4
sb_config "$L" batch_size=2 poll_interval=1 rpm=6000
P=$L/Foto/JPG/Příroda/2024
MAN=$top_srcdir/man/stockbatch.1.in
for i in 1 2 3; do
	printf '%s\tFotka číslo %s: smrkový les v ranní mlze na úbočí kopce, světlo mezi kmeny.\n' \
		"$P/IMG_000$i.jpg" "$i"
done >"$SB_TMP/a.tsv"

seen=
# shape WANT_RC SHAPE ARGS... (WANT_RC may be 0|5): run with --json, check the exit status and the shape
shape()
{
	want=$1 name=$2
	shift 2
	sb_run --json "$@"
	case "|$want|" in
	*"|$SB_RC|"*) ;;
	*) fail "stockbatch --json $*: exit $SB_RC, want $want" ;;
	esac
	if [ "$name" = error ]; then
		"$PYTHON3" "$top_srcdir/tests/json_shape.py" "$MAN" error "$SB_OUT" "$SB_RC" ||
			fail "stockbatch --json $*: the error object"
		[ -s "$SB_ERR" ] || fail "stockbatch --json $*: no message on stderr"
	else
		"$PYTHON3" "$top_srcdir/tests/json_shape.py" "$MAN" "$name" "$SB_OUT" ||
			fail "stockbatch --json $*: not the documented shape"
		seen="$seen $1"
	fi
}

shape 0 status status
shape 0 import import "$SB_TMP/a.tsv"
shape 0 plan plan
shape 0 "plan --models" plan --models
shape 0 status status
shape 0 send send
shape 0 retrieve retrieve --wait 60
shape 0 report report
shape 0 retry-failed retry-failed
shape "0|5" check check
shape 0 cleanup cleanup
shape 0 doctor doctor
sb_run --json status
b1=$(sb_json "$SB_OUT" '[b["id"] for b in d["batches"] if b["state"] == "completed"][0]')
b2=$(sb_json "$SB_OUT" '[b["id"] for b in d["batches"] if b["state"] in ("ready", "collecting")][-1]')
[ -n "$b1" ] && [ -n "$b2" ] || fail "status --json: no completed and waiting batches"
# costs and seconds as a reader wants them
check_eq "$(sb_json "$SB_OUT" 'd["states"]["completed"] >= 1 and d["states"]["expired"] == 0')" \
	True "states counted, zeros too"
check_eq "$(sb_json "$SB_OUT" 'd["batches"][0]["counts"]["dead"]')" 0 "file states counted, zeros too"
shape 0 report report "$b1"
shape 0 export export "$b1" -o "$SB_TMP/x.tar.gz"
shape 0 export-agency export-agency -o "$SB_TMP/upload"
shape 5 embed embed -o "$SB_TMP/embedded" # rows without metadata are left out: exit 5
shape 0 pause pause "$b2"
check_eq "$(sb_json "$SB_OUT" 'd["state"]')" "paused" "pause"
shape 0 resume resume "$b2"
shape 0 cancel cancel "$b2"
# a doctor that finds a fault still prints its checks (exit 1, ok false)
OPENAI_API_KEY=sk-bad-JSONKEY shape 1 doctor doctor
check_eq "$(sb_json "$SB_OUT" 'd["ok"]')" False "doctor with a refused key"
check_nogrep JSONKEY "$SB_OUT" "the key is never printed"

# every command of the table was run
for c in $("$STOCKBATCH_BIN" __complete commands); do
	[ "$c" = help ] && continue
	case " $seen " in
	*" $c "*) ;;
	*) fail "$c was not run with --json" ;;
	esac
done

# errors: usage (2), a failed command (1), a held lock (3)
shape 2 error frob
shape 2 error status extra
shape 2 error retrieve --wait soon
shape 2 error --bogus status
shape 2 error cancel
shape 1 error report nosuch
shape 1 error export nosuch
shape 1 error --state-dir "$SB_TMP/none" cancel nosuch
check_grep '"error":"no batch' "$SB_OUT" "the message in the object"
# a held lock (exit 3)
sb_hold_lock "$L/.stockbatch"
sb_run --json retry-failed
kill "$SB_LOCK_PID"
wait "$SB_LOCK_PID" 2>/dev/null
check_rc 3 "retry-failed under a held lock"
"$PYTHON3" "$top_srcdir/tests/json_shape.py" "$MAN" error "$SB_OUT" 3 ||
	fail "the held lock's error object"
echo "cli_json: ok"
