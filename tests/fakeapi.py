#!/usr/bin/env python3
"""fakeapi.py: a loopback fake of the OpenAI Batch API and the Gemini Batch
API (reference/apis.md sections 1, 3, 4), for tests and the demo.

Same paths, JSON shapes, status progressions, error bodies and headers as
the real services, with faults injected from the command line (--fault
NAME[=ARG], repeatable) or at run time (POST /__fault).  Python 3 stdlib only.

  fakeapi.py --port 0 [--step SECONDS] [--seed N] [--state-file F] [--fault NAME[=ARG]]...

Prints "PORT <n>" on stdout line 1.  Base URLs: OpenAI http://127.0.0.1:n/v1,
Gemini http://127.0.0.1:n.  Keys: sk-test-fake (OpenAI), gm-test-fake (Gemini).

Faults (ARG defaults in brackets):
  429=N[:SECS]     next N API calls get 429 (OpenAI: retry-after + retry-after-ms
                   headers; Gemini: RESOURCE_EXHAUSTED with RetryInfo) [1:0.05]
  500=N, 503=N     next N API calls get that status with the documented body [1]
  status=N:CODE    next N API calls get HTTP CODE (a 4xx) with the provider's error
                   body (a 429 is OpenAI's insufficient_quota) [1:400]
  reset=N          next N API calls: connection reset, no answer [1]
  stall=N[:SECS]   next N API calls: headers and part of the body, then silence [1:30]
  truncate=N       next N API calls: the body is cut short of its Content-Length [1]
  validation       the next batch fails validation (errors.data with line numbers)
  token_limit      the next OpenAI batch fails with token_limit_exceeded
  expire[=FRAC]    the next batch expires; OpenAI: FRAC of its lines completed, the
                   rest batch_expired lines in the error file; Gemini: no output [0.5]
  line_errors=FRAC that fraction of every batch's lines fail (error file / error
                   lines), and of live calls (both providers' live endpoints: a 400,
                   OpenAI invalid_request_error, Gemini INVALID_ARGUMENT)
  bad_json=FRAC    that fraction of the model's answers are not valid JSON (batch
                   lines and live calls alike)
  unknown_ids=FRAC per line of a finished batch, with that chance one extra result
                   line (a valid answer) whose custom id / key is not in the batch:
                   in turn another batch's id (when the fake has one), one of the
                   batch's own ids with its last 4 characters changed, a made-up
                   "ghost-" id.  Results may only touch rows of their own batch.
  endless=N        next N API calls: a 200 whose body never ends (no length) [1]
  bomb=N           next N API calls: a gzip body of a few KB that inflates to 64 MB [1]
  crash_create[=N] the next N batch creations create the batch, then drop the connection [1]
  step=SECS        seconds per status step for batches created from now on
  page_size=N      cap list pages (to exercise pagination)
  job_states       Gemini states spelled JOB_STATE_* (as the SDK and the guide's sample do)
  cancel_keep=FRAC fraction of lines a cancelled OpenAI batch keeps as completed [0.5]
                   (a cancelled Gemini batch keeps nothing)
  seed=N           reseed the random generator
  clear            remove every fault
GET /__stats returns the counters; POST /__fault takes JSON {"name": arg, ...}
or text lines "name=arg".  faults_fired counts each shot of a counted fault,
each batch an expire or cancel_keep hit, and each line or live call that line_errors,
bad_json or unknown_ids changed.  Live calls: live_requests counts them;
live_keys counts them per request (a digest of the request's text, the same
for every try of one photo) and live_answered the valid 200 answers sent
whole, per digest (a photo answered twice: above 1).
"""

import argparse
import base64
import gzip
import hashlib
import json
import os
import random
import re
import signal
import socket
import string
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit, unquote

OPENAI_KEY = "sk-test-fake"
GEMINI_KEY = "gm-test-fake"
ENDPOINTS = ["/v1/responses", "/v1/chat/completions", "/v1/embeddings", "/v1/completions",
             "/v1/moderations"]

LOCK = threading.RLock()
RNG = random.Random(1)
ARGS = None
FAULTS = {}
STATS = {"batches_created": 0, "files_uploaded": 0, "requests": 0, "requests_by_path": {},
         "custom_ids": {}, "live_requests": 0, "faults_fired": {}, "files_deleted": 0,
         "batches_cancelled": 0, "live_keys": {}, "live_answered": {}}
FILES = {}        # id -> dict(data=bytes, filename, purpose, created_at, gemini=bool)
BATCHES = {}      # OpenAI id -> dict
GBATCHES = {}     # Gemini "batches/x" -> dict
UPLOADS = {}      # Gemini upload session id -> dict
ORDER = []        # creation order of OpenAI batches
GORDER = []

WORDS = ("mountain lake forest river meadow sunset morning village church castle bridge "
         "autumn winter spring summer landscape nature tree flower field sky cloud water "
         "stone rock path hill valley reflection light travel outdoor scenic tourism "
         "architecture historic europe czech panorama green blue calm").split()


def now():
    return int(time.time())


def rid(prefix, n=24):
    with LOCK:
        return prefix + "".join(RNG.choice(string.ascii_letters + string.digits) for _ in range(n))


def gid(n=36):
    with LOCK:
        return "".join(RNG.choice(string.ascii_lowercase + string.digits) for _ in range(n))


def count(key, sub=None, n=1):
    with LOCK:
        if sub is None:
            STATS[key] = STATS.get(key, 0) + n
        else:
            d = STATS.setdefault(key, {})
            d[sub] = d.get(sub, 0) + n


def save_state():
    if not ARGS or not ARGS.state_file:
        return
    with LOCK:
        data = json.dumps(STATS, sort_keys=True)
    tmp = ARGS.state_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(data)
    os.replace(tmp, ARGS.state_file)


# ---------------------------------------------------------------- faults

def parse_fault(spec):
    name, _, arg = spec.partition("=")
    set_fault(name.strip(), arg.strip() if arg else None)


def set_fault(name, arg):
    global RNG
    with LOCK:
        if name == "clear":
            FAULTS.clear()
        elif name == "seed":
            RNG = random.Random(int(arg or 1))
        elif name in ("429", "500", "503", "reset", "stall", "truncate", "crash_create", "status",
                      "endless", "bomb"):
            a = str(arg) if arg is not None else "1"
            n, _, extra = a.partition(":")
            FAULTS[name] = [int(n or 1), float(extra) if extra else None]
        elif name in ("validation", "token_limit"):
            FAULTS[name] = int(arg or 1)
        elif name in ("expire", "line_errors", "bad_json", "step", "cancel_keep", "unknown_ids"):
            FAULTS[name] = float(arg if arg is not None else 0.5)
        elif name == "job_states":
            FAULTS[name] = int(arg or 1)
        elif name == "page_size":
            FAULTS[name] = int(arg or 2)
        else:
            raise ValueError("unknown fault " + name)


def take(name):
    """Consume one shot of a counted fault; returns its extra arg or True."""
    with LOCK:
        f = FAULTS.get(name)
        if not f:
            return None
        if isinstance(f, list):
            f[0] -= 1
            if f[0] <= 0:
                del FAULTS[name]
            STATS["faults_fired"][name] = STATS["faults_fired"].get(name, 0) + 1
            return f[1] if f[1] is not None else True
        FAULTS[name] = f - 1
        if FAULTS[name] <= 0:
            del FAULTS[name]
        STATS["faults_fired"][name] = STATS["faults_fired"].get(name, 0) + 1
        return True


def fired(name, n=1):
    """Count n hits of a fault that is not consumed by shots (fractions)."""
    if n:
        with LOCK:
            STATS["faults_fired"][name] = STATS["faults_fired"].get(name, 0) + n


def frac(name, default=0.0):
    with LOCK:
        return float(FAULTS.get(name, default))


def step():
    with LOCK:
        return float(FAULTS.get("step", ARGS.step))


# ---------------------------------------------------------------- model output

def load_categories(name):
    dirs = [os.environ.get("STOCKBATCH_DATADIR", ""),
            os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")]
    for d in dirs:
        p = os.path.join(d, name + "-categories.txt")
        if d and os.path.exists(p):
            out = []
            with open(p, encoding="utf-8") as f:
                for ln in f:
                    ln = ln.strip()
                    if not ln or ln.startswith("#"):
                        continue
                    out.append(ln.split("=", 1)[1] if "=" in ln and name != "shutterstock" else ln)
            return out
    return []


STOPWORDS = set(("json title description keywords categories photo image user text output with over under from "
            "this that into near there their they have will what when where which while about above below "
            "between very some such only also just than then them these those your write stock metadata "
            "answer schema english czech must should would could each every").split())


def words_from(text, rng):
    ws = [w.lower() for w in re.findall(r"[A-Za-z]{4,}", text or "")]
    seen, out = set(), []
    for w in ws + rng.sample(WORDS, len(WORDS)):
        if w not in seen and w not in STOPWORDS:
            seen.add(w)
            out.append(w)
    return out


def gen_value(schema, name, ctx, rng, parent=""):
    if not isinstance(schema, dict):
        return None
    t = schema.get("type", "string")
    if isinstance(t, list):
        t = [x for x in t if str(x).lower() != "null"][0] if any(str(x).lower() != "null" for x in t) else "null"
    t = str(t).lower()
    if "enum" in schema and schema["enum"]:
        return rng.choice(schema["enum"])
    if t == "object":
        props = schema.get("properties", {})
        return {k: gen_value(v, k, ctx, rng, name) for k, v in props.items()}
    if t == "array":
        items = schema.get("items", {"type": "string"})
        lo = int(schema.get("minItems", 1))
        hi = int(schema.get("maxItems", 20 if "keyword" in name else 2))
        if "keyword" in name:
            n = max(lo, min(hi, 20))
            return ctx["words"][:n]
        enum = items.get("enum") if isinstance(items, dict) else None
        if not enum and parent == "categories":
            enum = load_categories(name)
        if enum:
            n = max(lo, min(hi, 2, len(enum)))
            return rng.sample(list(enum), n)
        n = max(lo, min(hi, 2))
        return [gen_value(items, name, ctx, rng, parent) for _ in range(n)]
    if t in ("integer", "number"):
        return 1
    if t == "boolean":
        return False
    if t == "null":
        return None
    mx = int(schema.get("maxLength", 0) or 0)
    if "title" in name:
        s = ctx["title"]
        lim = min(mx or 70, 70)
        return s[:lim].rstrip()
    if "description" in name:
        s = ctx["description"]
        return s[:mx] if mx else s
    if parent == "categories":
        cats = load_categories(name)
        if cats:
            return rng.choice(cats)
    return "sample " + name


def make_answer(schema, user_text, rng):
    words = words_from(user_text, rng)
    title_words = words[:4]
    title = (" ".join(title_words)).capitalize() + " in the Czech countryside"
    ctx = {"words": words[:50],
           "title": title[:70],
           "description": "A calm view of %s with %s under a soft sky." % (words[0], words[1])}
    if not schema:
        schema = {"type": "object", "properties": {
            "title": {"type": "string"}, "description": {"type": "string"},
            "keywords": {"type": "array", "items": {"type": "string"}}}}
    return json.dumps(gen_value(schema, "", ctx, rng), ensure_ascii=False)


def oai_request_parts(body):
    """(schema, user text, has_image) from a chat completions body."""
    schema = None
    rf = body.get("response_format") or {}
    if isinstance(rf, dict) and rf.get("type") == "json_schema":
        schema = (rf.get("json_schema") or {}).get("schema")
    texts, img = [], False
    for m in body.get("messages") or []:
        c = m.get("content") if isinstance(m, dict) else None
        if isinstance(c, str) and m.get("role") == "user":
            texts.append(c)
        elif isinstance(c, list):
            for part in c:
                if part.get("type") == "text":
                    texts.append(part.get("text", ""))
                elif part.get("type") == "image_url":
                    img = True
    return schema, " ".join(texts), img


def gem_request_parts(req):
    gc = req.get("generationConfig") or req.get("generation_config") or {}
    schema = gc.get("responseSchema") or gc.get("response_schema") or gc.get("responseJsonSchema")
    texts, img = [], False
    for c in req.get("contents") or []:
        for part in c.get("parts") or []:
            if "text" in part:
                texts.append(part["text"])
            if "inlineData" in part or "inline_data" in part or "fileData" in part or "file_data" in part:
                img = True
    return schema, " ".join(texts), img


def chat_completion(body, rng, bad=False):
    schema, text, img = oai_request_parts(body)
    content = make_answer(schema, text, rng)
    if bad:
        content = content[: max(1, len(content) // 3)]
    ptok = len(json.dumps(body.get("messages", ""))) // 4 if not img else len(text) // 4 + 800
    ctok = max(1, len(content) // 4)
    return {"id": rid("chatcmpl-", 29), "object": "chat.completion", "created": now(),
            "model": body.get("model", "gpt-4o-mini") + "-2024-07-18",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": None,
                                                  "annotations": []},
                         "logprobs": None, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": ptok, "completion_tokens": ctok, "total_tokens": ptok + ctok,
                      "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                      "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                                    "accepted_prediction_tokens": 0,
                                                    "rejected_prediction_tokens": 0}},
            "service_tier": "default", "system_fingerprint": "fp_fake0001"}


def gem_response(req, model, rng, bad=False):
    schema, text, img = gem_request_parts(req)
    content = make_answer(schema, text, rng)
    if bad:
        content = content[: max(1, len(content) // 3)]
    ptok = len(text) // 4 + (258 if img else 0)
    ctok = max(1, len(content) // 4)
    return {"candidates": [{"content": {"parts": [{"text": content}], "role": "model"},
                            "finishReason": "STOP", "index": 0}],
            "usageMetadata": {"promptTokenCount": ptok, "candidatesTokenCount": ctok,
                              "totalTokenCount": ptok + ctok,
                              "promptTokensDetails": [{"modality": "TEXT", "tokenCount": ptok}]},
            "modelVersion": model.replace("models/", ""), "responseId": rid("", 23)}


# ---------------------------------------------------------------- error bodies

def oai_error(message, typ="invalid_request_error", param=None, code=None):
    return {"error": {"message": message, "type": typ, "param": param, "code": code}}


def gem_error(code, status, message, details=None):
    e = {"error": {"code": code, "message": message, "status": status}}
    if details:
        e["error"]["details"] = details
    return e


GEM_BAD_KEY = gem_error(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", [
    {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
     "domain": "googleapis.com", "metadata": {"service": "generativelanguage.googleapis.com"}},
    {"@type": "type.googleapis.com/google.rpc.LocalizedMessage", "locale": "en-US",
     "message": "API key not valid. Please pass a valid API key."}])


def mask_key(k):
    return (k[:3] + "*" * 3 + k[-4:]) if len(k) > 8 else "***"


# ---------------------------------------------------------------- OpenAI batches

def validate_lines(data, endpoint):
    errs, lines, seen = [], [], set()
    for i, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        try:
            o = json.loads(raw)
            if not isinstance(o, dict):
                raise ValueError
        except Exception:
            errs.append({"code": "invalid_json_line", "line": i, "message": "This line is not parseable as valid JSON.",
                         "param": None})
            continue
        for k in ("custom_id", "method", "url", "body"):
            if k not in o:
                errs.append({"code": "missing_required_parameter", "line": i,
                             "message": "Missing required parameter: '%s'." % k, "param": k})
                break
        else:
            if o["url"] != endpoint:
                errs.append({"code": "invalid_url", "line": i, "param": "url",
                             "message": "The URL provided for this request does not match the batch endpoint."})
            elif o["body"].get("stream"):
                errs.append({"code": "streaming_unsupported", "line": i, "param": "body.stream",
                             "message": "Chat Completions: Streaming is not supported in the Batch API."})
            elif "model" not in o["body"]:
                errs.append({"code": "invalid_request", "line": i, "param": "body.model",
                             "message": "Model parameter is required."})
            elif "messages" not in o["body"]:
                errs.append({"code": "invalid_request", "line": i, "param": "body.messages",
                             "message": "Messages parameter is required."})
            elif o["custom_id"] in seen:
                errs.append({"code": "duplicate_custom_id", "line": i, "param": "custom_id",
                             "message": "The custom_id for this request is a duplicate of another request. "
                                        "The custom_id parameter must be unique for each request in a batch."})
            seen.add(o.get("custom_id"))
            lines.append(o)
    return errs, lines


def new_file(data, filename, purpose, gemini=False):
    fid = ("files/" + gid(12)) if gemini else rid("file-")
    with LOCK:
        FILES[fid] = {"data": data, "filename": filename, "purpose": purpose, "created_at": now(),
                      "gemini": gemini, "mime": "application/jsonl"}
    return fid


def file_obj(fid):
    f = FILES[fid]
    return {"id": fid, "object": "file", "bytes": len(f["data"]), "created_at": f["created_at"],
            "expires_at": f["created_at"] + 30 * 86400, "filename": f["filename"], "purpose": f["purpose"],
            "status": "processed", "status_details": None}


def oai_create_batch(req):
    fid = req.get("input_file_id")
    ep = req.get("endpoint")
    if ep not in ENDPOINTS:
        return 400, oai_error("Invalid value: '%s'. Supported values are: %s." % (ep, ", ".join(ENDPOINTS)),
                              param="endpoint", code="invalid_value")
    if req.get("completion_window") != "24h":
        return 400, oai_error("Invalid value for 'completion_window': expected '24h'.", param="completion_window",
                              code="invalid_value")
    md = req.get("metadata") or {}
    for k, v in md.items():
        if not isinstance(v, str):
            return 400, oai_error("Invalid type for 'metadata.%s': expected a string, but got %s instead." %
                                  (k, "an array" if isinstance(v, list) else type(v).__name__),
                                  param="metadata." + k, code="invalid_type")
    bid = "batch_" + hashlib.sha1(rid("", 16).encode()).hexdigest()[:24]
    t = now()
    b = {"id": bid, "object": "batch", "endpoint": ep, "model": None, "errors": None, "input_file_id": fid,
         "completion_window": "24h", "status": "validating", "output_file_id": None, "error_file_id": None,
         "created_at": t, "in_progress_at": None, "expires_at": t + 86400, "finalizing_at": None,
         "completed_at": None, "failed_at": None, "expired_at": None, "cancelling_at": None, "cancelled_at": None,
         "request_counts": {"total": 0, "completed": 0, "failed": 0}, "metadata": md or None}
    st = {"obj": b, "t0": time.monotonic(), "step": step(), "lines": [], "errs": [], "final": None,
          "line_errors": frac("line_errors"), "bad_json": frac("bad_json"), "expire": None,
          "unknown_ids": frac("unknown_ids"), "cancel_at": None, "seed": RNG.random()}
    with LOCK:
        f = FILES.get(fid)
    if not f:
        st["errs"] = [{"code": "invalid_request", "line": None, "param": "file_id",
                       "message": "Cannot find file %s, or organization org-fake does not have access to it." % fid}]
    else:
        errs, lines = validate_lines(f["data"], ep)
        if take("validation"):
            errs = [{"code": "missing_required_parameter", "line": 1,
                     "message": "Missing required parameter: 'custom_id'.", "param": "custom_id"},
                    {"code": "invalid_json_line", "line": 2, "message": "This line is not parseable as valid JSON.",
                     "param": None}] + errs
        if not errs and take("token_limit"):
            errs = [{"code": "token_limit_exceeded", "line": None, "param": None,
                     "message": "Enqueued token limit reached for gpt-4o-mini in organization org-fake. "
                                "Limit: 2,000,000 enqueued tokens. Please try again once some in_progress "
                                "batches have been completed."}]
        st["errs"] = errs
        st["lines"] = lines
        if lines:
            b["model"] = lines[0]["body"].get("model")
        for o in lines:
            count("custom_ids", o["custom_id"])
    with LOCK:
        if "expire" in FAULTS:
            st["expire"] = FAULTS.pop("expire")
            STATS["faults_fired"]["expire"] = STATS["faults_fired"].get("expire", 0) + 1
        BATCHES[bid] = st
        ORDER.append(bid)
    count("batches_created")
    return 200, dict(b)


def foreign_ids(st, own, gemini):
    """The unknown_ids fault: (index of an own line, foreign id) pairs for the
    extra result lines of a finishing batch; none when the fault is off.  Its
    own random stream, so the rest of the output does not change with it."""
    f = st.get("unknown_ids") or 0.0
    if f <= 0 or not own:
        return []
    rng = random.Random("unknown_ids %r" % st["seed"])
    mine = set(own)
    with LOCK:
        if gemini:
            others = [k for o in GBATCHES.values() if o is not st for k, _ in o["items"]]
        else:
            others = [o["custom_id"] for b in BATCHES.values() if b is not st for o in b["lines"]]
    others = sorted(set(others) - mine)
    out = []
    for i in range(len(own)):
        if rng.random() >= f:
            continue
        kind = len(out) % 3
        if kind == 0 and others:
            cid = rng.choice(others)
        elif kind in (0, 1):
            base = rng.choice(own)
            cid = base[:-4] + "".join(rng.choice("0123456789abcdef") for _ in range(4))
            if cid in mine:
                cid = "ghost-" + cid
        else:
            cid = "ghost-%08x" % rng.getrandbits(32)
        out.append((rng.randrange(len(own)), cid))
    fired("unknown_ids", len(out))
    return out


def oai_finish(st, status, done_frac=1.0):
    """Write output and error files; mark terminal status."""
    b = st["obj"]
    rng = random.Random(st["seed"])
    lines = st["lines"]
    n_done = len(lines) if done_frac >= 1.0 else int(len(lines) * done_frac)
    out, err = [], []
    for i, o in enumerate(lines):
        cid = o["custom_id"]
        lid = "batch_req_" + hashlib.sha1((b["id"] + cid).encode()).hexdigest()[:24]
        if i >= n_done:
            if status == "expired":
                err.append({"id": lid, "custom_id": cid, "response": None,
                            "error": {"code": "batch_expired",
                                      "message": "This request could not be executed before the completion window expired."}})
            continue
        if rng.random() < st["line_errors"]:
            fired("line_errors")
            err.append({"id": lid, "custom_id": cid, "response": {
                "status_code": 400, "request_id": rid("req_", 16),
                "body": oai_error("Invalid 'max_tokens': integer below minimum value. Expected a value >= 1, "
                                  "but got 0 instead.", param="max_tokens", code="integer_below_min_value")},
                "error": None})
            continue
        bad = rng.random() < st["bad_json"]
        if bad:
            fired("bad_json")
        out.append({"id": lid, "custom_id": cid, "response": {"status_code": 200, "request_id": rid("req_", 16),
                                                               "body": chat_completion(o["body"], rng, bad)},
                    "error": None})
    if out:
        # results only come for lines that ran: foreign lines join those
        xrng = random.Random("unknown_ids answers %r" % st["seed"])
        for i, cid in foreign_ids(st, [o["custom_id"] for o in lines], False):
            lid = "batch_req_" + hashlib.sha1((b["id"] + cid).encode()).hexdigest()[:24]
            out.append({"id": lid, "custom_id": cid, "response": {
                "status_code": 200, "request_id": rid("req_", 16),
                "body": chat_completion(lines[i]["body"], xrng)}, "error": None})
    rng.shuffle(out)
    rng.shuffle(err)
    if out:
        b["output_file_id"] = new_file("".join(json.dumps(x) + "\n" for x in out).encode(),
                                       "batch_%s_output.jsonl" % b["id"], "batch_output")
    if err:
        b["error_file_id"] = new_file("".join(json.dumps(x) + "\n" for x in err).encode(),
                                      "batch_%s_error.jsonl" % b["id"], "batch_output")
    b["request_counts"] = {"total": len(lines), "completed": len(out), "failed": len(err)}
    pin, ptok = 0, 0
    for x in out:
        u = x["response"]["body"]["usage"]
        pin += u["prompt_tokens"]
        ptok += u["completion_tokens"]
    b["usage"] = {"input_tokens": pin, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": ptok,
                  "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": pin + ptok}
    b["status"] = status
    b[status + "_at"] = now()


def oai_advance(st):
    """Move a batch along its status progression, by elapsed time."""
    b = st["obj"]
    if b["status"] in ("completed", "failed", "expired", "cancelled"):
        return
    k = int((time.monotonic() - st["t0"]) / st["step"]) if st["step"] > 0 else 99
    if st["cancel_at"] is not None:
        # a cancel takes one step of the pace in force now (tests slow a
        # batch down, then speed up to cancel it)
        if time.monotonic() - st["cancel_at"] >= min(st["step"], step()):
            if "cancel_keep" in FAULTS:
                fired("cancel_keep")
            oai_finish(st, "cancelled", frac("cancel_keep", 0.5))
        return
    if k >= 1 and st["errs"]:
        b["status"] = "failed"
        b["failed_at"] = now()
        b["errors"] = {"object": "list", "data": st["errs"]}
        return
    if k >= 1 and b["status"] == "validating":
        b["status"] = "in_progress"
        b["in_progress_at"] = now()
        b["request_counts"] = {"total": len(st["lines"]), "completed": 0, "failed": 0}
    if k >= 2 and st["expire"] is not None:
        oai_finish(st, "expired", st["expire"])
        return
    if k >= 2 and b["status"] == "in_progress":
        b["status"] = "finalizing"
        b["finalizing_at"] = now()
        b["request_counts"]["completed"] = len(st["lines"])
    if k >= 3 and b["status"] == "finalizing":
        oai_finish(st, "completed")


def oai_batch_view(st):
    with LOCK:
        oai_advance(st)
        return json.loads(json.dumps(st["obj"]))


# ---------------------------------------------------------------- Gemini batches

GSTATE = {"PENDING": "BATCH_STATE_PENDING", "RUNNING": "BATCH_STATE_RUNNING",
          "SUCCEEDED": "BATCH_STATE_SUCCEEDED", "FAILED": "BATCH_STATE_FAILED",
          "CANCELLED": "BATCH_STATE_CANCELLED", "EXPIRED": "BATCH_STATE_EXPIRED"}


def iso(t=None):
    t = time.time() if t is None else t
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%06dZ" % int((t % 1) * 1e6)


def gem_create_batch(model, body):
    batch = body.get("batch") or {}
    ic = batch.get("input_config") or batch.get("inputConfig") or {}
    name = "batches/" + gid()
    items, inline, errs = [], False, None
    fname = ic.get("file_name") or ic.get("fileName")
    if fname:
        with LOCK:
            f = FILES.get(fname)
        if not f:
            return 404, gem_error(404, "NOT_FOUND", "File %s not found." % fname)
        for i, raw in enumerate(f["data"].split(b"\n"), 1):
            if not raw.strip():
                continue
            try:
                o = json.loads(raw)
                items.append((o["key"], o["request"]))
            except Exception:
                errs = "Invalid JSONL at line %d: each line needs a key and a request." % i
                break
    else:
        rq = (ic.get("requests") or {}).get("requests")
        if rq is None:
            return 400, gem_error(400, "INVALID_ARGUMENT", "batch.input_config is required.")
        inline = True
        for i, it in enumerate(rq):
            items.append(((it.get("metadata") or {}).get("key", str(i)), it.get("request") or {}))
    if take("validation"):
        errs = "Invalid request at line 1: contents is required. Invalid request at line 2: bad part."
    for k, _ in items:
        count("custom_ids", k)
    t = time.time()
    meta = {"@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch",
            "model": model, "displayName": batch.get("display_name") or batch.get("displayName") or "",
            "createTime": iso(t), "updateTime": iso(t),
            "batchStats": {"requestCount": str(len(items)), "pendingRequestCount": str(len(items))},
            "state": GSTATE["PENDING"], "name": name}
    if fname:
        meta["inputConfig"] = {"fileName": fname}
    st = {"op": {"name": name, "metadata": meta}, "t0": time.monotonic(), "step": step(), "items": items,
          "inline": inline, "errs": errs, "line_errors": frac("line_errors"), "bad_json": frac("bad_json"),
          "unknown_ids": frac("unknown_ids"), "expire": None, "cancel": False, "seed": RNG.random(),
          "model": model}
    with LOCK:
        if "expire" in FAULTS:
            st["expire"] = FAULTS.pop("expire")
            fired("expire")
        GBATCHES[name] = st
        GORDER.append(name)
    count("batches_created")
    return 200, json.loads(json.dumps(st["op"]))


def gem_finish(st, state):
    op, meta = st["op"], st["op"]["metadata"]
    rng = random.Random(st["seed"])
    results, ok, bad = [], 0, 0
    for key, req in st["items"]:
        if rng.random() < st["line_errors"]:
            fired("line_errors")
            results.append({"key": key, "error": {"code": 3, "message": "Request contains an invalid argument."}})
            bad += 1
        else:
            bj = rng.random() < st["bad_json"]
            if bj:
                fired("bad_json")
            results.append({"key": key, "response": gem_response(req, st["model"], rng, bj)})
            ok += 1
    xrng = random.Random("unknown_ids answers %r" % st["seed"])
    for i, key in foreign_ids(st, [k for k, _ in st["items"]], True):
        results.insert(xrng.randrange(len(results) + 1),
                       {"key": key, "response": gem_response(st["items"][i][1], st["model"], xrng)})
    stats = {"requestCount": str(len(st["items"]))}
    if ok:
        stats["successfulRequestCount"] = str(ok)
    if bad:
        stats["failedRequestCount"] = str(bad)
    meta["batchStats"] = stats
    if st["inline"]:
        inl = []
        for r in results:
            it = {"metadata": {"key": r["key"]}}
            if "error" in r:
                it["error"] = r["error"]
            else:
                it["response"] = r["response"]
            inl.append(it)
        out = {"inlinedResponses": {"inlinedResponses": inl}}
    else:
        fid = "files/batch-" + op["name"].split("/", 1)[1]
        with LOCK:
            FILES[fid] = {"data": "".join(json.dumps(r) + "\n" for r in results).encode(), "filename": fid,
                          "purpose": "batch_output", "created_at": now(), "gemini": True, "mime": "application/jsonl"}
        out = {"responsesFile": fid}
    meta["output"] = out
    op["done"] = True
    op["response"] = dict(out, **{"@type": "type.googleapis.com/google.ai.generativelanguage.v1main."
                                           "GenerateContentBatchOutput"})
    meta["state"] = GSTATE[state]
    meta["endTime"] = meta["updateTime"] = iso()


def gem_advance(st):
    op, meta = st["op"], st["op"]["metadata"]
    if op.get("done"):
        return
    k = int((time.monotonic() - st["t0"]) / st["step"]) if st["step"] > 0 else 99
    if st["cancel"]:
        meta["state"] = GSTATE["CANCELLED"]
        op["done"] = True
        op["error"] = {"code": 1, "message": "The batch was cancelled."}
        meta["updateTime"] = meta["endTime"] = iso()
        return
    if k >= 1 and meta["state"] == GSTATE["PENDING"]:
        meta["state"] = GSTATE["RUNNING"]
        meta["updateTime"] = iso()
    if k >= 2 and st["errs"]:
        meta["state"] = GSTATE["FAILED"]
        op["done"] = True
        op["error"] = {"code": 3, "message": st["errs"]}
        return
    if k >= 2 and st["expire"] is not None:
        meta["state"] = GSTATE["EXPIRED"]
        op["done"] = True
        meta["updateTime"] = meta["endTime"] = iso()
        return
    if k >= 3:
        gem_finish(st, "SUCCEEDED")


def gem_view(st):
    with LOCK:
        gem_advance(st)
        op = json.loads(json.dumps(st["op"]))
        if FAULTS.get("job_states"):
            op["metadata"]["state"] = op["metadata"]["state"].replace("BATCH_STATE_", "JOB_STATE_")
        return op


def gem_file_obj(fid):
    f = FILES[fid]
    return {"name": fid, "displayName": f["filename"], "mimeType": f["mime"], "sizeBytes": str(len(f["data"])),
            "createTime": iso(f["created_at"]), "updateTime": iso(f["created_at"]),
            "expirationTime": iso(f["created_at"] + 48 * 3600),
            "sha256Hash": base64.b64encode(hashlib.sha256(f["data"]).hexdigest().encode()).decode(),
            "uri": "http://127.0.0.1:%d/v1beta/%s" % (ARGS.bound_port, fid), "state": "ACTIVE",
            "source": "UPLOADED"}


# ---------------------------------------------------------------- live calls

def live_call(text):
    """Count a live call; (digest of its text, its random stream, bad_json?,
    line error?), both providers alike."""
    key = hashlib.sha1((text or "").encode("utf-8", "replace")).hexdigest()[:12]
    count("live_requests")
    count("live_keys", key)
    with LOCK:
        rng = random.Random(RNG.random())
        bad = rng.random() < frac("bad_json")
        lerr = rng.random() < frac("line_errors")
    if lerr:
        fired("line_errors")
        bad = False
    elif bad:
        fired("bad_json")
    return key, rng, bad, lerr


# ---------------------------------------------------------------- HTTP

class Drop(Exception):
    pass


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    server_version = "fakeapi/1.0"

    def log_message(self, fmt, *a):
        if ARGS.verbose:
            sys.stderr.write("fakeapi: " + (fmt % a) + "\n")

    # -- plumbing
    def body(self):
        if getattr(self, "_body", None) is not None:
            return self._body
        te = self.headers.get("Transfer-Encoding", "")
        if "chunked" in te.lower():
            data = b""
            while True:
                ln = self.rfile.readline().strip()
                n = int(ln.split(b";")[0], 16)
                if n == 0:
                    self.rfile.readline()
                    break
                data += self.rfile.read(n)
                self.rfile.readline()
        else:
            n = int(self.headers.get("Content-Length") or 0)
            data = self.rfile.read(n) if n else b""
        self._body = data
        return data

    def jbody(self):
        try:
            return json.loads(self.body() or b"{}")
        except Exception:
            return None

    def reset(self):
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.close_connection = True
        raise Drop()

    def send(self, status, obj=None, raw=None, headers=None, ctype="application/json"):
        data = raw if raw is not None else (json.dumps(obj).encode() if obj is not None else b"")
        stall = take("stall") if self.api else None
        trunc = take("truncate") if self.api and not stall else None
        if self.api and not stall and not trunc and take("endless"):
            return self.send_endless()
        if self.api and not stall and not trunc and take("bomb"):
            return self.send_bomb()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        if self.gem is False:
            self.send_header("x-request-id", rid("req_", 16))
            self.send_header("openai-version", "2020-10-01")
            self.send_header("openai-processing-ms", "12")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if stall:
            secs = stall if stall is not True else 30.0
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            end = time.monotonic() + secs
            while time.monotonic() < end and not STOP.is_set():
                time.sleep(0.05)
            self.close_connection = True
            raise Drop()
        if trunc:
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            raise Drop()
        self.wfile.write(data)

    def send_endless(self):
        """A 200 that never ends: JSON-looking bytes until the client hangs up."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Connection", "close")
        self.end_headers()
        chunk = b'{"id": "x", "object": "list", "data": [' + b'{"a": 1}, ' * 6500
        try:
            while not STOP.is_set():
                self.wfile.write(chunk)
        except OSError:
            pass
        self.close_connection = True
        raise Drop()

    def send_bomb(self):
        """A gzip body of a few KB that inflates to 64 MB (of spaces)."""
        data = gzip.compress(b" " * (64 << 20), compresslevel=9)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except OSError:
            pass

    def handle_one(self, method):
        u = urlsplit(self.path)
        path, q = u.path, parse_qs(u.query)
        self.gem = None
        self.api = not path.startswith("/__")
        if path.startswith("/v1/"):
            self.gem = False
        elif path.startswith(("/v1beta/", "/upload/", "/download/")):
            self.gem = True
        if self.api:
            count("requests")
        count("requests_by_path", method + " " + re.sub(r"(batch_|file-|files/|batches/)[A-Za-z0-9_-]+",
                                                           r"\1*", path))
        try:
            if path == "/__stats":
                with LOCK:
                    return self.send(200, STATS)
            if path == "/__fault" and method == "POST":
                return self.control()
            if not self.api:
                return self.send(404, {"error": "no such control endpoint"})
            self.body()
            # Auth first, as the real services do.
            if self.gem is False:
                auth = self.headers.get("Authorization", "")
                key = auth[7:] if auth.startswith("Bearer ") else ""
                if key != OPENAI_KEY:
                    msg = ("Incorrect API key provided: %s. You can find your API key at "
                           "https://platform.openai.com/account/api-keys." % mask_key(key)) if key else \
                        ("You didn't provide an API key. You need to provide your API key in an Authorization "
                         "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).")
                    return self.send(401, oai_error(msg, code="invalid_api_key" if key else None))
            elif self.gem and "upload_id" not in q:
                key = self.headers.get("x-goog-api-key") or (q.get("key") or [""])[0]
                if not key:
                    return self.send(403, gem_error(403, "PERMISSION_DENIED",
                                                    "Method doesn't allow unregistered callers (callers without "
                                                    "established identity). Please use API Key or other form of "
                                                    "API consumer identity to call this API."))
                if key != GEMINI_KEY:
                    return self.send(400, GEM_BAD_KEY)
            # Transport faults on API calls.
            if take("reset"):
                self.reset()
            r = take("429")
            if r:
                secs = r if r is not True else 0.05
                if self.gem:
                    return self.send(429, gem_error(429, "RESOURCE_EXHAUSTED",
                                                    "You exceeded your current quota, please check your plan and "
                                                    "billing details.", [
                                                        {"@type": "type.googleapis.com/google.rpc.QuotaFailure",
                                                         "violations": [{"quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                                                                         "quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"}]},
                                                        {"@type": "type.googleapis.com/google.rpc.RetryInfo",
                                                         "retryDelay": "%gs" % secs}]))
                return self.send(429, oai_error(
                    "Rate limit reached for gpt-4o-mini in organization org-fake on requests per min (RPM): "
                    "Limit 3, Used 3, Requested 1. Please try again in %gs. Visit "
                    "https://platform.openai.com/account/rate-limits to learn more." % secs,
                    typ="requests", code="rate_limit_exceeded"),
                    headers={"retry-after": "%g" % secs, "retry-after-ms": "%d" % int(secs * 1000),
                             "x-ratelimit-limit-requests": "3", "x-ratelimit-remaining-requests": "0",
                             "x-ratelimit-reset-requests": "%gs" % secs})
            for code in ("500", "503"):
                if take(code):
                    if self.gem:
                        return self.send(int(code), gem_error(int(code), "INTERNAL" if code == "500" else "UNAVAILABLE",
                                                              "An internal error has occurred." if code == "500"
                                                              else "The model is overloaded. Please try again later."))
                    return self.send(int(code), oai_error(
                        "The server had an error while processing your request. Sorry about that!"
                        if code == "500" else "The engine is currently overloaded, please try again later.",
                        typ="server_error"))
            r = take("status")
            if r:
                code = int(r) if r is not True else 400
                if self.gem:
                    canon = {400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                             409: "ABORTED", 429: "RESOURCE_EXHAUSTED"}.get(code, "FAILED_PRECONDITION")
                    return self.send(code, gem_error(code, canon, "Injected status %d." % code))
                if code == 429:
                    return self.send(429, oai_error(
                        "You exceeded your current quota, please check your plan and billing details.",
                        typ="insufficient_quota", code="insufficient_quota"))
                return self.send(code, oai_error("Injected status %d." % code))
            if self.gem:
                return self.gemini(method, path, q)
            return self.openai(method, path, q)
        except Drop:
            return
        except (BrokenPipeError, ConnectionResetError):
            return

    def control(self):
        raw = self.body().decode("utf-8", "replace").strip()
        try:
            if raw.startswith("{"):
                for k, v in json.loads(raw).items():
                    set_fault(k, None if v is None or v is True else str(v))
            else:
                for ln in raw.splitlines():
                    if ln.strip():
                        parse_fault(ln.strip())
        except Exception as ex:
            return self.send(400, {"error": str(ex)})
        with LOCK:
            return self.send(200, {"faults": FAULTS})

    # -- OpenAI
    def openai(self, method, path, q):
        p = path[3:]
        if method == "POST" and p == "/files":
            return self.oai_upload()
        m = re.fullmatch(r"/files/([^/]+)(/content)?", p)
        if m:
            fid = m.group(1)
            with LOCK:
                f = FILES.get(fid)
            if not f or f["gemini"]:
                return self.send(404, oai_error("No such File object: %s" % fid, param="id"))
            if method == "DELETE":
                with LOCK:
                    FILES.pop(fid, None)
                count("files_deleted")
                return self.send(200, {"id": fid, "object": "file", "deleted": True})
            if m.group(2):
                return self.send(200, raw=f["data"], ctype="application/octet-stream")
            return self.send(200, file_obj(fid))
        if p == "/batches" and method == "POST":
            req = self.jbody()
            if req is None:
                return self.send(400, oai_error("We could not parse the JSON body of your request."))
            code, obj = oai_create_batch(req)
            if code == 200 and take("crash_create"):
                self.reset()
            return self.send(code, obj)
        if p == "/batches" and method == "GET":
            limit = max(1, min(100, int((q.get("limit") or ["20"])[0])))
            with LOCK:
                limit = min(limit, FAULTS.get("page_size", limit))
                ids = list(reversed(ORDER))
            after = (q.get("after") or [None])[0]
            if after in ids:
                ids = ids[ids.index(after) + 1:]
            page = ids[:limit]
            data = [oai_batch_view(BATCHES[i]) for i in page]
            return self.send(200, {"object": "list", "data": data, "first_id": page[0] if page else None,
                                   "last_id": page[-1] if page else None, "has_more": len(ids) > limit})
        m = re.fullmatch(r"/batches/([^/]+)(/cancel)?", p)
        if m:
            with LOCK:
                st = BATCHES.get(m.group(1))
            if not st:
                return self.send(404, oai_error("No batch found with id '%s'." % m.group(1), param="batch_id"))
            if m.group(2) and method == "POST":
                with LOCK:
                    oai_advance(st)
                    b = st["obj"]
                    if b["status"] in ("completed", "failed", "expired"):
                        return self.send(409, oai_error("Cannot cancel a batch with status '%s'." % b["status"]))
                    if b["status"] not in ("cancelling", "cancelled"):
                        b["status"] = "cancelling"
                        b["cancelling_at"] = now()
                        st["cancel_at"] = time.monotonic()
                        count("batches_cancelled")
                    return self.send(200, json.loads(json.dumps(b)))
            if method == "GET":
                return self.send(200, oai_batch_view(st))
        if p == "/chat/completions" and method == "POST":
            body = self.jbody()
            if not isinstance(body, dict) or "model" not in body or "messages" not in body:
                return self.send(400, oai_error("Missing required parameter: 'messages'.", param="messages",
                                                code="missing_required_parameter"))
            key, rng, bad, lerr = live_call(oai_request_parts(body)[1])
            if lerr:
                return self.send(400, oai_error("Invalid 'max_tokens': integer below minimum value.",
                                                param="max_tokens", code="integer_below_min_value"))
            self.send(200, chat_completion(body, rng, bad),
                      headers={"x-ratelimit-limit-requests": "500", "x-ratelimit-remaining-requests": "499",
                               "x-ratelimit-reset-requests": "120ms"})
            if not bad:
                count("live_answered", key)
            return None
        if p == "/models" and method == "GET":
            return self.send(200, {"object": "list", "data": [
                {"id": m_, "object": "model", "created": 1721172741, "owned_by": "system"}
                for m_ in ("gpt-4o-mini", "gpt-4o", "gpt-4.1-mini")]})
        return self.send(404, oai_error("Invalid URL (%s %s)" % (method, path)))

    def oai_upload(self):
        ctype = self.headers.get("Content-Type", "")
        m = re.search(r"boundary=\"?([^\";]+)", ctype)
        if not m:
            return self.send(400, oai_error("Expected multipart/form-data.", param="file"))
        fields, fdata, fname = {}, None, None
        for part in self.body().split(b"--" + m.group(1).encode())[1:]:
            if part.startswith(b"--"):
                break
            head, _, data = part.partition(b"\r\n\r\n")
            data = data[:-2] if data.endswith(b"\r\n") else data
            hd = head.decode("utf-8", "replace")
            nm = re.search(r'name="([^"]*)"', hd)
            fn = re.search(r'filename="([^"]*)"', hd)
            if nm and fn:
                fdata, fname = data, fn.group(1)
            elif nm:
                fields[nm.group(1)] = data.decode()
        if fdata is None:
            return self.send(400, oai_error("Missing required parameter: 'file'.", param="file",
                                            code="missing_required_parameter"))
        purpose = fields.get("purpose")
        if purpose not in ("assistants", "batch", "fine-tune", "vision", "user_data", "evals"):
            return self.send(400, oai_error("Invalid value for 'purpose'.", param="purpose", code="invalid_value"))
        if purpose == "batch" and len(fdata) > 200 * 1024 * 1024:
            return self.send(400, oai_error("File is too large: the Batch API supports .jsonl files up to 200 MB.",
                                            param="file"))
        fid = new_file(fdata, fname, purpose)
        count("files_uploaded")
        return self.send(200, file_obj(fid))

    # -- Gemini
    def gemini(self, method, path, q):
        if path == "/upload/v1beta/files" and method == "POST":
            if "upload_id" in q:
                return self.gem_upload_chunk(q["upload_id"][0])
            if self.headers.get("X-Goog-Upload-Protocol", "").lower() != "resumable" or \
                    self.headers.get("X-Goog-Upload-Command", "").lower() != "start":
                return self.send(400, gem_error(400, "INVALID_ARGUMENT", "Only the resumable protocol is supported."))
            meta = self.jbody() or {}
            uid = gid(24)
            with LOCK:
                UPLOADS[uid] = {"data": b"", "size": int(self.headers.get("X-Goog-Upload-Header-Content-Length") or 0),
                                "mime": self.headers.get("X-Goog-Upload-Header-Content-Type", "application/octet-stream"),
                                "name": ((meta.get("file") or {}).get("display_name") or
                                         (meta.get("file") or {}).get("displayName") or "upload")}
            url = "http://127.0.0.1:%d/upload/v1beta/files?upload_id=%s&upload_protocol=resumable" % (
                ARGS.bound_port, uid)
            return self.send(200, raw=b"", headers={"x-goog-upload-url": url, "x-goog-upload-status": "active",
                                                    "x-goog-upload-chunk-granularity": "8388608"})
        m = re.fullmatch(r"/(download/)?v1beta/(files/[^/:]+):download", path)
        if m and method == "GET":
            with LOCK:
                f = FILES.get(m.group(2))
            if not f:
                return self.send(404, gem_error(404, "NOT_FOUND", "File %s not found." % m.group(2)))
            return self.send(200, raw=f["data"], ctype="application/octet-stream")
        m = re.fullmatch(r"/v1beta/(files/[^/:]+)", path)
        if m:
            with LOCK:
                f = FILES.get(m.group(1))
            if not f:
                return self.send(404, gem_error(404, "NOT_FOUND", "File %s not found." % m.group(1)))
            if method == "DELETE":
                with LOCK:
                    FILES.pop(m.group(1), None)
                count("files_deleted")
                return self.send(200, {})
            return self.send(200, gem_file_obj(m.group(1)))
        m = re.fullmatch(r"/v1beta/(models/[^/:]+):(batchGenerateContent|generateContent)", path)
        if m and method == "POST":
            body = self.jbody()
            if body is None:
                return self.send(400, gem_error(400, "INVALID_ARGUMENT", "Invalid JSON payload received."))
            if m.group(2) == "generateContent":
                key, rng, bad, lerr = live_call(gem_request_parts(body)[1])
                if lerr:
                    return self.send(400, gem_error(400, "INVALID_ARGUMENT", "Request contains an invalid argument.",
                                                    [{"@type": "type.googleapis.com/google.rpc.BadRequest",
                                                      "fieldViolations": [{"field": "generation_config.max_output_tokens",
                                                                           "description": "must be positive"}]}]))
                self.send(200, gem_response(body, m.group(1), rng, bad))
                if not bad:
                    count("live_answered", key)
                return None
            code, obj = gem_create_batch(m.group(1), body)
            if code == 200 and take("crash_create"):
                self.reset()
            return self.send(code, obj)
        if path == "/v1beta/batches" and method == "GET":
            size = max(1, min(1000, int((q.get("pageSize") or ["50"])[0])))
            with LOCK:
                size = min(size, FAULTS.get("page_size", size))
                names = list(reversed(GORDER))
            start = int((q.get("pageToken") or ["0"])[0] or 0)
            page = names[start:start + size]
            res = {"operations": [gem_view(GBATCHES[n]) for n in page]}
            if start + size < len(names):
                res["nextPageToken"] = str(start + size)
            return self.send(200, res)
        m = re.fullmatch(r"/v1beta/(batches/[^/:]+)(:cancel)?", path)
        if m:
            with LOCK:
                st = GBATCHES.get(m.group(1))
            if not st:
                return self.send(404, gem_error(404, "NOT_FOUND", "Requested entity was not found."))
            if m.group(2) and method == "POST":
                with LOCK:
                    gem_advance(st)
                    if not st["op"].get("done"):
                        st["cancel"] = True
                        count("batches_cancelled")
                return self.send(200, {})
            if method == "DELETE":
                with LOCK:
                    GBATCHES.pop(m.group(1), None)
                    GORDER.remove(m.group(1))
                return self.send(200, {})
            if method == "GET":
                return self.send(200, gem_view(st))
        if path == "/v1beta/models" and method == "GET":
            return self.send(200, {"models": [{"name": "models/gemini-2.5-flash", "displayName": "Gemini 2.5 Flash",
                                               "supportedGenerationMethods": ["generateContent",
                                                                              "batchGenerateContent"]}]})
        return self.send(404, gem_error(404, "NOT_FOUND", "Requested entity was not found."))

    def gem_upload_chunk(self, uid):
        with LOCK:
            up = UPLOADS.get(uid)
        if not up:
            return self.send(404, gem_error(404, "NOT_FOUND", "Upload session not found."))
        cmd = self.headers.get("X-Goog-Upload-Command", "").lower()
        off = int(self.headers.get("X-Goog-Upload-Offset") or 0)
        if off != len(up["data"]):
            return self.send(400, gem_error(400, "INVALID_ARGUMENT", "Bad upload offset %d, expected %d." %
                                            (off, len(up["data"]))))
        up["data"] += self.body()
        if "finalize" not in cmd:
            return self.send(200, raw=b"", headers={"x-goog-upload-status": "active"})
        fid = new_file(up["data"], up["name"], "batch", gemini=True)
        with LOCK:
            FILES[fid]["mime"] = up["mime"]
            UPLOADS.pop(uid, None)
        count("files_uploaded")
        return self.send(200, {"file": gem_file_obj(fid)}, headers={"x-goog-upload-status": "final"})

    def do_GET(self):
        self.handle_one("GET")
        save_state()

    def do_POST(self):
        self.handle_one("POST")
        save_state()

    def do_DELETE(self):
        self.handle_one("DELETE")
        save_state()


STOP = threading.Event()


def main():
    global ARGS, RNG
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--step", type=float, default=0.02, help="seconds per status step")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--state-file")
    ap.add_argument("--fault", action="append", default=[])
    ap.add_argument("--verbose", action="store_true")
    ARGS = ap.parse_args()
    RNG = random.Random(ARGS.seed)
    for f in ARGS.fault:
        parse_fault(f)
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.allow_reuse_address = True
    srv = ThreadingHTTPServer(("127.0.0.1", ARGS.port), Handler)
    ARGS.bound_port = srv.server_address[1]

    def stop(*_):
        STOP.set()
        threading.Thread(target=srv.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    save_state()
    sys.stdout.write("PORT %d\n" % ARGS.bound_port)
    sys.stdout.flush()
    srv.serve_forever(poll_interval=0.05)
    srv.server_close()
    save_state()
    return 0


if __name__ == "__main__":
    sys.exit(main())
