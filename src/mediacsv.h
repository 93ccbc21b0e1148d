/* mediacsv.h: the byte-exact format of PhotoMedia.csv, read and written
 * exactly as the existing tools do (reference/photomedia-csv.md): UTF-8 BOM,
 * comma, minimal quoting, the file's own record endings, header order kept,
 * unknown columns kept, formula escaping on write.  A row we do not change
 * is written back byte-identical (each row keeps its raw bytes until
 * modified).  What the values mean and how they change (selection, status
 * flips, editorial prefix, alternatives, commit with backups) is
 * photomedia.h. */
#ifndef SB_MEDIACSV_H
#define SB_MEDIACSV_H

#include "util.h"

typedef struct mediacsv mediacsv;

/* Well-known column names. */
#define MC_SOUBOR "Soubor"
#define MC_NAZEV "Název"
#define MC_POPIS "Popis"
#define MC_DATUM_PRIPRAVY "Datum přípravy"
#define MC_SIRKA "Šířka"
#define MC_VYSKA "Výška"
#define MC_ROZLISENI "Rozlišení"
#define MC_KLICOVA "Klíčová slova"
#define MC_KATEGORIE "Kategorie"
#define MC_DATUM_VYTVORENI "Datum vytvoření"
#define MC_ORIGINAL "Originál"
#define MC_CESTA "Cesta"
#define MC_EDITORIAL "Editorial"

/* Load; malformed input (unterminated quote, wrong field count, invalid
 * UTF-8, missing required columns) fails with "FILE:LINE:COL: what, what to
 * do" in e->msg (code SBE_INPUT). */
int mediacsv_load(const char *path, mediacsv **out, sb_err *e);
/* Parse from memory (fuzzing, tests); name is used in messages. */
int mediacsv_parse(const char *name, const char *data, size_t len, mediacsv **out, sb_err *e);
/* The same checks, but only Cesta is kept parsed; other fields of a row are
 * parsed from its raw bytes on first access (what commit uses: a fraction of
 * the memory and about half the time on a 100,000-row file). */
int mediacsv_parse_lean(const char *name, const char *data, size_t len, mediacsv **out, sb_err *e);
/* Load with mediacsv_parse_lean's rules. */
int mediacsv_load_lean(const char *path, mediacsv **out, sb_err *e);
/* The row of one Cesta without parsing the whole table: the file is
 * read, the Cesta's bytes found, the record around them taken where the
 * quotes say records begin (a newline outside quotes) and parsed with the
 * header by mediacsv_parse_lean's rules, its Cesta checked.  *out is that
 * one-row table (*row 0); when the Cesta is not found so (quoted in the
 * file, or absent) the whole file is loaded lean and *row is
 * mediacsv_find's (-1: no such row).  What a view of one photo of a big
 * library reads. */
int mediacsv_load_row(const char *path, const char *cesta, mediacsv **out, long *row, sb_err *e);
/* The file's bytes in one read (data[len] is NUL; caller frees). */
int mediacsv_read(const char *path, char **data, size_t *len, sb_err *e);
/* mediacsv_load_row over the file's bytes already read (data[len] is NUL; name for
 * messages): the review view keeps them while it is open, so moving to
 * another photo only scans. */
int mediacsv_row_of(const char *name, const char *data, size_t len, const char *cesta,
		    mediacsv **out, long *row, sb_err *e);
void mediacsv_free(mediacsv *m);

size_t mediacsv_rows(const mediacsv *m);
size_t mediacsv_cols(const mediacsv *m);
const char *mediacsv_colname(const mediacsv *m, size_t col);
int mediacsv_col(const mediacsv *m, const char *name);            /* -1 if absent */
const char *mediacsv_get(const mediacsv *m, size_t row, int col); /* "" if col < 0 */
const char *mediacsv_field(const mediacsv *m, size_t row, const char *colname);
long mediacsv_find(const mediacsv *m, const char *cesta); /* row index by Cesta, -1 */
/* 1-based line number where the row starts in the file (for messages). */
long mediacsv_lineno(const mediacsv *m, size_t row);
/* Set a field (marks the row modified).  The value is formula-escaped here
 * (leading = + - @ TAB CR LF gets a '), so get() returns what will be written
 * and fields stockbatch never set are never altered. */
void mediacsv_set(mediacsv *m, size_t row, int col, const char *value);
/* Append a new row (alternatives); fields by column index, NULL = "". */
size_t mediacsv_add_row(mediacsv *m, const char *const *fields);
/* Serialise the whole file; unchanged rows byte-identical. */
char *mediacsv_serialize(const mediacsv *m, size_t *len);
/* The same bytes written to fd (0, or -1 with errno). */
int mediacsv_write_fd(const mediacsv *m, int fd);
int mediacsv_save(const mediacsv *m, const char *path, sb_err *e); /* atomic */

#endif
