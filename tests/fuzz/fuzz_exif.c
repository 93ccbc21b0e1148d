/* fuzz_exif: EXIF orientation, date and embedded preview of a JPEG buffer
 * (a file from the library, so untrusted). */
#include "fuzz_common.h"
#include "imageprep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int o = exif_orientation(data, size);
	FUZZ_CHECK(o >= 1 && o <= 8);
	char date[16];
	memset(date, 0x55, sizeof date);
	if (exif_date(data, size, date)) {
		FUZZ_CHECK(memchr(date, 0, sizeof date));
		FUZZ_CHECK(strlen(date) == 10); /* "DD MM YYYY" */
	}
	const unsigned char *prev = NULL;
	size_t plen = 0;
	if (exif_preview(data, size, &prev, &plen)) {
		FUZZ_CHECK(prev >= data && plen <= size && (size_t)(prev - data) <= size - plen);
		/* read every byte of it: an out-of-range view trips ASan */
		unsigned sum = 0;
		for (size_t i = 0; i < plen; i++)
			sum += prev[i];
		(void)sum;
		exif_orientation(prev, plen);
	}
	return 0;
}
