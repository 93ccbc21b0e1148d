#!/bin/sh
# The man pages document every option of --help, every key of the TUI's key
# table and every setting, from the same tables the program uses; they carry
# the release's date.
set -eu
man1="$top_builddir/man/stockbatch.1"
man5="$top_builddir/man/stockbatch.conf.5"
[ -f "$man1" ] && [ -f "$man5" ] || { echo "man pages not built"; exit 1; }
bad=0
# groff escapes '-' as '\-'; compare on the unescaped text
plain1=$(sed 's/\\-/-/g; s/\\f[BIRP]//g' "$man1")
plain5=$(sed 's/\\-/-/g; s/\\f[BIRP]//g' "$man5")
for opt in $("$STOCKBATCH_BIN" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
	printf '%s\n' "$plain1" | grep -qF -- "$opt" || { echo "option $opt of --help is not in stockbatch(1)"; bad=1; }
done
for cmd in $("$STOCKBATCH_BIN" --help | sed -n '/^Commands:/,/^$/p' | awk 'NR>1 && $1 ~ /^[a-z-]+$/ {print $1}'); do
	printf '%s\n' "$plain1" | grep -qE -- "^\.?(B |SS )?$cmd\b|\\b$cmd\\b" || { echo "command $cmd is not in stockbatch(1)"; bad=1; }
done
"$STOCKBATCH_BIN" --list-keys | while IFS='	' read -r key ctx desc; do
	printf '%s\n' "$plain1" | grep -qF -- "$key" || { echo "key $key ($desc) is not in stockbatch(1)"; exit 1; }
done || bad=1
"$STOCKBATCH_BIN" --list-settings | while IFS='	' read -r key def help; do
	printf '%s\n' "$plain5" | grep -qF -- "$key" || { echo "setting $key is not in stockbatch.conf(5)"; exit 1; }
done || bad=1
# dated from the release (configure: SOURCE_DATE_EPOCH or debian/changelog),
# every placeholder filled in
for m in "$man1" "$man5"; do
	grep -qE '^\.TH [A-Z.]+ [15] "[0-9]{4}-[0-9]{2}-[0-9]{2}" "stockbatch [0-9]' "$m" ||
		{ echo "${m##*/}: .TH has no release date and version: $(grep '^\.TH' "$m")"; bad=1; }
	! grep -n '@[A-Za-z_]*@' "$m" || { echo "${m##*/}: a placeholder is left"; bad=1; }
done
exit $bad
