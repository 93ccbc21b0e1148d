/* tsv.h: the import TSV format (`stockbatch import`): "path<TAB>description"
 * as a spreadsheet saves it.  No terminal here: the caller reports. */
#ifndef SB_TSV_H
#define SB_TSV_H

/* One line, spreadsheet quoting undone, blanks trimmed, split in place.
 * Returns 1 with path and desc set, 0 for a blank or '#' comment line, -1
 * when there is no TAB, -2 for invalid UTF-8. */
int tsv_split_line(char *line, char **path, char **desc);
#endif
