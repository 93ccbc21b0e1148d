/* batchstate.c: batch folders and their state: batch.json, the
 * registry.json index, ids, creation under batches/.new-<id> and removal
 * through batches/.trash-<id> (a crash never leaves half a batch), and the
 * batch state transitions with their effect on the file registry. */
#include "config.h"
#include "store_int.h"
#include "i18n.h"
#include "log.h"
#include "settings.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

brec *brec_find(store *s, const char *id)
{
	return id ? strmap_get(&s->byid, id) : NULL;
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
	    (batch_state_parse(jstr(o, "paused_from"), &b->paused_from) < 0 ||
	     b->paused_from == BS_PAUSED))
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

int registry_write(store *s, sb_err *e)
{
	json_object *o = json_object_new_object(), *arr = json_object_new_array();
	json_object_object_add(o, "version", json_object_new_int(1));
	/* The live batches in full; finished ones only counted (each has its
	 * batch.json), so a batch-level change costs O(live), not O(history). */
	size_t fin[BS__COUNT] = { 0 };
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

static int brec_write(brec *b, const batch_info *info, sb_err *e)
{
	char *text = batch_to_json(info);
	char *path = path_join(b->dir, "batch.json");
	int r = atomic_write(path, text, strlen(text), 0600, e);
	free(path);
	free(text);
	return r;
}

int store_rm_rf(const char *path)
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
			store_rm_rf(p);
		else
			unlink(p);
		free(p);
	}
	closedir(d);
	return rmdir(path);
}

/* Leftover temp files of an interrupted atomic_write ("x.tmp.PID"). */
void store_remove_tmp(const char *dir)
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

brec *brec_new(store *s, const char *id)
{
	brec *b = xcalloc(1, sizeof *b);
	b->dir = path_join(s->bdir, id);
	b->journal = path_join(b->dir, "files.jsonl");
	return b;
}

void brec_free(brec *b)
{
	for (size_t i = 0; i < b->nslots; i++)
		file_entry_clear(&b->files[i]);
	free(b->files);
	strmap_free(&b->idx);
	free(b->dir);
	free(b->journal);
	free(b->summary);
	free(b);
}

void brec_add(store *s, brec *b)
{
	if (s->nb == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->b = xrealloc(s->b, s->cap * sizeof *s->b);
	}
	s->b[s->nb++] = b;
	strmap_put(&s->byid, b->info.id, b);
}

/* Read one entry of batches/ (d_type from readdir).  *out is NULL when it
 * is not a valid batch (logged, skipped) or a crash's leftover folder
 * (removed when repairing); -1 on a read error. */
int brec_load(store *s, const char *name, unsigned char d_type, brec **out, sb_err *e)
{
	*out = NULL;
	if (name[0] == '.') {
		/* half-born or half-dead batch folders of a crash */
		if (s->repair && (!strncmp(name, ".new-", 5) || !strncmp(name, ".trash-", 7))) {
			char *p = path_join(s->bdir, name);
			store_rm_rf(p);
			free(p);
		}
		return 0;
	}
	if (d_type != DT_DIR && d_type != DT_UNKNOWN)
		return 0;
	brec *b = brec_new(s, name);
	struct stat st;
	if (d_type == DT_UNKNOWN && (stat(b->dir, &st) < 0 || !S_ISDIR(st.st_mode))) {
		brec_free(b);
		return 0;
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
		sb_log(LOG_ERROR, _("%s: not a valid batch file; batch folder %s ignored"), bj,
		       b->dir);
		json_object_put(o);
		free(bj);
		brec_free(b);
		return 0;
	}
	json_object_put(o);
	free(bj);
	/* a finished, settled batch is read from its summary, if current */
	if (!batch_state_active(b->info.state) && summary_read(b)) {
		*out = b;
		return 0;
	}
	/* temp files: of a live batch, or a crash while settling one */
	if (s->repair)
		store_remove_tmp(b->dir);
	if (journal_load(b, s->repair, e) < 0) {
		brec_free(b);
		return -1;
	}
	if (s->repair)
		summary_write(b); /* settled but no summary yet: next open is quick */
	*out = b;
	return 0;
}

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
	brec *b = brec_find(s, batch_id);
	if (b)
		*out = b->info;
	UNLOCK(s);
	return b ? 0 : -1;
}

int store_no_batch(sb_err *e, const char *id)
{
	return sb_fail(e, SBE_NOTFOUND,
		       _("no batch %s in the state directory; see `stockbatch status`"),
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
		/* after every batch made in the same second: batches of one
		 * second list in the order they were made, not the dice's */
		snprintf(id, 40, "b%s-", ts);
		size_t pl = strlen(id);
		unsigned last = 0;
		bool any = false;
		for (size_t i = 0; i < s->nb; i++) {
			unsigned v;
			if (strncmp(s->b[i]->info.id, id, pl) == 0 &&
			    sscanf(s->b[i]->info.id + pl, "%4x", &v) == 1 && (!any || v > last)) {
				last = v;
				any = true;
			}
		}
		if (!any)
			r &= 0x7fff; /* room above for the second's later batches */
		else if (last + 1 + r % 16 > 0xffff) {
			usleep(50000); /* the second is full: the next one */
			continue;
		} else
			r = (uint16_t)(last + 1 + r % 16);
		snprintf(id, 40, "b%s-%04x", ts, r);
		char *p = path_join(s->bdir, id);
		bool taken = brec_find(s, id) || file_exists(p);
		free(p);
		if (!taken)
			return;
	}
}

/* A new batch folder, born complete: built under .new-<id>, then renamed. */
static brec *batch_create(store *s, const char *kind, const char *provider, const char *model,
			  sb_err *e)
{
	char id[40];
	new_id(s, id);
	brec *b = brec_new(s, id);
	batch_info *i = &b->info;
	snprintf(i->id, sizeof i->id, "%s", id);
	snprintf(i->kind, sizeof i->kind, "%s", kind ? kind : "originals");
	snprintf(i->provider, sizeof i->provider, "%s",
		 provider ? provider : provider_default_name);
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
		store_rm_rf(tmpdir);
	free(text);
	free(bj);
	free(fj);
	free(tmpdir);
	if (r < 0) {
		brec_free(b);
		return NULL;
	}
	brec_add(s, b);
	sb_err e2;
	if (registry_write(s, &e2) < 0)
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
		b = batch_create(s, kind, provider, model, e);
	if (b)
		*out = b->info;
	UNLOCK(s);
	return b ? 0 : -1;
}

static int batch_set_state_locked(store *s, brec *b, batch_state to, const char *note, sb_err *e)
{
	if (brec_ensure_loaded(s, b, e) < 0)
		return -1;
	batch_info ni = b->info;
	batch_state from = ni.state;
	if (from == to) {
		if (note && strcmp(note, ni.note)) {
			snprintf(ni.note, sizeof ni.note, "%s", note);
			if (brec_write(b, &ni, e) < 0)
				return -1;
			b->info = ni;
		}
		return 0;
	}
	if (!batch_transition_ok(from, to) ||
	    (from == BS_PAUSED && !batch_resume_ok(ni.paused_from, to)))
		return sb_fail(e, SBE_CONFLICT, _("batch %s cannot go from %s to %s"), ni.id,
			       batch_state_name(from == BS_PAUSED ? ni.paused_from : from),
			       batch_state_name(to));
	bool was_act = batch_state_active(from), act = batch_state_active(to);
	if (act && !was_act && reg_batch_claim(s, b, to, e) < 0)
		return -1;
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
	if (brec_write(b, &ni, e) < 0)
		return -1;
	b->info = ni;
	if (was_act != act)
		reg_batch_moved(s, b, act);
	sb_err e2;
	if (registry_write(s, &e2) < 0)
		sb_log(LOG_WARN, "%s", e2.msg);
	brec_settle(b);
	return 0;
}

int store_set_state(store *s, const char *batch_id, batch_state to, const char *note, sb_err *e)
{
	LOCK(s);
	brec *b = brec_find(s, batch_id);
	int r = b ? batch_set_state_locked(s, b, to, note, e) : store_no_batch(e, batch_id);
	UNLOCK(s);
	return r;
}

int store_new_batch(store *s, const char *kind, const char *provider, const char *model,
		    batch_state state, batch_info *out, sb_err *e)
{
	LOCK(s);
	brec *b = batch_create(s, kind, provider, model, e);
	int r = b ? 0 : -1;
	/* under the same lock: no collector can pick it up as "collecting" */
	if (b && state != BS_COLLECTING)
		r = batch_set_state_locked(s, b, state, NULL, e);
	if (b && out)
		*out = b->info;
	UNLOCK(s);
	return r;
}

int store_update(store *s, const batch_info *in, sb_err *e)
{
	LOCK(s);
	brec *b = brec_find(s, in->id);
	int r = -1;
	if (!b) {
		r = store_no_batch(e, in->id);
	} else {
		batch_info ni = b->info;
		memcpy(ni.model, in->model, sizeof ni.model);
		ni.model[sizeof ni.model - 1] = 0;

#define CP(f) (memcpy(ni.f, in->f, sizeof ni.f), ni.f[sizeof ni.f - 1] = 0)
		if (in->provider[0]) /* a ready batch sent by another provider */
			CP(provider);
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
		if ((r = brec_write(b, &ni, e)) == 0)
			b->info = ni;
	}
	UNLOCK(s);
	return r;
}

int store_seal_if_full(store *s, const char *batch_id, size_t batch_size, sb_err *e)
{
	LOCK(s);
	brec *b = brec_find(s, batch_id);
	int r;
	if (!b) {
		r = store_no_batch(e, batch_id);
	} else {
		size_t have = b->info.counts[FS_PENDING] + b->info.counts[FS_DESCRIPTION_SAVED];
		r = 0;
		if (b->info.state == BS_COLLECTING && batch_size > 0 && have >= batch_size)
			r = batch_set_state_locked(s, b, BS_READY, NULL, e) < 0 ? -1 : 1;
	}
	UNLOCK(s);
	return r;
}

int store_forget(store *s, const char *batch_id, sb_err *e)
{
	LOCK(s);
	brec *b = brec_find(s, batch_id);
	int r = -1;
	if (!b) {
		r = store_no_batch(e, batch_id);
	} else if (batch_state_active(b->info.state)) {
		r = sb_fail(e, SBE_CONFLICT,
			    _("batch %s is %s; only finished batches can be removed"), b->info.id,
			    batch_state_name(b->info.state));
	} else {
		char *tn = xasprintf(".trash-%s", b->info.id);
		char *trash = path_join(s->bdir, tn);
		free(tn);
		if (rename(b->dir, trash) < 0) {
			r = sb_fail(e, SBE_IO, _("cannot remove %s: %s"), b->dir, strerror(errno));
		} else {
			fsync_dir_of(trash);
			reg_known_drop(s, b); /* also of a lazy batch, whose files are not loaded */
			strmap_del(&s->byid, b->info.id);
			size_t j = 0;
			for (size_t i = 0; i < s->nb; i++)
				if (s->b[i] != b)
					s->b[j++] = s->b[i];
			s->nb = j;
			brec_free(b);
			sb_err e2;
			if (registry_write(s, &e2) < 0)
				sb_log(LOG_WARN, "%s", e2.msg);
			store_rm_rf(trash);
			r = 0;
		}
		free(trash);
	}
	UNLOCK(s);
	return r;
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
