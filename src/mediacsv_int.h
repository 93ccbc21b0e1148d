/* mediacsv_int.h: the parsed file, shared by the format (mediacsv.c) and
 * PhotoMedia's rules (photomedia.c), which need the well-known columns and
 * the raw rows.  Private to those two files. */
#ifndef SB_MEDIACSV_INT_H
#define SB_MEDIACSV_INT_H

#include "mediacsv.h"
#include "strmap.h"

#include <stdint.h>
#include <sys/stat.h>

typedef struct mc_row {
	size_t body_off, body_len; /* raw record without its terminator */
	size_t tail_off, tail_len; /* terminator + following blank lines */
	long line;                 /* 1-based line where the record starts; 0 = added */
	char **mod;                /* NULL: fields are in the arena; else owned copies */
	char **cache;              /* lean mode: the record parsed on first use (one block) */
} mc_row;

struct mediacsv {
	char *name;
	char *data; /* the bytes as read (BOM included) */
	size_t len;
	bool bom;
	const char *eol;         /* the file's record ending, for new/changed rows */
	bool final_nl;           /* the file ended with a record terminator */
	size_t pre_off, pre_len; /* BOM + blank lines + header record + its tail */
	size_t ncols;
	char **colnames;
	char *arena; /* parsed field bytes, NUL-terminated */
	size_t arena_len;
	uint32_t *offs; /* rows x ncols offsets into the arena (lean: Cesta only) */
	bool lean;      /* commit: keep only Cesta, parse other rows on demand */
	mc_row *rows;
	size_t nrows, rows_cap;
	/* well-known columns */
	int c_soubor, c_nazev, c_popis, c_datum, c_klic, c_vytvoreni, c_original, c_cesta;
	size_t *status_cols, nstatus; /* the "<Bank> status" columns */
	size_t *fp_cols; /* the columns stockbatch writes, sorted by name (built by
			  * photomedia.c on the first fingerprint) */
	size_t nfp;
	/* Cesta -> row, built on first find; keys borrowed from the rows'
	 * Cesta values (rebuilt when one of them is set) */
	strmap idx;
	bool idx_valid;
	bool warn_dups; /* the first index build (at parse) warns about duplicates */
};

/* Column kinds by their name's suffix: "<Bank> status", "<Bank> kategorie". */
bool mc_is_status_col(const mediacsv *m, size_t c);
bool mc_is_cat_col(const mediacsv *m, size_t c);
/* Load, also returning the file's stat (commit compares it before writing). */
int mediacsv_load_stat(const char *path, mediacsv **out, struct stat *st, bool lean, sb_err *e);
/* A row's fields without keeping them (lean rows are split into s, valid
 * until the next call with s); for passes over every row. */
typedef struct mc_scratch {
	char **f;
	size_t nf;
	char *buf;
	size_t cap;
} mc_scratch;
const char *const *mc_row_fields(const mediacsv *m, size_t row, mc_scratch *s);
void mc_scratch_free(mc_scratch *s);
/* Tests: read every file through libcsv, the reference the fast reader of
 * well-formed files is checked against (tests/test_mediacsv.c). */
extern bool mediacsv_libcsv_only;

#endif
