/* fuzz_categories: a user's PhotoCategories.csv (libcsv) over the shipped
 * lists, then the lookups the prompt and the validation make with it. */
#include "fuzz_common.h"
#include "agency.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_datadir();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	agency_lists *l = NULL;
	sb_err e = { 0 };
	/* half the inputs over an AdobeStock list with ids (names then map to
	 * them), half alone; in memory, as reading the shipped files each time
	 * would slow the fuzzer tenfold */
	if (size && (data[0] & 1)) {
		static const char ids[] = "AdobeStock,Dreamstime\n7=Food,18=Nature -> Forests\n1=Animals,\n";
		if (agency_lists_parse_csv(&l, "ids", ids, sizeof ids - 1, &e) < 0)
			abort();
	}
	if (agency_lists_parse_csv(&l, "PhotoCategories.csv", (const char *)data, size, &e) < 0)
		FUZZ_CHECK(e.code == SBE_INPUT && strstr(e.msg, "PhotoCategories.csv"));
	static const char *const banks[] = { "shutterstock", "adobestock", "dreamstime", "alamy" };
	for (size_t b = 0; b < 4; b++) {
		size_t n = 0;
		const char *const *names = agency_categories(l, banks[b], &n);
		for (size_t i = 0; names && i < n; i++) {
			FUZZ_CHECK(names[i] && names[i][0]);
			/* every listed name is found again by its own name */
			FUZZ_CHECK(agency_match_category(l, banks[b], names[i]));
		}
		FUZZ_CHECK(!names || names[n] == NULL);
		agency_match_category(l, banks[b], "Nature");
		agency_match_category(l, banks[b], "7");
		agency_match_category(l, banks[b], "Nature > Forests");
	}
	meta_record m;
	const char *j = "{\"title\":\"t\",\"description\":\"d\",\"keywords\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\"],"
			"\"categories\":{\"shutterstock\":[\"Nature\"],\"adobestock\":[\"7\"],\"dreamstime\":[\"Nature\"]}}";
	if (meta_parse(j, strlen(j), &m, &e) == 0) {
		meta_check c;
		meta_validate(&m, NULL, l, false, &c);
		meta_free(&m);
	}
	agency_lists_free(l);
	return 0;
}
