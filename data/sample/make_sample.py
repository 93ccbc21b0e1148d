#!/usr/bin/python3
"""Make the bundled sample library of the demo: a few small photo-like JPEGs
(simple drawn scenes, one with EXIF orientation 6, one with an embedded
thumbnail-free EXIF date), an edited _bw copy, a video stub and PhotoMedia.csv
in the canonical 48-column layout with Windows paths (J:\\Foto\\...), as the
user's real library has them.  Needs Debian's python3-pil.

usage: make_sample.py OUTDIR
"""
import csv, os, random, sys
from PIL import Image, ImageDraw, ImageFilter

BANKS = ["ShutterStock", "BigStockPhoto", "AdobeStock", "DepositPhotos", "123RF", "Alamy",
         "GettyImages", "ColourBox", "Dreamstime", "CanStockPhoto", "Pond5", "Pixta", "Freepik",
         "Vecteezy", "StoryBlocks", "Envato", "500px", "MostPhotos"]
HEADER = (["Soubor", "Název", "Popis", "Datum přípravy", "Šířka", "Výška", "Rozlišení",
           "Klíčová slova", "Kategorie", "Datum vytvoření"]
          + [b + " status" for b in BANKS] + [b + " kategorie" for b in BANKS] + ["Originál", "Cesta"])
W, H = 1200, 800


def sky(d, top, bottom):
    for y in range(H):
        t = y / H
        d.line([(0, y), (W, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom)))


def scene(kind, rnd):
    im = Image.new("RGB", (W, H))
    d = ImageDraw.Draw(im)
    if kind == "forest":
        sky(d, (170, 190, 210), (230, 230, 225))
        for i in range(60):
            x, h = rnd.randint(-40, W), rnd.randint(250, 520)
            g = rnd.randint(40, 90)
            d.polygon([(x, H - h), (x - 45, H), (x + 45, H)], fill=(20, g, 35))
    elif kind == "sunset":
        sky(d, (250, 140, 60), (60, 30, 90))
        d.ellipse([W // 2 - 90, 420, W // 2 + 90, 600], fill=(255, 210, 90))
        d.polygon([(0, 560), (300, 470), (650, 540), (900, 450), (W, 520), (W, H), (0, H)], fill=(40, 25, 50))
    elif kind == "castle":
        sky(d, (120, 170, 230), (200, 220, 240))
        d.rectangle([0, 600, W, H], fill=(70, 120, 50))
        d.rectangle([400, 300, 800, 600], fill=(180, 170, 150))
        for x in (380, 760):
            d.rectangle([x, 220, x + 60, 600], fill=(170, 160, 140))
            d.polygon([(x - 10, 220), (x + 30, 140), (x + 70, 220)], fill=(150, 50, 40))
        d.rectangle([570, 480, 630, 600], fill=(60, 40, 30))
    elif kind == "meadow":
        sky(d, (110, 160, 230), (190, 215, 240))
        d.rectangle([0, 450, W, H], fill=(90, 160, 60))
        for i in range(300):
            x, y = rnd.randint(0, W), rnd.randint(470, H)
            c = rnd.choice([(230, 60, 60), (250, 230, 80), (240, 240, 250), (150, 90, 200)])
            d.ellipse([x, y, x + 7, y + 7], fill=c)
    elif kind == "river":
        sky(d, (150, 180, 210), (220, 225, 230))
        d.polygon([(0, 430), (W, 380), (W, H), (0, H)], fill=(60, 110, 60))
        d.polygon([(0, 620), (W, 520), (W, 640), (0, H)], fill=(70, 120, 170))
    return im.filter(ImageFilter.GaussianBlur(1.2))


def main():
    out = sys.argv[1]
    rnd = random.Random(7)
    photos = [
        ("IMG_0101.jpg", "forest", "Příroda", "12.05.2024 06:41:10", 1),
        ("IMG_0102.jpg", "sunset", "Příroda", "12.05.2024 20:15:02", 1),
        ("IMG_0215.jpg", "castle", "Architektura", "03.08.2024 11:02:45", 6),
        ("IMG_0216.jpg", "meadow", "Příroda", "03.08.2024 12:30:00", 1),
        ("IMG_0302.jpg", "river", "Příroda", "21.09.2024 09:12:33", 1),
        ("IMG_0303.jpg", "forest", "Příroda", "21.09.2024 09:40:00", 1),
    ]
    rows = []
    for name, kind, cat, created, orient in photos:
        rel = ["Foto", "JPG", cat, "2024", name]
        path = os.path.join(out, *rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        im = scene(kind, rnd)
        exif = Image.Exif()
        exif[0x0112] = orient
        if orient == 6:  # stored rotated, as a camera held upright writes it
            im = im.transpose(Image.Transpose.ROTATE_90)
        im.save(path, "JPEG", quality=85, exif=exif.tobytes())
        w, h = Image.open(path).size
        if orient == 6:
            w, h = h, w
        win = "J:\\" + "\\".join(rel)
        st = ["nezpracováno" if b in ("ShutterStock", "AdobeStock", "Dreamstime", "Alamy") else "nedostupné" for b in BANKS]
        rows.append([name, "", "", "", w, h, "%.1f" % (w * h / 1e6), "", cat, created] + st + [""] * len(BANKS) + ["ano", win])
        if name == "IMG_0101.jpg":  # its black-and-white edit, an alternative
            erel = ["Upravené foto", "JPG", cat, "2024", "IMG_0101_bw.jpg"]
            epath = os.path.join(out, *erel)
            os.makedirs(os.path.dirname(epath), exist_ok=True)
            im.convert("L").convert("RGB").save(epath, "JPEG", quality=85)
    # a video the user has not described yet, and a row whose file is missing
    vrel = ["Video", "MP4", "Příroda", "2024", "VID_0007.mp4"]
    vpath = os.path.join(out, *vrel)
    os.makedirs(os.path.dirname(vpath), exist_ok=True)
    open(vpath, "wb").write(b"\x00\x00\x00\x18ftypmp42" + bytes(64))
    st = ["nezpracováno" if b in ("ShutterStock", "AdobeStock", "Pond5") else "nedostupné" for b in BANKS]
    rows.append(["VID_0007.mp4", "", "", "", 1920, 1080, "2.1", "", "Příroda", "22.09.2024 10:00:00"] + st + [""] * len(BANKS) + ["ano", "J:\\" + "\\".join(vrel)])
    rows.append(["IMG_0999.jpg", "", "", "", 6000, 4000, "24.0", "", "Příroda", "01.01.2024 12:00:00"] + st + [""] * len(BANKS) + ["ano", "J:\\Foto\\JPG\\Příroda\\2024\\IMG_0999.jpg"])
    # an already prepared photo, untouched by stockbatch
    done = ["IMG_0050.jpg", "Old town square at dusk", "Historic houses around the old town square in the evening light.", "01.03.2024", 6000, 4000, "24.0",
            "square, old town, dusk, houses, historic, evening, architecture", "Architektura", "28.02.2024 18:00:00"] + \
           ["připraveno" if b in ("ShutterStock", "AdobeStock", "Dreamstime", "Alamy") else "nedostupné" for b in BANKS] + \
           ["Buildings/Landmarks" if b == "ShutterStock" else "" for b in BANKS] + ["ano", "J:\\Foto\\JPG\\Architektura\\2024\\IMG_0050.jpg"]
    rows.insert(0, done)
    with open(os.path.join(out, "PhotoMedia.csv"), "w", encoding="utf-8-sig", newline="") as f:
        wr = csv.writer(f)
        wr.writerow(HEADER)
        wr.writerows(rows)


if __name__ == "__main__":
    main()
