#!/bin/sh
# fake_strict.sh: the fake API rejects what the real services reject
# (reference/apis.md), with the documented error shapes at the documented
# point (400 at upload or create, a failed batch with line errors, a line in
# the error file), answers each request in isolation (a line of any shape
# never breaks later requests), and its agency-rule switches, Gemini
# enqueued-token limit, partial expiry and file expiry work.
. "$top_srcdir/tests/lib.sh"
sb_tmpdir
sb_start_fake --step 0.05 --seed 5 --state-file "$SB_TMP/state.json"
"$PYTHON3" - "$SB_FAKE_URL" "$top_srcdir/tests" >"$SB_TMP/check.out" 2>&1 <<'PY' || { cat "$SB_TMP/check.out"; tail -20 "$SB_TMP/fake.err"; fail "fake API strictness"; }
import base64, json, sys, time, urllib.request, urllib.error
sys.path.insert(0, sys.argv[2])
from fakeclient import U, OK, G, call, check
JPEG = "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABsSFBcUERsXFhceHBsgKEIrKCUlKFE6PTBCYFVlZF9VXVtqeJmBanGQc1tdhbWGkJ6jq62rZ4C8ybqmx5moq6T/2wBDARweHigjKE4rK06kbl1upKSkpKSkpKSkpKSkpKSkpKSkpKSkpKSkpKSkpKSkpKSkpKSkpKSkpKSkpKSkpKSkpKT/wAARCAAIAAgDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAP/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFAEBAAAAAAAAAAAAAAAAAAAAA//EABQRAQAAAAAAAAAAAAAAAAAAAAD/2gAMAwEAAhEDEQA/AJgHE//Z"  # 8x8
NOT_IMAGE = base64.b64encode(b"this is not a picture at all").decode()
NO_FRAME = base64.b64encode(bytes([0xFF, 0xD8, 0xFF, 0xE0, 0, 16]) + b"JFIF\0" + bytes(9) + bytes([0xFF, 0xD9])).decode()
SCHEMA = {"type": "object", "additionalProperties": False, "required": ["title", "description", "keywords"],
          "properties": {"title": {"type": "string"}, "description": {"type": "string"},
                         "keywords": {"type": "array", "items": {"type": "string"}}}}
GSCHEMA = {"type": "OBJECT", "required": ["title", "description", "keywords"],
           "properties": {"title": {"type": "STRING"}, "description": {"type": "STRING"},
                          "keywords": {"type": "ARRAY", "items": {"type": "STRING"}}}}
CZ = ("Write the stock metadata for this photo. The photographer's description:\n<<<DESCRIPTION\n"
      "Horská chata v zimě, Krkonoše, klidné ráno se sněhem.\nDESCRIPTION>>>")


def fault(**kw):
    st, _, _ = call("POST", "/__fault", kw)
    assert st == 200

def body(model="gpt-4o-mini", text="A wooden jetty on a lake at sunset", img=JPEG, **extra):
    content = [{"type": "text", "text": text}]
    if img:
        content.append({"type": "image_url", "image_url": {"url": "data:image/jpeg;base64," + img, "detail": "low"}})
    b = {"model": model, "messages": [{"role": "system", "content": "sys"}, {"role": "user", "content": content}],
         "max_tokens": 300,
         "response_format": {"type": "json_schema", "json_schema": {"name": "stock_metadata", "strict": True,
                                                                    "schema": SCHEMA}}}
    b.update(extra)
    return {k: v for k, v in b.items() if v is not None}

def line(cid, b, **extra):
    o = {"custom_id": cid, "method": "POST", "url": "/v1/chat/completions", "body": b}
    o.update(extra)
    return o

def upload(lines, name="in.jsonl"):
    data = b"".join((x if isinstance(x, bytes) else json.dumps(x).encode()) + b"\n" for x in lines)
    bd = "XbOuNdArY"
    mp = ("--%s\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n--%s\r\n"
          "Content-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\nContent-Type: application/jsonl\r\n\r\n"
          % (bd, bd, name)).encode() + data + ("\r\n--%s--\r\n" % bd).encode()
    return call("POST", "/v1/files", mp, dict(OK, **{"Content-Type": "multipart/form-data; boundary=" + bd}))

def run_batch(lines):
    st, _, f = upload(lines)
    assert st == 200, (st, f)
    st, _, b = call("POST", "/v1/batches", {"input_file_id": f["id"], "endpoint": "/v1/chat/completions",
                                            "completion_window": "24h"}, OK)
    assert st == 200 and b["status"] == "validating", (st, b)
    for _ in range(200):
        st, _, b = call("GET", "/v1/batches/" + b["id"], headers=OK)
        if b["status"] in ("completed", "failed", "expired", "cancelled"):
            return b
        time.sleep(0.03)
    raise SystemExit("batch never finished")

def failed_with(lines, code, ln, param=None):
    b = run_batch(lines)
    errs = (b.get("errors") or {}).get("data") or []
    hit = [e for e in errs if e["code"] == code and e["line"] == ln and (param is None or e["param"] == param)]
    return b["status"] == "failed" and hit and set(hit[0]) == {"code", "line", "message", "param"}

def file_lines(fid):
    st, _, raw = call("GET", "/v1/files/%s/content" % fid, headers=OK, raw=True)
    assert st == 200
    return [json.loads(x) for x in raw.splitlines() if x.strip()]

def error_line(b_):
    """A batch of one good and one bad line: the bad one's error-file line."""
    b = run_batch([line("good", body()), line("bad", b_)])
    if b["status"] != "completed" or b["request_counts"] != {"total": 2, "completed": 1, "failed": 1}:
        return None
    errs = file_lines(b["error_file_id"])
    return errs[0] if errs and errs[0]["custom_id"] == "bad" and errs[0]["error"] is None else None

# ---- OpenAI: upload
st, _, b = upload([line("a", body())], name="requests.txt")
check(st == 400 and "jsonl" in b["error"]["message"] and set(b["error"]) == {"message", "type", "param", "code"},
      "OpenAI: a .txt batch file is refused at upload (400)")

# ---- OpenAI: file-level validation -> failed batch, errors.data with the line
check(failed_with([], "empty_file", None), "OpenAI: an empty file fails the batch (empty_file)")
check(failed_with([line("a", body()), line("b", body(model="gpt-9-imaginary"))], "model_not_found", 2, "body.model"),
      "OpenAI: an unknown model fails the batch (model_not_found, line 2)")
check(failed_with([line("a", body()), line("b", body(model="gpt-4o"))], "model_mismatch", 2, "body.model"),
      "OpenAI: two models in one file fail the batch (line 2)")
check(failed_with([line("a", body(), method="GET")], "invalid_value", 1, "method"),
      "OpenAI: a GET line fails the batch (method)")
check(failed_with([line("a", body(), url="/v1/embeddings")], "invalid_url", 1, "url"), "OpenAI: a wrong url: invalid_url")
check(failed_with([line("a", body(), priority=1)], "invalid_request", 1, "priority"),
      "OpenAI: an extra top-level key fails the batch")
check(failed_with([line(17, body())], "invalid_type", 1, "custom_id"), "OpenAI: a numeric custom_id: invalid_type")
check(failed_with([line(["x"], body()), line({"a": 1}, body())], "invalid_type", 2, "custom_id"),
      "OpenAI: array and object custom_ids: invalid_type, no crash")
check(failed_with([line("a", "not an object"), line("b", [1, 2])], "invalid_type", 2, "body"),
      "OpenAI: a non-object body: invalid_type, no crash")
check(failed_with([line("a", body()), b"{not json", b"[1,2]"], "invalid_json_line", 3),
      "OpenAI: JSON that is not an object: invalid_json_line")
check(failed_with([line("a", body()), line("a", body())], "duplicate_custom_id", 2), "OpenAI: duplicate custom_id")
# later requests are still served, and the counters still serialize
st, _, s = call("GET", "/__stats")
check(st == 200 and s["batches_created"] >= 10, "the fake still answers after lines of any shape")

# ---- OpenAI: per-request validation -> a line in the error file
e = error_line(body(max_tokens=0))
check(e and e["response"]["status_code"] == 400 and e["response"]["body"]["error"]["code"] == "integer_below_min_value"
      and e["response"]["body"]["error"]["param"] == "max_tokens", "OpenAI: max_tokens 0 -> error file line 400")
e = error_line(body(top_k=5))
check(e and e["response"]["status_code"] == 400 and "Unrecognized request argument supplied: top_k"
      in e["response"]["body"]["error"]["message"], "OpenAI: an unknown body parameter -> error file line 400")
loose = dict(SCHEMA)
del loose["additionalProperties"]
e = error_line(body(response_format={"type": "json_schema", "json_schema": {"name": "m", "strict": True,
                                                                            "schema": loose}}))
check(e and e["response"]["body"]["error"]["code"] == "invalid_json_schema"
      and "additionalProperties" in e["response"]["body"]["error"]["message"],
      "OpenAI: a strict schema without additionalProperties false -> invalid_json_schema")
partial = dict(SCHEMA, required=["title"])
e = error_line(body(response_format={"type": "json_schema", "json_schema": {"name": "m", "strict": True,
                                                                            "schema": partial}}))
check(e and "Missing 'description'" in e["response"]["body"]["error"]["message"],
      "OpenAI: a strict schema with optional properties -> invalid_json_schema")
e = error_line(body(img=NOT_IMAGE))
check(e and e["response"]["body"]["error"]["code"] == "invalid_image_format", "OpenAI: base64 of no image -> 400")
e = error_line(body(img=NO_FRAME))
check(e and e["response"]["body"]["error"]["code"] == "invalid_image_format", "OpenAI: a JPEG with no frame -> 400")
e = error_line(body(img="@@@not base64@@@"))
check(e and e["response"]["body"]["error"]["code"] == "invalid_base64", "OpenAI: broken base64 -> 400")
e = error_line(body(model="gpt-4o-mini", max_tokens=None, max_completion_tokens=0))
check(e and e["response"]["body"]["error"]["param"] == "max_completion_tokens", "OpenAI: max_completion_tokens 0")

# ---- OpenAI live: the same checks
st, _, b = call("POST", "/v1/chat/completions", body(), OK)
check(st == 200 and json.loads(b["choices"][0]["message"]["content"])["keywords"], "OpenAI live: a valid body")
for bad, code in ((body(max_tokens=0), 400), (body(foo=1), 400), (body(model="gpt-nope"), 404),
                  (body(img=NOT_IMAGE), 400), (body(model="gpt-5-mini"), 400)):
    st, _, b = call("POST", "/v1/chat/completions", bad, OK)
    check(st == code and set(b["error"]) == {"message", "type", "param", "code"}, "OpenAI live: %d %s" %
          (code, b["error"]["message"][:60]))

# ---- Czech input reads like real metadata, deterministically
st, _, b1 = call("POST", "/v1/chat/completions", body(text=CZ), OK)
a1 = json.loads(b1["choices"][0]["message"]["content"])
check({"mountain", "cabin", "winter", "calm", "morning", "snow"} <= set(a1["keywords"]), "Czech words read as English")
check("Krkonoše" in a1["title"] and not any(k in ("horsk", "krkono") for k in a1["keywords"]),
      "Czech place names keep their letters: " + a1["title"])

# ---- agency switches: valid JSON, valid shape, broken rules
def live_answer(text="Old town square in the morning with a fountain"):
    st, _, b = call("POST", "/v1/chat/completions", body(text=text), OK)
    assert st == 200
    return json.loads(b["choices"][0]["message"]["content"])
fault(names=1)
a = live_answer()
check(any(n in a["title"] for n in ("Novák", "Svobodová", "Gott", "Watson")), "names: a person in the title")
fault(clear=1, brands=1)
a = live_answer()
check(any(n in a["description"] for n in ("Coca-Cola", "Nike", "Škoda", "iPhone", "Red Bull")), "brands")
fault(clear=1, long_title=1)
check(len(live_answer()["title"]) > 70, "long_title: over 70 characters")
fault(clear=1, dup_keywords=1)
k = live_answer()["keywords"]
check(len(k) != len(set(k)), "dup_keywords: repeated keywords")
fault(clear=1, caps_keywords=1)
check(any(w != w.lower() for w in live_answer()["keywords"]), "caps_keywords: capitalised keywords")
fault(clear=1)
a = live_answer()
check(len(a["title"]) <= 70 and len(set(a["keywords"])) == len(a["keywords"]) and
      all(w == w.lower() for w in a["keywords"]), "switches off: a clean answer")

# ---- Gemini
def gem_req(text="A castle on a hill", img=JPEG, **gc):
    g = {"maxOutputTokens": 300, "responseMimeType": "application/json", "responseSchema": GSCHEMA}
    g.update(gc)
    parts = [{"text": text}] + ([{"inlineData": {"mimeType": "image/jpeg", "data": img}}] if img else [])
    return {"contents": [{"role": "user", "parts": parts}], "systemInstruction": {"parts": [{"text": "s"}]},
            "generationConfig": {k: v for k, v in g.items() if v is not None}}

def gem_upload(data, chunks=None):
    st, hd, _ = call("POST", "/upload/v1beta/files", {"file": {"display_name": "in"}},
                     dict(G, **{"X-Goog-Upload-Protocol": "resumable", "X-Goog-Upload-Command": "start",
                                "X-Goog-Upload-Header-Content-Length": str(len(data)),
                                "X-Goog-Upload-Header-Content-Type": "application/jsonl"}))
    url = hd["x-goog-upload-url"]
    off = 0
    for c in chunks or []:
        st, _, b = call("POST", url[len(U):], data[off:off + c], {"X-Goog-Upload-Offset": str(off),
                                                                  "X-Goog-Upload-Command": "upload"})
        if st != 200:
            return st, b
        off += c
    return call("POST", url[len(U):], data[off:], {"X-Goog-Upload-Offset": str(off),
                                                   "X-Goog-Upload-Command": "upload, finalize"})[::2]

def gem_lines(items):
    return b"".join(json.dumps({"key": k, "request": r}).encode() + b"\n" for k, r in items)

def gem_wait(name):
    for _ in range(200):
        st, _, op = call("GET", "/v1beta/" + name, headers=G)
        if op.get("done"):
            return op
        time.sleep(0.03)
    raise SystemExit("gemini batch never finished")

def gem_create(model, batch):
    return call("POST", "/v1beta/models/%s:batchGenerateContent" % model, {"batch": batch}, G)

st, b = gem_upload(b"x" * 1000 + b"\n", chunks=[100])
check(st == 400 and b["error"]["status"] == "INVALID_ARGUMENT", "Gemini: a non-final chunk off the granularity: 400")
st, f = gem_upload(gem_lines([("ok", gem_req()), ("cfg", {"contents": gem_req()["contents"],
                                                           "config": {"temperature": 0.2}}),
                               ("noc", {"generationConfig": {"temperature": 0.2}}),
                               ("mime", gem_req(responseMimeType=None)),
                               ("img", gem_req(img=NOT_IMAGE))]))
check(st == 200, "Gemini: upload")
st, _, b = gem_create("gemini-9-imaginary", {"input_config": {"file_name": f["file"]["name"]}})
check(st == 404 and b["error"]["status"] == "NOT_FOUND", "Gemini: an unknown model: 404 at create")
st, _, op = gem_create("gemini-2.5-flash", {"input_config": {"file_name": f["file"]["name"]}})
check(st == 200, "Gemini: create from the file")
op = gem_wait(op["name"])
st, _, raw = call("GET", "/download/v1beta/%s:download?alt=media" % op["response"]["responsesFile"], headers=G,
                  raw=True)
res = {o["key"]: o for o in map(json.loads, raw.splitlines())}
check("response" in res["ok"] and all(res[k]["error"]["code"] == 3 for k in ("cfg", "noc", "mime", "img")),
      "Gemini: config, no contents, schema without JSON MIME, broken image: error lines (code 3)")
check('Unknown name "config"' in res["cfg"]["error"]["message"], "Gemini: the unknown-field message")
check(op["metadata"]["batchStats"]["failedRequestCount"] == "4", "Gemini: batchStats count the failed lines")
inline = {"input_config": {"requests": {"requests": [
    {"request": {"contents": gem_req()["contents"], "config": {}}, "metadata": {"key": "a"}}]}}}
st, _, b = gem_create("gemini-2.5-flash", inline)
check(st == 400 and "config" in b["error"]["message"], "Gemini inline: config is refused at create (400)")
for bad in (gem_req(responseMimeType=None), {"generationConfig": {}}, gem_req(img=NOT_IMAGE)):
    st, _, b = call("POST", "/v1beta/models/gemini-2.5-flash:generateContent", bad, G)
    check(st == 400 and b["error"]["status"] == "INVALID_ARGUMENT", "Gemini live: " + b["error"]["message"][:50])
st, _, b = call("POST", "/v1beta/models/gemini-nope:generateContent", gem_req(), G)
check(st == 404, "Gemini live: unknown model 404")

# deleted, expired, unknown files: 403 PERMISSION_DENIED with the documented message
fid = f["file"]["name"]
st, _, b = call("DELETE", "/v1beta/" + fid, headers=G)
check(st == 200 and b == {}, "Gemini: delete a file")
for method, path in (("GET", "/v1beta/" + fid), ("DELETE", "/v1beta/" + fid),
                     ("GET", "/download/v1beta/%s:download?alt=media" % fid), ("GET", "/v1beta/files/nosuchfile")):
    st, _, b = call(method, path, headers=G)
    check(st == 403 and b["error"]["status"] == "PERMISSION_DENIED" and
          "You do not have permission to access the File" in b["error"]["message"], "Gemini: 403 for %s %s" %
          (method, path))
st, _, b = gem_create("gemini-2.5-flash", {"input_config": {"file_name": fid}})
check(st == 403, "Gemini: a batch from a deleted file: 403")
fault(file_ttl=0.3)
st, f2 = gem_upload(gem_lines([("a", gem_req())]))
st, _, g = call("GET", "/v1beta/" + f2["file"]["name"], headers=G)
check(st == 200, "Gemini: a file before its expiry")
time.sleep(1.2)
st, _, g = call("GET", "/v1beta/" + f2["file"]["name"], headers=G)
check(st == 403, "Gemini: file_ttl: an expired file gives 403")
fault(clear=1)

# enqueued-token limit: 429 at create while the model's batches hold the tokens
fault(gem_token_limit=40, step=5)
small = {"input_config": {"requests": {"requests": [{"request": gem_req(img=None, text="x" * 100),
                                                     "metadata": {"key": "k"}}]}}}
st, _, op1 = gem_create("gemini-2.5-flash", small)
check(st == 200, "Gemini: under the enqueued-token limit")
st, _, b = gem_create("gemini-2.5-flash", small)
check(st == 429 and b["error"]["status"] == "RESOURCE_EXHAUSTED" and "Enqueued token limit" in b["error"]["message"],
      "Gemini: past the enqueued-token limit: 429 RESOURCE_EXHAUSTED")
st, _, b = gem_create("gemini-2.5-flash-lite", small)
check(st == 200, "Gemini: the limit is per model")
call("POST", "/v1beta/%s:cancel" % op1["name"], {}, G)
st, _, b = gem_create("gemini-2.5-flash", small)
check(st == 200, "Gemini: the limit frees when the batch ends")
fault(clear=1, step=0.05)

# partial expiry, both providers
fault(expire_partial=0.5)
st, _, op = gem_create("gemini-2.5-flash", {"input_config": {"requests": {"requests": [
    {"request": gem_req(), "metadata": {"key": "k%d" % i}} for i in range(4)]}}})
op = gem_wait(op["name"])
inl = op["response"]["inlinedResponses"]["inlinedResponses"]
check(op["metadata"]["state"] == "BATCH_STATE_EXPIRED" and len(inl) == 2 and
      op["metadata"]["batchStats"]["pendingRequestCount"] == "2", "Gemini: expire_partial keeps half the answers")
fault(expire_partial=0.5)
b = run_batch([line("e%d" % i, body()) for i in range(4)])
check(b["status"] == "expired" and b["request_counts"]["completed"] == 2 and
      {x["error"]["code"] for x in file_lines(b["error_file_id"])} == {"batch_expired"},
      "OpenAI: expire_partial keeps half, the rest batch_expired")
print("all ok")
PY
sb_stop_fake
echo "ok: $(grep -c '^ok:' "$SB_TMP/check.out") checks"
