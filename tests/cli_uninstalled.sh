#!/bin/sh
# cli_uninstalled.sh: the program run from the build tree, as .ci/demo runs
# it, finds its own translations (locale/ made by the build) and data (data/)
# without `make install` and without STOCKBATCH_LOCALEDIR or STOCKBATCH_DATADIR.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
locale -a 2>/dev/null | grep -qi '^cs_CZ\.utf-*8$' || skip_missing "the cs_CZ.UTF-8 locale (apt-get install locales; locale-gen cs_CZ.UTF-8)"
[ -f "$top_builddir/locale/cs/LC_MESSAGES/stockbatch.mo" ] ||
	fail "the build made no locale/cs/LC_MESSAGES/stockbatch.mo beside the program"
sb_tmpdir

bin=$top_builddir/stockbatch
env -u STOCKBATCH_LOCALEDIR -u STOCKBATCH_DATADIR -u LANGUAGE LANG=cs_CZ.UTF-8 LC_ALL=cs_CZ.UTF-8 \
	"$bin" --help >"$SB_TMP/help.out" 2>"$SB_TMP/help.err" || fail "--help under cs_CZ"
check_grep '^Použití: stockbatch ' "$SB_TMP/help.out" "the uninstalled build speaks Czech"

# The data: doctor names the build tree's data directory and finds the lists there.
printf 'media_csv = %s/none.csv\n' "$SB_TMP" >"$SB_TMP/stockbatch.conf"
env -u STOCKBATCH_LOCALEDIR -u STOCKBATCH_DATADIR LC_ALL=C.UTF-8 HOME="$SB_TMP" \
	"$bin" --config "$SB_TMP/stockbatch.conf" doctor >"$SB_TMP/doctor.out" 2>&1
check_grep "ok .*data directory $top_builddir/data\$" "$SB_TMP/doctor.out" "the uninstalled build uses its own data"
exit 0
