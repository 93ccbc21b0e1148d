#!/usr/bin/env python3
"""check_csv.py: an independent check of a committed PhotoMedia.csv against
the stock agencies' metadata rules, written from reference/agencies.md and
reference/photomedia-csv.md (not from src/agency.c).

  check_csv.py PhotoMedia.csv [--agencies shutterstock,adobestock,dreamstime]
               [--data DIR] [--title-max N] [--all-rows] [--cesta FILE]

Checks every row an agency will see (a status column "připraveno"; with
--all-rows every row with a title; with --cesta only the rows whose Cesta is
a line of FILE):
  title       not empty; at most 70 characters when AdobeStock is enabled,
              else 80 (--title-max overrides); AdobeStock: no commas;
              Dreamstime: first letter capital; not cut mid-phrase (it does not
              end in "and", "with", "of", "the", ...)
  description at most 200 characters
  keywords    7 to 50 (49 with AdobeStock), unique, lower case (an editorial
              row's first keyword "Editorial" excepted), none empty
  categories  ShutterStock 1 or 2 names from its list, AdobeStock exactly one
              id from its list (none on an editorial row: it takes no
              editorial content), Dreamstime 1 to 3 "Main -> Sub" from its list
  text        no control characters, escape sequences or their leftovers
              ("[31m"), bidi controls, zero-width characters; NFC
  names       no names of people outside editorial: a given name (DIR/given-
              names.txt) followed by a capitalised word in the title or
              description, a keyword that is a given name or starts with one
  brands      no word or phrase of DIR/trademarks.txt outside editorial
  editorial   the description starts "CITY, COUNTRY - DD MM YYYY: "
Prints one line per broken rule and a summary; exit 1 when any rule is broken.
Python 3 standard library only.
"""

import argparse
import csv
import os
import re
import sys
import unicodedata

TITLE_ENDS = {"and", "with", "of", "the", "a", "an", "in", "at", "on", "for", "to", "by", "from",
              "or", "near", "under", "over", "during", "while", "into"}
# places and saints: a given name next to these is no person (agencies.md allows
# place names such as "Karlův most", "St. Vitus", "Charles Bridge")
PLACE_AFTER = {"bridge", "street", "square", "church", "cathedral", "basilica", "chapel", "castle",
               "palace", "tower", "gate", "hall", "museum", "park", "garden", "gardens", "lake",
               "river", "hill", "mountain", "valley", "bay", "beach", "island", "station", "avenue",
               "road", "memorial", "monument", "statue", "fountain", "wall", "most", "ulice",
               "namesti", "hotel", "abbey", "monastery", "harbour", "harbor", "airport", "plaza"}
PLACE_BEFORE = {"st", "saint", "sainte", "sv", "svaty", "svata", "svate", "san", "santa", "santo",
                "sankt", "mount", "mt", "lake", "fort", "cape", "port"}
INVISIBLE = set(range(0x80, 0xA0)) | set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A)) | \
    {0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x200E, 0x200F, 0x061C, 0xAD}
ESC_LEFTOVER = re.compile(r"\[[0-9;]*m(?![A-Za-z])|\[[0-9;]+[KJHf]")
PREFIX = re.compile(r"^[^,:]+, [^:]+ - \d\d \d\d \d\d\d\d: ")


def fold(s):
    s = unicodedata.normalize("NFD", s.lower())
    s = "".join(c for c in s if not unicodedata.combining(c))
    return s.replace("ł", "l").replace("ø", "o").replace("đ", "d").replace("ß", "ss")


def read_list(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for ln in f:
            ln = ln.strip()
            if ln and not ln.startswith("#"):
                out.append(ln)
    return out


class Rules:
    def __init__(self, data, agencies, title_max):
        self.agencies = agencies
        self.title_max = title_max or (70 if "adobestock" in agencies else 80)
        self.kw_max = 49 if "adobestock" in agencies else 50
        self.ss = set(read_list(os.path.join(data, "shutterstock-categories.txt")))
        self.adobe = {ln.split("=", 1)[0] for ln in read_list(os.path.join(data, "adobestock-categories.txt"))}
        self.dreams = {ln.split("=", 1)[1] if "=" in ln else ln
                       for ln in read_list(os.path.join(data, "dreamstime-categories.txt"))}
        self.names, self.ordinary = set(), set()
        for ln in read_list(os.path.join(data, "given-names.txt")):
            (self.ordinary if ln.startswith("~") else self.names).add(fold(ln.lstrip("~")))
        self.brands = [" " + re.sub(r"[-_']", " ", fold(b)).strip() + " "
                       for b in read_list(os.path.join(data, "trademarks.txt"))]


def words(text):
    """(word, capitalised, only spaces to the next word) for every word."""
    out = []
    for m in re.finditer(r"[^\W\d_]+", text):
        nxt = text[m.end():]
        out.append((m.group(0), m.group(0)[0].isupper(), bool(re.match(r" +[^\W\d_]", nxt))))
    return out


def person_in_text(rules, text):
    ws = words(text)
    for i, (w, up, joined) in enumerate(ws[:-1]):
        f = fold(w)
        if not up or not joined or f not in rules.names:
            continue
        nw, nup, njoined = ws[i + 1]
        if not nup or fold(nw) in PLACE_AFTER or fold(nw) in TITLE_ENDS:
            continue
        if i > 0 and fold(ws[i - 1][0]) in PLACE_BEFORE:
            continue
        if njoined and i + 2 < len(ws) and fold(ws[i + 2][0]) in PLACE_AFTER:
            continue
        return w + " " + nw
    return None


def person_keyword(rules, kw):
    ws = [fold(w) for w, _, _ in words(kw)]
    for i, w in enumerate(ws):
        if w not in rules.names or (i > 0 and ws[i - 1] in PLACE_BEFORE):
            continue
        if i + 1 < len(ws) and (ws[i + 1] in PLACE_AFTER or (i + 2 < len(ws) and ws[i + 2] in PLACE_AFTER)):
            continue
        return kw
    return None


def brand_in(rules, text):
    t = " " + re.sub(r"[^\w]+", " ", fold(text).replace("'", "")) + " "
    for b in rules.brands:
        if b in t:
            return b.strip()
    return None


def text_problem(s):
    for ch in s:
        cp = ord(ch)
        if cp < 0x20 or cp == 0x7F:
            return "control character U+%04X" % cp
        if cp in INVISIBLE:
            return "invisible or bidi character U+%04X" % cp
    m = ESC_LEFTOVER.search(s)
    if m:
        return "escape sequence leftover %r" % m.group(0)
    if unicodedata.normalize("NFC", s) != s:
        return "not NFC"
    return None


def check_row(rules, r, editorial):
    bad = []
    title, desc = r.get("Název", ""), r.get("Popis", "")
    kws = [k for k in (r.get("Klíčová slova", "") or "").split(", ")] if r.get("Klíčová slova") else []
    if not title.strip():
        bad.append(("title", "empty"))
    if len(title) > rules.title_max:
        bad.append(("title", "%d characters, over %d" % (len(title), rules.title_max)))
    if "adobestock" in rules.agencies and "," in title:
        bad.append(("title", "a comma (AdobeStock)"))
    if "dreamstime" in rules.agencies and title[:1].islower():
        bad.append(("title", "first letter not capital (Dreamstime)"))
    last = re.findall(r"[^\W\d_]+", title.lower())
    if last and last[-1] in TITLE_ENDS:
        bad.append(("title", "cut mid-phrase (ends in %r)" % last[-1]))
    if len(desc) > 200:
        bad.append(("description", "%d characters, over 200" % len(desc)))
    if not desc.strip():
        bad.append(("description", "empty"))
    if editorial and not PREFIX.match(desc):
        bad.append(("editorial", "the description lacks 'CITY, COUNTRY - DD MM YYYY: '"))
    body = [k for k in kws if not (editorial and k == "Editorial")]
    if not 7 <= len(kws) <= rules.kw_max:
        bad.append(("keywords", "%d keywords, want 7 to %d" % (len(kws), rules.kw_max)))
    low = [k.lower() for k in kws]
    dups = sorted({k for k in low if low.count(k) > 1})
    if dups:
        bad.append(("keywords", "duplicates %s" % ", ".join(dups)))
    caps = [k for k in body if k != k.lower()]
    if caps:
        bad.append(("keywords", "not lower case: %s" % ", ".join(caps)))
    if any(not k.strip() for k in kws):
        bad.append(("keywords", "an empty keyword"))
    for field, s in (("title", title), ("description", desc), ("keywords", ", ".join(kws))):
        p = text_problem(s)
        if p:
            bad.append((field, p))
    if not editorial:
        for field, s in (("title", title), ("description", desc)):
            who = person_in_text(rules, s)
            if who:
                bad.append((field, "names a person: %s" % who))
            b = brand_in(rules, s)
            if b:
                bad.append((field, "names a brand: %s" % b))
        for k in kws:
            if person_keyword(rules, k):
                bad.append(("keywords", "a name of a person: %s" % k))
            if brand_in(rules, k):
                bad.append(("keywords", "a brand: %s" % k))
    cats = lambda col: [c for c in (r.get(col) or "").split(", ") if c]
    if "shutterstock" in rules.agencies:
        c = cats("ShutterStock kategorie")
        if not 1 <= len(c) <= 2 or any(x not in rules.ss for x in c):
            bad.append(("categories", "ShutterStock wants 1 or 2 of its list: %r" % c))
    if "adobestock" in rules.agencies:
        c = cats("AdobeStock kategorie")
        if editorial and c:
            bad.append(("categories", "AdobeStock takes no editorial content: %r" % c))
        elif not editorial and (len(c) != 1 or c[0] not in rules.adobe):
            bad.append(("categories", "AdobeStock wants exactly one id of its list: %r" % c))
    if "dreamstime" in rules.agencies:
        c = cats("Dreamstime kategorie")
        if not 1 <= len(c) <= 3 or any(x not in rules.dreams for x in c):
            bad.append(("categories", "Dreamstime wants 1 to 3 'Main -> Sub' of its list: %r" % c))
    return bad


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("csv")
    ap.add_argument("--agencies", default="shutterstock,adobestock,dreamstime")
    ap.add_argument("--data", default=os.environ.get("STOCKBATCH_DATADIR") or os.path.join(here, "..", "data"))
    ap.add_argument("--title-max", type=int, default=0)
    ap.add_argument("--all-rows", action="store_true")
    ap.add_argument("--cesta")
    a = ap.parse_args()
    only = None
    if a.cesta:
        with open(a.cesta, encoding="utf-8") as f:
            only = {ln.rstrip("\r\n") for ln in f if ln.strip()}
    rules = Rules(a.data, [x.strip().lower() for x in a.agencies.split(",") if x.strip()], a.title_max)
    checked = broken = 0
    with open(a.csv, encoding="utf-8-sig", newline="") as f:
        for line, r in enumerate(csv.DictReader(f), start=2):
            prepared = any(v == "připraveno" for k, v in r.items() if k and k.endswith(" status"))
            if not (prepared or (a.all_rows and r.get("Název"))):
                continue
            if only is not None and r.get("Cesta") not in only:
                continue
            editorial = (r.get("Editorial") or "").lower() == "ano" or \
                (r.get("Klíčová slova") or "").startswith("Editorial")
            checked += 1
            bad = check_row(rules, r, editorial)
            if bad:
                broken += 1
            for field, why in bad:
                print("%s:%d (%s): %s: %s" % (a.csv, line, r.get("Soubor", "?"), field, why))
    print("checked %d rows, %d break a rule" % (checked, broken))
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
