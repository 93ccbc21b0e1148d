/* batchstore.h: the state directory (SPEC 2.3, 3).  A registry of batches
 * (registry.json), one folder per batch (batch.json, files.jsonl journal,
 * requests.jsonl, provider ids, raw results, errors, report), every write
 * atomic or an fsync'd append, everything human-readable.
 * Saving one description appends one journal line: O(1), never a rewrite
 * proportional to the library.  The global file registry (which active
 * batch holds a file) is rebuilt in memory at open.
 * Thread safety: every call takes the store's mutex. */
#ifndef SB_BATCHSTORE_H
#define SB_BATCHSTORE_H

#include "util.h"

typedef enum {
	BS_COLLECTING,
	BS_READY,
	BS_SENT,
	BS_COMPLETED,
	BS_FAILED,
	BS_CANCELLED,
	BS_EXPIRED,
	BS_PAUSED,
	BS__COUNT
} batch_state;

typedef enum {
	FS_PENDING,
	FS_DESCRIPTION_SAVED,
	FS_BATCH_SENT,
	FS_BATCH_COMPLETED,
	FS_SAVED_TO_CSV,
	FS_ERROR,
	FS_FILE_NOT_FOUND,
	FS_REJECTED,
	FS_SKIPPED,
	FS_DEAD,
	FS__COUNT
} file_state;

const char *batch_state_name(batch_state s); /* "collecting" ... */
int batch_state_parse(const char *s, batch_state *out);
const char *file_state_name(file_state s); /* "description_saved" ... */
int file_state_parse(const char *s, file_state *out);
bool batch_transition_ok(batch_state from, batch_state to);
bool file_transition_ok(file_state from, file_state to);
/* Settled: the file's outcome is decided (saved_to_csv, rejected, skipped,
 * dead) and nothing changes it but a user's retry.  A finished batch of
 * settled files will not change again; the registry remembers these. */
bool file_state_settled(file_state s);
/* Failed: error, file_not_found, dead (the "failed" of reports). */
bool file_state_failed(file_state s);
/* Active = collecting, ready, sent, paused: its files are in the registry. */
bool batch_state_active(batch_state s);

typedef struct store store;

typedef struct batch_info {
	char id[40];       /* "b20261123-175519-1a2b" */
	char kind[24];     /* "originals", "alt_bw", "alt_negative"... */
	char provider[16]; /* "openai", "gemini" */
	char model[64];
	batch_state state;
	batch_state paused_from; /* state to resume to, when paused */
	char provider_batch_id[128];
	char input_file_id[128];
	char output_file_id[128];
	char error_file_id[128];
	time_t created, sent, completed;
	size_t nfiles;
	size_t counts[FS__COUNT];     /* files per state */
	double est_cost, actual_cost; /* USD */
	long est_tokens;
	int attempts;   /* send attempts */
	char note[256]; /* why paused/failed, for the user */
} batch_info;

typedef struct editorial_info {
	char city[64], country[64], date[16]; /* date "DD MM YYYY" */
} editorial_info;

typedef struct file_entry {
	char *cesta;
	char *description;
	file_state state;
	bool editorial;
	editorial_info ed;
	char fingerprint[17]; /* mediacsv_fingerprint at save time */
	char *custom_id;      /* "<stem>_<batch id>" */
	char *reason;         /* error / dead-letter reason, or NULL */
	int attempts;         /* live retries */
	char *alt_of;         /* alternatives: the original's Cesta */
	int series_n;         /* one of a series of series_n frames (0: alone) */
	int series_i;         /* its frame, 1..series_n */
} file_entry;

/* Open (creating) the state dir.  The caller holds the library lock: open
 * repairs what a crash left (torn journal line, temp files, half folders). */
int store_open(const char *state_dir, store **out, sb_err *e);
void store_close(store *s);
const char *store_path(const store *s); /* the state dir */
/* Path of a batch's folder or a file in it (caller frees). */
char *store_batch_path(const store *s, const char *batch_id, const char *file);

/* Batches: snapshot copies (caller frees the array). */
size_t store_list(store *s, batch_info **out);
int store_get(store *s, const char *batch_id, batch_info *out);
/* The collecting batch of a kind, created if none (provider/model from args). */
int store_collecting(store *s, const char *kind, const char *provider, const char *model,
		     batch_info *out, sb_err *e);
/* A fresh batch (never the collecting one), created and moved to state
 * under one lock: the engine's split of a batch too big for one provider
 * batch creates its parts ready. */
int store_new_batch(store *s, const char *kind, const char *provider, const char *model,
		    batch_state state, batch_info *out, sb_err *e);
/* State change; an illegal transition is refused (SBE_CONFLICT); setting
 * the current state again only updates the note.  Pausing records
 * paused_from; a paused batch resumes to paused_from or ready (or is
 * cancelled/failed). */
int store_set_state(store *s, const char *batch_id, batch_state to, const char *note, sb_err *e);
/* Save provider ids, costs, times (state is not changed by this). */
int store_update(store *s, const batch_info *b, sb_err *e);
/* Mark the batch ready if it holds batch_size files (pending or
 * description_saved).  Returns 1 if it sealed it, 0 if not, -1 on error. */
int store_seal_if_full(store *s, const char *batch_id, size_t batch_size, sb_err *e);

/* Files.  A saved description is durable when this returns 0.
 * A file already in another active batch is a hard error (SBE_CONFLICT). */
int store_add_file(store *s, const char *batch_id, const file_entry *f, sb_err *e);
int store_files(store *s, const char *batch_id, file_entry **out, size_t *n);
/* Frees the strings, and the array itself when store_files returned it; so
 * file_entries_free(&one, 1) is also right for a store_file_get result. */
void file_entries_free(file_entry *f, size_t n);
void file_entry_clear(file_entry *f); /* the strings of one entry */
int store_file_get(store *s, const char *batch_id, const char *cesta, file_entry *out);
int store_file_set_state(store *s, const char *batch_id, const char *cesta, file_state to,
			 const char *reason, sb_err *e);
int store_file_update(store *s, const char *batch_id, const file_entry *f, sb_err *e);
/* Remove a file that has not been sent (edit before sending, or un-collect). */
int store_remove_file(store *s, const char *batch_id, const char *cesta, sb_err *e);
/* Replace the description of a file saved into a batch that still collects
 * (re-edit before sending): durable when this returns 0, and the journal
 * holds one line per file after it.  Refused (SBE_CONFLICT, e says why)
 * once the batch is sealed or sent, or for a file not in description_saved.
 * text NULL: only whether it may be replaced now. */
int store_file_redescribe(store *s, const char *batch_id, const char *cesta, const char *text,
			  sb_err *e);
/* The active batch holding this Cesta, or false. */
bool store_file_batch(store *s, const char *cesta, char batch_id[40]);
/* Was this Cesta ever rejected/skipped/committed by us (any batch)? */
bool store_file_known(store *s, const char *cesta, file_state *state);
/* Was this Cesta committed to the CSV by us (saved_to_csv), and by which
 * batch?  A registry look-up: no file is read. */
bool store_file_committed_by(store *s, const char *cesta, char batch_id[40]);

/* The editor's draft for the current photo (survives quit and crash). */
int store_save_draft(store *s, const char *cesta, const char *text, sb_err *e);
char *store_load_draft(store *s, char **cesta); /* text or NULL; caller frees both */
int store_clear_draft(store *s, sb_err *e); /* the current photo's; kept ones stay */
/* Text typed for a photo passed over (a jump in the photo list): kept on
 * disk until the photo is saved, skipped or typed for again (empty text:
 * forgotten). */
int store_keep_draft(store *s, const char *cesta, const char *text, sb_err *e);
/* A photo saved or skipped: its draft, current or kept, goes. */
int store_drop_draft(store *s, const char *cesta, sb_err *e);
/* The kept texts: n pairs (caller frees each string and both arrays). */
size_t store_kept_drafts(store *s, char ***cesta, char ***text);

/* Cost log: one JSONL line per estimate/actual. */
int store_cost_log(store *s, const char *batch_id, const char *what, double usd, long tokens,
		   sb_err *e);
/* Rewrite a batch's journal compactly (after many state changes). */
int store_compact(store *s, const char *batch_id, sb_err *e);
/* Remove a batch folder from the registry (archive does the packing). */
int store_forget(store *s, const char *batch_id, sb_err *e);

#endif
