/* tsv.h: the import TSV format (`stockbatch import`): "path<TAB>description"
 * records as a spreadsheet saves them, read with libcsv (TAB delimiter,
 * quotes honoured: a quoted cell may hold TABs, quotes doubled, and line
 * breaks, so one description may span lines).  A line that is not valid
 * quoting ("Say "hi" now" unquoted, an unclosed quote) is read as before
 * libcsv: split at its first TAB.  No terminal here: the caller reports. */
#ifndef SB_TSV_H
#define SB_TSV_H
#include <stddef.h>

typedef enum {
	TSV_ROW,      /* path and desc */
	TSV_NO_TAB,   /* one cell only */
	TSV_BAD_UTF8, /* bad_byte says where */
} tsv_kind;

typedef struct tsv_record {
	tsv_kind kind;
	long line, last_line; /* the record's first and last line (1-based) */
	size_t bad_byte;      /* TSV_BAD_UTF8: 1-based offset in the record */
	char *path, *desc;    /* TSV_ROW: blanks trimmed, quoting undone */
	/* A record of exactly five cells is path, description, city, country
	 * and date (an editorial photo's facts); else these are NULL. */
	char *city, *country, *date;
} tsv_record;

typedef struct tsv_reader tsv_reader;

/* Reads data[0..len) (up to a NUL byte); a UTF-8 BOM is skipped.  data
 * must outlive the reader. */
tsv_reader *tsv_open(const char *data, size_t len);
/* The next record: 1 with *rec set (valid until the next call), 0 at the
 * end.  Blank lines and '#' comment lines are skipped. */
int tsv_next(tsv_reader *r, tsv_record *rec);
void tsv_close(tsv_reader *r);

/* One line split the way before libcsv, in place: blanks trimmed, a cell
 * wrapped in quotes unquoted.  Returns 1 with path and desc set, 0 for a
 * blank or '#' comment line, -1 when there is no TAB, -2 for invalid UTF-8.
 * The reader's fallback for lines that are not valid quoting. */
int tsv_split_line(char *line, char **path, char **desc);
#endif
