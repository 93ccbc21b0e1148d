/* fuzz_tsv: one line of an imported TSV (`stockbatch import`), as
 * tsv_split_line splits it: never crashes, and what it returns points inside
 * the line and is valid UTF-8. */
#include "fuzz_common.h"
#include "tsv.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = xmalloc(size + 1);
	memcpy(line, data, size);
	line[size] = 0;
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
