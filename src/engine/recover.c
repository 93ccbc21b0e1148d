/* recover.c: phase 0 (SPEC 3), what a run does first.  A ready batch with
 * an intent marker may have been created at the provider before a crash:
 * it is reconciled by listing the provider's batches.  A split interrupted
 * half-way is replayed from its plan, so no file is lost between two
 * batches.  Old finished batches are archived. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>

#include "archive.h"
#include "engine_int.h"
#include "i18n.h"
#include "log.h"

char *eng_intent_path(engine *en, const char *bid)
{
	return store_batch_path(en->st, bid, "intent.json");
}

int eng_mark_sent(engine *en, batch_info *b, const prov_batch *pb, sb_err *e)
{
	if (pb) {
		snprintf(b->provider_batch_id, sizeof b->provider_batch_id, "%s", pb->id);
		if (pb->input_file_id[0])
			snprintf(b->input_file_id, sizeof b->input_file_id, "%s",
				 pb->input_file_id);
		if (!b->sent)
			b->sent = time(NULL);
		if (store_update(en->st, b, e) < 0)
			return -1;
	}
	if (store_set_state(en->st, b->id, BS_SENT, NULL, e) < 0)
		return -1;
	b->state = BS_SENT;
	char *ip = eng_intent_path(en, b->id);
	unlink(ip);
	free(ip);
	return 0;
}

/* A ready batch whose create may have happened: ask the provider.
 * Returns 1 = it is at the provider (now sent), 0 = it was never created
 * (safe to send), -1 = cannot tell now (stays ready, or paused). */
int eng_reconcile(engine *en, batch_info *b)
{
	sb_err e;
	sb_err_clear(&e);
	if (b->provider_batch_id[0])
		return eng_mark_sent(en, b, NULL, &e) == 0 ? 1 : -1;
	char *ip = eng_intent_path(en, b->id);
	bool intent = file_exists(ip);
	if (!intent) {
		free(ip);
		return 0;
	}
	provider *prov = eng_batch_provider(en, b, &e);
	if (!prov) {
		free(ip);
		return -1;
	}
	prov_batch pb;
	memset(&pb, 0, sizeof pb);
	if (provider_find_ours(prov, b->id, &pb, &e) == 0) {
		sb_log(LOG_INFO, _("batch %s: found at the provider as %s after an interruption"),
		       b->id, pb.id);
		int rc = eng_mark_sent(en, b, &pb, &e);
		prov_batch_clear(&pb);
		free(ip);
		return rc == 0 ? 1 : -1;
	}
	prov_batch_clear(&pb);
	if (e.code == SBE_NOTFOUND) {
		unlink(ip);
		free(ip);
		return 0;
	}
	free(ip);
	if (e.code == SBE_NETWORK || e.code == SBE_RATE) {
		sb_log(LOG_WARN, _("batch %s: cannot check the provider yet (%s); will retry"),
		       b->id, e.msg);
		return -1;
	}
	char note[256];
	snprintf(
		note, sizeof note,
		_("interrupted while sending; could not check the provider (%s): check its dashboard, then resume"),
		e.msg);
	sb_err e2;
	store_set_state(en->st, b->id, BS_PAUSED, note, &e2);
	sb_log(LOG_WARN, _("batch %s paused: %s"), b->id, note);
	return -1;
}

int eng_phase_recover(engine *en, sb_err *e)
{
	(void)e;
	eng_recover_splits(en);
	batch_info *bs;
	size_t n = store_list(en->st, &bs);
	time_t now = time(NULL);
	for (size_t i = 0; i < n && !eng_stopping(en); i++) {
		batch_info *b = &bs[i];
		if (b->state == BS_READY)
			eng_reconcile(en, b);
		bool final = b->state == BS_COMPLETED || b->state == BS_FAILED ||
			     b->state == BS_CANCELLED || b->state == BS_EXPIRED;
		time_t done = b->completed ? b->completed : b->created;
		if (final && en->cfg->archive_days > 0 && done > 0 &&
		    now - done > (time_t)en->cfg->archive_days * 86400 &&
		    engine_batch_lost(en, b->id)) {
			sb_log(LOG_WARN,
			       _("batch %s: not archived while the CSV lacks rows it committed"),
			       b->id);
		} else if (final && en->cfg->archive_days > 0 && done > 0 &&
			   now - done > (time_t)en->cfg->archive_days * 86400) {
			sb_err ae;
			if (archive_batch(en->st, b->id, &ae) < 0)
				sb_log(LOG_WARN, _("batch %s: not archived: %s"), b->id, ae.msg);
			else
				sb_log(LOG_INFO, _("batch %s archived"), b->id);
		}
	}
	free(bs);
	return 0;
}

/* ---- splitting a batch too big for one provider batch ----
 * Our batch keeps the first chunk; every other chunk becomes a new ready
 * batch of ours.  A file must never be in two active batches, so a move is
 * "remove, then add", and a crash between the two would lose the file: the
 * whole plan (every moved entry with its description) is written first to
 * split.jsonl in the source batch (send.c's split_batch, one
 * eng_split_plan_line per entry), and eng_finish_split replays it, right
 * away and after a crash (phase 0 and before any send), until each file is
 * in its target. */

char *eng_split_path(engine *en, const char *bid)
{
	return store_batch_path(en->st, bid, "split.jsonl");
}

/* One moved entry of a split plan; move_planned reads it back. */
void eng_split_plan_line(sbuf *out, const char *to, const file_entry *f)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "to", json_object_new_string(to));
	json_object_object_add(o, "cesta", json_object_new_string(f->cesta));
	json_object_object_add(o, "description",
			       json_object_new_string(f->description ? f->description : ""));
	json_object_object_add(
		o, "state",
		json_object_new_string(file_state_name(
			f->state == FS_PENDING ? FS_PENDING : FS_DESCRIPTION_SAVED)));
	json_object_object_add(o, "editorial", json_object_new_boolean(f->editorial));
	json_object_object_add(o, "city", json_object_new_string(f->ed.city));
	json_object_object_add(o, "country", json_object_new_string(f->ed.country));
	json_object_object_add(o, "date", json_object_new_string(f->ed.date));
	json_object_object_add(o, "fingerprint", json_object_new_string(f->fingerprint));
	if (f->alt_of)
		json_object_object_add(o, "alt_of", json_object_new_string(f->alt_of));
	sbuf_adds(out, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	sbuf_addc(out, '\n');
	json_object_put(o);
}

static const char *jstr(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v)
		       : "";
}

/* Move one planned entry from bid to its target (idempotent). */
static int move_planned(engine *en, const char *bid, json_object *o, sb_err *e)
{
	const char *to = jstr(o, "to"), *cesta = jstr(o, "cesta");
	if (!*to || !*cesta)
		return 0;
	char held[40];
	if (store_file_batch(en->st, cesta, held)) {
		if (strcmp(held, to) == 0)
			return 0; /* already moved */
		if (strcmp(held, bid) != 0) {
			sb_log(LOG_WARN, _("batch %s: %s is in batch %s now; not moved to %s"), bid,
			       cesta, held, to);
			return 0;
		}
		file_entry cur;
		memset(&cur, 0, sizeof cur);
		if (store_file_get(en->st, bid, cesta, &cur) == 0) {
			bool sent = cur.state == FS_BATCH_SENT;
			file_entries_free(&cur, 1);
			/* a half-done send of the whole batch (never created) */
			if (sent)
				eng_set_fstate(en, bid, cesta, FS_DESCRIPTION_SAVED, NULL);
		}
		if (store_remove_file(en->st, bid, cesta, e) < 0)
			return -1;
	}
	file_entry f;
	memset(&f, 0, sizeof f);
	f.cesta = (char *)cesta;
	f.description = (char *)jstr(o, "description");
	if (file_state_parse(jstr(o, "state"), &f.state) < 0)
		f.state = FS_DESCRIPTION_SAVED;
	json_object *v;
	f.editorial = json_object_object_get_ex(o, "editorial", &v) && json_object_get_boolean(v);
	snprintf(f.ed.city, sizeof f.ed.city, "%s", jstr(o, "city"));
	snprintf(f.ed.country, sizeof f.ed.country, "%s", jstr(o, "country"));
	snprintf(f.ed.date, sizeof f.ed.date, "%s", jstr(o, "date"));
	snprintf(f.fingerprint, sizeof f.fingerprint, "%s", jstr(o, "fingerprint"));
	if (*jstr(o, "alt_of"))
		f.alt_of = (char *)jstr(o, "alt_of");
	if (store_add_file(en->st, to, &f, e) == 0)
		return 0;
	/* the target is gone or closed: back into the source, never lost */
	sb_err e2;
	sb_log(LOG_WARN, _("batch %s: %s could not move to %s (%s); kept here"), bid, cesta, to,
	       e->msg);
	return store_add_file(en->st, bid, &f, &e2) == 0 ? 0 : (*e = e2, -1);
}

/* Replay a split plan if one is there.  0 = no plan or done. */
int eng_finish_split(engine *en, const char *bid, sb_err *e)
{
	char *sp = eng_split_path(en, bid), *data = NULL;
	size_t len = 0;
	if (!file_exists(sp)) {
		free(sp);
		return 0;
	}
	if (read_whole_file(sp, &data, &len, e) < 0) {
		free(sp);
		return -1;
	}
	int rc = 0;
	for (char *save = NULL, *line = strtok_r(data, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		json_object *o = json_tokener_parse(line);
		if (!o)
			continue; /* cannot happen: the plan is written atomically */
		if (move_planned(en, bid, o, e) < 0)
			rc = -1;
		json_object_put(o);
		if (rc < 0)
			break;
	}
	free(data);
	if (rc == 0 && unlink(sp) < 0 && errno != ENOENT)
		sb_log(LOG_WARN, _("cannot remove %s: %s"), sp, strerror(errno));
	free(sp);
	return rc;
}

void eng_recover_splits(engine *en)
{
	batch_info *bs;
	size_t n = store_list(en->st, &bs);
	for (size_t i = 0; i < n; i++) {
		sb_err e;
		sb_err_clear(&e);
		if (eng_finish_split(en, bs[i].id, &e) < 0)
			sb_log(LOG_ERROR,
			       _("batch %s: an interrupted split could not be finished: %s"),
			       bs[i].id, e.msg);
	}
	free(bs);
}
