/* answers.c: the live answers journal.  Every answer a live call brings
 * (live mode, live retries) is paid for, so it is appended to the batch's
 * answers.jsonl and fsync'd before anything else happens to it; a run after
 * a kill replays those answers instead of asking (and paying) again.  The
 * CSV commit can then stay grouped: an answered photo is never re-sent. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "engine_int.h"
#include "i18n.h"
#include "log.h"
#include "strmap.h"

#define ANSWERS_FILE "answers.jsonl"

void eng_answer_keep(engine *en, const char *bid, const sb_result *r)
{
	if (!r->ok && !r->in_tokens && !r->out_tokens)
		return; /* nothing was paid: asking again costs nothing */
	json_object *o = json_object_new_object();
	json_object_object_add(o, "custom_id",
			       json_object_new_string(r->custom_id ? r->custom_id : ""));
	json_object_object_add(o, "ok", json_object_new_boolean(r->ok));
	if (r->content)
		json_object_object_add(o, "content", json_object_new_string(r->content));
	if (r->error)
		json_object_object_add(o, "error", json_object_new_string(r->error));
	json_object_object_add(o, "status", json_object_new_int(r->http_status));
	json_object_object_add(o, "in", json_object_new_int64(r->in_tokens));
	json_object_object_add(o, "out", json_object_new_int64(r->out_tokens));
	char *line = xasprintf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	char *p = store_batch_path(en->st, bid, ANSWERS_FILE);
	sb_err e;
	if (append_line_sync(p, line, &e) < 0)
		sb_log(LOG_WARN, "%s", e.msg);
	free(p);
	free(line);
}

static const char *jstr(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v)
		       : NULL;
}

static long jlong(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) ? prov_tokens(json_object_get_int64(v)) : 0;
}

size_t eng_answers_replay(rctx *c)
{
	char *p = store_batch_path(c->en->st, c->b->id, ANSWERS_FILE);
	FILE *fp = fopen(p, "r"); /* read a line at a time: memory stays flat */
	free(p);
	if (!fp)
		return 0;
	size_t applied = 0;
	strmap ids;
	strmap_init(&ids, false);
	for (size_t i = 0; i < c->n; i++)
		strmap_put(&ids, c->items[i].cid, &c->items[i]);
	int *kept = xcalloc(c->n ? c->n : 1, sizeof *kept);
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, fp) > 0) {
		json_object *o = json_tokener_parse(line);
		const char *cid = o ? jstr(o, "custom_id") : NULL;
		item *it = cid ? strmap_get(&ids, cid) : NULL; /* a torn last line: no o */
		if (!it) {
			json_object_put(o);
			continue;
		}
		json_object *v;
		sb_result r = { .custom_id = (char *)cid,
				.ok = json_object_object_get_ex(o, "ok", &v) &&
				      json_object_get_boolean(v),
				.content = (char *)jstr(o, "content"),
				.error = (char *)jstr(o, "error"),
				.http_status = (int)jlong(o, "status"),
				.in_tokens = jlong(o, "in"),
				.out_tokens = jlong(o, "out") };
		/* paid when it came: counted, not charged again */
		c->in_tokens += r.in_tokens;
		c->out_tokens += r.out_tokens;
		c->live_in += r.in_tokens;
		c->live_out += r.out_tokens;
		size_t k = (size_t)(it - c->items);
		kept[k]++;
		if (!eng_fstate_final(it->f->state)) {
			eng_judge(c->en, it, &r);
			it->answered = true;
			applied++;
		}
		json_object_put(o);
	}
	for (size_t i = 0; i < c->n; i++)
		if (kept[i] > c->items[i].f->attempts && !eng_fstate_final(c->items[i].f->state))
			c->items[i].f->attempts = kept[i];
	free(line);
	fclose(fp);
	free(kept);
	strmap_free(&ids);
	if (applied)
		sb_log(LOG_INFO,
		       P_("batch %s: %zu answer kept from an interrupted run, not asked again",
			  "batch %s: %zu answers kept from an interrupted run, not asked again",
			  applied),
		       c->b->id, applied);
	return applied;
}
