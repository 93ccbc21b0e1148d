/* store.c: opening and closing the state directory (reading every batch
 * folder, repairing what a crash left), the editor's draft and the cost log. */
#include "config.h"
#include "store_int.h"
#include "i18n.h"
#include "lock.h"
#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
		brec *b;
		if ((rc = brec_load(s, de->d_name, de->d_type, &b, e)) == 0 && b)
			brec_add(s, b);
	}
	closedir(d);
	if (rc < 0)
		return -1;
	if (s->nb > 1)
		qsort(s->b, s->nb, sizeof *s->b, cmp_brec);
	reg_build(s);
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
		store_remove_tmp(s->dir);
	char *rp = path_join(s->dir, "registry.json");
	size_t rl;
	if (read_whole_file(rp, &s->reg_text, &rl, NULL) < 0)
		s->reg_text = NULL;
	free(rp);
	sb_err e2;
	if (s->repair && registry_write(s, &e2) < 0)
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
	free(s->draft_text);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

const char *store_path(const store *s)
{
	return s->dir;
}

/* draft.json: the current photo's draft at the top ("cesta", "text",
 * "saved"), and under "kept" the text typed for photos passed over this
 * session (Cesta -> text), each back when its photo is.  Read from the disk
 * once; after that from what this process wrote (a save of a description
 * drops its draft without a round trip to a share for the file). */
static json_object *draft_read(store *s)
{
	char *data = NULL;
	if (!s->draft_known) {
		char *p = path_join(s->dir, "draft.json");
		size_t len;
		sb_err e;
		int r = read_whole_file(p, &data, &len, &e);
		free(p);
		/* another process's library may change under us: read each time */
		if (s->repair && (r == 0 || e.code == SBE_NOTFOUND)) {
			s->draft_text = data;
			s->draft_known = true;
			data = NULL;
		}
	}
	const char *text = s->draft_known ? s->draft_text : data;
	json_object *o = text ? json_tokener_parse(text) : NULL;
	free(data);
	if (o && !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
	}
	return o ? o : json_object_new_object();
}

/* Write it back; a draft with nothing in it is no file. */
static int draft_write(store *s, json_object *o, sb_err *e)
{
	json_object *kept;
	bool empty = !jstr(o, "text") &&
		     (!json_object_object_get_ex(o, "kept", &kept) || !json_object_object_length(kept));
	char *p = path_join(s->dir, "draft.json"), *t = NULL;
	int r = 0;
	if (empty) {
		if (unlink(p) < 0 && errno != ENOENT)
			r = sb_fail(e, SBE_IO, _("cannot remove %s: %s"), p, strerror(errno));
		else
			fsync_dir_of(p);
	} else {
		char iso[32];
		time_iso(time(NULL), iso);
		jadd_str(o, "saved", iso);
		t = xasprintf("%s\n", json_object_to_json_string_ext(o, JSON_PRETTY));
		r = atomic_write(p, t, strlen(t), 0600, e);
	}
	free(p);
	/* what the file holds now; after a failure, unknown until read */
	free(s->draft_text);
	s->draft_known = r == 0 && s->repair;
	s->draft_text = s->draft_known ? t : NULL;
	if (!s->draft_known)
		free(t);
	return r;
}

static void draft_unkeep(json_object *o, const char *cesta)
{
	json_object *kept;
	if (json_object_object_get_ex(o, "kept", &kept))
		json_object_object_del(kept, cesta);
}

static void draft_uncurrent(json_object *o)
{
	json_object_object_del(o, "cesta");
	json_object_object_del(o, "text");
}

int store_save_draft(store *s, const char *cesta, const char *text, sb_err *e)
{
	LOCK(s);
	json_object *o = draft_read(s);
	jadd_str(o, "cesta", cesta ? cesta : "");
	jadd_str(o, "text", text ? text : "");
	draft_unkeep(o, cesta ? cesta : ""); /* its text is the current one now */
	int r = draft_write(s, o, e);
	json_object_put(o);
	UNLOCK(s);
	return r;
}

char *store_load_draft(store *s, char **cesta)
{
	if (cesta)
		*cesta = NULL;
	LOCK(s);
	json_object *o = draft_read(s);
	const char *t = jstr(o, "text"), *c = jstr(o, "cesta");
	char *text = t ? xstrdup(t) : NULL;
	if (t && cesta)
		*cesta = xstrdup(c ? c : "");
	json_object_put(o);
	UNLOCK(s);
	return text;
}

int store_clear_draft(store *s, sb_err *e)
{
	LOCK(s);
	json_object *o = draft_read(s);
	draft_uncurrent(o);
	int r = draft_write(s, o, e);
	json_object_put(o);
	UNLOCK(s);
	return r;
}

int store_keep_draft(store *s, const char *cesta, const char *text, sb_err *e)
{
	LOCK(s);
	json_object *o = draft_read(s);
	const char *c = jstr(o, "cesta");
	if (c && !strcmp(c, cesta))
		draft_uncurrent(o);
	json_object *kept;
	if (!json_object_object_get_ex(o, "kept", &kept)) {
		kept = json_object_new_object();
		json_object_object_add(o, "kept", kept);
	}
	if (text && *text)
		jadd_str(kept, cesta, text);
	else
		json_object_object_del(kept, cesta);
	int r = draft_write(s, o, e);
	json_object_put(o);
	UNLOCK(s);
	return r;
}

int store_drop_draft(store *s, const char *cesta, sb_err *e)
{
	LOCK(s);
	json_object *o = draft_read(s);
	const char *c = jstr(o, "cesta");
	json_object *kept;
	bool had = (c && !strcmp(c, cesta)) ||
		   (json_object_object_get_ex(o, "kept", &kept) &&
		    json_object_object_get_ex(kept, cesta, NULL));
	int r = 0;
	if (had) {
		if (c && !strcmp(c, cesta))
			draft_uncurrent(o);
		draft_unkeep(o, cesta);
		r = draft_write(s, o, e);
	}
	json_object_put(o);
	UNLOCK(s);
	return r;
}

size_t store_kept_drafts(store *s, char ***cesta, char ***text)
{
	LOCK(s);
	json_object *o = draft_read(s), *kept;
	size_t n = 0;
	*cesta = *text = NULL;
	if (json_object_object_get_ex(o, "kept", &kept) &&
	    json_object_is_type(kept, json_type_object)) {
		size_t max = (size_t)json_object_object_length(kept);
		*cesta = xcalloc(max ? max : 1, sizeof **cesta);
		*text = xcalloc(max ? max : 1, sizeof **text);
		json_object_object_foreach(kept, k, v)
		{
			if (!json_object_is_type(v, json_type_string))
				continue;
			(*cesta)[n] = xstrdup(k);
			(*text)[n++] = xstrdup(json_object_get_string(v));
		}
	}
	json_object_put(o);
	UNLOCK(s);
	return n;
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
