#!/bin/sh
# provider_tls.sh: the fake over HTTPS (a self-signed certificate).  Without
# ca_file the server is refused at once with a message naming the setting;
# with it, a polling run and a live run each keep one connection per thread
# (one TLS handshake), not one per call.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
sb_tmpdir
sb_start_fake_tls --step 0.8 --seed 5
L=$SB_TMP/lib
sb_make_library "$L" 12
P=$L/Foto/JPG/Příroda/2024
stat()
{
	sb_fake_stats >"$SB_TMP/stats.json"
	sb_json "$SB_TMP/stats.json" "d.get('$1', 0)"
}

# Not trusted: one try, exit non-zero, a clear line naming ca_file.
sb_config "$L" batch_size=4 alternatives= rpm=6000
sb_desc_tsv "$P" 1 4 >"$SB_TMP/a.tsv"
sb_run import "$SB_TMP/a.tsv"
check_rc 0 "import"
sb_run send
[ "$SB_RC" != 0 ] || fail "send to an untrusted server exits 0"
check_grep 'TLS certificate is not trusted' "$SB_ERR" "the refusal says what is wrong"
check_grep 'ca_file' "$SB_ERR" "the refusal names the setting ca_file"
check_eq "$(stat requests)" 0 "no request reached the untrusted server"
check_eq "$(stat batches_created)" 0 "nothing created"

# A ca_file that cannot be read is named too.
sb_config "$L" batch_size=4 alternatives= rpm=6000 "ca_file=$SB_TMP/nowhere.pem"
sb_run send
[ "$SB_RC" != 0 ] || fail "send with an unreadable ca_file exits 0"
check_grep "nowhere.pem .ca_file." "$SB_ERR" "the unreadable CA file is named"
sb_run doctor
check_grep "nowhere.pem .ca_file." "$SB_OUT" "doctor names the unreadable CA file"

# Trusted through ca_file: send, then retrieve polls until the batch is done.
sb_config "$L" batch_size=4 alternatives= rpm=6000 concurrency=2 "ca_file=$SB_FAKE_CA"
sb_run doctor
check_grep "fake-cert.pem .ca_file." "$SB_OUT" "doctor shows ca_file"
check_grep "answers at https://" "$SB_OUT" "doctor reaches the HTTPS fake"
h0=$(stat tls_handshakes)
r0=$(stat requests)
sb_run send
check_rc 0 "send over HTTPS with ca_file"
sb_run retrieve --wait 60
check_rc 0 "retrieve over HTTPS with ca_file"
check_grep 'Committed to the CSV +4 ' "$SB_OUT" "four committed"
h1=$(stat tls_handshakes)
r1=$(stat requests)
# each stats call above is one handshake of its own
hs=$((h1 - h0 - 1))
rq=$((r1 - r0))
echo "polling (send + retrieve --wait): $rq requests, $hs TLS handshakes ($(stat tls_resumed) resumed so far)"
[ "$rq" -ge 5 ] || fail "expected the run to poll: only $rq requests"
# send: one connection, and a new one for the create (never sent twice);
# retrieve: one for the polls, one for its download thread
[ "$hs" -le 4 ] || fail "polling: $hs TLS handshakes for $rq requests (one per call?)"

# Live: eight photos, two at a time: a connection per worker thread.
sb_desc_tsv "$P" 5 12 >"$SB_TMP/b.tsv"
sb_run import "$SB_TMP/b.tsv"
check_rc 0 "import"
h0=$(stat tls_handshakes)
l0=$(stat live_requests)
sb_run send --live
check_rc 0 "send --live over HTTPS"
check_grep 'Committed to the CSV +8 ' "$SB_OUT" "eight committed live"
h1=$(stat tls_handshakes)
l1=$(stat live_requests)
hs=$((h1 - h0 - 1))
lv=$((l1 - l0))
echo "live (send --live, concurrency 2): $lv live requests, $hs TLS handshakes"
[ "$lv" -ge 8 ] || fail "expected 8 live requests, saw $lv"
[ "$hs" -le 3 ] || fail "live: $hs TLS handshakes for $lv requests (one per call?)"
echo "provider_tls: ok"
