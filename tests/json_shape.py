"""json_shape.py: checks a --json document against its shape as the man
page documents it (stockbatch(1), JSON OUTPUT): every key's presence and
type, the numbers' decimals, every state counted.

    python3 json_shape.py MANPAGE SHAPE FILE [EXIT]

SHAPE is a heading of the section (a command's name, or "error"); with
EXIT, the error object's "exit" must be it.  Exit status 0, or 1 with what
is wrong."""
import json
import re
import sys

BATCH_STATES = {"collecting", "ready", "sent", "completed", "failed", "cancelled", "expired",
                "paused"}
FILE_STATES = {"pending", "description_saved", "batch_sent", "batch_completed", "saved_to_csv",
               "error", "file_not_found", "rejected", "skipped", "dead"}
PLACES = {"cost": 6, "seconds": 3, "ratio": 4}


def shapes(man):
    """{name: [(path, type, optional_presence)]} from the JSON OUTPUT section."""
    text = open(man, encoding="utf-8").read()
    m = re.search(r"^\.SH JSON OUTPUT\n(.*?)^\.SH ", text, re.M | re.S)
    if not m:
        sys.exit("no JSON OUTPUT section in " + man)
    out, names = {}, []
    inside = False
    for line in m.group(1).splitlines():
        if line.startswith(".SS "):
            names = [n.strip() for n in line[4:].strip('"').replace("\\-", "-").split(",")]
            for n in names:
                out[n] = []
        elif line == ".EX":
            inside = True
        elif line == ".EE":
            inside = False
        elif inside and line.strip():
            words = line.split()
            if len(words) == 1:
                entry = (None, words[0], False)
            else:
                entry = (words[0], words[1], "only when" in line)
            for n in names:
                out[n].append(entry)
    return out


class Bad(Exception):
    pass


def resolve(node, segs, where):
    if not segs:
        yield where, node
        return
    seg, rest = segs[0], segs[1:]
    if not isinstance(node, dict):
        raise Bad("%s: an object expected" % where)
    if seg.endswith("[]") and seg[:-2].isupper():
        for k, v in node.items():
            if not isinstance(v, list):
                raise Bad("%s.%s: an array expected" % (where, k))
            for i, e in enumerate(v):
                yield from resolve(e, rest, "%s.%s[%d]" % (where, k, i))
    elif seg.endswith("[]"):
        key = seg[:-2]
        if key not in node or not isinstance(node[key], list):
            raise Bad("%s.%s: an array expected" % (where, key))
        for i, v in enumerate(node[key]):
            yield from resolve(v, rest, "%s.%s[%d]" % (where, key, i))
    elif seg.isupper():
        if seg == "STATE":
            want = BATCH_STATES if where.endswith(("states", "batches")) else FILE_STATES
            if set(node) != want:
                raise Bad("%s: states %s, not every state %s" % (where, sorted(node), sorted(want)))
        for k, v in node.items():
            yield from resolve(v, rest, "%s.%s" % (where, k))
    else:
        if seg not in node:
            raise Bad("%s: no key %r" % (where, seg))
        yield from resolve(node[seg], rest, "%s.%s" % (where, seg))


class Num(float):
    """A number with its text, to count its decimals."""
    def __new__(cls, text):
        n = float.__new__(cls, text)
        n.text = text
        return n


def check_type(v, typ, where, all_shapes):
    if typ.endswith("?"):
        if v is None:
            return
        typ = typ[:-1]
    if typ.isupper():
        check(v, typ, all_shapes, where)
    elif typ == "int":
        if not isinstance(v, int) or isinstance(v, bool):
            raise Bad("%s: %r is not an int" % (where, v))
    elif typ in ("number", "cost", "seconds", "ratio"):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise Bad("%s: %r is not a number" % (where, v))
        text = getattr(v, "text", str(v))
        if typ in PLACES:
            dec = text.split(".")[1] if "." in text else ""
            if "e" in text.lower() or len(dec) > PLACES[typ]:
                raise Bad("%s: %s has more than %d decimals" % (where, text, PLACES[typ]))
        if typ == "ratio" and not 0 <= v <= 1:
            raise Bad("%s: %s is not between 0 and 1" % (where, text))
    elif typ == "string":
        if not isinstance(v, str):
            raise Bad("%s: %r is not a string" % (where, v))
    elif typ == "bool":
        if not isinstance(v, bool):
            raise Bad("%s: %r is not a bool" % (where, v))
    else:
        raise Bad("%s: the man page names an unknown type %r" % (where, typ))


def present(node, segs):
    """Are the plain keys of a path there (up to its first array or map)?"""
    for seg in segs:
        if seg.endswith("[]") or seg.isupper():
            return isinstance(node, dict) and (not seg.endswith("[]") or seg[:-2] in node)
        if not isinstance(node, dict) or seg not in node:
            return False
        node = node[seg]
    return True


def check(doc, name, all_shapes, where="$"):
    if name not in all_shapes:
        raise Bad("the man page has no shape %r" % name)
    for path, typ, optional in all_shapes[name]:
        if path is None:
            check(doc, typ, all_shapes, where)
            continue
        segs = path.split(".")
        if optional and not present(doc, segs):
            continue
        for w, v in resolve(doc, segs, where):
            check_type(v, typ, w, all_shapes)


def main():
    man, name, path = sys.argv[1:4]
    want_exit = int(sys.argv[4]) if len(sys.argv) > 4 else None
    text = open(path, encoding="utf-8").read()
    try:
        doc = json.loads(text, parse_float=Num)
    except ValueError as e:
        sys.exit("%s: not one JSON document: %s" % (name, e))
    if not isinstance(doc, dict) or list(doc)[:1] != ["schema"] or doc["schema"] != 1:
        sys.exit("%s: the first key is not \"schema\": 1" % name)
    try:
        check(doc, name, shapes(man))
    except Bad as e:
        sys.exit("%s: %s" % (name, e))
    if want_exit is not None and doc.get("exit") != want_exit:
        sys.exit("%s: exit %r in the object, %d from the process" % (name, doc.get("exit"), want_exit))


main()
