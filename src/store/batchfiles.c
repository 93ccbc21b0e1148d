/* batchfiles.c: the files of a batch: add, replace, move between states,
 * remove, and snapshot copies for the callers.  Every change is one
 * journal line (journal.c) and one registry move (registry.c). */
#include "config.h"
#include "store_int.h"
#include "i18n.h"
#include "log.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

file_entry *brec_entry(brec *b, const char *cesta)
{
	sm_entry *k = strmap_find(&b->idx, cesta);
	return k ? &b->files[k->num - 1] : NULL;
}

void file_entry_clear(file_entry *f)
{
	if (!f)
		return;
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

file_entry *brec_slot_new(brec *b, const char *cesta)
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

/* The slot f takes n's contents; f keeps its own Cesta string (the key
 * of the batch's index). */
static void entry_replace(file_entry *f, file_entry *n)
{
	char *keep = f->cesta;
	free(n->cesta);
	n->cesta = keep;
	f->cesta = NULL;
	file_entry_clear(f);
	*f = *n;
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
		return sb_fail(e, SBE_INPUT, "%s",
			       _("a file without a path (Cesta) cannot be stored"));
	if ((unsigned)f->state >= FS__COUNT)
		return sb_fail(e, SBE_INPUT, _("%s: invalid file state"), f->cesta);
	LOCK(s);
	int r = -1;
	brec *b = brec_find(s, batch_id), *h;
	if (b && brec_ensure_loaded(s, b, e) < 0) {
		UNLOCK(s);
		return -1;
	}
	file_entry *old = b ? brec_entry(b, f->cesta) : NULL;
	if (!b) {
		r = store_no_batch(e, batch_id);
	} else if (!batch_open(&b->info)) {
		r = sb_fail(e, SBE_CONFLICT,
			    _("batch %s is %s: files can no longer be added to it"), b->info.id,
			    batch_state_name(b->info.state));
	} else if (fs_registered(f->state) && (h = reg_conflict(s, b, f->cesta))) {
		r = sb_fail(e, SBE_CONFLICT,
			    _("%s is already in batch %s (%s); it cannot be in two"), f->cesta,
			    h->info.id, batch_state_name(h->info.state));
	} else {
		file_entry n;
		entry_copy(&n, f);
		if (!n.custom_id)
			n.custom_id = default_custom_id(f->cesta, b->info.id);
		r = journal_record(b, "file", &n, e);
		if (r == 0) {
			int olds = old ? (int)old->state : -1;
			if (!old)
				old = brec_slot_new(b, f->cesta);
			entry_replace(old, &n);
			reg_move(s, b, old->cesta, olds, (int)old->state);
		} else {
			file_entry_clear(&n);
		}
	}
	UNLOCK(s);
	return r;
}

/* Returned arrays, so that file_entries_free(&one, 1) on a store_file_get
 * result (a caller's own variable) frees only the strings. */
static pthread_mutex_t arrays_mu = PTHREAD_MUTEX_INITIALIZER;

static strmap arrays = { .copy = true };

int store_files(store *s, const char *batch_id, file_entry **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	LOCK(s);
	brec *b = brec_find(s, batch_id);
	sb_err e;
	if (!b || brec_ensure_loaded(s, b, &e) < 0) {
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

void file_entries_free(file_entry *f, size_t n)
{
	if (!f)
		return;
	for (size_t i = 0; i < n; i++)
		file_entry_clear(&f[i]);
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
	brec *b = brec_find(s, batch_id);
	sb_err e;
	if (b && brec_ensure_loaded(s, b, &e) < 0) {
		sb_log(LOG_ERROR, "%s", e.msg);
		b = NULL;
	}
	file_entry *f = b && cesta ? brec_entry(b, cesta) : NULL;
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
	return sb_fail(e, SBE_CONFLICT, _("%s cannot go from %s to %s"), cesta,
		       file_state_name(from), file_state_name(to));
}

/* The file an operation names, in its loaded batch (*bp); NULL with e set
 * when the batch or the file is missing or the batch cannot be read. */
static file_entry *named_file(store *s, const char *batch_id, const char *cesta, brec **bp,
			      sb_err *e)
{
	brec *b = *bp = brec_find(s, batch_id);
	if (!b) {
		store_no_batch(e, batch_id);
		return NULL;
	}
	if (brec_ensure_loaded(s, b, e) < 0)
		return NULL;
	file_entry *f = cesta ? brec_entry(b, cesta) : NULL;
	if (!f)
		no_file(e, batch_id, cesta);
	return f;
}

int store_file_set_state(store *s, const char *batch_id, const char *cesta, file_state to,
			 const char *reason, sb_err *e)
{
	LOCK(s);
	int r = -1;
	brec *b, *h;
	file_entry *f = named_file(s, batch_id, cesta, &b, e);
	if (!f)
		r = -1;
	else if (f->state == to && !reason == !f->reason && (!reason || !strcmp(reason, f->reason)))
		r = 0; /* already there: replays after a crash are harmless */
	else if (f->state != to && !file_transition_ok(f->state, to))
		r = bad_move(e, cesta, f->state, to);
	else if (batch_state_active(b->info.state) && fs_registered(to) &&
		 !fs_registered(f->state) && (h = reg_conflict(s, b, cesta)))
		r = sb_fail(e, SBE_CONFLICT, _("%s is already in batch %s; it cannot be in two"),
			    cesta, h->info.id);
	else {
		file_entry tmp = { .cesta = f->cesta, .state = to, .reason = (char *)reason };
		r = journal_record(b, "state", &tmp, e);
		if (r == 0) {
			file_state old = f->state;
			f->state = to;
			free(f->reason);
			f->reason = reason ? xstrdup(reason) : NULL;
			reg_move(s, b, f->cesta, (int)old, (int)to);
			brec_settle(b);
		}
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
	brec *b, *h;
	file_entry *f = named_file(s, batch_id, in->cesta, &b, e);
	if (!f)
		r = -1;
	else if (f->state != in->state && !file_transition_ok(f->state, in->state))
		r = bad_move(e, in->cesta, f->state, in->state);
	else if (batch_state_active(b->info.state) && fs_registered(in->state) &&
		 !fs_registered(f->state) && (h = reg_conflict(s, b, in->cesta)))
		r = sb_fail(e, SBE_CONFLICT, _("%s is already in batch %s; it cannot be in two"),
			    in->cesta, h->info.id);
	else {
		file_entry n;
		entry_copy(&n, in);
		r = journal_record(b, "file", &n, e);
		if (r == 0) {
			file_state old = f->state;
			entry_replace(f, &n);
			reg_move(s, b, f->cesta, (int)old, (int)f->state);
			brec_settle(b);
		} else {
			file_entry_clear(&n);
		}
	}
	UNLOCK(s);
	return r;
}

int store_remove_file(store *s, const char *batch_id, const char *cesta, sb_err *e)
{
	LOCK(s);
	int r = -1;
	brec *b;
	file_entry *f = named_file(s, batch_id, cesta, &b, e);
	if (!f)
		r = -1;
	else if (!batch_open(&b->info) || f->state == FS_BATCH_SENT ||
		 f->state == FS_BATCH_COMPLETED || f->state == FS_SAVED_TO_CSV)
		r = sb_fail(e, SBE_CONFLICT,
			    _("%s has been sent in batch %s and cannot be removed"), cesta,
			    b->info.id);
	else {
		file_entry tmp = { .cesta = f->cesta };
		r = journal_record(b, "del", &tmp, e);
		if (r == 0) {
			reg_move(s, b, f->cesta, (int)f->state, -1);
			strmap_del(&b->idx, f->cesta);
			file_entry_clear(f);
		}
	}
	UNLOCK(s);
	return r;
}

/* A saved description waiting in a collecting batch may be replaced; else
 * e says why not (SBE_CONFLICT). */
static int redescribe_allowed(const brec *b, const file_entry *f, sb_err *e)
{
	const char *id = b->info.id, *st = batch_state_name(b->info.state);
	if (f->state != FS_DESCRIPTION_SAVED)
		return sb_fail(e, SBE_CONFLICT,
			       _("%s is %s in batch %s: only a description waiting in a collecting "
				 "batch can be changed"),
			       f->cesta, file_state_name(f->state), id);
	switch (b->info.state) {
	case BS_COLLECTING: return 0;
	case BS_READY:
		return sb_fail(e, SBE_CONFLICT,
			       _("batch %s is sealed (%s): %s goes out as it is and can no longer "
				 "be changed"),
			       id, st, f->cesta);
	case BS_PAUSED:
		return sb_fail(e, SBE_CONFLICT,
			       _("batch %s is sealed (%s): %s goes out as it is when resumed and "
				 "can no longer be changed"),
			       id, st, f->cesta);
	default:
		return sb_fail(e, SBE_CONFLICT,
			       _("batch %s has been sent (%s): %s can no longer be changed"), id,
			       st, f->cesta);
	}
}

int store_file_redescribe(store *s, const char *batch_id, const char *cesta, const char *text,
			  sb_err *e)
{
	LOCK(s);
	int r = -1;
	brec *b;
	file_entry *f = named_file(s, batch_id, cesta, &b, e);
	int may = f ? redescribe_allowed(b, f, e) : -1;
	if (may == 0 && !text) {
		r = 0; /* asked only whether it may */
	} else if (may == 0) {
		file_entry n;
		entry_copy(&n, f);
		free(n.description);
		n.description = xstrdup(text);
		r = journal_record(b, "file", &n, e);
		if (r == 0) {
			entry_replace(f, &n);
			/* one line per file again; the line above is durable
			 * already, so a failed rewrite loses nothing */
			sb_err e2;
			if (journal_compact(b, &e2) < 0)
				sb_log(LOG_WARN, "%s", e2.msg);
		} else {
			file_entry_clear(&n);
		}
	}
	UNLOCK(s);
	return r;
}
