/* export.h: the agencies' upload CSVs (reference/agencies.md, "Upload CSV
 * formats"): one file per agency in its own header, delimiter, quoting and
 * category encoding, for the rows of PhotoMedia.csv whose status for that
 * agency is připraveno.  Editorial rows are marked as the agency wants, or
 * left out where it takes none; every row left out is named with the
 * reason.  A record in the state directory (exported.json) remembers what
 * each agency's file listed, so that a second run lists only what is new
 * (all = list every prepared row again).  The output depends on the CSV
 * only: the same rows give the same bytes. */
#ifndef SB_EXPORT_H
#define SB_EXPORT_H
#include <stdbool.h>

#include "settings.h"
#include "util.h"

/* The agencies with an upload format, in PhotoMedia's column order. */
size_t export_agency_count(void);
const char *export_agency_name(size_t i);
/* The index of an agency by name (case-insensitive), -1 if it has no format. */
int export_agency_find(const char *name);
/* "<Agency>.csv" */
char *export_file_name(size_t agency);

typedef struct export_opts {
	const int *agencies; /* export_agency_find indices; NULL/0 = every agency */
	size_t nagencies;
	const char *out_dir;   /* NULL: "export" beside the media CSV */
	const char *state_dir; /* where exported.json is kept */
	bool all;              /* list rows exported before too */
} export_opts;

typedef struct export_skip {
	char *file, *cesta, *reason;
	long line;
} export_skip;

typedef struct export_agency_result {
	const char *agency;
	char *path;      /* the file written (or that would have been) */
	size_t rows;     /* rows in the file written (0: not written) */
	size_t prepared; /* rows prepared for the agency */
	size_t already;  /* prepared rows exported before and not listed */
	bool written;
	export_skip *skipped; /* rows left out, with the reason */
	size_t nskipped;
} export_agency_result;

typedef struct export_result {
	char *out_dir;
	export_agency_result *a;
	size_t n;
} export_result;

/* Write the upload CSVs (atomically, with the media CSV's mode) and update
 * the record.  An agency with nothing to list keeps its previous file. */
int export_agencies(const settings *cfg, const export_opts *o, export_result *res, sb_err *e);
void export_result_free(export_result *r);

#endif
