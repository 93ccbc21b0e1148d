#!/bin/sh
# The Czech translation is complete and clean, and every source file that
# marks strings for translation is listed in po/POTFILES.in.
set -eu
cd "$top_srcdir"
stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null po/cs.po 2>&1) || {
	echo "msgfmt --check failed: $stats"; exit 1; }
echo "po/cs.po: $stats"
case $stats in
*untranslated* | *fuzzy*) echo "po/cs.po is incomplete: $stats"; exit 1 ;;
esac
missing=0
for f in $(grep -lE '\b(_|N_|P_)\("' src/*.c src/*/*.c cli/*.c tui/*.c); do
	grep -qx "$f" po/POTFILES.in || { echo "$f has translatable strings but is not in po/POTFILES.in"; missing=1; }
done
# every msgid in the sources is in cs.po (the catalogue is not stale)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
xgettext --keyword=_ --keyword=N_ --keyword=P_:1,2 --from-code=UTF-8 --add-comments -o "$tmp/sb.pot" \
	$(grep -v '^#' po/POTFILES.in)
msgcmp --use-untranslated po/cs.po "$tmp/sb.pot" || { echo "po/cs.po lacks strings of the sources: run make -C po update-po and translate"; missing=1; }
exit $missing
