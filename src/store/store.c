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
	pthread_mutex_destroy(&s->mu);
	free(s);
}

const char *store_path(const store *s)
{
	return s->dir;
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
