#!/bin/sh
# meta_rules.sh: the fake model breaks every agency rule it can (names of
# people, brands, titles over the limit, duplicate and capitalised keywords,
# categories off the lists, bidi, zero-width and escape characters) on 100
# photos per provider; stockbatch repairs what is mechanical, asks again with
# the reason for the rest, and the committed PhotoMedia.csv has 0 rows that
# break a rule, as tests/check_csv.py (written from reference/agencies.md, not
# from src/agency.c) reads it.  Every repaired or refused answer is in the
# report with its reason, and `stockbatch check` agrees with the checker.
. "$top_srcdir/tests/lib.sh"
sb_tmpdir
N=100
sb_start_fake --step 0.02 --seed 11 --fault names=0.3 --fault brands=0.2 --fault long_title=0.3 \
	--fault dup_keywords=0.3 --fault caps_keywords=0.3 --fault off_list=0.1 --fault invisible=0.3

run_provider()
{
	prov=$1
	L=$SB_TMP/$prov
	sb_make_library "$L" $N
	sb_config "$L" provider="$prov" batch_size=50 poll_interval=1 alternatives= rpm=60000
	P=$L/Foto/JPG/Příroda/2024
	i=1
	while [ $i -le $N ]; do
		printf '%s\tFotka %s: smrkový les v ranní mlze na úbočí kopce, světlo mezi kmeny.\n' \
			"$P/$(printf 'IMG_%04d.jpg' $i)" $i
		i=$((i + 1))
	done >"$SB_TMP/$prov.tsv"
	sb_run import "$SB_TMP/$prov.tsv"
	check_rc 0 "$prov: import"
	sb_run send
	check_rc 0 "$prov: send"
	sb_run retrieve --wait 120
	case $SB_RC in 0 | 5) ;; *) fail "$prov: retrieve --wait: exit $SB_RC" ;; esac
	# the rows of this run's photos
	awk -F '\t' '$1 == "photo" { print $2 }' "$L/.sb_manifest" >"$SB_TMP/$prov.cesta"
	"$PYTHON3" "$top_srcdir/tests/check_csv.py" --cesta "$SB_TMP/$prov.cesta" \
		--data "$STOCKBATCH_DATADIR" "$L/PhotoMedia.csv" >"$SB_TMP/$prov.check" 2>&1 ||
		{ cat "$SB_TMP/$prov.check" >&2; fail "$prov: committed rows break agency rules"; }
	committed=$(sed -n 's/^checked \([0-9]*\) rows.*/\1/p' "$SB_TMP/$prov.check")
	[ "${committed:-0}" -ge 80 ] || fail "$prov: only ${committed:-0} of $N photos committed"
	# every repaired or refused answer in the report, with its reason
	sb_run report --json
	case $SB_RC in 0 | 5) ;; *) fail "$prov: report --json: exit $SB_RC" ;; esac
	cp "$SB_OUT" "$SB_TMP/$prov.rep.json"
	"$PYTHON3" - "$SB_TMP/$prov.rep.json" "$N" "$committed" <<'PY' || fail "$prov: the report lacks repairs or reasons"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
n, committed = int(sys.argv[2]), int(sys.argv[3])
reps = [r for b in d["batches"] for r in (b.get("extra") or {}).get("repairs", [])]
fails = [f for b in d["batches"] for f in b["failures"]]
text = " | ".join(r["repairs"] for r in reps)
assert committed + len([f for f in fails if f["state"] != "saved_to_csv"]) >= n, (committed, len(fails))
for f in fails:
    assert f["reason"], f
# the kinds of repair and refusal the switches cause, each with its reason
for want in ("names a person", "names a brand", "title: cut at a phrase boundary",
             "keywords: lower case", "keywords: duplicates", "zero-width", "not on its list"):
    assert want in text, "no %r among %d repaired answers" % (want, len(reps))
print(len(reps), "answers repaired or refused,", len(fails), "failures")
for f in fails:
    print("failed:", f["state"], f["attempts"], f["reason"][:160])
PY
	# stockbatch check agrees: only the hand-written prepared row of the
	# library (IMG_0050.jpg: five keywords, one category) breaks a rule
	sb_run check --json
	cp "$SB_OUT" "$SB_TMP/$prov.check.json"
	check_eq "$(sb_json "$SB_TMP/$prov.check.json" 'sorted(set(f["file"] for k in d["findings"] for f in d["findings"][k]))')" \
		'["IMG_0050.jpg"]' "$prov: check finds only the hand-written row"
	sb_run report
	check_grep '^  repaired: .*answer refused: .*names a person' "$SB_OUT" "$prov: text report names the refusal"
}

run_provider openai
run_provider gemini
# the fake was asked again with the reason, and the retries happened
sb_fake_stats >"$SB_TMP/stats.json"
check_grep '"names"' "$SB_TMP/stats.json" "the names switch fired"
exit 0
