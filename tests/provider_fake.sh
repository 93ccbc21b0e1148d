#!/bin/sh
# provider_fake.sh: the fake API itself speaks the documented shapes
# (reference/apis.md): status progressions, error bodies and headers,
# shuffled output, Gemini resumable upload, control endpoints, a clean exit
# on SIGTERM with the counters in --state-file.
. "$top_srcdir/tests/lib.sh"
sb_tmpdir
sb_start_fake --step 0.15 --seed 3 --state-file "$SB_TMP/state.json"
"$PYTHON3" - "$SB_FAKE_URL" "$top_srcdir/tests" >"$SB_TMP/check.out" 2>&1 <<'PY' || { cat "$SB_TMP/check.out"; fail "fake API conformance"; }
import json, sys, time, urllib.request, urllib.error
sys.path.insert(0, sys.argv[2])
from fakeclient import U, OK, G, call, check

# OpenAI auth errors: 401, the four keys of ErrorResponse.
st, _, b = call("GET", "/v1/batches", headers={"Authorization": "Bearer sk-nope-123456789"})
check(st == 401 and b["error"]["code"] == "invalid_api_key" and set(b["error"]) == {"message", "type", "param", "code"},
      "OpenAI wrong key: 401 invalid_api_key")
check("sk-nope-123456789" not in b["error"]["message"], "the 401 message masks the key")
# Gemini: wrong key 400 API_KEY_INVALID, no key 403.
st, _, b = call("GET", "/v1beta/batches", headers={"x-goog-api-key": "wrong"})
check(st == 400 and b["error"]["status"] == "INVALID_ARGUMENT" and
      b["error"]["details"][0]["reason"] == "API_KEY_INVALID", "Gemini wrong key: 400 API_KEY_INVALID")
st, _, b = call("GET", "/v1beta/batches")
check(st == 403 and b["error"]["status"] == "PERMISSION_DENIED", "Gemini no key: 403")

# 429 shapes.
call("POST", "/__fault", b"429=1:2.5")
st, hd, b = call("GET", "/v1/batches", headers=OK)
check(st == 429 and hd["retry-after"] == "2.5" and hd["retry-after-ms"] == "2500" and
      b["error"]["code"] == "rate_limit_exceeded", "OpenAI 429 with retry-after and retry-after-ms")
call("POST", "/__fault", b'{"429": "1:59"}')
st, hd, b = call("GET", "/v1beta/batches", headers=G)
ri = [d for d in b["error"]["details"] if d["@type"].endswith("RetryInfo")]
check(st == 429 and hd.get("retry-after") is None and b["error"]["status"] == "RESOURCE_EXHAUSTED" and
      ri and ri[0]["retryDelay"] == "59s", "Gemini 429 RESOURCE_EXHAUSTED with RetryInfo, no Retry-After")
call("POST", "/__fault", b"503=1")
st, _, b = call("GET", "/v1/batches", headers=OK)
check(st == 503 and b["error"]["type"] == "server_error", "503 with the documented body")

# OpenAI: upload, progression, shuffled output, 409 on cancel of a finished batch.
lines = []
for i in range(30):
    lines.append(json.dumps({"custom_id": "c%02d" % i, "method": "POST", "url": "/v1/chat/completions",
                             "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "lake %d" % i}]}}))
data = ("\n".join(lines) + "\n").encode()
bnd = "XyZ"
mp = (("--%s\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n--%s\r\nContent-Disposition: "
       "form-data; name=\"file\"; filename=\"in.jsonl\"\r\nContent-Type: application/octet-stream\r\n\r\n") % (bnd, bnd)
      ).encode() + data + ("\r\n--%s--\r\n" % bnd).encode()
st, _, f = call("POST", "/v1/files", mp, dict(OK, **{"Content-Type": "multipart/form-data; boundary=" + bnd}))
check(st == 200 and f["object"] == "file" and f["purpose"] == "batch" and f["bytes"] == len(data), "file upload")
# the batches stand still (an hour a step) and the test moves them on one
# step at a time (advance): every state is seen however slow the machine
# (a 0.15 s, then 0.6 s step raced a poll every 0.03 s and lost under load)
call("POST", "/__fault", b"step=3600")
st, _, b = call("POST", "/v1/batches", {"input_file_id": f["id"], "endpoint": "/v1/chat/completions",
                                       "completion_window": "24h", "metadata": {"stockbatch_batch_id": "x1"}}, OK)
check(st == 200 and b["status"] == "validating" and b["request_counts"] == {"total": 0, "completed": 0, "failed": 0}
      and b["expires_at"] == b["created_at"] + 86400, "create: validating, zero counts, 24 h expiry")
seen = []
for _ in range(4):
    st, _, g = call("GET", "/v1/batches/" + b["id"], headers=OK)
    seen.append(g["status"])
    call("POST", "/__fault", b"advance=1")
check(seen == ["validating", "in_progress", "finalizing", "completed"], "progression " + " -> ".join(seen))
check(g["in_progress_at"] and g["finalizing_at"] and g["completed_at"] and g["usage"]["total_tokens"] > 0,
      "timestamps and usage on completion")
st, _, out = call("GET", "/v1/files/%s/content" % g["output_file_id"], headers=OK, raw=True)
ids = [json.loads(l)["custom_id"] for l in out.decode().splitlines()]
check(sorted(ids) == ["c%02d" % i for i in range(30)] and ids != sorted(ids), "output complete, order shuffled")
st, _, b2 = call("POST", "/v1/batches/%s/cancel" % b["id"], headers=OK)
check(st == 409 and b2["error"]["message"] == "Cannot cancel a batch with status 'completed'.", "cancel completed: 409")
st, _, b2 = call("GET", "/v1/batches/batch_nope", headers=OK)
check(st == 404, "unknown batch: 404")
st, _, b2 = call("POST", "/v1/batches", {"input_file_id": f["id"], "endpoint": "/v1/x", "completion_window": "24h"}, OK)
check(st == 400 and b2["error"]["param"] == "endpoint" and b2["error"]["code"] == "invalid_value", "bad endpoint: 400")

# Gemini: resumable upload, PENDING -> RUNNING -> SUCCEEDED, string counts.
gl = "".join(json.dumps({"key": "k%d" % i, "request": {"contents": [{"parts": [{"text": "castle %d" % i}]}]}}) + "\n"
             for i in range(4)).encode()
st, hd, _ = call("POST", "/upload/v1beta/files", {"file": {"display_name": "in"}}, dict(G, **{
    "X-Goog-Upload-Protocol": "resumable", "X-Goog-Upload-Command": "start",
    "X-Goog-Upload-Header-Content-Length": str(len(gl)), "X-Goog-Upload-Header-Content-Type": "application/jsonl"}), raw=True)
check(st == 200 and hd["x-goog-upload-url"] and hd["x-goog-upload-status"] == "active", "resumable start")
rq = urllib.request.Request(hd["x-goog-upload-url"], data=gl, method="POST", headers={
    "X-Goog-Upload-Offset": "0", "X-Goog-Upload-Command": "upload, finalize"})
r = urllib.request.urlopen(rq)
gf = json.loads(r.read())["file"]
check(r.headers["x-goog-upload-status"] == "final" and gf["sizeBytes"] == str(len(gl)) and gf["state"] == "ACTIVE",
      "upload, finalize")
st, _, op = call("POST", "/v1beta/models/gemini-2.5-flash:batchGenerateContent",
                 {"batch": {"display_name": "stockbatch:g1", "input_config": {"file_name": gf["name"]}}}, G)
check(st == 200 and op["metadata"]["state"] == "BATCH_STATE_PENDING" and "done" not in op and
      op["metadata"]["batchStats"]["requestCount"] == "4", "Gemini create: PENDING, counts as strings")
seen = []
for _ in range(4):
    st, _, g = call("GET", "/v1beta/" + op["name"], headers=G)
    seen.append(g["metadata"]["state"])
    call("POST", "/__fault", b"advance=1")
check(seen == ["BATCH_STATE_PENDING", "BATCH_STATE_RUNNING", "BATCH_STATE_RUNNING", "BATCH_STATE_SUCCEEDED"],
      "Gemini progression " + " -> ".join(seen))
check(g.get("done"), "Gemini done once succeeded")
rf = g["response"]["responsesFile"]
check(rf == "files/batch-" + op["name"].split("/")[1] and g["metadata"]["output"]["responsesFile"] == rf,
      "responsesFile named after the batch")
st, _, out = call("GET", "/download/v1beta/%s:download?alt=media" % rf, headers=G, raw=True)
check(st == 200 and len(out.decode().splitlines()) == 4, "results download")
st, _, s = call("GET", "/__stats")
check(s["batches_created"] == 2 and s["files_uploaded"] == 2 and s["custom_ids"]["c07"] == 1, "counters")
PY
grep -c '^ok:' "$SB_TMP/check.out" >/dev/null || fail "no checks ran"
# SIGTERM: a clean exit, the counters on disk.
kill "$SB_FAKE_PID"
wait "$SB_FAKE_PID"
rc=$?
SB_FAKE_PID=
check_eq "$rc" 0 "the fake's exit status on SIGTERM"
check_eq "$(sb_json "$SB_TMP/state.json" 'd["batches_created"]')" 2 "batches_created in --state-file"
echo "ok: $(grep -c '^ok:' "$SB_TMP/check.out") checks"
