#!/bin/sh
# cli_basic.sh: --help, --version, usage errors (exit 2 with the hint), and
# configuration errors that name the file and the line.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
sb_tmpdir

# --help: GNU layout, exit 0, on stdout.
sb_run --help
check_rc 0 "--help"
for w in '^Usage: stockbatch ' '^Options:' '^Commands:' '^Exit status:' '^See stockbatch\(1\)' \
	'--config FILE' '--set KEY=VALUE' 'retrieve' 'import FILE.tsv' '^  130 '; do
	check_grep "$w" "$SB_OUT" "--help lists $w"
done
[ -s "$SB_ERR" ] && fail "--help wrote to stderr"
check_nogrep 'localhost' "$SB_OUT" "--help: no unreachable bug-report address"
sb_run -h
check_rc 0 "-h"
check_grep '^Usage:' "$SB_OUT" "-h"

# COMMAND --help, and "help COMMAND": that command's help from the command
# table, on stdout, exit 0, without reading the configuration.
cmds=$(sed -n '/^Commands:/,/^$/p' "$SB_OUT" | grep -E '^  [a-z-]+( |$)' | awk '{print $1}')
[ "$(echo $cmds | wc -w)" -eq 16 ] || fail "--help lists 16 commands, got: $cmds"
for c in $cmds; do
	sb_run "$c" --help
	check_rc 0 "$c --help"
	check_grep "^Usage: stockbatch \[OPTION\]\.\.\. $c( |\$)" "$SB_OUT" "$c --help: its usage line"
	[ "$(wc -l <"$SB_OUT")" -ge 5 ] || fail "$c --help: a summary and a paragraph"
	check_nogrep '^Commands:' "$SB_OUT" "$c --help: not the whole program's help"
	[ -s "$SB_ERR" ] && fail "$c --help wrote to stderr"
done
sb_run help import
check_rc 0 "help import"
check_grep '^Usage: stockbatch \[OPTION\]\.\.\. import FILE\.tsv' "$SB_OUT" "help import"
check_grep 'path<TAB>description' "$SB_OUT" "help import: the format"
sb_run retrieve --help
check_grep '^Options:' "$SB_OUT" "retrieve --help: its own options"
check_grep '--wait SECONDS +keep polling' "$SB_OUT" "retrieve --help: --wait"
check_nogrep '--output' "$SB_OUT" "retrieve --help: not export's option"
sb_run export --help
check_grep '-o, --output FILE' "$SB_OUT" "export --help: --output"
sb_run --config /nonexistent/x.conf send --help
check_rc 0 "send --help without a readable config"
check_grep '--all +also send' "$SB_OUT" "send --help: --all"
check_grep '--yes' "$SB_OUT" "send --help: --yes"
sb_run help
check_rc 0 "help"
check_grep '^Commands:' "$SB_OUT" "help alone: the whole program's help"
sb_run frobnicate --help
check_rc 0 "--help after an unknown word"
check_grep '^Commands:' "$SB_OUT" "--help after an unknown word: the whole help"

# --version: first line "stockbatch X.Y.Z", the license line; with -v the
# libraries' versions too.
sb_run --version
check_rc 0 "--version"
check_eq "$(head -n 1 "$SB_OUT")" "stockbatch $(sed -n 's/^AC_INIT(\[stockbatch\], \[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")" \
	"--version first line"
check_nogrep '^Libraries:' "$SB_OUT" "--version without -v: no libraries"
check_nogrep 'localhost' "$SB_OUT" "--version: no unreachable bug-report address"
check_grep '^License GPLv3\+' "$SB_OUT" "--version license line"
check_grep 'NO WARRANTY' "$SB_OUT" "--version warranty line"
sb_run -v --version
check_rc 0 "-v --version"
for lib in libcurl json-c libcsv libunistring libjpeg-turbo libarchive chafa ncurses; do
	check_grep "^  $lib [0-9]" "$SB_OUT" "-v --version: $lib and its version"
done

# Usage errors: exit 2, the message, and "Try 'stockbatch --help'".
usage_case()
{
	want=$1
	shift
	sb_run "$@"
	check_rc 2 "stockbatch $*"
	check_grep "$want" "$SB_ERR" "stockbatch $*: message"
	check_grep "Try 'stockbatch --help'" "$SB_ERR" "stockbatch $*: hint"
}
sb_make_library "$SB_TMP/lib" 2
sb_config "$SB_TMP/lib"
usage_case 'unrecognized option' --no-such-option status
usage_case "unknown command 'frobnicate'" frobnicate
usage_case "'cancel' needs BATCH" cancel
usage_case "'status' takes no arguments" status extra
usage_case "'report' takes only" report b1 b2
usage_case '--wait goes with' status --wait 5
usage_case 'number of seconds' retrieve --wait soon
usage_case 'KEY=VALUE' --set batch_size status
usage_case '--output goes with' plan -o x.tar
usage_case 'requires an argument' status --csv

# Bad values given as options: exit 2, naming the option.
sb_run --batch-size lots status
check_rc 2 "--batch-size lots"
check_grep 'batch-size' "$SB_ERR" "--batch-size lots names the option"
sb_run --set no_such_key=1 status
check_rc 2 "--set unknown key"
check_grep 'no_such_key' "$SB_ERR" "--set unknown key names it"

# Config errors: exit 2, "FILE:LINE:" of the bad line.
bad=$SB_TMP/bad.conf
printf '# a comment\n\nbatch_size = 10\nno_such_setting = 1\n' >"$bad"
good_conf=$SB_CONF
SB_CONF=$bad
sb_run status
check_rc 2 "unknown key in the config"
check_grep "bad.conf:4" "$SB_ERR" "config error names file and line"
check_grep 'no_such_setting' "$SB_ERR" "config error names the key"
printf 'batch_size = 10\njpeg_quality = 500\n' >"$bad"
sb_run status
check_rc 2 "bad value in the config"
check_grep "bad.conf:2" "$SB_ERR" "bad value names file and line"
SB_CONF=$SB_TMP/does-not-exist.conf
sb_run status
check_rc 2 "--config of a missing file"
check_grep 'does-not-exist.conf' "$SB_ERR" "missing config named"

# Options over the config file (--csv here; import checks --batch-size).
SB_CONF=$good_conf
sb_run --csv "$SB_TMP/lib/PhotoMedia.csv" --batch-size 3 status --json
check_rc 0 "status with options"
check_grep '"media_csv"' "$SB_OUT" "status --json"
# --help wins over a broken config (the user is looking for help).
SB_CONF=$bad
sb_run --help
check_rc 0 "--help with a broken config"
echo "cli_basic: ok"
