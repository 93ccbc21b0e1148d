#!/bin/sh
# engine_regress.sh: regressions found by the crash campaign (tests/engine_crash.sh)
# and the security tests, each replayed by rolling the state back to the
# instant of a kill or by planting what an attacker could:
#  1. send --live killed after the CSV commit, before saved_to_csv was
#     journalled: the restart must not send (and pay for) the photos again;
#  2. the same kill one journal step later (batch_completed, row not yet
#     committed because the CSV was rolled back): the photos must be sent
#     again and committed, not closed as "nothing to send";
#  3. retry-failed must never queue a photo committed in another batch that
#     sorts before the dead-lettered one (same-second batch ids);
#  4. a .trash-* symlink in the state dir must not make `status` delete
#     what it points to;
#  5. like 1, with a _bw edit of the photo whose text-only batch had not been
#     queued at the kill: the restart queues it from the committed row;
#  6. a library with Windows paths (J:\...): the _bw edit's row has the file
#     name as Soubor, not the whole Windows path;
#  7. a video is sent as text only with a prompt that says video, not photo;
#  8. the _bw edit of an editorial photo stays editorial: the banks without
#     editorial (AdobeStock) are left nezpracováno, Editorial is its first
#     keyword.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
sb_tmpdir
sb_start_fake --step 0.05

desc() # TSV lines for photos 1..N of library $1
{
	P=$1/Foto/JPG/Příroda/2024
	i=1
	while [ "$i" -le "$2" ]; do
		printf '%s\tFotka %s: smrkový les v ranní mlze na úbočí kopce, světlo mezi kmeny.\n' "$P/IMG_000$i.jpg" "$i"
		i=$((i + 1))
	done
}
live_requests() { sb_fake_stats | sb_json /dev/stdin 'd["live_requests"]'; }
csv_status() # library, file name -> ShutterStock status of its row
{
	"$PYTHON3" -c 'import csv, sys
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8-sig")):
    if r["Soubor"] == sys.argv[2]:
        print(r["ShutterStock status"])' "$1/PhotoMedia.csv" "$2"
}

# 1. committed, then killed before the journal said so
L=$SB_TMP/lib1
sb_make_library "$L" 2
sb_config "$L" batch_size=2 alternatives= rpm=6000
desc "$L" 2 >"$SB_TMP/d1.tsv"
sb_run import "$SB_TMP/d1.tsv"
check_rc 0 "1: import"
sb_run send --live
check_rc 0 "1: send --live"
n1=$(live_requests)
D=$(ls -d "$L"/.stockbatch/batches/b*)
sed -i 's/"state":"saved_to_csv"/"state":"description_saved"/' "$D/files.jsonl"
rm -f "$D/files.settled" "$D/report.json"
sed -i 's/"state": "completed"/"state": "ready"/' "$D/batch.json"
sb_run send --live
check_rc 0 "1: send --live after the kill"
check_eq "$(live_requests)" "$n1" "1: committed photos were sent live again after a kill"
sb_run status --json
check_eq "$(sb_json "$SB_OUT" '[b["counts"].get("saved_to_csv", 0) for b in d["batches"]]')" "[2]" \
	"1: the committed photos are not saved_to_csv in their batch"

# 2. judged (batch_completed) but the CSV commit did not happen
L=$SB_TMP/lib2
sb_make_library "$L" 2
sb_config "$L" batch_size=2 alternatives= rpm=6000
desc "$L" 2 >"$SB_TMP/d2.tsv"
sb_run import "$SB_TMP/d2.tsv"
cp "$L/PhotoMedia.csv" "$SB_TMP/before2.csv"
sb_run send --live
check_rc 0 "2: send --live"
D=$(ls -d "$L"/.stockbatch/batches/b*)
cp "$SB_TMP/before2.csv" "$L/PhotoMedia.csv"
sed -i 's/"state":"saved_to_csv"/"state":"batch_completed"/' "$D/files.jsonl"
rm -f "$D/files.settled" "$D/report.json"
sed -i 's/"state": "completed"/"state": "ready"/' "$D/batch.json"
sb_run send --live
check_rc 0 "2: send --live after the kill"
for f in IMG_0001.jpg IMG_0002.jpg; do
	check_eq "$(csv_status "$L" $f)" "připraveno" "2: $f was never committed after the kill"
done

# 3. retry-failed and a committed photo whose dead letter sorts later
L=$SB_TMP/lib3
sb_make_library "$L" 3
sb_config "$L" batch_size=2 alternatives=
desc "$L" 3 >"$SB_TMP/d3.tsv"
sb_run import "$SB_TMP/d3.tsv"
sb_run status --json
A=$(sb_json "$SB_OUT" '[b["id"] for b in d["batches"] if b["state"] == "ready"][0]')
B=$(sb_json "$SB_OUT" '[b["id"] for b in d["batches"] if b["state"] == "collecting"][0]')
sb_run cancel "$A"
check_rc 0 "3: cancel"
ca=$(sb_json "$L/.stockbatch/batches/$A/batch.json" 'd["created"]')
cb=$("$PYTHON3" -c 'import datetime, sys; t = datetime.datetime.strptime(sys.argv[1], "%Y-%m-%dT%H:%M:%SZ"); print((t - datetime.timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ"))' "$ca")
sed -i "s/\"created\": \"[^\"]*\"/\"created\": \"$cb\"/" "$L/.stockbatch/batches/$B/batch.json"
for round in 1 2; do
	sb_run retry-failed
	sb_run send --all --yes
	sb_run retrieve --wait 60
	check_rc 0 "3: retrieve, round $round"
done
check_eq "$(sb_fake_stats | sb_json /dev/stdin 'max(d["custom_ids"].values()) if d["custom_ids"] else 0')" 1 \
	"3: retry-failed sent a committed photo again"
for f in IMG_0001.jpg IMG_0002.jpg IMG_0003.jpg; do
	check_eq "$(csv_status "$L" $f)" "připraveno" "3: $f is not committed"
done

# 4. a planted .trash-* symlink
L=$SB_TMP/lib4
sb_make_library "$L" 1
sb_config "$L"
mkdir -p "$SB_TMP/photos/2024" "$L/.stockbatch/batches"
echo precious >"$SB_TMP/photos/a.jpg"
echo precious >"$SB_TMP/photos/2024/b.jpg"
ln -s "$SB_TMP/photos" "$L/.stockbatch/batches/.trash-b20240101-000000-0000"
sb_run status
check_rc 0 "4: status"
check_eq "$(find "$SB_TMP/photos" -type f | wc -l | tr -d ' ')" 2 "4: status deleted files through a .trash- symlink"

# 5. committed with its _bw alternative row, killed before the alternative was queued
L=$SB_TMP/lib5
sb_make_library "$L" 2
sb_config "$L" batch_size=2 rpm=6000
grep -q '^alt' "$L/.sb_manifest" || fail "5: the test library has no _bw edit"
desc "$L" 2 >"$SB_TMP/d5.tsv"
sb_run import "$SB_TMP/d5.tsv"
check_rc 0 "5: import"
sb_run send --live
check_rc 0 "5: send --live"
n5=$(live_requests)
for d in "$L"/.stockbatch/batches/b*; do
	if grep -q '"kind": "alt_' "$d/batch.json"; then
		rm -rf "$d" # the alternative's batch was never created
	else
		sed -i 's/"state":"saved_to_csv"/"state":"description_saved"/' "$d/files.jsonl"
		rm -f "$d/files.settled" "$d/report.json"
		sed -i 's/"state": "completed"/"state": "ready"/' "$d/batch.json"
	fi
done
rm -f "$L/.stockbatch/registry.json"
sb_run send --live --all --yes
check_rc 0 "5: send --live after the kill"
# the alternative's batch is queued during that send: the next one sends it
sb_run send --live --all --yes
check_rc 0 "5: send --live of the queued alternative"
alt=$(grep '^alt' "$L/.sb_manifest" | cut -f2 | head -n 1)
"$PYTHON3" - "$L/PhotoMedia.csv" "$alt" <<'PY' || fail "5: the _bw alternative was not committed after the kill"
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1], encoding="utf-8-sig")) if r["Cesta"] == sys.argv[2]]
assert len(rows) == 1 and rows[0]["Název"] and rows[0]["Klíčová slova"], rows
PY
check_eq "$(($(live_requests) - n5))" 1 "5: only the alternative's text-only request is sent after the kill"

# 6. Windows paths: the edit's Soubor is its file name
L=$SB_TMP/lib6
sb_make_library "$L" 2 winpaths
sb_config "$L" batch_size=2 rpm=6000
desc "$L" 2 >"$SB_TMP/d6.tsv"
sb_run import "$SB_TMP/d6.tsv"
check_rc 0 "6: import"
sb_run send --live --all --yes
check_rc 0 "6: send --live"
alt=$(grep '^alt' "$L/.sb_manifest" | cut -f2 | head -n 1)
"$PYTHON3" - "$L/PhotoMedia.csv" "$alt" <<'PY' || fail "6: the _bw edit's Soubor is not its file name"
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1], encoding="utf-8-sig")) if r["Cesta"] == sys.argv[2]]
assert len(rows) == 1 and rows[0]["Soubor"] == "IMG_0001_bw.jpg", rows
PY

# 7. the video's request names what the file is
L=$SB_TMP/lib7
sb_make_library "$L" 1
sb_config "$L" batch_size=2 alternatives= rpm=6000
{
	desc "$L" 1
	printf '%s\tVodopád v Jeseníkách na jaře, voda padá přes mechem porostlé kameny.\n' \
		"$(grep '^video' "$L/.sb_manifest" | cut -f2)"
} >"$SB_TMP/d7.tsv"
sb_run import "$SB_TMP/d7.tsv"
check_rc 0 "7: import"
sb_run send --all --yes
check_rc 0 "7: send"
"$PYTHON3" - "$L"/.stockbatch/batches/b*/requests.jsonl <<'PY' || fail "7: the video's prompt does not say video"
import json, sys
seen = set()
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    text = json.dumps(r["body"], ensure_ascii=False)
    if r["custom_id"].startswith("VID_0001"):
        assert "for this video." in text and "this photo" not in text, text
    else:
        assert "for this photo." in text and "you do not see it" not in text, text
    seen.add(r["custom_id"][:8])
assert seen == {"VID_0001", "IMG_0001"}, seen
PY

# 8. an editorial photo's edit
L=$SB_TMP/lib8
sb_make_library "$L" 2 editorial
sb_config "$L" batch_size=2 rpm=6000
cp "$L/Upravené foto/JPG/Příroda/2024/IMG_0001_bw.jpg" "$L/Upravené foto/JPG/Příroda/2024/IMG_0002_bw.jpg"
# the editorial photo's place and date as import's extra cells
desc "$L" 2 | awk -F '\t' -v OFS='\t' '/IMG_0002/ { print $0, "Praha", "Czech", "3.5.2024"; next } 1' \
	>"$SB_TMP/d8.tsv"
sb_run import "$SB_TMP/d8.tsv"
check_rc 0 "8: import"
sb_run send --live --all --yes
check_rc 0 "8: send --live"
sb_run send --live --all --yes
check_rc 0 "8: send --live of the edits"
"$PYTHON3" - "$L/PhotoMedia.csv" <<'PY' || fail "8: the editorial photo's edit lost its editorial marking"
import csv, sys
rows = {r["Soubor"]: r for r in csv.DictReader(open(sys.argv[1], encoding="utf-8-sig"))}
o, c = rows["IMG_0002.jpg"], rows["IMG_0002_bw.jpg"]
assert o["AdobeStock status"] == "nezpracováno" and o["ShutterStock status"] == "připraveno", o
assert c["Název"] and c["ShutterStock status"] == "připraveno", c
assert c["AdobeStock status"] == "nezpracováno", c
assert c["Klíčová slova"].split(", ")[0] == "Editorial", c
assert o["Popis"].startswith("PRAHA, CZECH - 03 05 2024: "), o
assert c["Popis"].startswith("PRAHA, CZECH - 03 05 2024: "), c
PY
exit 0
