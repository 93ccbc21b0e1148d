#!/bin/sh
# completion.sh: the bash completion (contrib/completion/stockbatch)
# completes commands, a command's options, setting names and the batch ids of
# the library named on the line, all asked of the program itself; the zsh
# one at least loads where zsh is installed.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
command -v bash >/dev/null 2>&1 || skip "no bash"
sb_tmpdir
L=$SB_TMP/lib
sb_make_library "$L" 3
sb_config "$L" batch_size=5
P=$L/Foto/JPG/Příroda/2024
printf '%s\t%s\n' "$P/IMG_0001.jpg" \
	"Smrkový les v ranní mlze na úbočí kopce, světlo prosvítá mezi kmeny." >"$SB_TMP/d.tsv"
sb_run import "$SB_TMP/d.tsv"
check_rc 0 "import makes a collecting batch"
sb_run --json status
batch=$(sb_json "$SB_OUT" 'd["batches"][0]["id"]')
[ -n "$batch" ] || fail "no batch id in status --json"

# A bin directory with `stockbatch` in it, as installed.
mkdir -p "$SB_TMP/bin"
ln -s "$STOCKBATCH_BIN" "$SB_TMP/bin/stockbatch"
FILE=$top_srcdir/contrib/completion/stockbatch

complete_line()
{
	# complete_line WORD... : the last word is the one being completed
	PATH=$SB_TMP/bin:$PATH bash -c 'source "$1"; shift; COMP_WORDS=("$@");
		COMP_CWORD=$(($# - 1)); _stockbatch; echo "${COMPREPLY[*]}"' sh "$FILE" "$@"
}

check_eq "$(complete_line stockbatch pla)" "plan" "a command"
check_eq "$(complete_line stockbatch re)" "retrieve resume retry-failed report" "commands by prefix"
got=$(complete_line stockbatch retrieve --w)
check_eq "$got" "--wait" "retrieve's own option"
got=$(complete_line stockbatch status --w)
check_eq "$got" "" "--wait is not offered after status"
got=$(complete_line stockbatch send --a)
check_eq "$got" "--agencies --all" "send's --all with the global --agencies"
got=$(complete_line stockbatch --set batch_s)
check_eq "$got" "batch_size=" "a setting's name"
got=$(complete_line stockbatch --provider g)
check_eq "$got" "gemini" "a provider"
got=$(complete_line stockbatch --config "$SB_CONF" report "")
check_eq "$got" "$batch" "a batch id of the library on the line"
got=$(complete_line stockbatch --config "$SB_CONF" cancel "${batch%?}")
check_eq "$got" "$batch" "a batch id by prefix"
got=$(complete_line stockbatch help exp)
check_eq "$got" "export export-agency" "help's commands"
PATH=$SB_TMP/bin:$PATH bash -c 'source "$1"; complete -p stockbatch' sh "$FILE" \
	| grep -q -- '-F _stockbatch stockbatch' || fail "complete -p stockbatch"

if command -v zsh >/dev/null 2>&1; then
	zsh -fc 'autoload -Uz compinit; compinit -u -D; fpath=("$1" $fpath); autoload -Uz _stockbatch;
		whence -w _stockbatch' sh "$top_srcdir/contrib/completion" >/dev/null ||
		fail "the zsh completion does not load"
	zsh -n "$top_srcdir/contrib/completion/_stockbatch" || fail "zsh -n _stockbatch"
fi
exit 0
