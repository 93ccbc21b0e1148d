#!/bin/sh
# run_connections.sh: how many connections (and, over HTTPS, TLS handshakes)
# a polling run and a live run open at the fake API, against the requests
# they make.  From a build dir:
#   sh ../bench/run_connections.sh [STOCKBATCH] [http|https] [PHOTOS]
# https serves the fake with a self-signed certificate (openssl) and sets
# ca_file; a stockbatch without ca_file can only be measured over http.
. "$(dirname "$0")/fake_env.sh"
scheme=${2:-http}
n=${3:-12}
sb_tmpdir
if [ "$scheme" = https ]; then
	sb_start_fake_tls --step 1.5 --seed 5
else
	sb_start_fake --step 1.5 --seed 5
fi
L=$SB_TMP/lib
sb_make_library "$L" $((2 * n))
P=$L/Foto/JPG/Příroda/2024
ca=
[ "$scheme" = https ] && ca="ca_file=$SB_FAKE_CA"
sb_config "$L" batch_size="$n" alternatives= rpm=6000 concurrency=4 $ca
count()
{
	sb_fake_stats >"$SB_TMP/stats.json"
	sb_json "$SB_TMP/stats.json" "(d.get('requests', 0), d.get('connections', 0), d.get('tls_handshakes', 0), d.get('tls_resumed', 0))"
}
delta()
{
	"$PYTHON3" -c 'import sys
a, b = eval(sys.argv[1]), eval(sys.argv[2])
r, c, h, s = (y - x for x, y in zip(a, b))
# the second stats call is a connection (and handshake) of its own
print("%s: %d requests, %d connections, %d TLS handshakes (%d resumed)" % (sys.argv[3], r, c - 1, max(h - 1, 0), s))' "$1" "$2" "$3"
}
sb_desc_tsv "$P" 1 "$n" >"$SB_TMP/a.tsv"
sb_run import "$SB_TMP/a.tsv"
a=$(count)
sb_run send
sb_run retrieve --wait 120
grep -E 'Committed to the CSV' "$SB_OUT"
b=$(count)
delta "$a" "$b" "polling ($n photos: send, then retrieve --wait 120, poll_interval 1)"
sb_desc_tsv "$P" $((n + 1)) $((2 * n)) >"$SB_TMP/b.tsv"
sb_run import "$SB_TMP/b.tsv"
a=$(count)
sb_run send --live
grep -E 'Committed to the CSV' "$SB_OUT"
b=$(count)
delta "$a" "$b" "live ($n photos: send --live, concurrency 4)"
