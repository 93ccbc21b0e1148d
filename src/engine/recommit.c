/* recommit.c: commits the CSV lost, written again (SPEC 6.3).
 * Every CSV commit appends what it wrote to committed.jsonl in the batch
 * folder (one line per row: the update as committed, with its date), in one
 * fsync'd write, before the journal says saved_to_csv.  A run that finds
 * committed rows the CSV no longer holds (lostrows.h: a spreadsheet saved
 * its older copy over ours) says so, and retrieve writes them again from
 * those lines: the same update, the same date, so the rows come back as the
 * first commit wrote them, with no request to the provider. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <json-c/json.h>

#include "engine_int.h"
#include "i18n.h"
#include "log.h"
#include "strmap.h"

#define COMMITTED_FILE "committed.jsonl"

static void jadd(json_object *o, const char *k, const char *v)
{
	if (v)
		json_object_object_add(o, k, json_object_new_string(v));
}

static char *update_json(const mc_update *u)
{
	json_object *o = json_object_new_object();
	jadd(o, "cesta", u->cesta);
	jadd(o, "kind", u->kind == MCU_SAVE ? "save" : u->kind == MCU_REJECT ? "reject" : "alt");
	jadd(o, "fingerprint", u->fingerprint);
	jadd(o, "today", u->today);
	jadd(o, "title", u->title);
	jadd(o, "description", u->description);
	if (u->title) {
		json_object *a = json_object_new_array();
		for (size_t i = 0; i < u->nkeywords; i++)
			json_object_array_add(a, json_object_new_string(u->keywords[i]));
		json_object_object_add(o, "keywords", a);
	}
	if (u->ncats) {
		json_object *a = json_object_new_array();
		for (size_t i = 0; i < u->ncats; i++) {
			json_object *c = json_object_new_object();
			jadd(c, "bank", u->cats[i].bank);
			jadd(c, "value", u->cats[i].value);
			json_object_array_add(a, c);
		}
		json_object_object_add(o, "cats", a);
	}
	if (u->editorial)
		json_object_object_add(o, "editorial", json_object_new_boolean(1));
	jadd(o, "ed_city", u->ed_city);
	jadd(o, "ed_country", u->ed_country);
	jadd(o, "ed_date", u->ed_date);
	jadd(o, "alt_of", u->alt_of);
	jadd(o, "alt_soubor", u->alt_soubor);
	jadd(o, "alt_status", u->alt_status);
	char *s = xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

void eng_record_commits(engine *en, const char *bid, const mc_update *u, const int *status,
			size_t n)
{
	sbuf b = { 0 };
	for (size_t i = 0; i < n; i++) {
		int st = status ? status[i] : 0;
		if (st != 0 && st != 1)
			continue;
		char *line = update_json(&u[i]);
		sbuf_adds(&b, line);
		sbuf_adds(&b, "\n");
		free(line);
	}
	if (!b.len)
		return;
	char *path = store_batch_path(en->st, bid, COMMITTED_FILE);
	sb_err e;
	if (append_line_sync(path, b.p, &e) < 0)
		sb_log(LOG_WARN, "%s", e.msg);
	free(path);
	sbuf_free(&b);
}

/* ---- reading them back ---- */

/* One stored update and the strings it points at. */
typedef struct stored {
	mc_update u;
	json_object *o; /* owns every string of u */
	const char **kw;
	mc_category *cats;
	char bid[40];
} stored;

static const char *jget(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v)
		       : NULL;
}

static bool stored_parse(const char *line, stored *s)
{
	memset(s, 0, sizeof *s);
	json_object *o = json_tokener_parse(line);
	const char *cesta = o ? jget(o, "cesta") : NULL, *kind = o ? jget(o, "kind") : NULL;
	if (!cesta || !kind || strcmp(kind, "reject") == 0) {
		json_object_put(o);
		return false; /* a torn last line, or nothing to write again */
	}
	s->o = o;
	mc_update *u = &s->u;
	u->kind = strcmp(kind, "save") == 0 ? MCU_SAVE : MCU_ALTERNATIVE;
	u->cesta = cesta;
	u->fingerprint = jget(o, "fingerprint");
	u->today = jget(o, "today");
	u->title = jget(o, "title");
	u->description = jget(o, "description");
	json_object *a;
	if (json_object_object_get_ex(o, "keywords", &a) &&
	    json_object_is_type(a, json_type_array)) {
		size_t n = json_object_array_length(a);
		s->kw = xcalloc(n ? n : 1, sizeof *s->kw);
		for (size_t i = 0; i < n; i++) {
			const char *k = json_object_get_string(json_object_array_get_idx(a, i));
			if (k)
				s->kw[u->nkeywords++] = k;
		}
		u->keywords = s->kw;
	}
	if (json_object_object_get_ex(o, "cats", &a) && json_object_is_type(a, json_type_array)) {
		size_t n = json_object_array_length(a);
		s->cats = xcalloc(n ? n : 1, sizeof *s->cats);
		for (size_t i = 0; i < n; i++) {
			json_object *c = json_object_array_get_idx(a, i);
			s->cats[i].bank = jget(c, "bank");
			s->cats[i].value = jget(c, "value");
		}
		u->cats = s->cats;
		u->ncats = n;
	}
	json_object *ed;
	u->editorial =
		json_object_object_get_ex(o, "editorial", &ed) && json_object_get_boolean(ed);
	u->ed_city = jget(o, "ed_city");
	u->ed_country = jget(o, "ed_country");
	u->ed_date = jget(o, "ed_date");
	u->alt_of = jget(o, "alt_of");
	u->alt_soubor = jget(o, "alt_soubor");
	u->alt_status = jget(o, "alt_status");
	return true;
}

static void stored_free(stored *s)
{
	json_object_put(s->o);
	free(s->kw);
	free(s->cats);
}

/* The lines of one batch's committed.jsonl that write a lost row again: a
 * lost row's own update (the last one for it), and the edited copies' rows
 * its commit created.  Appended to *v (by Cesta and kind, later lines win). */
static size_t read_batch(engine *en, const char *bid, strmap *lost, stored **v, size_t *n,
			 size_t *cap, strmap *seen)
{
	char *path = store_batch_path(en->st, bid, COMMITTED_FILE), *text = NULL;
	size_t len, found = 0;
	sb_err e;
	int r = read_whole_file(path, &text, &len, &e);
	free(path);
	if (r < 0)
		return 0;
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		stored s;
		if (!stored_parse(line, &s))
			continue;
		const char *key = s.u.kind == MCU_SAVE || !s.u.alt_of ? s.u.cesta : s.u.alt_of;
		if (!strmap_find(lost, key)) {
			stored_free(&s);
			continue;
		}
		snprintf(s.bid, sizeof s.bid, "%s", bid);
		char *k = xasprintf("%d\t%s", (int)s.u.kind, s.u.cesta);
		bool added;
		sm_entry *se = strmap_add(seen, k, &added);
		free(k);
		if (!added) { /* a later commit of the same row wins */
			stored_free(&(*v)[se->num]);
			(*v)[se->num] = s;
			continue;
		}
		if (*n == *cap)
			*v = xrealloc(*v, (*cap = *cap ? *cap * 2 : 16) * sizeof **v);
		se->num = *n;
		(*v)[(*n)++] = s;
		found++;
	}
	free(text);
	return found;
}

bool eng_row_as_committed(engine *en, const char *bid, mediacsv *m, const char *cesta)
{
	char *path = store_batch_path(en->st, bid, COMMITTED_FILE), *text = NULL;
	size_t len;
	sb_err e;
	int r = read_whole_file(path, &text, &len, &e);
	free(path);
	long row = mediacsv_find(m, cesta);
	if (r < 0 || row < 0) {
		free(text);
		return false;
	}
	stored last = { 0 };
	bool have = false;
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		stored s;
		if (!stored_parse(line, &s))
			continue;
		if (s.u.kind != MCU_SAVE || strcmp(s.u.cesta, cesta) != 0) {
			stored_free(&s);
			continue;
		}
		if (have)
			stored_free(&last);
		last = s;
		have = true;
	}
	bool same = false;
	if (have) {
		mc_commit_opts o = { 0 };
		o.title_max = en->cfg->title_max;
		o.ed_format = en->cfg->editorial_format;
		char before[17], after[17];
		mediacsv_fingerprint(m, (size_t)row, before);
		mediacsv_apply(m, (size_t)row, &last.u, &o, NULL);
		mediacsv_fingerprint(m, (size_t)row, after);
		same = strcmp(before, after) == 0;
		stored_free(&last);
	}
	free(text);
	return same;
}

/* Read the CSV again if it changed since the last look, and say what it
 * lost (once per change of the file). */
void eng_check_lost(engine *en)
{
	struct stat st;
	if (stat(en->cfg->media_csv, &st) < 0) {
		lost_rows_free(&en->lost);
		en->lost_valid = false;
		return;
	}
	if (en->lost_valid && st.st_ino == en->lost_st.st_ino &&
	    st.st_size == en->lost_st.st_size && st.st_mtim.tv_sec == en->lost_st.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == en->lost_st.st_mtim.tv_nsec &&
	    st.st_ctim.tv_sec == en->lost_st.st_ctim.tv_sec &&
	    st.st_ctim.tv_nsec == en->lost_st.st_ctim.tv_nsec)
		return;
	mediacsv *m;
	sb_err e;
	if (mediacsv_load(en->cfg->media_csv, &m, &e) < 0)
		return; /* the phases that need the CSV report it */
	lost_rows_free(&en->lost);
	lost_rows_find(en->st, m, &en->lost);
	mediacsv_free(m);
	en->lost_st = st;
	en->lost_valid = true;
	char *msg = lost_rows_message(&en->lost, en->cfg->media_csv);
	if (msg)
		sb_log(LOG_WARN, "%s", msg);
	free(msg);
}

bool engine_batch_lost(engine *en, const char *batch_id)
{
	return en->lost_valid && lost_rows_in_batch(&en->lost, batch_id);
}

/* One pass: the lost rows' stored updates in one commit.  Returns how many
 * rows were written again, -1 on a commit error. */
static long recommit_once(engine *en, sb_err *e)
{
	strmap lost, seen;
	strmap_init(&lost, true);
	strmap_init(&seen, true);
	for (size_t i = 0; i < en->lost.n; i++)
		strmap_add(&lost, en->lost.cesta[i], NULL);
	stored *v = NULL;
	size_t n = 0, cap = 0;
	for (size_t b = 0; b < en->lost.nb; b++)
		if (read_batch(en, en->lost.batch[b], &lost, &v, &n, &cap, &seen) == 0)
			sb_log(LOG_WARN,
			       _("batch %s: its committed rows missing from the CSV cannot be written "
				 "again: the batch folder keeps no record of the commit (%s); the "
				 "results are in its output.jsonl"),
			       en->lost.batch[b], COMMITTED_FILE);
	long again = 0;
	if (n) {
		mc_update *u = xcalloc(n, sizeof *u);
		for (size_t i = 0; i < n; i++)
			u[i] = v[i].u;
		mc_commit_result res;
		mc_commit_opts o = { 0 };
		o.title_max = en->cfg->title_max;
		o.backups = en->cfg->backups;
		o.backup_session = en->session;
		o.ed_format = en->cfg->editorial_format;
		pthread_mutex_lock(&en->commit_mu);
		int rc = mediacsv_commit(en->cfg->media_csv, u, n, &o, &res, e);
		pthread_mutex_unlock(&en->commit_mu);
		free(u);
		if (rc < 0)
			again = -1;
		for (size_t i = 0; rc == 0 && i < n; i++) {
			int st = res.status[i];
			bool own = strmap_find(&lost, v[i].u.cesta) != NULL;
			if (st == 0 && own)
				again++;
			else if (st == 2 && own)
				sb_log(LOG_WARN,
				       _("%s: committed by batch %s but missing from the CSV, and the row "
					 "was changed since: not written again (the result is in the "
					 "batch folder's %s)"),
				       v[i].u.cesta, v[i].bid, COMMITTED_FILE);
		}
		if (rc == 0)
			mc_commit_result_free(&res);
	}
	for (size_t i = 0; i < n; i++)
		stored_free(&v[i]);
	free(v);
	strmap_free(&lost);
	strmap_free(&seen);
	return again;
}

int eng_recommit_lost(engine *en, sb_err *e)
{
	/* an edited copy's row comes back with its original's commit, and its
	 * own text in the next pass */
	for (int pass = 0; pass < 3; pass++) {
		eng_check_lost(en);
		if (!en->lost_valid || !en->lost.n)
			return 0;
		sbuf b = { 0 };
		for (size_t i = 0; i < en->lost.nb; i++)
			sbuf_printf(&b, "%s%s", i ? ", " : "", en->lost.batch[i]);
		long again = recommit_once(en, e);
		if (again < 0) {
			sbuf_free(&b);
			return -1;
		}
		if (again > 0) {
			sb_log(LOG_INFO,
			       P_("%ld committed row missing from the CSV written again from the "
				  "results kept in %s",
				  "%ld committed rows missing from the CSV written again from the "
				  "results kept in %s",
				  again),
			       again, b.p);
			eng_rep_add(en, &en->rep.committed, (size_t)again);
		}
		sbuf_free(&b);
		if (again == 0)
			return 0;
	}
	return 0;
}
