#!/bin/sh
# cli_series.sh: a series of six similar photos end to end against the
# fake API.  plan lists the series (--json too); import --series takes one
# line naming any one frame and describes all six (a line naming another
# frame of it is a duplicate); each frame is sent as its own request with
# its own image and the series note; six rows are committed, each passing
# the agencies' rules (stockbatch check), no two titles alike.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
sb_tmpdir
sb_start_fake --step 0.05 --seed 11
L=$SB_TMP/lib
sb_make_library "$L" 8
sb_make_series "$L" 6
sb_config "$L" batch_size=20 poll_interval=1
P=$L/Foto/JPG/Příroda/2024

# plan: one series of six; the new photos need 6 descriptions fewer + 1.
sb_run plan
check_rc 0 "plan"
check_grep 'IMG_0004\.jpg +new +needs a description \(series 1: frame 4 of 6, described once\)' \
	"$SB_OUT" "plan names the frame"
check_grep '^Series: +1 series of similar photos' "$SB_OUT" "plan's series line"
sb_run plan --json
check_rc 0 "plan --json"
cp "$SB_OUT" "$SB_TMP/plan.json"
check_eq "$(sb_json "$SB_TMP/plan.json" 'd["totals"]["series"]')" 1 "one series"
check_eq "$(sb_json "$SB_TMP/plan.json" 'len(d["series"][0]["frames"])')" 6 "six frames"
check_eq "$(sb_json "$SB_TMP/plan.json" 'd["totals"]["descriptions"]')" \
	"$(sb_json "$SB_TMP/plan.json" 'd["totals"]["new"] - 5')" "one description for the six"
check_eq "$(sb_json "$SB_TMP/plan.json" '[i["frame"] for i in d["items"] if i["file"] == "IMG_0002.jpg"][0]')" \
	2 "the frame of IMG_0002.jpg"

# import --series: one line for the series (any frame), one for a photo alone.
{
	printf '%s\t%s\n' "$P/IMG_0003.jpg" \
		"Červená koule nad zelenou loukou pod modrým nebem, vpravo žlutý obdélník."
	printf '%s\t%s\n' "$P/IMG_0005.jpg" \
		"Tatáž série podruhé: tento řádek je duplikát a musí být odmítnut."
	printf '%s\t%s\n' "$P/IMG_0007.jpg" \
		"Smrkový les v ranní mlze na úbočí kopce, světlo mezi kmeny stromů."
} >"$SB_TMP/in.tsv"
sb_run import --series "$SB_TMP/in.tsv"
check_grep '^Imported 7 descriptions' "$SB_OUT" "six frames and one photo"
check_grep "in\\.tsv:2: duplicate of line 1 .*IMG_0005\\.jpg" "$SB_ERR" "a second line for the series"
n=$(cat "$L"/.stockbatch/batches/*/files.jsonl | grep -c '"series_n":6')
check_eq "$n" 6 "six entries told they are frames of six"

# Sent: six requests for the series, each with an image and its frame.
sb_run send --all
check_rc 0 "send --all"
sb_run retrieve --wait 60
check_rc 0 "retrieve --wait"
check_grep 'Committed to the CSV +7 ' "$SB_OUT" "seven committed"
"$PYTHON3" - "$L/PhotoMedia.csv" <<'EOF' || fail "the series' rows"
import csv, sys
rows = {r["Soubor"]: r for r in csv.DictReader(open(sys.argv[1], encoding="utf-8-sig", newline=""))}
titles = []
for i in range(1, 7):
    r = rows["IMG_%04d.jpg" % i]
    assert r["ShutterStock status"] == "připraveno", (i, r["ShutterStock status"])
    assert r["Název"] and r["Popis"] and r["Klíčová slova"], i
    titles.append(r["Název"].strip().lower())
assert len(set(titles)) == 6, "titles alike: %r" % titles
EOF
# Every request of the series had its own image and the series note.
"$PYTHON3" - "$L/.stockbatch" <<'EOF' || fail "the requests of the series"
import glob, json, os, re, sys
seen = {}
for path in glob.glob(os.path.join(sys.argv[1], "**", "*"), recursive=True):
    if not os.path.isfile(path):
        continue
    for line in open(path, "rb"):
        try:
            req = json.loads(line)
        except ValueError:
            continue
        if not isinstance(req, dict) or "custom_id" not in req:
            continue
        body = json.dumps(req.get("body", {}), ensure_ascii=False)
        m = re.search(r"frame (\d) of 6 similar photos", body)
        if m:
            assert "data:image/jpeg;base64," in body, req["custom_id"]
            seen[req["custom_id"]] = m.group(1)
assert sorted(seen.values()) == ["1", "2", "3", "4", "5", "6"], seen
EOF
# The agencies' rules hold for every row of the series.
sb_run check
for i in 1 2 3 4 5 6; do
	check_nogrep "IMG_000$i\.jpg" "$SB_OUT" "check: IMG_000$i.jpg breaks no rule"
done
exit 0
