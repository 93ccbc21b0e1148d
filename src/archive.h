/* archive.h: libarchive packing of batch folders (SPEC 3, phase 0) and the
 * `export BATCH` support tarball (SPEC 8). */
/* -I src makes <archive.h> find this file: archive.c defines
 * SB_WANT_LIBARCHIVE to get libarchive's own header through here. */
#if defined(SB_WANT_LIBARCHIVE) && !defined(SB_LIBARCHIVE_INCLUDED)
#define SB_LIBARCHIVE_INCLUDED
#include_next <archive.h>
#endif
#ifndef SB_ARCHIVE_H
#define SB_ARCHIVE_H
#include "batchstore.h"

/* Pack the batch folder into STATE_DIR/archive/<id>.tar.gz, then remove the
 * folder and forget the batch.  The folder stays if packing fails. */
int archive_batch(store *st, const char *batch_id, sb_err *e);
/* Write a gzip'd tar of the batch's folder (state, requests, results,
 * report) to out_path ("-" = stdout). */
int archive_export(store *st, const char *batch_id, const char *out_path, sb_err *e);
/* Pack any directory into a .tar.gz (entries named under prefix/). */
int archive_dir(const char *dir, const char *prefix, const char *out_path, sb_err *e);
/* libarchive's name and version ("libarchive 3.6.2"). */
const char *archive_library_version(void);
#endif
