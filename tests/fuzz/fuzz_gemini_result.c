/* fuzz_gemini_result: one line of a gemini result or error file, through
 * the provider's parse_result (no network: a fake key and base URL). */
#include "fuzz_common.h"
#include "provider.h"

static provider *prov;
static int missing; /* the provider has no parse_result yet: nothing to fuzz */
static settings cfg;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	settings_defaults(&cfg);
	settings_finish(&cfg);
	sb_err e = { 0 };
	if (provider_open_with(&cfg, "gemini", "fuzz-not-a-key", "http://127.0.0.1:9", &prov, &e) < 0) {
		fprintf(stderr, "fuzz_gemini_result: %s\n", e.msg);
		abort();
	}
	if (!prov->ops->parse_result) {
		fprintf(stderr, "fuzz_gemini_result: the provider has no parse_result; nothing fuzzed\n");
		missing = 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sb_result r;
	sb_err e = { 0 };
	if (missing)
		return 0;
	if (prov->ops->parse_result(prov, (const char *)data, size, &r, &e) == 0) {
		FUZZ_CHECK(r.custom_id);
		FUZZ_CHECK(r.ok ? r.content != NULL : r.error != NULL);
		sb_result_free(&r);
	} else {
		FUZZ_CHECK(e.msg[0]);
	}
	return 0;
}
