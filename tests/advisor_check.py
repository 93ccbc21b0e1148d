#!/usr/bin/env python3
"""advisor_check.py: checks every cell of `stockbatch plan --models --json`
against reference/apis.md with arithmetic of its own (tests/cli_advisor.sh).

    advisor_check.py MODELS.json PLAN.json PRICES.conf LIBDIR [USER_PRICES.conf]
    advisor_check.py --usage REPORT.json PRICES.conf DETAIL PHOTO.jpg...
                     (`report --json` after a run: "other_models" from the
                     batches' actual usage, the photos of those batches)

Nothing here comes from the C code: the photo sizes are read from the JPEG
headers (SOF and EXIF orientation) by the parser below, the prices from
prices.conf by this script, the image tokens by the formulas of apis.md 2.1
and 2.2 (the reference implementation of 2.4), Gemini's by its 258-token
tiles.  Only the text tokens (o200k_base BPE, tested by test_tokens against
tiktoken's corpus) and the output tokens per photo (a documented default or
the library's history) are taken from the JSON.
"""
import json
import math
import struct
import sys

# ---- apis.md 2.1 / 2.2 / 2.4 ----------------------------------------------


def fit_box(w, h, m):
    if max(w, h) <= m:
        return w, h
    s = m / max(w, h)
    return math.floor(w * s), math.floor(h * s)


def tile_size(w, h):
    w, h = fit_box(w, h, 2048)
    if min(w, h) > 768:
        s = 768 / min(w, h)
        w, h = (768, math.floor(h * s)) if w <= h else (math.floor(w * s), 768)
    return w, h


def tile_tokens(w, h, base, per):
    w, h = tile_size(w, h)
    return base + per * math.ceil(w / 512) * math.ceil(h / 512)


def patch_size(w, h, budget, maxdim):
    w, h = fit_box(w, h, maxdim)
    n = math.ceil(w / 32) * math.ceil(h / 32)
    if n <= budget:
        return w, h
    s = math.sqrt(1024 * budget / (w * h))
    s *= min(math.floor(w * s / 32) / (w * s / 32), math.floor(h * s / 32) / (h * s / 32))
    return math.floor(w * s), math.floor(h * s)


def patches(w, h, budget, maxdim):
    w, h = patch_size(w, h, budget, maxdim)
    return math.ceil(w / 32) * math.ceil(h / 32)


# apis.md 2 (V3 where it speaks): tile models (base, per tile), patch models
# (budget, max dimension, multiplier).
TILE = {"gpt-4o-mini": (2833, 5667), "gpt-4o": (85, 170), "gpt-4.1": (85, 170), "gpt-5": (70, 140),
        "gpt-5.1": (70, 140), "o1": (75, 150), "o3": (75, 150)}
PATCH = {"gpt-4.1-mini": (6144, 2048, 1.62), "gpt-4.1-nano": (1536, 2048, 2.46),
         "gpt-5-mini": (1536, 2048, 1.2), "gpt-5-nano": (1536, 2048, 1.5), "o4-mini": (1536, 2048, 1.72)}
# V3 marks these "Deprecated and scheduled for shutdown" (a prefix and its
# dated versions; gpt-5 itself, not gpt-5.1 or gpt-5.x).
DEPRECATED = ("gpt-4.1-nano", "o4-mini", "gpt-5-mini", "gpt-5-nano", "o1", "o3", "gpt-5")
GEMINI_MAX_SIDE = 1536  # what stockbatch sends Gemini (gemini.c; no documented cap)


def family(model, table):
    best = None
    for k in table:
        if (model == k or model.startswith(k + "-")) and (best is None or len(k) > len(best)):
            best = k
    return best


def openai_tokens(model, detail, w, h):
    """(sent size, tokens) of one image on an OpenAI model."""
    p = family(model, PATCH)
    if p:
        budget, maxdim, mult = PATCH[p]
        sw, sh = patch_size(w, h, budget, maxdim)
        return (sw, sh), math.ceil(patches(sw, sh, budget, maxdim) * mult - 1e-9)
    base, per = TILE[family(model, TILE)]
    if detail == "low":
        return fit_box(w, h, 512), base
    sw, sh = tile_size(w, h)
    return (sw, sh), tile_tokens(sw, sh, base, per)


def gemini_tokens(w, h):
    if max(w, h) > GEMINI_MAX_SIDE:
        s = GEMINI_MAX_SIDE / max(w, h)
        w, h = (GEMINI_MAX_SIDE, int(h * s)) if w >= h else (int(w * s), GEMINI_MAX_SIDE)
    # a side at most 1/8 over a 768 px tile edge is brought down to it (the
    # one needing most), the other in proportion, until none is
    while True:
        over = [(b / v, i, b) for i, v in enumerate((w, h))
                for b in [v // 768 * 768] if v > 768 and v % 768 and b / v >= 0.875]
        if not over:
            break
        _, i, b = min(over)
        w, h = (b, max(1, h * b // w)) if i == 0 else (max(1, w * b // h), b)
    if w <= 384 and h <= 384:
        return 258
    return 258 * math.ceil(w / 768) * math.ceil(h / 768)


def self_check():
    """The doc's own examples (apis.md 2.1, 2.2)."""
    assert tile_tokens(1024, 1024, 85, 170) == 765
    assert tile_tokens(2048, 4096, 85, 170) == 1105
    assert tile_tokens(6000, 4000, 2833, 5667) == 36835
    assert patches(1800, 2400, 1536, 10**9) == 1452
    assert openai_tokens("gpt-4.1-mini", "high", 6000, 4000)[1] == 4459
    assert openai_tokens("gpt-4.1-mini", "high", 4000, 3000)[1] == 4977
    assert openai_tokens("gpt-4.1-nano", "high", 4000, 3000)[1] == 3572
    assert openai_tokens("gpt-4o", "low", 4096, 8192)[1] == 85

# ---- the inputs, read here ------------------------------------------------


def jpeg_size(path):
    """Oriented (w, h) from the SOF marker and the EXIF orientation."""
    data = open(path, "rb").read()
    assert data[:2] == b"\xff\xd8", path
    i, orient, size = 2, 1, None
    while i + 4 <= len(data) and size is None:
        if data[i] != 0xFF:
            i += 1
            continue
        m = data[i + 1]
        if m in (0xD8, 0x01) or 0xD0 <= m <= 0xD7 or m == 0xFF:
            i += 1 if m == 0xFF else 2
            continue
        ln = struct.unpack(">H", data[i + 2:i + 4])[0]
        seg = data[i + 4:i + 2 + ln]
        if m == 0xE1 and seg[:6] == b"Exif\0\0":
            t = seg[6:]
            e = "<" if t[:2] == b"II" else ">"
            off = struct.unpack(e + "I", t[4:8])[0]
            n = struct.unpack(e + "H", t[off:off + 2])[0]
            for k in range(n):
                ent = t[off + 2 + 12 * k:off + 14 + 12 * k]
                if struct.unpack(e + "H", ent[:2])[0] == 0x112:
                    orient = struct.unpack(e + "H", ent[8:10])[0]
        if 0xC0 <= m <= 0xCF and m not in (0xC4, 0xC8, 0xCC):
            h, w = struct.unpack(">HH", seg[1:5])
            size = (w, h)
        i += 2 + ln
    w, h = size
    return (h, w) if 5 <= orient <= 8 else (w, h)


def read_prices(paths):
    prices = {}
    for path in paths:
        for line in open(path, encoding="utf-8"):
            line = line.split("#")[0].strip()
            if not line or "=" in line:
                continue
            t = line.split()
            prices[t[0]] = [float(x) for x in t[1:7]]
    return prices


def row_image_tokens(r, sizes):
    if r["provider"] == "gemini":
        return sum(c * gemini_tokens(w, h) for (w, h), c in sizes.items())
    return sum(c * openai_tokens(r["model"], r["detail"], w, h)[1] for (w, h), c in sizes.items())


def rel_eq(a, b, what):
    assert abs(a - b) <= 1e-9 + 1e-9 * abs(b), "%s: stockbatch %r, apis.md %r" % (what, a, b)


def check_usage(report_json, prices_conf, detail, photos):
    """Each row: the usage's text (input less the images on the model used),
    the images on that model, the usage's output; the prices of the table."""
    d = json.load(open(report_json))
    prices = read_prices([prices_conf])
    used = [b for b in d["batches"] if b["kind"] == "originals" and b.get("extra")]
    assert len(used) == 1, "one batch with usage expected"
    b = used[0]
    in_used, out = b["extra"]["in_tokens"], b["extra"]["out_tokens"]
    sizes = {}
    for p in photos:
        wh = jpeg_size(p)
        sizes[wh] = sizes.get(wh, 0) + 1
    om = d["other_models"]
    n = len(photos)
    assert om["photos"] == n, (om["photos"], n)
    img_used = sum(c * openai_tokens(b["model"], detail, w, h)[1] for (w, h), c in sizes.items())
    text = max(0, in_used - img_used)
    marked = [r for r in om["models"] if r["configured"]]
    assert [(r["model"], r["detail"]) for r in marked] == [(b["model"], detail)], marked
    for r in om["models"]:
        name = "%s %s %s" % (r["provider"], r["model"], r["detail"])
        in_total = text + row_image_tokens(r, sizes)
        assert r["in_tokens_total"] == in_total, (name, r["in_tokens_total"], in_total)
        assert r["out_tokens_total"] == out, (name, r["out_tokens_total"], out)
        live_in, _, live_out, b_in, _, b_out = prices[r["model"]]
        rel_eq(r["batch_total_usd"], (in_total * b_in + out * b_out) / 1e6, name + " batch total")
        rel_eq(r["live_total_usd"], (in_total * live_in + out * live_out) / 1e6, name + " live total")
        rel_eq(r["batch_usd"], r["batch_total_usd"] / n, name + " batch per photo")
    costs = [r["batch_usd"] for r in om["models"]]
    assert costs == sorted(costs), "not sorted"
    print("advisor_check --usage: %d rows from %d in, %d out tokens" % (len(om["models"]), in_used, out))


def main():
    if sys.argv[1] == "--usage":
        check_usage(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
        return
    models_json, plan_json, prices_conf, lib = sys.argv[1:5]
    self_check()
    d = json.load(open(models_json))
    plan = json.load(open(plan_json))
    prices = read_prices([prices_conf] + sys.argv[5:6])
    # the photos waiting: the plan's new files, their pictures read here
    new = [i for i in plan["items"] if i["action"] == "new"]
    sizes = {}
    for it in new:
        if it["media"] != "image":
            continue
        rel = it["cesta"].replace("\\", "/").split(":/", 1)[1]
        wh = jpeg_size(lib + "/" + rel)
        sizes[wh] = sizes.get(wh, 0) + 1
    n = len(new)
    assert d["requests"] == n, (d["requests"], n)
    got_sizes = {(s["width"], s["height"]): s["photos"] for s in d["image_sizes"]}
    assert got_sizes == sizes, (got_sizes, sizes)
    out = d["out_tokens_per_request"]
    if d["out_tokens_source"] == "default":
        assert out == 300, out

    expected = set()
    for model in prices:
        if model.startswith("gemini-"):
            expected.add(("gemini", model, "default"))
        elif family(model, PATCH):
            expected.add(("openai", model, "high"))
        elif family(model, TILE):
            expected.add(("openai", model, "low"))
            expected.add(("openai", model, "high"))
    rows = d["models"]
    assert {(r["provider"], r["model"], r["detail"]) for r in rows} == expected, \
        sorted(expected ^ {(r["provider"], r["model"], r["detail"]) for r in rows})
    checked = 0
    for r in rows:
        name = "%s %s %s" % (r["provider"], r["model"], r["detail"])
        img = row_image_tokens(r, sizes)
        text = d["text_tokens"][r["provider"]]
        live_in, _, live_out, b_in, _, b_out = prices[r["model"]]
        in_total = text + img
        rel_eq(r["image_tokens"], img / n, name + " image tokens per photo")
        rel_eq(r["text_tokens"], text / n, name + " text tokens per photo")
        rel_eq(r["out_tokens"], out, name + " output tokens per photo")
        assert r["in_tokens_total"] == in_total, (name, r["in_tokens_total"], in_total)
        assert r["out_tokens_total"] == round(out * n), name
        bt = (in_total * b_in + out * n * b_out) / 1e6
        lt = (in_total * live_in + out * n * live_out) / 1e6
        rel_eq(r["batch_total_usd"], bt, name + " batch total")
        rel_eq(r["live_total_usd"], lt, name + " live total")
        rel_eq(r["batch_usd"], bt / n, name + " batch per photo")
        rel_eq(r["live_usd"], lt / n, name + " live per photo")
        dep = r["provider"] == "openai" and family(r["model"], dict.fromkeys(DEPRECATED)) is not None
        assert r["deprecated"] == dep, (name, r["deprecated"])
        checked += 1
    costs = [r["batch_usd"] for r in rows]
    assert costs == sorted(costs), "not sorted by batch cost per photo"
    conf = [r for r in rows if r["configured"]]
    assert len(conf) <= 1, conf
    # the warning: the configured row against the cheapest of its provider
    # at a comparable detail (low only when low is configured)
    if conf:
        c = conf[0]
        peers = [r["batch_usd"] for r in rows if r["provider"] == c["provider"] and not r["deprecated"]
                 and (c["detail"] == "low" or r["detail"] != "low")]
        assert (d["warning"] is not None) == (c["batch_usd"] > 2 * min(peers)), (d["warning"], c, min(peers))
    print("advisor_check: %d rows, %d photos in %d sizes, every cell as apis.md computes it"
          % (checked, n, len(sizes)))


if __name__ == "__main__":
    main()
