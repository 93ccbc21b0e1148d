/* fuzz_mediacsv: PhotoMedia.csv from memory; what parses must serialise to
 * bytes that parse again to the same bytes, and every accessor must stay in
 * bounds. */
#include "fuzz_common.h"
#include "photomedia.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mediacsv *m = NULL;
	sb_err e = { 0 };
	if (mediacsv_parse("PhotoMedia.csv", (const char *)data, size, &m, &e) < 0) {
		FUZZ_CHECK(m == NULL || 1);
		FUZZ_CHECK(e.msg[0]);
		return 0;
	}
	size_t rows = mediacsv_rows(m), cols = mediacsv_cols(m);
	for (size_t c = 0; c < cols; c++)
		FUZZ_CHECK(mediacsv_colname(m, c));
	for (size_t r = 0; r < rows && r < 64; r++) {
		for (size_t c = 0; c < cols; c++)
			FUZZ_CHECK(mediacsv_get(m, r, (int)c));
		FUZZ_CHECK(mediacsv_lineno(m, r) >= 1);
		char fp[17];
		mediacsv_fingerprint(m, r, fp);
		FUZZ_CHECK(strlen(fp) == 16);
		mediacsv_row_unprocessed(m, r);
		const char *cesta = mediacsv_field(m, r, MC_CESTA);
		if (cesta && *cesta) {
			long f = mediacsv_find(m, cesta);
			FUZZ_CHECK(f >= 0 && (size_t)f < rows);
		}
	}
	size_t *order = NULL;
	size_t n = mediacsv_unprocessed(m, NULL, NULL, &order);
	FUZZ_CHECK(n <= rows);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(order[i] < rows);
	free(order);

	/* serialise, parse again, serialise again: the same bytes */
	size_t l1 = 0, l2 = 0;
	char *s1 = mediacsv_serialize(m, &l1);
	mediacsv *m2 = NULL;
	FUZZ_CHECK(mediacsv_parse("again", s1, l1, &m2, &e) == 0);
	FUZZ_CHECK(mediacsv_rows(m2) == rows && mediacsv_cols(m2) == cols);
	char *s2 = mediacsv_serialize(m2, &l2);
	FUZZ_CHECK(l1 == l2 && !memcmp(s1, s2, l1));
	free(s1);
	free(s2);
	mediacsv_free(m2);

	/* an edit with formula-looking text, then serialise */
	if (rows && cols) {
		mediacsv_set(m, 0, 0, "=HYPERLINK(\"x\")");
		FUZZ_CHECK(mediacsv_get(m, 0, 0)[0] == '\'');
		char *s3 = mediacsv_serialize(m, &l1);
		free(s3);
	}
	mediacsv_free(m);
	return 0;
}
