#!/bin/sh
# fuzz_smoke.sh: replay every fuzz target's seed corpus (no fuzzing) through
# the targets built by `make check` with the standalone driver
# (tests/fuzz/standalone.c).  It runs in every pass, so the sanitized pass
# replays the corpora under ASan+UBSan; libFuzzer itself is only needed by
# tests/fuzz/run.sh for real campaigns.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
status=0
tmp=$(mktemp -d /tmp/fuzz_smoke.XXXXXX) || exit 99
trap 'rm -rf "$tmp"' EXIT
for t in meta categories mediacsv exif settings openai_result gemini_result tsv provider_answer; do
	bin="$top_builddir/tests/fuzz/fuzz_$t"
	corpus="$top_srcdir/tests/fuzz/corpus/$t"
	if [ ! -x "$bin" ]; then
		echo "FAIL: $bin was not built"
		status=1
		continue
	fi
	if [ -z "$(ls "$corpus" 2>/dev/null)" ]; then
		echo "FAIL: empty seed corpus $corpus"
		status=1
		continue
	fi
	if "$bin" "$corpus" >"$tmp/$t.out" 2>&1; then
		echo "ok: $t ($(tail -n 1 "$tmp/$t.out"))"
	else
		echo "FAIL: $t crashed or broke an invariant; output follows"
		tail -n 40 "$tmp/$t.out"
		status=1
	fi
done
exit $status
