/* uploads.c: the upload intent (SPEC 12: nothing a kill leaves behind is
 * paid for or kept).  A kill -9 between an input file's upload and its id
 * reaching the store would leave the file at the provider, known to no
 * one: OpenAI keeps it against the organisation's file storage, Gemini for
 * 48 h.  So every upload goes under a name that says its batch
 * (eng_upload_name), behind an intent file written before it and removed
 * once the store holds the id.  A send that finds an earlier intent uploads
 * as usual (so a provider that cannot be reached stops the run at the
 * upload, as before), then lists the files of the providers the intents
 * named and deletes those named for the batch that are not its recorded
 * input file. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>

#include "engine_int.h"
#include "i18n.h"
#include "log.h"

char *eng_upload_name(const char *bid)
{
	return xasprintf("stockbatch-%s.jsonl", bid);
}

static char *intent_path(engine *en, const char *bid)
{
	return store_batch_path(en->st, bid, "upload-intent.json");
}

/* The providers an intent names into out (NULL-terminated, at most cap - 1). */
static size_t intent_providers(json_object *j, const char **out, size_t cap)
{
	size_t n = 0;
	json_object *arr = prov_jget(j, "providers");
	for (size_t i = 0; arr && json_object_is_type(arr, json_type_array) &&
			   i < json_object_array_length(arr) && n + 1 < cap;
	     i++) {
		const provider_ops *ops =
			provider_lookup(json_object_get_string(json_object_array_get_idx(arr, i)));
		bool seen = false;
		for (size_t k = 0; ops && k < n; k++)
			seen = seen || !strcmp(out[k], ops->name);
		if (ops && !seen)
			out[n++] = ops->name;
	}
	out[n] = NULL;
	return n;
}

int eng_upload_intent(engine *en, const batch_info *b, bool *left, sb_err *e)
{
	char *ip = intent_path(en, b->id), *name = eng_upload_name(b->id);
	const char *provs[8];
	size_t n = 0;
	*left = file_exists(ip);
	/* an earlier send's intent: its providers stay named (a torn one, cut
	 * by the kill, was this run's provider's) */
	json_object *j = *left ? json_object_from_file(ip) : NULL;
	n = intent_providers(j, provs, 7);
	bool have = false;
	for (size_t k = 0; k < n; k++)
		have = have || !strcmp(provs[k], en->prov->ops->name);
	if (!have)
		provs[n++] = en->prov->ops->name;
	sbuf t = { 0 };
	sbuf_adds(&t, "{\"batch\":");
	prov_json_str(&t, b->id);
	sbuf_adds(&t, ",\"name\":");
	prov_json_str(&t, name);
	sbuf_adds(&t, ",\"providers\":[");
	for (size_t k = 0; k < n; k++) {
		if (k)
			sbuf_addc(&t, ',');
		prov_json_str(&t, provs[k]);
	}
	sbuf_printf(&t, "],\"time\":%lld}\n", (long long)time(NULL));
	json_object_put(j);
	int rc = atomic_write(ip, t.p, t.len, 0600, e);
	sbuf_free(&t);
	free(name);
	free(ip);
	return rc;
}

void eng_upload_done(engine *en, const char *bid)
{
	char *ip = intent_path(en, bid);
	unlink(ip);
	free(ip);
}

/* The files named for b at prov, other than its recorded input file,
 * deleted; 0 when none is left. */
static int delete_named(provider *prov, const batch_info *b, const char *name)
{
	prov_file *fs = NULL;
	size_t n = 0;
	sb_err e;
	sb_err_clear(&e);
	if (prov->ops->list_files(prov, &fs, &n, &e) < 0) {
		sb_log(LOG_WARN, _("batch %s: cannot list the provider's files to find an upload a crash left: %s"),
		       b->id, e.msg);
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(fs[i].name, name) != 0 || !strcmp(fs[i].id, b->input_file_id))
			continue;
		sb_err de;
		sb_err_clear(&de);
		if (prov->ops->delete_file(prov, fs[i].id, &de) < 0) {
			sb_log(LOG_WARN, _("batch %s: provider file %s not deleted: %s"), b->id,
			       fs[i].id, de.msg);
			rc = -1;
			continue;
		}
		sb_log(LOG_INFO,
		       _("batch %s: deleted the provider file %s, uploaded by a send that stopped before saving its id"),
		       b->id, fs[i].id);
	}
	free(fs);
	return rc;
}

void eng_upload_saved(engine *en, const batch_info *b, bool left)
{
	if (!left) { /* the usual case */
		eng_upload_done(en, b->id);
		return;
	}
	char *ip = intent_path(en, b->id);
	json_object *j = json_object_from_file(ip);
	free(ip);
	const char *provs[8];
	size_t n = intent_providers(j, provs, 8);
	char *name = eng_upload_name(b->id);
	int rc = 0;
	for (size_t k = 0; k < n; k++) {
		batch_info at = *b;
		snprintf(at.provider, sizeof at.provider, "%s", provs[k]);
		sb_err pe;
		sb_err_clear(&pe);
		provider *prov = eng_batch_provider(en, &at, &pe);
		if (!prov) {
			sb_log(LOG_WARN, "%s", pe.msg);
			rc = -1;
		} else if (delete_named(prov, b, name) < 0)
			rc = -1;
	}
	free(name);
	json_object_put(j);
	if (rc == 0) /* else the next send of the batch looks again */
		eng_upload_done(en, b->id);
}
