/* store_int.h: what the rooms of the state store share (private to
 * src/store/; the API is batchstore.h).
 *
 *   STATE_DIR/registry.json          index: the live batches, finished ones counted
 *                                    (atomic, on batch-level changes; rebuilt from
 *                                    the folders at open)              batchstate.c
 *   STATE_DIR/batches/<id>/batch.json   one batch's facts (atomic)     batchstate.c
 *   STATE_DIR/batches/<id>/files.jsonl  append-only, fsync'd journal of file
 *                                    events; replayed in order at open    journal.c
 *   STATE_DIR/batches/<id>/files.settled  a finished, settled batch's files
 *                                    and states, one "state<TAB>Cesta" line each,
 *                                    tied to the journal's size and mtime: open
 *                                    reads it instead of the journal (a cache: a
 *                                    stale or damaged one is ignored and rebuilt)
 *                                                                         settled.c
 *   STATE_DIR/draft.json, cost.jsonl                                     store.c
 *
 * Saving a description appends one line: O(1) whatever the library size.  A
 * crash can only tear the journal's last line, which open ignores and cuts.
 * A batch folder is born as batches/.new-<id> and renamed into place, and
 * dies as batches/.trash-<id>, so a crash never leaves half a batch.
 * Open assumes the caller holds the library lock (lock.h).  Every function
 * below expects the store's mutex held (LOCK), except at open. */
#ifndef SB_STORE_INT_H
#define SB_STORE_INT_H

#include "batchstore.h"
#include "strmap.h"

#include <json-c/json.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_LINE (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
#define JSON_PRETTY \
	(JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)

typedef struct brec {
	batch_info info;
	file_entry *files; /* slots; cesta NULL = removed */
	size_t nslots, cap;
	strmap idx; /* cesta -> slot + 1 (keys borrowed from files[]) */
	char *dir, *journal;
	size_t jlines;   /* journal lines, for compaction hints */
	bool lazy;       /* settled and finished: files not loaded until asked */
	bool summary_ok; /* files.settled matches the journal on disk */
	char *summary;   /* files.settled text, during open only */
	size_t summary_len;
} brec;

struct store {
	pthread_mutex_t mu;
	char *dir, *bdir;
	brec **b;
	size_t nb, cap;
	strmap byid;    /* id -> brec (keys borrowed from the brec) */
	strmap active;  /* cesta -> brec holding it in an active batch */
	strmap known;   /* cesta -> brec where it was last rejected/skipped/committed/dead,
		      * aux = that state (so lazy batches need not be loaded) */
	char *reg_text; /* registry.json as last written */
	bool repair;    /* not another process's library: crash leftovers may go */
	/* draft.json as this process last read or wrote it (NULL: no file),
	 * when draft_known: the draft's calls need not ask the disk again (a
	 * round trip on a share; only this process writes the file) */
	char *draft_text;
	bool draft_known;
};

#define LOCK(s) pthread_mutex_lock(&(s)->mu)
#define UNLOCK(s) pthread_mutex_unlock(&(s)->mu)

/* json-c shorthands */
static inline void jadd_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

static inline const char *jstr(json_object *o, const char *k)
{
	json_object *v;
	if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static inline void jcopy(char *dst, size_t cap, json_object *o, const char *k)
{
	const char *v = jstr(o, k);
	snprintf(dst, cap, "%s", v ? v : "");
}

static inline int64_t jint(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) ? json_object_get_int64(v) : 0;
}

static inline double jdouble(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) ? json_object_get_double(v) : 0;
}

static inline void jadd_time(json_object *o, const char *k, time_t t)
{
	if (!t) {
		json_object_object_add(o, k, NULL);
		return;
	}
	char iso[32];
	time_iso(t, iso);
	json_object_object_add(o, k, json_object_new_string(iso));
}

static inline time_t jtime(json_object *o, const char *k)
{
	const char *v = jstr(o, k);
	return v ? time_parse_iso(v) : 0;
}

/* states.c */
bool batch_resume_ok(batch_state paused_from, batch_state to);
bool fs_registered(file_state s);

/* batchstate.c */
brec *brec_find(store *s, const char *id);
int registry_write(store *s, sb_err *e);
int store_rm_rf(const char *path);
void store_remove_tmp(const char *dir);
brec *brec_new(store *s, const char *id);
int brec_load(store *s, const char *name, unsigned char d_type, brec **out, sb_err *e);
void brec_free(brec *b);
void brec_add(store *s, brec *b);
int store_no_batch(sb_err *e, const char *id);

/* batchfiles.c */
file_entry *brec_entry(brec *b, const char *cesta);
file_entry *brec_slot_new(brec *b, const char *cesta);

/* journal.c */
int journal_append(const char *path, const char *line, sb_err *e);
int journal_record(brec *b, const char *op, const file_entry *f, sb_err *e);
int journal_load(brec *b, bool repair, sb_err *e);
int journal_compact(brec *b, sb_err *e);

/* settled.c */
void summary_write(brec *b);
bool summary_read(brec *b);
void summary_register(store *s, brec *b);
int brec_ensure_loaded(store *s, brec *b, sb_err *e);
void brec_settle(brec *b);

/* registry.c */
void reg_known_put(strmap *known, const char *cesta, void *b, int st);
void reg_move(store *s, brec *b, const char *cesta, int old, int new_);
brec *reg_conflict(store *s, brec *b, const char *cesta);
void reg_known_drop(store *s, brec *b);
void reg_build(store *s);
int reg_batch_claim(store *s, brec *b, batch_state to, sb_err *e);
void reg_batch_moved(store *s, brec *b, bool active);

#endif
