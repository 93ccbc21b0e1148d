#!/usr/bin/env python3
"""fakeapi.py: a loopback fake of the OpenAI Batch API and the Gemini Batch
API (reference/apis.md sections 1, 3, 4), for tests and the demo.

Same paths, JSON shapes, status progressions, error bodies and headers as
the real services, with faults injected from the command line (--fault
NAME[=ARG], repeatable) or at run time (POST /__fault).  Python 3 stdlib only.

  fakeapi.py --port 0 [--step SECONDS] [--seed N] [--state-file F] [--fault NAME[=ARG]]...
             [--tls-cert CERT.pem --tls-key KEY.pem]

Prints "PORT <n>" on stdout line 1.  Base URLs: OpenAI http://127.0.0.1:n/v1,
Gemini http://127.0.0.1:n.  Keys: sk-test-fake (OpenAI), gm-test-fake (Gemini).
With --tls-cert and --tls-key it speaks HTTPS only (https://127.0.0.1:n), as the
real services do.  Connections are kept alive (HTTP/1.1) as the real services
keep them; /__stats counts "connections" (TCP connections accepted) and
"tls_handshakes" (completed TLS handshakes; "tls_resumed" of them resumed a
session), "tls_refused" (handshakes the client broke off, e.g. because it does
not trust the certificate).

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
  html=N           next N API calls: 502 Bad Gateway with an HTML page, as a proxy or
                   load balancer in front of the service answers [1]
  endless=N        next N API calls: a 200 whose body never ends (no length) [1]
  bomb=N           next N API calls: a gzip body of a few KB that inflates to 16 MB [1]
  crash_create[=N[:SECS]] the next N batch creations create the batch, then hold the
                   connection SECS without a byte (a client killed meanwhile never
                   learns the batch's id) and drop it [1:0]
  hang_create=N[:SECS] the next N batch creations create nothing: the request hangs
                   SECS, then the connection drops (a kill between upload and create) [1:30]
  hang_upload=N[:SECS] the next N uploads (OpenAI POST /files, Gemini's finalizing
                   chunk) store the file, then hold the answer SECS and drop the
                   connection (a kill between the upload and saving its id) [1:30]
  step=SECS        seconds per status step for batches created from now on
  page_size=N      cap list pages, of batches and of files (to exercise pagination)
  job_states       Gemini states spelled JOB_STATE_* (as the SDK and the guide's sample do)
  cancel_keep=FRAC fraction of lines a cancelled OpenAI batch keeps as completed [0.5]
                   (a cancelled Gemini batch keeps nothing)
  expire_partial[=FRAC] the next batch expires with FRAC of its lines answered, both
                   providers (Gemini: BATCH_STATE_EXPIRED with a responsesFile or
                   inlined responses for those lines, the rest pending) [0.5]
  gem_token_limit=N Gemini's enqueued-token limit per model: a create whose prompt
                   tokens plus those of the model's unfinished batches pass N gets
                   429 RESOURCE_EXHAUSTED (QuotaFailure, no RetryInfo) [100000]
  file_ttl=SECS    Gemini files uploaded from now on expire after SECS (then 403,
                   as a deleted one)
  seed=N           reseed the random generator
  forget           the fake forgets every batch it has, at once (as after the
                   provider's retention: a GET or cancel of one is a 404)
  advance[=N]      every batch moves N steps of its pace on at once (a test that
                   sets a long step and moves the batches itself sees every
                   state however slowly it polls) [1]
  clear            remove every fault

Agency-rule switches (=FRAC, the share of answers hit [1]): answers stay valid
JSON and keep the schema's shape, but break a rule of reference/agencies.md;
deterministic per request text; faults_fired counts the answers hit.
  names            a person's name in the title, description and keywords
  brands           a brand name (Coca-Cola, Nike, ...) likewise
  long_title       a title longer than 70 characters (up to the schema's maxLength)
  dup_keywords     the first three keywords repeated
  caps_keywords    every third keyword capitalised or upper-case
  off_list         categories on no agency's list (even past the schema's enum)
  invisible        a bidi override and zero-width characters in the title and a
                   keyword, an escape sequence and an ESC-less "[0m" in the description

Validation, as apis.md documents it (each request judged on its own; a line or
body of any shape is answered, never crashes the fake):
  OpenAI upload    400 for a purpose=batch file not named *.jsonl
  OpenAI create    200 validating, then status failed with errors.data[] (1-based
                   line): invalid_json_line, missing_required_parameter, an extra
                   top-level key (invalid_request), a non-string custom_id
                   (invalid_type), a method other than POST (invalid_value),
                   invalid_url, a non-object body, streaming_unsupported, no model
                   or messages, model_not_found (unknown model), model_mismatch
                   (two models in one file), duplicate_custom_id, empty_file
  OpenAI lines     the error file gets a 400/404 response line (the body the live
                   endpoint gives) for an unknown body parameter, max_tokens < 1,
                   max_tokens on a gpt-5/o-series model, a strict json_schema that
                   strict mode refuses (additionalProperties false, every property
                   required), an image_url whose base64 is not an image
  OpenAI live      the same checks: 400 (404 model_not_found)
  Gemini create    404 for an unknown model; 403 PERMISSION_DENIED for a deleted,
                   expired or unknown input file; inline requests are checked whole
                   (400 INVALID_ARGUMENT: unknown field such as "config", missing
                   contents, a response schema without the JSON MIME type, unknown
                   schema field, broken inline image, maxOutputTokens < 1)
  Gemini lines     a file line failing those checks gets {"key", "error": {"code": 3}}
  Gemini live      the same checks: 400 INVALID_ARGUMENT
  Gemini files     get, delete and download of a deleted, expired or unknown file:
                   403 PERMISSION_DENIED "You do not have permission to access the
                   File <id> or it may not exist." (not 404); a non-final resumable
                   chunk must be a multiple of x-goog-upload-chunk-granularity
                   (8388608), else 400
  File lists       OpenAI GET /v1/files?purpose=&limit=&order=&after= (apis.md 1.2
                   (9)): File objects, limit 1..10000 [10000], order desc|asc [desc],
                   after = the last id of the previous page, has_more; a limit or
                   order out of range: 400.  Gemini GET /v1beta/files?pageSize=
                   &pageToken=: {"files": [File...], "nextPageToken"} (no "files"
                   key when there are none, as proto3 JSON omits empty lists),
                   pageSize [10], above 100 taken as 100, below 0 400; an unknown
                   pageToken: 400 INVALID_ARGUMENT.  Expired files are not listed.

Every refusal above counts in /__stats "rejected" (by kind); with the environment
variable FAKEAPI_REJECT_LOG=FILE each also appends a line (the calling test, the
kind, the message) there: `FAKEAPI_REJECT_LOG=/tmp/r make check` lists what the
program sends that the real services would refuse.

Answers: the model's JSON is built from the request's words; a Czech description
(between <<<DESCRIPTION and DESCRIPTION>>>) is read as a model would, in English
("horská chata v Krkonoších" -> keywords cabin, mountain, ..., place names kept
with their diacritics).
GET /__stats returns the counters (usage: the prompt and answer tokens of the
answers sent, batch_in/batch_out and live_in/live_out; files_held: the ids of the files uploaded or
made by a batch and not deleted since, with their purpose; file_names: the same ids with the
name each was uploaded under, OpenAI's filename, Gemini's displayName); POST /__fault takes JSON {"name": arg, ...}
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
import ssl
import string
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit, unquote

import fakeusage  # usage (tokens) from the request, as the services bill it
from fakeusage import jpeg_size

OPENAI_KEY = "sk-test-fake"
GEMINI_KEY = "gm-test-fake"
ENDPOINTS = ["/v1/responses", "/v1/chat/completions", "/v1/embeddings", "/v1/completions",
             "/v1/moderations"]

UPLOAD_GRANULARITY = 8388608  # announced in x-goog-upload-chunk-granularity
LOCK = threading.RLock()
RNG = random.Random(1)
ARGS = None
FAULTS = {}
STATS = {"rejected": {}, "batches_created": 0, "files_uploaded": 0, "requests": 0, "requests_by_path": {},
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


def bill(kind, pin, pout):
    """The usage of answers sent (kind "batch" or "live"): /__stats usage."""
    count("usage", kind + "_in", pin)
    count("usage", kind + "_out", pout)


def rejected(what, detail=""):
    """Count a request the validation refused (STATS rejected, by kind); with
    FAKEAPI_REJECT_LOG set, also append a line there (to find what a test
    suite sends that the real services would refuse)."""
    count("rejected", what)
    log = os.environ.get("FAKEAPI_REJECT_LOG")
    if log:
        with LOCK, open(log, "a", encoding="utf-8") as f:
            try:
                with open("/proc/%d/cmdline" % os.getppid(), "rb") as c:
                    who = c.read().replace(b"\0", b" ").decode("utf-8", "replace")[:120]
            except OSError:
                who = str(os.getppid())
            f.write("%s\t%s\t%s\n" % (who, what, str(detail)[:300]))


def save_state():
    if not ARGS or not ARGS.state_file:
        return
    with LOCK:
        data = json.dumps(STATS, sort_keys=True)
    tmp = "%s.tmp%d" % (ARGS.state_file, threading.get_ident())  # threads save at once
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
                      "endless", "bomb", "hang_create", "hang_upload", "html"):
            a = str(arg) if arg is not None else "1"
            n, _, extra = a.partition(":")
            FAULTS[name] = [int(n or 1), float(extra) if extra else None]
        elif name in ("validation", "token_limit"):
            FAULTS[name] = int(arg or 1)
        elif name in ("expire", "line_errors", "bad_json", "step", "cancel_keep", "unknown_ids", "expire_partial"):
            FAULTS[name] = float(arg if arg is not None else 0.5)
        elif name in AGENCY_FAULTS:
            FAULTS[name] = float(arg if arg is not None else 1.0)
        elif name in ("gem_token_limit", "file_ttl"):
            FAULTS[name] = float(arg if arg is not None else (100000 if name == "gem_token_limit" else 0))
        elif name == "job_states":
            FAULTS[name] = int(arg or 1)
        elif name == "page_size":
            FAULTS[name] = int(arg or 2)
        elif name == "advance":
            for st in list(BATCHES.values()) + list(GBATCHES.values()):
                if st["step"] > 0:
                    st["t0"] -= int(arg or 1) * st["step"]
            STATS["faults_fired"][name] = STATS["faults_fired"].get(name, 0) + 1
        elif name == "forget":
            BATCHES.clear()
            GBATCHES.clear()
            del ORDER[:]
            del GORDER[:]
            STATS["faults_fired"][name] = STATS["faults_fired"].get(name, 0) + 1
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


# Czech stems -> the English word a model writes for them (real metadata for
# Czech input is English: "horská chata v Krkonoších" -> "mountain cabin").
CZ_STEMS = sorted({
    "hor": "mountain", "hůr": "mountain", "jezer": "lake", "rybník": "pond", "řek": "river", "řec": "river",
    "potok": "stream", "vodopád": "waterfall", "les": "forest", "lesní": "forest", "strom": "tree",
    "louk": "meadow", "luč": "meadow", "pole": "field", "polí": "field", "kopc": "hill", "kopec": "hill",
    "údolí": "valley", "skal": "rock", "kámen": "stone", "kamen": "stone", "cest": "path", "stezk": "trail",
    "most": "bridge", "hrad": "castle", "zámek": "chateau", "zámk": "chateau", "kostel": "church",
    "kaple": "chapel", "vesnic": "village", "vesnice": "village", "měst": "town", "náměst": "square",
    "chat": "cabin", "chalup": "cottage", "dům": "house", "dom": "house", "střech": "roof", "ulic": "street",
    "západ": "sunset", "východ": "sunrise", "slun": "sun", "nebe": "sky", "obloh": "sky", "mrak": "cloud",
    "mlh": "fog", "sníh": "snow", "sněh": "snow", "sněž": "snow", "zim": "winter", "jar": "spring",
    "léto": "summer", "letn": "summer", "podzim": "autumn", "ranní": "morning", "rán": "morning",
    "večer": "evening", "noc": "night", "světl": "light", "světle": "light", "odraz": "reflection",
    "klidn": "calm", "tich": "quiet", "zelen": "green", "modr": "blue", "zlat": "golden", "star": "old",
    "histor": "historic", "dřev": "wooden", "dřevěn": "wooden", "květ": "flower", "trav": "grass",
    "pták": "bird", "ptác": "bird", "kůň": "horse", "koně": "horse", "kráv": "cow", "pes": "dog", "psa": "dog",
    "kočk": "cat", "lid": "people", "turist": "tourist", "krajin": "landscape", "přírod": "nature",
    "panoram": "panorama", "výhled": "view", "vyhlíd": "viewpoint", "rozhledn": "lookout tower",
    "nálad": "mood", "molo": "jetty", "lod": "boat", "loď": "boat", "vlak": "train", "nádraž": "station",
    "smrk": "spruce", "borov": "pine", "buk": "beech", "dub": "oak", "bříz": "birch", "kmen": "trunk",
    "úboč": "slope", "svah": "slope", "mlz": "fog", "fot": "photo", "hřbitov": "cemetery", "věž": "tower", "vinic": "vineyard", "vinoh": "vineyard", "pivo": "beer",
}.items(), key=lambda kv: -len(kv[0]))
CZ_MARKS = set("áčďéěíňóřšťúůýžÁČĎÉĚÍŇÓŘŠŤÚŮÝŽ")
CZ_SMALL = set(("a i v s z k o u na do ve se za od po pod nad při pro před mezi je jsou byl byla bylo jako nebo "
                "ale tento tato toto kde když jpg jpeg img dsc png tif").split())


def description_of(text):
    """The photographer's description inside the user prompt, else the text."""
    m = re.search(r"<<<DESCRIPTION\n(.*?)\nDESCRIPTION>>>", text or "", re.S)
    return m.group(1) if m else (text or "")


def czech_words(text):
    """(English words, place names) for a Czech description: known stems
    translated, capitalised words not at a sentence start kept as places."""
    out, places = [], []
    for m in re.finditer(r"[^\W\d_]+", text):
        w = m.group(0)
        lw = w.lower()
        if lw in CZ_SMALL or len(lw) < 3:
            continue
        start = text[:m.start()].rstrip()
        initial = not start or start[-1] in ".!?:\n"
        en = next((e for st, e in CZ_STEMS if lw.startswith(st)), None)
        if en:
            out.extend(en.split())
        elif w[0].isupper() and not initial:
            places.append(w)
        elif len(lw) >= 4 and not any(c in CZ_MARKS for c in lw):
            out.append(lw)  # a code, a name or an English word: a model keeps it
    return out, places


def words_from(text, rng, czech=None):
    """Keywords: the request's words, then filler; czech (a dict) gets the
    translated words and places of a Czech description."""
    desc = description_of(text)
    if any(c in CZ_MARKS for c in desc):
        ws, pl = czech_words(desc)
        if czech is not None:
            czech["words"] = list(dict.fromkeys(w for w in ws if w not in STOPWORDS))
            czech["places"] = list(dict.fromkeys(pl))
        ws += [p.lower() for p in pl]
    else:
        ws = [w.lower() for w in re.findall(r"[^\W\d_]{4,}", text or "")]
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


def cap1(s):
    return s[:1].upper() + s[1:]


SERIES_NOTE = re.compile(r"This \w+ is frame (\d+) of (\d+) similar photos.*", re.S)
# What a model that sees each frame says differs: the framing, the light.
FRAME_VIEWS = ["", "Close view of ", "Wide view of ", "Detail of ", "Side view of ",
               "Low angle view of ", "High angle view of ", "Evening light on ", "Morning light on "]


def make_answer(schema, user_text, rng):
    cz = {}
    note = SERIES_NOTE.search(user_text or "")
    if note:  # the series note is an instruction, not the photo's words
        user_text = user_text[:note.start()]
    words = words_from(user_text, rng, cz)
    title = cap1(" ".join(words[:4])) + " in the Czech countryside"
    desc = "A calm view of %s with %s under a soft sky." % (words[0], words[1])
    if cz.get("words"):
        own, where = cz["words"], ", ".join(cz["places"][:1] + ["Czech Republic"])
        where = where if cz["places"] else "the " + where
        title = cap1(" ".join(own[:3])) + " in " + where
        desc = cap1(" ".join(own[:3])) + (" with " + " and ".join(own[3:5]) if len(own) > 3 else "") + \
            ", " + where + "."
    if note:
        # a frame of a series: a title (and description) of its own, as the
        # prompt asks; without the note identical texts give identical titles
        i = int(note.group(1))
        view = FRAME_VIEWS[i % len(FRAME_VIEWS)] if i < len(FRAME_VIEWS) else "View %d of " % i
        if view:
            title = view + title[:1].lower() + title[1:]
            desc = view + desc[:1].lower() + desc[1:]
    ctx = {"words": words[:50], "title": title[:70], "description": desc}
    if not schema:
        schema = {"type": "object", "properties": {
            "title": {"type": "string"}, "description": {"type": "string"},
            "keywords": {"type": "array", "items": {"type": "string"}}}}
    ans = gen_value(schema, "", ctx, rng)
    if isinstance(ans, dict):
        agency_faults(ans, schema, user_text)
    return json.dumps(ans, ensure_ascii=False)


# ---------------------------------------------------------------- agency-rule switches

AGENCY_FAULTS = ("names", "brands", "long_title", "dup_keywords", "caps_keywords", "off_list", "invisible")
PEOPLE = ["Jan Novák", "Petra Svobodová", "Karel Gott", "Emma Watson"]
BRANDS = ["Coca-Cola", "Nike", "Škoda", "iPhone", "Red Bull"]


def agency_faults(ans, schema, text):
    """The answer stays valid JSON and valid to the schema's shape, but breaks
    an agency rule (reference/agencies.md) for each switch that hits; its own
    random stream (from the request text), so answers stay deterministic and
    the rest of the output does not change with the switches."""
    rng = random.Random("agency " + (text or ""))
    props = (schema or {}).get("properties") or {}
    for name in AGENCY_FAULTS:
        with LOCK:
            f = FAULTS.get(name)
        if f is None or rng.random() >= f:
            continue
        fired(name)
        kw = ans.get("keywords") if isinstance(ans.get("keywords"), list) else None
        if name in ("names", "brands"):
            who = rng.choice(PEOPLE if name == "names" else BRANDS)
            if isinstance(ans.get("title"), str):
                ans["title"] = (who + " " + ans["title"][:1].lower() + ans["title"][1:])[:70]
            if isinstance(ans.get("description"), str):
                ans["description"] = ans["description"].rstrip(".") + (", with %s." % who)
            if kw is not None:
                kw[len(kw) // 2:len(kw) // 2] = [who.lower()]
        elif name == "long_title" and isinstance(ans.get("title"), str):
            mx = int(((props.get("title") or {}).get("maxLength")) or 200)
            longer = ans["title"] + ", " + ", ".join(kw or ["scenic view"] * 8)
            while len(longer) < 150:
                longer += ", scenic view"
            ans["title"] = longer[:mx]
        elif name == "dup_keywords" and kw:
            kw[len(kw) // 3:len(kw) // 3] = kw[:3]
        elif name == "caps_keywords" and kw:
            for i in range(0, len(kw), 3):
                kw[i] = kw[i].upper() if i % 2 else cap1(kw[i])
        elif name == "invisible":
            # a bidi override, zero-width characters, an escape sequence and
            # what is left of one after ESC was stripped
            if isinstance(ans.get("title"), str):
                ans["title"] = "\u202e" + ans["title"][:1] + "\u200b" + ans["title"][1:]
            if isinstance(ans.get("description"), str):
                ans["description"] = "\x1b[31m" + ans["description"].replace(" ", " \u2066", 1) + "[0m\u2069"
            if kw:
                kw[0] = kw[0][:2] + "\u200d" + kw[0][2:]
        elif name == "off_list" and isinstance(ans.get("categories"), dict):
            # names on no agency's list, whatever the schema's enum says
            for k, v in ans["categories"].items():
                ans["categories"][k] = ["Scenery", "Holiday -> Misc"][:max(1, len(v) if isinstance(v, list) else 1)] \
                    if isinstance(v, list) else "Scenery"


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
    """(schema, user text, has_image) from a GenerateContentRequest of any shape."""
    if not isinstance(req, dict):
        return None, "", False
    gc = req.get("generationConfig") or req.get("generation_config") or {}
    gc = gc if isinstance(gc, dict) else {}
    schema = gc.get("responseSchema") or gc.get("response_schema") or gc.get("responseJsonSchema")
    texts, img = [], False
    contents = req.get("contents") if isinstance(req.get("contents"), list) else []
    for c in contents:
        parts = c.get("parts") if isinstance(c, dict) and isinstance(c.get("parts"), list) else []
        for part in parts:
            if not isinstance(part, dict):
                continue
            if isinstance(part.get("text"), str):
                texts.append(part["text"])
            if "inlineData" in part or "inline_data" in part or "fileData" in part or "file_data" in part:
                img = True
    return schema, " ".join(texts), img


def chat_completion(body, rng, bad=False):
    schema, text, img = oai_request_parts(body)
    content = make_answer(schema, text, rng)
    if bad:
        content = content[: max(1, len(content) // 3)]
    ptok, ctok = fakeusage.oai_usage(body, content)
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


def gem_file_data(uri):
    """The bytes of an uploaded Gemini file named by a fileUri (…/files/ID), or None."""
    m = re.search(r"(files/[A-Za-z0-9_-]+)$", uri or "")
    with LOCK:
        f = FILES.get(m.group(1)) if m else None
        return f["data"] if f else None


def gem_response(req, model, rng, bad=False):
    schema, text, img = gem_request_parts(req)
    content = make_answer(schema, text, rng)
    if bad:
        content = content[: max(1, len(content) // 3)]
    ttok, itok, ctok = fakeusage.gem_usage(req, content, gem_file_data)
    ptok = ttok + itok
    details = [{"modality": "TEXT", "tokenCount": ttok}] + ([{"modality": "IMAGE", "tokenCount": itok}] if itok else [])
    return {"candidates": [{"content": {"parts": [{"text": content}], "role": "model"},
                            "finishReason": "STOP", "index": 0}],
            "usageMetadata": {"promptTokenCount": ptok, "candidatesTokenCount": ctok,
                              "totalTokenCount": ptok + ctok,
                              "promptTokensDetails": details},
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

OAI_MODELS = ("gpt-4o-mini", "gpt-4o", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "gpt-4.5-preview", "gpt-5",
              "gpt-5-mini", "gpt-5-nano", "gpt-5.1", "gpt-5.2", "gpt-5.4", "gpt-5.4-mini", "gpt-5.4-nano",
              "o1", "o3", "o3-mini", "o4-mini", "gpt-3.5-turbo-0125")
CHAT_PARAMS = set(("model messages max_tokens max_completion_tokens response_format temperature top_p n stop "
                   "seed presence_penalty frequency_penalty logit_bias logprobs top_logprobs user tools "
                   "tool_choice parallel_tool_calls service_tier store metadata reasoning_effort modalities "
                   "audio prediction stream stream_options verbosity web_search_options prompt_cache_key "
                   "safety_identifier functions function_call").split())
LINE_KEYS = ("custom_id", "method", "url", "body")


def oai_model_ok(m):
    """A model the Batch API serves: a known name or a dated snapshot of one."""
    return isinstance(m, str) and re.sub(r"-\d{4}-\d{2}-\d{2}$", "", m) in OAI_MODELS


def jtype(v):
    """JSON type name as OpenAI's messages say it."""
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, int):
        return "an integer"
    if isinstance(v, float):
        return "a decimal"
    if isinstance(v, list):
        return "an array"
    if isinstance(v, dict):
        return "an object"
    return "null" if v is None else "a string"


def image_kind(raw):
    if raw[:3] == b"\xff\xd8\xff":
        return "jpeg" if jpeg_size(raw) else None
    if raw[:8] == b"\x89PNG\r\n\x1a\n":
        return "png" if raw[12:16] == b"IHDR" and struct.unpack(">II", raw[16:24]) > (0, 0) and \
            0 not in struct.unpack(">II", raw[16:24]) else None
    if raw[:4] == b"GIF8":
        return "gif" if len(raw) >= 10 and 0 not in struct.unpack("<HH", raw[6:10]) else None
    if raw[:4] == b"RIFF" and raw[8:12] == b"WEBP":
        return "webp"
    return None


def b64_image(data):
    """None when data is base64 of an image, else why not."""
    try:
        raw = base64.b64decode(data, validate=True)
    except Exception:
        return "base64"
    return None if raw and image_kind(raw) else "image"


def strict_schema_error(s, ctx=()):
    """What strict structured outputs refuse in a schema (apis.md 1.13), or None."""
    if not isinstance(s, dict):
        return None
    t = s.get("type")
    types = t if isinstance(t, list) else [t]
    if "object" in types:
        if s.get("additionalProperties") is not False:
            return "In context=%s, 'additionalProperties' is required to be supplied and to be false." % (ctx,)
        props = s.get("properties") or {}
        req = s.get("required") if isinstance(s.get("required"), list) else []
        for k in props:
            if k not in req:
                return ("In context=%s, 'required' is required to be supplied and to be an array including every "
                        "key in properties. Missing '%s'." % (ctx, k))
        for k, v in props.items():
            e = strict_schema_error(v, ctx + ("properties", k))
            if e:
                return e
    if "array" in types and isinstance(s.get("items"), dict):
        return strict_schema_error(s["items"], ctx + ("items",))
    for i, v in enumerate(s.get("anyOf") or []):
        e = strict_schema_error(v, ctx + ("anyOf", i))
        if e:
            return e
    return None


def oai_check_body(body):
    """None when a chat completions body is what the endpoint takes, else
    (HTTP status, error body), as the sync endpoint answers and the batch
    writes into the error file."""
    if not isinstance(body, dict):
        return 400, oai_error("Invalid type for 'body': expected an object, but got %s instead." % jtype(body),
                              param="body", code="invalid_type")
    for k in body:
        if k not in CHAT_PARAMS:
            return 400, oai_error("Unrecognized request argument supplied: %s" % k)
    model = body.get("model")
    if model is None:
        return 400, oai_error("Missing required parameter: 'model'.", param="model", code="missing_required_parameter")
    if not oai_model_ok(model):
        return 404, oai_error("The model `%s` does not exist or you do not have access to it." % model,
                              code="model_not_found")
    msgs = body.get("messages")
    if msgs is None:
        return 400, oai_error("Missing required parameter: 'messages'.", param="messages",
                              code="missing_required_parameter")
    if not isinstance(msgs, list) or not msgs:
        return 400, oai_error("Invalid 'messages': empty array. Expected an array with minimum length 1, but got "
                              "an empty array instead." if isinstance(msgs, list) else
                              "Invalid type for 'messages': expected an array, but got %s instead." % jtype(msgs),
                              param="messages", code="empty_array" if isinstance(msgs, list) else "invalid_type")
    for i, m in enumerate(msgs):
        where = "messages[%d]" % i
        if not isinstance(m, dict):
            return 400, oai_error("Invalid type for '%s': expected an object, but got %s instead." % (where, jtype(m)),
                                  param=where, code="invalid_type")
        if m.get("role") not in ("system", "developer", "user", "assistant", "tool"):
            return 400, oai_error("Invalid value: '%s'. Supported values are: 'system', 'developer', 'user', "
                                  "'assistant' and 'tool'." % m.get("role"), param=where + ".role", code="invalid_value")
        c = m.get("content")
        if isinstance(c, str):
            continue
        if not isinstance(c, list):
            return 400, oai_error("Invalid type for '%s.content': expected one of a string or array of objects, "
                                  "but got %s instead." % (where, jtype(c)), param=where + ".content",
                                  code="invalid_type")
        for j, part in enumerate(c):
            pw = "%s.content[%d]" % (where, j)
            ptype = part.get("type") if isinstance(part, dict) else None
            if ptype not in ("text", "image_url", "input_audio", "file"):
                return 400, oai_error("Invalid value: '%s'. Supported values are: 'text', 'image_url', "
                                      "'input_audio', and 'file'." % ptype, param=pw + ".type", code="invalid_value")
            if ptype == "text" and not isinstance(part.get("text"), str):
                return 400, oai_error("Missing required parameter: '%s.text'." % pw, param=pw + ".text",
                                      code="missing_required_parameter")
            if ptype == "image_url":
                iu = part.get("image_url")
                url = iu.get("url") if isinstance(iu, dict) else None
                if not isinstance(url, str) or not url:
                    return 400, oai_error("Missing required parameter: '%s.image_url.url'." % pw,
                                          param=pw + ".image_url.url", code="missing_required_parameter")
                if iu.get("detail") not in (None, "auto", "low", "high"):
                    return 400, oai_error("Invalid value: '%s'. Supported values are: 'auto', 'low', and 'high'."
                                          % iu.get("detail"), param=pw + ".image_url.detail", code="invalid_value")
                if url.startswith("data:"):
                    mm = re.fullmatch(r"data:image/(jpeg|jpg|png|gif|webp);base64,(.*)", url, re.S)
                    why = b64_image(mm.group(2)) if mm else "image"
                    if why == "base64":
                        return 400, oai_error("Invalid base64 image_url.", param=pw + ".image_url.url",
                                              code="invalid_base64")
                    if why:
                        return 400, oai_error("You uploaded an unsupported image. Please make sure your image is "
                                              "valid and has one of the following formats: ['png', 'jpeg', 'gif', "
                                              "'webp'].", param=pw + ".image_url.url", code="invalid_image_format")
                elif not url.startswith(("http://", "https://")):
                    return 400, oai_error("Invalid image URL: '%s.image_url.url'. Expected a base64-encoded data "
                                          "URL with an image MIME type (e.g. 'data:image/png;base64,aW1nIGJ5dGVzIGhlcmU='), "
                                          "but got a value without the 'data:' prefix." % pw,
                                          param=pw + ".image_url.url", code="invalid_value")
    reasoning = model.startswith("gpt-5") or re.match(r"o[1-9]", model) is not None
    if reasoning and "max_tokens" in body:
        return 400, oai_error("Unsupported parameter: 'max_tokens' is not supported with this model. Use "
                              "'max_completion_tokens' instead.", param="max_tokens", code="unsupported_parameter")
    for k in ("max_tokens", "max_completion_tokens"):
        if k in body and body[k] is not None:
            v = body[k]
            if not isinstance(v, int) or isinstance(v, bool):
                return 400, oai_error("Invalid type for '%s': expected an integer, but got %s instead." % (k, jtype(v)),
                                      param=k, code="invalid_type")
            if v < 1:
                return 400, oai_error("Invalid '%s': integer below minimum value. Expected a value >= 1, but got %d "
                                      "instead." % (k, v), param=k, code="integer_below_min_value")
    rf = body.get("response_format")
    if rf is not None:
        if not isinstance(rf, dict) or rf.get("type") not in ("text", "json_object", "json_schema"):
            return 400, oai_error("Invalid value: '%s'. Supported values are: 'text', 'json_object', and "
                                  "'json_schema'." % (rf.get("type") if isinstance(rf, dict) else rf),
                                  param="response_format.type", code="invalid_value")
        if rf["type"] == "json_schema":
            js = rf.get("json_schema")
            if not isinstance(js, dict) or not isinstance(js.get("name"), str):
                return 400, oai_error("Missing required parameter: 'response_format.json_schema.name'.",
                                      param="response_format.json_schema.name", code="missing_required_parameter")
            if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", js["name"]):
                return 400, oai_error("Invalid 'response_format.json_schema.name': string does not match pattern. "
                                      "Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.",
                                      param="response_format.json_schema.name", code="invalid_value")
            sch = js.get("schema")
            if js.get("strict"):
                err = None
                if not isinstance(sch, dict) or sch.get("type") != "object":
                    err = "schema must be a JSON Schema of 'type: \"object\"', got 'type: \"%s\"'." % (
                        sch.get("type") if isinstance(sch, dict) else None)
                else:
                    err = strict_schema_error(sch)
                if err:
                    return 400, oai_error("Invalid schema for response_format '%s': %s" % (js["name"], err),
                                          param="response_format", code="invalid_json_schema")
    return None


def validate_lines(data, endpoint):
    """File-level validation at create (apis.md 1.9): the batch fails with
    one errors.data entry per bad line.  Each line is judged on its own; a
    line of any shape never raises."""
    errs, lines, seen, model, model_line = [], [], set(), None, 0

    def bad(i, code, param, message):
        errs.append({"code": code, "line": i, "message": message, "param": param})
        rejected("openai line " + code, message)

    for i, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        try:
            o = json.loads(raw)
            if not isinstance(o, dict):
                raise ValueError
        except Exception:
            bad(i, "invalid_json_line", None, "This line is not parseable as valid JSON.")
            continue
        miss = [k for k in LINE_KEYS if k not in o]
        extra = [k for k in o if k not in LINE_KEYS]
        cid = o.get("custom_id")
        if miss:
            bad(i, "missing_required_parameter", miss[0], "Missing required parameter: '%s'." % miss[0])
        elif extra:
            bad(i, "invalid_request", extra[0], "Unrecognized request argument supplied: %s" % extra[0])
        elif not isinstance(cid, str):
            bad(i, "invalid_type", "custom_id",
                "Invalid type for 'custom_id': expected a string, but got %s instead." % jtype(cid))
        elif o["method"] != "POST":
            bad(i, "invalid_value", "method", "Invalid value: '%s'. Supported values are: 'POST'." % o["method"])
        elif o["url"] != endpoint:
            bad(i, "invalid_url", "url", "The URL provided for this request does not match the batch endpoint.")
        elif not isinstance(o["body"], dict):
            bad(i, "invalid_type", "body",
                "Invalid type for 'body': expected an object, but got %s instead." % jtype(o["body"]))
        elif o["body"].get("stream"):
            bad(i, "streaming_unsupported", "body.stream",
                "Chat Completions: Streaming is not supported in the Batch API.")
        elif "model" not in o["body"]:
            bad(i, "invalid_request", "body.model", "Model parameter is required.")
        elif "messages" not in o["body"]:
            bad(i, "invalid_request", "body.messages", "Messages parameter is required.")
        elif not oai_model_ok(o["body"]["model"]):
            bad(i, "model_not_found", "body.model",
                "The provided model '%s' is not supported by the Batch API." % o["body"]["model"])
        elif model is not None and o["body"]["model"] != model:
            bad(i, "model_mismatch", "body.model",
                "The model '%s' does not match the model '%s' of line %d: each input file can only include "
                "requests to a single model." % (o["body"]["model"], model, model_line))
        elif cid in seen:
            bad(i, "duplicate_custom_id", "custom_id",
                "The custom_id for this request is a duplicate of another request. "
                "The custom_id parameter must be unique for each request in a batch.")
        else:
            if model is None:
                model, model_line = o["body"]["model"], i
            seen.add(cid)
            lines.append(o)
    if not lines and not errs:
        rejected("openai empty_file")
        errs.append({"code": "empty_file", "line": None, "param": None,
                     "message": "The batch input file is empty. Please provide a file with at least one request."})
    return errs, lines


def new_file(data, filename, purpose, gemini=False):
    fid = ("files/" + gid(12)) if gemini else rid("file-")
    with LOCK:
        FILES[fid] = {"data": data, "filename": filename, "purpose": purpose, "created_at": now(),
                      "gemini": gemini, "mime": "application/jsonl",
                      "ttl": float(FAULTS.get("file_ttl", 0)) if gemini else 0, "t": time.time()}
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
            count("custom_ids", str(o["custom_id"]))
    with LOCK:
        for name in ("expire", "expire_partial"):
            if name in FAULTS:
                st["expire"] = FAULTS.pop(name)
                fired(name)
                break
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
        chk = oai_check_body(o["body"])
        if chk:
            rejected("openai body %s" % chk[1]["error"]["code"], chk[1]["error"]["message"])
            err.append({"id": lid, "custom_id": cid, "response": {
                "status_code": chk[0], "request_id": rid("req_", 16), "body": chk[1]}, "error": None})
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
    bill("batch", pin, ptok)
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


GEM_MODELS = ("gemini-2.5-flash", "gemini-2.5-flash-lite", "gemini-2.5-pro", "gemini-2.0-flash",
              "gemini-2.0-flash-lite", "gemini-3-flash-preview", "gemini-3-pro-preview", "gemini-flash-latest",
              "gemini-flash-lite-latest")


def both_cases(names):
    """proto3 JSON takes lowerCamelCase and snake_case field names alike."""
    out = set()
    for n in names.split():
        out.add(n)
        out.add(re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), n))
    return out


GCR_FIELDS = both_cases("model contents systemInstruction generationConfig safetySettings tools toolConfig "
                        "cachedContent")
GC_FIELDS = both_cases("stopSequences responseMimeType responseSchema responseJsonSchema responseModalities "
                       "candidateCount maxOutputTokens temperature topP topK seed presencePenalty frequencyPenalty "
                       "responseLogprobs logprobs enableEnhancedCivicAnswers speechConfig thinkingConfig "
                       "mediaResolution imageConfig")
SCHEMA_FIELDS = both_cases("type format title description nullable enum maxItems minItems properties required "
                           "minProperties maxProperties minLength maxLength pattern example anyOf "
                           "propertyOrdering default items minimum maximum")
PART_FIELDS = both_cases("text inlineData fileData thought thoughtSignature functionCall functionResponse "
                         "executableCode codeExecutionResult videoMetadata")


def gem_model_ok(model):
    return isinstance(model, str) and model.replace("models/", "", 1) in GEM_MODELS


def gem_unknown(name, at):
    return ('Invalid JSON payload received. Unknown name "%s" at \'%s\': Cannot find field.' % (name, at))


def gem_schema_error(sch, at):
    if not isinstance(sch, dict):
        return "Invalid value at '%s' (type.googleapis.com/google.ai.generativelanguage.v1beta.Schema)." % at
    for k, v in sch.items():
        if k not in SCHEMA_FIELDS:
            return gem_unknown(k, at)
    for k, v in (sch.get("properties") or {}).items():
        e = gem_schema_error(v, "%s.properties[%d].value" % (at, list(sch["properties"]).index(k)))
        if e:
            return e
    if "items" in sch:
        return gem_schema_error(sch["items"], at + ".items")
    return None


def gem_check_request(req, at):
    """None when req is a GenerateContentRequest the service takes, else the
    INVALID_ARGUMENT message (the shape of the real answers)."""
    if not isinstance(req, dict):
        return "Invalid value at '%s' (type.googleapis.com/google.ai.generativelanguage.v1beta." \
               "GenerateContentRequest), %s" % (at, json.dumps(req))
    for k in req:
        if k not in GCR_FIELDS:
            return gem_unknown(k, at)
    contents = req.get("contents")
    if not contents:
        return "* GenerateContentRequest.contents: contents is not specified\n"
    if not isinstance(contents, list):
        return "Invalid value at '%s.contents' (type.googleapis.com/google.ai.generativelanguage.v1beta.Content)" % at
    for i, c in enumerate(contents):
        parts = c.get("parts") if isinstance(c, dict) else None
        if not isinstance(parts, list) or not parts:
            return "* GenerateContentRequest.contents[%d].parts: contents.parts must not be empty.\n" % i
        for j, part in enumerate(parts):
            pat = "%s.contents[%d].parts[%d]" % (at, i, j)
            if not isinstance(part, dict):
                return "Invalid value at '%s' (type.googleapis.com/google.ai.generativelanguage.v1beta.Part)" % pat
            for k in part:
                if k not in PART_FIELDS:
                    return gem_unknown(k, pat)
            inl = part.get("inlineData", part.get("inline_data"))
            if inl is not None:
                mime = inl.get("mimeType", inl.get("mime_type")) if isinstance(inl, dict) else None
                data = inl.get("data") if isinstance(inl, dict) else None
                if not isinstance(data, str) or not isinstance(mime, str):
                    return "* GenerateContentRequest.contents[%d].parts[%d].inline_data: data and mime_type " \
                           "are required.\n" % (i, j)
                if mime.startswith("image/") and b64_image(data):
                    return ("Unable to process input image. Please retry or report in "
                            "https://developers.generativeai.google/guide/troubleshooting")
    for key in ("systemInstruction", "system_instruction"):
        si = req.get(key)
        if si is not None and not (isinstance(si, dict) and isinstance(si.get("parts"), list)):
            return "Invalid value at '%s.system_instruction' (type.googleapis.com/google.ai." \
                   "generativelanguage.v1beta.Content)" % at
    gc = req.get("generationConfig", req.get("generation_config"))
    if gc is None:
        return None
    gat = at + ".generation_config"
    if not isinstance(gc, dict):
        return "Invalid value at '%s' (type.googleapis.com/google.ai.generativelanguage.v1beta." \
               "GenerationConfig)" % gat
    for k in gc:
        if k not in GC_FIELDS:
            return gem_unknown(k, gat)
    mot = gc.get("maxOutputTokens", gc.get("max_output_tokens"))
    if mot is not None and (not isinstance(mot, int) or isinstance(mot, bool) or mot < 1):
        return "* GenerateContentRequest.generation_config.max_output_tokens: max_output_tokens must be " \
               "positive.\n"
    sch = gc.get("responseSchema", gc.get("response_schema"))
    jsch = gc.get("responseJsonSchema", gc.get("response_json_schema"))
    mime = gc.get("responseMimeType", gc.get("response_mime_type"))
    if sch is not None and jsch is not None:
        return "* GenerateContentRequest.generation_config: only one of response_schema and " \
               "response_json_schema can be set.\n"
    if (sch is not None or jsch is not None) and mime not in ("application/json", "text/x.enum"):
        return "* GenerateContentRequest.generation_config.response_mime_type: response_mime_type must be " \
               "application/json or text/x.enum when a response schema is set.\n"
    if sch is not None:
        return gem_schema_error(sch, gat + ".response_schema")
    return None


def gem_prompt_tokens(req):
    """The fake's prompt token count for a request: what its usage says
    (the enqueued-token limit counts the tokens the service bills)."""
    ttok, itok, _ = fakeusage.gem_usage(req, "", gem_file_data)
    return ttok + itok


def gem_not_found_model(model, method):
    return gem_error(404, "NOT_FOUND", "%s is not found for API version v1beta, or is not supported for %s. "
                     "Call ListModels to see the list of available models and their supported methods." %
                     (model, method))


def gem_file_gone(fid):
    rejected("gemini file gone", fid)
    return gem_error(403, "PERMISSION_DENIED",
                     "You do not have permission to access the File %s or it may not exist." %
                     fid.split("/", 1)[-1])


def gem_live_file(fid):
    """The stored Gemini file, or None when it is deleted, expired or unknown."""
    with LOCK:
        f = FILES.get(fid)
    if not f or not f["gemini"]:
        return None
    if f.get("ttl") and time.time() >= f.get("t", f["created_at"]) + f["ttl"]:
        return None
    return f


def gem_create_batch(model, body):
    if not gem_model_ok(model):
        rejected("gemini model", model)
        return 404, gem_not_found_model(model, "batchGenerateContent")
    batch = body.get("batch") if isinstance(body, dict) else None
    if not isinstance(batch, dict):
        return 400, gem_error(400, "INVALID_ARGUMENT", "* BatchGenerateContentRequest.batch: batch is required.\n")
    ic = batch.get("input_config") or batch.get("inputConfig") or {}
    if not isinstance(ic, dict):
        return 400, gem_error(400, "INVALID_ARGUMENT", "* batch.input_config: input_config is required.\n")
    name = "batches/" + gid()
    items, inline, errs = [], False, None
    fname = ic.get("file_name") or ic.get("fileName")
    if fname:
        f = gem_live_file(fname) if isinstance(fname, str) else None
        if not f:
            return 403, gem_file_gone(str(fname))
        for i, raw in enumerate(f["data"].split(b"\n"), 1):
            if not raw.strip():
                continue
            try:
                o = json.loads(raw)
                if not isinstance(o, dict) or not isinstance(o.get("key"), str) or "request" not in o:
                    raise ValueError
                items.append((o["key"], o["request"]))
            except Exception:
                errs = "Invalid JSONL at line %d: each line needs a key and a request." % i
                break
        if not items and not errs:
            return 400, gem_error(400, "INVALID_ARGUMENT", "The input file %s holds no requests." % fname)
    else:
        rq = ic.get("requests")
        rq = rq.get("requests") if isinstance(rq, dict) else None
        if not isinstance(rq, list) or not rq:
            return 400, gem_error(400, "INVALID_ARGUMENT", "* batch.input_config: input_config is required.\n")
        inline = True
        for i, it in enumerate(rq):
            at = "batch.input_config.requests.requests[%d]" % i
            if not isinstance(it, dict):
                return 400, gem_error(400, "INVALID_ARGUMENT", "Invalid value at '%s'." % at)
            for k in it:
                if k not in ("request", "metadata"):
                    return 400, gem_error(400, "INVALID_ARGUMENT", gem_unknown(k, at))
            why = gem_check_request(it.get("request"), at + ".request")
            if why:
                rejected("gemini inline", why)
                return 400, gem_error(400, "INVALID_ARGUMENT", why)
            md = it.get("metadata") if isinstance(it.get("metadata"), dict) else {}
            items.append((str(md.get("key", i)), it["request"]))
    if take("validation"):
        errs = "Invalid request at line 1: contents is required. Invalid request at line 2: bad part."
    lim = frac("gem_token_limit", 0)
    if lim > 0 and not errs:
        want = sum(gem_prompt_tokens(r) for _, r in items if isinstance(r, dict))
        with LOCK:
            held = 0
            for o in GBATCHES.values():
                gem_advance(o)
                if o["model"] == model and not o["op"].get("done"):
                    held += o.get("tokens", 0)
        if held + want > lim:
            fired("gem_token_limit")
            return 429, gem_error(429, "RESOURCE_EXHAUSTED",
                                  "Enqueued token limit reached for %s: limit %d, enqueued %d, requested %d. "
                                  "Please try again once some of the running batches have finished." %
                                  (model, lim, held, want), [
                                      {"@type": "type.googleapis.com/google.rpc.QuotaFailure",
                                       "violations": [{"quotaMetric": "generativelanguage.googleapis.com/"
                                                                      "batch_enqueued_tokens",
                                                       "quotaId": "BatchEnqueuedTokensPerModel",
                                                       "quotaValue": str(int(lim))}]}])
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
          "model": model, "tokens": sum(gem_prompt_tokens(r) for _, r in items if isinstance(r, dict)),
          "partial": False}
    with LOCK:
        for fault in ("expire", "expire_partial"):
            if fault in FAULTS:
                st["expire"] = FAULTS.pop(fault)
                st["partial"] = fault == "expire_partial"
                fired(fault)
                break
        GBATCHES[name] = st
        GORDER.append(name)
    count("batches_created")
    return 200, json.loads(json.dumps(st["op"]))


def gem_finish(st, state, done_frac=1.0):
    """Write the results (file or inline); a partial expiry writes the first
    done_frac of the lines and leaves the rest pending."""
    op, meta = st["op"], st["op"]["metadata"]
    rng = random.Random(st["seed"])
    results, ok, bad = [], 0, 0
    n_done = len(st["items"]) if done_frac >= 1.0 else int(len(st["items"]) * done_frac)
    for n, (key, req) in enumerate(st["items"]):
        if n >= n_done:
            break
        why = gem_check_request(req, "request")
        if why:
            rejected("gemini line", why)
            results.append({"key": key, "error": {"code": 3, "message": why}})
            bad += 1
        elif rng.random() < st["line_errors"]:
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
    if n_done < len(st["items"]):
        stats["pendingRequestCount"] = str(len(st["items"]) - n_done)
    meta["batchStats"] = stats
    for r in results:
        u = r.get("response", {}).get("usageMetadata")
        if u:
            bill("batch", u["promptTokenCount"], u["candidatesTokenCount"])
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
    if k >= 2 and st["expire"] is not None and st["partial"]:
        gem_finish(st, "EXPIRED", st["expire"])
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
            "expirationTime": iso(f["created_at"] + (f.get("ttl") or 48 * 3600)),
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


TLS_CTX = None


class Handler(BaseHTTPRequestHandler):
    # HTTP/1.1: a connection serves request after request until the client
    # closes it (every answer carries a Content-Length, or closes).
    protocol_version = "HTTP/1.1"
    server_version = "fakeapi/1.0"
    # headers and body go in two writes: without TCP_NODELAY the body of an
    # answer on a kept-alive connection waits for the client's delayed ACK
    disable_nagle_algorithm = True

    def setup(self):
        count("connections")
        if TLS_CTX is not None:
            self.request.settimeout(10)
            try:
                self.request = TLS_CTX.wrap_socket(self.request, server_side=True)
            except (OSError, ssl.SSLError):
                count("tls_refused")
                raise
            self.request.settimeout(None)
            count("tls_handshakes")
            if self.request.session_reused:
                count("tls_resumed")  # an abbreviated handshake: the client resumed a session
        super().setup()

    def finish(self):
        try:
            super().finish()
        finally:
            if TLS_CTX is not None:
                self.request.close()  # the server closes only the plain socket it accepted

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

    def crash_created(self):
        """crash_create: the batch is made; hold the line silent, then drop it."""
        how = take("crash_create")
        if not how:
            return False
        end = time.monotonic() + (0.0 if how is True else how)
        while time.monotonic() < end and not STOP.is_set():
            time.sleep(0.05)
        self.reset()
        return True

    def hang_create(self, name="hang_create"):
        """hang_create: this creation makes nothing, hangs, then drops;
        hang_upload: the upload is done, its answer hangs, then drops."""
        secs = take(name)
        if not secs:
            return
        end = time.monotonic() + (30.0 if secs is True else secs)
        while time.monotonic() < end and not STOP.is_set():
            time.sleep(0.05)
        self.reset()

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

    BOMB = None

    def send_bomb(self):
        """A gzip body of a few KB that inflates to 16 MB (of spaces).  The
        headers go first: the compression, made once, must not look like a
        stalled transfer to the client."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Connection", "close")
        self.end_headers()
        try:
            self.wfile.flush()
            if Handler.BOMB is None:
                Handler.BOMB = gzip.compress(b" " * (16 << 20), compresslevel=9)
            self.wfile.write(Handler.BOMB)
        except OSError:
            pass
        self.close_connection = True

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
        self._body = None  # a kept-alive connection: this request's body, not the last one's
        if method != "GET":
            self.body()  # the whole request is read: the connection stays usable
        count("requests_by_path", method + " " + re.sub(r"(batch_|file-|files/|batches/)[A-Za-z0-9_-]+",
                                                           r"\1*", path))
        try:
            if path == "/__stats":
                with LOCK:
                    held = {k: f["purpose"] for k, f in FILES.items()}
                    names = {k: f["filename"] for k, f in FILES.items()}
                    return self.send(200, dict(STATS, files_held=held, file_names=names))
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
            if take("html"):
                return self.send(502, raw=b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n"
                                 b"<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n"
                                 b"<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
                                 ctype="text/html")
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
        except Exception as ex:  # each request in isolation: a bug answers 500, the next request is served
            sys.stderr.write("fakeapi: %s %s: %r\n" % (method, path, ex))
            try:
                return self.send(500, gem_error(500, "INTERNAL", "Internal error in the fake: %r" % ex)
                                 if self.gem else oai_error("Internal error in the fake: %r" % ex, typ="server_error"))
            except Exception:
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
        if method == "GET" and p == "/files":
            return self.oai_list_files(q)
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
            self.hang_create()
            code, obj = oai_create_batch(req)
            if code == 200:
                self.crash_created()
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
            if body is None:
                return self.send(400, oai_error("We could not parse the JSON body of your request. (HINT: This "
                                                "likely means you aren't using your HTTP library correctly.)"))
            chk = oai_check_body(body)
            if chk:
                rejected("openai live %s" % chk[1]["error"]["code"], chk[1]["error"]["message"])
                return self.send(*chk)
            key, rng, bad, lerr = live_call(oai_request_parts(body)[1])
            if lerr:
                return self.send(400, oai_error("Invalid 'max_tokens': integer below minimum value.",
                                                param="max_tokens", code="integer_below_min_value"))
            ans = chat_completion(body, rng, bad)
            self.send(200, ans,
                      headers={"x-ratelimit-limit-requests": "500", "x-ratelimit-remaining-requests": "499",
                               "x-ratelimit-reset-requests": "120ms"})
            bill("live", ans["usage"]["prompt_tokens"], ans["usage"]["completion_tokens"])
            if not bad:
                count("live_answered", key)
            return None
        if p == "/models" and method == "GET":
            return self.send(200, {"object": "list", "data": [
                {"id": m_, "object": "model", "created": 1721172741, "owned_by": "system"}
                for m_ in OAI_MODELS]})
        return self.send(404, oai_error("Invalid URL (%s %s)" % (method, path)))

    def oai_list_files(self, q):
        """GET /v1/files (apis.md 1.2 (9), 1.3): a cursor page of File objects."""
        try:
            limit = int((q.get("limit") or ["10000"])[0])
        except ValueError:
            limit = 0
        if not 1 <= limit <= 10000:
            rejected("openai files limit", q.get("limit"))
            return self.send(400, oai_error("Invalid 'limit': integer out of range, expected 1..10000.",
                                            param="limit", code="integer_out_of_range"))
        order = (q.get("order") or ["desc"])[0]
        if order not in ("asc", "desc"):
            rejected("openai files order", order)
            return self.send(400, oai_error("Invalid value for 'order': expected 'asc' or 'desc'.",
                                            param="order", code="invalid_value"))
        purpose = (q.get("purpose") or [None])[0]
        with LOCK:
            limit = min(limit, FAULTS.get("page_size", limit))
            ids = [k for k, f in FILES.items() if not f["gemini"] and (not purpose or f["purpose"] == purpose)]
        if order == "desc":
            ids.reverse()
        after = (q.get("after") or [None])[0]
        if after:
            ids = ids[ids.index(after) + 1:] if after in ids else []
        page = ids[:limit]
        with LOCK:
            data = [file_obj(i) for i in page if i in FILES]
        return self.send(200, {"object": "list", "data": data, "first_id": page[0] if page else None,
                               "last_id": page[-1] if page else None, "has_more": len(ids) > limit})

    def gem_list_files(self, q):
        """GET /v1beta/files (apis.md 3.4): pageSize (default 10, at most 100), pageToken."""
        try:
            size = int((q.get("pageSize") or ["10"])[0] or 10)
        except ValueError:
            size = -1
        if size < 0:
            rejected("gemini files pageSize", q.get("pageSize"))
            return self.send(400, gem_error(400, "INVALID_ARGUMENT", "Invalid value for pageSize."))
        size = min(100, size or 10)
        with LOCK:
            size = min(size, FAULTS.get("page_size", size))
            names = [k for k in reversed(list(FILES)) if gem_live_file(k)]
        tok = (q.get("pageToken") or [""])[0]
        start = 0
        if tok:
            m = re.fullmatch(r"p(\d+)", tok)
            if not m:
                rejected("gemini files pageToken", tok)
                return self.send(400, gem_error(400, "INVALID_ARGUMENT", "Invalid page token."))
            start = int(m.group(1))
        page = names[start:start + size]
        res = {}
        with LOCK:
            files = [gem_file_obj(n) for n in page if n in FILES]
        if files:
            res["files"] = files
        if start + size < len(names):
            res["nextPageToken"] = "p%d" % (start + size)
        return self.send(200, res)

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
        if purpose == "batch" and not fname.endswith(".jsonl"):
            rejected("openai upload not .jsonl", fname)
            return self.send(400, oai_error("Invalid file format for Batch API. Must be .jsonl", param="file"))
        if purpose == "batch" and len(fdata) > 200 * 1024 * 1024:
            return self.send(400, oai_error("File is too large: the Batch API supports .jsonl files up to 200 MB.",
                                            param="file"))
        fid = new_file(fdata, fname, purpose)
        count("files_uploaded")
        self.hang_create("hang_upload")
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
                                                    "x-goog-upload-chunk-granularity": str(UPLOAD_GRANULARITY)})
        if path == "/v1beta/files" and method == "GET":
            return self.gem_list_files(q)
        m = re.fullmatch(r"/(download/)?v1beta/(files/[^/:]+):download", path)
        if m and method == "GET":
            f = gem_live_file(m.group(2))
            if not f:
                return self.send(403, gem_file_gone(m.group(2)))
            return self.send(200, raw=f["data"], ctype="application/octet-stream")
        m = re.fullmatch(r"/v1beta/(files/[^/:]+)", path)
        if m:
            # a deleted, expired or unknown file: 403, not 404 (apis.md, issue 14)
            f = gem_live_file(m.group(1))
            if not f:
                return self.send(403, gem_file_gone(m.group(1)))
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
                if not gem_model_ok(m.group(1)):
                    rejected("gemini model", m.group(1))
                    return self.send(404, gem_not_found_model(m.group(1), "generateContent"))
                why = gem_check_request(body, "")
                if why:
                    rejected("gemini live", why)
                    return self.send(400, gem_error(400, "INVALID_ARGUMENT", why))
                key, rng, bad, lerr = live_call(gem_request_parts(body)[1])
                if lerr:
                    return self.send(400, gem_error(400, "INVALID_ARGUMENT", "Request contains an invalid argument.",
                                                    [{"@type": "type.googleapis.com/google.rpc.BadRequest",
                                                      "fieldViolations": [{"field": "generation_config.max_output_tokens",
                                                                           "description": "must be positive"}]}]))
                ans = gem_response(body, m.group(1), rng, bad)
                self.send(200, ans)
                bill("live", ans["usageMetadata"]["promptTokenCount"], ans["usageMetadata"]["candidatesTokenCount"])
                if not bad:
                    count("live_answered", key)
                return None
            self.hang_create()
            code, obj = gem_create_batch(m.group(1), body)
            if code == 200:
                self.crash_created()
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
            return self.send(200, {"models": [{"name": "models/" + m_, "displayName": m_,
                                               "supportedGenerationMethods": ["generateContent",
                                                                              "batchGenerateContent"]}
                                              for m_ in GEM_MODELS]})
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
        chunk = self.body()
        if "finalize" not in cmd and len(chunk) % UPLOAD_GRANULARITY:
            rejected("gemini upload chunk", len(chunk))
            return self.send(400, gem_error(400, "INVALID_ARGUMENT",
                                            "Invalid request. The number of bytes uploaded is required to be a "
                                            "multiple of %d (x-goog-upload-chunk-granularity), except for the "
                                            "final request; got %d." % (UPLOAD_GRANULARITY, len(chunk))))
        up["data"] += chunk
        if "finalize" not in cmd:
            return self.send(200, raw=b"", headers={"x-goog-upload-status": "active"})
        fid = new_file(up["data"], up["name"], "batch", gemini=True)
        with LOCK:
            FILES[fid]["mime"] = up["mime"]
            UPLOADS.pop(uid, None)
        count("files_uploaded")
        self.hang_create("hang_upload")
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


class Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A client that refuses the certificate or hangs up is no error of the fake."""
        if isinstance(sys.exc_info()[1], (OSError, ssl.SSLError, Drop)):
            return
        super().handle_error(request, client_address)


def main():
    global ARGS, RNG, TLS_CTX
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--step", type=float, default=0.02, help="seconds per status step")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--state-file")
    ap.add_argument("--fault", action="append", default=[])
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM)")
    ap.add_argument("--tls-key", help="the certificate's private key (PEM)")
    ARGS = ap.parse_args()
    RNG = random.Random(ARGS.seed)
    for f in ARGS.fault:
        parse_fault(f)
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.allow_reuse_address = True
    if ARGS.tls_cert:
        TLS_CTX = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        TLS_CTX.load_cert_chain(ARGS.tls_cert, ARGS.tls_key)
    srv = Server(("127.0.0.1", ARGS.port), Handler)
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
