#!/bin/sh
# engine_copies.sh: edited copies (_bw and the other tags) as a photographer's
# week goes, on a library with Windows paths, against the fake:
#  1. a hand edit of a copy's row made while its text-only batch is out is
#     kept, and the result is reported as a conflict, as for originals;
#  2. an original whose result is thrown away (its row was changed by
#     someone else) gets no copy derived from that answer;
#  3. a copy that appears after its original was committed gets its row and
#     its batch on the next run, and `plan` lists it;
#  4. copy batches created during `retrieve --wait` are sent by a plain
#     `send`, and `plan` counts them in the next send;
#  5. the late copy of an editorial original gets the original's place and
#     date in its caption.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
sb_tmpdir
sb_start_fake --step 0.05

desc() # TSV lines for photos 1..N of library $1 (Cesta as the CSV has it)
{
	grep '^photo' "$1/.sb_manifest" | cut -f2 | head -n "$2" | while IFS= read -r c; do
		printf '%s\tSmrkový les v ranní mlze na úbočí kopce, světlo mezi kmeny a rosa na trávě.\n' "$c"
	done
}
row() # library, Soubor, column -> the value
{
	"$PYTHON3" -c 'import csv, sys
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8-sig")):
    if r["Soubor"] == sys.argv[2]:
        print(r[sys.argv[3]])' "$1/PhotoMedia.csv" "$2" "$3"
}
set_cell() # library, Soubor, column, value: a hand edit (the file rewritten by Python)
{
	"$PYTHON3" - "$1/PhotoMedia.csv" "$2" "$3" "$4" <<'PY'
import csv, sys
p, name, col, val = sys.argv[1:]
with open(p, encoding="utf-8-sig", newline="") as f:
    rows = list(csv.reader(f))
i = rows[0].index(col)
hit = 0
for r in rows[1:]:
    if r[0] == name:
        r[i] = val
        hit += 1
assert hit == 1, (name, hit)
with open(p, "w", encoding="utf-8-sig", newline="") as f:
    csv.writer(f).writerows(rows)
PY
}
EDIR="Upravené foto/JPG/Příroda/2024"

# 1. a hand edit of a copy's row while its batch is out
L=$SB_TMP/lib1
sb_make_library "$L" 1 winpaths
sb_config "$L" batch_size=1 rpm=6000
desc "$L" 1 >"$SB_TMP/d1.tsv"
sb_run import "$SB_TMP/d1.tsv"
check_rc 0 "1: import"
sb_run send --live --all --yes
check_rc 0 "1: send --live of the original"
check_eq "$(row "$L" IMG_0001_bw.jpg 'ShutterStock status')" "nezpracováno" "1: the copy's row was not created"
sb_run send --all --yes
check_rc 0 "1: send of the copy's batch"
set_cell "$L" IMG_0001_bw.jpg "Název" "Černobílý les, můj vlastní název"
sb_run retrieve --wait 60
check_eq "$(row "$L" IMG_0001_bw.jpg 'Název')" "Černobílý les, můj vlastní název" \
	"1: the hand edit of the copy's row was overwritten when its batch returned"
check_grep '^  Changed by someone else +1 ' "$SB_OUT" "1: the copy's conflict is not reported"

# 2. the original's result is thrown away: no copy from it
L=$SB_TMP/lib2
sb_make_library "$L" 1 winpaths
sb_config "$L" batch_size=1 rpm=6000
desc "$L" 1 >"$SB_TMP/d2.tsv"
sb_run import "$SB_TMP/d2.tsv"
check_rc 0 "2: import"
sb_run send --all --yes
check_rc 0 "2: send of the original"
set_cell "$L" IMG_0001.jpg "Název" "Les v mlze, název od kolegy"
sb_run retrieve --wait 60
check_grep '^  Changed by someone else +1 ' "$SB_OUT" "2: the original's conflict is not reported"
check_eq "$(row "$L" IMG_0001_bw.jpg 'Soubor')" "" "2: a copy's row was made from a discarded result"
sb_run status --json
check_eq "$(sb_json "$SB_OUT" '[b["kind"] for b in d["batches"] if b["kind"].startswith("alt_")]')" "[]" \
	"2: a copy was queued from a discarded result"

# 4. copies queued during `retrieve --wait` go with the next plain `send`
L=$SB_TMP/lib4
sb_make_library "$L" 1 winpaths
sb_config "$L" batch_size=1 rpm=6000
desc "$L" 1 >"$SB_TMP/d4.tsv"
sb_run import "$SB_TMP/d4.tsv"
sb_fake_fault '{"step": 0.5}' >/dev/null # the original completes during the wait, not at once
sb_run send
check_rc 0 "4: send of the original"
sb_run retrieve --wait 60
check_rc 0 "4: retrieve --wait"
sb_fake_fault '{"clear": true}' >/dev/null
check_eq "$(row "$L" IMG_0001_bw.jpg 'ShutterStock status')" "nezpracováno" "4: the copy's row was not created"
sb_run plan --json
check_eq "$(sb_json "$SB_OUT" 'd["totals"]["to_send"]')" 1 "4: plan does not show the copy going with the next send"
sb_run plan
check_nogrep 'Collecting: +1 files' "$SB_OUT" "4: plan says the copy waits for a full batch"
sb_run send
check_rc 0 "4: send"
sb_run status --json
check_eq "$(sb_json "$SB_OUT" '[b["state"] for b in d["batches"] if b["kind"].startswith("alt_")]')" '["sent"]' \
	"4: send did not release the copy's batch"
sb_run retrieve --wait 60
check_rc 0 "4: retrieve of the copy"
check_eq "$(row "$L" IMG_0001_bw.jpg 'ShutterStock status')" "připraveno" "4: the copy was not committed"

# 3. a copy made days after its original was committed
L=$SB_TMP/lib3
sb_make_library "$L" 1 winpaths
sb_config "$L" batch_size=1 rpm=6000
mv "$L/$EDIR/IMG_0001_bw.jpg" "$SB_TMP/later_bw.jpg"
desc "$L" 1 >"$SB_TMP/d3.tsv"
sb_run import "$SB_TMP/d3.tsv"
sb_run send --live --all --yes
check_rc 0 "3: send --live of the original"
check_eq "$(row "$L" IMG_0001.jpg 'ShutterStock status')" "připraveno" "3: the original was not committed"
sb_run plan --json
check_eq "$(sb_json "$SB_OUT" 'd["totals"]["late_copies"]')" 0 "3: plan lists a copy that is not there"
mv "$SB_TMP/later_bw.jpg" "$L/$EDIR/IMG_0001_bw.jpg" # the edit, days later
sb_run plan --json
check_rc 0 "3: plan"
check_eq "$(sb_json "$SB_OUT" 'd["totals"]["late_copies"]')" 1 "3: plan does not list the late copy"
check_eq "$(sb_json "$SB_OUT" '[i["file"] for i in d["items"] if i["action"] == "copy"]')" '["IMG_0001_bw.jpg"]' \
	"3: plan's row of the late copy"
sb_run plan
check_grep 'IMG_0001_bw.jpg +copy ' "$SB_OUT" "3: plan's table does not show the late copy"
sb_run send --live --all --yes
check_rc 0 "3: send --live after the edit"
check_eq "$(row "$L" IMG_0001_bw.jpg 'ShutterStock status')" "připraveno" "3: the late copy was not committed"
check_eq "$(row "$L" IMG_0001_bw.jpg 'Originál')" "ne" "3: the late copy's row is not a copy's"
sb_run plan --json
check_eq "$(sb_json "$SB_OUT" 'd["totals"]["late_copies"]')" 0 "3: plan still lists the committed copy"
n3=$(sb_fake_stats | sb_json /dev/stdin 'd["live_requests"]')
sb_run send --live --all --yes
check_eq "$(sb_fake_stats | sb_json /dev/stdin 'd["live_requests"]')" "$n3" "3: the late copy was sent again"

# 5. a late copy of an editorial original: its caption has the place and date
L=$SB_TMP/lib5
sb_make_library "$L" 1 editorial winpaths
sb_config "$L" batch_size=1 rpm=6000
mv "$L/$EDIR/IMG_0001_bw.jpg" "$SB_TMP/later5_bw.jpg"
desc "$L" 1 | sed 's/$/\tČeský Krumlov\tCzech\t3.8.2024/' >"$SB_TMP/d5.tsv"
sb_run import "$SB_TMP/d5.tsv"
check_rc 0 "5: import of an editorial original"
sb_run send --live --all --yes
check_rc 0 "5: send --live of the original"
row "$L" IMG_0001.jpg 'Popis' >"$SB_TMP/p5o"
check_grep '^ČESKÝ KRUMLOV, CZECH - 03 08 2024: ' "$SB_TMP/p5o" "5: the original's caption"
mv "$SB_TMP/later5_bw.jpg" "$L/$EDIR/IMG_0001_bw.jpg"
sb_run send --live --all --yes
check_rc 0 "5: send --live after the edit"
check_eq "$(row "$L" IMG_0001_bw.jpg 'Klíčová slova' | cut -d, -f1)" "Editorial" "5: the late copy's first keyword"
row "$L" IMG_0001_bw.jpg 'Popis' >"$SB_TMP/p5c"
check_grep '^ČESKÝ KRUMLOV, CZECH - 03 08 2024: ' "$SB_TMP/p5c" "5: the late copy's caption has no place and date"
