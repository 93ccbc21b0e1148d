/* fuzz_tsv: an imported TSV (`stockbatch import`) as src/tsv.c reads it:
 * the libcsv reader over the whole input (records over several lines) and
 * the line splitter it falls back to.  Never crashes; the records' lines
 * run forward; what a record holds is valid UTF-8; the splitter's results
 * point inside the line. */
#include "fuzz_common.h"
#include "tsv.h"
#include "utf8.h"
#include "util.h"

static void fuzz_reader(const char *text, size_t size)
{
	tsv_reader *r = tsv_open(text, size);
	tsv_record rec;
	long last = 0;
	while (tsv_next(r, &rec)) {
		FUZZ_CHECK(rec.line > last && rec.last_line >= rec.line);
		last = rec.last_line;
		FUZZ_CHECK(rec.kind == TSV_ROW || rec.kind == TSV_NO_TAB || rec.kind == TSV_BAD_UTF8);
		if (rec.kind == TSV_ROW) {
			FUZZ_CHECK(rec.path && rec.desc);
			FUZZ_CHECK(utf8_valid(rec.path, strlen(rec.path), NULL));
			FUZZ_CHECK(utf8_valid(rec.desc, strlen(rec.desc), NULL));
		}
		if (rec.kind == TSV_BAD_UTF8)
			FUZZ_CHECK(rec.bad_byte >= 1 && rec.bad_byte <= size);
	}
	tsv_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = xmalloc(size + 1);
	memcpy(line, data, size);
	line[size] = 0;
	fuzz_reader(line, size);
	char *path = NULL, *desc = NULL;
	int r = tsv_split_line(line, &path, &desc);
	FUZZ_CHECK(r >= -2 && r <= 1);
	if (r == 1) {
		FUZZ_CHECK(path && desc);
		FUZZ_CHECK(path >= line && path <= line + size);
		FUZZ_CHECK(desc >= line && desc <= line + size);
		FUZZ_CHECK(utf8_valid(path, strlen(path), NULL));
		FUZZ_CHECK(utf8_valid(desc, strlen(desc), NULL));
	}
	free(line);
	return 0;
}
