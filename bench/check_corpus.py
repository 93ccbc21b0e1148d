#!/usr/bin/env python3
"""check_corpus.py: turns the PhotoMedia.csv of ../shared/bench/make_corpus.py
(unprocessed rows) into a library whose every row ShutterStock, AdobeStock and
Dreamstime will see (status připraveno, title, description, 12 keywords,
categories), with a share of rows that break a rule (a name of a person every
50th, a capitalised keyword every 70th, a brand every 90th), for timing
`stockbatch check` against tests/check_csv.py.

  check_corpus.py IN.csv OUT.csv
"""
import csv
import sys

src, dst = sys.argv[1], sys.argv[2]
KW = "forest, trees, nature, green, summer, path, moss, autumn, leaves, light, morning, mist".split(", ")
with open(src, encoding="utf-8-sig", newline="") as f, open(dst, "w", encoding="utf-8-sig", newline="") as o:
    r = csv.reader(f)
    w = csv.writer(o, lineterminator="\r\n")
    h = next(r)
    w.writerow(h)
    ix = {k: i for i, k in enumerate(h)}
    for i, row in enumerate(r):
        t = "Old beech forest with a narrow path in the morning mist"
        d = "A narrow path leads through an old beech forest in the soft morning mist."
        kw = list(KW)
        if i % 50 == 0:
            t = "Anna Novakova in a summer meadow"
        if i % 70 == 0:
            kw.append("Forest")
        if i % 90 == 0:
            d = "A red Coca-Cola can."
        row[ix["Název"]], row[ix["Popis"]], row[ix["Klíčová slova"]] = t, d, ", ".join(kw)
        for b in ("ShutterStock", "AdobeStock", "Dreamstime"):
            row[ix[b + " status"]] = "připraveno"
        row[ix["ShutterStock kategorie"]] = "Nature"
        row[ix["AdobeStock kategorie"]] = "11"
        row[ix["Dreamstime kategorie"]] = "Nature -> Forests"
        w.writerow(row)
