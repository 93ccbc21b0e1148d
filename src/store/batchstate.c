/* batchstore.c: the state directory.
 *
 *   STATE_DIR/registry.json          index: the live batches, finished ones counted
 *                                    (atomic, on batch-level changes; rebuilt from
 *                                    the folders at open)
 *   STATE_DIR/batches/<id>/batch.json   one batch's facts (atomic)
 *   STATE_DIR/batches/<id>/files.jsonl  append-only, fsync'd journal of file
 *                                    events; replayed in order at open
 *   STATE_DIR/batches/<id>/files.settled  a finished, settled batch's files
 *                                    and states, one "state<TAB>Cesta" line each,
 *                                    tied to the journal's size and mtime: open
 *                                    reads it instead of the journal (a cache: a
 *                                    stale or damaged one is ignored and rebuilt)
 *   STATE_DIR/draft.json, cost.jsonl
 *
 * Saving a description appends one line: O(1) whatever the library size.  A
 * crash can only tear the journal's last line, which open ignores and cuts.
 * A batch folder is born as batches/.new-<id> and renamed into place, and
 * dies as batches/.trash-<id>, so a crash never leaves half a batch.
 * Open assumes the caller holds the library lock (lock.h). */
#include "config.h"
#include "batchstore.h"
#include "i18n.h"
#include "lock.h"
#include "log.h"
#include "settings.h"
#include "strmap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define JSON_LINE (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
#define JSON_PRETTY (JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)

/* ---- state names and machines ---- */

static const char *const bs_names[BS__COUNT] = {
	/* N_(): the TUI shows them translated; files and JSON keep these names */
	N_("collecting"), N_("ready"), N_("sent"), N_("completed"), N_("failed"),
	N_("cancelled"), N_("expired"), N_("paused"),
};
static const char *const fs_names[FS__COUNT] = {
	N_("pending"), N_("description_saved"), N_("batch_sent"), N_("batch_completed"),
	N_("saved_to_csv"), N_("error"), N_("file_not_found"), N_("rejected"), N_("skipped"),
	N_("dead"),
};

const char *batch_state_name(batch_state s)
{
	return (unsigned)s < BS__COUNT ? bs_names[s] : "unknown";
}

int batch_state_parse(const char *s, batch_state *out)
{
	for (int i = 0; s && i < BS__COUNT; i++)
		if (!strcmp(s, bs_names[i])) {
			*out = (batch_state)i;
			return 0;
		}
	return -1;
}

const char *file_state_name(file_state s)
{
	return (unsigned)s < FS__COUNT ? fs_names[s] : "unknown";
}

int file_state_parse(const char *s, file_state *out)
{
	for (int i = 0; s && i < FS__COUNT; i++)
		if (!strcmp(s, fs_names[i])) {
			*out = (file_state)i;
			return 0;
		}
	return -1;
}

#define B(x) (1u << BS_##x)
/* Allowed targets per batch state.  From paused, store_set_state further
 * requires the target to fit paused_from (see resume_ok). */
static const unsigned batch_next[BS__COUNT] = {
	[BS_COLLECTING] = B(READY) | B(PAUSED) | B(CANCELLED),
	[BS_READY] = B(SENT) | B(PAUSED) | B(CANCELLED) | B(FAILED) | B(COMPLETED),
	[BS_SENT] = B(COMPLETED) | B(FAILED) | B(CANCELLED) | B(EXPIRED) | B(PAUSED),
	[BS_COMPLETED] = 0,
	[BS_FAILED] = B(READY),
	[BS_CANCELLED] = 0,
	[BS_EXPIRED] = 0,
	[BS_PAUSED] = B(COLLECTING) | B(READY) | B(SENT) | B(CANCELLED) | B(FAILED),
};
#undef B

#define F(x) (1u << FS_##x)
static const unsigned file_next[FS__COUNT] = {
	[FS_PENDING] = F(DESCRIPTION_SAVED) | F(REJECTED) | F(SKIPPED) | F(FILE_NOT_FOUND) | F(ERROR) |
		       F(DEAD),
	[FS_DESCRIPTION_SAVED] = F(PENDING) | F(BATCH_SENT) | F(ERROR) | F(FILE_NOT_FOUND) |
				 F(REJECTED) | F(SKIPPED) | F(DEAD),
	[FS_BATCH_SENT] = F(BATCH_COMPLETED) | F(ERROR) | F(DESCRIPTION_SAVED) | F(FILE_NOT_FOUND) |
			  F(DEAD),
	[FS_BATCH_COMPLETED] = F(SAVED_TO_CSV) | F(ERROR) | F(FILE_NOT_FOUND) | F(DEAD),
	[FS_SAVED_TO_CSV] = 0,
	[FS_ERROR] = F(DESCRIPTION_SAVED) | F(BATCH_SENT) | F(BATCH_COMPLETED) | F(FILE_NOT_FOUND) |
		     F(DEAD),
	[FS_FILE_NOT_FOUND] = F(PENDING) | F(DESCRIPTION_SAVED) | F(ERROR) | F(DEAD),
	[FS_REJECTED] = F(PENDING),
	[FS_SKIPPED] = F(PENDING) | F(DESCRIPTION_SAVED),
	[FS_DEAD] = F(PENDING) | F(DESCRIPTION_SAVED),
};
#undef F

bool batch_transition_ok(batch_state from, batch_state to)
{
	return (unsigned)from < BS__COUNT && (unsigned)to < BS__COUNT && (batch_next[from] >> to & 1);
}

bool file_transition_ok(file_state from, file_state to)
{
	return (unsigned)from < FS__COUNT && (unsigned)to < FS__COUNT && (file_next[from] >> to & 1);
}

bool file_state_settled(file_state s)
{
	return s == FS_REJECTED || s == FS_SKIPPED || s == FS_SAVED_TO_CSV || s == FS_DEAD;
}

bool file_state_failed(file_state s)
{
	return s == FS_ERROR || s == FS_DEAD || s == FS_FILE_NOT_FOUND;
}

bool batch_state_active(batch_state s)
{
	return s == BS_COLLECTING || s == BS_READY || s == BS_SENT || s == BS_PAUSED;
}

/* Leaving pause: back where it was, to ready (re-send / seal), or out. */
static bool resume_ok(batch_state paused_from, batch_state to)
{
	if (to == BS_READY || to == BS_CANCELLED || to == BS_FAILED)
		return true;
	return to == paused_from;
}

/* States that hold the file in its batch for the global registry. */
static bool fs_registered(file_state s)
{
	return s != FS_REJECTED && s != FS_SKIPPED;
}


/* The known-file registry: a file's last state, by batch.  A commit is
 * final: another batch's dead letter, reject or skip of the same file
 * (an older attempt that sorts later) never hides it, or retry-failed
 * would send a committed photo again. */
static void known_put(strmap *known, const char *cesta, void *b, int st)
{
	bool added;
	sm_entry *kn = strmap_add(known, cesta, &added);
	if (!added && kn->ptr != b && kn->aux == FS_SAVED_TO_CSV && st != FS_SAVED_TO_CSV)
		return;
	kn->ptr = b;
	kn->aux = st;
}

/* ---- the store ---- */

typedef struct brec {
	batch_info info;
	file_entry *files; /* slots; cesta NULL = removed */
	size_t nslots, cap;
	strmap idx;        /* cesta -> slot + 1 (keys borrowed from files[]) */
	char *dir, *journal;
	size_t jlines;     /* journal lines, for compaction hints */
	bool lazy;         /* settled and finished: files not loaded until asked */
	bool summary_ok;   /* files.settled matches the journal on disk */
	char *summary;     /* files.settled text, during open only */
	size_t summary_len;
} brec;

struct store {
	pthread_mutex_t mu;
	char *dir, *bdir;
	brec **b;
	size_t nb, cap;
	strmap byid;   /* id -> brec (keys borrowed from the brec) */
	strmap active; /* cesta -> brec holding it in an active batch */
	strmap known;  /* cesta -> brec where it was last rejected/skipped/committed/dead,
		      * aux = that state (so lazy batches need not be loaded) */
	char *reg_text; /* registry.json as last written */
	bool repair;    /* not another process's library: crash leftovers may go */
};

static void settle(brec *b);

static brec *find(store *s, const char *id)
{
	return id ? strmap_get(&s->byid, id) : NULL;
}

static file_entry *entry(brec *b, const char *cesta)
{
	sm_entry *k = strmap_find(&b->idx, cesta);
	return k ? &b->files[k->num - 1] : NULL;
}

static void entry_clear(file_entry *f)
{
	free(f->cesta);
	free(f->description);
	free(f->custom_id);
	free(f->reason);
	free(f->alt_of);
	memset(f, 0, sizeof *f);
}

static void entry_copy(file_entry *dst, const file_entry *src)
{
	*dst = *src;
	dst->cesta = src->cesta ? xstrdup(src->cesta) : NULL;
	dst->description = xstrdup(src->description ? src->description : "");
	dst->custom_id = src->custom_id ? xstrdup(src->custom_id) : NULL;
	dst->reason = src->reason ? xstrdup(src->reason) : NULL;
	dst->alt_of = src->alt_of ? xstrdup(src->alt_of) : NULL;
	dst->fingerprint[sizeof dst->fingerprint - 1] = 0;
	dst->ed.city[sizeof dst->ed.city - 1] = 0;
	dst->ed.country[sizeof dst->ed.country - 1] = 0;
	dst->ed.date[sizeof dst->ed.date - 1] = 0;
}

/* Registry bookkeeping for one entry of b moving from old to new state
 * (old < 0: new entry; new < 0: removed). */
static void reg_move(store *s, brec *b, const char *cesta, int old, int new_)
{
	bool act = batch_state_active(b->info.state);
	bool was = act && old >= 0 && fs_registered((file_state)old);
	bool is = act && new_ >= 0 && fs_registered((file_state)new_);
	if (was && !is && strmap_get(&s->active, cesta) == b)
		strmap_del(&s->active, cesta);
	if (is)
		strmap_put(&s->active, cesta, b);
	if (new_ >= 0 && file_state_settled((file_state)new_))
		known_put(&s->known, cesta, b, new_);
	else if (strmap_get(&s->known, cesta) == b)
		strmap_del(&s->known, cesta);
	if (old >= 0)
		b->info.counts[old]--;
	if (new_ >= 0)
		b->info.counts[new_]++;
	if (old < 0 && new_ >= 0)
		b->info.nfiles++;
	if (old >= 0 && new_ < 0)
		b->info.nfiles--;
}

/* Holder of cesta in another active batch, or NULL. */
static brec *conflict(store *s, brec *b, const char *cesta)
{
	brec *h = strmap_get(&s->active, cesta);
	return h && h != b ? h : NULL;
}

static file_entry *slot_new(brec *b, const char *cesta)
{
	if (b->nslots == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 32;
		b->files = xrealloc(b->files, b->cap * sizeof *b->files);
	}
	file_entry *f = &b->files[b->nslots++];
	memset(f, 0, sizeof *f);
	f->cesta = xstrdup(cesta);
	strmap_add(&b->idx, f->cesta, NULL)->num = b->nslots;
	return f;
}

/* ---- JSON ---- */

static void jadd_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

static const char *jstr(json_object *o, const char *k)
{
	json_object *v;
	if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static void jcopy(char *dst, size_t cap, json_object *o, const char *k)
{
	const char *v = jstr(o, k);
	snprintf(dst, cap, "%s", v ? v : "");
}

static int64_t jint(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) ? json_object_get_int64(v) : 0;
}

static double jdouble(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) ? json_object_get_double(v) : 0;
}

static void jadd_time(json_object *o, const char *k, time_t t)
{
	if (!t) {
		json_object_object_add(o, k, NULL);
		return;
	}
	char iso[32];
	time_iso(t, iso);
	json_object_object_add(o, k, json_object_new_string(iso));
}

static time_t jtime(json_object *o, const char *k)
{
	const char *v = jstr(o, k);
	return v ? time_parse_iso(v) : 0;
}

static char *batch_to_json(const batch_info *b)
{
	json_object *o = json_object_new_object();
	jadd_str(o, "id", b->id);
	jadd_str(o, "kind", b->kind);
	jadd_str(o, "provider", b->provider);
	jadd_str(o, "model", b->model);
	jadd_str(o, "state", batch_state_name(b->state));
	if (b->state == BS_PAUSED)
		jadd_str(o, "paused_from", batch_state_name(b->paused_from));
	jadd_str(o, "provider_batch_id", b->provider_batch_id);
	jadd_str(o, "input_file_id", b->input_file_id);
	jadd_str(o, "output_file_id", b->output_file_id);
	jadd_str(o, "error_file_id", b->error_file_id);
	jadd_time(o, "created", b->created);
	jadd_time(o, "sent", b->sent);
	jadd_time(o, "completed", b->completed);
	json_object_object_add(o, "est_cost", json_object_new_double(b->est_cost));
	json_object_object_add(o, "actual_cost", json_object_new_double(b->actual_cost));
	json_object_object_add(o, "est_tokens", json_object_new_int64(b->est_tokens));
	json_object_object_add(o, "attempts", json_object_new_int(b->attempts));
	jadd_str(o, "note", b->note);
	char *r = xasprintf("%s\n", json_object_to_json_string_ext(o, JSON_PRETTY));
	json_object_put(o);
	return r;
}

static int batch_from_json(json_object *o, batch_info *b)
{
	memset(b, 0, sizeof *b);
	jcopy(b->id, sizeof b->id, o, "id");
	jcopy(b->kind, sizeof b->kind, o, "kind");
	jcopy(b->provider, sizeof b->provider, o, "provider");
	jcopy(b->model, sizeof b->model, o, "model");
	if (!b->id[0] || batch_state_parse(jstr(o, "state"), &b->state) < 0)
		return -1;
	if (b->state == BS_PAUSED &&
	    (batch_state_parse(jstr(o, "paused_from"), &b->paused_from) < 0 || b->paused_from == BS_PAUSED))
		b->paused_from = BS_READY;
	jcopy(b->provider_batch_id, sizeof b->provider_batch_id, o, "provider_batch_id");
	jcopy(b->input_file_id, sizeof b->input_file_id, o, "input_file_id");
	jcopy(b->output_file_id, sizeof b->output_file_id, o, "output_file_id");
	jcopy(b->error_file_id, sizeof b->error_file_id, o, "error_file_id");
	b->created = jtime(o, "created");
	b->sent = jtime(o, "sent");
	b->completed = jtime(o, "completed");
	b->est_cost = jdouble(o, "est_cost");
	b->actual_cost = jdouble(o, "actual_cost");
	b->est_tokens = (long)jint(o, "est_tokens");
	b->attempts = (int)jint(o, "attempts");
	jcopy(b->note, sizeof b->note, o, "note");
	return 0;
}

static char *file_line(const char *op, const file_entry *f)
{
	json_object *o = json_object_new_object();
	jadd_str(o, "op", op);
	jadd_str(o, "cesta", f->cesta);
	if (strcmp(op, "del")) {
		jadd_str(o, "state", file_state_name(f->state));
		if (f->reason)
			jadd_str(o, "reason", f->reason);
	}
	if (!strcmp(op, "file")) {
		jadd_str(o, "description", f->description ? f->description : "");
		if (f->editorial) {
			json_object_object_add(o, "editorial", json_object_new_boolean(1));
			jadd_str(o, "city", f->ed.city);
			jadd_str(o, "country", f->ed.country);
			jadd_str(o, "date", f->ed.date);
		}
		if (f->fingerprint[0])
			jadd_str(o, "fingerprint", f->fingerprint);
		if (f->custom_id)
			jadd_str(o, "custom_id", f->custom_id);
		if (f->attempts)
			json_object_object_add(o, "attempts", json_object_new_int(f->attempts));
		if (f->alt_of)
			jadd_str(o, "alt_of", f->alt_of);
	}
	char iso[32];
	time_iso(time(NULL), iso);
	jadd_str(o, "at", iso);
	char *r = xasprintf("%s\n", json_object_to_json_string_ext(o, JSON_LINE));
	json_object_put(o);
	return r;
}

/* Apply one journal line to b (at open: no registry bookkeeping yet). */
static int replay(brec *b, json_object *o)
{
	const char *op = jstr(o, "op"), *cesta = jstr(o, "cesta");
	if (!op || !cesta || !*cesta)
		return -1;
	file_entry *f = entry(b, cesta);
	if (!strcmp(op, "del")) {
		if (f) {
			strmap_del(&b->idx, cesta);
			entry_clear(f);
		}
		return 0;
	}
	file_state st;
	if (file_state_parse(jstr(o, "state"), &st) < 0)
		return -1;
	if (!strcmp(op, "state")) {
		if (!f)
			return -1;
		f->state = st;
		free(f->reason);
		const char *r = jstr(o, "reason");
		f->reason = r ? xstrdup(r) : NULL;
		return 0;
	}
	if (strcmp(op, "file"))
		return -1;
	if (!f)
		f = slot_new(b, cesta);
	char *keep = f->cesta;
	f->cesta = NULL;
	entry_clear(f);
	f->cesta = keep;
	f->state = st;
	const char *v;
	f->description = xstrdup((v = jstr(o, "description")) ? v : "");
	json_object *ed;
	f->editorial = json_object_object_get_ex(o, "editorial", &ed) && json_object_get_boolean(ed);
	jcopy(f->ed.city, sizeof f->ed.city, o, "city");
	jcopy(f->ed.country, sizeof f->ed.country, o, "country");
	jcopy(f->ed.date, sizeof f->ed.date, o, "date");
	jcopy(f->fingerprint, sizeof f->fingerprint, o, "fingerprint");
	f->custom_id = (v = jstr(o, "custom_id")) ? xstrdup(v) : NULL;
	f->reason = (v = jstr(o, "reason")) ? xstrdup(v) : NULL;
	f->alt_of = (v = jstr(o, "alt_of")) ? xstrdup(v) : NULL;
	f->attempts = (int)jint(o, "attempts");
	return 0;
}

/* ---- disk ---- */

/* Append one whole line and fdatasync; a short write is cut back so the
 * journal never holds half a line followed by a good one. */
static int journal_append(const char *path, const char *line, sb_err *e)
{
	int fd = open_private(path, O_WRONLY | O_CREAT | O_APPEND, e);
	if (fd < 0)
		return -1;
	struct stat st;
	off_t start = fstat(fd, &st) == 0 ? st.st_size : -1;
	size_t n = strlen(line), off = 0;
	int err = 0;
	while (off < n) {
		ssize_t w = write(fd, line + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			err = w < 0 ? errno : ENOSPC;
			break;
		}
		off += (size_t)w;
	}
	if (!err && fdatasync(fd) < 0)
		err = errno;
	if (err && start >= 0 && ftruncate(fd, start) < 0) {
		/* the torn tail is cut at the next open */
	}
	close(fd);
	if (err)
		return sb_fail(e, SBE_IO, _("cannot append to %s: %s"), path, strerror(err));
	return 0;
}

static int write_registry(store *s, sb_err *e)
{
	json_object *o = json_object_new_object(), *arr = json_object_new_array();
	json_object_object_add(o, "version", json_object_new_int(1));
	/* The live batches in full; finished ones only counted (each has its
	 * batch.json), so a batch-level change costs O(live), not O(history). */
	size_t fin[BS__COUNT] = {0};
	for (size_t i = 0; i < s->nb; i++) {
		batch_info *b = &s->b[i]->info;
		if (!batch_state_active(b->state)) {
			fin[b->state]++;
			continue;
		}
		json_object *x = json_object_new_object();
		jadd_str(x, "id", b->id);
		jadd_str(x, "state", batch_state_name(b->state));
		jadd_str(x, "kind", b->kind);
		jadd_str(x, "provider", b->provider);
		jadd_time(x, "created", b->created);
		json_object_array_add(arr, x);
	}
	json_object_object_add(o, "batches", arr);
	json_object *f = json_object_new_object();
	for (int i = 0; i < BS__COUNT; i++)
		if (fin[i])
			json_object_object_add(f, batch_state_name((batch_state)i),
					       json_object_new_int64((int64_t)fin[i]));
	json_object_object_add(o, "finished", f);
	char *text = xasprintf("%s\n", json_object_to_json_string_ext(o, JSON_PRETTY));
	json_object_put(o);
	if (s->reg_text && !strcmp(s->reg_text, text)) {
		free(text);
		return 0;
	}
	/* Rebuilt from the batch folders at every open, so it is rewritten
	 * only when it changes (not on every open). */
	char *path = path_join(s->dir, "registry.json");
	int r = atomic_write(path, text, strlen(text), 0600, e);
	if (r == 0) {
		free(s->reg_text);
		s->reg_text = text;
	} else {
		free(text);
	}
	free(path);
	return r;
}

static int write_batch(brec *b, const batch_info *info, sb_err *e)
{
	char *text = batch_to_json(info);
	char *path = path_join(b->dir, "batch.json");
	int r = atomic_write(path, text, strlen(text), 0600, e);
	free(path);
	free(text);
	return r;
}

static int rm_rf(const char *path)
{
	/* never through a symlink: a planted .trash-x -> /elsewhere would
	 * otherwise empty /elsewhere */
	struct stat top;
	if (lstat(path, &top) < 0)
		return -1;
	if (!S_ISDIR(top.st_mode))
		return unlink(path);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char *p = path_join(path, de->d_name);
		struct stat st;
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			rm_rf(p);
		else
			unlink(p);
		free(p);
	}
	closedir(d);
	return rmdir(path);
}

/* Leftover temp files of an interrupted atomic_write ("x.tmp.PID"). */
static void remove_tmp_files(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d)))
		if (strstr(de->d_name, ".tmp.")) {
			char *p = path_join(dir, de->d_name);
			unlink(p);
			free(p);
		}
	closedir(d);
}

static brec *brec_new(store *s, const char *id)
{
	brec *b = xcalloc(1, sizeof *b);
	b->dir = path_join(s->bdir, id);
	b->journal = path_join(b->dir, "files.jsonl");
	return b;
}

static void brec_free(brec *b)
{
	for (size_t i = 0; i < b->nslots; i++)
		entry_clear(&b->files[i]);
	free(b->files);
	strmap_free(&b->idx);
	free(b->dir);
	free(b->journal);
	free(b->summary);
	free(b);
}

static void add_brec(store *s, brec *b)
{
	if (s->nb == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->b = xrealloc(s->b, s->cap * sizeof *s->b);
	}
	s->b[s->nb++] = b;
	strmap_put(&s->byid, b->info.id, b);
}

/* Load files.jsonl; a torn last line (no newline: the crash hit mid-write)
 * is dropped and cut off so the next append starts clean. */
static int load_journal(brec *b, bool repair, sb_err *e)
{
	char *data;
	size_t len;
	sb_err e2;
	if (read_whole_file(b->journal, &data, &len, &e2) < 0) {
		if (e2.code == SBE_NOTFOUND)
			return 0;
		return sb_fail(e, e2.code, "%s", e2.msg);
	}
	size_t good = 0, lineno = 0;
	json_tokener *tok = json_tokener_new();
	for (size_t off = 0; off < len;) {
		char *nl = memchr(data + off, '\n', len - off);
		if (!nl)
			break;
		lineno++;
		size_t ll = (size_t)(nl - (data + off));
		json_tokener_reset(tok);
		json_object *o = ll ? json_tokener_parse_ex(tok, data + off, (int)ll) : NULL;
		if (ll && (!o || replay(b, o) < 0))
			sb_log(LOG_WARN, _("%s:%zu: unreadable journal line ignored"), b->journal, lineno);
		json_object_put(o);
		off += ll + 1;
		good = off;
		b->jlines++;
	}
	json_tokener_free(tok);
	free(data);
	if (good < len && repair) {
		sb_log(LOG_WARN, _("%s: dropped an incomplete last line (%zu bytes) left by a crash"),
		       b->journal, len - good);
		if (truncate(b->journal, (off_t)good) < 0)
			return sb_fail(e, SBE_IO, _("cannot repair %s: %s"), b->journal, strerror(errno));
	}
	/* counts and nfiles are derived, never trusted from disk */
	memset(b->info.counts, 0, sizeof b->info.counts);
	b->info.nfiles = 0;
	for (size_t i = 0; i < b->nslots; i++)
		if (b->files[i].cesta) {
			b->info.counts[b->files[i].state]++;
			b->info.nfiles++;
		}
	return 0;
}

/* ---- files.settled: what open needs of a finished, settled batch ---- */

#define SUMMARY_MAGIC "stockbatch-settled 1"

/* Finished, and every file in a final state: the batch will not change
 * unless someone retries one of its files (which appends to the journal). */
static bool batch_settled(const brec *b)
{
	size_t settled = 0;
	for (int i = 0; i < FS__COUNT; i++)
		if (file_state_settled((file_state)i))
			settled += b->info.counts[i];
	return !batch_state_active(b->info.state) && settled == b->info.nfiles;
}

/* Written without fsync: it is only a cache of the journal, checked at open
 * against the journal's size and mtime and its own checksum, so a torn or
 * stale one just means the journal is read (and the summary rewritten). */
static void write_summary(brec *b)
{
	struct stat st;
	if (b->lazy || b->summary_ok || !batch_settled(b) || stat(b->journal, &st) < 0)
		return;
	sbuf body = {0};
	for (size_t i = 0; i < b->nslots; i++) {
		const char *c = b->files[i].cesta;
		if (!c)
			continue;
		if (strpbrk(c, "\t\n\r")) { /* not representable: stay eager */
			sbuf_free(&body);
			return;
		}
		sbuf_printf(&body, "%s\t%s\n", file_state_name(b->files[i].state), c);
	}
	sbuf t = {0};
	sbuf_printf(&t, SUMMARY_MAGIC " %lld %lld %ld %zu %016llx\n", (long long)st.st_size,
		    (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec, b->info.nfiles,
		    fnv1a64(body.p ? body.p : "", body.len));
	sbuf_add(&t, body.p ? body.p : "", body.len);
	sbuf_free(&body);
	char *path = path_join(b->dir, "files.settled");
	char *tmp = NULL;
	int fd = util_create_temp(path, &tmp, NULL);
	bool ok = fd >= 0;
	for (size_t off = 0; ok && off < t.len;) {
		ssize_t w = write(fd, t.p + off, t.len - off);
		if (w < 0 && errno == EINTR)
			continue;
		ok = w > 0;
		off += ok ? (size_t)w : 0;
	}
	if (fd >= 0 && close(fd) < 0)
		ok = false;
	if (ok && rename(tmp, path) == 0)
		b->summary_ok = true;
	else if (tmp)
		unlink(tmp);
	free(tmp);
	free(path);
	sbuf_free(&t);
}

/* Read files.settled if it still describes the journal: fills counts and
 * nfiles, keeps the text (lines NUL-terminated) for the registry pass. */
static bool read_summary(brec *b)
{
	struct stat st;
	if (stat(b->journal, &st) < 0)
		return false;
	char *path = path_join(b->dir, "files.settled"), *text;
	size_t len;
	int r = read_whole_file(path, &text, &len, NULL);
	free(path);
	if (r < 0)
		return false;
	long long size, sec, sum;
	long nsec;
	size_t n;
	int hl = 0;
	char *nl = memchr(text, '\n', len);
	if (!nl || sscanf(text, SUMMARY_MAGIC " %lld %lld %ld %zu %llx%n", &size, &sec, &nsec, &n,
			  (unsigned long long *)&sum, &hl) != 5 ||
	    text + hl != nl || size != (long long)st.st_size || sec != (long long)st.st_mtim.tv_sec ||
	    nsec != (long)st.st_mtim.tv_nsec)
		goto bad;
	char *body = nl + 1, *end = text + len;
	if ((unsigned long long)sum != fnv1a64(body, (size_t)(end - body)))
		goto bad;
	size_t counts[FS__COUNT] = {0}, k = 0;
	for (char *p = body; p < end; k++) {
		char *e = memchr(p, '\n', (size_t)(end - p)), *tab;
		if (!e)
			goto bad;
		*e = 0;
		file_state fs;
		if (!(tab = strchr(p, '\t')) || !tab[1])
			goto bad;
		*tab = 0;
		if (file_state_parse(p, &fs) < 0 || !file_state_settled(fs))
			goto bad;
		*tab = '\t';
		counts[fs]++;
		p = e + 1;
	}
	if (k != n)
		goto bad;
	memcpy(b->info.counts, counts, sizeof counts);
	b->info.nfiles = n;
	b->summary = text;
	b->summary_len = len;
	b->lazy = b->summary_ok = true;
	return true;
bad:
	free(text);
	return false;
}

/* The known-file registry entries of a lazy batch, from its summary. */
static void summary_register(store *s, brec *b)
{
	char *p = memchr(b->summary, '\n', b->summary_len) + 1, *end = b->summary + b->summary_len;
	while (p < end) {
		size_t l = strlen(p);
		char *tab = strchr(p, '\t');
		*tab = 0;
		file_state fs = FS_SAVED_TO_CSV;
		file_state_parse(p, &fs);
		known_put(&s->known, tab + 1, b, (int)fs);
		p += l + 1;
	}
	free(b->summary);
	b->summary = NULL;
}

/* Read a lazy batch's journal, on its first use after open. */
static int ensure_loaded(store *s, brec *b, sb_err *e)
{
	if (!b->lazy)
		return 0;
	if (load_journal(b, s->repair, e) < 0)
		return -1;
	b->lazy = false;
	/* the summary matched this journal; keep the known registry exact anyway */
	for (size_t i = 0; i < b->nslots; i++) {
		const char *c = b->files[i].cesta;
		sm_entry *kn = c ? strmap_find(&s->known, c) : NULL;
		if (!kn || kn->ptr != b)
			continue;
		if (file_state_settled(b->files[i].state))
			kn->aux = (int)b->files[i].state;
		else
			strmap_del(&s->known, c);
	}
	return 0;
}

static int cmp_brec(const void *a, const void *b)
{
	const brec *x = *(brec *const *)a, *y = *(brec *const *)b;
	if (x->info.created != y->info.created)
		return x->info.created < y->info.created ? -1 : 1;
	return strcmp(x->info.id, y->info.id);
}

static int load_all(store *s, sb_err *e)
{
	DIR *d = opendir(s->bdir);
	if (!d)
		return sb_fail(e, SBE_IO, _("cannot read %s: %s"), s->bdir, strerror(errno));
	struct dirent *de;
	int rc = 0;
	while (rc == 0 && (de = readdir(d))) {
		const char *name = de->d_name;
		if (name[0] == '.') {
			/* half-born or half-dead batch folders of a crash */
			if (s->repair && (!strncmp(name, ".new-", 5) || !strncmp(name, ".trash-", 7))) {
				char *p = path_join(s->bdir, name);
				rm_rf(p);
				free(p);
			}
			continue;
		}
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		brec *b = brec_new(s, name);
		struct stat st;
		if (de->d_type == DT_UNKNOWN && (stat(b->dir, &st) < 0 || !S_ISDIR(st.st_mode))) {
			brec_free(b);
			continue;
		}
		char *bj = path_join(b->dir, "batch.json");
		char *text;
		size_t len;
		sb_err e2;
		json_object *o = NULL;
		if (read_whole_file(bj, &text, &len, &e2) == 0) {
			o = json_tokener_parse(text);
			free(text);
		}
		if (!o || batch_from_json(o, &b->info) < 0 || strcmp(b->info.id, name)) {
			sb_log(LOG_ERROR, _("%s: not a valid batch file; batch folder %s ignored"), bj, b->dir);
			json_object_put(o);
			free(bj);
			brec_free(b);
			continue;
		}
		json_object_put(o);
		free(bj);
		/* a finished, settled batch is read from its summary, if current */
		if (!batch_state_active(b->info.state) && read_summary(b)) {
			add_brec(s, b);
			continue;
		}
		/* temp files: of a live batch, or a crash while settling one */
		if (s->repair)
			remove_tmp_files(b->dir);
		if (load_journal(b, s->repair, e) < 0) {
			brec_free(b);
			rc = -1;
			break;
		}
		if (s->repair)
			write_summary(b); /* settled but no summary yet: next open is quick */
		add_brec(s, b);
	}
	closedir(d);
	if (rc < 0)
		return -1;
	if (s->nb > 1)
		qsort(s->b, s->nb, sizeof *s->b, cmp_brec);
	/* the registries, oldest batch first: a file claimed twice stays with
	 * its first batch, and the second claim is reported */
	for (size_t i = 0; i < s->nb; i++) {
		brec *b = s->b[i];
		bool act = batch_state_active(b->info.state);
		if (b->summary)
			summary_register(s, b);
		for (size_t j = 0; j < b->nslots; j++) {
			file_entry *f = &b->files[j];
			if (!f->cesta)
				continue;
			if (file_state_settled(f->state))
				known_put(&s->known, f->cesta, b, (int)f->state);
			if (!act || !fs_registered(f->state))
				continue;
			brec *h = strmap_get(&s->active, f->cesta);
			if (h)
				sb_log(LOG_ERROR,
				       _("%s is in two active batches (%s and %s); cancel one of them"),
				       f->cesta, h->info.id, b->info.id);
			else
				strmap_put(&s->active, f->cesta, b);
		}
	}
	return 0;
}

int store_open(const char *state_dir, store **out, sb_err *e)
{
	*out = NULL;
	store *s = xcalloc(1, sizeof *s);
	pthread_mutex_init(&s->mu, NULL);
	s->dir = xstrdup(state_dir);
	s->bdir = path_join(state_dir, "batches");
	strmap_init(&s->active, true);
	strmap_init(&s->known, true); /* outlives a lazy batch's summary text */
	/* Another running instance owns the folder: read it, touch nothing
	 * (its temp files and half-written lines are work in progress). */
	s->repair = lock_check(state_dir) != LOCK_OTHER;
	if (mkdir_p(s->bdir, 0700, e) < 0 || load_all(s, e) < 0) {
		store_close(s);
		return -1;
	}
	if (s->repair)
		remove_tmp_files(s->dir);
	char *rp = path_join(s->dir, "registry.json");
	size_t rl;
	if (read_whole_file(rp, &s->reg_text, &rl, NULL) < 0)
		s->reg_text = NULL;
	free(rp);
	sb_err e2;
	if (s->repair && write_registry(s, &e2) < 0)
		sb_log(LOG_WARN, "%s", e2.msg);
	*out = s;
	return 0;
}

void store_close(store *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nb; i++)
		brec_free(s->b[i]);
	free(s->b);
	strmap_free(&s->byid);
	strmap_free(&s->active);
	strmap_free(&s->known);
	free(s->dir);
	free(s->bdir);
	free(s->reg_text);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

const char *store_path(const store *s)
{
	return s->dir;
}

char *store_batch_path(const store *s, const char *batch_id, const char *file)
{
	char *d = path_join(s->bdir, batch_id);
	if (!file)
		return d;
	char *p = path_join(d, file);
	free(d);
	return p;
}

#define LOCK(s) pthread_mutex_lock(&(s)->mu)
#define UNLOCK(s) pthread_mutex_unlock(&(s)->mu)

size_t store_list(store *s, batch_info **out)
{
	LOCK(s);
	*out = xcalloc(s->nb ? s->nb : 1, sizeof **out);
	for (size_t i = 0; i < s->nb; i++)
		(*out)[i] = s->b[i]->info;
	size_t n = s->nb;
	UNLOCK(s);
	return n;
}

int store_get(store *s, const char *batch_id, batch_info *out)
{
	LOCK(s);
	brec *b = find(s, batch_id);
	if (b)
		*out = b->info;
	UNLOCK(s);
	return b ? 0 : -1;
}

static int no_batch(sb_err *e, const char *id)
{
	return sb_fail(e, SBE_NOTFOUND, _("no batch %s in the state directory; see `stockbatch status`"),
		       id ? id : "(null)");
}

static void new_id(store *s, char id[40])
{
	for (;;) {
		time_t t = time(NULL);
		struct tm tm;
		gmtime_r(&t, &tm);
		uint16_t r = 0;
		if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
			r = (uint16_t)(rand() ^ getpid());
		char ts[32];
		strftime(ts, sizeof ts, "%Y%m%d-%H%M%S", &tm);
		snprintf(id, 40, "b%s-%04x", ts, r);
		char *p = path_join(s->bdir, id);
		bool taken = find(s, id) || file_exists(p);
		free(p);
		if (!taken)
			return;
	}
}

/* A new batch folder, born complete: built under .new-<id>, then renamed. */
static brec *create_batch(store *s, const char *kind, const char *provider, const char *model,
			  sb_err *e)
{
	char id[40];
	new_id(s, id);
	brec *b = brec_new(s, id);
	batch_info *i = &b->info;
	snprintf(i->id, sizeof i->id, "%s", id);
	snprintf(i->kind, sizeof i->kind, "%s", kind ? kind : "originals");
	snprintf(i->provider, sizeof i->provider, "%s", provider ? provider : provider_default_name);
	snprintf(i->model, sizeof i->model, "%s", model ? model : "");
	i->state = BS_COLLECTING;
	i->created = time(NULL);

	char *tmpname = xasprintf(".new-%s", id);
	char *tmpdir = path_join(s->bdir, tmpname);
	free(tmpname);
	char *bj = path_join(tmpdir, "batch.json"), *fj = path_join(tmpdir, "files.jsonl");
	char *text = batch_to_json(i);
	int r = -1;
	if (mkdir(tmpdir, 0700) < 0)
		sb_fail(e, SBE_IO, _("cannot create %s: %s"), tmpdir, strerror(errno));
	else if (atomic_write(bj, text, strlen(text), 0600, e) == 0 &&
		 atomic_write(fj, "", 0, 0600, e) == 0) {
		if (rename(tmpdir, b->dir) < 0) {
			sb_fail(e, SBE_IO, _("cannot create %s: %s"), b->dir, strerror(errno));
		} else {
			r = 0;
			if (fsync_dir_of(b->dir) < 0)
				sb_log(LOG_WARN, _("cannot sync %s: %s"), s->bdir, strerror(errno));
		}
	}
	if (r < 0)
		rm_rf(tmpdir);
	free(text);
	free(bj);
	free(fj);
	free(tmpdir);
	if (r < 0) {
		brec_free(b);
		return NULL;
	}
	add_brec(s, b);
	sb_err e2;
	if (write_registry(s, &e2) < 0)
		sb_log(LOG_WARN, "%s", e2.msg); /* the folder is the truth; the index is rebuilt */
	return b;
}

int store_collecting(store *s, const char *kind, const char *provider, const char *model,
		     batch_info *out, sb_err *e)
{
	LOCK(s);
	brec *b = NULL;
	for (size_t i = s->nb; i-- > 0;) {
		batch_info *x = &s->b[i]->info;
		if (x->state == BS_COLLECTING && !strcmp(x->kind, kind ? kind : "originals") &&
		    (!provider || !strcmp(x->provider, provider))) {
			b = s->b[i];
			break;
		}
	}
	if (!b)
		b = create_batch(s, kind, provider, model, e);
	if (b)
		*out = b->info;
	UNLOCK(s);
	return b ? 0 : -1;
}

static int set_state_locked(store *s, brec *b, batch_state to, const char *note, sb_err *e)
{
	if (ensure_loaded(s, b, e) < 0)
		return -1;
	batch_info ni = b->info;
	batch_state from = ni.state;
	if (from == to) {
		if (note && strcmp(note, ni.note)) {
			snprintf(ni.note, sizeof ni.note, "%s", note);
			if (write_batch(b, &ni, e) < 0)
				return -1;
			b->info = ni;
		}
		return 0;
	}
	if (!batch_transition_ok(from, to) || (from == BS_PAUSED && !resume_ok(ni.paused_from, to)))
		return sb_fail(e, SBE_CONFLICT, _("batch %s cannot go from %s to %s"), ni.id,
			       batch_state_name(from == BS_PAUSED ? ni.paused_from : from),
			       batch_state_name(to));
	bool was_act = batch_state_active(from), act = batch_state_active(to);
	if (act && !was_act) {
		for (size_t i = 0; i < b->nslots; i++) {
			file_entry *f = &b->files[i];
			brec *h;
			if (f->cesta && fs_registered(f->state) && (h = conflict(s, b, f->cesta)))
				return sb_fail(e, SBE_CONFLICT,
					       _("batch %s cannot become %s: %s is already in batch %s"),
					       ni.id, batch_state_name(to), f->cesta, h->info.id);
		}
	}
	if (to == BS_PAUSED)
		ni.paused_from = from;
	ni.state = to;
	if (to == BS_SENT && !ni.sent)
		ni.sent = time(NULL);
	if ((to == BS_COMPLETED || to == BS_FAILED || to == BS_CANCELLED || to == BS_EXPIRED) &&
	    !ni.completed)
		ni.completed = time(NULL);
	if (note)
		snprintf(ni.note, sizeof ni.note, "%s", note);
	if (write_batch(b, &ni, e) < 0)
		return -1;
	b->info = ni;
	if (was_act != act) {
		for (size_t i = 0; i < b->nslots; i++) {
			file_entry *f = &b->files[i];
			if (!f->cesta || !fs_registered(f->state))
				continue;
			if (act)
				strmap_put(&s->active, f->cesta, b);
			else if (strmap_get(&s->active, f->cesta) == b)
				strmap_del(&s->active, f->cesta);
		}
	}
	sb_err e2;
	if (write_registry(s, &e2) < 0)
		sb_log(LOG_WARN, "%s", e2.msg);
	settle(b);
	return 0;
}

int store_set_state(store *s, const char *batch_id, batch_state to, const char *note, sb_err *e)
{
	LOCK(s);
	brec *b = find(s, batch_id);
	int r = b ? set_state_locked(s, b, to, note, e) : no_batch(e, batch_id);
	UNLOCK(s);
	return r;
}

int store_new_batch(store *s, const char *kind, const char *provider, const char *model,
		    batch_state state, batch_info *out, sb_err *e)
{
	LOCK(s);
	brec *b = create_batch(s, kind, provider, model, e);
	int r = b ? 0 : -1;
	/* under the same lock: no collector can pick it up as "collecting" */
	if (b && state != BS_COLLECTING)
		r = set_state_locked(s, b, state, NULL, e);
	if (b && out)
		*out = b->info;
	UNLOCK(s);
	return r;
}

int store_update(store *s, const batch_info *in, sb_err *e)
{
	LOCK(s);
	brec *b = find(s, in->id);
	int r = -1;
	if (!b) {
		r = no_batch(e, in->id);
	} else {
		batch_info ni = b->info;
		memcpy(ni.model, in->model, sizeof ni.model);
		ni.model[sizeof ni.model - 1] = 0;
#define CP(f) (memcpy(ni.f, in->f, sizeof ni.f), ni.f[sizeof ni.f - 1] = 0)
		CP(provider_batch_id);
		CP(input_file_id);
		CP(output_file_id);
		CP(error_file_id);
		CP(note);
#undef CP
		if (in->created)
			ni.created = in->created;
		ni.sent = in->sent;
		ni.completed = in->completed;
		ni.est_cost = in->est_cost;
		ni.actual_cost = in->actual_cost;
		ni.est_tokens = in->est_tokens;
		ni.attempts = in->attempts;
		if ((r = write_batch(b, &ni, e)) == 0)
			b->info = ni;
	}
	UNLOCK(s);
	return r;
}

int store_seal_if_full(store *s, const char *batch_id, size_t batch_size, sb_err *e)
{
	LOCK(s);
	brec *b = find(s, batch_id);
	int r;
	if (!b) {
		r = no_batch(e, batch_id);
	} else {
		size_t have = b->info.counts[FS_PENDING] + b->info.counts[FS_DESCRIPTION_SAVED];
		r = 0;
		if (b->info.state == BS_COLLECTING && batch_size > 0 && have >= batch_size)
			r = set_state_locked(s, b, BS_READY, NULL, e) < 0 ? -1 : 1;
	}
	UNLOCK(s);
	return r;
}

/* Files may be added or replaced while the batch has not gone out. */
static bool batch_open(const batch_info *i)
{
	batch_state st = i->state == BS_PAUSED ? i->paused_from : i->state;
	return st == BS_COLLECTING || st == BS_READY;
}

/* "<stem>_<batch id>", stem from a Windows or POSIX path. */
static char *default_custom_id(const char *cesta, const char *id)
{
	const char *base = cesta;
	for (const char *p = cesta; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	const char *dot = strrchr(base, '.');
	size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	return xasprintf("%.*s_%s", (int)n, base, id);
}

int store_add_file(store *s, const char *batch_id, const file_entry *f, sb_err *e)
{
	if (!f->cesta || !*f->cesta)
		return sb_fail(e, SBE_INPUT, "%s", _("a file without a path (Cesta) cannot be stored"));
	if ((unsigned)f->state >= FS__COUNT)
		return sb_fail(e, SBE_INPUT, _("%s: invalid file state"), f->cesta);
	LOCK(s);
	int r = -1;
	brec *b = find(s, batch_id), *h;
	if (b && ensure_loaded(s, b, e) < 0) {
		UNLOCK(s);
		return -1;
	}
	file_entry *old = b ? entry(b, f->cesta) : NULL;
	if (!b) {
		r = no_batch(e, batch_id);
	} else if (!batch_open(&b->info)) {
		r = sb_fail(e, SBE_CONFLICT, _("batch %s is %s: files can no longer be added to it"),
			    b->info.id, batch_state_name(b->info.state));
	} else if (fs_registered(f->state) && (h = conflict(s, b, f->cesta))) {
		r = sb_fail(e, SBE_CONFLICT, _("%s is already in batch %s (%s); it cannot be in two"),
			    f->cesta, h->info.id, batch_state_name(h->info.state));
	} else {
		file_entry n;
		entry_copy(&n, f);
		if (!n.custom_id)
			n.custom_id = default_custom_id(f->cesta, b->info.id);
		char *line = file_line("file", &n);
		r = journal_append(b->journal, line, e);
		free(line);
		if (r == 0) {
			int olds = old ? (int)old->state : -1;
			if (!old)
				old = slot_new(b, f->cesta);
			char *keep = old->cesta;
			free(n.cesta);
			n.cesta = keep;
			old->cesta = NULL;
			entry_clear(old);
			*old = n;
			b->jlines++;
			b->summary_ok = false;
			reg_move(s, b, keep, olds, (int)n.state);
		} else {
			entry_clear(&n);
		}
	}
	UNLOCK(s);
	return r;
}

/* Returned arrays, so that file_entries_free(&one, 1) on a store_file_get
 * result (a caller's own variable) frees only the strings. */
static pthread_mutex_t arrays_mu = PTHREAD_MUTEX_INITIALIZER;
static strmap arrays = {.copy = true};

int store_files(store *s, const char *batch_id, file_entry **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	LOCK(s);
	brec *b = find(s, batch_id);
	sb_err e;
	if (!b || ensure_loaded(s, b, &e) < 0) {
		if (b)
			sb_log(LOG_ERROR, "%s", e.msg);
		UNLOCK(s);
		return -1;
	}
	file_entry *v = xcalloc(b->info.nfiles ? b->info.nfiles : 1, sizeof *v);
	size_t k = 0;
	for (size_t i = 0; i < b->nslots; i++)
		if (b->files[i].cesta)
			entry_copy(&v[k++], &b->files[i]);
	UNLOCK(s);
	char key[32];
	snprintf(key, sizeof key, "%p", (void *)v);
	pthread_mutex_lock(&arrays_mu);
	strmap_put(&arrays, key, v);
	pthread_mutex_unlock(&arrays_mu);
	*out = v;
	*n = k;
	return 0;
}

void file_entry_clear(file_entry *f)
{
	if (f)
		entry_clear(f);
}

void file_entries_free(file_entry *f, size_t n)
{
	if (!f)
		return;
	for (size_t i = 0; i < n; i++)
		entry_clear(&f[i]);
	char key[32];
	snprintf(key, sizeof key, "%p", (void *)f);
	pthread_mutex_lock(&arrays_mu);
	bool ours = strmap_get(&arrays, key) == f;
	if (ours)
		strmap_del(&arrays, key);
	if (!arrays.n)
		strmap_free(&arrays);
	pthread_mutex_unlock(&arrays_mu);
	if (ours)
		free(f);
}

int store_file_get(store *s, const char *batch_id, const char *cesta, file_entry *out)
{
	LOCK(s);
	brec *b = find(s, batch_id);
	sb_err e;
	if (b && ensure_loaded(s, b, &e) < 0) {
		sb_log(LOG_ERROR, "%s", e.msg);
		b = NULL;
	}
	file_entry *f = b && cesta ? entry(b, cesta) : NULL;
	if (f)
		entry_copy(out, f);
	UNLOCK(s);
	return f ? 0 : -1;
}

static int no_file(sb_err *e, const char *id, const char *cesta)
{
	return sb_fail(e, SBE_NOTFOUND, _("%s is not in batch %s"), cesta ? cesta : "(null)",
		       id ? id : "(null)");
}

static int bad_move(sb_err *e, const char *cesta, file_state from, file_state to)
{
	return sb_fail(e, SBE_CONFLICT, _("%s cannot go from %s to %s"), cesta, file_state_name(from),
		       file_state_name(to));
}

int store_file_set_state(store *s, const char *batch_id, const char *cesta, file_state to,
			 const char *reason, sb_err *e)
{
	LOCK(s);
	int r = -1;
	brec *b = find(s, batch_id), *h;
	if (b && ensure_loaded(s, b, e) < 0) {
		UNLOCK(s);
		return -1;
	}
	file_entry *f = b && cesta ? entry(b, cesta) : NULL;
	if (!b)
		r = no_batch(e, batch_id);
	else if (!f)
		r = no_file(e, batch_id, cesta);
	else if (f->state == to && !reason == !f->reason &&
		 (!reason || !strcmp(reason, f->reason)))
		r = 0; /* already there: replays after a crash are harmless */
	else if (f->state != to && !file_transition_ok(f->state, to))
		r = bad_move(e, cesta, f->state, to);
	else if (batch_state_active(b->info.state) && fs_registered(to) && !fs_registered(f->state) &&
		 (h = conflict(s, b, cesta)))
		r = sb_fail(e, SBE_CONFLICT, _("%s is already in batch %s; it cannot be in two"), cesta,
			    h->info.id);
	else {
		file_entry tmp = {.cesta = f->cesta, .state = to, .reason = (char *)reason};
		char *line = file_line("state", &tmp);
		r = journal_append(b->journal, line, e);
		free(line);
		if (r == 0) {
			file_state old = f->state;
			f->state = to;
			free(f->reason);
			f->reason = reason ? xstrdup(reason) : NULL;
			b->jlines++;
			b->summary_ok = false;
			reg_move(s, b, f->cesta, (int)old, (int)to);
		}
		if (r == 0)
			settle(b);
	}
	UNLOCK(s);
	return r;
}

int store_file_update(store *s, const char *batch_id, const file_entry *in, sb_err *e)
{
	if (!in->cesta || (unsigned)in->state >= FS__COUNT)
		return sb_fail(e, SBE_INPUT, "%s", _("invalid file entry"));
	LOCK(s);
	int r = -1;
	brec *b = find(s, batch_id), *h;
	if (b && ensure_loaded(s, b, e) < 0) {
		UNLOCK(s);
		return -1;
	}
	file_entry *f = b ? entry(b, in->cesta) : NULL;
	if (!b)
		r = no_batch(e, batch_id);
	else if (!f)
		r = no_file(e, batch_id, in->cesta);
	else if (f->state != in->state && !file_transition_ok(f->state, in->state))
		r = bad_move(e, in->cesta, f->state, in->state);
	else if (batch_state_active(b->info.state) && fs_registered(in->state) &&
		 !fs_registered(f->state) && (h = conflict(s, b, in->cesta)))
		r = sb_fail(e, SBE_CONFLICT, _("%s is already in batch %s; it cannot be in two"),
			    in->cesta, h->info.id);
	else {
		file_entry n;
		entry_copy(&n, in);
		char *line = file_line("file", &n);
		r = journal_append(b->journal, line, e);
		free(line);
		if (r == 0) {
			file_state old = f->state;
			free(n.cesta);
			n.cesta = f->cesta;
			f->cesta = NULL;
			entry_clear(f);
			*f = n;
			b->jlines++;
			b->summary_ok = false;
			reg_move(s, b, f->cesta, (int)old, (int)n.state);
			settle(b);
		} else {
			entry_clear(&n);
		}
	}
	UNLOCK(s);
	return r;
}

int store_remove_file(store *s, const char *batch_id, const char *cesta, sb_err *e)
{
	LOCK(s);
	int r = -1;
	brec *b = find(s, batch_id);
	if (b && ensure_loaded(s, b, e) < 0) {
		UNLOCK(s);
		return -1;
	}
	file_entry *f = b && cesta ? entry(b, cesta) : NULL;
	if (!b)
		r = no_batch(e, batch_id);
	else if (!f)
		r = no_file(e, batch_id, cesta);
	else if (!batch_open(&b->info) || f->state == FS_BATCH_SENT ||
		 f->state == FS_BATCH_COMPLETED || f->state == FS_SAVED_TO_CSV)
		r = sb_fail(e, SBE_CONFLICT, _("%s has been sent in batch %s and cannot be removed"),
			    cesta, b->info.id);
	else {
		file_entry tmp = {.cesta = f->cesta};
		char *line = file_line("del", &tmp);
		r = journal_append(b->journal, line, e);
		free(line);
		if (r == 0) {
			reg_move(s, b, f->cesta, (int)f->state, -1);
			strmap_del(&b->idx, f->cesta);
			entry_clear(f);
			b->jlines++;
			b->summary_ok = false;
		}
	}
	UNLOCK(s);
	return r;
}

bool store_file_batch(store *s, const char *cesta, char batch_id[40])
{
	LOCK(s);
	brec *b = cesta ? strmap_get(&s->active, cesta) : NULL;
	if (b && batch_id)
		snprintf(batch_id, 40, "%s", b->info.id);
	UNLOCK(s);
	return b != NULL;
}

bool store_file_known(store *s, const char *cesta, file_state *state)
{
	LOCK(s);
	sm_entry *kn = cesta ? strmap_find(&s->known, cesta) : NULL;
	bool r = kn && file_state_settled((file_state)kn->aux);
	if (r && state)
		*state = (file_state)kn->aux;
	UNLOCK(s);
	return r;
}

int store_save_draft(store *s, const char *cesta, const char *text, sb_err *e)
{
	json_object *o = json_object_new_object();
	jadd_str(o, "cesta", cesta ? cesta : "");
	jadd_str(o, "text", text ? text : "");
	char iso[32];
	time_iso(time(NULL), iso);
	jadd_str(o, "saved", iso);
	char *t = xasprintf("%s\n", json_object_to_json_string_ext(o, JSON_PRETTY));
	json_object_put(o);
	LOCK(s);
	char *p = path_join(s->dir, "draft.json");
	int r = atomic_write(p, t, strlen(t), 0600, e);
	UNLOCK(s);
	free(p);
	free(t);
	return r;
}

char *store_load_draft(store *s, char **cesta)
{
	if (cesta)
		*cesta = NULL;
	LOCK(s);
	char *p = path_join(s->dir, "draft.json"), *data;
	size_t len;
	char *text = NULL;
	if (read_whole_file(p, &data, &len, NULL) == 0) {
		json_object *o = json_tokener_parse(data);
		const char *t = o ? jstr(o, "text") : NULL, *c = o ? jstr(o, "cesta") : NULL;
		if (t) {
			text = xstrdup(t);
			if (cesta)
				*cesta = xstrdup(c ? c : "");
		}
		json_object_put(o);
		free(data);
	}
	UNLOCK(s);
	free(p);
	return text;
}

int store_clear_draft(store *s, sb_err *e)
{
	LOCK(s);
	char *p = path_join(s->dir, "draft.json");
	int r = 0;
	if (unlink(p) < 0 && errno != ENOENT)
		r = sb_fail(e, SBE_IO, _("cannot remove %s: %s"), p, strerror(errno));
	else
		fsync_dir_of(p);
	UNLOCK(s);
	free(p);
	return r;
}

int store_cost_log(store *s, const char *batch_id, const char *what, double usd, long tokens,
		   sb_err *e)
{
	json_object *o = json_object_new_object();
	char iso[32];
	time_iso(time(NULL), iso);
	jadd_str(o, "at", iso);
	jadd_str(o, "batch", batch_id);
	jadd_str(o, "what", what);
	json_object_object_add(o, "usd", json_object_new_double(usd));
	json_object_object_add(o, "tokens", json_object_new_int64(tokens));
	char *line = xasprintf("%s\n", json_object_to_json_string_ext(o, JSON_LINE));
	json_object_put(o);
	LOCK(s);
	char *p = path_join(s->dir, "cost.jsonl");
	int r = journal_append(p, line, e);
	UNLOCK(s);
	free(p);
	free(line);
	return r;
}

static int compact_locked(brec *b, sb_err *e)
{
	sbuf t = {0};
	size_t k = 0;
	for (size_t i = 0; i < b->nslots; i++) {
		file_entry *f = &b->files[i];
		if (!f->cesta)
			continue;
		char *line = file_line("file", f);
		sbuf_adds(&t, line);
		free(line);
		if (k != i) { /* squeeze out removed slots */
			b->files[k] = *f;
			memset(f, 0, sizeof *f);
		}
		k++;
	}
	int r = atomic_write(b->journal, t.p ? t.p : "", t.len, 0600, e);
	sbuf_free(&t);
	b->summary_ok = false; /* a new journal file: new size and mtime */
	/* slots moved: the index follows (also when the write failed) */
	b->nslots = k;
	strmap_free(&b->idx);
	for (size_t i = 0; i < k; i++)
		strmap_add(&b->idx, b->files[i].cesta, NULL)->num = i + 1;
	if (r == 0)
		b->jlines = k;
	return r;
}

/* A finished batch whose files are all settled will not change again: its
 * journal is rewritten to one line per file, so later opens read less. */
static void settle(brec *b)
{
	if (b->lazy || !batch_settled(b))
		return;
	sb_err e;
	if (b->jlines > b->info.nfiles && compact_locked(b, &e) < 0)
		sb_log(LOG_WARN, "%s", e.msg);
	write_summary(b); /* and later opens need not read the journal at all */
}

int store_compact(store *s, const char *batch_id, sb_err *e)
{
	LOCK(s);
	brec *b = find(s, batch_id);
	int r = !b ? no_batch(e, batch_id) : ensure_loaded(s, b, e) < 0 ? -1 : compact_locked(b, e);
	UNLOCK(s);
	return r;
}

/* Drop every known-registry entry pointing at b. */
static void known_drop(store *s, brec *b)
{
	for (size_t i = s->known.n; i-- > 0;)
		if (s->known.e[i].ptr == b)
			strmap_del_at(&s->known, i);
}

int store_forget(store *s, const char *batch_id, sb_err *e)
{
	LOCK(s);
	brec *b = find(s, batch_id);
	int r = -1;
	if (!b) {
		r = no_batch(e, batch_id);
	} else if (batch_state_active(b->info.state)) {
		r = sb_fail(e, SBE_CONFLICT, _("batch %s is %s; only finished batches can be removed"),
			    b->info.id, batch_state_name(b->info.state));
	} else {
		char *tn = xasprintf(".trash-%s", b->info.id);
		char *trash = path_join(s->bdir, tn);
		free(tn);
		if (rename(b->dir, trash) < 0) {
			r = sb_fail(e, SBE_IO, _("cannot remove %s: %s"), b->dir, strerror(errno));
		} else {
			fsync_dir_of(trash);
			known_drop(s, b); /* also of a lazy batch, whose files are not loaded */
			strmap_del(&s->byid, b->info.id);
			size_t j = 0;
			for (size_t i = 0; i < s->nb; i++)
				if (s->b[i] != b)
					s->b[j++] = s->b[i];
			s->nb = j;
			brec_free(b);
			sb_err e2;
			if (write_registry(s, &e2) < 0)
				sb_log(LOG_WARN, "%s", e2.msg);
			rm_rf(trash);
			r = 0;
		}
		free(trash);
	}
	UNLOCK(s);
	return r;
}
