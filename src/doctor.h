/* doctor.h: `stockbatch doctor`: checks the configuration, the key (never
 * printed), the data and state directories, the media CSV, libcurl/TLS and
 * a round trip to the provider.  One line per check. */
#ifndef SB_DOCTOR_H
#define SB_DOCTOR_H
#include <stdbool.h>
#include <stdio.h>
#include "settings.h"
/* 0 when every check passed, 1 when one failed (warnings do not fail).
 * json: one document (stockbatch(1), JSON OUTPUT) instead of the lines. */
int doctor_run(const settings *cfg, FILE *out, bool json);
/* The core's libraries and their versions, one "  NAME VERSION" line each
 * (stockbatch --version -v). */
void doctor_library_versions(FILE *out);
#endif
