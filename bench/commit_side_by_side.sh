#!/bin/sh
# Commit benchmark, stockbatch vs the seed's anchor, side by side in one run.
# usage: sh bench/commit_side_by_side.sh BUILD_DIR WORK_DIR
# Makes the corpora in WORK_DIR (1k, 10k, 100k rows) unless present.
set -e
B=${1:?build dir}; W=${2:?work dir}
SHARED=/work/shared/bench
mkdir -p "$W"; cd "$W"
[ -f c1000/PhotoMedia.csv ] || /usr/bin/python3 $SHARED/make_corpus.py c1000 --photos 0 --rows 1000 --results 1000 >/dev/null
[ -f c10000/PhotoMedia.csv ] || /usr/bin/python3 $SHARED/make_corpus.py c10000 --photos 0 --rows 10000 --results 1000 >/dev/null
[ -f c100k/PhotoMedia.csv ] || /usr/bin/python3 $SHARED/make_corpus.py c100k --photos 0 --rows 100000 --results 10000 >/dev/null
for spec in "c1000 20" "c10000 20" "c100k 3"; do
	set -- $spec
	rm -rf anc; mkdir -p anc; cp "$1/PhotoMedia.csv" anc/PhotoMedia.csv
	echo "anchor $1 limit $2: $(/usr/bin/python3 $SHARED/anchors/seed_commit_csv.py anc/PhotoMedia.csv "$1/results.jsonl" --limit "$2")"
	echo "ours $1: $("$B/bench/bench_commit" "$1" --runs 3)"
done
echo "ours c100k group 500: $("$B/bench/bench_commit" c100k --runs 3 --group 500)"
rm -rf anc
uptime
