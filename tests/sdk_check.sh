#!/bin/sh
# sdk_check.sh: the official SDKs read the fake's answers.  npm's openai and
# @google/genai, installed once into a cache directory (SB_SDK_DIR, default
# ~/.cache/stockbatch/sdk-check), run their batch flows against
# tests/fakeapi.py (tests/sdk_check.cjs): OpenAI files.create,
# batches.create, batches.retrieve, files.content; Gemini files.upload,
# batches.create, batches.get.  Skipped, with the reason, without node and
# npm or when npm cannot install the packages (offline).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
command -v node >/dev/null 2>&1 || skip_missing "node (apt-get install nodejs npm)"
command -v npm >/dev/null 2>&1 || skip_missing "npm (apt-get install npm)"
sb_tmpdir
SDK=${SB_SDK_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/stockbatch/sdk-check}
PKGS="openai@^6 @google/genai@^2"
have() { [ -f "$SDK/node_modules/openai/package.json" ] && [ -f "$SDK/node_modules/@google/genai/package.json" ]; }
if ! have; then
	# into a private directory first, then moved in: parallel runs share the cache
	mkdir -p "$(dirname "$SDK")" || skip "cannot create $(dirname "$SDK") for the SDKs"
	T=$SDK.tmp.$$
	rm -rf "$T"
	mkdir -p "$T"
	echo '{"name":"stockbatch-sdk-check","private":true}' >"$T/package.json"
	TO=
	command -v timeout >/dev/null 2>&1 && TO="timeout 600"
	# shellcheck disable=SC2086
	if ! (cd "$T" && $TO npm install --no-audit --no-fund --loglevel=error $PKGS) >"$SB_TMP/npm.log" 2>&1; then
		rm -rf "$T"
		tail -n 5 "$SB_TMP/npm.log" >&2
		skip "npm could not install $PKGS (offline?)"
	fi
	mv "$T" "$SDK" 2>/dev/null || rm -rf "$T"
	have || skip "the SDKs are not in $SDK"
fi
echo "openai $(sed -n 's/^ *"version": *"\(.*\)".*/\1/p' "$SDK/node_modules/openai/package.json" | head -n 1)," \
	"@google/genai $(sed -n 's/^ *"version": *"\(.*\)".*/\1/p' "$SDK/node_modules/@google/genai/package.json" | head -n 1)"
sb_start_fake --step 0.02 --seed 11
mkdir -p "$SB_TMP/sdk"
NODE_PATH=$SDK/node_modules node "$top_srcdir/tests/sdk_check.cjs" "$SB_FAKE_URL" "$SB_TMP/sdk" \
	>"$SB_TMP/sdk.out" 2>&1 || { cat "$SB_TMP/sdk.out"; tail -n 20 "$SB_TMP/fake.err" >&2; fail "an SDK flow against the fake"; }
cat "$SB_TMP/sdk.out"
sb_stop_fake
echo "sdk_check: ok"
