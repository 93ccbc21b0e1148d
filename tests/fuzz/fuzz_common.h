/* fuzz_common.h: shared bits of the fuzz targets (tests/fuzz/README in RESULTS.md). */
#ifndef SB_FUZZ_COMMON_H
#define SB_FUZZ_COMMON_H
#include "config.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* An invariant broke: abort, so both libFuzzer and the smoke test fail. */
#define FUZZ_CHECK(cond)                                                                  \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, \
				#cond);                                                   \
			abort();                                                          \
		}                                                                         \
	} while (0)

/* Data files for targets that need them: $STOCKBATCH_DATADIR, else the
 * source tree's data/ (FUZZ_DATADIR is set by run.sh and tests/local.am). */
static inline void fuzz_datadir(void)
{
#ifdef FUZZ_DATADIR
	setenv("STOCKBATCH_DATADIR", FUZZ_DATADIR, 0);
#endif
}
#endif
