#!/bin/sh
# cli_advisor.sh: `plan --models` on the bundled sample library: every cell
# checked by tests/advisor_check.py against the formulas and prices of
# reference/apis.md with its own arithmetic; the configured model marked;
# the warning once when it costs more than twice the cheapest of its
# provider; the user's prices.conf wins; doctor names the table's age.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
sb_tmpdir
L=$SB_TMP/sample
cp -r "$top_srcdir/data/sample" "$L"
chmod -R u+w "$L"
sb_config "$L" "path_map=J:\\ => $L/" "model=gpt-4o-mini"
CHECK="$PYTHON3 $top_srcdir/tests/advisor_check.py"
PRICES=$top_srcdir/data/prices.conf

sb_run plan --json
check_rc 0 "plan --json"
cp "$SB_OUT" "$SB_TMP/plan.json"

sb_run plan --models
check_rc 0 "plan --models"
check_grep 'no API calls' "$SB_OUT" "the table says it is a dry run"
check_grep '^\* openai +gpt-4o-mini +high ' "$SB_OUT" "the configured model is marked"
check_eq "$(grep -c '^\*' "$SB_OUT")" 1 "one row marked"
check_grep 'gemini +gemini-2\.5-flash +default' "$SB_OUT" "Gemini rows"
check_grep 'openai +gpt-4o +low' "$SB_OUT" "low detail of a tile model"
check_grep 'Output: 300 tokens a photo \(the default' "$SB_OUT" "the output default is said"
check_eq "$(grep -c 'warning: the configured model gpt-4o-mini' "$SB_ERR")" 1 "warned once"

sb_run plan --models --json
check_rc 0 "plan --models --json"
cp "$SB_OUT" "$SB_TMP/models.json"
$CHECK "$SB_TMP/models.json" "$SB_TMP/plan.json" "$PRICES" "$L" || fail "the table differs from apis.md"
check_eq "$(sb_json "$SB_TMP/models.json" '[r["model"] for r in d["models"] if r["configured"]][0]')" \
	gpt-4o-mini "json: the configured row"

# The plain plan warns too (once), and --quiet silences it.
sb_run plan
check_eq "$(grep -c 'warning: the configured model' "$SB_ERR")" 1 "plan warns once"
sb_run -q plan
check_nogrep 'warning' "$SB_ERR" "--quiet: no warning"

# Low detail: another row is the configured one; still checked.
sb_run --set image_detail=low plan --models --json
check_rc 0 "plan --models, low detail"
cp "$SB_OUT" "$SB_TMP/low.json"
check_eq "$(sb_json "$SB_TMP/low.json" '[r["detail"] for r in d["models"] if r["configured"]][0]')" low \
	"low detail configured"
$CHECK "$SB_TMP/low.json" "$SB_TMP/plan.json" "$PRICES" "$L" || fail "low detail differs from apis.md"

# The user's prices.conf wins: gpt-4o-mini made cheap, no warning.
mkdir -p "$SB_TMP/xdg/stockbatch"
printf 'checked = 2000-01-02\nsource = my invoice\ngpt-4o-mini 0.001 0.001 0.001 0.0001 0.0001 0.0001\n' \
	>"$SB_TMP/xdg/stockbatch/prices.conf"
XDG_CONFIG_HOME=$SB_TMP/xdg sb_run plan --models --json
check_rc 0 "plan --models with the user's prices"
cp "$SB_OUT" "$SB_TMP/user.json"
$CHECK "$SB_TMP/user.json" "$SB_TMP/plan.json" "$PRICES" "$L" "$SB_TMP/xdg/stockbatch/prices.conf" ||
	fail "the user's prices are not the ones used"
check_eq "$(sb_json "$SB_TMP/user.json" 'd["models"][0]["model"]')" gpt-4o-mini "the user's price wins"
check_nogrep 'warning' "$SB_ERR" "no warning when the configured model is the cheapest"

# doctor: the table's date and source; old against prices_max_age.
XDG_CONFIG_HOME=$SB_TMP/xdg sb_run doctor
check_grep 'warn +the price table was checked [0-9]+ days ago \(2000-01-02; prices_max_age 180\): compare it with my invoice' \
	"$SB_OUT" "doctor: an old price table"
XDG_CONFIG_HOME=$SB_TMP/xdg sb_run --set prices_max_age=0 doctor
check_grep 'ok +price table checked 2000-01-02 \(my invoice\)' "$SB_OUT" "prices_max_age 0: no age warning"
sb_run doctor
check_grep '(ok|warn) +(price table checked|the price table was checked) ' "$SB_OUT" "doctor: the shipped table"
check_grep 'apis\.md' "$SB_OUT" "doctor names the source"
printf 'checked = 2000-13-01\n' >"$SB_TMP/xdg/stockbatch/prices.conf"
XDG_CONFIG_HOME=$SB_TMP/xdg sb_run plan --models
check_rc 1 "a bad checked line"
check_grep 'prices\.conf:1: expected "checked = YYYY-MM-DD"' "$SB_ERR" "the bad line is named"

# The README's table is this command's output on the sample, unchanged.
sb_run plan --models --csv "$top_srcdir/data/sample/PhotoMedia.csv" --set "path_map=J:\\ => $top_srcdir/data/sample/" \
	--set model= --set state_dir="$SB_TMP/none"
check_rc 0 "the README's command"
sed -n '5,16p' "$SB_OUT" | sed 's/^/    /' >"$SB_TMP/table.txt"
grep -qF "stockbatch plan --models --csv data/sample/PhotoMedia.csv" "$top_srcdir/README" ||
	fail "the README does not name the command"
"$PYTHON3" -c 'import sys; t = open(sys.argv[1]).read(); r = open(sys.argv[2]).read(); sys.exit(t not in r)' \
	"$SB_TMP/table.txt" "$top_srcdir/README" || fail "the README's table is not the command's output: $(cat "$SB_TMP/table.txt")"

# report: after a run, the same photos on the other models from the usage.
sb_start_fake --step 0.05 --seed 7
R=$SB_TMP/run
sb_make_library "$R" 3
sb_config "$R" batch_size=2 poll_interval=1 alternatives=
P=$R/Foto/JPG/Příroda/2024
for i in 1 2; do
	printf '%s\tFotka číslo %s: smrkový les v ranní mlze na úbočí kopce, světlo mezi kmeny.\n' "$P/IMG_000$i.jpg" $i
done >"$SB_TMP/a.tsv"
sb_run report --json
check_eq "$(sb_json "$SB_OUT" 'd["other_models"]')" None "no usage yet: other_models is null"
sb_run import "$SB_TMP/a.tsv"
check_rc 0 "import"
sb_run send
check_rc 0 "send"
sb_run retrieve --wait 60
check_rc 0 "retrieve"
sb_run report
check_rc 0 "report"
check_grep '^The same 2 photos on other models' "$SB_OUT" "report: the comparison"
check_grep '^  \* openai +gpt-4\.1-mini +high +\$[0-9.]+ \(\$[0-9.]+ per 1,000 photos\)  the model used' "$SB_OUT" \
	"report: the model used"
sb_run report --json
cp "$SB_OUT" "$SB_TMP/report.json"
$CHECK --usage "$SB_TMP/report.json" "$PRICES" high "$P/IMG_0001.jpg" "$P/IMG_0002.jpg" ||
	fail "report's other models differ from apis.md"

# send: the activity log warns once about an expensive model, not about the default.
check_nogrep 'warning|configured model' "$R/.stockbatch/stockbatch.log" "no warning for the default model"
# (a 1200 x 800 photo: the library's own are too small for the tiles to dominate)
cp "$top_srcdir/data/sample/Foto/JPG/Příroda/2024/IMG_0101.jpg" "$P/IMG_0003.jpg"
printf '%s\tFotka číslo 3: smrkový les v ranní mlze na úbočí kopce, světlo mezi kmeny.\n' "$P/IMG_0003.jpg" \
	>"$SB_TMP/b.tsv"
sb_run --model gpt-4o-mini import "$SB_TMP/b.tsv"
check_rc 0 "import for gpt-4o-mini"
sb_run --model gpt-4o-mini send --all
check_rc 0 "send on gpt-4o-mini"
check_eq "$(grep -c 'the configured model gpt-4o-mini (high detail) costs' "$R/.stockbatch/stockbatch.log")" 1 \
	"send warns once in the activity log"

# --models belongs to plan.
sb_run status --models
check_rc 2 "--models with another command"
check_grep "models goes with 'plan'" "$SB_ERR" "the usage error names plan"
echo "cli_advisor: ok"
