"""fakeusage.py: the token usage the fake API reports, computed from the
request as the services document their billing (reference/apis.md), never
from what the client says about itself.  Python 3 stdlib only.

OpenAI (chat completions, batch lines alike):
  prompt_tokens     the messages counted as the OpenAI cookbook counts them
                    (apis.md 5.3: 3 per message + its role + its content, 3 to
                    prime the answer), text in o200k_base (apis.md 5.1: the
                    published ranks in data/o200k_base.tiktoken, tiktoken's
                    pre-tokenizer), plus each image by its model's rule
                    (apis.md 2.1 tiles, 2.2 patches; the V3 table, V2 where V3
                    is silent), on the image's own size read from its JPEG
                    header; the JSON schema is not counted (undocumented)
  completion_tokens the answer's text in o200k_base
Gemini:
  promptTokenCount  every text part (systemInstruction and contents), a token
                    per 4 characters ("a token is equivalent to about 4
                    characters"), plus 258 per image when both sides are at
                    most 384 px, else 258 per 768 x 768 tile
  candidatesTokenCount the answer, a token per 4 characters
"""

import base64
import functools
import math
import os
import re
import struct
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
RANKS = os.environ.get("FAKEAPI_RANKS") or os.path.join(HERE, "..", "data", "o200k_base.tiktoken")


# ---------------------------------------------------------------- images

def jpeg_size(raw):
    """(width, height) from a JPEG's frame header, or None: the markers are
    walked as a decoder does, so a file with no frame is no image."""
    i = 2
    while i + 4 <= len(raw):
        if raw[i] != 0xFF:
            return None
        mk = raw[i + 1]
        if mk == 0xFF:
            i += 1
            continue
        if mk in (0xD8, 0x01) or 0xD0 <= mk <= 0xD7:
            i += 2
            continue
        if mk in (0xD9, 0xDA):
            return None  # end of image or scan data before any frame header
        n = struct.unpack(">H", raw[i + 2:i + 4])[0]
        if mk in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            if i + 9 > len(raw):
                return None
            h, w = struct.unpack(">HH", raw[i + 5:i + 9])
            return (w, h) if w and h else None
        i += 2 + n
    return None


def b64_size(data):
    try:
        return jpeg_size(base64.b64decode(data))
    except Exception:
        return None


# OpenAI, apis.md 2 (the newest mirror, V3, where it speaks; V2 otherwise).
# Tile models: (base, per tile); patch models: (budget, max side, multiplier).
OAI_TILES = {"gpt-4o-mini": (2833, 5667), "gpt-4o": (85, 170), "chatgpt-4o": (85, 170),
             "gpt-4.1": (85, 170), "gpt-4.5": (85, 170), "o1": (75, 150), "o3": (75, 150),
             "computer-use-preview": (65, 129), "gpt-5": (70, 140), "gpt-5.1": (70, 140)}
OAI_PATCHES = {"gpt-4.1-mini": (6144, 2048, 1.62), "gpt-4.1-nano": (1536, 2048, 2.46),
               "o4-mini": (1536, 2048, 1.72), "gpt-5-mini": (1536, 2048, 1.2),
               "gpt-5-nano": (1536, 2048, 1.5), "gpt-5.4-mini": (1536, 2048, 1.62),
               "gpt-5.4-nano": (1536, 2048, 2.46), "gpt-5.": (2500, 2048, 1.2)}


def oai_rule(model):
    """The longest prefix of model in either table; unknown models as gpt-4o."""
    best, rule = "", ("tile", OAI_TILES["gpt-4o"])
    for table, kind in ((OAI_TILES, "tile"), (OAI_PATCHES, "patch")):
        for p, r in table.items():
            if model.startswith(p) and len(p) > len(best):
                best, rule = p, (kind, r)
    return rule


def fit_box(w, h, m):
    if max(w, h) <= m:
        return w, h
    s = m / max(w, h)
    return math.floor(w * s), math.floor(h * s)


def oai_image_tokens(model, detail, w, h):
    kind, r = oai_rule(model)
    if kind == "tile":
        base, per = r
        if detail == "low":
            return base
        w, h = fit_box(w, h, 2048)
        if min(w, h) > 768:
            s = 768 / min(w, h)
            w, h = (768, math.floor(h * s)) if w <= h else (math.floor(w * s), 768)
        return base + per * math.ceil(w / 512) * math.ceil(h / 512)
    budget, maxdim, mult = r
    w, h = fit_box(w, h, maxdim)
    n = math.ceil(w / 32) * math.ceil(h / 32)
    if n > budget:
        s = math.sqrt(1024 * budget / (w * h))
        s *= min(math.floor(w * s / 32) / (w * s / 32), math.floor(h * s / 32) / (h * s / 32))
        n = math.ceil(math.floor(w * s) / 32) * math.ceil(math.floor(h * s) / 32)
    return math.ceil(n * mult - 1e-9)


def gem_image_tokens(w, h):
    if w <= 384 and h <= 384:
        return 258
    return 258 * math.ceil(w / 768) * math.ceil(h / 768)


# ---------------------------------------------------------------- o200k_base

_ENC = None


def _classes():
    """Character-class bodies for the \\p{...} classes of the pattern."""
    want = {"L": ("Lu", "Ll", "Lt", "Lm", "Lo"), "N": ("Nd", "Nl", "No"),
            "U": ("Lu", "Lt", "Lm", "Lo", "Mn", "Mc", "Me"), "W": ("Ll", "Lm", "Lo", "Mn", "Mc", "Me")}
    ranges = {k: [] for k in want}
    cat_of = unicodedata.category
    members = {k: set(v) for k, v in want.items()}
    for cp in range(sys.maxunicode + 1):
        c = cat_of(chr(cp))
        for k, cats in members.items():
            if c in cats:
                rr = ranges[k]
                if rr and rr[-1][1] == cp - 1:
                    rr[-1][1] = cp
                else:
                    rr.append([cp, cp])
    return {k: "".join("\\U%08x-\\U%08x" % (a, b) if a != b else "\\U%08x" % a for a, b in v)
            for k, v in ranges.items()}


def _encoder():
    global _ENC
    if _ENC is None:
        c = _classes()
        suffix = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
        pat = (r"[^\r\n{L}{N}]?[{U}]*[{W}]+" + suffix +
               r"|[^\r\n{L}{N}]?[{U}]+[{W}]*" + suffix +
               r"|[{N}]{{1,3}}"
               r"| ?[^\s{L}{N}]+[\r\n/]*"
               r"|\s*[\r\n]+"
               r"|\s+(?!\S)"
               r"|\s+").format(**c)
        ranks = {}
        with open(RANKS, "rb") as f:
            for ln in f:
                tok, rank = ln.split()
                ranks[base64.b64decode(tok)] = int(rank)
        _ENC = (re.compile(pat), ranks)
    return _ENC


def _bpe_len(piece, ranks):
    """Tokens of one pre-tokenized piece: merge the lowest-ranked pair first."""
    if piece in ranks:
        return 1
    parts = [piece[i:i + 1] for i in range(len(piece))]
    while len(parts) > 1:
        best, at = None, -1
        for i in range(len(parts) - 1):
            r = ranks.get(parts[i] + parts[i + 1])
            if r is not None and (best is None or r < best):
                best, at = r, i
        if best is None:
            break
        parts[at:at + 2] = [parts[at] + parts[at + 1]]
    return len(parts)


@functools.lru_cache(maxsize=4096)
def o200k_count(text):
    pat, ranks = _encoder()
    return sum(_bpe_len(m.group(0).encode("utf-8"), ranks) for m in pat.finditer(text))


# ---------------------------------------------------------------- usage

def oai_usage(body, answer):
    """(prompt_tokens, completion_tokens) of a chat completions body."""
    model = str(body.get("model") or "")
    n = 3
    for m in body.get("messages") or []:
        if not isinstance(m, dict):
            continue
        n += 3 + o200k_count(str(m.get("role") or ""))
        if isinstance(m.get("name"), str):
            n += 1 + o200k_count(m["name"])
        c = m.get("content")
        if isinstance(c, str):
            n += o200k_count(c)
        elif isinstance(c, list):
            for part in c:
                if not isinstance(part, dict):
                    continue
                if part.get("type") == "text":
                    n += o200k_count(str(part.get("text") or ""))
                elif part.get("type") == "image_url":
                    iu = part.get("image_url") or {}
                    url = str(iu.get("url") or "")
                    size = b64_size(url.split(",", 1)[1]) if url.startswith("data:") and "," in url else None
                    if size:
                        n += oai_image_tokens(model, iu.get("detail") or "auto", *size)
    return n, o200k_count(answer)


def gem_chars(text):
    return (len(text) + 3) // 4


def gem_usage(req, answer, file_data=None):
    """(text tokens, image tokens, candidatesTokenCount) of a
    GenerateContentRequest; file_data(uri) gives the bytes of an uploaded
    file, or None."""
    n = img = 0
    si = req.get("systemInstruction") or req.get("system_instruction")
    blocks = ([si] if isinstance(si, dict) else []) + \
        [c for c in (req.get("contents") if isinstance(req.get("contents"), list) else []) if isinstance(c, dict)]
    for c in blocks:
        for part in c.get("parts") if isinstance(c.get("parts"), list) else []:
            if not isinstance(part, dict):
                continue
            if isinstance(part.get("text"), str):
                n += gem_chars(part["text"])
            inline = part.get("inlineData") or part.get("inline_data")
            fd = part.get("fileData") or part.get("file_data")
            size = None
            if isinstance(inline, dict):
                size = b64_size(str(inline.get("data") or ""))
            elif isinstance(fd, dict) and file_data:
                raw = file_data(str(fd.get("fileUri") or fd.get("file_uri") or ""))
                size = jpeg_size(raw) if raw else None
            if size:
                img += gem_image_tokens(*size)
    return n, img, gem_chars(answer)
