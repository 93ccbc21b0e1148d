#!/usr/bin/python3
"""Make a corpus of photo series with ground truth (for bench/bench_series).

usage: series_corpus.py OUTDIR [--series 60] [--singles 60] [--near 30]
                        [--width 1200] [--seed 1]

A scene is a place (sky, two ranges of hills with texture, a few trees or
houses) and a subject in front of it (an animal-like figure, a building, a
boat).  A series is one scene shot 3 to 8 times a few seconds apart, each
frame reframed (shift up to 6 % of the width), zoomed (up to 15 %),
re-exposed (gain 0.7 to 1.35, gamma), slightly rotated (up to 2 degrees) and
with sensor noise.  A near miss is taken in the same folder within the time
gap, at the same place (same sky, hills and texture), but of another
subject and turned elsewhere: it must not join the series.  Singletons are
unrelated scenes, some taken within a minute of a series.

Writes OUTDIR/photos/FOLDER/NAME.jpg, OUTDIR/truth.tsv (path, Datum
vytvoření, series id or "-") and OUTDIR/PhotoMedia.csv-like rows are not
needed: the bench reads truth.tsv.  Half the photos carry their time in
EXIF DateTimeOriginal only (truth.tsv's date column is then empty), the
other half in the date column only.  Needs Debian's python3-pil.
"""
import argparse, math, os, random
from PIL import Image, ImageDraw, ImageFilter, ImageChops

W0, H0 = 480, 320  # the scene is drawn at this size, then scaled up


def rnd_color(r, lo=0, hi=255):
    return tuple(r.randint(lo, hi) for _ in range(3))


def place(r):
    """A place: everything but the subject."""
    return {
        "sky": (rnd_color(r, 60, 230), rnd_color(r, 120, 255)),
        "hills": [(r.uniform(0.35, 0.6), r.uniform(0.02, 0.12), r.uniform(1.5, 6), r.uniform(0, 6),
                   rnd_color(r, 20, 160)) for _ in range(2)],
        "things": [(r.uniform(0, 1), r.uniform(0.55, 0.9), r.uniform(0.03, 0.08), r.choice("th"),
                    rnd_color(r, 0, 200)) for _ in range(r.randint(2, 5))],
        "tex": r.randint(0, 1 << 30),
    }


def subject(r):
    return {
        "kind": r.choice(["animal", "building", "boat", "person"]),
        "x": r.uniform(0.3, 0.7), "y": r.uniform(0.55, 0.75), "s": r.uniform(0.25, 0.45),
        "c": rnd_color(r, 0, 255), "c2": rnd_color(r, 0, 255),
    }


def draw_scene(pl, sub, pan):
    """The scene as the camera sees it; pan moves the camera sideways
    (a fraction of the width): the background repeats around."""
    img = Image.new("RGB", (W0 * 2, H0))
    d = ImageDraw.Draw(img)
    top, bottom = pl["sky"]
    for y in range(H0):
        t = y / H0
        d.line([(0, y), (W0 * 2, y)], fill=tuple(int(top[k] * (1 - t) + bottom[k] * t) for k in range(3)))
    for (base, amp, freq, ph, col) in pl["hills"]:
        pts = [(x, H0 * (base + amp * math.sin(freq * x / W0 * math.pi + ph))) for x in range(0, W0 * 2 + 8, 8)]
        d.polygon(pts + [(W0 * 2, H0), (0, H0)], fill=col)
    for (x, y, s, kind, col) in pl["things"]:
        cx, cy, ss = x * W0 * 2, y * H0, s * H0
        if kind == "t":
            d.polygon([(cx, cy - 2 * ss), (cx - ss, cy), (cx + ss, cy)], fill=col)
            d.rectangle([cx - ss / 5, cy, cx + ss / 5, cy + ss / 2], fill=(60, 40, 20))
        else:
            d.rectangle([cx - ss, cy - ss, cx + ss, cy + ss / 2], fill=col)
            d.polygon([(cx - ss * 1.2, cy - ss), (cx, cy - 2 * ss), (cx + ss * 1.2, cy - ss)], fill=(120, 30, 30))
    tex = random.Random(pl["tex"])
    noise = Image.effect_noise((W0 // 4, H0 // 4), 40 + tex.randint(0, 30)).convert("RGB")
    noise = noise.resize((W0 * 2, H0), Image.BICUBIC)
    img = Image.blend(img, noise, 0.12)
    x0 = int((pan % 1.0) * W0)
    img = img.crop((x0, 0, x0 + W0, H0))
    if sub:
        d = ImageDraw.Draw(img)
        cx, cy, s = sub["x"] * W0, sub["y"] * H0, sub["s"] * H0
        c, c2 = sub["c"], sub["c2"]
        k = sub["kind"]
        if k == "animal":
            d.ellipse([cx - s, cy - s * 0.45, cx + s, cy + s * 0.45], fill=c)
            d.ellipse([cx + s * 0.7, cy - s * 0.9, cx + s * 1.3, cy - s * 0.3], fill=c)
            for lx in (-0.7, -0.3, 0.3, 0.7):
                d.rectangle([cx + lx * s - s * 0.08, cy + s * 0.3, cx + lx * s + s * 0.08, cy + s * 1.1], fill=c2)
        elif k == "building":
            d.rectangle([cx - s * 0.7, cy - s * 1.2, cx + s * 0.7, cy + s * 0.6], fill=c)
            d.polygon([(cx - s * 0.9, cy - s * 1.2), (cx, cy - s * 2), (cx + s * 0.9, cy - s * 1.2)], fill=c2)
            for wx in (-0.4, 0.1):
                d.rectangle([cx + wx * s, cy - s * 0.8, cx + (wx + 0.3) * s, cy - s * 0.4], fill=(30, 30, 60))
        elif k == "boat":
            d.polygon([(cx - s * 1.2, cy), (cx + s * 1.2, cy), (cx + s * 0.8, cy + s * 0.5), (cx - s * 0.8, cy + s * 0.5)], fill=c)
            d.polygon([(cx, cy - s * 1.6), (cx, cy - s * 0.1), (cx + s, cy - s * 0.1)], fill=c2)
        else:
            d.ellipse([cx - s * 0.25, cy - s * 1.6, cx + s * 0.25, cy - s * 1.1], fill=(230, 190, 160))
            d.rectangle([cx - s * 0.4, cy - s * 1.1, cx + s * 0.4, cy + s * 0.2], fill=c)
            d.rectangle([cx - s * 0.35, cy + s * 0.2, cx + s * 0.35, cy + s * 1.2], fill=c2)
    return img


def shoot(scene, r, w, h, strength=1.0):
    """One frame of a scene: reframed, zoomed, rotated, re-exposed, noisy."""
    img = scene.filter(ImageFilter.GaussianBlur(0.6))
    ang = r.uniform(-2, 2) * strength
    img = img.rotate(ang, resample=Image.BICUBIC, expand=False)
    zoom = 1 + r.uniform(0, 0.15) * strength
    dx, dy = r.uniform(-0.06, 0.06) * strength, r.uniform(-0.04, 0.04) * strength
    cw, ch = W0 / zoom, H0 / zoom
    # the margin rotation leaves black is cropped away
    m = 0.04
    cx = W0 / 2 + dx * W0
    cy = H0 / 2 + dy * H0
    cw, ch = cw * (1 - 2 * m), ch * (1 - 2 * m)
    cx = min(max(cx, cw / 2), W0 - cw / 2)
    cy = min(max(cy, ch / 2), H0 - ch / 2)
    box = (cx - cw / 2, cy - ch / 2, cx + cw / 2, cy + ch / 2)
    img = img.resize((w, h), Image.BICUBIC, box=box)
    gain = r.uniform(0.7, 1.35) if strength else 1.0
    gamma = r.uniform(0.85, 1.15) if strength else 1.0
    lut = [min(255, int(255 * ((v / 255) ** gamma) * gain)) for v in range(256)]
    img = img.point(lut * 3)
    sigma = r.randint(4, 14)
    grain = Image.effect_noise((w, h), sigma).convert("RGB")
    img = ImageChops.add(img, grain, scale=1.0, offset=-128)
    return img


def save(img, path, when, exif_time):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    exif = Image.Exif()
    if exif_time:
        exif[0x8769] = {0x9003: when.replace("-", ":")}
    img.save(path, "JPEG", quality=90, exif=exif.tobytes())


def stamp(t):
    """Seconds since the shoot's start as EXIF-like and CSV-like times."""
    base = 10 * 3600
    d, s = divmod(base + t, 86400)
    hh, s = divmod(s, 3600)
    mm, ss = divmod(s, 60)
    day = 3 + d
    return (f"2024-08-{day:02d} {hh:02d}:{mm:02d}:{ss:02d}", f"{day:02d}.08.2024 {hh:02d}:{mm:02d}:{ss:02d}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--series", type=int, default=60)
    ap.add_argument("--singles", type=int, default=60)
    ap.add_argument("--near", type=int, default=30)
    ap.add_argument("--width", type=int, default=1200)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    r = random.Random(a.seed)
    w, h = a.width, a.width * 2 // 3
    rows = []  # (folder, t, image maker, series id)
    folders = [f"2024-08-{i:02d} trip{i}" for i in range(1, 7)]
    clock = {f: 0 for f in folders}
    near_left = a.near
    singles_left = a.singles
    for sid in range(a.series):
        f = folders[sid % len(folders)]
        pl, sub = place(r), subject(r)
        pan = r.uniform(0, 1)
        scene = draw_scene(pl, sub, pan)
        t = clock[f]
        for k in range(r.randint(3, 8)):
            rows.append((f, t, (scene, r.random()), f"s{sid:03d}"))
            t += r.randint(1, 20)
        if near_left > 0 and sid % 2 == 0:
            # same place, another subject, the camera turned: within the gap
            near_left -= 1
            t += r.randint(5, 60)
            other = draw_scene(pl, subject(r), pan + r.uniform(0.25, 0.45))
            rows.append((f, t, (other, r.random()), "-"))
        if singles_left > 0:
            # an unrelated photo a little later (within the gap)
            singles_left -= 1
            t += r.randint(10, 90)
            rows.append((f, t, (draw_scene(place(r), subject(r), r.uniform(0, 1)), r.random()), "-"))
        clock[f] = t + r.randint(400, 3000)  # the next scene, later than the gap
    while singles_left > 0:
        singles_left -= 1
        f = r.choice(folders)
        rows.append((f, clock[f], (draw_scene(place(r), subject(r), r.uniform(0, 1)), r.random()), "-"))
        clock[f] += r.randint(400, 3000)
    os.makedirs(a.outdir, exist_ok=True)
    with open(os.path.join(a.outdir, "truth.tsv"), "w", encoding="utf-8") as out:
        out.write("path\tdatum\tseries\n")
        counters = {}
        for (f, t, (scene, fr), sid) in sorted(rows, key=lambda x: (x[0], x[1])):
            counters[f] = counters.get(f, 0) + 1
            path = os.path.join(a.outdir, "photos", f, f"IMG_{counters[f]:04d}.jpg")
            exif_when, csv_when = stamp(t)
            exif_time = r.random() < 0.5
            img = shoot(scene, random.Random(fr), w, h)
            save(img, path, exif_when, exif_time)
            out.write(f"{path}\t{'' if exif_time else csv_when}\t{sid}\n")


if __name__ == "__main__":
    main()
