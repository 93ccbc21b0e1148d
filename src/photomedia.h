/* photomedia.h: PhotoMedia's rules over its library index (the format is
 * mediacsv.h; reference/photomedia-csv.md says which is which): the status
 * values, which rows are unprocessed and in which order, what a save, a
 * reject and an edited copy change in a row (status flips per agency, the
 * editorial prefix), and the commit that merges results into the file with
 * a backup per session. */
#ifndef SB_PHOTOMEDIA_H
#define SB_PHOTOMEDIA_H

#include "mediacsv.h"

#define MC_ST_UNPROCESSED "nezpracováno"
#define MC_ST_PREPARED "připraveno"
#define MC_ST_BACKUP "záložní"
#define MC_ST_REJECTED "zamítnuto"

/* A fingerprint (16 hex) of the fields stockbatch writes in a row (title,
 * description, keywords, date, status and category columns): taken when a
 * description is saved, compared at commit to detect someone else's edit. */
void mediacsv_fingerprint(const mediacsv *m, size_t row, char out[17]);

typedef enum { MC_IMAGE, MC_VIDEO, MC_OTHER } mc_media;
mc_media mediacsv_media_kind(const char *filename);

/* The unprocessed rows in the reference order (images, videos, others; then
 * creation date; then name).  exists(path) says whether the file is there
 * (NULL: every file counts as present); it receives the Cesta value. */
typedef bool (*mc_exists_fn)(const char *cesta, void *ctx);
size_t mediacsv_unprocessed(const mediacsv *m, mc_exists_fn exists, void *ctx, size_t **rows);
bool mediacsv_row_unprocessed(const mediacsv *m, size_t row);
/* The row already holds committed metadata: a preparation date and an
 * agency status 'připraveno' (an editorial row keeps 'nezpracováno' for the
 * agencies that take no editorial, so it still looks unprocessed). */
bool mediacsv_row_prepared(const mediacsv *m, size_t row);
/* An editorial row: its Editorial column says ano, or (the column being
 * optional) its first keyword is Editorial, as every editorial commit
 * writes it. */
bool mediacsv_row_editorial(const mediacsv *m, size_t row);
/* A row that holds no commit: no title or no description, and a status
 * still nezpracováno.  A save always writes both and flips every status
 * it may, so a row we committed that looks like this lost its commit (a
 * stale copy of the file was saved over ours). */
bool mediacsv_row_uncommitted(const mediacsv *m, size_t row);

/* One change to commit, keyed by Cesta. */
typedef enum { MCU_SAVE, MCU_REJECT, MCU_ALTERNATIVE } mc_update_kind;
typedef struct mc_category {
	const char *bank;  /* matched case-insensitively: "shutterstock" */
	const char *value; /* joined by ", " already */
} mc_category;
typedef struct mc_update {
	mc_update_kind kind;
	const char *cesta;
	const char *fingerprint; /* as taken at description time; NULL = no check */
	const char *title, *description;
	const char *const *keywords;
	size_t nkeywords;
	const mc_category *cats;
	size_t ncats;
	bool editorial; /* banks without editorial keep their status */
	/* editorial prefix "CITY, COUNTRY - DD MM YYYY: " (upper-cased here;
	 * country NULL = "Czech"), added unless the description starts with it;
	 * city and date both NULL: the description is used as it is */
	const char *ed_city, *ed_country, *ed_date;
	/* MCU_ALTERNATIVE: create or update the row of an edited copy.  cesta is
	 * the copy's own Cesta.  A missing row is created as the original's with
	 * new Soubor/Cesta, Originál=ne; _sharpen (alt_status "záložní") keeps
	 * title, description, keywords, categories and sets every status to
	 * záložní; other tags clear them and set every status to nezpracováno.
	 * With title set (the text-only result arrived) the row is then saved
	 * like MCU_SAVE (nezpracováno -> připraveno). */
	const char *alt_of;     /* the original's Cesta */
	const char *alt_soubor; /* new Soubor (NULL: basename of cesta) */
	const char *alt_status; /* "záložní" for _sharpen, "nezpracováno" otherwise */
	const char *today;      /* Datum přípravy to write (DD.MM.YYYY): a commit
				 * written again keeps its first date; NULL =
				 * the commit's (mc_commit_opts.today) */
	/* 1 + the index of an earlier update of the same commit this one is
	 * derived from (an edited copy from its original's result): applied only
	 * if that one was applied or already there, else status 4; 0 = none */
	size_t depends_on;
} mc_update;

/* The editorial caption prefix's format: the origin's "CITY, COUNTRY - DD
 * MM YYYY: " (the default), ShutterStock's own "CITY, COUNTRY - MONTH DAY,
 * YEAR: " or Pond5's "CITY, COUNTRY - MM/DD/YYYY: ". */
enum { MC_ED_ORIGIN, MC_ED_SHUTTERSTOCK, MC_ED_POND5 };
/* The prefix: city and country upper-cased (diacritics kept), country
 * "Czech" when NULL, the date normalised (date_norm_ddmmyyyy: "3.8.2024" is
 * 3 August) and written in the format; a date that is not one is kept as
 * typed, its separators as spaces.  Caller frees. */
char *mc_editorial_prefix(const char *city, const char *country, const char *date, int fmt);
/* Length of such a prefix (any of the formats) at the start of s, 0 if none. */
size_t mc_editorial_prefix_len(const char *s);

typedef struct mc_commit_opts {
	int title_max, desc_max, keywords_max; /* 80 / 200 / 50 by default (0) */
	int backups;                           /* backups kept, default 10 */
	const char *backup_session;            /* one backup per session: its stamp
						 * YYYYmmdd_HHMMSS; NULL = now */
	const char *today;                     /* DD.MM.YYYY; NULL = today (tests) */
	int ed_format;                         /* MC_ED_ORIGIN (0), ... */
} mc_commit_opts;

typedef struct mc_commit_result {
	size_t applied, already, conflicts, unknown;
	/* per update, in order: 0 applied, 1 already applied (idempotent),
	 * 2 conflict (someone changed the row), 3 unknown Cesta, 4 not applied
	 * because the update it depends on was not */
	int *status;
	/* per update: the fingerprint of its row as the commit left it ("" for
	 * an unknown Cesta); an edited copy's row is checked against it when
	 * its own text-only result comes back */
	char (*fp)[17];
} mc_commit_result;

/* Remove the temp files a dead process left beside path (the CSV's and its
 * backups'); the caller holds the library lock.  Returns how many. */
size_t mediacsv_remove_dead_temps(const char *path);

/* Apply the updates to the row itself (used by commit and by tests). */
int mediacsv_apply(mediacsv *m, size_t row, const mc_update *u, const mc_commit_opts *o, sb_err *e);
/* Commit: re-read the file, merge by Cesta (hash index, O(rows + n)), backup
 * once per session (<stem>_<session>.csv, only if absent; then rotate to
 * o->backups newest), write temp, fsync, rename, fsync dir.  An update whose
 * result is already in the row (ignoring Datum přípravy) is "already"; one
 * whose row's fingerprint no longer matches u->fingerprint is a conflict and
 * is not applied.  Nothing applied: nothing written, no backup.  If the file
 * is replaced while we merge, the merge is redone.  res->status is
 * allocated on success: free with mc_commit_result_free.  The file is
 * untouched on any error. */
int mediacsv_commit(const char *path, const mc_update *u, size_t n, const mc_commit_opts *o,
		    mc_commit_result *res, sb_err *e);
void mc_commit_result_free(mc_commit_result *r);

#endif
