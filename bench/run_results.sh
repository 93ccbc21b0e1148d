#!/bin/sh
# run_results.sh: the result download and parsing benchmark, side by side
# with the origin's way (results_anchor.py).  Run from a build dir:
#   sh /work/main/bench/run_results.sh [LINES]
# Needs bench/bench_results built (make bench/bench_results).
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
lines=${1:-50000}
tmp=$(mktemp -d)
trap 'kill $fpid 2>/dev/null; wait $fpid 2>/dev/null; rm -rf "$tmp"' EXIT
corpus=${MAKE_CORPUS:-/work/shared/bench/make_corpus.py}
/usr/bin/python3 "$corpus" "$tmp/c" --photos 0 --rows 0 --results "$lines"
/usr/bin/python3 "$top/tests/fakeapi.py" --port 0 >"$tmp/fake.out" &
fpid=$!
while ! grep -q PORT "$tmp/fake.out" 2>/dev/null; do sleep 0.1; done
url=http://127.0.0.1:$(cut -d' ' -f2 "$tmp/fake.out")
echo "== stockbatch (bench/bench_results)"
/usr/bin/time -v ./bench/bench_results --url "$url" --results "$tmp/c/results.jsonl" --runs 7 2>"$tmp/time.txt"
grep -E "Maximum resident" "$tmp/time.txt"
fid=$(/usr/bin/python3 "$top/bench/results_anchor.py" --upload "$url" "$tmp/c/results.jsonl")
echo "== origin's way (bench/results_anchor.py)"
/usr/bin/time -v /usr/bin/python3 "$top/bench/results_anchor.py" "$url" "$fid" --runs 7 2>"$tmp/time2.txt"
grep -E "Maximum resident" "$tmp/time2.txt"
