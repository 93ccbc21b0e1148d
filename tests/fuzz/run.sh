#!/bin/sh
# run.sh: build every fuzz target with clang's libFuzzer (+ASan+UBSan) against
# the project's sources and fuzz each for SECONDS.
#
#   tests/fuzz/run.sh SECONDS [BUILD_DIR]
#
# BUILD_DIR holds config.h (a configured build dir; default $BUILD_DIR, else
# ./ when it has config.h).  Environment: FUZZ_OUT work dir (default
# /tmp/stockbatch-fuzz: binaries, grown corpora, crash artifacts, logs),
# FUZZ_TARGETS (default: all), FUZZ_JOBS targets fuzzed at once (default 1),
# CLANG (default clang), FUZZ_KEEP_GOING=1 (default) fuzzes on after a crash
# (libFuzzer fork mode) so one known bug does not end a campaign.  The seed
# corpora in tests/fuzz/corpus are read, never written.  Exit status 1 if any
# target crashed during this run (new artifacts are listed).
set -eu
secs=${1:?usage: run.sh SECONDS [BUILD_DIR]}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${2:-${BUILD_DIR:-.}}
[ -f "$build/config.h" ] || { echo "run.sh: no config.h in '$build': pass a configured build dir" >&2; exit 2; }
build=$(cd "$build" && pwd)
out=${FUZZ_OUT:-/tmp/stockbatch-fuzz}
clang=${CLANG:-clang}
jobs=${FUZZ_JOBS:-1}
targets=${FUZZ_TARGETS:-"meta categories mediacsv exif settings openai_result gemini_result tsv provider_answer"}
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"

if ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n){return 0;}' |
	"$clang" -x c -fsanitize=fuzzer - -o /dev/null 2>/dev/null; then
	echo "run.sh: $clang cannot link -fsanitize=fuzzer (install clang with libFuzzer)" >&2
	exit 77
fi

mkdir -p "$out/obj" "$out/bin"
cflags="-g -O1 -std=gnu11 -pthread -I$src/src -I$build -DPKGDATADIR=\"$src/data\" \
 -DLOCALEDIR=\"/nonexistent\" -DBINDIR=\"/nonexistent\" -DFUZZ_DATADIR=\"$src/data\" \
 $(pkg-config --cflags json-c libcurl libturbojpeg libarchive exempi-2.0 libiptcdata \
 libpng libtiff-4 libheif libraw_r 2>/dev/null)"
# libraw's .pc asks for -fopenmp, which clang cannot link without libomp;
# libraw_r.so already names its OpenMP runtime.
libs="$(pkg-config --libs json-c libcurl libturbojpeg libarchive exempi-2.0 libiptcdata \
 libpng libtiff-4 libheif libraw_r 2>/dev/null | sed 's/-fopenmp//g') -lcsv -lunistring -lm -pthread"

# The core library once, instrumented for coverage (fuzzer-no-link).
echo "building the core library with $clang..."
objs=""
for f in "$src"/src/*.c "$src"/src/*/*.c; do
	[ -f "$f" ] || continue
	o="$out/obj/$(echo "${f#"$src"/src/}" | tr / _ | sed 's/\.c$//').o"
	if [ ! -f "$o" ] || [ "$f" -nt "$o" ]; then
		# shellcheck disable=SC2086
		"$clang" $cflags -fsanitize=fuzzer-no-link $san -c "$f" -o "$o"
	fi
	objs="$objs $o"
done
rm -f "$out/libsb.a"
# shellcheck disable=SC2086
ar rcs "$out/libsb.a" $objs

for t in $targets; do
	# shellcheck disable=SC2086
	"$clang" $cflags -fsanitize=fuzzer $san "$here/fuzz_$t.c" "$out/libsb.a" $libs -o "$out/bin/fuzz_$t"
done

keep=""
[ "${FUZZ_KEEP_GOING:-1}" = 1 ] && keep="-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1"
stamp="$out/.stamp"
: >"$stamp"
run_one() {
	t=$1
	mkdir -p "$out/corpus/$t" "$out/artifacts/$t"
	# shellcheck disable=SC2086
	STOCKBATCH_DATADIR="$src/data" UBSAN_OPTIONS=print_stacktrace=1 \
		"$out/bin/fuzz_$t" -max_total_time="$secs" -timeout=10 -max_len=16384 $keep \
		-print_final_stats=1 -artifact_prefix="$out/artifacts/$t/" \
		"$out/corpus/$t" "$here/corpus/$t" >"$out/$t.log" 2>&1 || true
}

echo "fuzzing $targets for ${secs}s each, $jobs at a time (logs in $out)"
running=0
for t in $targets; do
	run_one "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait
		running=0
	fi
done
wait

status=0
printf '%-16s %12s %10s %8s\n' target execs exec/s crashes
for t in $targets; do
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$out/$t.log" | tail -n 1)
	if [ -z "$execs" ]; then # fork mode: "#N: cov: ... exec/s: R ..."
		execs=$(sed -n 's/^#\([0-9]*\): cov.*/\1/p' "$out/$t.log" | tail -n 1)
		rate=$(sed -n 's/^#[0-9]*: cov.*exec\/s:* *\([0-9]*\).*/\1/p' "$out/$t.log" | tail -n 1)
	fi
	crashes=$(find "$out/artifacts/$t" -type f -newer "$stamp" | wc -l)
	printf '%-16s %12s %10s %8s\n' "$t" "${execs:-?}" "${rate:-?}" "$crashes"
	if [ "$crashes" -gt 0 ]; then
		status=1
		find "$out/artifacts/$t" -type f -newer "$stamp" | sed 's/^/    /'
		grep -h -E 'runtime error|ERROR: AddressSanitizer|invariant failed' "$out/$t.log" |
			sort | uniq -c | sed 's/^/    /'
	fi
done
exit $status
